"""Reading input files: only regular files, and never more than a limit.

Every file kanwu reads for a user (the issue file, body files, pictures,
fonts in ``fonts/``, an earlier proof given to ``--since``, files the
layout's CSS names) goes through `problem` and `read_bytes`, so a folder, a
named pipe (FIFO), a device such as ``/dev/zero`` or a huge file is refused
with a message saying what it is, instead of blocking forever, filling the
memory or being called "not found".
"""
from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from .errors import KanwuError

MAX_FONT_BYTES = 256_000_000
"""Font files over this are refused (the largest CJK collections, all weights in one file, are ~130 MB)."""
NOT_FOUND = "找不到文件 / file not found"
FOLDER = "这是文件夹，不是文件 / this is a folder, not a file"
NOT_REGULAR = "不是普通文件（命名管道/设备）/ not a regular file (a FIFO or device)"
# opening a FIFO for reading blocks until a writer appears; with O_NONBLOCK it returns at once
SURROGATE = re.compile("[\ud800-\udfff]")
"""A UTF-16 surrogate: never a character on its own (a bad escape, or a name that is not UTF-8)."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class Unreadable(KanwuError):
    """A file that cannot be read as input; `why` is the reason without the file name,
    for callers that report it as a finding on the line that names the file."""

    def __init__(self, shown: str, why: str) -> None:
        super().__init__(f"{shown}: error: {why}")
        self.why = why


def version(path: Path) -> str:
    """What changes when a file is edited or replaced (size, modification time, inode), as text for a
    cache key; "missing" when it cannot be looked at."""
    try:
        st = path.stat()
    except OSError:
        return "missing"
    return f"{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"


def utf8_name(path: Path, shown: str) -> None:
    """Refuse a path whose name (or a folder above it) is not UTF-8, before anything is read or written.

    Linux hands such names to Python as lone surrogates (U+DC80–U+DCFF), which
    no report, PDF or proof can hold: a zip made on a Chinese Windows and
    unpacked on Linux keeps its GBK file names.
    """
    try:
        names = (str(path), str(Path(path).resolve()))
    except (OSError, RuntimeError):
        names = (str(path),)
    if any(SURROGATE.search(n) for n in names):
        safe = shown.encode("utf-8", "backslashreplace").decode("utf-8")
        raise KanwuError(f"{safe}: error: 文件名或文件夹名不是 UTF-8 编码（可能是从 GBK 压缩包解出的），请重命名 / "
                         "the file or folder name is not valid UTF-8 (unpacked from a GBK zip?): rename it")


def too_large_message(limit: int) -> str:
    """The default message for a file over `limit` bytes."""
    return (f"文件太大（超过 {limit / 1_000_000:g} MB）/ the file is too large "
            f"(the limit is {limit:,} bytes)")


def _judge(st: os.stat_result, limit: int | None, too_large: str) -> str | None:
    if stat.S_ISDIR(st.st_mode):
        return FOLDER
    if not stat.S_ISREG(st.st_mode):
        return NOT_REGULAR
    if limit is not None and st.st_size > limit:
        return too_large or too_large_message(limit)
    return None


def problem(path: Path, limit: int | None = None, too_large: str = "") -> str | None:
    """Why `path` cannot be read as an input file, or None for a regular file of at most `limit` bytes.

    Symbolic links are followed (``stat``, not ``lstat``): a link to a
    regular file is that file, a link to ``/dev/zero`` is a device.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return NOT_FOUND
    except NotADirectoryError:  # `a.md/b` where a.md is a file
        return NOT_FOUND
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "无法读取（符号链接循环？）/ cannot read (a symbolic link loop?)"
        return f"无法读取 / cannot read: {exc.strerror or exc}"
    except ValueError:  # a NUL byte in the path
        return NOT_FOUND
    return _judge(st, limit, too_large)


def read_bytes(path: Path, shown: str, limit: int, too_large: str = "") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `Unreadable` (exit 2) otherwise.

    The file is checked before it is opened (a device is never opened), opened
    without blocking and checked again on the open descriptor (it may have
    been replaced meanwhile), then at most ``limit + 1`` bytes are read (a
    file that grows while it is read is still bounded).
    """
    why = problem(path, limit, too_large)
    if why:
        raise Unreadable(shown, why)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise Unreadable(shown, f"无法读取 / cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        why = _judge(os.fstat(fd), limit, too_large)
        if why:
            raise Unreadable(shown, why)
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise Unreadable(shown, f"无法读取 / cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise Unreadable(shown, too_large or too_large_message(limit))
    return data
