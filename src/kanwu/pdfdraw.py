"""Text, rules and boxes kanwu draws itself into PDF pages (pypdf objects): the proof's summary and marks.

The proof's summary pages are tables and its marks are boxes and short notes, whose every position
kanwu knows; they are drawn here as content-stream operators instead of being laid out by WeasyPrint,
which spent about a second on a 20-page number's proof (the CSS cascade and the inline layout of
every table cell, then drawing each line: a quarter of a millisecond per line at best).

Text is shaped with HarfBuzz the way the composer measures it (`FontMetrics.glyphs`), broken into
lines here (`wrap`: greedy, clreq's line-start and line-end marks kept in place), and set in subsets
of the faces (HarfBuzz's subsetter, glyph ids kept) with a ToUnicode map, so it can be searched and
copied like WeasyPrint's. A character the main face lacks is set in the next face that has it
(`FontSet`): the other faces given, then the one fontconfig finds, as Pango would.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from .text.compose import NO_END, NO_START
from .text.metrics import FontMetrics, face

Colour = tuple[float, float, float, float]
"""Device CMYK, 0–1."""
BLACK: Colour = (0, 0, 0, 1)
WHITE: Colour = (0, 0, 0, 0)

# tables a PDF viewer never reads: dropped from the embedded subsets
_DROP = ("BASE", "DSIG", "GDEF", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ", "VORG", "kern", "vhea", "vmtx")
MAX_LOOKUPS = 16
"""Characters no given face has that fontconfig is asked about, per document (each asks a process): the
rest are drawn as .notdef boxes (a hostile headline of ten thousand unassigned code points)."""
# a run of these is one unbreakable word (Latin, digits, file names); any other character stands alone
_WORD = re.compile(r"[^\s\u2e80-\u9fff\ua000-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]+|\s|.", re.S)
# where a word may break: after a slash, after a hyphen not before a digit (as Pango breaks a path, a code)
_WORD_BREAK = re.compile(r"(?<=[\w.]/)(?=.)|(?<=\w-)(?=\D)")


def num(v: float) -> str:
    """A PDF number: at most three decimals, no trailing zeros (the same value → the same bytes)."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


@dataclass(frozen=True)
class Style:
    """How a piece of text is set."""

    size: float
    """Font size (pt)."""
    colour: Colour = BLACK
    bold: bool = False


