"""Balancing a story's body over its columns on the grid.

A module's columns may start at different lines (a picture sits over some of
them) but end together: the body is cut at legal breaks (`StoryBody.penalty`:
no subhead at a column foot, no widow or orphan, the byline with its text) so
that every column bottom is within a line or two of the module's bottom. A
small dynamic programme over the break points of each column finds the cut
with the least unevenness plus break penalties; `fit` finds the shallowest
module body that holds the text.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .measure import ORPHAN, StoryBody

UNEVEN = 10.0
"""Cost of a column bottom one line short of the others, squared per line."""
SLACK = 3
"""Lines a column other than the last may end above the module's bottom."""


@dataclass(frozen=True)
class ColumnFill:
    """Units of a body cut into columns."""

    breaks: tuple[int, ...]
    """Unit indices: column ``c`` holds units ``breaks[c]``..``breaks[c+1]-1``."""
    height: int
    """The module body's height in grid lines (the tallest column's bottom)."""
    cost: float
    """Break penalties plus unevenness."""

    def height_of_text(self, body: StoryBody) -> int:
        """Grid lines of text in all the columns together."""
        return body.heights[self.breaks[-1]] - body.heights[self.breaks[0]]


def fill(body: StoryBody, start: int, end: int, caps: list[int], slack: int = SLACK,
         least: list[int] | None = None) -> ColumnFill | None:
    """Cut units ``start``..``end-1`` into columns that hold ``caps[c]`` lines each, or None.

    Every column but the last ends within `slack` lines of its capacity and holds at
    least ``least[c]`` lines; the last takes the rest. The penalty of the break at
    ``end`` is the caller's (a jump or the story's end).
    """
    H = body.heights
    states: dict[int, tuple[float, int]] = {start: (0.0, -1)}
    back: list[dict[int, tuple[float, int]]] = []
    k = len(caps)
    for c, cap in enumerate(caps):
        cap = max(0, cap)
        nxt: dict[int, tuple[float, int]] = {}
        for b, (cost, _) in states.items():
            rest = H[end] - H[b]
            if c == k - 1 or rest <= cap - slack:
                cands = [end] if rest <= cap else []
            else:
                lo = bisect_left(H, H[b] + max(0, cap - slack, least[c] if least else 0), b, end + 1)
                hi = bisect_right(H, H[b] + cap, b, end + 1)
                cands = range(lo, hi)
            for b2 in cands:
                pen = body.penalty[b2] if b2 < end else 0.0
                if pen == math.inf:
                    continue
                # the least bit more for an empty column further left: of two equal cuts, the empty
                # columns come last, never before the text
                total = cost + pen + UNEVEN * (cap - (H[b2] - H[b])) ** 2 + (1e-4 * (k - c) if b2 == b else 0.0)
                if b2 not in nxt or total < nxt[b2][0]:
                    nxt[b2] = (total, b)
        back.append(nxt)
        states = nxt
        if not states:
            return None
    if end not in states:
        return None
    breaks = [end]
    for c in range(k - 1, -1, -1):
        breaks.append(back[c][breaks[-1]][1])
    breaks.reverse()
    return ColumnFill(tuple(breaks), 0, states[end][0])


def fit(body: StoryBody, start: int, end: int, tops: tuple[int, ...], under: int = 0) -> ColumnFill | None:
    """The shallowest body (in grid lines) whose columns, starting at `tops`, hold units ``start``..``end-1``,
    with at least `under` lines below every column top that is not 0 (text under a picture, never a
    picture alone at a column's foot).

    A depth that forces a widow or an orphan is taken only when one to three
    lines more cannot avoid it.
    """
    k = len(tops)
    lines = body.height(start, end)
    if lines == 0:
        return ColumnFill(tuple([start] * k + [end]), max(tops, default=0), 0.0)
    h = max(max(tops) + 1, math.ceil((lines + sum(tops)) / k), max((t + under for t in tops if t), default=0))
    limit = lines + max(tops) + 2
    best: ColumnFill | None = None
    while h <= limit:
        got = fill(body, start, end, [h - t for t in tops], least=[under if t else 0 for t in tops])
        if got is not None:
            got = ColumnFill(got.breaks, h, got.cost)
            if got.cost < ORPHAN:
                return got if best is None or got.cost + UNEVEN * k * (h - best.height) < best.cost else best
            if best is None:
                best = got
                limit = min(limit, h + 3)
        h += 1
    return best
