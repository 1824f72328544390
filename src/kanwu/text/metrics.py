"""Font advances measured with HarfBuzz, the way Pango will shape the text.

kanwu composes body lines itself (see :mod:`kanwu.text.compose`) and hands
WeasyPrint finished lines, so the widths it composes with must be the widths
Pango will produce.  WeasyPrint shapes every inline box with Pango, and Pango
shapes with HarfBuzz using the element's ``lang`` as the buffer language and
the box's ``font-feature-settings`` as extra features.  We do the same here:
same font file and face index (found with ``fc-match``, which is what Pango's
fontconfig back-end asks), buffer language ``zh-Hans`` (in the Noto CJK SC
face the curly quotes “” ‘’ are full width and the digits take their zh-Hans
advances), the script guessed from the text, default features plus ``halt``
when asked.

Widths are returned in em (advance / units-per-em) so one measurement serves
every font size.
"""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache

import uharfbuzz as hb

__all__ = ["FontMetrics", "css_to_fc_weight", "face"]

# CSS font-weight -> fontconfig weight (FcWeightFromOpenType's table).  Pango
# converts the same way when it builds its fontconfig pattern.
_FC_WEIGHTS = (
    (100, 0), (200, 40), (300, 50), (350, 55), (380, 75), (400, 80),
    (500, 100), (600, 180), (700, 200), (800, 205), (900, 210), (1000, 215),
)


def css_to_fc_weight(weight: int) -> int:
    """Map a CSS ``font-weight`` (1–1000) to the fontconfig weight scale."""
    if weight <= _FC_WEIGHTS[0][0]:
        return _FC_WEIGHTS[0][1]
    for (w0, f0), (w1, f1) in zip(_FC_WEIGHTS, _FC_WEIGHTS[1:]):
        if weight <= w1:
            # linear between the table's points, as fontconfig does
            return round(f0 + (f1 - f0) * (weight - w0) / (w1 - w0))
    return _FC_WEIGHTS[-1][1]


HALF_WIDTH_MARKS = frozenset("，。、；：！？”’）》〉」』】〕〗〙〛］｝“‘（《〈「『【〔〖〘〚［｛")
"""Marks a CJK font sets in a full em with the ink in one half (what ``halt`` halves)."""


