"""Makeup's ends: stories prepared for the builders, and the builders' pages assembled into the `Plan`.

Before: every story's body is measured, its pictures' shapes read, its
``place`` hints checked (a hint that cannot be honoured is a warning naming
it). After: pages get their fixed blocks (masthead, distribution), their fill
is measured as a reader sees it (how far down each column the page is set),
every story's pages, overset and jump are collected, and what makeup found
becomes findings — an overset story with what would make it fit, an underfull
page with what would fill it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..errors import Finding, Pos
from ..images import ImageInfo
from ..layout.spec import Layout
from ..model import Issue
from .grid import Grid, MakeupSettings
from .measure import Measurer, body_of
from .paginate import PageResult, Prepared
from .pictures import slots_of
from .place import place_tree
from .plan import Block, Module, PagePlan, PlacedPicture, Plan, Rect, StoryPlace, box_of


def _int_hint(place: Mapping[str, object], key: str) -> int | None:
    value = place.get(key) if isinstance(place, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def position_hint(place: Mapping[str, object]) -> str:
    """``top`` or ``bottom`` from ``place: {position: top}`` (or ``{top: true}``, ``{bottom: true}``), else ``""``."""
    if not isinstance(place, Mapping):
        return ""
    value = str(place.get("position", "")).strip().lower()
    if value in ("top", "顶", "上"):
        return "top"
    if value in ("bottom", "底", "下"):
        return "bottom"
    return "top" if place.get("top") is True else "bottom" if place.get("bottom") is True else ""


def prepare_stories(issue: Issue, measurer: Measurer, images: Mapping[Path, ImageInfo], grid: Grid,
                    settings: MakeupSettings) -> tuple[dict[str, Prepared], list[Finding]]:
    """Every story measured, with its allowed spans; findings for hints that cannot be honoured."""
    out: dict[str, Prepared] = {}
    findings: list[Finding] = []
    for story in issue.stories:
        blocks = tuple(measurer.body(story))
        slots = slots_of(story, images, settings)
        wanted = _int_hint(story.place, "columns")
        widest = max((s.columns or 1 for s in slots), default=1)
        if wanted is not None:
            if not 1 <= wanted <= grid.columns:
                findings.append(Finding("warning", "place-ignored", f"place.columns: {wanted} 超出本版式的 "
                                        f"{grid.columns} 栏，按 {max(1, min(grid.columns, wanted))} 栏排 / the layout "
                                        f"has {grid.columns} columns", story.pos, story=story.id))
            spans: tuple[int, ...] = (max(1, min(grid.columns, wanted)),)
        else:
            spans = tuple(range(min(widest, grid.columns), grid.columns + 1))
        # a flowing layout measures pictures in parts of the measure (photos.columns), not in columns
        room = settings.photo_columns if settings.builder == "flow" else max(spans)
        for s in slots:
            if s.columns and s.columns > room:
                findings.append(Finding("warning", "place-ignored", f"图片 place.columns: {s.columns} 宽于稿件的 "
                                        f"{room} 栏，按稿件宽度排 / the picture is wider than its story: set at "
                                        f"{room} columns", s.image.pos, story=story.id))
        out[story.id] = Prepared(story, blocks, body_of(list(blocks), settings.keep_lines), slots, spans,
                                 wanted is not None and spans[0] < grid.columns,
                                 story.place.get("jump", True) not in (False, "false", "no", "否"),
                                 _int_hint(story.place, "page"), position_hint(story.place))
    return out, findings


def planned_pages(issue: Issue) -> list[tuple[str, list[str]]] | None:
    """The editors' page plan as (title, story ids); stories on no page follow on the last one,
    a story named twice is set on the first page naming it. None without a plan."""
    if not issue.pages:
        return None
    seen: set[str] = set()
    pages: list[tuple[str, list[str]]] = []
    for page in issue.pages:
        ids = [s for s in dict.fromkeys(page.stories) if s not in seen]
        seen.update(ids)
        pages.append((page.title, ids))
    pages[-1][1].extend(s.id for s in issue.stories if s.id not in seen)
    return pages


@dataclass
class PlacedPage:
    """A page as a builder placed it."""

    number: int
    title: str
    top: int
    modules: list[Module]
    rules: list[Block]
    overset: dict[str, tuple[int, int]] = field(default_factory=dict)
    jumps: dict[str, int] = field(default_factory=dict)
    fixed: list[Block] = field(default_factory=list)


def placed_modular(results: list[PageResult], grid: Grid, settings: MakeupSettings, rules: bool) -> list[PlacedPage]:
    """The modular builder's solved pages, placed."""
    out = []
    for r in results:
        modules, lines = place_tree(r.layout, r.pieces, grid, r.top, settings.module_gap, rules) \
            if r.layout is not None else ([], [])
        out.append(PlacedPage(r.number, r.title, r.top, modules, lines, r.overset, r.jumps))
    return out


