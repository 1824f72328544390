"""Imposition: the print pages two-up on printer's sheets for saddle stitching.

An A4 bulletin goes onto A3 sheets, an A3 paper onto A2 sheets, folded once
at the spine: the page count is padded with blank pages to a multiple of 4
and the sheet sides pair the pages as the folded stack needs them. For 8
pages: 8|1, 2|7, 6|3, 4|5 (front of sheet 1, back of sheet 1, ...).

Each page is placed as a form XObject whose BBox clips it: at the spine the
cut is at the trim (the two pages meet there), on the other three sides the
bleed is kept. The sheet gets its own crop marks (around both pages), fold
marks at the spine, registration targets and a slug line.
"""
from __future__ import annotations

import io
from typing import Any

from .press import MARGIN, PressSettings, add_marks, box, fixed_id, marks_ops
from .units import MM


def sheet_order(pages: int) -> list[tuple[int | None, int | None]]:
    """(left, right) page numbers of each sheet side; None is a blank (padding) page."""
    n = (pages + 3) // 4 * 4
    sides = []
    for i in range(n // 2):
        left, right = (n - i, i + 1) if i % 2 == 0 else (i + 1, n - i)
        sides.append((left if left <= pages else None, right if right <= pages else None))
    return sides


def _form(writer: Any, page: Any, bbox: tuple[float, float, float, float]) -> Any:
    """The page's content as a form XObject clipped to `bbox` (page coordinates)."""
    from pypdf.generic import NameObject, NumberObject, StreamObject

    form = StreamObject()
    content = page.get_contents()
    form.set_data(content.get_data() if content is not None else b"")
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/FormType")] = NumberObject(1)
    form[NameObject("/BBox")] = box(bbox)
    form[NameObject("/Resources")] = page["/Resources"]
    return writer._add_object(form.flate_encode())  # noqa: SLF001


def impose_pdf(pdf: bytes, press: PressSettings, title: str, date: str) -> bytes:
    """Printer's sheets from the print PDF (its TrimBox and BleedBox tell the geometry)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    writer.pdf_header = reader.pdf_header
    if "/OutputIntents" in reader.trailer["/Root"]:
        writer._root_object[NameObject("/OutputIntents")] = reader.trailer["/Root"]["/OutputIntents"].clone(writer)  # noqa: SLF001
    src = [writer.add_page(p) for p in reader.pages]  # imported so their resources come along
    x0, y0, x1, y1 = (float(v) for v in reader.pages[0]["/TrimBox"])
    w, h, b = x1 - x0, y1 - y0, press.bleed
    margin = MARGIN if press.marks else b
    sides = sheet_order(len(src))
    sheets = []
    for number, (left, right) in enumerate(sides, 1):
        sheet = writer.add_blank_page(2 * w + 2 * margin, h + 2 * margin)
        ops, xobjects = [], DictionaryObject()
        for slot, pno in ((0, left), (1, right)):
            if pno is None:
                continue
            page = src[pno - 1]
            # keep the bleed on the outer sides only; the spine is cut at the trim
            bbox = (x0 - b if slot == 0 else x0, y0 - b, x1 if slot == 0 else x1 + b, y1 + b)
            name = f"/P{pno}"
            xobjects[NameObject(name)] = _form(writer, page, bbox)
            tx, ty = margin + slot * w - x0, margin - y0
            ops.append(f"q 1 0 0 1 {tx:.4f} {ty:.4f} cm {name} Do Q\n")
        stream = StreamObject()
        stream.set_data("".join(ops).encode())
        sheet.replace_contents(stream)
        sheet[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
        trim = (margin, margin, margin + 2 * w, margin + h)
        sheet[NameObject("/TrimBox")] = box(trim)
        sheet[NameObject("/BleedBox")] = box((trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b))
        if press.marks:
            side = "正面" if number % 2 else "反面"
            slug = (f"{title}　拼版 第{(number + 1) // 2}张{side}　{left or '空白'}｜{right or '空白'}　{date}　"
                    f"骑马订　{press.condition}　kanwu")
            add_marks(sheet, writer, marks_ops(*trim, b, slug, press.slug_font, folds=(margin + w,)))
        sheet.compress_content_streams()
        sheets.append(sheet)
    for _ in range(len(src)):  # the single pages were only imported for their resources
        writer.remove_page(0)
    writer.add_metadata({"/Title": f"{title} 拼版", "/Producer": "kanwu"})
    writer.compress_identical_objects()  # drops the imported single pages
    return fixed_id(writer, f"imposed|{title}|{date}".encode())


__all__ = ["sheet_order", "impose_pdf", "MM"]
