"""Writing outputs safely: a temporary file in the same folder, then a rename.

An existing good PDF is never replaced by a half-written one, and two
builds of the same issue at once each rename a complete file into place.
A build killed mid-write leaves only its temporary file (``.<name>.kanwu-
<host>-<pid>-<random>.tmp``); the next build into that folder removes it
once the process that made it is gone.

A build's files are a set: `OutputSet.commit` removes the old files that
must not outlive the build (the old report, the printer's files) before it
renames anything new into place, and renames the seal (the report) last, so
even a kill between two renames never leaves files of two builds side by
side. Builds into one folder commit one at a time (`folder_lock`).
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import stat
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import KanwuError

_REASONS = {
    errno.ENOSPC: "磁盘已满 / the disk is full",
    errno.EDQUOT: "超出磁盘配额 / the disk quota is exceeded",
    errno.EACCES: "没有写入权限 / permission denied",
    errno.EPERM: "没有写入权限 / permission denied",
    errno.EROFS: "只读的磁盘 / the disk is read-only",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹 / a part of the path is a file, not a folder",
    errno.EISDIR: "同名的文件夹挡住了输出文件 / a folder is in the way of the output file",
    errno.EEXIST: "同名的文件挡住了文件夹 / a file is in the way of the folder",
}
_TEMP = re.compile(r"^\..+\.kanwu-(?P<host>[A-Za-z0-9_]*)-(?P<pid>\d+)-[^.]*\.tmp$")
STALE_AFTER = 3600.0
"""Seconds after which another machine's temporary file is considered abandoned."""


