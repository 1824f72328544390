"""WeasyPrint's warnings about a layout, as findings naming the layout's file and line.

WeasyPrint logs what it ignores (``Ignored `margin-top: banana` at 61:85,
invalid value.``) instead of failing; the line and column are in the CSS
kanwu generated, which no one has seen. For a declaration typed in a
template, the template file and line are found by looking for that very
declaration in the layout's templates; otherwise (a value made by a
template expression, an unknown at-rule) the layout folder is named.

The shipped layouts make WeasyPrint log nothing, so every warning here is
about an office's layout. (The proof overlay is kanwu's own HTML: it is not
rendered while these are collected.)
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterable

from ..errors import Finding, Pos
from ..userpath import LAYOUT_FOLDER, Refused, resolve_inside
from .sandbox import MAX_TEMPLATE
from .spec import Layout

_WHERE = re.compile(r" at \d+:\d+")


class Collect(logging.Handler):
    """Keeps WeasyPrint's log records of WARNING and above while it lays out a document."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        self.records.append(record)


def template_lines(layout: Layout) -> list[tuple[Path, int, str]]:
    """(file, line number, text) of every template the layout uses (a child's file hides its parent's)."""
    seen: set[str] = set()
    out: list[tuple[Path, int, str]] = []
    for folder in layout.folders:
        for path in sorted(folder.glob("*.j2")):
            if path.name in seen:
                continue
            seen.add(path.name)
            try:
                real = resolve_inside(path.name, folder.resolve(), LAYOUT_FOLDER)
                if real is None or real.stat().st_size > MAX_TEMPLATE:
                    continue
                text = real.read_text(encoding="utf-8")
            except (Refused, OSError, UnicodeDecodeError):
                continue  # the loader reports such a template when it is used
            out += [(path, n, line) for n, line in enumerate(text.splitlines(), 1)]
    return out


def _declaration(record: logging.LogRecord) -> tuple[str, str] | None:
    """(property, value) of an ``Ignored `name: value` ...`` record."""
    args = record.args if isinstance(record.args, tuple) else ()
    if str(record.msg).startswith(("Ignored `", "Deprecated `")) and len(args) >= 2:
        return str(args[0]).strip(), str(args[1]).strip()
    return None


def _find(declaration: tuple[str, str], lines: list[tuple[Path, int, str]]) -> Pos | None:
    """Where `declaration` is typed, literally, in a template."""
    name, value = declaration
    spaced = r"\s*".join(re.escape(part) for part in value.split())
    pattern = re.compile(r"(?<![\w-])" + re.escape(name) + r"\s*:\s*" + spaced + r"\s*(?:[;}\"'!]|$)")
    for path, n, line in lines:
        m = pattern.search(line)
        if m:
            return Pos(str(path), n, m.start() + 1)
    return None


def css_findings(records: Iterable[logging.LogRecord], layout: Layout, refused: Iterable[str]) -> list[Finding]:
    """One warning (``layout-css``) per distinct thing WeasyPrint ignored or could not load.

    Records about URLs the sandboxed fetcher refused are left out: each is
    already a ``refused-url`` error.
    """
    refused = [u for u in refused if u]
    lines: list[tuple[Path, int, str]] | None = None
    out: dict[tuple[Pos, str], Finding] = {}
    for record in records:
        text = _WHERE.sub("", record.getMessage()).strip()
        if any(u in text or u[:60] in text for u in refused):
            continue
        declaration = _declaration(record)
        pos = None
        if declaration is not None:
            lines = template_lines(layout) if lines is None else lines
            pos = _find(declaration, lines)
        pos = pos or Pos(str(layout.folders[0]))
        if (pos, text) in out:
            continue
        if record.levelno >= logging.ERROR:  # a picture, a stylesheet or an SVG that would not load
            message = f"版式 {layout.name} 用到的内容无法载入：{text} / WeasyPrint could not load something the layout uses: {text}"
        else:
            message = f"版式 {layout.name} 的样式有 WeasyPrint 忽略的写法：{text} / WeasyPrint ignored part of the layout's CSS: {text}"
        out[(pos, text)] = Finding("warning", "layout-css", message, pos)
    return list(out.values())
