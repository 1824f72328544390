"""HTML for paragraphs composed by :func:`kanwu.text.compose.compose`.

A composed paragraph goes inside ``<p class="c">`` (``white-space: pre;
text-align: left; text-indent: 0``): its lines are separated by newlines (a
``<br>`` would cost WeasyPrint three boxes a line: the element, its ``::before``
and that one's text; on a 20-page number a third of the layout time) and
every segment that needs it becomes a ``<span>`` carrying

* ``letter-spacing`` (added by WeasyPrint after every character of the span),
* ``margin-left`` (the segment's ``space_before``: indent, Han–Latin space),
* class ``h`` for ``font-feature-settings: "halt"`` (a half-width mark),
* class ``fw`` for ``font-variant-east-asian: full-width`` (a run of dashes or
  ellipses alone, `FULL_WIDTH_ALONE`),
* the class of its inline style (``classes``, e.g. ``{"strong": "b"}``).

A half-width mark inside a line (the composer's ``halt``) is drawn as the
full-width glyph pulled together with negative spacing: half an em off after
a closing mark, before an opening one. It looks the same as OpenType
``halt``, works in faces without it (LXGW WenKai), and copies out of the PDF
as typed: a halt-shaped glyph is a run whose shortened advance text
extractors read as a gap, a space after the mark (边办， 找问题). At a line's
end the mark keeps ``halt`` (its blank half would overflow unseen anyway).

The stylesheet must define ``.h { font-feature-settings: "halt" }``,
``.fw { font-variant-east-asian: full-width }`` and the style classes.  Text is always HTML-escaped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup, escape

from kanwu.text.compose import CLOSING, OPENING, Composed, Line, Segment, char_kind
from kanwu.text.glyphs import FULL_WIDTH_ALONE, DrawnSegment

__all__ = ["COMPOSED_TAG", "DrawnPiece", "DrawnText", "composed_html", "drawn_segments", "first_indent", "fmt_pt", "line_html",
           "lines_html"]


def fmt_pt(value: float) -> str:
    """A length in pt, compact: ``0.083 -> ".083pt"``, ``21.0 -> "21pt"``, ``-0.5 -> "-.5pt"``."""
    text = f"{round(value, 3):.3f}".rstrip("0").rstrip(".")
    if text in ("", "0", "-0"):
        return "0"
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return text + "pt"


WIDE_SPACING = 0.9
"""pt of spacing from which a gap between two runs reads as a space to text extraction (pypdf: 1 pt does
not, 2 pt does, at 12 pt)."""
SAME_GAP = 0.0005
"""pt within which two gaps are the same (below `fmt_pt`'s resolution)."""
LAST_SLACK = 0.02
"""pt a line's last character may move to share the run before it (a rounding residue of justification)."""


def _runs(segments: Sequence[Segment]) -> list[Segment]:
    """The line in as few runs (spans) as draw every character at the same place.

    A run's ``letter_spacing`` is added after each of its characters and its ``space_before`` before
    the first. A segment joins the run before it when the gap it needs before its first character is
    the run's spacing and its own characters are spaced alike; the gap it needs after its last
    character, if different, becomes the next run's margin (negative after a pulled closing mark). A run
    of one character can take any spacing, so per-character margins become one spaced run. Two Latin characters the composer measured apart stay apart: in one run they would be kerned.
Every span costs WeasyPrint about half a millisecond to lay out and draw.

    The line's end keeps its width: its last character joins a run spaced otherwise only when the
    spacing is wide (a run of its own would start a gap that text extraction reads as a space: 转向 室;
    after it the spacing does not show), not after a tightly spaced run, where a run of its own sits
    exactly at the column's edge (Pango's spacing drifts by a few hundredths of a pt a glyph).
    """
    out: list[Segment] = []
    tail = 0.0  # the spacing the last run's last character asked for after it
    for i, seg in enumerate(segments):
        if not seg.text:  # nothing to draw: its margin goes before what follows
            tail += seg.space_before
            continue
        if not out:
            out.append(Segment(seg.text, seg.style, seg.letter_spacing, tail + seg.space_before, seg.halt))
            tail = seg.letter_spacing
            continue
        run, gap = out[-1], tail + seg.space_before
        single = len(seg.text) == 1
        last = i == len(segments) - 1
        spacing = gap if len(run.text) == 1 else run.letter_spacing  # one character: any spacing after it
        same = (run.style == seg.style and run.halt == seg.halt
                and not (char_kind(run.text[-1]) == "L" and char_kind(seg.text[0]) == "L"))
        joins = (same and abs(gap - spacing) < SAME_GAP
                 and (single or abs(seg.letter_spacing - spacing) < SAME_GAP)
                 and (not last or abs(seg.letter_spacing - spacing) < SAME_GAP))
        if (last and single and not joins and same and abs(gap - run.letter_spacing) < LAST_SLACK and abs(seg.letter_spacing) < SAME_GAP
                and (run.letter_spacing >= WIDE_SPACING or abs(run.letter_spacing) < SAME_GAP)):
            joins, spacing = True, run.letter_spacing
        if joins:
            out[-1] = Segment(run.text + seg.text, seg.style, spacing, run.space_before, seg.halt)
        else:
            out.append(Segment(seg.text, seg.style, seg.letter_spacing, gap - run.letter_spacing, seg.halt))
        tail = seg.letter_spacing
    return out


def _pulled(segments: Sequence[Segment], size: float) -> list[Segment]:
    """The line's half-width marks, all but one ending the line, as full-width glyphs with half an em
    of negative spacing (see the module docstring); nothing changes when `size` is unknown (0)."""
    if size <= 0:
        return list(segments)
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        if not seg.halt:
            out.append(seg)
            continue
        for k, ch in enumerate(seg.text):
            before = seg.space_before if k == 0 else 0.0
            at_end = i == len(segments) - 1 and k == len(seg.text) - 1
            if at_end or ch not in OPENING and ch not in CLOSING:
                out.append(Segment(ch, seg.style, seg.letter_spacing, before, True))
            elif ch in OPENING:
                out.append(Segment(ch, seg.style, seg.letter_spacing, before - size / 2, False))
            else:
                out.append(Segment(ch, seg.style, seg.letter_spacing - size / 2, before, False))
    return out


def _span(seg: Segment, classes: Mapping[str, str]) -> Markup:
    """One segment: bare escaped text, or a span with its class and spacing."""
    names = []
    if seg.style:
        names.append(classes.get(seg.style, seg.style))
    if seg.halt:
        names.append("h")
    if seg.text and not seg.text.strip(FULL_WIDTH_ALONE):
        names.append("fw")
    css = []
    if seg.letter_spacing:
        css.append(f"letter-spacing:{fmt_pt(seg.letter_spacing)}")
    if seg.space_before:
        css.append(f"margin-left:{fmt_pt(seg.space_before)}")
    text = escape(seg.text)
    if not names and not css:
        return text
    attrs = ""
    if names:
        attrs += Markup(' class="{}"').format(" ".join(names))
    if css:
        attrs += Markup(' style="{}"').format(";".join(css))
    return Markup("<span{}>{}</span>").format(Markup(attrs), text)


def line_html(line: Line, classes: Mapping[str, str] | None = None, size: float = 0.0,
              indent: bool = True) -> Markup:
    """The inner HTML of one composed line set at `size` pt.

    ``classes`` maps a segment style to its CSS class (unmapped styles use
    their own name); half-width marks are pulled together (`_pulled`), or get
    class ``h`` at the line's end or when `size` is not given; the fewest
    spans that place every character (`_runs`). Without `indent` the margin
    before the line's first character is left out (see `first_indent`).
    """
    classes = classes or {}
    runs = _runs(_pulled(line.segments, size))
    if not indent and runs:
        runs[0] = replace(runs[0], space_before=0.0)
    return Markup("").join(_span(seg, classes) for seg in runs)


def first_indent(par: Composed | Sequence[Line], size: float = 0.0) -> float:
    """The margin before the first character of the first line, pt: drawn as the element's
    ``text-indent`` by `lines_html` with ``indent=False``, one span fewer a paragraph."""
    lines = par.lines if isinstance(par, Composed) else par
    runs = _runs(_pulled(lines[0].segments, size)) if lines else []
    return runs[0].space_before if runs else 0.0


def lines_html(par: Composed | Sequence[Line], classes: Mapping[str, str] | None = None,
               size: float = 0.0, indent: bool = True) -> Markup:
    """The inner HTML of composed lines (a paragraph, or some of its lines), one line per text line: for
    an element with ``white-space: pre``. Without `indent` the first line's margin before its first
    character is left out, for the element's ``text-indent`` (`first_indent`)."""
    lines = par.lines if isinstance(par, Composed) else par
    return Markup("\n").join(line_html(line, classes, size, indent or i > 0) for i, line in enumerate(lines))


COMPOSED_TAG = "kanwu-lines"
"""The element whose composed lines kanwu draws itself (`kanwu.wpext.draw_composed_lines`)."""


@dataclass(frozen=True)
class DrawnPiece:
    """Composed lines kanwu draws itself into one `COMPOSED_TAG` element."""

    size: float
    """Their size in pt."""
    lines: tuple[tuple[DrawnSegment, ...], ...]
    """Each line's segments."""

    @property
    def key(self) -> str:
        """The name the element gives it: a digest of the lines, so the HTML changes with them (a resident
        session keys its drawn pages by their HTML)."""
        return hashlib.blake2b(repr(self).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class DrawnText:
    """What kanwu's own line drawing needs besides the HTML: the faces and the pieces it names."""

    faces: Mapping[str, Any]
    """Font role → its `kanwu.fonts.ResolvedFont` (family and weight for Pango, file and index for HarfBuzz)."""
    pieces: Mapping[str, DrawnPiece]
    """`DrawnPiece.key` → the piece."""


def drawn_segments(line: Line, roles: Mapping[str, str], size: float) -> tuple[DrawnSegment, ...]:
    """One composed line as the segments kanwu draws: half-width marks pulled together as for the HTML
    (`_pulled`), each segment's style given as its font role (`roles`; unmapped styles: ``body``)."""
    return tuple(DrawnSegment(s.text, roles.get(s.style, "body"), s.letter_spacing, s.space_before, s.halt)
                 for s in _pulled(line.segments, size))


def composed_html(lines: Sequence[Line], roles: Mapping[str, str], size: float, leading: float,
                  table: dict[str, DrawnPiece]) -> Markup:
    """Composed lines for kanwu to draw: put into `table` under their key, and an empty block `leading` pt
    a line high that names them.

    WeasyPrint lays out only the empty block; `kanwu.wpext.draw_composed_lines` draws the glyphs
    (`kanwu.text.glyphs`) into it, the first baseline where the element's own strut puts it (its font
    and line height are its paragraph's), one line per `leading`. The lines themselves stay out of
    the HTML: parsing them back out of an attribute cost more than the drawing."""
    piece = DrawnPiece(size, tuple(drawn_segments(line, roles, size) for line in lines))
    key = piece.key
    table[key] = piece
    return Markup('<{0} data-k="{1}" style="display:block;height:{2}"></{0}>').format(
        Markup(COMPOSED_TAG), key, Markup(fmt_pt(len(lines) * leading)))
