"""HTML for paragraphs composed by :func:`kanwu.text.compose.compose`.

A composed paragraph goes inside ``<p class="c">`` (``white-space: nowrap;
text-align: left; text-indent: 0``): its lines are separated by ``<br>`` and
every segment that needs it becomes a ``<span>`` carrying

* ``letter-spacing`` (added by WeasyPrint after every character of the span),
* ``margin-left`` (the segment's ``space_before``: indent, Han–Latin space),
* class ``h`` for ``font-feature-settings: "halt"`` (a half-width mark),
* the class of its inline style (``classes``, e.g. ``{"strong": "b"}``).

A half-width mark inside a line (the composer's ``halt``) is drawn as the
full-width glyph pulled together with negative spacing: half an em off after
a closing mark, before an opening one. It looks the same as OpenType
``halt``, works in faces without it (LXGW WenKai), and copies out of the PDF
as typed: a halt-shaped glyph is a run whose shortened advance text
extractors read as a gap, a space after the mark (边办， 找问题). At a line's
end the mark keeps ``halt`` (its blank half would overflow unseen anyway).

The stylesheet must define ``.h { font-feature-settings: "halt" }`` and the
style classes.  Text is always HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from markupsafe import Markup, escape

from kanwu.text.compose import CLOSING, OPENING, Composed, Line, Segment

__all__ = ["lines_html", "line_html", "fmt_pt"]


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


def _merged(segments: Iterable[Segment]) -> list[Segment]:
    """Join neighbours with identical style, spacing and halt (the second without margin), and a
    line's unspaced last character with the run before it."""
    out: list[Segment] = []
    segments = list(segments)
    for i, seg in enumerate(segments):
        if not seg.text and not seg.space_before:
            continue
        prev = out[-1] if out else None
        # a line's last character is not spaced; after a widely spaced run it shares the run (the
        # spacing after it does not show): a run of its own would start a gap that text extraction
        # reads as a space (转向 室). Not after a tightly spaced run, where a run of its own puts it
        # exactly at the column's edge (Pango's spacing drifts by a few hundredths of a pt a glyph).
        last = (i == len(segments) - 1 and len(seg.text) == 1 and not seg.letter_spacing
                and seg.space_before < 0.02 and prev is not None and prev.letter_spacing >= WIDE_SPACING)
        if (prev is not None and (not seg.space_before or last) and prev.style == seg.style
                and prev.halt == seg.halt and (prev.letter_spacing == seg.letter_spacing or last)):
            out[-1] = Segment(prev.text + seg.text, seg.style, prev.letter_spacing,
                              prev.space_before, seg.halt)
        else:
            out.append(seg)
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


def line_html(line: Line, classes: Mapping[str, str] | None = None, size: float = 0.0) -> Markup:
    """The inner HTML of one composed line set at `size` pt.

    ``classes`` maps a segment style to its CSS class (unmapped styles use
    their own name); half-width marks are pulled together (`_pulled`), or get
    class ``h`` at the line's end or when `size` is not given.  Adjacent
    segments with identical attributes are merged to keep the markup small.
    """
    classes = classes or {}
    return Markup("").join(_span(seg, classes) for seg in _merged(_pulled(line.segments, size)))


def lines_html(par: Composed | Sequence[Line], classes: Mapping[str, str] | None = None,
               size: float = 0.0) -> Markup:
    """The inner HTML of composed lines (a paragraph, or some of its lines): ``<br>``-separated."""
    lines = par.lines if isinstance(par, Composed) else par
    return Markup("<br>").join(line_html(line, classes, size) for line in lines)
