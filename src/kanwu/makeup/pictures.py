"""Picture options: every way a story's pictures can sit in a module of a given span.

A picture is whole grid columns wide; its frame plus its caption (composed at
the frame's width) is a whole number of grid lines high. Its frame may crop
the picture by at most ``photos.crop``; it is never enlarged below the
layout's ``min_ppi`` (a picture too small for even one column is set at one
column and reported by preflight); an unhinted picture takes at most
``photos.max_share`` of the type area. A story's pictures sit in rows at the
top of its body (or, for a whole-width row, above its head), left-aligned:
`Band` is one such arrangement, with what it costs and which column tops it
pushes down.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..images import ImageInfo, ppi_at
from ..model import Image, Story
from ..text.compose import Line
from .grid import Grid, MakeupSettings
from .measure import Measurer


@dataclass(frozen=True)
class Slot:
    """An image slot of a story, with what is known of its picture."""

    image: Image
    """The slot."""
    number: int
    """1-based, in the story."""
    aspect: float
    """Height / width of the picture (the layout's aspect for a placeholder)."""
    pixels: tuple[int, int] | None
    """The picture's size, None for a placeholder."""
    columns: int | None
    """``place.columns`` when hinted."""

    @property
    def src(self) -> Path | None:
        """The picture file, when usable."""
        return self.image.src if self.pixels else None


@dataclass(frozen=True)
class Placed:
    """A picture in a band: its place (relative to the band) and its frame."""

    slot: Slot
    col: int
    """Column offset in the band."""
    line: int
    """Line offset in the band."""
    cols: int
    lines: int
    """Grid lines of frame and caption together."""
    frame_w: float
    frame_h: float
    caption: tuple[Line, ...]
    ppi: float | None
    crop: float


@dataclass(frozen=True)
class Band:
    """One arrangement of a story's pictures."""

    pictures: tuple[Placed, ...]
    """Every picture, in slot order."""
    tops: tuple[int, ...]
    """Per column of the module: lines the band takes above the text."""
    height: int
    """The band's height in lines (the deepest column)."""
    full: bool
    """True when the band is one row as wide as the module (it may then sit above the head)."""
    cost: float
    """Crop, small pictures, resolution: the pictures term of the makeup cost (before weighting)."""


def slots_of(story: Story, infos: Mapping[Path, ImageInfo], settings: MakeupSettings) -> tuple[Slot, ...]:
    """The story's image slots with their pictures' shapes."""
    out = []
    for i, im in enumerate(story.images, 1):
        info = infos.get(im.src) if im.src else None
        hint = im.place.get("columns") if isinstance(im.place, Mapping) else None
        cols = int(hint) if isinstance(hint, int) and not isinstance(hint, bool) and hint > 0 else None
        if info is not None and info.width > 0 and info.height > 0:
            out.append(Slot(im, i, info.height / info.width, (info.width, info.height), cols))
        else:
            out.append(Slot(im, i, settings.photo_aspect, None, cols))
    return tuple(out)


class Pictures:
    """Bands of a story's pictures per span, cached."""

    def __init__(self, measurer: Measurer, grid: Grid, settings: MakeupSettings) -> None:
        self.m, self.grid, self.settings = measurer, grid, settings
        self._cache: dict[tuple, tuple[Band, ...]] = {}

    def bands(self, story: str, slots: tuple[Slot, ...], cols: int) -> tuple[Band, ...]:
        """Every arrangement of `slots` in a module `cols` wide (the empty band when there are none)."""
        if not slots:
            return (Band((), (0,) * cols, 0, False, 0.0),)
        key = (story, cols, tuple(s.columns for s in slots))
        if key not in self._cache:
            self._cache[key] = self._bands(story, slots, cols)
        return self._cache[key]

    def _widths(self, slots: tuple[Slot, ...], cols: int) -> list[list[int]]:
        """Width choices: every non-increasing choice for up to three pictures, else the first
        picture's width and one width for the others; a hinted picture keeps its width."""
        def fixed(i: int, w: int) -> int:
            return min(slots[i].columns, cols) if slots[i].columns else w

        n = len(slots)
        if n <= 3:
            out: list[list[int]] = [[]]
            for i in range(n):
                out = [ws + [w] for ws in out for w in range(1, cols + 1) if not ws or w <= ws[-1]]
            return [[fixed(i, w) for i, w in enumerate(ws)] for ws in out]
        return [[fixed(i, first if i == 0 else other) for i in range(n)]
                for first in range(cols, 0, -1) for other in range(first, 0, -1)]

    def _bands(self, story: str, slots: tuple[Slot, ...], cols: int) -> tuple[Band, ...]:
        out: list[Band] = []
        seen: set[tuple] = set()
        for widths in self._widths(slots, cols):
            for band in self._rows(story, slots, widths, cols):
                sig = (band.tops, tuple((p.cols, p.lines) for p in band.pictures))
                if sig not in seen:
                    seen.add(sig)
                    out.append(band)
        if not out:  # nothing within the limits: every picture one column, at its own shape
            out += self._rows(story, slots, [1] * len(slots), cols, relaxed=True)
        return tuple(out)

    def _rows(self, story: str, slots: tuple[Slot, ...], widths: list[int], cols: int,
              relaxed: bool = False) -> list[Band]:
        """Pack pictures of the given widths into rows, left to right; one band per choice of row heights."""
        rows: list[list[int]] = [[]]
        used = 0
        for i, w in enumerate(widths):
            if used + w > cols and rows[-1]:
                rows.append([])
                used = 0
            rows[-1].append(i)
            used += w
        per_row: list[list[tuple[int, list[Placed], float]]] = []
        for row in rows:
            options = self._row_heights(story, [slots[i] for i in row], [widths[i] for i in row], relaxed)
            if not options:
                return []
            per_row.append(options)
        # the first row may take any of its heights; later rows their best one
        bands = []
        for first in per_row[0]:
            chosen = [first] + [opts[0] for opts in per_row[1:]]
            bands.append(self._band(chosen, widths, rows, cols))
        return bands

    def _row_heights(self, story: str, slots: list[Slot], widths: list[int],
                     relaxed: bool) -> list[tuple[int, list[Placed], float]]:
        """Heights (grid lines) a row of pictures can share, best first: (lines, pictures, cost)."""
        g, st = self.grid, self.settings
        ranges = []
        for s, w in zip(slots, widths):
            width = g.span(w)
            cap = self.m.caption_height(len(self.m.caption(s.image, width, story)))
            crop = 0.45 if relaxed else st.photo_crop
            lo = math.ceil((s.aspect * (1 - crop) * width + cap) / g.leading - 1e-6)
            hi = math.floor((s.aspect / (1 - crop) * width + cap) / g.leading + 1e-6)
            # never taller than a page: a row that is can never be placed, and a 1 × 10,000-pixel picture
            # asked for some 30,000 heights of tens of thousands of lines each (gigabytes, no end)
            ranges.append((max(lo, 2), min(hi, g.lines)))
        lo, hi = max(r[0] for r in ranges), min(r[1] for r in ranges)
        choices = [[h] * len(slots) for h in range(lo, hi + 1)]
        if len(slots) > 1:  # pictures side by side at heights of their own: a little less tidy
            choices.append([min(range(r[0], r[1] + 1), key=lambda h, s=s, w=w: self._crop(story, s, w, h))
                            if r[0] <= r[1] else r[0] for r, s, w in zip(ranges, slots, widths)])
        options = []
        for heights in choices:
            placed, cost, ok = [], 3.0 * (len(set(heights)) - 1), True
            col = 0
            for s, w, lines in zip(slots, widths, heights):
                p = self._placed(story, s, w, lines, col)
                col += w
                if p is None or p.crop > (0.45 if relaxed else self.settings.photo_crop) + 1e-6 \
                        or not relaxed and not self._allowed(p, w):
                    ok = False
                    break
                placed.append(p)
                cost += 20 * p.crop + (4.0 if w == 1 and s.aspect < 1.2 else 0.0)
            if ok:
                options.append((max(heights), placed, cost))
        options.sort(key=lambda o: o[2])
        return options

    def _crop(self, story: str, s: Slot, w: int, lines: int) -> float:
        p = self._placed(story, s, w, lines, 0)
        return p.crop if p is not None else 1.0

    def _placed(self, story: str, s: Slot, w: int, lines: int, col: int) -> Placed | None:
        g = self.grid
        width = g.span(w)
        caption = self.m.caption(s.image, width, story)
        frame_h = lines * g.leading - self.m.caption_height(len(caption))
        if frame_h < g.leading:
            return None
        f = frame_h / width
        crop = 1 - min(f, s.aspect) / max(f, s.aspect)
        ppi = ppi_at(s.pixels, width, frame_h) if s.pixels else None
        return Placed(s, col, 0, w, lines, width, frame_h, caption, ppi, crop)

    def _allowed(self, p: Placed, w: int) -> bool:
        """Within the resolution floor (a picture is never enlarged below it: at one column it may) and,
        without a hint, within the share of the page."""
        g, st = self.grid, self.settings
        if p.ppi is not None and p.ppi < st.min_ppi and w > 1:
            return False
        if p.slot.columns is None and p.frame_w * p.frame_h > st.photo_max_share * g.width * g.height:
            return False
        return True

    def _band(self, chosen: list[tuple[int, list[Placed], float]], widths: list[int], rows: list[list[int]],
              cols: int) -> Band:
        tops = [0] * cols
        placed: list[Placed] = []
        cost = 0.0
        line = 0
        for (lines, pics, c), row in zip(chosen, rows):
            for p in pics:
                placed.append(Placed(p.slot, p.col, line, p.cols, p.lines, p.frame_w, p.frame_h, p.caption,
                                     p.ppi, p.crop))
                for k in range(p.col, p.col + p.cols):
                    tops[k] = line + p.lines
            line += lines
            cost += c
        full = len(rows) == 1 and sum(widths) == cols
        placed.sort(key=lambda p: p.slot.number)
        return Band(tuple(placed), tuple(tops), max(tops), full, cost)