class Face:
    """One font face on the drawn pages: the glyphs used so far, embedded as a subset at the end."""

    def __init__(self, metrics: FontMetrics, resource: str) -> None:
        self.metrics = metrics
        self.resource = resource
        """Its name in the pages' /Font resources."""
        self.widths: dict[int, float] = {}
        """Glyph id → advance (1/1000 em) for the /W array."""
        self.to_unicode: dict[int, str] = {}

    def show(self, text: str) -> str:
        """The operand of a TJ operator drawing `text` (shaped as one run), its glyphs noted for the subset."""
        m = self.metrics
        glyphs = m.glyphs(text)
        scale = 1000 / m.upem
        out, hexes = [], []
        starts = sorted({g[1] for g in glyphs} | {len(text)})
        end = dict(zip(starts, starts[1:]))  # a cluster's characters run to the next cluster's start
        seen: set[int] = set()
        for gid, cluster, advance, _, _ in glyphs:  # offsets: none in the summary's scripts (Han, Latin)
            if gid not in self.widths:
                self.widths[gid] = round(m.h_advance(gid) * scale, 3)
            # the first glyph of a cluster carries its characters (a ligature: all of them)
            if cluster not in seen and gid and gid not in self.to_unicode:
                self.to_unicode[gid] = text[cluster:end.get(cluster, len(text))]
            seen.add(cluster)
            hexes.append(f"{gid:04x}")
            if abs(advance * scale - self.widths[gid]) > 0.01:  # kerning: the shaped advance, not the glyph's own
                out.append(f"<{''.join(hexes)}>{num(self.widths[gid] - advance * scale)}")
                hexes = []
        if hexes:
            out.append(f"<{''.join(hexes)}>")
        return "[" + "".join(out) + "]"

    def embed(self, writer: Any) -> Any:
        """The Type0 font (its subset, widths and ToUnicode map) added to `writer`; its reference."""
        import uharfbuzz as hb

        gids = sorted(self.widths)
        plan = hb.SubsetInput()
        for gid in gids:
            plan.glyph_set.add(gid)
        # glyph ids kept: the content streams name the glyphs by their ids in the whole face
        plan.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
        for tag in _DROP:
            plan.sets(hb.SubsetInputSets.DROP_TABLE_TAG).add(int.from_bytes(tag.encode(), "big"))
        program = hb.subset(self.metrics.hb_face, plan).blob.data
        cff = program[:4] == b"OTTO"
        ps = re.sub(r"[^!-~]|[()<>\[\]{}/%#]", "", self.metrics.hb_face.get_name(6) or "") or "kanwu"
        # a subset's name starts with a tag of six capitals, from what it holds (same glyphs → same name)
        digest = hashlib.sha256(f"{ps}:{gids}".encode()).digest()
        name = "/" + "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + ps
        ascent, descent = (1000 * v for v in self.metrics.extents())
        program_ref = add_stream(writer, program, **({"Subtype": "/OpenType"} if cff else {"Length1": len(program)}))
        descriptor = writer._add_object(pdf_object({  # noqa: SLF001 (pypdf: an indirect object of this writer)
            "Type": "/FontDescriptor", "FontName": name, "Flags": 4, "ItalicAngle": 0,
            "FontBBox": [0, -descent, max(self.widths.values(), default=1000), ascent],
            "Ascent": ascent, "Descent": -descent, "CapHeight": ascent, "StemV": 80,
            "FontFile3" if cff else "FontFile2": program_ref}))
        widths: list[Any] = []
        for gid in gids:  # runs of consecutive glyph ids: first [w w w]
            if not widths or gid != widths[-2] + len(widths[-1]):
                widths += [gid, []]
            widths[-1].append(self.widths[gid])
        cid = {"Type": "/Font", "Subtype": f"/CIDFontType{0 if cff else 2}", "BaseFont": name,
               "FontDescriptor": descriptor, "W": widths,
               "CIDSystemInfo": {"Registry": "Adobe", "Ordering": "Identity", "Supplement": 0}}
        if not cff:
            cid["CIDToGIDMap"] = "/Identity"
        return writer._add_object(pdf_object({  # noqa: SLF001
            "Type": "/Font", "Subtype": "/Type0", "BaseFont": name, "Encoding": "/Identity-H",
            "DescendantFonts": [writer._add_object(pdf_object(cid))],  # noqa: SLF001
            "ToUnicode": add_stream(writer, to_unicode_cmap(self.to_unicode))}))


def pdf_object(value: Any) -> Any:
    """A pypdf object from plain data: a string starting with / is a name, any other a text string; numbers,
    lists and dicts (keys are names without their /) as such; pypdf objects (references) as they are."""
    from pypdf.generic import (ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, PdfObject,
                               TextStringObject)

    if isinstance(value, PdfObject):
        return value
    if isinstance(value, str):
        return NameObject(value) if value.startswith("/") else TextStringObject(value)
    if isinstance(value, int):
        return NumberObject(value)
    if isinstance(value, float):
        return FloatObject(num(value))
    if isinstance(value, dict):
        return DictionaryObject({NameObject("/" + k): pdf_object(v) for k, v in value.items()})
    return ArrayObject([pdf_object(v) for v in value])


def add_stream(writer: Any, data: bytes, **extra: Any) -> Any:
    """A compressed stream added to `writer` (pypdf), with `extra` entries (`pdf_object`); its reference."""
    from pypdf.generic import NameObject, StreamObject

    obj = StreamObject()
    obj.set_data(zlib.compress(data, 6))
    obj[NameObject("/Filter")] = NameObject("/FlateDecode")
    for k, v in extra.items():
        obj[NameObject("/" + k)] = pdf_object(v)
    return writer._add_object(obj)  # noqa: SLF001 (pypdf: an indirect object of this writer)


