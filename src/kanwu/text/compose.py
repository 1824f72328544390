"""Compose a Chinese paragraph into finished, justified lines (clreq, GB/T 15834).

WeasyPrint cannot justify Chinese, compress punctuation or space Han from
Latin, so kanwu breaks and justifies body paragraphs itself and hands
WeasyPrint finished lines (see :mod:`kanwu.layout.lines`).

The paragraph is cut into *units* that never split: a Han character, a mark,
``——``/``……``, a Latin word or number (``99.6%``, ``1,286``, ``PM2.5``, ``-3℃``),
each measured with :class:`~kanwu.text.metrics.FontMetrics` in its style.
Between units sits *glue*: ``char`` (Han–Han, Han–mark: 0, stretches), ``auto``
(Han–Latin: 1/4 em, 1/8–3/8), ``space`` (U+0020), ``rigid`` (mark–mark) or
``none`` (inside a URL split as a last resort).

Fixed compressions first: of two adjacent marks the one whose blank half faces
the other is half width (``halt``): ``。”`` ``，“`` ``】，“`` take 1.5 em a pair; a
closing mark ending a line and an opening mark starting one (not after the
first-line indent) are half width.  The other closing marks of a line are
shrinkable glue (squeeze before push).  Breaking is total-fit: dynamic
programming over the break opportunities minimising squared adjustment
ratios plus penalties; forbidden breaks are never offered, a one-Han last
line is heavily penalised, a line that cannot fit is marked ``overfull``.
Justification follows clreq: shrink marks, then Han–Latin gaps (to 1/8 em);
stretch Han–Latin gaps (to 3/8 em), then all other gaps equally, as
``letter_spacing`` of a one-character CJK unit or ``space_before`` of what
follows a word.  Letters of a word and a line's last character are never spaced.

Text contract: the segments of all lines, concatenated, equal the paragraph
text except that white space at a line break (or the paragraph's ends) is
dropped, as a browser drops it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, groupby

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
_URL_SEPS = frozenset("/.-_?&=#@")
_URL_MARKS = ("://", "@", "www.")   # a Latin unit holding one of these is an address
_EPS = 1e-6

# glue kinds, and the share of the stretch each takes: the gaps of a split URL
# take more (they are no Han gaps, and a URL line has few places for space)
_NONE, _CHAR, _AUTO, _SPACE, _RIGID, _ADDR = 0, 1, 2, 3, 4, 5
# a Han–Latin gap, once stretched to 3/8 em, takes its share like the others;
# the cuts of an address (opened between any two letters) are letter-spaced evenly
_WEIGHT = {_CHAR: 1.0, _SPACE: 1.0, _AUTO: 2.0, _NONE: 4.0, _ADDR: 1.0}
_AUTO_STRETCH = 0.125     # em a Han–Latin gap may grow (1/4 -> 3/8 em)
_AUTO_SHRINK = 0.12       # em it may lose: to 1/8 em plus a hair, so rounding never shows < 1/8

# Costs of the line breaker: squared ratios, 1.0 per line keeps lines few.
# Stretching Han gaps is the visible fault (tuned on the seed bulletin at
# 12-36 em: p95 of the stretch 0.05 em at 12 em, 0.02-0.03 em at 28-36 em), so
# squeezing every mark of a line fully costs what 0.04 em per gap costs.
_LINE = 1.0
_STRETCH_UNIT = 0.04      # em of extra space per gap that costs 1
_SHRINK_WEIGHT = 1.0      # cost of using all the marks' shrink of a line
_AUTO_WEIGHT = 0.5        # cost of using all Han–Latin stretch/shrink
_ORPHAN = 1e4             # a last line holding one Han character
_MARK_END = 0.5           # ending a line on a mark when a character would do nearly as well
_URL_BREAK = 20.0         # breaking a URL after / . - @ etc. (a number after -: 021-|65000000)
_ADDR_BREAK = 50.0        # breaking a URL or e-mail address between two letters or digits
_CHAR_BREAK = 400.0       # breaking a word that is wider than the measure
_NO_BREAK = float("inf")  # glue inside an address where it may not break
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
    return [("".join(c for c, _ in grp), s) for s, grp in groupby(chars, key=lambda cs: cs[1])]


def _tokenize(runs: Sequence[Run]) -> tuple[list[_Unit], list[str], list[str]]:
    """Cut runs into units plus the white space (text, style) after each unit.

    White space before the first and after the last unit is dropped.
    """
    chars = [(ch, r.style) for r in runs for ch in r.text]
    kinds = ["R" if ch in _REPEATS else char_kind(ch) for ch, _ in chars]
    for i in range(1, len(chars)):        # ℃ ‰ ％ after a digit belong to the number
        if chars[i][0] in _UNIT_SUFFIX and chars[i - 1][0].isdigit():
            kinds[i] = "L"
    units: list[_Unit] = []
    glue: list[str] = []
    gstyle: list[str] = []
    space: list[tuple[str, str]] = []
    for m in re.finditer(r"S+|L+|R+|.", "".join(kinds)):
        i, j = m.span()
        if kinds[i] == "S":
            space = chars[i:j]
            continue
        if units:
            glue.append("".join(c for c, _ in space))
            gstyle.append(space[0][1] if space else "")
        units.append(_Unit(_merge_parts(chars[i:j]), "P" if kinds[i] == "R" else kinds[i]))
        space = []
    return units, glue, gstyle


def _split_long(units: list[_Unit], glue: list[str], gstyle: list[str],
                fonts: Mapping[str, FontMetrics], size: float,
                measure: float) -> tuple[list[float], set[int]]:
    """Split long Latin units (URLs) so the breaker may open them as a last resort.

    A unit with letters wider than a third of the measure may break after URL
    separators (``_URL_BREAK``); a number that wide (a telephone number) after
    a hyphen; an address (URL, e-mail) also between two letters or digits
    (``_ADDR_BREAK``: Chinese text breaks an address anywhere, with no hyphen,
    rather than space a narrow column's line a whole em apart); any piece
    wider than the measure anywhere (``_CHAR_BREAK``).  Pieces are joined by
    empty ``none`` glue; an address is cut into single characters joined by
    ``addr`` glue that breaks only where allowed.  Updates the lists in
    place; returns every glue's break penalty (0 if ordinary) and the indices
    of the glues inside addresses.
    """
    out: list[_Unit] = []
    pens: list[float] = []
    addr: set[int] = set()
    for idx, u in enumerate(units):
        pens += [0.0] if idx else []
        flat = [(c, s) for t, s in u.parts for c in t] if u.kind == "L" else []
        width = sum(fonts[s].advance(c) for c, s in flat) * size
        letters = any(c.isalpha() for c, _ in flat)
        text = "".join(c for c, _ in flat)
        if width <= measure / 3 or not (letters or "-" in text[1:] or width > measure):
            out.append(u)
            continue
        cuts = {i: _URL_BREAK for i in range(1, len(flat))
                if (flat[i - 1][0] in _URL_SEPS if letters
                    else flat[i - 1][0] == "-" and i > 1 and flat[i - 2][0].isdigit())
                and flat[i][0].isalnum()
                and not (flat[i - 1][0] in ".," and flat[i][0].isdigit() and flat[i - 2][0].isdigit())}
        is_addr = letters and any(m in text for m in _URL_MARKS)
        if is_addr:
            # inside a run of letters or digits, two at least on either side (ex|ample, not w|ww)
            alnum = "".join("a" if c.isalnum() else " " for c, _ in flat)
            cuts.update({i: _ADDR_BREAK for i in range(2, len(flat) - 1) if i not in cuts
                         and alnum[i - 2:i + 2] == "aaaa"})
        bounds = [0, *sorted(cuts), len(flat)]
        for lo, hi in zip(bounds, bounds[1:]):
            if sum(fonts[s].advance(c) for c, s in flat[lo:hi]) * size > measure:
                cuts.update({i: _CHAR_BREAK for i in range(lo + 1, hi)})
        # an address is cut into characters, so the stretch of its line spaces
        # it evenly (no holes at the break points); it breaks only at the cuts
        bounds = [0, *(range(1, len(flat)) if is_addr else sorted(cuts)), len(flat)]
        for lo, hi in zip(bounds, bounds[1:]):
            if lo:                              # glue between the previous piece and this
                glue.insert(len(out) - 1, "")
                gstyle.insert(len(out) - 1, "")
                pens.append(cuts.get(lo, _NO_BREAK))
                if is_addr:
                    addr.add(len(pens) - 1)
            out.append(_Unit(_merge_parts(flat[lo:hi]), "L"))
    units[:] = out
    return pens, addr


class _Para:
    """One paragraph's units, glue and prefix sums; breaks it and sets its lines."""

    def __init__(self, runs: Sequence[Run], measure: float, size: float,
                 fonts: Mapping[str, FontMetrics], indent: float, align: str) -> None:
        self.measure, self.size, self.fonts, self.align = measure, size, fonts, align
        self.indent = indent * size
        self.units, self.glue, self.gstyle = _tokenize(runs)
        self.pens, self.addr = _split_long(self.units, self.glue, self.gstyle, fonts, size, measure)
        self._measure_units()
        self._build_glue()
        self._prefix()

    def _measure_units(self) -> None:
        """Widths, halt widths and the fixed compression of adjacent marks."""
        us, size, fonts = self.units, self.size, self.fonts
        for u in us:
            u.w = u.hw = sum(fonts[s].advance(t) for t, s in u.parts) * size
            if u.text in OPENING or u.text in CLOSING:
                u.hw = fonts[u.parts[0][1]].advance(u.text, halt=True) * size
        can = [u.hw < u.w - _EPS for u in us]   # LXGW WenKai has no halt: never compress
        # of two adjacent marks, halve the one whose blank half faces the other
        for k in range(len(us) - 1):
            if not self.glue[k] and us[k].kind == "P" and us[k + 1].kind == "P":
                if us[k].text in CLOSING and can[k]:
                    us[k].halt = True
                elif us[k + 1].text in OPENING and can[k + 1]:
                    us[k + 1].halt = True
        for u, c in zip(us, can):
            if c and not u.halt:
                if u.text in OPENING:
                    u.cut_open = u.w - u.hw
                else:                    # also the shrink it offers mid-line
                    u.cut_close = u.w - u.hw

    def _build_glue(self) -> None:
        """Kind, natural width and break permission of the glue after every unit."""
        us, size = self.units, self.size
        self.gkind, self.gnat, self.ok = [], [], []
        for k, text in enumerate(self.glue):
            a, b = us[k], us[k + 1]
            kind, nat = _CHAR, 0.0
            if text:
                kind, nat = _SPACE, self.fonts[self.gstyle[k]].advance(text) * size
            elif self.pens[k]:
                kind = _ADDR if k in self.addr else _NONE
            elif (a.kind == "H" and b.kind == "L" and b.text[0] < "\u2000") or (
                    a.kind == "L" and b.kind == "H" and a.text[-1] < "\u2000"):
                kind, nat = _AUTO, 0.25 * size   # not next to ℃ ‰: they are full width
            elif a.kind == "P" and b.kind == "P":
                kind = _RIGID                    # keep compressed pairs at 1.5 em
            self.gkind.append(kind)
            self.gnat.append(nat)
            self.ok.append(a.text[-1] not in NO_END and b.text[0] not in NO_START
                           and self.pens[k] != _NO_BREAK)

    def _prefix(self) -> None:
        """Prefix sums (index i = before unit i) the breaker reads in O(1)."""
        us = self.units
        self.glue_after = [*self.gnat, 0.0]     # glue after unit i, none after the last
        kinds = [*self.gkind, _RIGID]
        self.width_sum = list(accumulate(((u.hw if u.halt else u.w) + g for u, g in zip(us, self.glue_after)),
                                 initial=0.0))
        self.shrink_sum = list(accumulate((u.cut_close for u in us), initial=0.0))   # mark shrink
        self.auto_sum = list(accumulate((k == _AUTO for k in kinds), initial=0))  # Han–Latin glues
        self.stretch_sum = list(accumulate((_WEIGHT.get(k, 0.0) for k in kinds), initial=0.0))
        self.ideograph_sum = list(accumulate((u.ideo for u in us), initial=0))         # ideographs
        self.latin_sum = list(accumulate((u.kind == "L" for u in us), initial=0))  # Latin units
        # a line ending on a half-width mark leaves a notch in the right edge (and
        # pdfplumber, which reports the mark 1 em wide, sees it stick out)
        self.break_penalty = [p + _MARK_END * (u.kind == "P") for p, u in zip(self.pens, us)]
        self.cut_open = [u.cut_open for u in us]
        self.cut_close = [u.cut_close for u in us]

    # -- line breaking -------------------------------------------------------
    def _cost(self, a: int, b: int, last: bool) -> tuple[float, bool]:
        """Cost of a line of units a..b-1 and whether it fits without overflowing."""
        size = self.size
        width = self.width_sum[b] - self.width_sum[a] - self.glue_after[b - 1] + (0.0 if a else self.indent)
        if a or not self.indent:
            width -= self.cut_open[a]
        # GB/T 15834: a mark ending a line is half width; on the last line only if needed
        shrink = self.shrink_sum[b - 1] - self.shrink_sum[a] + (self.cut_close[b - 1] if last else 0.0)
        width -= 0.0 if last else self.cut_close[b - 1]
        n_auto = self.auto_sum[b - 1] - self.auto_sum[a]
        slack = self.measure - width
        cost = _LINE + (0.0 if last else self.break_penalty[b - 1])
        if last and a and self.ideograph_sum[b] - self.ideograph_sum[a] == 1 and self.latin_sum[b] == self.latin_sum[a]:
            cost += _ORPHAN               # one Han character alone on the last line
        if slack < -_EPS:                     # squeeze: marks first, then Han–Latin gaps
            auto = n_auto * _AUTO_SHRINK * size
            if -slack > shrink + auto + _EPS:
                return _OVERFULL * (1 + (-slack - shrink - auto) / size), False
            if shrink:
                cost += _SHRINK_WEIGHT * (min(-slack, shrink) / shrink) ** 2
            if -slack > shrink + _EPS:
                cost += _AUTO_WEIGHT * ((-slack - shrink) / auto) ** 2
        elif not last and self.align != "justify":
            cost += (slack / size / 4) ** 2   # ragged: keep the rag even
        elif not last and slack > _EPS:       # stretch: Han–Latin gaps first, then all gaps
            auto = n_auto * _AUTO_STRETCH * size
            if auto:
                cost += _AUTO_WEIGHT * (min(slack, auto) / auto) ** 2
            if slack > auto + _EPS:
                n = self.stretch_sum[b - 1] - self.stretch_sum[a]
                r = (slack - auto) / size
                cost += (r / n / _STRETCH_UNIT) ** 2 if n else _UNJUSTIFIABLE * (1 + r * r)
        return cost, True

    def breaks(self) -> list[int]:
        """Total-fit breaks: the end index of every line (the last is len(units))."""
        n = len(self.units)
        if self._cost(0, n, True) == (_LINE, True):
            # fits at its natural width: one line costs 1, any two cost 2 at least; without this
            # a huge measure (text set on one line) makes every start fit every end: n² weighed
            return [n]
        starts = [0] + [k + 1 for k in range(n - 1) if self.ok[k]]
        qs = [self.width_sum[s] for s in starts]
        best, prev = [0.0] + [float("inf")] * n, [0] * (n + 1)
        # lines looser than this are only tried when nothing tighter fits
        loose = max(5 * self.size, 0.15 * self.measure) + self.indent + self.size
        for b in starts[1:] + [n]:
            last = b == n
            top = bisect_right(starts, b - 1) - 1
            hi = top if last else min(top, bisect_right(qs, self.width_sum[b] - self.measure + loose) - 1)
            for first in (hi, top):
                found = False
                for i in range(first, -1, -1):   # ever longer lines
                    a = starts[i]
                    cost, fits = self._cost(a, b, last)
                    if (fits or not found) and best[a] + cost < best[b]:
                        best[b], prev[b] = best[a] + cost, a
                    if not fits:
                        break                     # longer lines only overflow more
                    found = True
                if found or first == top:
                    break
        out = [n]
        while out[-1]:
            out.append(prev[out[-1]])
        return out[-2::-1]

    # -- setting one line ------------------------------------------------------
    def set_line(self, a: int, b: int, last: bool) -> Line:
        """Set units a..b-1 as one line: halts, spacing, then merged segments."""
        us, size, measure, n = self.units, self.size, self.measure, b - a
        gk, gn = [*self.gkind[a:b - 1], -1], [*self.gnat[a:b - 1], 0.0]   # -1: line end
        halt = [u.halt for u in us[a:b]]
        ls = [0.0] * n                        # letter-spacing per unit (pt)
        halt[0] |= bool((a or not self.indent) and us[a].cut_open)
        fix = self._join_fix(a, b)            # split URL pieces are shaped as one word
        nat = sum(u.hw if h else u.w for u, h in zip(us[a:b], halt)) + sum(gn) + fix
        nat += 0.0 if a else self.indent
        justify = self.align == "justify" and not last
        if us[b - 1].cut_close and (not last or nat > measure + _EPS):
            halt[-1] = True                   # GB/T 15834: half-width mark at line end
            nat -= us[b - 1].cut_close
        d, e, auto = measure - nat, 0.0, [0.0] * n  # e: extra per gap; auto: on Han–Latin glue
        n_auto = gk.count(_AUTO)
        if d < -_EPS:                         # squeeze: marks first, then Han–Latin
            marks = [j for j in range(n - 1) if not halt[j] and us[a + j].cut_close]
            shrink = sum(us[a + j].cut_close for j in marks)
            f = min(1.0, -d / shrink) if shrink else 0.0
            for j in marks:                   # halt, and letter-spacing gives back the rest
                halt[j], ls[j] = True, (1 - f) * us[a + j].cut_close
            rest = min(_AUTO_SHRINK * size, max(0.0, -d - f * shrink) / n_auto) if n_auto else 0.0
            auto = [-rest if k == _AUTO else 0.0 for k in gk]
        elif d > _EPS and justify:
            n_gaps = sum(_WEIGHT.get(k, 0.0) for k in gk)
            cap = n_auto * _AUTO_STRETCH * size if n_gaps else d
            t1 = min(d, cap)
            if fix and d > t1 + _EPS:         # …unless spaced apart: then piece by piece
                d, t1 = (d + fix, cap) if d + fix > cap + _EPS else (d, d)
            auto = [t1 / n_auto if k == _AUTO else 0.0 for k in gk]
            e = _floor((d - t1) / n_gaps) if n_gaps else 0.0
        sb = (0.0 if a else self.indent) + (max(0.0, d) / 2 if self.align == "center" else 0.0)
        segs: list[Segment] = []
        for j, u in enumerate(us[a:b]):
            kind, take = gk[j], 0.0
            gap = e * _WEIGHT.get(kind, 0.0) * (kind != _SPACE) + (gn[j] + auto[j] if kind == _AUTO else 0.0)
            if u.kind != "L" and len(u.text) == 1 and kind != _SPACE:
                # one CJK character carries the gap after it as letter-spacing;
                # before a Latin word it spaces like its neighbours and the word's
                # margin makes up the rest, so a Han run stays one span
                take = gap if kind == _CHAR else e if e <= gap else 0.0
            spacing = 0.0 if u.kind == "L" else _floor(ls[j] + take)   # words never spaced
            for p, (text, style) in enumerate(u.parts):
                # a half-width mark is described, not drawn: the renderer decides how (kanwu.layout.lines)
                _add(segs, text, style, spacing, 0.0 if p else _floor(sb), halt[j])
            sb = gap - take
            if kind == _SPACE:
                text = self.glue[a + j]
                _add(segs, text, self.gstyle[a + j], _floor(e / len(text)), _floor(sb), False)
                sb = 0.0
        width = self._width(segs)
        if (justify or d < -_EPS) and len(segs) > 1 and 0 < measure - width < 0.05 * size:
            t = segs[-1]                      # rounding down left a sliver: to the last gap
            segs[-1] = Segment(t.text, t.style, 0.0, round(t.space_before + measure - width, 4), t.halt)
            width = self._width(segs)
        return Line(tuple(segs), round(width, 4), last, overfull=width > measure + 0.01)

    def _join_fix(self, a: int, b: int) -> float:
        """Width change when the pieces of a split word on this line are shaped as one."""
        fix, start = 0.0, a
        for k in range(a, b):             # a word ends at unit k unless none-glue follows
            if k < b - 1 and self.gkind[k] in (_NONE, _ADDR):
                continue
            if k > start:
                flat = [(c, s) for u in self.units[start:k + 1] for t, s in u.parts for c in t]
                fix += sum(self.fonts[s].advance(t) for t, s in _merge_parts(flat)) * self.size
                fix -= sum(u.w for u in self.units[start:k + 1])
            start = k + 1
        return fix

    def _width(self, segs: Sequence[Segment]) -> float:
        """Set width of segments as Pango shapes them (the final letter-spacing excluded)."""
        return sum(self.fonts[s.style].advance(s.text, s.halt) * self.size
                   + s.letter_spacing * len(s.text) + s.space_before
                   for s in segs) - segs[-1].letter_spacing


def _add(segs: list[Segment], text: str, style: str, ls: float, sb: float, halt: bool) -> None:
    """Append a piece to ``segs``, merging it into the last segment when nothing differs."""
    p = segs[-1] if segs else None
    if p and not sb and p.style == style and p.halt == halt and p.letter_spacing == ls:
        segs[-1] = Segment(p.text + text, style, ls, p.space_before, halt)
    else:
        segs.append(Segment(text, style, ls, sb, halt))


def _floor(x: float) -> float:
    """Round a spacing down to 1/1000 pt (markup stays short, lines never overshoot)."""
    return int(x * 1000 + 1e-7) / 1000 if x > 0 else 0.0


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
    missing = {r.style for r in runs if r.text} - set(fonts)
    if missing:
        raise KeyError(f"no FontMetrics for style(s) {sorted(missing)}")
    # a resident session makes up every page of every build: unchanged paragraphs come from here
    return _composed(tuple(runs), measure, size, tuple(sorted(fonts.items(), key=lambda kv: kv[0])), indent, align)


@lru_cache(maxsize=8192)
def _composed(runs: tuple[Run, ...], measure: float, size: float, fonts: tuple[tuple[str, FontMetrics], ...],
              indent: float, align: str) -> Composed:
    """`compose`, once per process for the same arguments (runs, lines and `Composed` are frozen; a
    `FontMetrics` is one face, loaded once per process, and stands for itself)."""
    text = "".join(r.text for r in runs)
    para = _Para(runs, measure, size, dict(fonts), indent, align)
    if not para.units:
        return Composed((), text)
    ends = para.breaks()
    n = len(para.units)
    lines = tuple(para.set_line(a, b, b == n) for a, b in zip([0, *ends[:-1]], ends))
    return Composed(lines, text)
