"""Work done in forked child processes, which may die: a dead child is an error, never a hang.

Pages are drawn, previews rendered and layout templates run in children
forked from this process (they share its imports, fonts and data; nothing is
sent to them). Each child sends back what its function returned, or the
exception it raised, pickled through a pipe. A child killed on the way (the
kernel's out-of-memory killer, a crash in a C library, ``kill -9``) or one
that outlives its time is reported as `Died`: `multiprocessing.Pool`, used
before, waited for ever for the result of a killed worker.

A child may be given bounds (``memory``: bytes it may take beyond what it
inherits; ``seconds`` in `Child.result`): untrusted code (a layout's
templates) runs in one so that a loop or a string that never ends stops with
a message instead of taking the machine.
"""
from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
import traceback
import weakref
from typing import Any, Callable, Iterable, Sequence

from .errors import KanwuError

READ = 1 << 20
"""Bytes read from a child's pipe at a time."""


class Died(Exception):
    """A child process ended without sending its result: killed by a signal, or out of time."""

    def __init__(self, reason: str, signal_number: int | None = None, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.signal_number = signal_number
        """The signal that killed it (9: ``kill -9`` or the out-of-memory killer), when one did."""
        self.timed_out = timed_out
        """True when it was stopped for taking longer than it was given."""


def _reap(owner: int, pid: int, fd: int) -> None:
    """Kill child `pid` (if it still runs), collect its exit status and close its pipe; only in the
    process that forked it (a later child inherits the object, never the duty)."""
    if os.getpid() != owner:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), None when unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory(extra: int) -> None:
    """Let this (child) process take at most `extra` bytes more address space than it has now."""
    size = _address_space()
    if size is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(fn: Callable[..., Any], args: Sequence[Any], fd: int, memory: int | None) -> None:
    """The child's whole life: run `fn`, send the outcome, exit without Python's clean-up (the parent's)."""
    status = 0
    try:
        if memory is not None:
            _limit_memory(memory)
        try:
            outcome: tuple[bool, Any, str] = (True, fn(*args), "")
        except BaseException as exc:  # noqa: BLE001 - every outcome goes to the parent, which raises it
            outcome = (False, exc, traceback.format_exc())
        try:
            data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception: say what it was
            what = outcome[1] if not outcome[0] else exc
            data = pickle.dumps((False, RuntimeError(f"{type(what).__name__}: {what}"), outcome[2]))
        _send(fd, data)
    except BaseException:  # noqa: BLE001 - the parent sees no result and reports the child as died
        status = 70
    finally:
        os._exit(status)


class Child:
    """`fn(*args)` running in a forked child; `result` waits for what it returned (or raises what it raised)."""

    def __init__(self, fn: Callable[..., Any], *args: Any, memory: int | None = None) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _child(fn, args, write, memory)
        os.close(write)
        self.pid, self.fd = pid, read
        # a child whose result is never asked for (the build failed meanwhile) is killed, not left blocked
        self._finalizer = weakref.finalize(self, _reap, os.getpid(), pid, read)

    def kill(self) -> None:
        """Stop the child (if it still runs) and release it; nothing once its result was read."""
        self._finalizer()

    def result(self, seconds: float | None = None) -> Any:
        """What the child's function returned; raises what it raised, or `Died`."""
        assert self._finalizer.alive, "a child's result is read once"
        deadline = None if seconds is None else time.monotonic() + seconds
        chunks: list[bytes] = []
        poll = select.poll()
        poll.register(self.fd, select.POLLIN)
        try:
            while True:
                wait = None if deadline is None else max(0, round((deadline - time.monotonic()) * 1000))
                if not poll.poll(wait):
                    raise Died(f"took longer than {seconds:g} s", timed_out=True)
                chunk = os.read(self.fd, READ)
                if not chunk:
                    break
                chunks.append(chunk)
            _, status = os.waitpid(self.pid, 0)
        except BaseException:
            self.kill()
            raise
        self._finalizer.detach()  # reaped: its pid may belong to another process from now on
        os.close(self.fd)
        data = b"".join(chunks)
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            raise Died(f"killed by signal {number} ({signal.Signals(number).name})", number)
        if not data:
            raise Died(f"exited with status {os.WEXITSTATUS(status)} without a result")
        ok, value, trace = pickle.loads(data)
        if ok:
            return value
        if trace and isinstance(value, BaseException):
            value.add_note(f"in a forked process:\n{trace}")
        raise value


def died(cn: str, en: str, exc: Died) -> KanwuError:
    """The error for a forked worker that died: not the input's fault, and not kanwu's
    either (the out-of-memory killer, ``kill -9``): exit 3 with what happened, never a hang."""
    return KanwuError(f"kanwu: error: {cn}的进程意外退出（{exc}），未写出任何文件；内存不够时请关闭其他程序后重试 / the process "
                      f"{en} ended unexpectedly ({exc}); nothing was written. If the machine ran out of memory, "
                      "close other programs and build again", exit_code=3)


def run_all(fn: Callable[..., Any], argsets: Iterable[Sequence[Any]], seconds: float | None = None) -> list[Any]:
    """`fn(*args)` for each of `argsets`, each in a child of its own, all at once; the results in order.
    When one fails, the others are stopped and the failure raised; all must be done within `seconds`."""
    children = [Child(fn, *args) for args in argsets]
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        return [child.result(None if deadline is None else max(0.0, deadline - time.monotonic()))
                for child in children]
    finally:
        for child in children:
            child.kill()


__all__ = ["Child", "Died", "died", "run_all"]
