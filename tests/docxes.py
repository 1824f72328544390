"""Word documents made for the import tests with python-docx itself (no binary fixtures).

`correspondent` writes a document as a correspondent sends one: a title, a
byline, bold and italic runs, two 小标题 (a heading style and a line bold as
a whole), a bulleted and a numbered list, two photos each with its caption
line, a table. `inject` adds raw WordprocessingML (tracked changes, text
boxes) that python-docx has no API for; `rezip` rewrites a package's members
to make hostile ones.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm
from PIL import Image

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def photo(colour: str, size: tuple[int, int] = (1600, 1200), fmt: str = "JPEG") -> bytes:
    """A small generated photo (a flat colour with a stripe, so its bytes differ per colour)."""
    im = Image.new("RGB", size, colour)
    im.paste((255, 255, 255), (0, size[1] // 2, size[0], size[1] // 2 + 40))
    out = io.BytesIO()
    im.save(out, fmt, quality=92) if fmt == "JPEG" else im.save(out, fmt)
    return out.getvalue()


PHOTOS = (photo("#b03020"), photo("#2050a0"))
TITLE = "鞍山五村开展垃圾分类宣传活动"
TABLE = (("时间", "地点", "参加人数"), ("12月1日", "鞍山五村", "120人"))


def correspondent(path: Path) -> Path:
    """The done-when document: everything a correspondent's story has, a table included."""
    d = Document()
    d.add_paragraph(TITLE, style="Title")
    d.add_paragraph("（社区宣文办）").alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = d.add_paragraph("　　近日，")
    p.add_run("鞍山五村居民区").bold = True
    p.add_run("联合物业开展了")
    p.add_run("垃圾分类").italic = True
    p.add_run("宣传活动，志愿者发放宣传资料300余份。")
    d.add_heading("一、入户宣传　面对面讲解", level=1)
    d.add_paragraph("志愿者挨家挨户上门，讲解四分类的要求：")
    d.add_paragraph("湿垃圾要破袋投放", style="List Bullet")
    d.add_paragraph("有害垃圾单独投放", style="List Bullet")
    d.add_paragraph().add_run().add_picture(io.BytesIO(PHOTOS[0]), width=Cm(12))
    cap = d.add_paragraph("图为志愿者入户宣传垃圾分类知识")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph().add_run("二、现场答疑　手把手指导").bold = True
    d.add_paragraph("活动现场设置了咨询台，分三步进行：")
    d.add_paragraph("讲解分类标准", style="List Number")
    d.add_paragraph("演示投放方法", style="List Number")
    d.add_paragraph().add_run().add_picture(io.BytesIO(PHOTOS[1]), width=Cm(12))
    d.add_paragraph("居民现场体验分类投放").alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = d.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, row in enumerate(TABLE):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_paragraph("下一步，居民区将继续做好垃圾分类的常态长效工作。")
    d.add_paragraph("通讯员　张三")
    d.save(path)
    return path


def simple(path: Path, *paragraphs: str, title: str = "社区简讯") -> Path:
    """A document with a title and plain paragraphs."""
    d = Document()
    d.add_paragraph(title, style="Title")
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(path)
    return path


def inject(path: Path, xml: str, title: str = "社区简讯") -> Path:
    """A document with a title and one paragraph made of raw WordprocessingML `xml` (inside ``<w:p>``)."""
    d = Document()
    d.add_paragraph(title, style="Title")
    p = d.add_paragraph("正文开头。")
    for el in parse_xml(f"<w:p {NS}>{xml}</w:p>"):
        p._p.append(el)
    d.save(path)
    return path


def rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """A copy of the package `src` with members replaced and added (names written as given)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, (replace or {}).get(info.filename, zin.read(info)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width` × `height` pixels but holds almost nothing (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def numbering(document, fmt: str, text: str, start: int = 1) -> str:
    """A new one-level list numbering in `document` (Word's `fmt`, label `text` such as ``%1、``); its numId."""
    root = document.part.numbering_part.element
    abstract_id = str(900 + len(root))
    num_id = str(900 + len(root) + 1)
    abstract = parse_xml(f'<w:abstractNum {NS} w:abstractNumId="{abstract_id}"><w:lvl w:ilvl="0">'
                         f'<w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
                         '</w:abstractNum>')
    first_num = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        root.append(abstract)
    root.append(parse_xml(f'<w:num {NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def numbered(paragraph, num_id: str, level: int = 0) -> None:
    """Make `paragraph` an item of list `num_id` (as Word writes it: ``w:numPr`` in the paragraph)."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {NS}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
