"""A resident session: one issue built again and again, each rebuild redoing only what an edit changed.

The API `kanwu watch` uses and `kanwu serve` may rely on (kept stable)::

    from kanwu.session import PreviewsReady, Session

    session = Session("issues/x.yaml", "out")      # layout=None, then any option of kanwu.build.build
    result = session.build()                       # a kanwu.build.BuildResult, as build() returns
    result = session.build(on_previews=show)       # show(PreviewsReady) is called before the proof is made
    result = session.build(progress=progress)      # a kanwu.progress.Progress, told stages and pages
    session.changed                                # numbers of the pages the last build drew anew
    session.sources()                              # the files a build reads (what to watch)

`Session.build` writes the same files as ``kanwu build`` (report, print PDF
when there is no error, proof, previews unless ``png=False``), all or
nothing, and returns what `kanwu.build.build` returns; an input error raises
`kanwu.errors.KanwuError` as build does, and the session stays usable: the
next build after the fix is as quick as ever. ``on_previews`` receives the
preview PNG of every page (``changed`` names the ones that are new) and the
complete findings while the proof is still being made: a server can show the
new pages then, about half a second before the files are written.

What a session keeps between builds: the imported modules (WeasyPrint above
all), fonts and the font lists of the ``fonts/`` folders (read again when a
file in them changes), the converted pictures in memory, and per page (see
`kanwu.pagecache`) the drawn page, its ink, its checks and its preview,
keyed by the page's HTML and the files it may read. Every build loads the
issue and makes up all pages afresh (an edit may move any story), draws and
checks only the pages whose HTML changed, then finishes, reads back and
proofs the whole document.

One build at a time (a lock serialises them); a build forks worker processes,
so call it from the thread that started the process or from one that holds no
lock the others use. ``on_previews`` runs inside the build: what it raises
ends the build (nothing is written). A session holds about 2 MB per page of
the issue (drawn pages, previews) and the issue's converted pictures; forget
one by dropping it.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .files import version
from .pagecache import CachedStages, PageCache, PreviewsReady
from .progress import NO_PROGRESS, Progress

SPARE_PAGES = 8
"""Pages kept beyond the last build's (those of an edit undone, of the page before it moved)."""


class Session:
    """Builds one issue into one folder, keeping what does not change between builds (module docstring)."""

    def __init__(self, issue_file: str | Path, out_dir: str | Path = "out", layout: str | None = None,
                 **options: Any) -> None:
        """`options` are those of `kanwu.build.build` (``png``, ``use_cache``, ``pdfx``, ``since``...) but ``write``."""
        if "write" in options or "stages" in options or "progress" in options:
            raise TypeError("a session always writes; pass progress to build()")
        self.issue_file, self.out_dir, self.layout = Path(issue_file), Path(out_dir), layout
        self.options = options
        self.cache = PageCache()
        self.changed: list[int] = []
        """The pages the last build drew anew (all on the first build), numbered from 1."""
        self._fonts: tuple[str, ...] | None = None
        self._lock = threading.Lock()

    def build(self, progress: Progress = NO_PROGRESS,
              on_previews: Callable[[PreviewsReady], None] | None = None) -> Any:
        """Build now: the `kanwu.build.BuildResult` of `kanwu.build.build` with this session's options."""
        from . import build as orchestrator
        from . import typeset

        with self._lock:
            self._forget_changed_fonts()
            stages = CachedStages(self.cache, typeset.workers, self.options.get("png", True), on_previews)
            try:
                result = orchestrator.build(self.issue_file, self.out_dir, self.layout, progress=progress,
                                            stages=stages, **self.options)
            finally:
                self.cache.prune(max(SPARE_PAGES, len(self.cache.last)), stages.pictures)
            self.changed = stages.changed
            return result

    def sources(self) -> set[Path]:
        """Every file a build of the issue reads, as far as the issue can be loaded now."""
        from .watch import sources

        return sources(self.issue_file, self.layout)

    def _forget_changed_fonts(self) -> None:
        """Read the ``fonts/`` folders again when a file in them was added, removed or changed."""
        from . import fonts

        seen = []
        for folder in fonts.font_dirs(self.issue_file.resolve().parent):
            try:
                found = sorted(folder.iterdir())
            except OSError:  # gone since: the build says what it makes of it
                found = []
            seen += [f"{path}|{version(path)}" for path in found]
        if self._fonts is not None and tuple(seen) != self._fonts:
            fonts.forget_folders()
        self._fonts = tuple(seen)


__all__ = ["PreviewsReady", "Session"]
