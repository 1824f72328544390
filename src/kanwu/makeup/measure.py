"""Makeup, phase 1: measure. A story's body, heads and captions as the composer sets them.

The body is composed once, at the grid's column width (every column of every
span is that wide), into `BodyBlock`s of grid lines; `StoryBody` cuts them
into the units page makeup may break between, each break with its penalty
(a subhead never ends a column, no widow or orphan, a byline stays with its
text). Heads are measured per width and size on demand, captions per
picture width: the composer's exact line counts are what every choice of
the next phase is made from.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate

from ..errors import Pos
from ..layout.spec import Layout
from ..model import Block, Image, Inline, Story
from ..rounds import block_key
from ..text.compose import Line, Run
from ..text.setter import KAI_ROLES, TextSetter
from ..units import MM
from .grid import Grid, MakeupSettings
from .plan import Head

FORBIDDEN = math.inf
WIDOW = 5000.0
"""A paragraph's last line alone at the top of a column or page."""
ORPHAN = 1000.0
"""A paragraph's first line alone at the foot of a column or page."""
KEEP = 60.0
"""A break closer than `MakeupSettings.keep_lines` after a subhead."""
LONE_BYLINE = 300.0
"""The byline alone at the top of a column."""


@dataclass(frozen=True)
class BodyBlock:
    """One body block composed into grid lines."""

    kind: str
    """``p``, ``li``, ``quote``, ``lead``, ``sub``, ``byline``, ``jump``."""
    key: str
    """The block's key (`rounds.block_key`): the proof's change bars find it by it."""
    lines: tuple[Line, ...]
    """The composed lines."""
    pos: Pos | None
    """Where the block is in the source."""

    @property
    def height(self) -> int:
        """Grid lines: one per line; a subhead has half a line of air above and below."""
        return len(self.lines) + (1 if self.kind == "sub" else 0)

    @property
    def characters(self) -> int:
        """Characters printed (for overset counts)."""
        return sum(len(s.text) for line in self.lines for s in line.segments)


@dataclass(frozen=True)
class Unit:
    """The smallest thing a column or page holds: a body line, or a whole subhead."""

    block: int
    """Index of its `BodyBlock`."""
    start: int
    """First line of the block in the unit."""
    count: int
    """Lines of the block in the unit."""
    height: int
    """Grid lines it takes."""


@dataclass(frozen=True)
class StoryBody:
    """A story's body as units, with the penalty of a break before each unit."""

    blocks: tuple[BodyBlock, ...]
    """The composed blocks, in order."""
    units: tuple[Unit, ...]
    """The units, in order."""
    penalty: tuple[float, ...]
    """``penalty[i]``: cost of a column or page break before unit ``i`` (``len(units) + 1`` entries;
    `FORBIDDEN` where a break may not fall)."""
    heights: tuple[int, ...]
    """Prefix sums of the units' heights (``len(units) + 1`` entries)."""
    chars: tuple[int, ...]
    """Prefix sums of the units' characters."""

    @property
    def lines(self) -> int:
        """Grid lines of the whole body."""
        return self.heights[-1]

    def height(self, a: int, b: int) -> int:
        """Grid lines of units ``a``..``b-1``."""
        return self.heights[b] - self.heights[a]


def _bold_lead(block: BodyBlock, line: int) -> bool:
    """Whether lines 0..`line` of a paragraph are all in bold: its run-in heading (``**一是……。**``)."""
    if block.kind not in ("p", "li", "quote") or line >= len(block.lines):
        return False
    segments = [s for ln in block.lines[:line + 1] for s in ln.segments if s.text.strip()]
    return bool(segments) and all("strong" in s.style.split() for s in segments)


def body_of(blocks: list[BodyBlock], keep_lines: int) -> StoryBody:
    """Cut blocks into units and price every break."""
    units: list[Unit] = []
    for i, b in enumerate(blocks):
        if b.kind == "sub":
            units.append(Unit(i, 0, len(b.lines), b.height))
        else:
            units += [Unit(i, k, 1, 1) for k in range(len(b.lines))]
    penalty = [0.0] * (len(units) + 1)
    since_sub = keep_lines + 1
    for i in range(1, len(units)):
        prev, cur = units[i - 1], units[i]
        pb, cb = blocks[prev.block], blocks[cur.block]
        since_sub = 0 if pb.kind == "sub" else since_sub + prev.height
        p = 0.0
        if pb.kind == "sub" or cb.kind == "jump" and cb.key.startswith("out") or pb.kind == "jump" \
                and pb.key.startswith("in"):
            p = FORBIDDEN            # a heading never ends a column; jump lines stay with their text
        elif since_sub < keep_lines:
            p = KEEP
        if _bold_lead(pb, prev.start):
            p = FORBIDDEN            # a bold run-in (**一是……。**) reads as a heading: never ends a column
        if prev.block == cur.block and pb.kind != "sub":
            n = len(pb.lines)
            if cur.start == n - 1:
                p = max(p, WIDOW)
            if prev.start == 0:
                p = max(p, ORPHAN)
        if cb.kind == "byline" and cur.start == 0:
            p = max(p, LONE_BYLINE)
        penalty[i] = p
    heights = tuple(accumulate((u.height for u in units), initial=0))
    chars = tuple(accumulate((_unit_chars(blocks, u) for u in units), initial=0))
    return StoryBody(tuple(blocks), tuple(units), tuple(penalty), heights, chars)