def to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap for two-byte glyph ids."""
    head = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n")
    items = sorted(mapping.items())
    body = []
    for i in range(0, len(items), 100):  # at most 100 entries per section
        chunk = items[i:i + 100]
        body.append(f"{len(chunk)} beginbfchar\n" + "".join(
            f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>\n" for gid, text in chunk) + "endbfchar\n")
    return (head + "".join(body) + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode()


@lru_cache(maxsize=256)
def _system_face(ch: str) -> tuple[str, int] | None:
    """The face fontconfig offers for a character none of the given faces has (as Pango falls back)."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}", f":charset={ord(ch):x}"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.partition("|")
    return (path, int(index or 0)) if path else None


class FontSet:
    """The faces text is set in: a regular and a bold face, then faces for the characters they lack."""

    def __init__(self, regular: FontMetrics, bold: FontMetrics, others: Sequence[FontMetrics] = ()) -> None:
        self._faces: dict[tuple[str, int], Face] = {}
        self.regular, self.bold = self._face(regular), self._face(bold)
        self._others = [self._face(m) for m in others]
        self._runs: dict[tuple[str, bool], list[tuple[Face, str]]] = {}
        self._widths: dict[tuple[str, bool], float] = {}
        self._asked: set[str] = set()

    def _face(self, metrics: FontMetrics) -> Face:
        key = (metrics.path, metrics.index)
        if key not in self._faces:
            self._faces[key] = Face(metrics, f"/KwF{len(self._faces)}")
        return self._faces[key]

    def _for(self, ch: str, main: Face) -> Face:
        if not ch.isprintable() or ch.isspace() or main.metrics.has_glyph(ch):
            return main
        for other in self._others:
            if other.metrics.has_glyph(ch):
                return other
        if ch in self._asked or len(self._asked) >= MAX_LOOKUPS:
            return main
        self._asked.add(ch)
        found = _system_face(ch)
        if found:
            metrics = face(*found)
            # outlines a PDF can embed (not a colour emoji font's bitmaps, not a variable CFF2 font)
            if metrics.has_glyph(ch) and {"glyf", "CFF "} & set(metrics.hb_face.table_tags):
                other = self._face(metrics)
                if other not in self._others:
                    self._others.append(other)
                return other
        return main  # no face has it: .notdef, as WeasyPrint draws it

    def runs(self, text: str, bold: bool = False) -> list[tuple[Face, str]]:
        """`text` cut into runs of one face each."""
        key = (text, bold)
        if key not in self._runs:
            main = self.bold if bold else self.regular
            out: list[tuple[Face, str]] = []
            for ch in text:
                which = self._for(ch, main)
                if out and out[-1][0] is which:
                    out[-1] = (which, out[-1][1] + ch)
                else:
                    out.append((which, ch))
            self._runs[key] = out
        return self._runs[key]

    def width(self, text: str, style: Style) -> float:
        """The advance of `text` (pt)."""
        key = (text, style.bold)
        if key not in self._widths:
            self._widths[key] = sum(f.metrics.advance(run) for f, run in self.runs(text, style.bold))
        return self._widths[key] * style.size

    def extents(self, size: float) -> tuple[float, float]:
        """Ascent and descent (pt) of the regular face at `size`."""
        a, d = self.regular.metrics.extents()
        return a * size, d * size

    def resources(self, writer: Any) -> Any:
        """/Font resources: every face that drew something, embedded in `writer`."""
        from pypdf.generic import DictionaryObject, NameObject

        return DictionaryObject({NameObject(f.resource): f.embed(writer) for f in self._faces.values() if f.widths})


# ---------------------------------------------------------------- lines

Piece = tuple[str, Style]
"""A run of text in one style."""


