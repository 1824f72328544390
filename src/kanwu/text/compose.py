"""Compose a Chinese paragraph into finished, justified lines (clreq, GB/T 15834).

WeasyPrint cannot justify Chinese, compress punctuation or space Han from
Latin, so kanwu breaks and justifies body paragraphs itself and hands
WeasyPrint lines that only need placing (see :mod:`kanwu.layout.lines`).

Model.  The paragraph is cut into *units* that are never split: one Han
character, one punctuation mark, one ``——``/``……``, one Latin word or number
(``99.6%``, ``1,286``, ``PM2.5``, ``-3℃``).  Between two units sits *glue*:
``char`` (Han–Han, Han–mark, …: natural 0, stretchable), ``auto`` (Han–Latin:
1/4 em, shrinks to 1/8, stretches to 3/8), ``space`` (U+0020 in the text) or
``none`` (inside an over-long URL split as a last resort).  Every unit is
measured with :class:`~kanwu.text.metrics.FontMetrics` in its own style.

Fixed compressions come first: of two adjacent marks the one whose blank half
touches the other is set half width (``halt``), so ``。”`` ``，“`` ``】，“``
total 1.5 em per pair; a closing/pause mark ending a line and an opening
mark starting a line (not the indented first line) are set half width.
Remaining full-width closing marks inside a line are shrinkable glue
(squeeze before push).  Breaking is total-fit: dynamic programming over the
break opportunities minimising squared adjustment ratios plus penalties;
forbidden breaks are never offered, a one-Han last line is heavily
penalised, and a line that cannot be made to fit is marked ``overfull``.

Justification follows clreq's priorities: shrink marks, then Han–Latin gaps
(to 1/8 em); stretch Han–Latin gaps (to 3/8 em), then every other gap between
units equally.  Stretch after a one-character CJK unit becomes its
``letter_spacing``; after a Latin word or a multi-character unit it becomes the
next segment's ``space_before`` (letters inside a word are never spaced).
The line's last character never carries letter-spacing (it would overflow).

Text contract: the segments of all lines, concatenated, equal the paragraph
text except that white space at a line break (and at the paragraph's ends)
is dropped, as a browser drops it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kanwu.text.metrics import FontMetrics

__all__ = ["Run", "Segment", "Line", "Composed", "compose", "NO_START", "NO_END",
           "OPENING", "CLOSING", "char_kind"]

#: may not start a line (clreq, GB/T 15834, plus the measuring tool's list)
NO_START = frozenset("、，。．：；！？）］｝》〉」』】〕〗〙〛”’…‥—―⸺·～%％‰℃.,;:?!)]}\u30fc")
#: may not end a line
NO_END = frozenset("（［｛《〈「『【〔〖〘〚“‘([{")
#: marks whose blank half is on the left (halt shifts the glyph left)
OPENING = frozenset("“‘（《〈「『【〔〖〘〚［｛")
#: marks whose blank half is on the right (zh-Hans: pause marks sit left)
CLOSING = frozenset("，。、；：！？”’）》〉」』】〕〗〙〛］｝")
_OTHER_PUNCT = frozenset("—―⸺…‥·～〃")
_REPEATS = frozenset("—―⸺…‥")          # runs of these form one unit (——, ……)
_UNIT_SUFFIX = frozenset("℃‰％")          # join a preceding number (-3℃)
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_URL_SEPS = frozenset("/.-_?&=#")
_EPS = 1e-6

_AUTO_STRETCH = 0.125     # em a Han–Latin gap may grow (1/4 -> 3/8 em)
_AUTO_SHRINK = 0.12       # em it may lose: to 1/8 em plus a hair, so rounding never shows < 1/8

# Costs of the line breaker: squared ratios, 1.0 per line keeps lines few.
# Stretching Han gaps is the visible fault (tuned on the seed bulletin at
# 12-36 em: p95 of the stretch 0.05 em at 12 em, ~0.02 em at 28-36 em), so
# squeezing every mark of a line fully costs what 0.04 em per gap costs.
_LINE = 1.0
_STRETCH_UNIT = 0.04      # em of extra space per gap that costs 1
_SHRINK_WEIGHT = 1.0      # cost of using all the marks' shrink of a line
_AUTO_WEIGHT = 0.5        # cost of using all Han–Latin stretch/shrink
_ORPHAN = 1e4             # a last line holding one Han character
_URL_BREAK = 20.0         # breaking a URL after / . - etc.
_CHAR_BREAK = 400.0       # breaking a word that is wider than the measure
_UNJUSTIFIABLE = 1e3      # a line with nowhere to put the stretch
_OVERFULL = 1e6


@dataclass(frozen=True)
class Run:
    """A run of paragraph text in one inline style (input to :func:`compose`)."""

    text: str
    style: str = ""  #: key into ``fonts``: "" (regular body), "strong", "em", …


@dataclass(frozen=True)
class Segment:
    """A piece of one line set in one style with one spacing."""

    text: str
    style: str
    letter_spacing: float = 0.0  #: pt added after every character of ``text``
    space_before: float = 0.0    #: pt of margin before the segment (never negative)
    halt: bool = False           #: set with ``font-feature-settings: "halt"``


@dataclass(frozen=True)
class Line:
    """One composed line; ``width`` is its set width in pt (== measure when justified)."""

    segments: tuple[Segment, ...]
    width: float
    last: bool
    overfull: bool = False  #: no break kept it within the measure


@dataclass(frozen=True)
class Composed:
    """A composed paragraph: its lines and its unchanged characters."""

    lines: tuple[Line, ...]
    text: str


def char_kind(ch: str) -> str:
    """Classify ``ch``: "P" CJK mark, "S" breaking space, "H" Han/full-width, "L" Latin."""
    if ch in OPENING or ch in CLOSING or ch in _OTHER_PUNCT:
        return "P"
    if ch.isspace() and ch != "\u3000":
        return "S"
    o = ord(ch)
    if (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0xFE30 <= o <= 0xFE4F or 0xFF01 <= o <= 0xFF60 or 0xFFE0 <= o <= 0xFFE6
            or 0x20000 <= o <= 0x3FFFF or ch in "℃‰"):
        return "H"
    return "L"


class _Unit:
    """One unbreakable unit: its parts (text, style) and its widths in pt."""

    __slots__ = ("parts", "text", "kind", "w", "hw", "halt", "cut_open", "cut_close", "ideo")

    def __init__(self, parts: list[tuple[str, str]], kind: str) -> None:
        self.parts, self.kind = parts, kind
        self.text = "".join(t for t, _ in parts)
        self.w = self.hw = 0.0        # natural and half-width (halt) advance
        self.halt = False             # fixed compression (adjacent marks)
        self.cut_open = self.cut_close = 0.0   # what halt saves at line start/end
        self.ideo = kind == "H" and bool(_HAN_RE.match(self.text))


def _merge_parts(chars: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join consecutive (char, style) pairs of one style into (text, style) parts."""
    parts: list[tuple[str, str]] = []
    for c, s in chars:
        if parts and parts[-1][1] == s:
            parts[-1] = (parts[-1][0] + c, s)
        else:
            parts.append((c, s))
    return parts