def _unit_chars(blocks: list[BodyBlock] | tuple[BodyBlock, ...], u: Unit) -> int:
    return sum(len(s.text) for line in blocks[u.block].lines[u.start:u.start + u.count] for s in line.segments)


@dataclass(frozen=True)
class TextStyle:
    """Sizes, faces and line heights of the texts around the body (from layout.yaml)."""

    body_size: float
    """The body's size in pt."""
    tag_size: float
    tag_line: float
    tag_gap: float
    kicker_size: float
    kicker_role: str
    kicker_line: float
    headline_line: float
    subheadline_size: float
    subheadline_role: str
    subheadline_line: float
    head_gap: float
    """Least air between a head's last line and the body below it, pt."""
    heading_size: float
    heading_align: str
    """``center`` or ``left`` (小标题)."""
    heading_indent: float
    """Left indent of a left-aligned subhead in pt."""
    caption_size: float
    caption_line: float
    picture_gap: float
    """Least air between a caption and the text below, pt."""
    byline_size: float
    quote_indent: float
    """Left inset of a quotation in pt."""
    indent: float
    """First-line indent in em."""


def style_of(layout: Layout) -> TextStyle:
    """The text style of a layout, with defaults for keys an older layout lacks."""
    body = layout.body_size
    leading = layout.leading
    caption = body * 0.9
    return TextStyle(
        body_size=body,
        tag_size=layout.length("tag.size", "10pt"), tag_line=float(layout.get("tag.line_height", 1.5)),
        tag_gap=layout.length("tag.gap", 2 * MM),
        kicker_size=layout.length("kicker.size", "12pt"), kicker_role=str(layout.get("kicker.role", "kai")),
        kicker_line=float(layout.get("kicker.line_height", 1.5)),
        headline_line=float(layout.get("headline.line_height", 1.3)),
        subheadline_size=layout.length("subheadline.size", "14pt"),
        subheadline_role=str(layout.get("subheadline.role", "heading")),
        subheadline_line=float(layout.get("subheadline.line_height", 1.45)),
        head_gap=layout.length("headline.gap", leading * 0.5),
        heading_size=layout.length("heading.size", body),
        heading_align=str(layout.get("heading.align", "center")),
        heading_indent=float(layout.get("heading.indent", 0)) * layout.length("heading.size", body),
        caption_size=caption, caption_line=caption * 1.4, picture_gap=leading * 0.5,
        byline_size=body * 0.9,
        quote_indent=float(layout.get("body.quote_indent", 2)) * body,
        indent=float(layout.get("body.indent", 2)),
    )