@dataclass
class Line:
    """A line of set text: its pieces and width (pt)."""

    pieces: list[Piece]
    width: float


def _tokens(pieces: Sequence[Piece]) -> list[list[Piece]]:
    """Units no line may break inside: a word, a character, a space; a mark that may not start a line
    joined to what it follows, one that may not end a line to what follows it."""
    out: list[list[Piece]] = []
    glue_next = False
    for text, style in pieces:
        for t in (part for m in _WORD.finditer(text) for part in _WORD_BREAK.split(m.group())):
            joined = out and not t.isspace() and not out[-1][-1][0].isspace() and (glue_next or t[0] in NO_START)
            if joined:
                out[-1].append((t, style))
            else:
                out.append([(t, style)])
            glue_next = t[-1] in NO_END
    return out


def _split(token: list[Piece], fonts: FontSet, width: float) -> list[list[Piece]]:
    """A unit wider than the measure, cut where it must be (between characters, as overflow-wrap: anywhere)."""
    out: list[list[Piece]] = [[]]
    used = 0.0
    for text, style in token:
        for ch in text:
            w = fonts.width(ch, style)
            if out[-1] and used + w > width:
                out.append([])
                used = 0.0
            out[-1].append((ch, style))
            used += w
    return out


def wrap(pieces: Sequence[Piece], width: float, fonts: FontSet) -> list[Line]:
    """The text broken into lines no wider than `width` (greedy; spaces at a break dropped)."""
    lines: list[Line] = []
    cur: list[Piece] = []
    used, space = 0.0, 0.0
    pending: list[Piece] = []
    for token in _tokens(pieces):
        w = sum(fonts.width(t, s) for t, s in token)
        if token[0][0].isspace():
            if cur:
                pending, space = pending + token, space + w
            continue
        if cur and used + space + w > width:
            lines.append(Line(cur, used))
            cur, used, pending, space = [], 0.0, [], 0.0
        if w > width and not cur:
            *whole, token = _split(token, fonts, width)
            lines += [Line(p, sum(fonts.width(t, s) for t, s in p)) for p in whole]
            w = sum(fonts.width(t, s) for t, s in token)
        cur += pending + token
        used += space + w
        pending, space = [], 0.0
    if cur or not lines:
        lines.append(Line(cur, used))
    for line in lines:  # one piece per style: fewer text runs to draw
        merged: list[Piece] = []
        for t, s in line.pieces:
            if merged and merged[-1][1] == s:
                merged[-1] = (merged[-1][0] + t, s)
            else:
                merged.append((t, s))
        line.pieces = merged
    return lines


# ---------------------------------------------------------------- drawing