def _tokenize(runs: Sequence[Run]) -> tuple[list[_Unit], list[str], list[str]]:
    """Cut runs into units plus the white space (text, style) after each unit.

    White space before the first and after the last unit is dropped.
    """
    chars = [(ch, r.style) for r in runs for ch in r.text]
    kinds = [char_kind(ch) for ch, _ in chars]
    units: list[_Unit] = []
    glue: list[str] = []
    gstyle: list[str] = []
    pending, pstyle = "", ""
    i, n = 0, len(chars)
    while i < n:
        ch, k = chars[i][0], kinds[i]
        if k == "S":
            pstyle = pstyle if pending else chars[i][1]
            pending += ch
            i += 1
            continue
        j = i + 1
        if k == "L":
            # a word or number: Latin characters, plus ℃/‰/％ right after a digit
            while j < n and (kinds[j] == "L" or (
                    chars[j][0] in _UNIT_SUFFIX and chars[j - 1][0].isdigit())):
                j += 1
        elif ch in _REPEATS:
            while j < n and chars[j][0] == ch:
                j += 1
        if units:
            glue.append(pending)
            gstyle.append(pstyle)
        units.append(_Unit(_merge_parts(chars[i:j]), k))
        pending = ""
        i = j
    return units, glue, gstyle


def _split_long(units: list[_Unit], glue: list[str], gstyle: list[str],
                fonts: Mapping[str, FontMetrics], size: float, measure: float) -> list[float]:
    """Split over-long Latin units (URLs) so the breaker may open them as a last resort.

    A Latin unit with letters wider than a third of the measure gets break
    opportunities after URL separators (penalty ``_URL_BREAK``); a piece still
    wider than the measure gets them between all characters (``_CHAR_BREAK``).
    Pieces are joined by empty glue of kind ``none``.  Returns the break
    penalty of every glue (0 for ordinary glue); the lists are updated in place.
    """
    out: list[_Unit] = []
    pens: list[float] = []
    for idx, u in enumerate(units):
        if idx:
            pens.append(0.0)
        flat = [(c, s) for t, s in u.parts for c in t]
        width = sum(fonts[s].advance(c) for c, s in flat) * size if u.kind == "L" else 0.0
        letters = any(c.isalpha() for c, _ in flat)
        if width <= measure / 3 or not (letters or width > measure):
            out.append(u)
            continue
        cuts = {i: _URL_BREAK for i in range(1, len(flat)) if letters
                and flat[i - 1][0] in _URL_SEPS and flat[i][0] not in _URL_SEPS}
        bounds = [0, *sorted(cuts), len(flat)]
        for lo, hi in zip(bounds, bounds[1:]):
            if sum(fonts[s].advance(c) for c, s in flat[lo:hi]) * size > measure:
                cuts.update({i: _CHAR_BREAK for i in range(lo + 1, hi)})
        bounds = [0, *sorted(cuts), len(flat)]
        for lo, hi in zip(bounds, bounds[1:]):
            if lo:
                glue.insert(len(out) - 1, "")   # between the previous piece and this
                gstyle.insert(len(out) - 1, "")
                pens.append(cuts[lo])
            out.append(_Unit(_merge_parts(flat[lo:hi]), "L"))
    units[:] = out
    return pens


