"""The source lines a finding names, read from the issue's own files only.

A finding's file is named as the user named it (relative to where kanwu was
started); the desk shows it only when it resolves inside the issue's folder
(`kanwu.userpath.resolve_inside`: no ``../``, no symbolic link out, a regular
file) and reads it as every source is read (`kanwu.sources.read_source`:
bounded, never by guessing the encoding). A finding in a layout's template or
a font is not shown: those files are not the editor's.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FATAL, Finding, KanwuError, Pos
from ..sources import read_source
from ..userpath import Refused, resolve_inside

AROUND = 4
"""Lines shown before and after the finding's line."""


@dataclass(frozen=True)
class Excerpt:
    """Some lines of a source file around a finding."""

    file: str
    """The file as the finding names it."""
    line: int
    """The finding's line (1-based)."""
    column: int
    """The finding's column (1-based; 0 unknown)."""
    first: int
    """The number of the first line shown."""
    lines: tuple[str, ...]
    """The lines shown."""

    def as_json(self) -> dict[str, Any]:
        """The excerpt for the page's script."""
        return {"file": self.file, "line": self.line, "column": self.column,
                "lines": [{"number": self.first + i, "text": t} for i, t in enumerate(self.lines)]}


_WRITTEN = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+)(?::(?P<col>\d+))?: (?:error|warning): ")
"""The position at the start of a preformatted message (``file:line:col: error: ...``)."""


def position(f: Finding) -> Pos | None:
    """Where `f` is: its position, or the one its preformatted message starts with (a YAML syntax error)."""
    if f.pos is not None or f.code != FATAL:
        return f.pos
    m = _WRITTEN.match(f.message)
    return Pos(m["file"], int(m["line"]), int(m["col"] or 0)) if m else None


class NotShown(Exception):
    """The finding's source cannot be shown; the message says why (Chinese / English)."""


def excerpt(pos: Pos, root: Path, cwd: Path, around: int = AROUND) -> Excerpt:
    """The lines around `pos` in its file, which must be inside `root` (the issue's folder, resolved);
    `pos.file` is relative to `cwd`, where kanwu was started. `NotShown` says why not."""
    if not pos.file or not pos.line:
        raise NotShown("这条问题没有行号 / this finding names no line")
    relative = os.path.relpath(cwd / pos.file, root)
    try:
        path = resolve_inside(relative, root)
    except Refused as exc:
        raise NotShown(f"{pos.file}: 不是期刊文件夹里的文件，不显示 / not a file of the issue's folder: "
                       f"{exc.message}") from None
    assert path is not None
    try:
        text = read_source(path, pos.file)
    except KanwuError as exc:
        raise NotShown(str(exc)) from None
    lines = text.split("\n")
    first = max(1, pos.line - around)
    last = min(len(lines), pos.line + around)
    return Excerpt(pos.file, pos.line, pos.col, first, tuple(lines[first - 1:last]))