class Canvas:
    """Content-stream operators in pt from a top-left origin, y downwards (as the layout's boxes are)."""

    def __init__(self, fonts: FontSet, left: float, top: float) -> None:
        """`left`, `top`: where the origin is in the page's PDF coordinates."""
        self.fonts = fonts
        self.left, self.top = left, top
        self.ops: list[str] = []

    def _xy(self, x: float, y: float) -> str:
        return f"{num(self.left + x)} {num(self.top - y)}"

    @staticmethod
    def _colour(c: Colour, stroke: bool = False) -> str:
        return f"{' '.join(num(v) for v in c)} {'K' if stroke else 'k'}"

    def clip(self, x: float, y: float, w: float, h: float) -> None:
        """Nothing drawn after this shows outside the box (until `restore`)."""
        self.ops.append(f"q {self._xy(x, y + h)} {num(w)} {num(h)} re W n")

    def restore(self) -> None:
        self.ops.append("Q")

    def fill(self, x: float, y: float, w: float, h: float, colour: Colour) -> None:
        """A filled rectangle."""
        self.ops.append(f"{self._colour(colour)} {self._xy(x, y + h)} {num(w)} {num(h)} re f")

    def box(self, x: float, y: float, w: float, h: float, width: float, colour: Colour, dashed: bool = False,
            radius: float = 0.0) -> None:
        """A border of `width` inside the box (CSS box-sizing: border-box), solid, dashed or round-cornered."""
        half = width / 2
        x0, y0, x1, y1 = x + half, y + half, x + w - half, y + h - half
        ops = [f"{self._colour(colour, True)} {num(width)} w"]
        if dashed:  # as WeasyPrint dashes a border: dashes about 3 widths long, a whole number of them per side
            for (ax, ay, bx, by), length in (((x0, y0, x1, y0), w), ((x1, y0, x1, y1), h), ((x1, y1, x0, y1), w),
                                             ((x0, y1, x0, y0), h)):
                n = int(length // (6 * width)) + 1
                dash = length / (2 * n - 1)
                ops.append(f"[{num(dash)} {num(dash)}] 0 d {self._xy(ax, ay)} m {self._xy(bx, by)} l S")
            ops.append("[] 0 d")
        elif radius > 0:
            r, k = max(0.0, radius - half), 0.5523 * max(0.0, radius - half)
            pts = [f"{self._xy(x0 + r, y0)} m", f"{self._xy(x1 - r, y0)} l",
                   f"{self._xy(x1 - r + k, y0)} {self._xy(x1, y0 + r - k)} {self._xy(x1, y0 + r)} c",
                   f"{self._xy(x1, y1 - r)} l",
                   f"{self._xy(x1, y1 - r + k)} {self._xy(x1 - r + k, y1)} {self._xy(x1 - r, y1)} c",
                   f"{self._xy(x0 + r, y1)} l",
                   f"{self._xy(x0 + r - k, y1)} {self._xy(x0, y1 - r + k)} {self._xy(x0, y1 - r)} c",
                   f"{self._xy(x0, y0 + r)} l",
                   f"{self._xy(x0, y0 + r - k)} {self._xy(x0 + r - k, y0)} {self._xy(x0 + r, y0)} c", "s"]
            ops.append(" ".join(pts))
        else:
            ops.append(f"{self._xy(x0, y1)} {num(x1 - x0)} {num(y1 - y0)} re S")
        self.ops.append(" ".join(ops))

    # rules are stroked, not filled: a viewer widens a fill thinner than a pixel to a whole one (a
    # 0.25 pt grid line came out as dark as a 1 pt rule), a stroke is drawn with its true coverage
    def hline(self, x: float, y: float, w: float, width: float, colour: Colour) -> None:
        """A horizontal rule of `width` whose top edge is at `y` (a CSS border-top)."""
        mid = y + width / 2
        self.ops.append(f"{self._colour(colour, True)} {num(width)} w {self._xy(x, mid)} m {self._xy(x + w, mid)} l S")

    def vline(self, x: float, y: float, h: float, width: float, colour: Colour) -> None:
        """A vertical rule of `width` whose left edge is at `x` (a CSS border-left)."""
        mid = x + width / 2
        self.ops.append(f"{self._colour(colour, True)} {num(width)} w {self._xy(mid, y)} m {self._xy(mid, y + h)} l S")

    def text(self, x: float, baseline: float, pieces: Sequence[Piece], spacing: float = 0.0) -> None:
        """Pieces of text set one after the other from `x` on `baseline`; `spacing` is added after each glyph."""
        ops = [f"BT 1 0 0 1 {self._xy(x, baseline)} Tm"]
        if spacing:
            ops.append(f"{num(spacing)} Tc")
        colour: Colour | None = None
        for text, style in pieces:
            if style.colour != colour:
                colour = style.colour
                ops.append(self._colour(colour))
            for f, run in self.fonts.runs(text, style.bold):
                ops.append(f"{f.resource} {num(style.size)} Tf {f.show(run)} TJ")
        if spacing:
            ops.append("0 Tc")
        ops.append("ET")
        self.ops.append(" ".join(ops))

    def data(self) -> bytes:
        """The content stream."""
        return "\n".join(self.ops).encode()
