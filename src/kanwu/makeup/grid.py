"""The page grid: columns across, baseline lines down, and the settings of page makeup.

Every block kanwu places is a whole number of grid columns wide and a whole
number of grid lines (the body leading) high, so body baselines line up
across columns and stories, page-wide. `Grid` converts grid coordinates to
points; `MakeupSettings` holds what a layout may tune in its ``makeup:``,
``photos:``, ``headline:`` and ``masthead:`` keys (documented in
``layouts/base/layout.yaml`` and the guide).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import Finding, KanwuError, Pos
from ..layout.spec import Layout

PICTURE_GAP = 4 * 72 / 25.4
"""Space between pictures side by side in a flowing layout, pt (4 mm)."""


@dataclass(frozen=True)
class Grid:
    """Columns and lines of one layout's type area (版心)."""

    columns: int
    """Grid columns across the type area."""
    column_width: float
    """Width of one column in pt (whole body characters)."""
    gutter: float
    """Space between two columns in pt."""
    leading: float
    """One grid line: the body's baseline-to-baseline distance in pt."""
    lines: int
    """Whole grid lines in the type area's height."""
    width: float
    """Type area width in pt."""
    height: float
    """Type area height in pt."""
    body_size: float
    """Body font size in pt."""
    left: float
    """Type area's left edge from the trim's left edge, pt."""
    top: float
    """Type area's top edge from the trim's top edge, pt."""

    def x(self, col: int) -> float:
        """Left edge of grid column `col` (0-based) from the type area's left, pt."""
        return col * (self.column_width + self.gutter)

    def span(self, cols: int) -> float:
        """Width in pt of a block `cols` columns wide."""
        return cols * self.column_width + max(0, cols - 1) * self.gutter

    def y(self, line: int) -> float:
        """Top of grid line `line` (0-based) from the type area's top, pt."""
        return line * self.leading

    def lines_for(self, height: float) -> int:
        """Grid lines needed to hold `height` pt (never less than one)."""
        return max(1, math.ceil(height / self.leading - 1e-6))

    @property
    def chars_per_line(self) -> int:
        """Body characters in a full column line."""
        return max(1, round(self.column_width / self.body_size))


def grid_of(layout: Layout) -> Grid:
    """The grid of a layout (the column width rounded to whole characters, see `Layout.grid`)."""
    cols, cw, gutter = layout.grid()
    width, height = layout.type_area
    leading = layout.leading
    return Grid(cols, cw, gutter, leading, int(height / leading + 1e-6), width, height, layout.body_size,
                layout.length("page.margin.left"), layout.length("page.margin.top"))


@dataclass(frozen=True)
class CostWeights:
    """Weights of the makeup cost's terms (``makeup.cost`` in layout.yaml); lower cost is better.

    Each term is measured in "per cent of a page" (see docs/makeup.md), so the
    weights say how much one per cent of each fault is worth against another.
    """

    fill: float = 0.25
    """Unused type area: grid cells (column × line) left white, per cent of the page."""
    order: float = 0.15
    """Prominence against the editors' order: a page's first story narrower than the page."""
    shape: float = 0.12
    """Very shallow or very deep body columns, unbalanced column bottoms."""
    pictures: float = 0.12
    """Pictures cropped, smaller than they could be, larger than the dominant one."""
    headlines: float = 0.10
    """Headlines smaller than the layout's size for their place, or in many lines."""
    copyfit: float = 0.10
    """Lines of air added to a story to fill its rectangle."""
    breaks: float = 0.08
    """Jumps (a story continued on a later page), widows and orphans let through."""
    balance: float = 0.08
    """White spread between stories instead of at the page foot."""