class Measurer:
    """Measures stories for one layout: bodies, heads and captions, cached."""

    def __init__(self, setter: TextSetter, grid: Grid, settings: MakeupSettings, style: TextStyle) -> None:
        self.setter, self.grid, self.settings, self.style = setter, grid, settings, style
        self._heads: dict[tuple, tuple[Head, int]] = {}
        self._captions: dict[tuple, tuple[Line, ...]] = {}

    # ------------------------------------------------------------------ body
    def body(self, story: Story, measure: float | None = None) -> list[BodyBlock]:
        """The story's body blocks (导语, paragraphs, subheads, lists, quotes, byline) at `measure` pt
        (the column width by default)."""
        measure = measure or self.grid.column_width
        st, set_ = self.style, self.setter
        out: list[BodyBlock] = []
        if story.lead:
            block = Block("p", (Inline(story.lead.value),), story.lead.pos)
            out.append(BodyBlock("lead", block_key(block), set_.paragraph(
                block, measure, roles=KAI_ROLES, story=story.id, indent=st.indent), story.lead.pos))
        for b in story.blocks:
            key = block_key(b)
            if b.kind in ("h2", "h3"):
                lines = set_.heading(b.text, measure - st.heading_indent, "heading", st.heading_size, story.id,
                                     align=st.heading_align)
                out.append(BodyBlock("sub", key, lines, b.pos))
            elif b.kind == "li":
                prefix = b.marker + " " if b.marker == "•" else b.marker
                out.append(BodyBlock("li", key, set_.paragraph(b, measure, story=story.id, prefix=prefix,
                                                               indent=st.indent), b.pos))
            elif b.kind == "quote":
                out.append(BodyBlock("quote", key, set_.paragraph(b, measure - st.quote_indent, roles=KAI_ROLES,
                                                                  story=story.id, indent=st.indent), b.pos))
            else:
                out.append(BodyBlock("p", key, set_.paragraph(b, measure, story=story.id, indent=st.indent),
                                     b.pos))
        if story.byline:
            text = f"（{story.byline.value.strip('（）() ')}）"
            set_.check_glyphs(story.byline.value, "kai", story.byline.pos, story.id, story.byline)
            lines = set_.heading(text, measure, "kai", st.byline_size, None, max_lines=4)
            out.append(BodyBlock("byline", "byline", lines, story.byline.pos))
        return out

    def jump_line(self, text: str, outgoing: bool) -> BodyBlock:
        """（下转第N版） or （上接第N版）: one line, set in 楷体."""
        line = self.setter.one_line(text, "kai", self.style.byline_size)
        return BodyBlock("jump", ("out" if outgoing else "in") + text, (line,), None)

    # ------------------------------------------------------------------ heads
    def head(self, story: Story, cols: int, size: float, align: str, jump: bool = False) -> tuple[Head, int]:
        """The story's head across `cols` columns with the headline at `size` pt, and the grid lines it takes.

        ``jump``: the short head of a continuation (the headline in the heading face at body size).
        """
        key = (story.id, cols, size, align, jump)
        if key not in self._heads:
            self._heads[key] = self._head(story, cols, size, align, jump)
        return self._heads[key]

    def _head(self, story: Story, cols: int, size: float, align: str, jump: bool) -> tuple[Head, int]:
        st, set_ = self.style, self.setter
        width = self.grid.span(cols)
        if jump:
            lines = set_.heading(story.headline, width, "heading", st.heading_size, story.id, 2, align)
            return Head(None, (), lines, (), st.heading_size, align, jump=True), \
                self.grid.lines_for(len(lines) * self.grid.leading)
        tag = set_.plain(story.column, "heading", story.id, st.tag_size) if story.column else None
        kicker = set_.heading(story.kicker, width, st.kicker_role, st.kicker_size, story.id, 2, align) \
            if story.kicker else ()
        headline = set_.heading(story.headline, width, "headline", size, story.id,
                                self.settings.headline_max_lines, align)
        sub = set_.heading(story.subheadline, width, st.subheadline_role, st.subheadline_size, story.id, 2, align) \
            if story.subheadline else ()
        height = (st.tag_size * st.tag_line + st.tag_gap if tag else 0.0) \
            + len(kicker) * st.kicker_size * st.kicker_line + len(headline) * size * st.headline_line \
            + len(sub) * st.subheadline_size * st.subheadline_line + st.head_gap
        return Head(tag, kicker, headline, sub, size, align), self.grid.lines_for(height)

    # ------------------------------------------------------------------ captions
    def caption(self, image: Image, width: float, story: str) -> tuple[Line, ...]:
        """Caption and credit composed at the picture's width (never wider), centred."""
        key = (id(image), round(width, 2))
        if key not in self._captions:
            self._captions[key] = self._caption(image, width, story)
        return self._captions[key]

    def _caption(self, image: Image, width: float, story: str) -> tuple[Line, ...]:
        runs = []
        if image.caption and image.caption.value.strip():
            self.setter.check_glyphs(image.caption.value, "kai", image.caption.pos, story, image.caption)
            runs.append(Run(image.caption.value.strip(), ""))
        if image.credit and image.credit.value.strip():
            self.setter.check_glyphs(image.credit.value, "kai", image.credit.pos, story, image.credit)
            runs.append(Run(("　" if runs else "") + image.credit.value.strip(), "credit"))
        # broken at phrases (示意图片 stays whole), balanced, centred, never wider than the picture
        return self.setter.phrases(runs, width, {"": "kai", "credit": "kai"}, self.style.caption_size, 4, "center")

    def caption_height(self, lines: int) -> float:
        """Height in pt of a caption of `lines` lines and the air below it."""
        st = self.style
        return (lines * st.caption_line + 2.0 if lines else 0.0) + st.picture_gap
