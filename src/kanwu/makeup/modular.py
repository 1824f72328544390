"""Makeup, phase 2 for modular pages (the A3 paper): choose each story's shape and the page's arrangement.

Every story (or part of a jumping story) offers *configurations*: a span of
whole columns, a headline size from the layout's scale, an arrangement of its
pictures (`pictures.Band`), and the body balanced under them
(`columns.fit`), which together give the module's height in grid lines and a
cost. A page is then cut recursively into horizontal strips (stories stacked,
a rule between them) and vertical strips (stories side by side), the stories
in the editors' order read top to bottom, left to right — the guillotine
layout of Gange, Marriott & Stuckey (DocEng 2012). Dynamic programming over
(range of stories, width, height) finds the cheapest layout that fills the
page exactly; white left inside a rectangle is paid for as unfilled area.
Two stories side by side may not both start with a headline at the same
height (tombstoned heads): one of them must start with its picture.

Costs are in "per cent of a page" times the layout's weights (`CostWeights`,
documented in docs/makeup.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..model import Story
from .columns import ColumnFill, fit
from .grid import Grid, MakeupSettings
from .measure import Measurer, StoryBody
from .pictures import Band, Pictures, Slot
from .plan import Head

INF = math.inf
HEAD, PLACED, OTHER = 0, 1, 2
"""Top kinds: a rectangle starting with a headline; with the headline of a story the editors gave its
width (``place.columns``); with a picture or a jump head."""
KINDS = (HEAD, PLACED, OTHER)
TOMBSTONE = 1e4
"""Two headlines side by side at the same height: never, unless nothing else fits — or the editors
placed both stories side by side themselves (their hints win)."""


def beside_kind(left: int, right: int) -> tuple[int, float]:
    """The top kind of two rectangles side by side, and the tombstone penalty."""
    heads = (left != OTHER) + (right != OTHER)
    penalty = TOMBSTONE if heads == 2 and HEAD in (left, right) else 0.0
    return min(left, right), penalty


@dataclass(frozen=True)
class Piece:
    """A story, or one part of a jumping story, to be placed on a page."""

    story: Story
    """The story."""
    body: StoryBody
    """This part's body (with its 下转 / 上接 line)."""
    slots: tuple[Slot, ...]
    """Its pictures (none for a continuation)."""
    part: int
    """0 whole, 1 first part, 2 continuation."""
    rank: int
    """Its place in the page's order (0: the page's first story)."""
    lead: bool
    """The lead story of page 1: the largest headline."""
    spans: tuple[int, ...]
    """Column spans it may take (a ``place.columns`` hint leaves one)."""
    placed: bool = False
    """The editors gave its width (``place.columns``)."""


@dataclass(frozen=True)
class Config:
    """One shape of a piece: span, head, pictures, balanced body."""

    cols: int
    lines: int
    """The module's height in grid lines."""
    cost: float
    top: int
    """`HEAD`, `PLACED` or `OTHER`."""
    head: Head
    head_lines: int
    band: Band
    band_above: bool
    """The pictures sit above the head (a whole-width row)."""
    fill: ColumnFill
    """The body's cut into columns."""


@dataclass(frozen=True)
class Leaf:
    piece: int
    config: Config
    lines: int
    """The rectangle's height (≥ the configuration's)."""


@dataclass(frozen=True)
class Stack:
    top: "Node"
    bottom: "Node"
    top_lines: int


@dataclass(frozen=True)
class Side:
    left: "Node"
    right: "Node"
    left_cols: int


@dataclass(frozen=True)
class Empty:
    cols: int
    lines: int


Node = Leaf | Stack | Side | Empty


