"""Check what was drawn: ink must be present where the layout placed text and pictures.

Everything before this judges what kanwu asked for; this judges what the print
PDF will put on paper. A font whose glyphs draw nothing, text in paper colour,
a picture that converted to white: each leaves a place the layout filled
blank, and nothing else notices. The print PDF is rendered (PDFium, in
process, at `DPI`, cropped to the trim) and every expected place is looked at:
a place where less than `MIN_INKED` of the pixels carry any ink is a
``nothing-drawn`` error naming what was placed there.

The interface is deliberately plain, independent of how pages are made up: the
PDF's bytes and a list of rectangles (page, x, y, w, h, what) in pt from the
trim's top-left corner.

Why not the ink measurement's render (`kanwu.inkcov`)? Ghostscript renders
separations there with the text taken out (loading CJK fonts costs it seconds),
and PDFium cannot render separations; PDFium renders text in milliseconds and
shows any ink as a darker pixel, which is all this check needs.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple

from .errors import Finding, Pos

DPI = 24
"""1 mm pixels: a line of 9 pt text is three pixels high, and an A3 page renders in ~0.1 s."""
PAPER = 250
"""A pixel whose every RGB channel is above this carries no ink (a 2 % tint of any process ink is below)."""
MIN_INKED = 0.005
"""Below this share of inked pixels a place counts as blank (text covers 25 % and more at this resolution)."""
INSET = 1
"""Pixels left out at each edge of a place: the edge of what stands next to it is not its ink."""


class Expected(NamedTuple):
    """A place where the layout put something that must print."""

    page: int
    """1-based page number."""
    x: float
    """Left edge in pt from the trim's left edge."""
    y: float
    """Top edge in pt from the trim's top edge."""
    w: float
    """Width in pt."""
    h: float
    """Height in pt."""
    what: str
    """How messages name it (``图片 images/a.jpg``, ``稿件 lead``); places with one name make one finding."""
    story: str | None = None
    """The story it belongs to (for the report and the proof's marks)."""
    pos: Pos | None = None
    """Where it is written in the source, when known."""


def nothing_drawn(pdf: bytes, expected: Iterable[Expected | tuple]) -> list[Finding]:  # type: ignore[type-arg]
    """A ``nothing-drawn`` error for everything placed in `expected` whose places are blank in `pdf`."""
    return blank_findings(blank_places(pdf, expected))


def blank_places(pdf: bytes, expected: Iterable[Expected | tuple]) -> list[Expected]:  # type: ignore[type-arg]
    """The places of `expected` that are blank in `pdf` (a page is judged by itself alone)."""
    places = [Expected(*e) for e in expected]
    return blank_in(render_pages(pdf, {e.page for e in places}), places)


def blank_in(pages: dict[int, object], expected: Iterable[Expected]) -> list[Expected]:
    """The places of `expected` that are blank on `pages` (page number → the page rendered in RGB at `DPI`,
    cropped to the trim: `render_pages`, or a preview's render shrunk to it)."""
    return [e for e in expected if e.page in pages and _blank(pages[e.page], e)]


def blank_findings(places: Iterable[Expected]) -> list[Finding]:
    """One ``nothing-drawn`` error per thing (`Expected.what`) with blank places, naming all its pages."""
    blank: dict[str, list[Expected]] = {}
    for e in places:
        blank.setdefault(e.what, []).append(e)
    out = []
    for what, where in blank.items():
        first = where[0]
        page_list = "、".join(str(p) for p in sorted({e.page for e in where}))
        more = f"（{len(where)} 处）" if len(where) > 1 else ""
        out.append(Finding(
            "error", "nothing-drawn",
            f"第{page_list}页 {what}{more}：版面上排了，印刷文件里却是一片空白（字形或图片没有画出来，或颜色与纸相同）/ "
            f"page {page_list}: nothing is drawn where {what} was placed (glyphs or picture missing, or paper colour)",
            first.pos, story=first.story, page=first.page,
            data=(("element", what), ("places", len(where)))))
    return out


def render_pages(pdf: bytes, numbers: set[int], dpi: float = DPI) -> dict[int, object]:
    """Page number → the page rendered in RGB at `dpi`, cropped to the trim (only the pages in `numbers`)."""
    import pypdfium2 as pdfium

    from .previews import trim_crop

    doc = pdfium.PdfDocument(pdf)
    out = {}
    try:
        for n in sorted(numbers):
            if not 1 <= n <= len(doc):
                continue
            page = doc[n - 1]
            out[n] = page.render(scale=dpi / 72, crop=trim_crop(page)).to_pil().convert("RGB")
            page.close()
    finally:
        doc.close()
    return out


def _blank(image: object, e: Expected, dpi: float = DPI) -> bool:
    """Whether `e`'s place on the rendered page carries (almost) no ink; False when too small to judge."""
    from PIL import ImageChops

    s = dpi / 72
    width, height = image.size  # type: ignore[attr-defined]
    # only what lies on the trimmed page (a bled picture reaches beyond it)
    box = (max(0, round(e.x * s) + INSET), max(0, round(e.y * s) + INSET),
           min(width, round((e.x + e.w) * s) - INSET), min(height, round((e.y + e.h) * s) - INSET))
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        return False
    r, g, b = image.crop(box).split()  # type: ignore[attr-defined]
    darkest = ImageChops.darker(ImageChops.darker(r, g), b)
    hist = darkest.histogram()
    return sum(hist[:PAPER + 1]) < MIN_INKED * sum(hist)
