"""Watch mode: rebuild an issue whenever one of its sources changes.

A resident process pays for importing WeasyPrint and loading fonts once, and
`kanwu.session` redraws only the pages an edit changed. Polling modification
times keeps it dependency-free and works on network shares where inotify
does not: between builds only the files and folders a build reads are looked
at (a few dozen ``stat`` calls every `INTERVAL`), so a save is seen at once.
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

INTERVAL = 0.1
"""Seconds between two looks at the sources' modification times."""


def sources(issue_file: Path, layout: str | None) -> set[Path]:
    """Every file a build of this issue reads (as far as it can be loaded now), and the layout and font
    folders (a file added to one changes the folder's time)."""
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
        files.add(folder)
        files.update(folder.rglob("*"))
    return files


def _stamp(files: set[Path]) -> dict[Path, tuple[int, int]]:
    out = {}
    for f in files:
        try:
            st = f.stat()
            out[f] = (st.st_mtime_ns, st.st_size)
        except OSError:
            out[f] = (-1, -1)
    return out


def watch(issue_file: Path, layout: str | None, run: Callable[[], T], interval: float = INTERVAL,
          stop: Callable[[], bool] = lambda: False) -> Iterator[T | Exception]:
    """Build now, then again after every change; yields each result, or what the build raised.

    Any failure of one build is yielded, not raised: an input error
    (`KanwuError`) or even a bug ends that build, never the watching.
    Ctrl+C (KeyboardInterrupt) still ends it.
    """
    while not stop():
        # taken before the build: a save while it runs starts the next one
        watched = sources(issue_file, layout)
        seen = _stamp(watched)
        try:
            yield run()
        except Exception as exc:  # noqa: BLE001 - reported by the caller, and the next save rebuilds
            yield exc
        # a body file or picture the issue names that does not exist yet is watched too (it is in `watched`);
        # naming a new one changes the issue file
        while not stop() and _stamp(watched) == seen:
            time.sleep(interval)
