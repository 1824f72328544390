"""Writing outputs safely: a temporary file in the same folder, then a rename.

An existing good PDF is never replaced by a half-written one, and two
builds of the same issue at once each rename a complete file into place.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import KanwuError


def ensure_dir(folder: Path) -> None:
    """Create the output folder, or fail clearly."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KanwuError(f"{folder}: error: 无法创建输出文件夹 / cannot create the output folder: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise KanwuError(f"{folder}: error: 输出文件夹不可写 / the output folder is not writable")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` all or nothing."""
    fd, tmp = -1, ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = ""
    except OSError as exc:
        raise KanwuError(f"{path}: error: 写入失败 / cannot write: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def remove_stale(path: Path) -> bool:
    """Remove an old output that no longer matches the sources; True if one was removed."""
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise KanwuError(f"{path}: error: 无法删除过期的文件 / cannot remove the stale file: {exc.strerror}") from None