class FontMetrics:
    """Advances of one font face, measured with HarfBuzz as Pango will shape them.

    Attributes:
        path: the font file.
        index: the face index inside the file (TTC collections hold several).
        family: the face's family name (from fontconfig when found through
            :meth:`for_family`, else the file's own name table).
        language: the HarfBuzz buffer language used for shaping.
    """

    path: str
    index: int
    family: str
    language: str

    def __init__(self, path: str, index: int = 0, language: str = "zh-Hans") -> None:
        """Load face ``index`` of the font file at ``path``.

        The blob is memory-mapped by HarfBuzz (``Blob.from_file_path``), so
        loading a 20 MB CJK collection costs milliseconds, not a read.
        """
        self.path = path
        self.index = index
        self.language = language
        blob = hb.Blob.from_file_path(path)
        self._face = hb.Face(blob, index)
        self._font = hb.Font(self._face)
        self._upem = float(self._face.upem)
        self.family = self._name_family()
        # lru_cache on a bound method would be shared by the class and keep
        # every instance alive; one cache per instance avoids both.
        self._shape_cached = lru_cache(maxsize=65536)(self._shape)
        self._glyphs_cached = lru_cache(maxsize=65536)(self._glyphs)
        self._no_halt: bool | None = None

    def _name_family(self) -> str:
        """The family name from the font's name table (typographic first)."""
        try:
            for name_id in (hb.OTNameIdPredefined.TYPOGRAPHIC_FAMILY,
                            hb.OTNameIdPredefined.FONT_FAMILY):
                name = self._face.get_name(name_id)
                if name:
                    return name
        except (AttributeError, TypeError):  # older uharfbuzz without the name API
            pass
        return ""

    @classmethod
    def for_family(cls, family: str, weight: int = 400) -> "FontMetrics":
        """The face fontconfig (hence Pango) picks for ``family`` at CSS ``weight``.

        Results are cached per (family, weight): every paragraph of a document
        asks for the same few faces.
        """
        return _for_family(family, weight)

    def _buffer(self, text: str, features: tuple[str, ...]) -> "hb.Buffer":
        """``text`` shaped as one run with the default features and `features`."""
        buf = hb.Buffer()
        buf.add_codepoints([ord(ch) for ch in text])  # clusters count characters, not UTF-8 bytes
        # the language must be set before guessing, or the guess takes the
        # process locale; script and direction are guessed from the text
        buf.language = self.language
        buf.guess_segment_properties()
        if buf.script is None:
            # only common characters (—— … digits): in a Chinese paragraph Pango shapes them in the
            # script of the Han around them, where Noto CJK's dash is full width (alone it is 0.89 em)
            buf.script = "Hani"
        hb.shape(self._font, buf, dict.fromkeys(features, True))
        return buf

    def _shape(self, text: str, halt: bool) -> float:
        """Shape ``text`` as one run and return its total advance in em."""
        buf = self._buffer(text, ("halt",) if halt else ())
        return sum(p.x_advance for p in buf.glyph_positions) / self._upem

    @property
    def upem(self) -> float:
        """Font units per em."""
        return self._upem

    def glyphs(self, text: str, features: tuple[str, ...] = ()) -> tuple[tuple[int, int, int, int, int], ...]:
        """``text`` shaped as the composer measures it (`advance`), with `features` besides the defaults:
        per glyph (glyph id, cluster = index of its first character, advance, x offset, y offset), in font
        units. What `kanwu.text.glyphs` places and kanwu draws."""
        return self._glyphs_cached(text, features)

    def _glyphs(self, text: str, features: tuple[str, ...]) -> tuple[tuple[int, int, int, int, int], ...]:
        buf = self._buffer(text, features)
        return tuple((info.codepoint, info.cluster, pos.x_advance, pos.x_offset, pos.y_offset)
                     for info, pos in zip(buf.glyph_infos, buf.glyph_positions))

    @property
    def hb_face(self) -> hb.Face:
        """The HarfBuzz face (what `kanwu.pdfdraw` subsets to embed)."""
        return self._face

    def extents(self) -> tuple[float, float]:
        """Ascent and descent (both positive) in em, from the font's horizontal header, as Pango takes them."""
        ext = self._font.get_font_extents("ltr")
        return ext.ascender / self._upem, -ext.descender / self._upem

    @property
    def head(self) -> bytes:
        """The face's ``head`` table (its version, checksum and dates: which font file this is)."""
        return bytes(self._face.reference_table("head").data)

    def h_advance(self, gid: int) -> int:
        """A glyph's own advance (its ``hmtx`` width, before any feature), in font units: the width a
        PDF font's /W array gives it."""
        return self._font.get_glyph_h_advance(gid)

    @property
    def emulates_halt(self) -> bool:
        """True when the face has no ``halt`` feature (LXGW WenKai): kanwu then
        sets its full-width marks half width with negative spacing itself, and
        `advance(..., halt=True)` reports the width that spacing gives."""
        if self._no_halt is None:
            self._no_halt = self._shape("，", True) >= self._shape("，", False) - 1e-6
        return self._no_halt

    def _emulated_halt(self, text: str) -> float:
        full = self._shape_cached(text, False)
        # full-width marks have their ink in one half (SC positioning): the other half goes
        halves = sum(0.5 for ch in text if ch in HALF_WIDTH_MARKS and abs(self._shape_cached(ch, False) - 1) < 0.02)
        return full - halves

    def advance(self, text: str, halt: bool = False) -> float:
        """Width in em of ``text`` shaped as one run (default features, plus ``halt``).

        Kerning and ligatures inside ``text`` are included (``——`` ligates in
        Noto CJK), so measure an unbreakable unit as a whole, not char by char.
        """
        if not text:
            return 0.0
        if halt and self.emulates_halt:
            return self._emulated_halt(text)
        return self._shape_cached(text, halt)

    def has_glyph(self, ch: str) -> bool:
        """Whether the face maps the character ``ch`` to a glyph of its own."""
        return self._font.get_nominal_glyph(ord(ch)) is not None

    def __repr__(self) -> str:
        return f"FontMetrics({self.path!r}, {self.index}, family={self.family!r})"


def face(path: str, index: int = 0) -> FontMetrics:
    """The metrics of face ``index`` of the font file at ``path``, loaded once per process while the file
    is unchanged: a resident session makes up every build with the same faces, whose shaping caches then
    stay warm and whose composed paragraphs are kept (`kanwu.text.compose`)."""
    try:
        st = os.stat(path)
    except OSError:
        return FontMetrics(path, index)  # says what is wrong with it
    return _face(path, index, st.st_size, st.st_mtime_ns, st.st_ino)


@lru_cache(maxsize=64)
def _face(path: str, index: int, size: int, modified: int, inode: int) -> FontMetrics:
    """One `FontMetrics` per face and version of its file (size, modification time, inode)."""
    return FontMetrics(path, index)


@lru_cache(maxsize=64)
def _for_family(family: str, weight: int) -> FontMetrics:
    """Resolve ``family``/``weight`` with fc-match and load the face (cached)."""
    pattern = f"{family}:weight={css_to_fc_weight(weight)}:lang=zh-cn"
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{family[0]}", pattern],
            check=True, capture_output=True, text=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise LookupError(f"fc-match failed for {pattern!r}: {exc}") from exc
    path, _, rest = out.partition("|")
    index, _, matched = rest.partition("|")
    if not path:
        raise LookupError(f"fontconfig found no font for {pattern!r}")
    metrics = FontMetrics(path, int(index or 0))
    metrics.family = matched or metrics.family
    return metrics
