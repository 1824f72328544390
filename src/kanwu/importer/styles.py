"""What Word's styles and numbering say about a paragraph: heading level, centring, bold, list labels.

Word and WPS keep most formatting in styles (``Heading 1`` is bold by its
style, ``List Number`` numbered by its style), each style ``basedOn`` another;
WPS names its styles in Chinese (标题 1) and marks headings by outline level.
These helpers resolve a property along the chain, the paragraph's own
setting first, and number list paragraphs the way Word shows them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    """The Clark name of a WordprocessingML tag: ``w("p")`` → ``{…/main}p``."""
    return f"{{{W}}}{tag}"


def val(el: Any, attr: str = "val") -> str | None:
    """The ``w:val`` (or another ``w:`` attribute) of an element, None when the element is absent."""
    return None if el is None else el.get(w(attr))


def on(el: Any) -> bool | None:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``): True, False, or None when not set."""
    if el is None:
        return None
    return (val(el) or "true").lower() not in ("0", "false", "off", "none")


def as_int(text: str | None, default: int = 0) -> int:
    """A whole number written in the XML, `default` for anything else (a hostile file may write anything)."""
    if text and re.fullmatch(r"-?\d{1,6}", text.strip()):
        return int(text)
    return default


_HEADING = re.compile(r"^(?:heading|标题)\s*([1-9])$")
_CAPTION = {"caption", "题注"}
_TITLE = {"title", "标题"}
_SUBTITLE = {"subtitle", "副标题"}


@dataclass(frozen=True)
class ParaStyle:
    """What a paragraph's style (with its own properties) makes of it."""

    role: str
    """``title``, ``subtitle``, ``heading``, ``caption`` or ``text``."""
    level: int
    """Heading level 1–9 for ``heading``, else 0."""
    centered: bool
    """Whether the paragraph is centred."""
    num: tuple[str, int] | None
    """``(numId, level)`` of a numbered or bulleted paragraph, else None."""
    style_id: str | None
    """The paragraph style's id (the default paragraph style when it names none)."""


class Styles:
    """The document's styles by id, resolved along ``basedOn`` (cycles and depth bounded)."""

    def __init__(self, styles_el: Any) -> None:
        self.by_id: dict[str, Any] = {}
        self.default_para: str | None = None
        self.defaults_rpr = None
        if styles_el is None:
            return
        defaults = styles_el.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self.defaults_rpr = defaults
        for st in styles_el.iter(w("style")):
            sid = st.get(w("styleId"))
            if sid is None or sid in self.by_id:
                continue
            self.by_id[sid] = st
            if st.get(w("type")) == "paragraph" and (st.get(w("default")) or "").lower() in ("1", "true", "on"):
                self.default_para = sid

    def chain(self, sid: str | None) -> list[Any]:
        """The style and those it is based on, nearest first."""
        out, seen = [], set()
        while sid and sid in self.by_id and sid not in seen and len(out) < 20:
            seen.add(sid)
            st = self.by_id[sid]
            out.append(st)
            sid = val(st.find(w("basedOn")))
        return out

    def name(self, sid: str | None) -> str:
        """The style's name as written (``heading 1``, ``标题 1``), lower case; empty when unknown."""
        st = self.by_id.get(sid or "")
        return (val(st.find(w("name"))) or "").strip().lower() if st is not None else ""

    def first(self, sid: str | None, path: str) -> Any:
        """The nearest element at `path` (e.g. ``w:pPr/w:jc``) along the style's chain, or None."""
        for st in self.chain(sid):
            el = st.find(path)
            if el is not None:
                return el
        return None

    def paragraph(self, ppr: Any) -> ParaStyle:
        """Role, level, centring and numbering of a paragraph with properties `ppr` (may be None)."""
        sid = val(ppr.find(w("pStyle"))) if ppr is not None else None
        sid = sid if sid in self.by_id else self.default_para
        names = [self.name(st.get(w("styleId"))) for st in self.chain(sid)]
        role, level = "text", 0
        outline = ppr.find(w("outlineLvl")) if ppr is not None else None
        if outline is None:
            outline = self.first(sid, f"{w('pPr')}/{w('outlineLvl')}")
        for name in names:  # the nearest style with a known name decides: one based on 标题 1 is a heading
            found = _HEADING.match(name)
            if name in _TITLE or name in _SUBTITLE or name in _CAPTION or found:
                role = ("title" if name in _TITLE else "subtitle" if name in _SUBTITLE
                        else "caption" if name in _CAPTION else "heading")
                level = int(found.group(1)) if found else 0
                break
        if role == "text" and outline is not None and 0 <= as_int(val(outline), 9) < 9:
            role, level = "heading", as_int(val(outline)) + 1
        jc = ppr.find(w("jc")) if ppr is not None else None
        if jc is None:
            jc = self.first(sid, f"{w('pPr')}/{w('jc')}")
        return ParaStyle(role, level, val(jc) in ("center", "centre"), self._num(ppr, sid), sid)

    def _num(self, ppr: Any, sid: str | None) -> tuple[str, int] | None:
        num = ppr.find(w("numPr")) if ppr is not None else None
        if num is None:
            num = self.first(sid, f"{w('pPr')}/{w('numPr')}")
        if num is None:
            return None
        num_id = val(num.find(w("numId")))
        if not num_id or num_id == "0":
            return None
        return num_id, min(max(as_int(val(num.find(w("ilvl")))), 0), 8)

    def run_toggle(self, rpr: Any, para_sid: str | None, prop: str) -> bool:
        """Bold (``b``) or italic (``i``) of a run: its own setting, its character style, the paragraph's style."""
        own = on(rpr.find(w(prop))) if rpr is not None else None
        if own is not None:
            return own
        char_sid = val(rpr.find(w("rStyle"))) if rpr is not None else None
        for sid in (char_sid, para_sid):
            el = self.first(sid, f"{w('rPr')}/{w(prop)}")
            if el is not None:
                return bool(on(el))
        return bool(on(self.defaults_rpr.find(w(prop)))) if self.defaults_rpr is not None else False


