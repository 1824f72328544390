"""The makeup plan: pages → modules → blocks, in grid coordinates and points.

The plan is the one structure that rendering, preflight, the proof, the
press checks and proof rounds read: where every story, headline, picture,
column of text and jump line is, how full every page is, what did not fit.
All of it is decided before WeasyPrint runs; WeasyPrint only draws it.

Points are measured from the type area's top-left corner (add `Grid.left` /
`Grid.top` for the trim's corner). Text is held as the composer's finished
lines (`kanwu.text.compose.Line`), so the renderer only turns them into
markup. No rendering imports here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Finding, Pos
from ..model import Image
from ..text.compose import Line
from .grid import Grid, MakeupSettings


@dataclass(frozen=True)
class Rect:
    """A rectangle on the grid: columns across, lines down (0-based, from the type area's corner)."""

    col: int
    """First column."""
    line: int
    """First line."""
    cols: int
    """Columns across."""
    lines: int
    """Lines down."""

    @property
    def bottom(self) -> int:
        """The line just below the rectangle."""
        return self.line + self.lines

    @property
    def right(self) -> int:
        """The column just right of the rectangle."""
        return self.col + self.cols

    def moved(self, col: int, line: int) -> "Rect":
        """The same rectangle with its corner moved by (`col`, `line`)."""
        return Rect(self.col + col, self.line + line, self.cols, self.lines)


@dataclass(frozen=True)
class Box:
    """A rectangle in points from the type area's top-left corner."""

    x: float
    y: float
    w: float
    h: float


def box_of(rect: Rect, grid: Grid) -> Box:
    """The points of a grid rectangle."""
    return Box(grid.x(rect.col), grid.y(rect.line), grid.span(rect.cols), rect.lines * grid.leading)


@dataclass(frozen=True)
class TextPiece:
    """A run of consecutive lines of one body block in one column."""

    kind: str
    """``p`` paragraph, ``li`` list item, ``quote`` 引文, ``lead`` 导语, ``sub`` 小标题, ``byline`` 署名,
    ``jump`` 下转/上接 line."""
    key: str
    """The block's key (`rounds.block_key`), shared by its pieces in other columns."""
    lines: tuple[Line, ...]
    """The composed lines."""
    height: int
    """Grid lines the piece takes (a subhead takes one more than its lines)."""
    first: bool
    """True when the piece starts its block (a paragraph's indented first line)."""
    last: bool
    """True when the piece ends its block."""
    pos: Pos | None = None
    """Where the block is in the source."""


@dataclass(frozen=True)
class Head:
    """The head of a story: 栏目 tag, 引题, 主题 (headline), 副题, each as composed lines."""

    tag: Line | None
    """The column (栏目) label, one line."""
    kicker: tuple[Line, ...]
    """引题 lines."""
    headline: tuple[Line, ...]
    """主题 lines."""
    subheadline: tuple[Line, ...]
    """副题 lines."""
    size: float
    """The headline's size in pt."""
    align: str
    """``left`` or ``center``."""
    jump: bool = False
    """True for the short head of a continued story (上接): headline at body size."""


@dataclass(frozen=True)
class Picture:
    """A picture (or a placeholder) with its caption, in its frame."""

    image: Image
    """The image slot."""
    slot: int
    """The slot's number in its story (1-based)."""
    frame: Box
    """The picture's frame (the picture is cropped to fill it), pt."""
    caption: tuple[Line, ...]
    """Caption (and credit) lines, composed at the frame's width."""
    src: Path | None
    """The picture file, None for a placeholder."""
    ppi: float | None
    """Effective resolution at placed size (None for a placeholder)."""
    crop: float
    """Share of the picture cut off by the frame (0–1)."""


@dataclass(frozen=True)
class Block:
    """One placed thing: a head, a picture, a column of text, a rule, a fixed item."""

    kind: str
    """``head``, ``picture``, ``text``, ``rule``, ``masthead``, ``distribution``."""
    rect: Rect
    """Its grid rectangle."""
    box: Box
    """Its box in pt (for a rule: a line from (x, y), w or h long)."""
    story: str | None = None
    """The story it belongs to."""
    head: Head | None = None
    """For ``head``."""
    picture: Picture | None = None
    """For ``picture``."""
    pieces: tuple[TextPiece, ...] = ()
    """For ``text``: the column's pieces, top to bottom."""


@dataclass(frozen=True)
class Module:
    """A story's rectangle on a page (or one part of a story that jumps)."""

    story: str
    """The story's id."""
    rect: Rect
    """Its grid rectangle."""
    blocks: tuple[Block, ...]
    """Head, pictures, text columns, in reading order."""
    part: int = 0
    """0: the whole story; 1: its first part (ends 下转); 2: its continuation (starts 上接)."""
    headline_size: float = 0.0
    """The headline size chosen."""


@dataclass(frozen=True)
class PagePlan:
    """One page."""

    number: int
    """Page number (版次), 1-based."""
    title: str
    """版名 (from the page plan), or ``""``."""
    modules: tuple[Module, ...]
    """Stories on the page, in reading order."""
    fixed: tuple[Block, ...]
    """Masthead, rules between stories, the distribution block."""
    lines: int
    """Grid lines of the page's area for stories."""
    top: int
    """First line of that area (below the masthead on page 1)."""
    fill: float
    """Share (0–1) of the area's grid cells holding text, pictures or heads."""
    last: bool = False
    """True for the page where the issue ends (the imprint, the distribution block)."""

    def blocks(self) -> list[Block]:
        """Every block of the page in reading order: the masthead, each module's blocks, then the other
        fixed ones (the distribution block, rules)."""
        head = [b for b in self.fixed if b.kind == "masthead"]
        return [*head, *(b for m in self.modules for b in m.blocks), *(b for b in self.fixed if b.kind != "masthead")]


@dataclass(frozen=True)
class StoryPlace:
    """Where a story ended up, for the report and the proof."""

    id: str
    """The story's id."""
    pages: tuple[int, ...]
    """Pages it is on, in order."""
    lines: int
    """Body grid lines it needs."""
    characters_on: tuple[tuple[int, int], ...] = ()
    """(page, body characters set on it)."""
    overset_lines: int = 0
    """Body lines that found no place."""
    overset_characters: int = 0
    """Characters of those lines."""
    jump: tuple[int, int] | None = None
    """(from page, to page) when the story jumps."""
    planned_page: int | None = None
    """The page the editors planned it on."""


@dataclass(frozen=True)
class PlacedPicture:
    """A picture with its story and page, for the stages that check or convert pictures."""

    story: str
    """The story's id."""
    page: int
    """The page it is on."""
    picture: Picture
    """The picture and its frame."""

    @property
    def id(self) -> str:
        """Its HTML id, ``img-<story>-<slot>``."""
        return f"img-{self.story}-{self.picture.slot}"


@dataclass(frozen=True)
class Plan:
    """The whole issue's makeup."""

    grid: Grid
    """The layout's grid."""
    settings: MakeupSettings
    """The makeup settings used."""
    pages: tuple[PagePlan, ...]
    """Every page."""
    stories: tuple[StoryPlace, ...]
    """Every story, in file order."""
    findings: tuple[Finding, ...] = ()
    """What makeup found: overset with copyfit advice, underfull pages, hints not honoured."""
    pictures: tuple[PlacedPicture, ...] = ()
    """Every placed picture, page by page."""

    def story(self, story_id: str) -> StoryPlace | None:
        """The placement of one story."""
        return next((s for s in self.stories if s.id == story_id), None)

    def on_trim(self, box: Box) -> tuple[float, float, float, float]:
        """A box as (x, y, w, h) in pt from the trim's top-left corner (what the PDF checks use)."""
        return (self.grid.left + box.x, self.grid.top + box.y, box.w, box.h)

    def story_boxes(self, story_id: str) -> list[tuple[int, Box]]:
        """(page, box) of each module of a story."""
        return [(p.number, box_of(m.rect, self.grid)) for p in self.pages for m in p.modules if m.story == story_id]
