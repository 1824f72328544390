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
from .layout.html import PhotoBox
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
        if self.changes is not None:
            out["changes"] = self.changes
        return out


def overset(issue: Issue, placement: Placement) -> tuple[dict[str, int], list[Finding]]:
    """Lines of each story that fell beyond its planned page."""
    lines: dict[str, int] = {}
    findings = []
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
                    "error", "overset", f"正文超出版面 {n} 行（约 {chars} 字）/ {n} lines of text do not fit "
                    f"(planned page {pid[5:]})", story.pos, story=story.id, page=home[pid],
                    data=(("overset_lines", n), ("overset_characters", chars))))
    return lines, findings


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
                               data=(("ppi", round(ppi)), ("image", name))))
    return out


def story_rows(issue: Issue, placement: Placement, over: dict[str, int]) -> list[dict[str, Any]]:
    """The report's ``stories`` list."""
    rows = []
    for st in issue.stories:
        pages = sorted(placement.story_lines.get(st.id, {}))
        rows.append({"id": st.id, "headline": st.headline.value, "page": pages[0] if pages else None,
                     "pages": pages, "characters": story_characters(st), "overset_lines": over.get(st.id, 0)})
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
    findings = order(earlier + over_findings + image_checks(photos, infos, layout))
    return Report(issue=issue.source_name, layout=layout.name, findings=findings,
                  stories=story_rows(issue, placement, over), pages=placement.pages)
