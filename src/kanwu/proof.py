"""The proof (校样): the print pages with findings drawn on them, after a summary page.

The proof is made from the print PDF's bytes: a small overlay document
(stamps, frames, notes; rendered by WeasyPrint, no relayout of the issue) is
merged onto each page with pypdf, so the editors see exactly what the printer
would get.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .errors import Finding
from .layout.html import PhotoBox
from .preflight import Report
from .wpext import Placement

ROUNDS_CN = "一二三四五六七八九十"


@dataclass(frozen=True)
class Mark:
    """A red frame with a note on a proof page."""

    page: int
    x: float
    y: float
    w: float
    h: float
    text: str


def build_time() -> str:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible proofs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    t = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now()
    return t.strftime("%Y-%m-%d %H:%M")


def marks(report: Report, placement: Placement, photos: list[PhotoBox]) -> list[Mark]:
    """Frames for findings that have a place on a page."""
    out: list[Mark] = []
    for f in report.findings:
        if f.code == "overset" and f.story:
            for page, x, y, w, h in placement.boxes.get(f"story-{f.story}", [])[1:]:
                out.append(Mark(page, x, y, w, h, f"超出版面 / overset: {f.message.split('/')[0].strip()}"))
    for box in photos:
        frags = placement.boxes.get(box.id, [])
        if not frags:
            continue
        page, x, y, w, h = frags[0]
        cap = box.image.caption.value if box.image.caption else box.id
        if box.uri is None:
            out.append(Mark(page, x, y, w, h, f"缺图 {box.id}：{cap}"))
        for f in report.findings:
            if f.code == "low-resolution" and f.pos == box.image.pos:
                out.append(Mark(page, x, y, w, h, f.message.split("，")[0]))
    return out


def _where(f: Finding) -> str:
    return str(f.pos) if f.pos else (f"第{f.page}页" if f.page else "")


def make_proof(print_pdf: bytes, report: Report, placement: Placement, photos: list[PhotoBox],
               page_size: tuple[float, float], bleed: float, title: str, date: str, round_: int,
               sans_family: str, changes: list[str] | None = None) -> bytes:
    """The proof PDF: a summary page, then every print page with its marks."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject
    from weasyprint import HTML

    from .wpext import make_fetcher

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             autoescape=True)
    all_marks = marks(report, placement, photos)
    pages = [{"number": n, "marks": [m for m in all_marks if m.page == n]} for n in range(1, report.pages + 1)]
    ctx: dict[str, Any] = dict(
        width=page_size[0], height=page_size[1], bleed=bleed, sans=f'"{sans_family}"',
        round=round_, round_cn=ROUNDS_CN[round_ - 1] if 0 < round_ <= 10 else str(round_),
        title=title, date=date, layout=report.layout, pages=report.pages, built=build_time(),
        ok=report.ok, errors=sum(f.level == "error" for f in report.findings), stories=report.stories,
        findings=[{"level": f.level, "where": _where(f), "message": f.message} for f in report.findings],
        overlay_pages=pages, changes=changes)
    html = env.get_template("proof.html.j2").render(**ctx)
    overlay = HTML(string=html, url_fetcher=make_fetcher([])).write_pdf()
    over = PdfReader(io.BytesIO(overlay))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(print_pdf)))
    n_summary = len(over.pages) - len(writer.pages)
    for i, page in enumerate(writer.pages):
        page.merge_page(over.pages[n_summary + i])
    for i in reversed(range(n_summary)):
        writer.insert_page(over.pages[i], 0)
    digest = hashlib.sha256(print_pdf).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])  # noqa: SLF001 (pypdf: fixed /ID)
    writer.add_metadata({"/Title": f"{title} 校样", "/Producer": "kanwu"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
