"""HTML for paragraphs composed by :func:`kanwu.text.compose.compose`.

A composed paragraph goes inside ``<p class="c">`` (``white-space: nowrap;
text-align: left; text-indent: 0``): its lines are separated by ``<br>`` and
every segment that needs it becomes a ``<span>`` carrying

* ``letter-spacing`` (added by WeasyPrint after every character of the span),
* ``margin-left`` (the segment's ``space_before``: indent, Han–Latin space),
* class ``h`` for ``font-feature-settings: "halt"`` (a half-width mark),
* the class of its inline style (``classes``, e.g. ``{"strong": "b"}``).

The stylesheet must define ``.h { font-feature-settings: "halt" }`` and the
style classes.  Text is always HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from markupsafe import Markup, escape

from kanwu.text.compose import Composed, Line, Segment

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


def _merged(segments: Iterable[Segment]) -> list[Segment]:
    """Join neighbours with identical style, spacing and halt (the second without margin)."""
    out: list[Segment] = []
    for seg in segments:
        if not seg.text and not seg.space_before:
            continue
        prev = out[-1] if out else None
        if (prev is not None and not seg.space_before and prev.style == seg.style
                and prev.halt == seg.halt and prev.letter_spacing == seg.letter_spacing):
            out[-1] = Segment(prev.text + seg.text, seg.style, seg.letter_spacing,
                              prev.space_before, seg.halt)
        else:
            out.append(seg)
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


def line_html(line: Line, classes: Mapping[str, str] | None = None) -> Markup:
    """The inner HTML of one composed line.

    ``classes`` maps a segment style to its CSS class (unmapped styles use
    their own name); halt segments get class ``h``.  Adjacent segments with
    identical attributes are merged to keep the markup small.
    """
    classes = classes or {}
    return Markup("").join(_span(seg, classes) for seg in _merged(line.segments))


def lines_html(par: Composed | Sequence[Line], classes: Mapping[str, str] | None = None) -> Markup:
    """The inner HTML of composed lines (a paragraph, or some of its lines): ``<br>``-separated."""
    lines = par.lines if isinstance(par, Composed) else par
    return Markup("<br>").join(line_html(line, classes) for line in lines)
