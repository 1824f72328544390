"""Writing an imported story: the photos and the body under the issue's folder, never over a file.

Names are chosen free (``images/<id>-1.jpg``, ``text/<id>.md``; the next
number when one is taken) and each file is created whole or not at all,
without ever replacing an existing one; the ``images/`` and ``text/``
folders must lie inside the issue's folder (a symbolic link pointing out is
refused). `Written.rollback` removes what an import created when a later
step fails.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KanwuError
from ..output import why, write_new_file

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}
"""File name extension by Pillow's format name."""


@dataclass
class Written:
    """What an import created so far, so that a failure later can take it back."""

    files: list[Path] = field(default_factory=list)
    """Files created, in order."""
    folders: list[Path] = field(default_factory=list)
    """Folders created (removed again when empty)."""

    def rollback(self) -> None:
        """Remove the files and the (then empty) folders this import created."""
        for path in reversed(self.files):
            try:
                path.unlink()
            except OSError:
                pass
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except OSError:
                pass
        self.files.clear()
        self.folders.clear()


def subfolder(root: Path, name: str, written: Written) -> Path:
    """``root/name`` as a folder inside `root` (created when missing); `KanwuError` when it leads out or is a file."""
    path = root / name
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        resolved = path
    if not resolved.is_relative_to(root.resolve()):
        raise KanwuError(f"{path}: error: 文件夹 “{name}” 是指向期刊文件夹之外的链接，导入的文件不能写到那里 / the folder "
                         f"`{name}` is a link leading outside the issue's folder: nothing is written there")
    if path.exists() and not path.is_dir():
        raise KanwuError(f"{path}: error: 这是文件，不是文件夹：请改名或移走 / this is a file, not a folder: rename or move it")
    if not path.exists():
        try:
            path.mkdir()
        except OSError as exc:
            raise KanwuError(f"{path}: error: 无法创建文件夹 / cannot create the folder: {why(exc)}") from None
        written.folders.append(path)
    return path


def free_name(folder: Path, stem: str, ext: str, first: int | None = None) -> Path:
    """``folder/stem.ext`` (or ``stem-<first>.ext``), with the next number when that name is taken."""
    n = first
    while True:
        name = f"{stem}.{ext}" if n is None else f"{stem}-{n}.{ext}"
        if not os.path.lexists(folder / name):
            return folder / name
        n = 2 if n is None else n + 1


def create(path: Path, data: bytes, written: Written) -> Path:
    """Create `path` with `data`; a file that appeared meanwhile is never replaced."""
    write_new_file(path, data, "文件已存在，没有覆盖 / the file exists and was not replaced")
    written.files.append(path)
    return path