# glue kinds
_NONE, _CHAR, _AUTO, _SPACE, _RIGID = 0, 1, 2, 3, 4
# share of the stretch each glue kind takes; the gaps in a split URL take more
# (they are no Han gaps, and a URL line has few places to put space)
_WEIGHT = {_CHAR: 1.0, _SPACE: 1.0, _NONE: 4.0}


class _Para:
    """One paragraph's units, glue and prefix sums; breaks it and sets its lines."""

    def __init__(self, runs: Sequence[Run], measure: float, size: float,
                 fonts: Mapping[str, FontMetrics], indent: float, align: str) -> None:
        self.M, self.size, self.fonts, self.align = measure, size, fonts, align
        self.indent = indent * size
        units, glue, gstyle = _tokenize(runs)
        pens = _split_long(units, glue, gstyle, fonts, size, measure)
        self.units, self.glue, self.gstyle, self.pens = units, glue, gstyle, pens
        self._measure_units()
        self._build_glue()
        self._prefix()

    def _measure_units(self) -> None:
        """Widths, halt widths and the fixed pair compressions of every unit."""
        size, fonts = self.size, self.fonts
        for u in self.units:
            u.w = sum(fonts[s].advance(t) for t, s in u.parts) * size
            u.hw = u.w
            if u.kind == "P" and (u.text in OPENING or u.text in CLOSING):
                u.hw = fonts[u.parts[0][1]].advance(u.text, halt=True) * size
        can = [u.hw < u.w - _EPS for u in self.units]
        # adjacent marks: halve the one whose blank half faces the other
        for k in range(len(self.units) - 1):
            a, b = self.units[k], self.units[k + 1]
            if self.glue[k] or a.kind != "P" or b.kind != "P":
                continue
            if a.text in CLOSING and can[k]:
                a.halt = True
            elif b.text in OPENING and can[k + 1]:
                b.halt = True
        for u, c in zip(self.units, can):
            if u.halt or not c:
                continue
            if u.text in OPENING:
                u.cut_open = u.w - u.hw
            else:
                u.cut_close = u.shrink = u.w - u.hw

    def _build_glue(self) -> None:
        """Kind, natural width and break permission of the glue after every unit."""
        us, size = self.units, self.size
        self.gkind, self.gnat, self.ok = [], [], []
        for k, text in enumerate(self.glue):
            a, b = us[k], us[k + 1]
            if text:
                kind, nat = _SPACE, self.fonts[self.gstyle[k]].advance(text) * size
            elif self.pens[k]:
                kind, nat = _NONE, 0.0
            elif (a.kind == "H" and b.kind == "L" and b.text[0] < "\u2000") or (
                    a.kind == "L" and b.kind == "H" and a.text[-1] < "\u2000"):
                kind, nat = _AUTO, 0.25 * size
            elif a.kind == "P" and b.kind == "P":
                kind, nat = _RIGID, 0.0      # keep compressed pairs at 1.5 em
            else:
                kind, nat = _CHAR, 0.0
            self.gkind.append(kind)
            self.gnat.append(nat)
            self.ok.append(a.text[-1] not in NO_END and b.text[0] not in NO_START)

    def _prefix(self) -> None:
        """Prefix sums (index i = before unit i) the breaker reads in O(1)."""
        n = len(self.units)
        self.Q = q = [0.0] * (n + 1)      # unit widths + glue after them
        self.SH = sh = [0.0] * (n + 1)    # mark shrink
        self.NA = na = [0] * (n + 1)      # Han–Latin glues
        self.NC = nc = [0.0] * (n + 1)    # stretchable glues, weighted
        self.ID = ide = [0] * (n + 1)     # ideographs
        self.LA = la = [0] * (n + 1)      # Latin units
        for i, u in enumerate(self.units):
            g = self.gkind[i] if i < n - 1 else _NONE
            q[i + 1] = q[i] + (u.hw if u.halt else u.w) + (self.gnat[i] if i < n - 1 else 0.0)
            sh[i + 1] = sh[i] + u.shrink
            na[i + 1] = na[i] + (g == _AUTO)
            nc[i + 1] = nc[i] + _WEIGHT.get(g, 0.0) * (i < n - 1)
            ide[i + 1] = ide[i] + u.ideo
            la[i + 1] = la[i] + (u.kind == "L")
        self.co = [u.cut_open for u in self.units]
        self.cc = [u.cut_close for u in self.units]
        self.gend = [*self.gnat, 0.0]     # glue after unit i, 0 after the last

    # -- line breaking -------------------------------------------------------
    def _cost(self, a: int, b: int, last: bool) -> tuple[float, bool]:
        """Cost of a line of units a..b-1 and whether it fits without overflowing."""
        size = self.size
        W = self.Q[b] - self.Q[a] - self.gend[b - 1] + (0.0 if a else self.indent)
        if a or not self.indent:
            W -= self.co[a]
        S = self.SH[b - 1] - self.SH[a]
        if last:
            S += self.cc[b - 1]           # the final mark may go half width if needed
        else:
            W -= self.cc[b - 1]           # GB/T 15834: a mark ending a line is half width
        n_auto = self.NA[b - 1] - self.NA[a]
        d = self.M - W
        cost = _LINE + (0.0 if last else self.pens[b - 1])
        if d < -_EPS:                     # squeeze: marks first, then Han–Latin gaps
            A = n_auto * _AUTO_SHRINK * size
            if -d > S + A + _EPS:
                return _OVERFULL * (1 + (-d - S - A) / size), False
            if S:
                cost += _SHRINK_WEIGHT * (min(-d, S) / S) ** 2
            if -d > S + _EPS:
                cost += _AUTO_WEIGHT * ((-d - S) / A) ** 2
        elif last:
            if self.ID[b] - self.ID[a] == 1 and a and self.LA[b] == self.LA[a] and self.ID[b] > 1:
                cost += _ORPHAN           # one Han character alone on the last line
        elif self.align != "justify":
            cost += (d / size / 4) ** 2   # ragged: keep the rag even
        elif d > _EPS:                    # stretch: Han–Latin gaps first, then all gaps
            A = n_auto * _AUTO_STRETCH * size
            if A:
                cost += _AUTO_WEIGHT * (min(d, A) / A) ** 2
            if d > A + _EPS:
                n = self.NC[b - 1] - self.NC[a]
                r = (d - A) / size
                cost += (r / n / _STRETCH_UNIT) ** 2 if n else _UNJUSTIFIABLE * (1 + r * r)
        return cost, True

    def breaks(self) -> list[int]:
        """Total-fit breaks: the end index of every line (the last is len(units))."""
        n = len(self.units)
        starts = [0] + [k + 1 for k in range(n - 1) if self.ok[k] or self.pens[k]]
        qs = [self.Q[s] for s in starts]
        best = [float("inf")] * (n + 1)
        prev = [0] * (n + 1)
        best[0] = 0.0
        # lines looser than this are only tried when nothing tighter fits
        loose = max(5 * self.size, 0.15 * self.M) + self.indent + self.size
        for b in starts[1:] + [n]:
            last = b == n
            top = bisect_right(starts, b - 1) - 1
            hi = top if last else min(top, bisect_right(qs, self.Q[b] - self.M + loose) - 1)
            found = self._scan(b, last, starts, hi, best, prev)
            if not found and hi < top:
                self._scan(b, last, starts, top, best, prev)
        out = [n]
        while out[-1]:
            out.append(prev[out[-1]])
        return out[-2::-1]

    def _scan(self, b: int, last: bool, starts: list[int], hi: int,
              best: list[float], prev: list[int]) -> bool:
        """Relax best[b] over starts[hi], starts[hi-1], …; True if a fitting line was found."""
        found = False
        for idx in range(hi, -1, -1):
            a = starts[idx]
            if best[a] == float("inf"):
                continue
            cost, fits = self._cost(a, b, last)
            if fits or not found:
                total = best[a] + cost
                if total < best[b]:
                    best[b], prev[b] = total, a
            if not fits:
                break                          # longer lines only overflow more
            found = True
        return found

    # -- setting one line ------------------------------------------------------
    def set_line(self, a: int, b: int, last: bool) -> Line:
        """Set units a..b-1 as one line: halts, spacing, then merged segments."""
        us, size, M = self.units, self.size, self.M
        n = b - a
        halt = [u.halt for u in us[a:b]]
        width = [u.hw if u.halt else u.w for u in us[a:b]]
        ls = [0.0] * n                        # letter-spacing per unit (pt)
        if (a or not self.indent) and us[a].cut_open:
            halt[0], width[0] = True, us[a].hw
        gk, gn = self.gkind[a:b - 1], self.gnat[a:b - 1]
        nat = sum(width) + sum(gn) + (self.indent if a == 0 else 0.0)
        if not (self.align == "justify" and not last and nat < M - _EPS):
            # pieces of a split URL are shaped as one word unless stretched apart
            nat += self._join_fix(a, b)
        cut = us[b - 1].cut_close
        if cut and (not last or nat > M + _EPS):   # GB/T 15834: half-width mark at line end
            halt[-1] = True
            nat -= cut
        d = M - nat
        auto = [0.0] * len(gk)                # extra on Han–Latin glue (pt, may be < 0)
        e = 0.0                               # extra on every other gap (pt)
        n_auto = gk.count(_AUTO)
        if d < -_EPS:                         # squeeze: marks first, then Han–Latin
            marks = [j for j in range(n - 1) if not halt[j] and us[a + j].shrink]
            S = sum(us[a + j].shrink for j in marks)
            f = min(1.0, -d / S) if S else 0.0
            for j in marks:
                halt[j] = True
                ls[j] = us[a + j].w - f * us[a + j].shrink - us[a + j].hw
            if -d - f * S > _EPS and n_auto:
                auto = [-min(_AUTO_SHRINK * size, (-d - f * S) / n_auto) if k == _AUTO else 0.0 for k in gk]
        elif d > _EPS and self.align == "justify" and not last:
            t1 = min(d, n_auto * _AUTO_STRETCH * size)
            n_gaps = sum(_WEIGHT.get(k, 0.0) for k in gk)
            if not n_gaps:                    # only Han–Latin gaps: they take it all
                t1 = d
            auto = [t1 / n_auto if k == _AUTO else 0.0 for k in gk]
            e = (d - t1) / n_gaps if n_gaps else 0.0
        e = _floor(e)
        sb = (self.indent if a == 0 else 0.0) + (max(0.0, d) / 2 if self.align == "center" else 0.0)
        pieces: list[tuple[str, str, float, float, bool]] = []   # text, style, ls, sb, halt
        for j in range(n):
            u = us[a + j]
            after = 0.0                       # space_before of what follows
            kind = gk[j] if j < n - 1 else -1    # -1: the line end
            gap = e * _WEIGHT[kind] if kind in (_CHAR, _NONE) else gn[j] + auto[j] if kind == _AUTO else 0.0
            if u.kind != "L" and len(u.text) == 1 and kind != _SPACE:
                # a one-character CJK unit carries the gap after it as letter-
                # spacing; before a Latin word it spaces like its neighbours and
                # the word's margin makes up the rest (runs stay one span)
                take = gap if kind == _CHAR else e if e <= gap else 0.0
                ls[j] = _floor(ls[j] + take)
                after = gap - take
            else:
                after = gap                   # Latin letters are never spaced
            for p, (text, style) in enumerate(u.parts):
                pieces.append((text, style, ls[j], _floor(sb) if p == 0 else 0.0, halt[j]))
            sb = after
            if kind == _SPACE:
                text = self.glue[a + j]
                pieces.append((text, self.gstyle[a + j], _floor(e / len(text)), _floor(sb), False))
                sb = 0.0
        segs: list[Segment] = []
        for text, style, l, s, h in pieces:
            if segs and not s and segs[-1].style == style and segs[-1].halt == h \
                    and segs[-1].letter_spacing == l:
                p = segs[-1]
                segs[-1] = Segment(p.text + text, style, l, p.space_before, h)
            else:
                segs.append(Segment(text, style, l, s, h))
        width_now = self._width(segs)
        fill = (self.align == "justify" and not last) or d < -_EPS
        if fill and 0 < M - width_now < 0.05 * size and len(segs) > 1:
            # rounding (1/1000 pt, floored) left a sliver: give it to the last gap
            t = segs[-1]
            segs[-1] = Segment(t.text, t.style, t.letter_spacing,
                               round(t.space_before + M - width_now, 4), t.halt)
            width_now = self._width(segs)
        return Line(tuple(segs), round(width_now, 4), last, overfull=width_now > M + 0.01)

    def _join_fix(self, a: int, b: int) -> float:
        """Width change when pieces of a split word on this line are shaped together."""
        fix, j = 0.0, a
        while j < b - 1:
            if self.gkind[j] != _NONE:
                j += 1
                continue
            k = j
            while k < b - 1 and self.gkind[k] == _NONE:
                k += 1
            parts = [p for u in self.units[j:k + 1] for p in u.parts]
            fix += sum(self.fonts[s].advance(t) for t, s in _merge_parts(
                [(c, s) for t, s in parts for c in t])) * self.size
            fix -= sum(u.w for u in self.units[j:k + 1])
            j = k + 1
        return fix

    def _width(self, segs: Sequence[Segment]) -> float:
        """Set width of segments as Pango shapes them (the final letter-spacing excluded)."""
        return sum(self.fonts[s.style].advance(s.text, s.halt) * self.size
                   + s.letter_spacing * len(s.text) + s.space_before
                   for s in segs) - segs[-1].letter_spacing


