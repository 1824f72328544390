"""Preflight: judge the made-up issue and write the report.

Findings from every stage are gathered here with what the makeup plan tells:
overset text (with what would make it fit), underfull pages, where each story
landed, the effective resolution of every placed picture. Everything is read
from the plan, known before WeasyPrint runs; nothing is parsed back out of
the rendered boxes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Finding, Pos
from .images import ImageInfo
from .layout.spec import Layout
from .makeup.plan import Plan
from .model import Issue
from .text.prepare import story_characters


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
    page_fill: list[float] = field(default_factory=list)
    """Each page's fill (0–1) as makeup measured it."""
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
            "page_fill": [round(f, 3) for f in self.page_fill],
        }
        if self.outputs:
            out["outputs"] = self.outputs
            out["sha256"], out["build"] = self.sha256, self.build
        if self.changes is not None:
            out["changes"] = self.changes
        return out


def empty_pages(issue: Issue, plan: Plan) -> list[Finding]:
    """Planned pages with no story of their own: a blank page in print."""
    out = []
    for page, planned in zip(plan.pages, issue.pages):
        if page.modules:
            continue
        name = f"“{planned.title}”" if planned.title else ""
        out.append(Finding("warning", "empty-page", f"第{page.number}版{name}没有稿件（或其稿件已排在前面），印出来是空白的一版 "
                           f"/ planned page {page.number} has no story of its own: it prints blank", planned.pos,
                           page=page.number))
    return out


def image_checks(plan: Plan, infos: dict[Path, ImageInfo], layout: Layout) -> list[Finding]:
    """Effective resolution of each placed picture against the layout's minimum."""
    minimum = float(layout.get("print.min_ppi", 300))
    out = []
    for placed in plan.pictures:
        pic = placed.picture
        if pic.src is None or pic.src not in infos or pic.ppi is None:
            continue
        name = pic.image.src_text
        if pic.ppi < minimum:
            level = "error" if pic.ppi < minimum / 2 else "warning"
            out.append(Finding(level, "low-resolution",
                               f"{name}: {pic.ppi:.0f} ppi，低于本版式要求的 {minimum:.0f} ppi / {name}: {pic.ppi:.0f} ppi at "
                               f"placed size, the layout wants {minimum:.0f}", pic.image.pos, story=placed.story,
                               page=placed.page,
                               data=(("ppi", round(pic.ppi)), ("image", name), ("min_ppi", round(minimum)))))
    return out


def story_rows(issue: Issue, plan: Plan) -> list[dict[str, Any]]:
    """The report's ``stories`` list."""
    rows = []
    for st in issue.stories:
        place = plan.story(st.id)
        pages = list(place.pages) if place else []
        rows.append({"id": st.id, "headline": st.headline.value, "page": pages[0] if pages else None,
                     "pages": pages, "characters": story_characters(st),
                     "overset_lines": place.overset_lines if place else 0,
                     "overset_characters": place.overset_characters if place else 0,
                     "jump": list(place.jump) if place and place.jump else None,
                     "planned_page": place.planned_page if place else None})
    return rows


def order(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by file position."""
    rank = {"error": 0, "warning": 1}
    return sorted(findings, key=lambda f: (rank.get(f.level, 2), f.pos or _NOWHERE))


_NOWHERE = Pos("")


def assess(issue: Issue, layout: Layout, plan: Plan, infos: dict[Path, ImageInfo], earlier: list[Finding]) -> Report:
    """The report for one made-up issue: every finding of every stage, and the stories."""
    findings = order(earlier + list(plan.findings) + empty_pages(issue, plan) + image_checks(plan, infos, layout))
    return Report(issue=issue.source_name, layout=layout.name, findings=findings, stories=story_rows(issue, plan),
                  pages=len(plan.pages), page_fill=[p.fill for p in plan.pages])
