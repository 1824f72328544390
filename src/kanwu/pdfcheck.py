"""Checks on the finished print PDF itself, the way a printer's preflight reads it.

Everything here reads the written bytes with pypdf, not kanwu's intentions:
colour spaces of every object (no DeviceRGB anywhere), the colour operators
of every content stream (no ``rg``/``RG``; text fill colours: body black must
be K only, no text above the ink limit), fonts (embedded and subset) and,
for PDF/X-1a, transparency.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from .pdfops import InlineImage, operations

RGB_NAMES = {"/DeviceRGB", "/CalRGB"}
RGB_OPS = {b"rg", b"RG"}
SHOW_OPS = {b"Tj", b"TJ", b"'", b'"'}
SUBSET = re.compile(r"^/?[A-Z]{6}\+")


@dataclass
class PdfFacts:
    """What the print PDF contains."""

    rgb: list[str] = field(default_factory=list)
    """Where RGB was found (object or page and operator)."""
    text_colours: dict[int, set[tuple[float, ...]]] = field(default_factory=dict)
    """Page → CMYK fill colours used for text."""
    fonts: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    """Base font name → (embedded, subset)."""
    transparency: list[str] = field(default_factory=list)
    """Soft masks and constant alpha below 1 (forbidden in PDF/X-1a)."""
    output_intents: int = 0
    """Number of /OutputIntents entries."""


def _walk(obj: Any, seen: set[int]) -> Iterator[Any]:
    """Every direct value reachable from `obj`, following references once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [obj]
    while stack:
        cur = stack.pop()
        if isinstance(cur, IndirectObject):
            key = cur.idnum
            if key in seen:
                continue
            seen.add(key)
            cur = cur.get_object()
        yield cur
        if isinstance(cur, DictionaryObject):
            stack.extend(v for k, v in cur.items() if k != "/Parent")
        elif isinstance(cur, ArrayObject):
            stack.extend(cur)


def _ops(content: Any, reader: Any) -> Iterator[tuple[list[Any], bytes]]:
    """The operators of a content stream (fast; through pypdf for a stream with an inline image)."""
    from pypdf.generic import ContentStream

    data = content.get_data() if content is not None else b""
    try:
        for operands, op, _, _ in operations(data):
            yield [o.decode("latin-1") if o.startswith(b"/") else o for o in operands], op
    except InlineImage:
        yield from ((list(o), op) for o, op in ContentStream(content, reader).operations)


def _colour_ops(content: Any, reader: Any, page: int, facts: PdfFacts) -> None:
    """Scan one content stream's operators: RGB operators and text fill colours."""
    fill: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)
    space = "/DeviceGray"
    for operands, op in _ops(content, reader):
        if op in RGB_OPS:
            facts.rgb.append(f"第{page}页 “{op.decode()}” 运算符 / page {page}: `{op.decode()}` operator")
        elif op == b"cs":
            space = str(operands[0])
        elif op == b"k":
            fill = tuple(float(v) for v in operands)
        elif op == b"g":
            fill = (0.0, 0.0, 0.0, 1.0 - float(operands[0]))
        elif op in (b"scn", b"sc") and space == "/DeviceCMYK" and len(operands) == 4:
            fill = tuple(float(v) for v in operands)
        elif op in SHOW_OPS:
            facts.text_colours.setdefault(page, set()).add(tuple(round(v, 3) for v in fill))


def inspect(pdf: bytes) -> PdfFacts:
    """Read `pdf` and collect the facts the checks need."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    reader = PdfReader(io.BytesIO(pdf))
    facts = PdfFacts()
    facts.output_intents = len(reader.trailer["/Root"].get("/OutputIntents", []))
    seen: set[int] = set()
    forms_done: set[int] = set()
    for number, page in enumerate(reader.pages, 1):
        _colour_ops(page.get_contents(), reader, number, facts)
        for value in _walk(page.get("/Resources"), seen):
            if isinstance(value, NameObject) and value in RGB_NAMES:
                facts.rgb.append(f"第{number}页 {value} 颜色空间 / page {number}: {value} colour space")
            if not isinstance(value, DictionaryObject):
                continue
            if value.get("/Type") == "/Font" and "/BaseFont" in value:
                _font(value, facts)
            if value.get("/Type") == "/ExtGState":
                smask = value.get("/SMask")
                if (smask is not None and smask != "/None") or float(value.get("/ca", 1)) < 1 \
                        or float(value.get("/CA", 1)) < 1:
                    facts.transparency.append(f"第{number}页 / page {number}")
            if isinstance(value, StreamObject) and value.get("/Subtype") == "/Form" and id(value) not in forms_done:
                forms_done.add(id(value))
                _colour_ops(value, reader, number, facts)
            if isinstance(value, StreamObject) and value.get("/Subtype") == "/Image" and "/SMask" in value:
                facts.transparency.append(f"第{number}页图片蒙版 / page {number}: image soft mask")
            if value.get("/N") == 3 and isinstance(value, StreamObject) and "/Alternate" not in value:
                facts.rgb.append(f"第{number}页 3 通道 ICC 颜色空间 / page {number}: 3-channel ICCBased")
    return facts


def _font(font: Any, facts: PdfFacts) -> None:
    """Record whether a font dictionary's program is embedded, and subset."""
    name = str(font["/BaseFont"])
    target = font
    if font.get("/Subtype") == "/Type0":
        target = font["/DescendantFonts"][0].get_object()
    if font.get("/Subtype") == "/Type3":
        facts.fonts[name] = (True, True)  # drawn glyph procedures: nothing to embed
        return
    desc = target.get("/FontDescriptor")
    desc = desc.get_object() if desc is not None else {}
    embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    facts.fonts[name] = (embedded, bool(SUBSET.match(name.lstrip("/"))))