@dataclass(frozen=True)
class MakeupSettings:
    """What a layout sets for page makeup."""

    builder: str
    """``modular`` (stories as rectangles on a column grid, A3) or ``flow`` (one column running
    from page to page, A4 简报)."""
    module_gap: int
    """Grid lines between two stories stacked one above the other (a rule is drawn in it)."""
    min_jump_lines: int
    """Body lines a story must run before it may jump to a later page (下转)."""
    min_fill: float
    """A page filled less than this (0–1) is a warning saying what would fill it."""
    page_multiple: int
    """Without a page plan, the page count is a multiple of this (2 for a folded paper)."""
    masthead_lines: int
    """Grid lines the masthead takes at the top of page 1 (its own gap included)."""
    keep_lines: int
    """Body lines a heading (栏目、标题、小标题) keeps with it in its column or on its page."""
    headline_scale: tuple[float, ...]
    """Headline sizes the engine may choose from, largest first (pt)."""
    headline_lead: float
    """The size of the lead story's headline on page 1 (pt)."""
    headline_size: float
    """The largest size for other stories' headlines (pt)."""
    headline_max_lines: int
    """A headline is set in at most this many lines."""
    photo_crop: float
    """Share of a picture (0–1) that may be cut off to fit its frame."""
    photo_max_share: float
    """Largest share of the type area an unhinted picture may take."""
    photo_aspect: float
    """Height / width of a placeholder's frame."""
    photo_columns: int
    """Parts of the measure pictures are sized in, in a one-column layout (``photos.columns``)."""
    min_ppi: float
    """No picture is enlarged beyond this effective resolution."""
    cost: CostWeights
    """The cost's weights."""


def settings_of(layout: Layout, grid: Grid) -> MakeupSettings:
    """The makeup settings of a layout, with the defaults of ``layouts/base/layout.yaml``."""
    weights = {k: float(v) for k, v in (layout.get("makeup.cost") or {}).items()
               if k in CostWeights.__dataclass_fields__}
    size = layout.length("headline.size", "22pt")
    lead = layout.length("headline.lead_size", size)
    scale = layout.get("headline.scale") or [lead, size, size * 0.85, size * 0.7]
    from ..units import to_pt

    sizes = sorted({round(to_pt(s), 2) for s in scale} | {round(size, 2), round(lead, 2)}, reverse=True)
    masthead = layout.get("masthead.lines")
    builder = str(layout.get("makeup.builder", "modular" if grid.columns > 1 else "flow"))
    parts = int(layout.get("photos.columns", grid.columns))
    if builder == "flow" and (grid.column_width - PICTURE_GAP * (parts - 1)) / parts < grid.body_size:
        # a flowing layout sizes pictures in parts of its column (FlowBuilder): each part at least a character
        raise KanwuError(Finding("error", "bad-layout", f"photos.columns: 栏宽 {grid.column_width:.0f}pt 分成 {parts} 份"
                                 f"（份间 4mm）后每份不足一个字宽 / the {grid.column_width:.0f} pt column in {parts} "
                                 "parts 4 mm apart leaves parts narrower than a character", Pos(str(layout.folders[0]
                                                                                                   / "layout.yaml"))))
    return MakeupSettings(
        builder=builder,
        module_gap=int(layout.get("makeup.module_gap", 1)),
        min_jump_lines=int(layout.get("makeup.min_jump_lines", 8)),
        min_fill=float(layout.get("makeup.min_fill", 0.85)),
        page_multiple=int(layout.get("makeup.page_multiple", 1)),
        masthead_lines=int(masthead) if masthead is not None else 0,
        keep_lines=int(layout.get("makeup.keep_lines", 3)),
        headline_scale=tuple(sizes),
        headline_lead=lead,
        headline_size=size,
        headline_max_lines=int(layout.get("headline.max_lines", 3)),
        photo_crop=float(layout.get("photos.crop", 0.2)),
        photo_max_share=float(layout.get("photos.max_share", 0.35)),
        photo_aspect=float(layout.get("photos.aspect", 0.6667)),
        photo_columns=parts,
        min_ppi=float(layout.get("print.min_ppi", 300)),
        cost=CostWeights(**weights),
    )