def column_fill(page: PlacedPage, grid: Grid) -> float:
    """How far down its columns the page is set (0–1), below the masthead: what a reader sees as full."""
    bottoms = [page.top] * grid.columns
    for block in [*page.fixed, *(b for m in page.modules for b in m.blocks)]:
        if block.kind == "rule" or block.kind == "masthead":
            continue
        for c in range(block.rect.col, min(grid.columns, block.rect.right)):
            bottoms[c] = max(bottoms[c], block.rect.bottom)
    area = grid.columns * (grid.lines - page.top)
    return sum(b - page.top for b in bottoms) / area if area else 1.0


def assemble(issue: Issue, pages: list[PageResult] | list[PlacedPage], grid: Grid, settings: MakeupSettings,
             layout: Layout, findings: list[Finding], flow: bool = False) -> Plan:
    """The plan of the issue."""
    placed = pages if flow else placed_modular(pages, grid, settings, bool(layout.get("grid.rules", False)))
    plan_pages: list[PagePlan] = []
    for i, p in enumerate(placed):
        fixed = list(p.fixed)
        if i == 0 and settings.masthead_lines and not flow:
            rect = Rect(0, 0, grid.columns, settings.masthead_lines)
            fixed.insert(0, Block("masthead", rect, box_of(rect, grid)))
        p.fixed = fixed
        plan_pages.append(PagePlan(p.number, p.title, tuple(p.modules), tuple(fixed + p.rules),
                                   grid.lines - p.top, p.top, column_fill(p, grid), last=i == len(placed) - 1))
    stories = _story_places(issue, placed, planned_pages(issue))
    findings = list(findings) + _overset_findings(issue, placed, grid) + _fill_findings(
        issue, plan_pages, grid, settings, flow) + hint_findings(issue, placed, flow)
    pictures = tuple(PlacedPicture(b.story or "", pg.number, b.picture) for pg in plan_pages for b in pg.blocks()
                     if b.picture is not None)
    return Plan(grid, settings, tuple(plan_pages), stories, tuple(findings), pictures)


def _story_places(issue: Issue, placed: list[PlacedPage], planned: list[tuple[str, list[str]]] | None
                  ) -> tuple[StoryPlace, ...]:
    home = {sid: n for n, (_, ids) in enumerate(planned or [], 1) for sid in ids}
    out = []
    for story in issue.stories:
        pages, chars, lines = [], [], 0
        for p in placed:
            here = [m for m in p.modules if m.story == story.id]
            if not here:
                continue
            pages.append(p.number)
            n = sum(len(s.text) for m in here for b in m.blocks for piece in b.pieces if piece.kind != "jump"
                    for line in piece.lines for s in line.segments)
            lines += sum(piece.height for m in here for b in m.blocks for piece in b.pieces)
            chars.append((p.number, n))
        over = [p.overset[story.id] for p in placed if story.id in p.overset]
        jump = next(((p.number, p.jumps[story.id]) for p in placed if story.id in p.jumps), None)
        out.append(StoryPlace(story.id, tuple(pages), lines, tuple(chars), sum(o[0] for o in over),
                              sum(o[1] for o in over), jump, home.get(story.id)))
    return tuple(out)