class Shapes:
    """Configurations of pieces, per span, cached."""

    def __init__(self, measurer: Measurer, pictures: Pictures, grid: Grid, settings: MakeupSettings) -> None:
        self.m, self.pics, self.grid, self.settings = measurer, pictures, grid, settings
        self._cache: dict[tuple, list[Config]] = {}
        self.page_cells = grid.columns * grid.lines

    def configs(self, piece: Piece, cols: int) -> list[Config]:
        """The cheapest configuration of `piece` at `cols` columns for each height and top kind."""
        if cols not in piece.spans:  # outside the cache: hints dropped later widen the same piece's spans
            return []
        key = (piece.story.id, piece.part, piece.body.heights[-1], piece.lead, piece.rank == 0, cols,
               len(piece.body.units), tuple(s.columns for s in piece.slots))
        if key not in self._cache:
            self._cache[key] = self._configs(piece, cols)
        return self._cache[key]

    def _configs(self, piece: Piece, cols: int) -> list[Config]:
        # text below every picture; a picture may end a column only when nothing else can be made
        return self._shapes(piece, cols, self.settings.keep_lines) or self._shapes(piece, cols, 0)

    def _shapes(self, piece: Piece, cols: int, under: int) -> list[Config]:
        w = self.settings.cost
        best: dict[tuple[int, int], Config] = {}
        end = len(piece.body.units)
        for head, head_lines, head_cost in self._heads(piece, cols):
            bands = self.pics.bands(piece.story.id, piece.slots, cols) if piece.part != 2 else \
                self.pics.bands(piece.story.id, (), cols)
            for band in bands:
                # the 头条 opens with its head: its pictures never sit above it
                for above in (False, True) if band.full and piece.part != 2 and not piece.lead else (False,):
                    tops = (0,) * cols if above else band.tops
                    got = fit(piece.body, 0, end, tops, under)
                    if got is None:
                        continue
                    lines = head_lines + got.height + (band.height if above else 0)
                    depth = got.height - (band.height if not above and band.full else 0)
                    shape = max(0, 7 - depth) ** 2 * 1.5 if cols > 1 else 0.0
                    if depth > 45:
                        shape += (depth - 45) * 0.5
                    order = (self.grid.columns - cols) * 10.0 if piece.rank == 0 and piece.part != 2 else 0.0
                    # white inside the rectangle is type area left unused as much as white between them
                    # (a four-line continuation set across five columns left three of them empty)
                    inside = sum(got.height - t for t in tops) - got.height_of_text(piece.body)
                    cost = (w.pictures * band.cost + w.headlines * head_cost + w.breaks * got.cost / 50
                            + w.shape * shape + w.order * order + w.fill * 100.0 * inside / self.page_cells)
                    top = OTHER if above or piece.part == 2 else PLACED if piece.placed else HEAD
                    cfg = Config(cols, lines, cost, top, head, head_lines, band, above, got)
                    if (lines, top) not in best or cost < best[(lines, top)].cost:
                        best[(lines, top)] = cfg
        return list(best.values())

    def _heads(self, piece: Piece, cols: int) -> list[tuple[Head, int, float]]:
        """Head options: the largest scale size that sets the headline in few lines, and the next smaller."""
        st = self.settings
        align = "center" if piece.lead or cols == self.grid.columns and piece.rank == 0 else "left"
        if piece.part == 2:
            head, lines = self.m.head(piece.story, cols, 0.0, "left", jump=True)
            return [(head, lines, 0.0)]
        width = self.grid.span(cols)
        cap = st.headline_lead if piece.lead else st.headline_size
        cap = min(cap, max(st.headline_scale[-1], width / 6))
        sizes = [s for s in st.headline_scale if s <= cap + 0.01] or [st.headline_scale[-1]]
        wanted = 2 if cols >= 3 else 3
        out = []
        for size in sizes:
            head, lines = self.m.head(piece.story, cols, size, align)
            n = len(head.headline)
            cost = 50.0 * (cap - size) / cap + 8.0 * max(0, n - wanted)
            out.append((head, lines, cost))
            if n <= wanted:
                break
        return out[-2:]


Table = tuple[np.ndarray, np.ndarray]
"""Per top kind and height: the least cost, and the white grid cells of the layout that has it."""


def _take(out: Table, cost: np.ndarray, white: np.ndarray) -> None:
    """Keep, height by height, the cheaper of `out` and a candidate (cost, white)."""
    better = cost < out[0]
    out[0][better] = cost[better]
    out[1][better] = white[better]


