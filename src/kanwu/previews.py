"""Previews: PNG images of the pages and a contact sheet, cropped to the trim.

For a quick look or a chat message: ``<stem>.page-1.png`` … and
``<stem>.contact.png`` (all pages side by side). Rendered in-process with
pypdfium2 (PDFium) from the PDF bytes already in memory; the bleed and the
printer's marks are cut off, so a page looks as it will after trimming.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any, Sequence

from .forked import Child, Died, died

Thumb = tuple[tuple[int, int], bytes]
"""A page's thumbnail for the contact sheet: its size and its RGB bytes."""
PREVIEW_DPI = 96
"""Resolution of the page previews (CSS's screen size)."""
Raster = tuple[tuple[int, int], bytes]
"""A page rendered in RGB: its size and its bytes."""


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


class PreviewJob:
    """Previews being rendered by forked processes while the caller does other work.

    The processes are forked when the job starts, from the calling thread (a fork
    from a second thread could copy a lock the first holds); one that dies is an
    error (`kanwu.forked`), never a wait for ever. With ``fork=False`` the pages
    are rendered at once, in this process (for a page or two, quicker than
    starting processes)."""

    def __init__(self, pdf: bytes, processes: int = 1, dpi: float = PREVIEW_DPI, thumb_height: int = 520,
                 per_row: int = 4, pages: Sequence[int] | None = None, fork: bool = True,
                 reduce: int | None = None, shoot: bool = True) -> None:
        """With `reduce`, each page's render also comes back shrunk by that factor (an average of each square
        of pixels, `rasters`): what `kanwu.drawn` looks at for blank places, without rendering the pages again.
        Without `shoot`, no PNG and no thumbnail are made (the renders only, for `rasters`)."""
        import pypdfium2 as pdfium

        if pages is None:
            with pdfium.PdfDocument(pdf) as doc:
                pages = range(len(doc))
        size = max(1, -(-len(pages) // max(1, processes)))
        runs = [(pdf, list(pages[i:i + size]), dpi, thumb_height, reduce, shoot) for i in range(0, len(pages), size)]
        self.thumb_height, self.per_row = thumb_height, per_row
        self.children: list[Child] = []
        self.done: list[list[tuple[bytes, Thumb, Raster | None]]] | None = None
        if fork:
            for run in runs:
                self.children.append(Child(_render_pages, *run))
        else:
            self.done = [_render_pages(*run) for run in runs]

    def _wait(self) -> list[tuple[bytes, Thumb, Raster | None]]:
        if self.done is None:
            try:
                self.done = [child.result() for child in self.children]
            except Died as exc:
                raise died("生成预览图", "rendering the previews", exc) from None
            finally:
                for child in self.children:
                    child.kill()
        return [shot for part in self.done for shot in part]

    def shots(self) -> list[tuple[bytes, Thumb]]:
        """Each page's PNG and thumbnail, in the order asked (waits for the processes)."""
        return [(png, thumb) for png, thumb, _ in self._wait()]

    def rasters(self) -> list[Raster | None]:
        """Each page's render shrunk by the job's `reduce` (None without), in the order asked (waits)."""
        return [raster for _, _, raster in self._wait()]

    def result(self) -> Previews:
        """The page PNGs and the contact sheet (waits for the processes)."""
        shots = self.shots()
        return Previews([png for png, _ in shots], contact_sheet([t for _, t in shots], self.thumb_height,
                                                                 self.per_row))


def render_previews(pdf: bytes, processes: int = 1) -> Previews:
    """Page PNGs (96 dpi) and a contact sheet, rendered by `processes` forked processes."""
    return PreviewJob(pdf, processes).result()


def _render_pages(pdf: bytes, indices: Sequence[int], dpi: float, thumb_height: int,
                  reduce: int | None = None, shoot: bool = True) -> list[tuple[bytes, Thumb, Raster | None]]:
    """The PNG of each page of `indices` (0-based), its thumbnail for the contact sheet (none without
    `shoot`) and, with `reduce`, the render shrunk by that factor (1: as rendered)."""
    import pypdfium2 as pdfium
    from PIL import Image

    shots = []
    doc = pdfium.PdfDocument(pdf)
    try:
        for i in indices:
            page = doc[i]
            im = page.render(scale=dpi / 72, crop=trim_crop(page)).to_pil().convert("RGB")
            page.close()
            small = (im.reduce(reduce) if reduce > 1 else im) if reduce else None
            raster = (small.size, small.tobytes()) if small else None
            if not shoot:
                shots.append((b"", ((0, 0), b""), raster))
                continue
            # a thumbnail a third as high: box-averaged by an integer factor first, the rest bicubic
            t = im.resize((max(1, round(im.width * thumb_height / im.height)), thumb_height), Image.BICUBIC,
                          reducing_gap=1.0)
            shots.append((png_bytes(im), (t.size, t.tobytes()), raster))
    finally:
        doc.close()
    return shots


def contact_sheet(thumbs: Sequence[Thumb], thumb_height: int = 520, per_row: int = 4) -> bytes:
    """The contact sheet: pages on a grey ground, numbered below."""
    from PIL import Image, ImageDraw

    pad, label = 24, 28
    images = [Image.frombytes("RGB", size, data) for size, data in thumbs]
    cols = max(1, min(per_row, len(images)))
    rows = -(-len(images) // cols)
    cell_w = max((t.width for t in images), default=1)
    sheet = Image.new("RGB", (pad + cols * (cell_w + pad), pad + rows * (thumb_height + label + pad)), (224, 224, 224))
    draw = ImageDraw.Draw(sheet)
    for n, t in enumerate(images):
        x = pad + (n % cols) * (cell_w + pad) + (cell_w - t.width) // 2
        y = pad + (n // cols) * (thumb_height + label + pad)
        draw.rectangle((x - 1, y - 1, x + t.width, y + t.height), outline=(150, 150, 150))
        sheet.paste(t, (x, y))
        draw.text((x + t.width // 2, y + thumb_height + 6), str(n + 1), fill=(60, 60, 60), anchor="mt")
    return png_bytes(sheet)


def png_bytes(image: Any) -> bytes:
    """An RGB image as a PNG file: rows unfiltered, deflated at zlib's fastest level. A third quicker than
    PIL's encoder (which tries five filters on every row) and a fifth smaller on pages of text: a page's
    preview is most of the time its previews take after PDFium's render."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    height, width, _ = rgb.shape
    rows = np.zeros((height, width * 3 + 1), dtype=np.uint8)  # filter byte 0 (none) before every row
    rows[:, 1:] = rgb.reshape(height, width * 3)
    return b"".join([b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
                     _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)), _chunk(b"IEND", b"")])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
