"""Preflight: judge the typeset result and write the report.

Findings from every stage are gathered here with what only the layout can
tell: overset text (a planned page that spilled onto another), where each
story landed, the effective resolution of every placed picture.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Finding, Pos
from .images import ImageInfo, effective_ppi
from .layout.html import PhotoBox, plan_pages
from .layout.spec import Layout
from .model import Issue
from .text.prepare import story_characters
from .wpext import Placement


@dataclass
class Report:
    """The preflight report: ``<stem>.preflight.json``."""

    issue: str
    """The issue file as named on the command line."""
    layout: str
    """The layout used."""
    findings: list[Finding]
    """Every finding, errors first."""
    stories: list[dict[str, Any]]
    """Per story: id, headline, page, characters, overset_lines."""
    pages: int = 0
    """Pages in the print PDF."""
    outputs: dict[str, str] = field(default_factory=dict)
    """What was written."""
    changes: dict[str, Any] | None = None
    """Stories changed since an earlier proof (``--since``)."""
    sha256: dict[str, str] = field(default_factory=dict)
    """Output kind (as in `outputs`) → SHA-256 of the file written: a file that differs is not this build's."""
    build: str = ""
    """This build's name: a hash of the files it wrote (16 hex digits)."""

    @property
    def ok(self) -> bool:
        """No errors: the print PDF may go to the printer."""
        return not any(f.level == "error" for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        """The JSON document of the spec."""
        out: dict[str, Any] = {
            "issue": self.issue, "ok": self.ok, "layout": self.layout, "pages": self.pages,
            "findings": [f.as_json() for f in self.findings], "stories": self.stories,
            "counts": {lvl: sum(f.level == lvl for f in self.findings) for lvl in ("error", "warning")},
        }
        if self.outputs:
            out["outputs"] = self.outputs
            out["sha256"], out["build"] = self.sha256, self.build
        if self.changes is not None:
            out["changes"] = self.changes
        return out


def overset(issue: Issue, placement: Placement) -> tuple[dict[str, int], list[Finding]]:
    """Lines of each story that fell beyond its planned page.

    Without a page plan (no ``pages:``) stories flow from page to page, as
    the spec says, and nothing can be overset.
    """
    lines: dict[str, int] = {}
    findings = []
    if not issue.pages:
        return lines, findings
    home = {sid: pages[0] for sid, pages in placement.section_pages.items() if pages}
    for pid, pages in placement.section_pages.items():
        if len(pages) < 2:
            continue
        spill = set(pages[1:])
        for story in issue.stories:
            n = sum(c for p, c in placement.story_lines.get(story.id, {}).items() if p in spill)
            if n:
                chars = sum(c for p, c in placement.story_chars.get(story.id, {}).items() if p in spill)
                lines[story.id] = n
                findings.append(Finding(
                    "error", "overset", f"稿件 {story.id} 正文超出版面 {n} 行（约 {chars} 字）/ story {story.id}: "
                    f"{n} lines ({chars} characters) do not fit (planned page {pid[5:]})", story.pos,
                    story=story.id, page=home[pid],
                    data=(("overset_lines", n), ("overset_characters", chars))))
    return lines, findings


def empty_pages(issue: Issue, placement: Placement) -> list[Finding]:
    """Planned pages the layout sets as pages (``page-N``) with no story of their own: a blank page
    in print (every story listed there is set on an earlier page, or none is listed)."""
    out = []
    for plan, page in zip(plan_pages(issue), issue.pages):
        pid = f"page-{plan.number}"
        if plan.stories or pid not in placement.section_pages:
            continue
        name = f"“{plan.title}”" if plan.title else ""
        out.append(Finding("warning", "empty-page", f"第{plan.number}版{name}没有稿件（或其稿件已排在前面），印出来是空白的一版 "
                           f"/ planned page {plan.number} has no story of its own: it prints blank", page.pos,
                           page=placement.section_pages[pid][0]))
    return out


def underset(issue: Issue, layout: Layout, placement: Placement) -> dict[str, tuple[int, int]]:
    """Body lines (and about how many characters) still free on each planned page that fits.

    Counted for the page's last story: the free height at the bottom of the
    type area in body lines, times the columns that story spans.
    """
    out: dict[str, tuple[int, int]] = {}
    _, column, gutter = layout.grid()
    per_line = max(1, int(column // layout.body_size))
    for pid, pages in placement.section_pages.items():
        if len(pages) != 1 or pid not in placement.content_bottoms or pages[0] not in placement.page_areas:
            continue
        _, top, _, height = placement.page_areas[pages[0]]
        lines = int(max(0.0, top + height - placement.content_bottoms[pid]) // layout.leading)
        last = max(((frags[-1][2] + frags[-1][4], sid[6:], frags[-1][3]) for sid, frags in placement.boxes.items()
                    if sid.startswith("story-") and frags and frags[-1][0] == pages[0]), default=None)
        if last is None or lines <= 0:
            continue
        columns = max(1, round((last[2] + gutter) / (column + gutter)))
        out[last[1]] = (lines * columns, lines * columns * per_line)
    return out


def image_checks(photos: list[PhotoBox], infos: dict[Path, ImageInfo], layout: Layout) -> list[Finding]:
    """Effective resolution of each placed picture against the layout's minimum."""
    minimum = float(layout.get("print.min_ppi", 300))
    out = []
    for box in photos:
        info = infos.get(box.image.src) if box.image.src else None
        if info is None or box.uri is None:
            continue
        ppi = effective_ppi(info, box.width, box.height)
        name = box.image.src_text
        if ppi < minimum:
            level = "error" if ppi < minimum / 2 else "warning"
            out.append(Finding(level, "low-resolution",
                               f"{name}: {ppi:.0f} ppi，低于本版式要求的 {minimum:.0f} ppi / {name}: {ppi:.0f} ppi at "
                               f"placed size, the layout wants {minimum:.0f}", box.image.pos, story=box.story,
                               data=(("ppi", round(ppi)), ("image", name), ("min_ppi", round(minimum)))))
    return out


def story_rows(issue: Issue, placement: Placement, over: dict[str, int],
               over_chars: dict[str, int] | None = None,
               under: dict[str, tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """The report's ``stories`` list (underset: lines still free after the page's last story)."""
    rows = []
    for st in issue.stories:
        pages = sorted(placement.story_lines.get(st.id, {}))
        free = (under or {}).get(st.id, (0, 0))
        rows.append({"id": st.id, "headline": st.headline.value, "page": pages[0] if pages else None,
                     "pages": pages, "characters": story_characters(st), "overset_lines": over.get(st.id, 0),
                     "overset_characters": (over_chars or {}).get(st.id, 0),
                     "underset_lines": free[0], "underset_characters": free[1]})
    return rows


def order(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by file position."""
    rank = {"error": 0, "warning": 1}
    return sorted(findings, key=lambda f: (rank.get(f.level, 2), f.pos or _NOWHERE))


_NOWHERE = Pos("")


def assess(issue: Issue, layout: Layout, placement: Placement, photos: list[PhotoBox],
           infos: dict[Path, ImageInfo], earlier: list[Finding]) -> Report:
    """The report for one typeset issue: every finding of every stage, and the stories."""
    over, over_findings = overset(issue, placement)
    over_chars = {f.story: int(dict(f.data).get("overset_characters", 0)) for f in over_findings if f.story}
    findings = order(earlier + over_findings + empty_pages(issue, placement) + image_checks(photos, infos, layout))
    return Report(issue=issue.source_name, layout=layout.name, findings=findings,
                  stories=story_rows(issue, placement, over, over_chars, underset(issue, layout, placement)),
                  pages=placement.pages)