def _floor(x: float) -> float:
    """Round a spacing down to 1/1000 pt (markup stays short, lines never overshoot)."""
    v = int(x * 1000 + 1e-7) / 1000 if x > 0 else 0.0
    return v


def compose(runs: Sequence[Run], measure: float, size: float, fonts: Mapping[str, FontMetrics],
            *, indent: float = 2.0, align: str = "justify") -> Composed:
    """Compose a paragraph into lines.

    Args:
        runs: the paragraph's text, run by run, each in one inline style.
        measure: column width in pt.
        size: font size in pt.
        fonts: metrics per style key ("" is the regular body face).
        indent: first-line indent in em (the first segment's ``space_before``).
        align: "justify" (all lines but the last filled exactly to ``measure``,
            the last set naturally from the left), "left" or "center" (no
            stretching, centring done with the first segment's
            ``space_before``; breaking and compression as for justify).

    Returns:
        The lines, and the paragraph text unchanged.  White space at line
        breaks is not in any segment (see the module docstring).
    """
    if align not in ("justify", "left", "center"):
        raise ValueError(f"align must be justify, left or center, not {align!r}")
    if measure <= 0 or size <= 0:
        raise ValueError("measure and size must be positive")
    text = "".join(r.text for r in runs)
    missing = {r.style for r in runs} - set(fonts)
    if missing:
        raise KeyError(f"no FontMetrics for style(s) {sorted(missing)}")
    para = _Para(runs, measure, size, fonts, indent, align)
    if not para.units:
        return Composed((), text)
    ends = para.breaks()
    n = len(para.units)
    lines = tuple(para.set_line(a, b, b == n) for a, b in zip([0, *ends[:-1]], ends))
    return Composed(lines, text)
