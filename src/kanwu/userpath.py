"""Paths written by users, resolved inside the folder they belong to.

An issue names its bodies and pictures, a ``layout.yaml`` its colour
profile; both come from people kanwu cannot trust, so every such path is
resolved (following symbolic links) and must end up below its folder:
URLs, absolute paths (``/etc/…``, ``C:\\…``), ``../`` and links pointing out
are refused, and only a regular file is ever opened (a FIFO or a device
would block or never end).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .files import NOT_FOUND, problem


@dataclass(frozen=True)
class Folder:
    """How messages name the folder a path must stay in."""

    cn: str
    """The folder, in Chinese (期刊文件夹)."""
    en: str
    """The folder, in English (the issue's folder)."""
    base_cn: str
    """What relative paths are relative to, in Chinese (期刊文件)."""
    base_en: str
    """The same in English (the issue file)."""


ISSUE_FOLDER = Folder("期刊文件夹", "the issue's folder", "期刊文件", "the issue file")
LAYOUT_FOLDER = Folder("版式文件夹", "the layout's folder", "版式文件夹", "the layout folder")


class Refused(Exception):
    """A user path that cannot be used: `code` (a finding code) and a message for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def resolve_inside(text: str, root: Path, folder: Folder = ISSUE_FOLDER, must_exist: bool = True) -> Path | None:
    """`text` resolved below `root` (an absolute, resolved folder); `Refused` says why not.

    None for an empty path when `must_exist` is false (an image slot with
    ``src: ""`` is a placeholder, like one without ``src``).
    """
    text = text.strip()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", text):  # http:, file:, data:... (C: is a drive)
        raise Refused("remote-path", f"不允许网络地址 “{text}”：请把文件放进{folder.cn} / "
                      "URLs are not allowed: kanwu never fetches from the network")
    if not text or "\x00" in text:
        if must_exist or text:
            raise Refused("missing-file", "路径是空的或无效 / the path is empty or invalid")
        return None
    # a path typed on Windows: images\lead-1.jpg is images/lead-1.jpg; C:\... or \\server\... is absolute
    p = Path(text.replace("\\", "/"))
    if p.is_absolute() or re.match(r"^[a-zA-Z]:", text):
        raise Refused("outside-path", f"不允许绝对路径 “{text}”，请写相对于{folder.base_cn}的路径 / "
                      f"absolute paths are not allowed; write the path relative to {folder.base_en}")
    try:
        full = (root / p).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise Refused("missing-file", f"无法解析路径 “{text}”（符号链接循环？）/ the path cannot be resolved "
                      "(a symbolic link loop?)") from None
    if not full.is_relative_to(root):
        link = os.path.normpath(root / p).startswith(str(root) + os.sep)
        raise Refused("outside-path", f"路径 “{text}” 指向{folder.cn}之外{'（经由符号链接）' if link else ''} / "
                      f"the path leads outside {folder.en}{' through a symbolic link' if link else ''}")
    why = problem(full) if must_exist else None
    if why == NOT_FOUND:
        raise Refused("missing-file", f"找不到文件 “{text}” / file not found")
    if why:  # a folder or a FIFO is named as such, not "not found"
        raise Refused("not-a-file", f"“{text}”：{why}")
    return full
