"""Reading a Word document's body into plain lines: text runs with bold and italic, pictures, list marks.

The WordprocessingML is walked directly (python-docx's objects skip runs
inside tracked insertions, hyperlinks and content controls): every paragraph
becomes one or more `Line`s (a manual line break starts a new line in a
plain paragraph, as the correspondent saw it), a table becomes a line per
row. What a story cannot hold (text boxes, footnotes, comments, tracked
changes, hidden text, equations, embedded objects, headers) is reported as a
warning naming the paragraph and its first words, never dropped in silence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Collector, Pos
from .styles import ListMark, Numbering, ParaStyle, Styles, on, val, w

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
V = "urn:schemas-microsoft-com:vml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DIAGRAM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_SKIP = {w(t) for t in ("rPr", "fldChar", "instrText", "delInstrText", "delText", "lastRenderedPageBreak", "softHyphen",
                        "annotationRef", "separator", "continuationSeparator", "footnoteRef", "endnoteRef")}
_TRANSPARENT = {w(t) for t in ("hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")}
CELL = "｜"
"""Between the cells of a table row made into a paragraph: a space would be removed between Chinese words when
the issue is typeset (text.normalize), running the cells together."""
CELL_LINE = "／"
"""Between the paragraphs of one table cell."""
_SHOWN = 24
"""Characters of a paragraph quoted in a message to find it."""


@dataclass(frozen=True)
class Span:
    """A run of text with one formatting."""

    text: str
    """The characters, as typed (punctuation untouched: kanwu's loader normalises later)."""
    bold: bool
    """Whether Word shows it bold (its own setting, its character style or its paragraph style)."""
    italic: bool
    """Whether Word shows it italic."""


@dataclass(frozen=True)
class Picture:
    """A photo placed in the text."""

    data: bytes | None
    """The embedded file's original bytes; None for a picture only linked to a file elsewhere."""
    name: str
    """Its name in the package (``/word/media/image1.jpeg``) or the linked target, for messages."""
    para: int
    """The paragraph (1-based) it sits in."""


@dataclass(frozen=True)
class Line:
    """One line of the document as the correspondent saw it."""

    spans: tuple[Span, ...]
    """Its text runs."""
    pictures: tuple[Picture, ...]
    """Pictures in it (usually a line holds a picture or text, not both)."""
    para: int
    """The paragraph (1-based, counting every paragraph of the body and its tables) it comes from."""
    style: ParaStyle
    """What the paragraph's style makes of it (title, heading, centred, numbering)."""
    mark: ListMark | None = None
    """Its list number or bullet."""
    row: bool = False
    """A table row written as a line."""

    @property
    def text(self) -> str:
        """The plain text, without leading and trailing spaces (ideographic ones too)."""
        return "".join(s.text for s in self.spans).strip()


def quote(text: str, most: int = _SHOWN) -> str:
    """Text quoted in a message: one line, shortened."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most] + "……"


def where(para: int, text: str) -> tuple[str, str]:
    """How a message names a paragraph, in Chinese and in English."""
    if not text:
        return f"第 {para} 段", f"paragraph {para}"
    return f"第 {para} 段（“{quote(text)}”）", f"paragraph {para} (“{quote(text)}”)"


@dataclass
class _Para:
    """A paragraph being read: its lines so far and what it holds that a story cannot."""

    style: ParaStyle
    """What its style makes of it."""
    split: bool
    """Whether a manual line break starts a new line (in plain paragraphs; a heading or list item stays one)."""
    lines: list[tuple[list[Span], list[Picture]]] = field(default_factory=lambda: [([], [])])
    """Its lines so far: text runs and pictures."""
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    """``(code, Chinese, English)`` of what it holds that was not imported."""
    inserted: list[str] = field(default_factory=list)
    """Text of its tracked insertions (imported)."""
    deleted: list[str] = field(default_factory=list)
    """Text of its tracked deletions (not imported)."""
    hidden: list[str] = field(default_factory=list)
    """Its hidden text (not imported)."""

    def add(self, text: str, bold: bool, italic: bool) -> None:
        """Add text to the current line, joined to the run before when it has the same formatting."""
        spans = self.lines[-1][0]
        if spans and (spans[-1].bold, spans[-1].italic) == (bold, italic):
            spans[-1] = Span(spans[-1].text + text, bold, italic)
        else:
            spans.append(Span(text, bold, italic))

    def newline(self) -> None:
        """A manual line break."""
        if self.split:
            self.lines.append(([], []))

    def note(self, code: str, cn: str, en: str) -> None:
        """Something the story cannot hold, reported once the paragraph's text is known."""
        self.notes.append((code, cn, en))

    @property
    def text(self) -> str:
        """Its text so far, for messages."""
        return "".join(s.text for spans, _ in self.lines for s in spans).strip()


def _text_of(el: Any, tag: str = "t") -> str:
    return "".join(t.text or "" for t in el.iter(w(tag)))


class Walker:
    """Reads a python-docx `Document`'s body into `Line`s; findings go to `out`."""

    def __init__(self, document: Any, shown: str, out: Collector) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.part = document.part
        self.body = document.element.body
        self.shown, self.out = shown, out
        # read only when present: python-docx's `styles` and `numbering_part` would make up missing ones
        self.styles = Styles(next(iter(self._related(RT.STYLES)), None))
        self.numbering = Numbering(next(iter(self._related(RT.NUMBERING)), None))
        self.notes = {kind: self._notes(rt, kind) for kind, rt in (("footnote", RT.FOOTNOTES), ("endnote", RT.ENDNOTES))}
        comments = self._related(RT.COMMENTS)
        self.comments = {c.get(w("id")): (c.get(w("author")) or "", _text_of(c))
                         for el in comments for c in el.iter(w("comment"))}
        self.comments_seen: set[str] = set()
        self.headers = [el for rt in (RT.HEADER, RT.FOOTER) for el in self._related(rt)]
        self.para = 0
        self.lines: list[Line] = []

    def _related(self, reltype: str) -> list[Any]:
        """The XML roots of the main document's parts of one relationship type."""
        from docx.oxml.parser import parse_xml

        roots = []
        for rel in self.part.rels.values():
            if rel.reltype != reltype or rel.is_external:
                continue
            part = rel.target_part
            el = getattr(part, "element", None)
            roots.append(el if el is not None else parse_xml(part.blob))  # checked by defusedxml already
        return roots

    def _notes(self, reltype: str, kind: str) -> dict[str | None, str]:
        return {n.get(w("id")): _text_of(n).strip() for el in self._related(reltype) for n in el.iter(w(kind))}

    def warn(self, code: str, cn: str, en: str) -> None:
        """A warning about the document (it has no lines and columns: the message says where)."""
        self.out.warning(code, f"{cn} / {en}", Pos(self.shown))

    def read(self) -> list[Line]:
        """Every line of the body, in order; then a warning for text in headers and footers."""
        self._blocks(self.body)
        texts = [quote(_text_of(el)) for el in self.headers if _text_of(el).strip(" 0123456789-—/第页共")]
        if texts:
            self.warn("import-header", f"页眉或页脚里的文字没有导入：“{'”“'.join(texts[:3])}”",
                      "text in a header or footer was not imported")
        return self.lines

    def _blocks(self, parent: Any) -> None:
        for el in parent:
            if el.tag == w("p"):
                self._paragraph(el)
            elif el.tag == w("tbl"):
                self._table(el)
            elif el.tag == w("sdt"):
                content = el.find(w("sdtContent"))
                if content is not None:
                    self._blocks(content)
            elif el.tag == w("customXml"):
                self._blocks(el)
            elif el.tag == w("altChunk"):
                cn, en = where(self.para, "")
                self.warn("import-object", f"{cn}之后嵌入了其他格式的内容（网页或 RTF），没有导入",
                          f"after {en}: content embedded in another format (HTML or RTF) was not imported")

    def _paragraph(self, p: Any) -> None:
        self.para += 1
        style = self.styles.paragraph(p.find(w("pPr")))
        mark = self.numbering.mark(*style.num) if style.num else None
        para = _Para(style, split=style.role in ("text", "caption") and mark is None)
        self._inline(p, para)
        self._report(para)
        first = True
        for spans, pictures in para.lines:
            if any(s.text.strip() for s in spans) or pictures:
                self.lines.append(Line(_trim(spans), tuple(pictures), self.para, style, mark if first else None))
                first = False

    def _report(self, para: _Para) -> None:
        cn, en = where(self.para, para.text)
        for code, what_cn, what_en in para.notes:
            self.warn(code, f"{cn}：{what_cn}", f"{en}: {what_en}")
        if para.inserted or para.deleted:
            parts_cn = [f"插入“{quote(' '.join(para.inserted))}”"] if para.inserted else []
            parts_cn += [f"删除“{quote(' '.join(para.deleted))}”"] if para.deleted else []
            self.warn("import-revision", f"{cn}有修订痕迹，已按“接受修订”导入（{'；'.join(parts_cn)}）",
                      f"{en} has tracked changes, imported as if accepted ({len(para.inserted)} insertions, "
                      f"{len(para.deleted)} deletions)")
        if para.hidden:
            self.warn("import-hidden", f"{cn}有隐藏文字，没有导入：“{quote(''.join(para.hidden))}”",
                      f"{en} has hidden text, not imported")

    def _inline(self, parent: Any, para: _Para) -> None:
        for el in parent:
            tag = el.tag
            if tag == w("r"):
                self._run(el, para)
            elif tag in _TRANSPARENT:
                self._inline(el, para)
            elif tag == w("sdt"):
                content = el.find(w("sdtContent"))
                if content is not None:
                    self._inline(content, para)
            elif tag in (w("ins"), w("moveTo")):
                para.inserted.append(_text_of(el))
                self._inline(el, para)
            elif tag in (w("del"), w("moveFrom")):
                para.deleted.append(_text_of(el, "delText") or _text_of(el))
            elif tag == w("commentRangeStart"):
                self._comment(el.get(w("id")), para)
            elif tag in (f"{{{M}}}oMath", f"{{{M}}}oMathPara"):
                para.note("import-equation", f"公式没有导入（“{quote(_text_of_math(el))}”）",
                          "an equation was not imported")
            elif tag == f"{{{MC}}}AlternateContent":
                choice = el.find(f"{{{MC}}}Choice")
                if choice is not None:
                    self._inline(choice, para)
            elif tag == w("pPr"):
                mark = el.find(f"{w('rPr')}/{w('ins')}")
                if mark is not None:
                    para.inserted.append("¶")

    def _comment(self, cid: str | None, para: _Para) -> None:
        if cid in self.comments_seen:
            return
        self.comments_seen.add(cid or "")
        author, text = self.comments.get(cid, ("", ""))
        who = f"{author}：" if author else ""
        para.note("import-comment", f"批注没有导入（{who}“{quote(text, 40)}”）",
                  f"a comment was not imported ({author + ': ' if author else ''}“{quote(text, 40)}”)")

    def _run(self, r: Any, para: _Para) -> None:
        rpr = r.find(w("rPr"))
        hidden = rpr is not None and bool(on(rpr.find(w("vanish"))))
        bold = self.styles.run_toggle(rpr, para.style.style_id, "b")
        italic = self.styles.run_toggle(rpr, para.style.style_id, "i")
        self._content(r, para, bold, italic, hidden)

    def _content(self, parent: Any, para: _Para, bold: bool, italic: bool, hidden: bool) -> None:
        for el in parent:
            tag = el.tag
            text = None
            if tag in _SKIP:
                continue
            if tag == w("t"):
                text = _clean(el.text or "")
            elif tag in (w("tab"), w("ptab")):
                text = "　"
            elif tag == w("noBreakHyphen"):
                text = "-"
            elif tag == w("sym"):
                char = val(el, "char")
                code = int(char, 16) if char and _is_hex(char) else 0
                # a symbol font's private-use code (Wingdings' F0xx) is no character: dropped
                text = chr(code) if code >= 0x20 and not 0xE000 <= code <= 0xF8FF else ""
            elif tag in (w("br"), w("cr")):
                para.newline()
            elif tag == w("drawing"):
                self._drawing(el, para)
            elif tag == w("pict"):
                self._vml(el, para)
            elif tag == w("object"):
                para.note("import-object", "嵌入的对象（如 Excel 表格、公式）没有导入",
                          "an embedded object (a spreadsheet, an equation) was not imported")
            elif tag == f"{{{MC}}}AlternateContent":
                choice = el.find(f"{{{MC}}}Choice")
                if choice is not None:
                    self._content(choice, para, bold, italic, hidden)
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                kind = "footnote" if tag == w("footnoteReference") else "endnote"
                note = self.notes[kind].get(el.get(w("id")), "")
                cn = "脚注" if kind == "footnote" else "尾注"
                para.note("import-note", f"{cn}没有导入：“{quote(note, 60)}”", f"a {kind} was not imported: “{quote(note, 60)}”")
            elif tag == w("commentReference"):
                self._comment(el.get(w("id")), para)
            elif tag == w("ruby"):
                base = el.find(w("rubyBase"))
                if base is not None:
                    self._inline(base, para)
            if text:
                if hidden:
                    para.hidden.append(text)
                else:
                    para.add(text, bold, italic)

    def _drawing(self, el: Any, para: _Para) -> None:
        """A DrawingML object: its pictures; a text box, chart or SmartArt is reported."""
        for blip in el.iter(f"{{{A}}}blip"):
            para.lines[-1][1].append(self._picture(blip.get(f"{{{R}}}embed"), blip.get(f"{{{R}}}link"), para))
        self._boxes(el, para)
        if next(el.iter(f"{{{CHART}}}chart"), None) is not None:
            para.note("import-object", "图表没有导入", "a chart was not imported")
        if next(el.iter(f"{{{DIAGRAM}}}relIds"), None) is not None:
            para.note("import-object", "SmartArt 图形没有导入", "a SmartArt graphic was not imported")

    def _vml(self, el: Any, para: _Para) -> None:
        """An old-style (VML) picture or text box."""
        for img in el.iter(f"{{{V}}}imagedata"):
            para.lines[-1][1].append(self._picture(img.get(f"{{{R}}}id"), None, para))
        self._boxes(el, para)

    def _boxes(self, el: Any, para: _Para) -> None:
        for box in el.iter(w("txbxContent")):
            text = _text_of(box).strip()
            para.note("import-textbox", f"文本框里的文字没有导入：“{quote(text, 60)}”",
                      f"the text in a text box was not imported: “{quote(text, 60)}”")

    def _picture(self, embed: str | None, link: str | None, para: _Para) -> Picture:
        rel = self.part.rels.get(embed) if embed else None
        if rel is not None and not rel.is_external:
            part = rel.target_part
            return Picture(part.blob, str(part.partname), self.para)
        target = self.part.rels[link].target_ref if link and link in self.part.rels else (embed or "")
        para.note("import-linked-image", f"图片没有嵌入文档，只是链接到“{quote(target, 60)}”，没有导入，已留占位框",
                  "the picture is linked, not embedded in the document: not imported, a placeholder is set")
        return Picture(None, target, self.para)

    def _table(self, tbl: Any) -> None:
        """A table: a data table becomes one line per row; a table that holds pictures is read cell by cell."""
        first_para = self.para + 1
        outer, rows = self.lines, []
        for tr in _children(tbl, "tr"):
            cells = []
            for tc in _children(tr, "tc"):
                self.lines = []
                self._blocks(tc)
                cells.append(self.lines)
            rows.append(cells)
        self.lines = outer
        ncols = max((len(r) for r in rows), default=0)
        text = " ".join(line.text for row in rows for cell in row for line in cell)
        cn, en = where(first_para, text)
        if any(line.pictures for row in rows for cell in row for line in cell):
            self.lines.extend(line for row in rows for cell in row for line in cell)
            self.warn("import-table", f"{cn}起是一个放图片的表格（{len(rows)} 行 × {ncols} 列），已按单元格顺序导入图片和文字，请核对",
                      f"from {en}: a table holding pictures ({len(rows)} rows × {ncols} columns), read cell by cell: check it")
            return
        for row in rows:
            spans: list[Span] = []
            for cell in row:
                cell_spans = [s for line in cell for s in (Span(CELL_LINE, False, False), *line.spans)][1:]
                if cell_spans:
                    spans += [Span(CELL, False, False)] * bool(spans) + cell_spans
            if spans:
                self.lines.append(Line(tuple(spans), (), first_para, ParaStyle("text", 0, False, None, None), row=True))
        if text:
            self.warn("import-table", f"{cn}起是一个表格（{len(rows)} 行 × {ncols} 列），已改为每行一段文字（单元格之间用“{CELL}”隔开），"
                      "请核对或改写", f"from {en}: a table ({len(rows)} rows × {ncols} columns) was imported as one "
                      f"paragraph per row (cells separated by “{CELL}”): check or rewrite it")


def _children(el: Any, tag: str) -> list[Any]:
    """Direct children `tag` of a table or row, also those wrapped in content controls."""
    out = []
    for child in el:
        if child.tag == w(tag):
            out.append(child)
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            out.extend(_children(content, tag) if content is not None else [])
    return out


def _text_of_math(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(f"{{{M}}}t"))


def _is_hex(text: str) -> bool:
    return 0 < len(text) <= 6 and all(c in "0123456789abcdefABCDEF" for c in text)


def _clean(text: str) -> str:
    """Text without control characters (a YAML file and a Markdown body cannot hold them); a tab is a space."""
    return "".join(" " if c == "\t" else c for c in text if c == "\t" or not (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0))


def _trim(spans: list[Span]) -> tuple[Span, ...]:
    """The spans without the spaces (ideographic ones too) a line starts or ends with: the layout indents."""
    out = [s for s in spans if s.text]
    while out and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if out:
        out[0] = Span(out[0].text.lstrip(), out[0].bold, out[0].italic)
        out[-1] = Span(out[-1].text.rstrip(), out[-1].bold, out[-1].italic)
    return tuple(out)
