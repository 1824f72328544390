"""Previews: PNG images of the pages and a contact sheet, cropped to the trim.

For a quick look or a chat message: ``<stem>.page-1.png`` … and
``<stem>.contact.png`` (all pages side by side). Rendered in-process with
pypdfium2 (PDFium) from the PDF bytes already in memory; the bleed and the
printer's marks are cut off, so a page looks as it will after trimming.
"""
from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass
class Previews:
    """PNG files as bytes."""

    pages: list[bytes]
    """One PNG per page, in order."""
    contact: bytes
    """All pages on one sheet."""


def trim_crop(page) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
    """What to cut from the rendered box (the CropBox) to keep only the TrimBox, in pt."""
    cl, cb, cr, ct = page.get_cropbox()
    tl, tb, tr, tt = page.get_trimbox()
    return (max(0.0, tl - cl), max(0.0, tb - cb), max(0.0, cr - tr), max(0.0, ct - tt))


def render_previews(pdf: bytes, dpi: float = 96, thumb_height: int = 520, per_row: int = 4) -> Previews:
    """Page PNGs at `dpi` and a contact sheet with pages `thumb_height` pixels high."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    doc = pdfium.PdfDocument(pdf)
    try:
        images = []
        for i in range(len(doc)):
            page = doc[i]
            bitmap = page.render(scale=dpi / 72, crop=trim_crop(page))
            images.append(bitmap.to_pil().convert("RGB"))
            page.close()
    finally:
        doc.close()
    pages = []
    for im in images:
        buf = io.BytesIO()
        im.save(buf, "PNG", compress_level=3)
        pages.append(buf.getvalue())
    # the contact sheet: pages on a grey ground, numbered below
    pad, label = 24, 28
    thumbs = [im.resize((max(1, round(im.width * thumb_height / im.height)), thumb_height), Image.BICUBIC,
                        reducing_gap=2.0) for im in images]
    cols = max(1, min(per_row, len(thumbs)))
    rows = -(-len(thumbs) // cols)
    cell_w = max((t.width for t in thumbs), default=1)
    sheet = Image.new("RGB", (pad + cols * (cell_w + pad), pad + rows * (thumb_height + label + pad)), (224, 224, 224))
    draw = ImageDraw.Draw(sheet)
    for n, t in enumerate(thumbs):
        x = pad + (n % cols) * (cell_w + pad) + (cell_w - t.width) // 2
        y = pad + (n // cols) * (thumb_height + label + pad)
        draw.rectangle((x - 1, y - 1, x + t.width, y + t.height), outline=(150, 150, 150))
        sheet.paste(t, (x, y))
        draw.text((x + t.width // 2, y + thumb_height + 6), str(n + 1), fill=(60, 60, 60), anchor="mt")
    buf = io.BytesIO()
    sheet.save(buf, "PNG", compress_level=3)
    return Previews(pages, buf.getvalue())
