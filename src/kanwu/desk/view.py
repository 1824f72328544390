"""What the desk's page shows of one build: its pages, findings with their places, stories, downloads.

Made once per build, in the process that built it, from the `BuildResult`
(its report and plan) and the files it wrote; the server hands it out as
JSON and serves no file that is not named in it (`View.files`, and the
previews a resident session has ready before it writes the files,
`View.memory`: `preview_view`).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..build import BuildResult
from ..errors import Finding
from ..makeup.plan import Plan
from ..pagecache import PreviewsReady
from ..preflight import Report
from .places import Locator, Place

DOWNLOADS = (("proof", "校样 PDF / proof"), ("print", "印刷 PDF / print"), ("report", "预检报告 JSON / report"),
             ("imposed", "拼版 PDF / imposed"), ("package", "印厂压缩包 / press zip"), ("png", "总览图 / contact sheet"))
"""Output kinds offered for download, in this order, with their labels."""


@dataclass(frozen=True)
class PageView:
    """One page preview."""

    number: int
    """The page (1-based)."""
    file: str
    """Its PNG's name in the output folder (``<stem>.page-N.png``)."""


@dataclass(frozen=True)
class View:
    """One good build as the page shows it."""

    build: str
    """The build's name (`Report.build`: a hash of the files it wrote); changes with every new output."""
    ok: bool
    """No preflight errors: the print PDF was written."""
    trim: tuple[float, float]
    """The page's trim size in pt (the previews are cropped to it)."""
    pages: tuple[PageView, ...]
    """The page previews in order."""
    findings: tuple[Finding, ...]
    """The report's findings, errors first."""
    places: tuple[Place | None, ...]
    """Where each finding sits on a page (None: on no page)."""
    stories: tuple[dict[str, Any], ...]
    """The report's stories, each with ``places``: its modules on the pages."""
    files: dict[str, Path]
    """File name → path of every file of this build the server may send: the allowlist."""
    downloads: tuple[tuple[str, str, str], ...]
    """(kind, label, file name) of the files offered for download."""
    seconds: float
    """How long the build took."""
    finished: float
    """When it finished (seconds since the epoch)."""
    memory: dict[str, bytes] = field(default_factory=dict)
    """File name → bytes of the page previews shown before the build wrote its files (`preview_view`)."""

    def url(self, name: str) -> str:
        """The address of one of this build's files (the build in the query, so a new build is fetched anew)."""
        return f"/files/{quote(name)}?b={self.build}"

    def as_json(self) -> dict[str, Any]:
        """The view for the page's script."""
        tw, th = self.trim
        return {
            "build": self.build, "ok": self.ok, "seconds": round(self.seconds, 2),
            "finished": time.strftime("%H:%M:%S", time.localtime(self.finished)),
            "trim": {"width": round(tw, 2), "height": round(th, 2)},
            "pages": [{"number": p.number, "url": self.url(p.file)} for p in self.pages],
            "findings": [finding_json(i, f, place, self.trim)
                         for i, (f, place) in enumerate(zip(self.findings, self.places))],
            "counts": {level: sum(f.level == level for f in self.findings) for level in ("error", "warning")},
            "stories": list(self.stories),
            "downloads": [{"kind": kind, "label": label, "url": self.url(name), "name": name}
                          for kind, label, name in self.downloads],
        }


def finding_json(index: int, f: Finding, place: Place | None, trim: tuple[float, float]) -> dict[str, Any]:
    """A finding as in the report, with its index (to ask for its source), where it is written and its place."""
    out: dict[str, Any] = {"index": index, **f.as_json(), "where": str(f.pos) if f.pos else ""}
    out["place"] = place.as_json(trim) if place else None
    return out


def make_view(result: BuildResult, trim: tuple[float, float], finished: float | None = None) -> View:
    """The view of a build that wrote its files (``png`` on: the page previews are among them)."""
    report = result.report
    assert result.plan is not None, "a build hands its plan over"
    files = {path.name: path for path in result.written.values()}
    report_path = result.written["report"]
    pages = _pages(report, report.pages)
    # the page previews are not in the report's outputs: they sit beside it, named after the issue
    files.update({p.file: report_path.with_name(p.file) for p in pages})
    downloads = tuple((kind, label, result.written[kind].name) for kind, label in DOWNLOADS if kind in result.written)
    places, stories = _located(report, result.plan, trim)
    return View(report.build, report.ok, trim, pages, tuple(report.findings), places, stories, files, downloads,
                sum(result.timings.values()), time.time() if finished is None else finished)


def preview_view(ready: PreviewsReady, trim: tuple[float, float], last: View, seconds: float) -> View | None:
    """The view of a build whose previews and findings are ready and whose files are not written yet (a
    resident session tells them about a quarter of a second earlier): the new pages served from memory,
    the downloads still `last`'s. None without a plan to place the findings."""
    if ready.plan is None:
        return None
    report = ready.report
    pages = _pages(report, len(ready.pages))
    memory = {p.file: png for p, png in zip(pages, ready.pages)}
    digest = hashlib.sha256()
    for png in ready.pages:
        digest.update(hashlib.sha256(png).digest())
    places, stories = _located(report, ready.plan, trim)
    files = {name: path for name, path in last.files.items() if name not in memory}
    return View(f"p{digest.hexdigest()[:20]}", report.ok, trim, pages, tuple(report.findings), places, stories,
                files, last.downloads, seconds, time.time(), memory)


def _pages(report: Report, count: int) -> tuple[PageView, ...]:
    """The previews' names (``<stem>.page-N.png``)."""
    stem = Path(report.issue).stem
    return tuple(PageView(n, f"{stem}.page-{n}.png") for n in range(1, count + 1))


def _located(report: Report, plan: Plan, trim: tuple[float, float]) -> tuple[tuple[Place | None, ...],
                                                                             tuple[dict[str, Any], ...]]:
    """Where each finding sits, and the stories' rows with their places on the pages."""
    locate = Locator(plan)
    stories = tuple({**row, "places": [p.as_json(trim) for p in locate.story(row["id"])]} for row in report.stories)
    return tuple(locate.finding(f) for f in report.findings), stories