def hint_findings(issue: Issue, placed: list[PlacedPage], flow: bool) -> list[Finding]:
    """``place.page`` and ``place.position`` hints that the page plan or the page could not honour."""
    planned = {sid: n for n, (_, ids) in enumerate(planned_pages(issue) or [], 1) for sid in ids}
    out = []
    for story in issue.stories:
        page, position = _int_hint(story.place, "page"), position_hint(story.place)
        where = next((p for p in placed for m in p.modules if m.story == story.id), None)
        if page is not None and where is not None and where.number != page:
            why = ("简报的页数随内容排，不能指定版面 / a bulletin runs from page to page" if flow else
                   f"版面安排 pages: 把它排在第{planned[story.id]}版 / the page plan puts it on page {planned[story.id]}"
                   if story.id in planned else "前面的稿件已排满 / the pages before it are full")
            out.append(Finding("warning", "place-ignored", f"place.page: {page} 未能照办，稿件排在第{where.number}版：{why}",
                               story.pos, story=story.id, page=where.number))
        if position and where is not None:
            mine = [m for m in where.modules if m.story == story.id][0]
            others = [m for m in where.modules if m.story != story.id]
            ok = all(mine.rect.line <= m.rect.line for m in others) if position == "top" else \
                all(mine.rect.bottom >= m.rect.bottom for m in others)
            if not ok or flow:
                out.append(Finding("warning", "place-ignored", f"place.position: {position} 未能照办 / the story could not "
                                   f"be set at the {position} of page {where.number}", story.pos, story=story.id,
                                   page=where.number))
    return out


def _overset_findings(issue: Issue, placed: list[PlacedPage], grid: Grid) -> list[Finding]:
    out = []
    for p in placed:
        for sid, (lines, chars) in p.overset.items():
            story = issue.story(sid)
            pics = [im for im in story.images]
            advice = f"删去约 {int(chars * 1.1) + 1} 字" if chars else "缩短稿件"
            picture = ""
            if pics:
                picture = f"，或缩小、删去图片“{pics[-1].caption.value if pics[-1].caption else pics[-1].src_text}”"
            out.append(Finding(
                "error", "overset",
                f"稿件 {sid} 超出版面 {lines} 行（约 {chars} 字），第{p.number}版排不下：{advice}{picture}即可排入 / "
                f"story {sid} does not fit on page {p.number}: {lines} lines (about {chars} characters) over; cut "
                f"about {int(chars * 1.1) + 1} characters" + (" or shrink or drop a picture" if pics else ""),
                story.pos, story=sid, page=p.number,
                data=(("overset_lines", lines), ("overset_characters", chars),
                      ("cut_characters", int(chars * 1.1) + 1))))
    return out


def _fill_findings(issue: Issue, pages: list[PagePlan], grid: Grid, settings: MakeupSettings,
                   flow: bool) -> list[Finding]:
    out = []
    for page in pages:
        if flow and page.last:
            continue
        if page.fill >= settings.min_fill:
            continue
        free = round((1 - page.fill) * (grid.lines - page.top) * grid.columns)
        chars = free * grid.chars_per_line
        where = issue.pages[page.number - 1].pos if issue.pages and page.number <= len(issue.pages) else \
            Pos(issue.source_name)
        out.append(Finding(
            "warning", "underfull-page",
            f"第{page.number}版只排满 {page.fill:.0%}：还空约 {free} 行（约 {chars} 字），可加稿件或图片 / "
            f"page {page.number} is {page.fill:.0%} full: about {free} lines ({chars} characters) or a picture "
            "would fill it", where, page=page.number,
            data=(("fill", round(page.fill, 3)), ("free_lines", free), ("free_characters", chars))))
    return out
