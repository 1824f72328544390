"""Ink coverage: the total area coverage (TAC) of every page, measured on separations.

Ghostscript renders each page's BleedBox into CMYK separations (``tiff32nc``,
no anti-aliasing, so every pixel is a real ink mix) and kanwu reads the sum of
the four plates per pixel. Text is taken out of the copy that is rendered:
Ghostscript 10's PDF interpreter spends ~3 s loading CJK CID fonts that
WeasyPrint subsets with their full glyph numbering, and text knocks out what
is under it, so its ink is simply its fill colour, which `kanwu.pdfcheck`
reads from the content stream. Everything else (pictures, fills, rules) is
measured here.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pdfops import InlineImage, without_text

DPI = 50  # 0.5 mm pixels: fine enough for a photo or a tint box, fast on A3
MIN_AREA_MM2 = 4.0  # ignore specks smaller than this (resampling, edges of pictures)
TOLERANCE = 2.0  # percent: JPEG and 8-bit rounding


@dataclass
class PageInk:
    """Ink on one page."""

    page: int
    """1-based page number."""
    max_tac: float
    """Highest sum of the four plates on any pixel, in percent."""
    coverage: tuple[float, float, float, float]
    """Average coverage of C, M, Y, K over the page in percent (what ``inkcov`` reports)."""
    over_area_mm2: float = 0.0
    """Area above the limit."""
    over_box: tuple[float, float, float, float] | None = None
    """Where it is: (x, y, w, h) in pt from the trim's top-left corner."""
    plates: list[str] = field(default_factory=list)
    """Plates the page uses: C, M, Y, K."""


def strip_text(pdf: bytes) -> bytes:
    """The PDF without its text objects (BT … ET) on pages and in form XObjects."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, NameObject, StreamObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))

    def drop(stream: StreamObject) -> bytes:
        try:
            return without_text(stream.get_data())
        except InlineImage:  # binary image data inline: pypdf's parser knows where it ends
            cs = ContentStream(stream, writer)
            out, inside = [], False
            for operands, op in cs.operations:
                inside = op == b"BT" or (inside and op != b"ET")
                if not inside and op != b"ET":
                    out.append((operands, op))
            cs.operations = out
            return cs.get_data()

    seen: set[int] = set()
    for page in writer.pages:
        contents = page.get_contents()
        if contents is not None:
            stream = StreamObject()
            stream.set_data(drop(contents))
            page.replace_contents(stream)
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            xo = ref.get_object()
            if id(xo) in seen or xo.get("/Subtype") != "/Form" or not isinstance(xo, StreamObject):
                continue
            seen.add(id(xo))
            xo.set_data(drop(xo))
            if "/Filter" in xo:
                del xo[NameObject("/Filter")]
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


UNRENDERED = frozenset({"/Parent", "/Font", "/Annots"})
"""Entries `graphics_keys` leaves out: the page tree, the fonts (no text is left to use them: `strip_text`
took it out of the page and its forms) and the annotations (WeasyPrint's links draw nothing)."""


def graphics_keys(stripped: bytes) -> list[bytes]:
    """For each page of a PDF whose text was taken out (`strip_text`): a digest of what Ghostscript renders
    of it (its boxes, contents and resources, pictures' data included, fonts left out). Pages with the
    same key have the same ink, though their text (and so their font subsets) differ: a session measures a
    redrawn page again only when its pictures, tints or rules changed."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    def digest(obj: object, h: Any, seen: dict[tuple[int, int], int]) -> None:
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:  # shared or cyclic: named by when it was first met
                h.update(b"R%d" % seen[ref])
                return
            seen[ref] = len(seen)
            obj = obj.get_object()
        if isinstance(obj, StreamObject):
            h.update(b"S" + hashlib.sha256(obj.get_data()).digest())
        if isinstance(obj, DictionaryObject):
            h.update(b"<<")
            for name in sorted(k for k in obj if k not in UNRENDERED):
                h.update(name.encode())
                digest(obj.get(name), h, seen)  # .get: the reference, not the object it names
            h.update(b">>")
        elif isinstance(obj, ArrayObject):
            h.update(b"[")
            for item in obj:
                digest(item, h, seen)
            h.update(b"]")
        elif not isinstance(obj, StreamObject):
            h.update(repr(obj).encode() + b" ")

    keys = []
    for page in PdfReader(io.BytesIO(stripped)).pages:
        h = hashlib.sha256()
        digest(page, h, {})
        keys.append(h.digest())
    return keys


def ghostscript() -> str | None:
    """The ``gs`` executable, if installed."""
    return shutil.which("gs")


def measure(pdf: bytes, limit: float, bleed_pt: float, dpi: int = DPI, stripped: bool = False) -> list[PageInk]:
    """Ink on every page of `pdf` (rendered over its BleedBox) against `limit` percent; `stripped`: its text
    was taken out already (`strip_text`)."""
    from PIL import Image, ImageChops

    gs = ghostscript()
    if gs is None:
        raise FileNotFoundError("gs")
    pages: list[PageInk] = []
    with tempfile.TemporaryDirectory(prefix="kanwu-ink-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf if stripped else strip_text(pdf))
        subprocess.run([gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiff32nc", f"-r{dpi}",
                        "-dUseBleedBox", f"-sOutputFile={tmp}/p%04d.tif", str(src)],
                       check=True, capture_output=True, timeout=300)
        px_mm = 25.4 / dpi
        threshold = round((limit + TOLERANCE) * 255 / 100)
        for n, path in enumerate(sorted(Path(tmp).glob("p*.tif")), 1):
            with Image.open(path) as im:
                planes = im.split()
            w, h = planes[0].size
            hist = [p.histogram() for p in planes]
            coverage = tuple(round(sum(i * c for i, c in enumerate(hg)) / (w * h) / 2.55, 2) for hg in hist)
            plates = [name for name, hg in zip("CMYK", hist) if sum(hg[1:])]
            # sum of plates per pixel in two 8-bit halves (ImageChops.add clips at 255)
            cm = ImageChops.add(planes[0], planes[1], scale=2.0)  # (c+m)/2
            yk = ImageChops.add(planes[2], planes[3], scale=2.0)  # (y+k)/2
            total = ImageChops.add(cm, yk, scale=2.0)  # (c+m+y+k)/4, 0..255
            top = total.getextrema()[1]
            mask = total.point(lambda v, t=threshold / 4: 255 if v > t else 0)
            over_px = mask.histogram()[255]
            page = PageInk(n, round(top * 4 / 2.55, 1), coverage, plates=plates)  # type: ignore[arg-type]
            area = over_px * px_mm * px_mm
            if area >= MIN_AREA_MM2:
                x0, y0, x1, y1 = mask.getbbox() or (0, 0, 0, 0)
                to_pt = 72 / dpi
                page.over_area_mm2 = round(area, 1)
                page.over_box = (x0 * to_pt - bleed_pt, y0 * to_pt - bleed_pt, (x1 - x0) * to_pt, (y1 - y0) * to_pt)
            pages.append(page)
    return pages