_CN_DIGITS = "零一二三四五六七八九"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (Word's chineseCounting)."""
    if n <= 0 or n >= 10_000:
        return str(n)
    out, zero = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10)):
        d, n = divmod(n, size)
        if d:
            out += ("零" if zero else "") + ("" if unit == "十" and d == 1 and not out else _CN_DIGITS[d]) + unit
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + _CN_DIGITS[n]
    return out


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A list number in one of Word's formats (``decimal``, ``chineseCounting``, ``upperRoman``...)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n) if fmt == "lowerRoman" else _roman(n).upper()
    if fmt in ("lowerLetter", "upperLetter"):
        return _letters(n) if fmt == "lowerLetter" else _letters(n).upper()
    return str(n)


@dataclass(frozen=True)
class ListMark:
    """How a list paragraph is numbered."""

    kind: str
    """``ul`` (bullets: a Markdown ``-`` list), ``ol`` (``1.``, ``2.``: a Markdown ordered list) or ``label``
    (any other numbering, 一、 or （1）: kept as the text Word shows)."""
    number: int
    """The item's number (1 for bullets)."""
    label: str
    """The label as Word shows it (``一、``), for ``label``."""
    depth: int
    """Nesting level, 0 for the outermost list."""


class Numbering:
    """Word's list numbering (``numbering.xml``), counted through the document as Word counts it."""

    def __init__(self, numbering_el: Any) -> None:
        self.abstract: dict[str, Any] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        if numbering_el is None:
            return
        for a in numbering_el.iter(w("abstractNum")):
            self.abstract.setdefault(a.get(w("abstractNumId")) or "", a)
        for n in numbering_el.iter(w("num")):
            starts = {as_int(o.get(w("ilvl"))): as_int(val(o.find(w("startOverride"))), 1)
                      for o in n.iter(w("lvlOverride")) if o.find(w("startOverride")) is not None}
            self.nums.setdefault(n.get(w("numId")) or "", (val(n.find(w("abstractNumId"))) or "", starts))

    def _levels(self, num_id: str) -> dict[int, Any]:
        abstract_id, _ = self.nums.get(num_id, ("", {}))
        a = self.abstract.get(abstract_id)
        return {} if a is None else {as_int(lvl.get(w("ilvl"))): lvl for lvl in a.iter(w("lvl"))}

    def mark(self, num_id: str, ilvl: int) -> ListMark | None:
        """The next item of list `num_id` at level `ilvl`; None when the numbering is not defined."""
        levels = self._levels(num_id)
        lvl = levels.get(ilvl)
        if lvl is None:
            return None
        _, overrides = self.nums.get(num_id, ("", {}))

        def start(i: int) -> int:
            return overrides.get(i, as_int(val(levels[i].find(w("start"))), 1) if i in levels else 1)

        counts = self.counters.setdefault(num_id, [0] * 9)
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else start(ilvl)
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = 0
        fmt = val(lvl.find(w("numFmt"))) or "decimal"
        if fmt == "bullet":
            return ListMark("ul", 1, "", ilvl)
        if fmt == "none":
            return None
        text = val(lvl.find(w("lvlText")))
        text = f"%{ilvl + 1}." if text is None else text
        if fmt == "decimal" and text == f"%{ilvl + 1}.":
            return ListMark("ol", counts[ilvl], "", ilvl)

        def number(m: re.Match[str]) -> str:
            i = int(m.group(1)) - 1
            n = counts[i] or start(i)
            f = val(levels[i].find(w("numFmt"))) if i in levels else "decimal"
            return format_number(n, f or "decimal")

        return ListMark("label", counts[ilvl], re.sub(r"%([1-9])", number, text), ilvl)
