"""Progress: what a running build is doing, told to whoever runs it.

A build (`kanwu.build.build`) tells a `Progress` object when each of its
stages starts and, where it works page by page, how many pages are done. The
object decides what to do with it: this module's `Progress` ignores
everything (the default), `kanwu.cli` shows a line on a terminal, a server
could push it to a browser. Stages never print (only `kanwu.cli` does).
"""
from __future__ import annotations


class Progress:
    """Receives a build's progress and ignores it; subclasses show it."""

    def stage(self, name: str) -> None:
        """The stage `name` starts (one of `kanwu.build.STAGES`, or an importer's own)."""

    def pages(self, done: int, total: int) -> None:
        """`done` of `total` pages are through the current stage."""


NO_PROGRESS = Progress()
"""The default: nobody is told anything."""

__all__ = ["NO_PROGRESS", "Progress"]
