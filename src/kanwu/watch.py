"""Watch mode: rebuild an issue whenever one of its sources changes.

A resident process pays for importing WeasyPrint and loading fonts once;
later builds take only the layout and writing (about half a cold build).
Polling modification times keeps it dependency-free and works on network
shares where inotify does not.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from .errors import KanwuError
from .fonts import font_dirs
from .layout.spec import load_layout
from .load import load_issue

T = TypeVar("T")


def sources(issue_file: Path, layout: str | None) -> set[Path]:
    """Every file a build of this issue reads (as far as it can be loaded now)."""
    files = {issue_file.resolve()}
    try:
        issue = load_issue(issue_file, layout)
    except Exception:  # noqa: BLE001 - an input error (or a bug) is the build's to report; the file is watched
        return files
    for story in issue.stories:
        if story.body is not None:  # a body_file's positions name that file
            files.add(Path(story.body.pos.file).resolve())
        files.update(im.src for im in story.images if im.src is not None)
    folders = list(font_dirs(issue.root))
    try:
        folders += list(load_layout(issue.layout, issue.root).folders) if issue.layout else []
    except KanwuError:
        pass
    for folder in folders:
        files.update(p for p in folder.rglob("*") if p.is_file())
    return files


def _stamp(files: set[Path]) -> dict[Path, float]:
    out = {}
    for f in files:
        try:
            out[f] = f.stat().st_mtime
        except OSError:
            out[f] = -1.0
    return out


def watch(issue_file: Path, layout: str | None, run: Callable[[], T], interval: float = 0.5,
          stop: Callable[[], bool] = lambda: False) -> Iterator[T | Exception]:
    """Build now, then again after every change; yields each result, or what the build raised.

    Any failure of one build is yielded, not raised: an input error
    (`KanwuError`) or even a bug ends that build, never the watching.
    Ctrl+C (KeyboardInterrupt) still ends it.
    """
    while not stop():
        seen = _stamp(sources(issue_file, layout))
        try:
            yield run()
        except Exception as exc:  # noqa: BLE001 - reported by the caller, and the next save rebuilds
            yield exc
        # a new body file or picture named in the issue counts as a change too
        while not stop() and _stamp(sources(issue_file, layout)) == seen:
            time.sleep(interval)