class PageSolver:
    """The cheapest guillotine layout of a page's pieces in a `columns` × `lines` area."""

    def __init__(self, pieces: list[Piece], shapes: Shapes, columns: int, lines: int, gap: int) -> None:
        self.pieces, self.shapes, self.W, self.H, self.gap = pieces, shapes, columns, lines, gap
        st = shapes.settings
        self.white = st.cost.fill * 100.0 / shapes.page_cells
        """Cost of one grid cell left white."""
        self.hole = st.cost.balance * 100.0 / shapes.page_cells
        """What a white cell costs besides when stories stand below it (white inside the page, not at its foot)."""
        self._memo: dict[tuple[int, int, int], Table] = {}

    # ---------------------------------------------------------------- the tables
    def _new(self) -> Table:
        return np.full((len(KINDS), self.H + 1), INF), np.zeros((len(KINDS), self.H + 1))

    def table(self, i: int, j: int, w: int) -> Table:
        """Costs (and white) of laying out pieces i..j-1 in `w` columns × h lines, per top kind:
        arrays of shape (3, H + 1)."""
        key = (i, j, w)
        if key not in self._memo:
            self._memo[key] = self._table(i, j, w)
        return self._memo[key]

    def _table(self, i: int, j: int, w: int) -> Table:
        out = self._leaf(i, w) if j - i == 1 else self._new()
        for m in range(i + 1, j):
            a, b = self.table(i, m, w), self.table(m, j, w)
            below = self._any(b)
            for kind in KINDS:
                cost, white = self._stacked((a[0][kind], a[1][kind]), below)
                _take((out[0][kind], out[1][kind]), cost, white)
        for w1 in range(1, w):
            for m in range(i + 1, j):
                self._beside(out, self.table(i, m, w1), self.table(m, j, w - w1))
            self._beside(out, self.table(i, j, w1), self._empty(w - w1))
        return out

    @staticmethod
    def _any(t: Table) -> tuple[np.ndarray, np.ndarray]:
        """The cheapest of the top kinds, height by height (what stands below another story)."""
        k = np.argmin(t[0], axis=0)
        cols = np.arange(t[0].shape[1])
        return t[0][k, cols], t[1][k, cols]

    def _leaf(self, i: int, w: int) -> Table:
        out = self._new()
        best: dict[int, list[Config | None]] = {k: [None] * (self.H + 1) for k in KINDS}
        for cfg in self.shapes.configs(self.pieces[i], w):
            if cfg.lines <= self.H:
                slot = best[cfg.top]
                if slot[cfg.lines] is None or cfg.cost < slot[cfg.lines].cost:  # type: ignore[union-attr]
                    slot[cfg.lines] = cfg
        for kind in KINDS:
            chosen: Config | None = None
            for h in range(self.H + 1):
                cand = best[kind][h]
                if cand is not None and (chosen is None or cand.cost - self.white * w * cand.lines
                                         < chosen.cost - self.white * w * chosen.lines):
                    chosen = cand
                if chosen is not None:
                    out[0][kind, h] = chosen.cost + self.white * w * (h - chosen.lines)
                    out[1][kind, h] = w * (h - chosen.lines)
        return out

    def _empty(self, w: int) -> Table:
        out = self._new()
        out[0][OTHER] = self.white * w * np.arange(self.H + 1) + 5.0
        out[1][OTHER] = w * np.arange(self.H + 1)
        return out

    def _stacked(self, above: tuple[np.ndarray, np.ndarray], below: tuple[np.ndarray, np.ndarray]
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Min-plus convolution with the gap: cost of h = best split h1 + gap + h2; the white of
        the upper part is white inside the page."""
        H, g = self.H, self.gap
        cost, white = np.full(H + 1, INF), np.zeros(H + 1)
        for h1 in np.flatnonzero(np.isfinite(above[0])):
            rest = H + 1 - h1 - g
            if rest <= 0:
                break
            cand = above[0][h1] + self.hole * above[1][h1] + below[0][:rest]
            better = cand < cost[h1 + g:]
            cost[h1 + g:][better] = cand[better]
            white[h1 + g:][better] = (above[1][h1] + below[1][:rest])[better]
        return cost, white

    @staticmethod
    def _beside(out: Table, left: Table, right: Table) -> None:
        for ka in KINDS:
            for kb in KINDS:
                kind, penalty = beside_kind(ka, kb)
                _take((out[0][kind], out[1][kind]), left[0][ka] + right[0][kb] + penalty,
                      left[1][ka] + right[1][kb])

    # ---------------------------------------------------------------- the layout
    def solve(self) -> tuple[Node, float] | None:
        """The best layout filling the whole area, and its cost; None when nothing fits."""
        if not self.pieces:
            return Empty(self.W, self.H), 0.0
        t = self.table(0, len(self.pieces), self.W)[0]
        kind = int(np.argmin(t[:, self.H]))
        cost = float(t[kind, self.H])
        if not math.isfinite(cost):
            return None
        return self._build(0, len(self.pieces), self.W, kind, self.H, cost), cost

    def _build(self, i: int, j: int, w: int, kind: int, h: int, target: float) -> Node:
        def near(x: float) -> bool:
            return math.isfinite(x) and abs(x - target) <= 1e-6 * max(1.0, abs(target))

        if j - i == 1:
            for cfg in self.shapes.configs(self.pieces[i], w):
                if cfg.top == kind and cfg.lines <= h and near(cfg.cost + self.white * w * (h - cfg.lines)):
                    return Leaf(i, cfg, h)
        g = self.gap
        for m in range(i + 1, j):
            (a, aw), (b, _) = self.table(i, m, w), self.table(m, j, w)
            for h1 in range(1, h - g):
                for kb in KINDS:
                    if near(a[kind, h1] + self.hole * aw[kind, h1] + b[kb, h - h1 - g]):
                        return Stack(self._build(i, m, w, kind, h1, a[kind, h1]),
                                     self._build(m, j, w, kb, h - h1 - g, b[kb, h - h1 - g]), h1)
        for w1 in range(1, w):
            options: list[tuple[np.ndarray, np.ndarray, Callable[[int, float], Node], Callable[[int, float], Node]]]
            options = [(self.table(i, m, w1)[0], self.table(m, j, w - w1)[0],
                        lambda k, c, m=m, w1=w1: self._build(i, m, w1, k, h, c),
                        lambda k, c, m=m, w1=w1: self._build(m, j, w - w1, k, h, c)) for m in range(i + 1, j)]
            options.append((self.table(i, j, w1)[0], self._empty(w - w1)[0],
                            lambda k, c, w1=w1: self._build(i, j, w1, k, h, c),
                            lambda k, c, w1=w1: Empty(w - w1, h)))
            for left, right, build_l, build_r in options:
                for ka in KINDS:
                    for kb in KINDS:
                        combined, extra = beside_kind(ka, kb)
                        if combined != kind:
                            continue
                        if near(left[ka, h] + right[kb, h] + extra):
                            return Side(build_l(ka, left[ka, h]), build_r(kb, right[kb, h]), w1)
        raise AssertionError(f"makeup: no layout reaches the table's cost for pieces {i}..{j} at {w}×{h}")
