"""Composed lines as positioned glyphs: what kanwu draws itself instead of handing spans to WeasyPrint.

The composer (`kanwu.text.compose`) decided every line: its segments, each
segment's letter-spacing (added after every character) and the margin before
it. Laying those lines out again as HTML spans cost WeasyPrint about half a
millisecond a span (its inline layout breaks, measures and positions each
one) and was most of the drawing time. So body lines reach the PDF as glyphs
placed here, by the composer's own model:

* each segment is cut into script items (Latin letters and digits apart from
  Han and punctuation, as Pango itemises them) and each item is shaped with
  HarfBuzz exactly as the composer measured it (`FontMetrics.glyphs`: the
  same face, buffer language, script guess and features, ``halt`` for a
  half-width mark, ``fwid`` for a run of dashes or ellipses alone);
* a glyph's pen position is the sum of the advances before it, the
  letter-spacing after every character before it and the margins before
  every segment; a glyph's own offset (``halt`` pulls an opening mark
  left) is added to where it is drawn.

Nothing here knows WeasyPrint: `kanwu.wpext.draw_composed_lines` writes the
runs into the page's content stream. Lengths are in pt from the line's start.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .compose import char_kind
from .metrics import FontMetrics

FULL_WIDTH_ALONE = "—―⸺…‥"
"""Marks that are full width among Han but not in a run of their own, where Pango shapes them as common
script (Noto CJK's ``——`` is then 1.69 em, not 2): such a run is shaped with ``fwid``, so it is as wide
as the composer measured it."""


@dataclass(frozen=True)
class DrawnSegment:
    """A piece of a line in one face and spacing, as the renderer hands it to drawing."""

    text: str
    """The characters."""
    role: str
    """The font role (``body``, ``strong``, ``kai``...): which face draws it."""
    letter_spacing: float
    """pt added after every character."""
    space_before: float
    """pt of margin before the first character (negative: a pulled mark)."""
    halt: bool = False
    """Shaped with OpenType ``halt`` (a half-width mark ending a line)."""


@dataclass(frozen=True)
class Glyph:
    """One glyph at its place."""

    gid: int
    """The glyph's id in its face."""
    x: float
    """Where it is drawn, pt from the line's start."""
    rise: float
    """pt above the baseline (a mark's vertical offset; 0 for Chinese)."""
    text: str
    """The characters it stands for (those of its cluster, on its cluster's first glyph; else "")."""
    spacing: float = 0.0
    """The letter-spacing of its segment, pt (drawn as the PDF's character spacing, ``Tc``: a text
    extractor then reads a justified line's gaps as spacing, not as word spaces)."""


@dataclass(frozen=True)
class GlyphRun:
    """Consecutive glyphs of one face at one size."""

    role: str
    """The font role."""
    glyphs: tuple[Glyph, ...]
    """The glyphs in drawing order."""


@dataclass(frozen=True)
class PlacedLine:
    """One line's glyphs."""

    runs: tuple[GlyphRun, ...]
    """Its runs, one per change of face."""
    width: float
    """Its set width in pt (the composer's `Line.width`: without the spacing after its last character)."""


def items(text: str) -> list[str]:
    """`text` cut where Latin (letters, digits, ASCII) meets Han or CJK punctuation: Pango shapes each
    script's item on its own, so kerning and ligatures never reach across."""
    out: list[str] = []
    latin = None
    for ch in text:
        is_latin = char_kind(ch) == "L"
        if out and is_latin == latin:
            out[-1] += ch
        else:
            out.append(ch)
            latin = is_latin
    return out


def features(seg: DrawnSegment) -> tuple[str, ...]:
    """The OpenType features a segment is shaped with beyond the defaults."""
    if seg.halt:
        return ("halt",)
    if seg.text and not seg.text.strip(FULL_WIDTH_ALONE):
        return ("fwid",)
    return ()


def place_line(segments: Sequence[DrawnSegment], faces: Mapping[str, FontMetrics], size: float) -> PlacedLine:
    """The glyphs of one line set at `size` pt, grouped in runs of one face (`faces`: role → metrics;
    a role missing from it is set in ``body``, as `kanwu.text.setter.TextSetter.font` does)."""
    runs: list[GlyphRun] = []
    x = tail = 0.0
    for seg in segments:
        x += seg.space_before
        if not seg.text:
            continue
        font = faces.get(seg.role) or faces["body"]
        scale = size / font.upem
        drawn: list[Glyph] = []
        feats = features(seg)
        for item in items(seg.text):
            shaped = font.glyphs(item, feats)
            for k, (gid, cluster, advance, dx, dy) in enumerate(shaped):
                first = k == 0 or shaped[k - 1][1] != cluster
                last = k == len(shaped) - 1 or shaped[k + 1][1] != cluster
                end = next((c for _, c, *_ in shaped[k + 1:] if c != cluster), len(item))
                drawn.append(Glyph(gid, round(x + dx * scale, 4), dy * scale, item[cluster:end] if first else "",
                                   seg.letter_spacing))
                x += advance * scale
                if last:  # letter-spacing after every character of the cluster
                    x += seg.letter_spacing * (end - cluster)
        tail = seg.letter_spacing
        if runs and runs[-1].role == seg.role:
            runs[-1] = GlyphRun(seg.role, runs[-1].glyphs + tuple(drawn))
        else:
            runs.append(GlyphRun(seg.role, tuple(drawn)))
    return PlacedLine(tuple(runs), round(x - tail, 4))


__all__ = ["DrawnSegment", "FULL_WIDTH_ALONE", "Glyph", "GlyphRun", "PlacedLine", "features", "items", "place_line"]
