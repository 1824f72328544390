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
    import numpy as np
    from PIL import Image

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
        threshold = round((limit + TOLERANCE) * 255 / 100)
        for n, path in enumerate(sorted(Path(tmp).glob("p*.tif")), 1):
            with Image.open(path) as im:
                pages.append(page_ink(n, np.asarray(im), threshold, dpi, bleed_pt))
    return pages


def page_ink(number: int, plates: Any, threshold: int, dpi: int, bleed_pt: float) -> PageInk:
    """A page's ink from its separations (an array of height × width × CMYK bytes) against `threshold`
    (the limit plus the tolerance, in 0-255 per plate)."""
    import numpy as np

    h, w, _ = plates.shape
    wide = plates.astype(np.int32)
    sums = wide.reshape(-1, 4).sum(axis=0)
    coverage = tuple(round(int(total) / (w * h) / 2.55, 2) for total in sums)
    used = [name for name, total in zip("CMYK", sums) if total]
    # the sum of the plates per pixel, a quarter of it in 0..255 (halved twice, as 8-bit images add)
    total = ((wide[..., 0] + wide[..., 1]) // 2 + (wide[..., 2] + wide[..., 3]) // 2) // 2
    page = PageInk(number, round(int(total.max()) * 4 / 2.55, 1), coverage, plates=used)  # type: ignore[arg-type]
    over = total > threshold / 4
    px_mm = 25.4 / dpi
    area = int(over.sum()) * px_mm * px_mm
    if area >= MIN_AREA_MM2:
        rows, cols = np.flatnonzero(over.any(axis=1)), np.flatnonzero(over.any(axis=0))
        x0, y0, x1, y1 = int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1
        to_pt = 72 / dpi
        page.over_area_mm2 = round(area, 1)
        page.over_box = (x0 * to_pt - bleed_pt, y0 * to_pt - bleed_pt, (x1 - x0) * to_pt, (y1 - y0) * to_pt)
    return page