def why(exc: OSError) -> str:
    """Why an OS call failed, for a user (Chinese / English)."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40]


def ensure_dir(folder: Path) -> None:
    """Create the output folder (or fail clearly) and remove temporary files that killed builds left."""
    if folder.exists() and not folder.is_dir():
        raise KanwuError(f"{folder}: error: 已有同名文件，不是文件夹：请换一个输出文件夹（-o）/ "
                         "this is a file, not a folder: choose another output folder (-o)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KanwuError(f"{folder}: error: 无法创建输出文件夹 / cannot create the output folder: {why(exc)}") from None
    if not os.access(folder, os.W_OK):
        raise KanwuError(f"{folder}: error: 输出文件夹不可写 / the output folder is not writable")
    clean_temps(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return True


def clean_temps(folder: Path) -> list[Path]:
    """Remove temporary files of builds that are no longer running; return them."""
    removed, host, now = [], _host(), time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if m["host"] == host:
                gone = int(m["pid"]) != os.getpid() and not _alive(int(m["pid"]))
            else:
                gone = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            if gone:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _fail(path: Path, exc: OSError) -> KanwuError:
    kept = ("，原有文件未改动", ", the existing file is unchanged") if path.is_file() else ("", "")
    return KanwuError(f"{path}: error: 写入失败{kept[0]} / cannot write{kept[1]}: {why(exc)}")


def _stage(path: Path, data: bytes) -> Path:
    """Write `data` to a complete, synced temporary file beside `path`."""
    fd, tmp = -1, ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.kanwu-{_host()}-{os.getpid()}-", suffix=".tmp",
                                   dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        staged, tmp = Path(tmp), ""
        return staged
    except OSError as exc:
        raise _fail(path, exc) from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            _unlink(Path(tmp))


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class OutputSet:
    """A build's files, all or nothing: each is written to a temporary file first
    and they are renamed into place together by `commit` (a failure on the way
    leaves no temporary files)."""

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path]] = []
        self.sha256: dict[Path, str] = {}
        """Path → SHA-256 (hex) of the bytes staged for it."""

    def add(self, path: Path, data: bytes) -> Path:
        """Stage `data` for `path`; returns `path`.

        A name that is a named pipe or a device is refused, never renamed over:
        ``kanwu schema -o /dev/null`` run as root turned the machine's
        ``/dev/null`` into a regular file. (A symbolic link is replaced, not followed.)
        """
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = None
        if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
            raise KanwuError(f"{path}: error: 不是普通文件（命名管道/设备），没有改动：请另选文件名 / not a regular file "
                             "(a FIFO or device): left unchanged; choose another name")
        self.staged.append((_stage(path, data), path))
        self.sha256[path] = hashlib.sha256(data).hexdigest()
        return path

    def commit(self, withdraw: Iterable[Path] = (), seal: Path | None = None) -> list[Path]:
        """Put the set in place; returns the old files of `withdraw` that were removed.

        The folder changes in this order, each step whole (a rename or a removal):

        1. the old `seal` (the report, staged but not yet renamed) is removed,
           so no old report vouches for what follows;
        2. every file of `withdraw` is removed (the printer's files of an
           earlier build that must not sit beside files of this one);
        3. the staged files are renamed into place in the order they were
           added (over the old file where there is one), `seal` last.

        Killed between any two steps, the folder holds the old set, or files of
        one build without a report, or the new set: never a file beside another
        build's report.
        """
        removed: list[Path] = []
        try:
            folders = {path.parent for _, path in self.staged}
            with folder_lock(*folders):
                first = [path for _, path in self.staged if path == seal]
                for old in first + [p for p in withdraw if p not in first]:
                    if remove_stale(old):
                        removed.append(old)
                if removed:
                    for folder in {p.parent for p in removed}:
                        _sync_dir(folder)  # the removals reach the disk before the new files
                for tmp, path in sorted(self.staged, key=lambda tp: tp[1] == seal):
                    try:
                        os.replace(tmp, path)
                    except OSError as exc:
                        raise _fail(path, exc) from None
                for folder in folders:
                    _sync_dir(folder)
        finally:
            self.discard()
        return [p for p in removed if p != seal]

    def discard(self) -> None:
        """Remove temporary files not (yet) renamed."""
        for tmp, _ in self.staged:
            if tmp.exists():
                _unlink(tmp)
        self.staged = []

    def __enter__(self) -> "OutputSet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


@contextmanager
def folder_lock(*folders: Path) -> Iterator[None]:
    """Hold an exclusive lock on each folder (``flock`` on the folder itself, no lock file).

    Two builds into one folder then commit one after the other, so their
    renames cannot interleave; readers take no lock. Where locking is not
    available (another OS, some network file systems) it does nothing.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    fds = []
    try:
        for folder in sorted(folders):  # always in the same order: no deadlock between two builds
            try:
                fd = os.open(folder, os.O_RDONLY)
            except OSError:
                continue
            fds.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:
                pass
        yield
    finally:
        for fd in fds:
            os.close(fd)  # releases the lock


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file all or nothing."""
    with OutputSet() as out:
        out.add(path, data)
        out.commit()


def write_new_file(path: Path, data: bytes, message: str = "") -> None:
    """Write one file all or nothing, and never over an existing file (``kanwu new`` without --force).

    The complete temporary file is hard-linked to `path`, which fails when
    `path` exists, even if it appeared a moment ago; where hard links are not
    possible (some network or FAT file systems) it is renamed after a check.
    `message` says why the file was not written when it exists (by default: add --force).
    """
    exists = KanwuError(f"{path}: error: {message}" if message else f"{path}: error: 文件已存在，没有改动；要覆盖请加 "
                        "--force / the file exists and was left unchanged: add --force to replace it")
    tmp = _stage(path, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise exists from None
        except OSError:
            if path.exists():
                raise exists from None
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise _fail(path, exc) from None
        _sync_dir(path.parent)
    finally:
        _unlink(tmp)


def _sync_dir(folder: Path) -> None:
    """Make the rename durable (best effort: not every file system allows it)."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def remove_stale(path: Path) -> bool:
    """Remove an old output that no longer matches the sources; True if one was removed."""
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise KanwuError(f"{path}: error: 无法删除过期的文件 / cannot remove the stale file: {why(exc)}") from None
