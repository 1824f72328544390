"""Press finishing: the print PDF's boxes, printer's marks, output intent and identity.

WeasyPrint 70 caps the BleedBox at 10 pt, draws crop marks in DeviceRGB
inside the bleed and writes a random second /ID. kanwu lays the issue out
once and then post-processes those bytes with pypdf:

* TrimBox = the page, BleedBox = trim + the layout's bleed exactly, MediaBox
  (and CropBox) large enough for the marks;
* crop marks and registration targets outside the bleed, a slug line (issue,
  page, date, printing condition, plates) and a CMYK control strip, all in
  registration colour (/Separation /All) or process colours, never RGB;
  glyphs of the slug are drawn as outlines, so no extra font is embedded;
* the /OutputIntents entry names the printing condition;
* /ID is fixed: the same input gives the same bytes.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any, Sequence

from .units import MM

MARK_GAP = 2 * MM  # from the bleed edge to where a crop mark starts
MARK_LEN = 5 * MM
MARGIN = 15 * MM  # from the trim to the MediaBox edge when marks are on
REG = "/KanwuAll"  # resource name of the registration colour space


@dataclass(frozen=True)
class PressSettings:
    """What the printer asked for (from the layout's ``print:`` and the command line)."""

    bleed: float
    """Bleed in pt (the BleedBox is trim + this, exactly)."""
    marks: bool = True
    """Crop and registration marks, slug line, control strip."""
    variant: str = "pdf/x-4"
    """``pdf/x-4`` or ``pdf/x-1a``."""
    condition: str = "Custom"
    """OutputConditionIdentifier (FOGRA39, CGATS TR 002, Custom)."""
    description: str = ""
    """The output profile's description."""
    slug_font: tuple[str, int] | None = None
    """Font file and face index for the slug's outlines."""


@dataclass
class SlugInfo:
    """What the slug line says."""

    title: str
    date: str
    plates: dict[int, list[str]] = field(default_factory=dict)
    """Page → plates it uses (from the ink measurement)."""


class _PathPen:
    """A fontTools-style pen that writes PDF path operators (font units)."""

    def __init__(self, dx: float) -> None:
        self.dx, self.ops, self.cur = dx, [], (0.0, 0.0)

    def _p(self, pt: tuple[float, float]) -> str:
        return f"{pt[0] + self.dx:.1f} {pt[1]:.1f}"

    def moveTo(self, pt: tuple[float, float]) -> None:  # noqa: N802 (pen protocol)
        self.ops.append(f"{self._p(pt)} m")
        self.cur = pt

    def lineTo(self, pt: tuple[float, float]) -> None:  # noqa: N802
        self.ops.append(f"{self._p(pt)} l")
        self.cur = pt

    def curveTo(self, *pts: tuple[float, float]) -> None:  # noqa: N802
        self.ops.append(" ".join(self._p(p) for p in pts) + " c")
        self.cur = pts[-1]

    def qCurveTo(self, *pts: tuple[float, float]) -> None:  # noqa: N802
        # TrueType quadratic segments (implied on-curve points between off-curve ones) → cubic
        offs, end = list(pts[:-1]), pts[-1]
        start = self.cur
        for i, q in enumerate(offs):
            nxt = end if i == len(offs) - 1 else ((q[0] + offs[i + 1][0]) / 2, (q[1] + offs[i + 1][1]) / 2)
            c1 = (start[0] + 2 / 3 * (q[0] - start[0]), start[1] + 2 / 3 * (q[1] - start[1]))
            c2 = (nxt[0] + 2 / 3 * (q[0] - nxt[0]), nxt[1] + 2 / 3 * (q[1] - nxt[1]))
            self.curveTo(c1, c2, nxt)
            start = nxt

    def closePath(self) -> None:  # noqa: N802
        self.ops.append("h")

    def endPath(self) -> None:  # noqa: N802
        pass


def text_outlines(text: str, font: tuple[str, int], size: float, x: float, y: float) -> str:
    """PDF operators filling `text` as glyph outlines at (x, y), `size` pt; shaped with HarfBuzz."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(font[0]), font[1])
    hbfont = hb.Font(face)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(hbfont, buf)
    pen_x, ops = 0.0, []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        pen = _PathPen(pen_x + pos.x_offset)
        hbfont.draw_glyph_with_pen(info.codepoint, pen)
        ops.extend(pen.ops)
        pen_x += pos.x_advance
    scale = size / face.upem
    return f"q {scale:.6f} 0 0 {scale:.6f} {x:.3f} {y:.3f} cm\n" + "\n".join(ops) + "\nf\nQ\n"


def _circle(cx: float, cy: float, r: float) -> str:
    k = 0.5523 * r
    return (f"{cx + r:.3f} {cy:.3f} m {cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
            f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
            f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
            f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c S\n")


def marks_ops(x0: float, y0: float, x1: float, y1: float, bleed: float, slug: str,
              font: tuple[str, int] | None, folds: Sequence[float] = ()) -> str:
    """Crop marks, registration targets, control strip and slug around the trim (x0, y0)–(x1, y1).

    `folds` are x positions of fold/spine lines on an imposed sheet (short marks top and bottom).
    """
    off, end = bleed + MARK_GAP, bleed + MARK_GAP + MARK_LEN
    out = [f"q {REG} CS 1 SCN {REG} cs 1 scn 0.25 w 0 J\n"]
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            out.append(f"{x + sx * off:.3f} {y:.3f} m {x + sx * end:.3f} {y:.3f} l S\n")  # horizontal
            out.append(f"{x:.3f} {y + sy * off:.3f} m {x:.3f} {y + sy * end:.3f} l S\n")  # vertical
    for fx in folds:  # dashed fold marks, where the sheet is folded at the spine
        out.append(f"[2 2] 0 d {fx:.3f} {y1 + off:.3f} m {fx:.3f} {y1 + end:.3f} l S "
                   f"{fx:.3f} {y0 - off:.3f} m {fx:.3f} {y0 - end:.3f} l S [] 0 d\n")
    mid = (off + end) / 2
    r = 2.2 * MM
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for tx, ty in ((cx, y1 + mid), (cx, y0 - mid), (x0 - mid, cy), (x1 + mid, cy)):
        out.append(_circle(tx, ty, r))
        out.append(f"{tx - r * 1.6:.3f} {ty:.3f} m {tx + r * 1.6:.3f} {ty:.3f} l S "
                   f"{tx:.3f} {ty - r * 1.6:.3f} m {tx:.3f} {ty + r * 1.6:.3f} l S\n")
    # control strip: solid C, M, Y, K and a 50% K patch, above the top edge right of the target
    s = 4 * MM
    for i, cmyk in enumerate(("1 0 0 0", "0 1 0 0", "0 0 1 0", "0 0 0 1", "0 0 0 0.5")):
        out.append(f"{cmyk} k {cx + 10 * MM + i * s:.3f} {y1 + off:.3f} {s:.3f} {s:.3f} re f\n")
    out.append(f"{REG} cs 1 scn\n")
    if font and slug:
        out.append(text_outlines(slug, font, 6.0, x0, y0 - end - 3 * MM))
    out.append("Q\n")
    return "".join(out)


def registration_space() -> Any:
    """[/Separation /All /DeviceCMYK f]: a tint of 1 puts 100% on every plate."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject

    fn = DictionaryObject({NameObject("/FunctionType"): NumberObject(2),
                           NameObject("/Domain"): ArrayObject([NumberObject(0), NumberObject(1)]),
                           NameObject("/C0"): ArrayObject([FloatObject(0)] * 4),
                           NameObject("/C1"): ArrayObject([FloatObject(1)] * 4),
                           NameObject("/N"): NumberObject(1)})
    return ArrayObject([NameObject("/Separation"), NameObject("/All"), NameObject("/DeviceCMYK"), fn])


def box(values: Sequence[float]) -> Any:
    """A PDF rectangle."""
    from pypdf.generic import ArrayObject, FloatObject

    return ArrayObject([FloatObject(round(v, 4)) for v in values])


def add_marks(page: Any, writer: Any, ops: str) -> None:
    """Append `ops` to `page`, after wrapping its own content in q/Q so its state cannot leak."""
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    content = page.get_contents()
    data = content.get_data() if content is not None else b""
    stream = StreamObject()
    stream.set_data(b"q\n" + data + b"\nQ\n" + ops.encode("latin-1"))
    page.replace_contents(stream)
    res = page["/Resources"].get_object()
    if "/ColorSpace" not in res:
        res[NameObject("/ColorSpace")] = DictionaryObject()
    spaces = res["/ColorSpace"].get_object()
    if REG not in spaces:
        spaces[NameObject(REG)] = writer._add_object(registration_space())  # noqa: SLF001


def set_boxes(page: Any, trim: tuple[float, float, float, float], bleed: float, margin: float) -> None:
    """TrimBox, BleedBox = trim + bleed, MediaBox = CropBox = trim + margin; no ArtBox."""
    from pypdf.generic import NameObject

    x0, y0, x1, y1 = trim
    page[NameObject("/TrimBox")] = box(trim)
    page[NameObject("/BleedBox")] = box((x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed))
    media = box((x0 - margin, y0 - margin, x1 + margin, y1 + margin))
    page[NameObject("/MediaBox")] = media
    page[NameObject("/CropBox")] = box(list(media))
    if "/ArtBox" in page:
        del page["/ArtBox"]


def fix_output_intent(writer: Any, settings: PressSettings) -> None:
    """Name the printing condition in the /OutputIntents entry WeasyPrint wrote."""
    from pypdf.generic import NameObject, TextStringObject

    intents = writer._root_object.get("/OutputIntents")  # noqa: SLF001
    if not intents:
        return
    intent = intents[0].get_object()
    intent[NameObject("/S")] = NameObject("/GTS_PDFX")
    intent[NameObject("/OutputConditionIdentifier")] = TextStringObject(settings.condition)
    intent[NameObject("/OutputCondition")] = TextStringObject(settings.description)
    intent[NameObject("/Info")] = TextStringObject(settings.description)
    if settings.condition != "Custom":
        intent[NameObject("/RegistryName")] = TextStringObject("http://www.color.org")


def fixed_id(writer: Any, stable: bytes) -> bytes:
    """Write with /ID = [issue identity, hash of this content]: equal inputs give equal bytes.

    WeasyPrint's own second ID is random, so the content hash is taken from a
    first write with a provisional ID, then the file is written again.
    """
    from pypdf.generic import ArrayObject, ByteStringObject

    first = ByteStringObject(hashlib.md5(stable).digest())  # noqa: S324 (an identifier, not security)
    writer._ID = ArrayObject([first, first])  # noqa: SLF001
    buf = io.BytesIO()
    writer.write(buf)
    second = ByteStringObject(hashlib.md5(buf.getvalue()).digest())  # noqa: S324
    writer._ID = ArrayObject([first, second])  # noqa: SLF001
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def fixed_xmp_id(writer: Any, stable: bytes) -> None:
    """WeasyPrint's XMP carries a random xmpMM:DocumentID; derive it from the issue instead."""
    import re
    import uuid

    meta = writer._root_object.get("/Metadata")  # noqa: SLF001
    if meta is None:
        return
    stream = meta.get_object()
    data = stream.get_data()
    doc_id = uuid.UUID(bytes=hashlib.md5(b"xmp|" + stable).digest())  # noqa: S324
    stream.set_data(re.sub(rb"xmp\.did:[0-9a-fA-F-]{36}", f"xmp.did:{doc_id}".encode(), data))


def finish(pdf: bytes, settings: PressSettings, slug: SlugInfo, identifier: bytes) -> bytes:
    """The press-ready PDF from WeasyPrint's bytes."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    n = len(writer.pages)
    margin = max(MARGIN, settings.bleed + MARK_GAP + MARK_LEN + 5 * MM) if settings.marks else settings.bleed
    for i, page in enumerate(writer.pages, 1):
        tb = page.get("/TrimBox") or page.mediabox
        trim = tuple(float(v) for v in tb)
        set_boxes(page, trim, settings.bleed, margin)  # type: ignore[arg-type]
        if settings.marks:
            plates = " ".join(slug.plates.get(i, [])) or "CMYK"
            text = (f"{slug.title}　第{i}页／共{n}页　{slug.date}　{settings.condition}　色版 {plates}　"
                    f"裁切 {(trim[2] - trim[0]) / MM:.0f}×{(trim[3] - trim[1]) / MM:.0f} mm　出血 "
                    f"{settings.bleed / MM:.0f} mm　kanwu")
            add_marks(page, writer, marks_ops(*trim, settings.bleed, text, settings.slug_font))  # type: ignore[misc]
        page.compress_content_streams()
    fix_output_intent(writer, settings)
    fixed_xmp_id(writer, identifier)
    return fixed_id(writer, identifier)


__all__ = ["PressSettings", "SlugInfo", "finish", "marks_ops", "set_boxes", "add_marks", "fixed_id"]
