"""Break a Chinese headline into balanced lines at phrase boundaries.

A headline is set large and short, so where it breaks is read as meaning:
``四平路街道完成杨浦区 / 第十六届人大代表补选工作`` is right,
``四平路街道完成杨浦区第十六届人 / 大代表补选工作`` splits 人大 (the people's
congress).  :func:`break_headline` therefore only breaks between phrases,
after ``，、：；`` and at ideographic spaces (U+3000), takes the fewest lines
that fit the measure, and among those the most even ones: the shortest
longest line, where a break after a pause mark is free and one between other
phrases costs 3 characters of balance (``以学促干，/ 服务群众有“热度”`` rather
than the evener ``以学促干，服务 / 群众有“热度”``), then the smaller spread,
then the longer line on top.  No line may hold a single character; clreq's
forbidden line starts/ends apply.  A phrase wider than the measure alone is
broken between characters; if nothing fits in ``max_lines`` the least
overflowing break is returned.

Cost: the splits are not tried as all combinations of cuts (cubic in the
length: a 300-character headline took 18 s) but by walking only lines that
fit the measure, so the work is bounded by the measure, and a text longer
than ``_BALANCE_CAP`` characters, or one that would need more than
``_WEIGH_LIMIT`` splits weighed, is broken by a greedy breaker in linear
time (``tests/unit/test_headline.py`` checks both, and that the results are
those of the exhaustive search up to 40 characters).

Phrases: budoux, post-processed.  We compared three phrase finders on the
seed headlines (``以学促干，服务群众有“热度”``, ``四平路街道开展市、区人大代表集中联系
基层活动``, ``四平路街道完成杨浦区第十六届人大代表补选工作``) at 8, 10, 12 and 15
characters per line (``tests/unit/test_headline.py`` keeps the budoux one):

* budoux's Simplified Chinese model alone cuts names and terms it does not
  know into single characters (``四|平路``, ``人|大|代表``, ``集|中``, ``补|选``,
  ``以|学促干``) and the balancing then lands on them: ``四平路街道开展市、区人
  / 大代表集中联系基层活动`` at 12, ``杨浦区第十六届人 / 大代表补选工作`` at 8–10.
* a rule-based finder (breaks after punctuation and before ~20 frequent
  headline words: 开展、完成、服务、联系、的、和 …) only knows the words on
  its list: ``四平路街道 / 完成杨浦区第十六届人大代表补选工作`` leaves a phrase
  wider than 12 characters, which falls back to ``四平路街道完成杨浦区第 /
  十六届人大代表补选工作`` at 12 and 15; every new headline needs new words.
* budoux plus three rules: a lone character joins the next phrase (or the
  previous one at the end of a clause), a lone measure word after a
  number joins the number (``第十六届``), a quotation (“…” 《…》) is one
  phrase.  The seeds break at phrase boundaries at 10–15 characters:
  ``以学促干，/ 服务群众有“热度”`` (10, 12), ``四平路街道开展市、/ 区人大代表
  集中联系基层活动`` (15), ``四平路街道完成 / 杨浦区第十六届 / 人大代表补选工作``
  (10), ``四平路街道完成杨浦区 / 第十六届人大代表补选工作`` (12, 15); at 8 the
  second needs one break inside a phrase (``开展 / 市、``) to fit 3 lines.

We use the third.  It still inherits budoux's misses (``第四|季度`` can be
chosen for balance); jieba would know more words but is not installed, and
a dictionary segmenter is more than a few headlines per issue need.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations
from math import comb
from typing import TYPE_CHECKING

from kanwu.text.compose import NO_END, NO_START, char_kind
from kanwu.text.metrics import FontMetrics

if TYPE_CHECKING:
    import budoux

__all__ = ["break_headline", "phrases"]

_BREAK_AFTER = frozenset("，、：；\u3000")
# measure words: a lone one belongs to the number before it (第十六|届 -> 第十六届)
_MEASURE = frozenset("届次个位名件人年月日批户期项条家所")
_QUOTES = {"“": "”", "《": "》", "「": "」", "『": "』", "‘": "’"}


@lru_cache(maxsize=1)
def _parser() -> "budoux.Parser":
    """budoux's Simplified Chinese parser, loaded once, on first use (~50 ms)."""
    import budoux

    return budoux.load_default_simplified_chinese_parser()


def _core_len(text: str) -> int:
    """Characters that count for length rules: not punctuation, not spaces."""
    return sum(1 for ch in text if char_kind(ch) not in "PS" and ch != "\u3000")


_BOUND = frozenset({"年度", "季度", "月份", "年代", "年级", "年底", "年初", "届时", "周年", "年来"})
"""Two-character words budoux sometimes cuts in half; a headline never breaks inside them."""


def phrases(text: str) -> list[str]:
    """Cut ``text`` into phrases a headline may break between; ``"".join`` gives it back.

    budoux's phrases, with runs of one-character phrases joined (to each
    other, or to the phrase after them, or before them at the end), a
    quotation kept whole and a break forced after ``，、：；`` and U+3000.
    """
    if not text:
        return []
    raw = _parser().parse(text)
    # force breaks after pause marks / ideographic spaces inside budoux phrases
    cut: list[str] = []
    for ph in raw:
        start = 0
        for i, ch in enumerate(ph):
            if ch in _BREAK_AFTER and i + 1 < len(ph):
                cut.append(ph[start:i + 1])
                start = i + 1
        cut.append(ph[start:])
    # budoux cuts some bound words (二〇二四年|度社区): move such a cut past the word
    for i in range(len(cut) - 1):
        if cut[i] and cut[i + 1] and cut[i][-1] + cut[i + 1][0] in _BOUND:
            cut[i], cut[i + 1] = cut[i] + cut[i + 1][0], cut[i + 1][1:]
    cut = [ph for ph in cut if ph]
    # a number keeps its unit: 二〇二四|年度 → 二〇二四年度, 16|届 → 16届
    numerals = "0123456789〇零一二三四五六七八九十百千万两"
    for i in range(len(cut) - 2, -1, -1):
        if cut[i][-1] in numerals and cut[i + 1][0] in _MEASURE:
            cut[i:i + 2] = [cut[i] + cut[i + 1]]
    # phrases without a character of their own (a space, a mark) join the previous
    merged: list[str] = []
    for ph in cut:
        if merged and not _core_len(ph):
            merged[-1] += ph
        else:
            merged.append(ph)
    # a one-character phrase is a word budoux did not know: join it to the
    # next phrase, or to the previous one when it ends the headline or a clause
    keep = [True] * max(0, len(merged) - 1)      # keep[i]: break after merged[i]
    for i, ph in enumerate(merged):
        if _core_len(ph) != 1:
            continue
        after_number = i and ph[0] in _MEASURE and (
            merged[i - 1][-1].isdigit() or merged[i - 1][-1] in "一二三四五六七八九十百千万两")
        if i + 1 < len(merged) and ph[-1] not in _BREAK_AFTER and not after_number:
            keep[i] = False
        elif i:
            keep[i - 1] = False
    out: list[str] = [merged[0]] if merged else []
    for ph, k in zip(merged[1:], keep):
        if k:
            out.append(ph)
        else:
            out[-1] += ph
    # a quotation is one phrase: merge phrases until the quote closes
    final: list[str] = []
    close = ""
    for ph in out:
        if close:
            final[-1] += ph
        else:
            final.append(ph)
        for ch in ph:
            if not close and ch in _QUOTES:
                close = _QUOTES[ch]
            elif close and ch == close:
                close = ""
    return final


def _line_width(text: str, size: float, font: FontMetrics) -> float:
    """Width in pt of one headline line (a U+3000 at either end does not show)."""
    return font.advance(text.strip("\u3000")) * size


def _allowed(text: str, pos: int) -> bool:
    """Whether clreq lets a line end before ``text[pos]``."""
    if char_kind(text[pos - 1]) == "L" and char_kind(text[pos]) == "L":
        return False                    # inside a number or Latin word
    return text[pos - 1] not in NO_END and text[pos] not in NO_START


_BALANCE_CAP = 200
"""Longest text (in characters) the balanced breaker weighs; a longer one (a hostile headline, a
caption-long byline) is broken by :func:`_greedy`, whose work grows linearly."""

_WEIGH_LIMIT = 5000
"""Most splits (or partial splits) the balanced breaker weighs one by one: a 40-character
headline in 3 lines has 780 splits, of which a few dozen fit.  More (a wide measure and many
lines allowed, or nothing fitting a 100-character text) go to :func:`_greedy`."""


class _TooMuch(Exception):
    """The balanced breaker would weigh more than ``_WEIGH_LIMIT`` splits."""


class _Candidates:
    """Lines of one text between cut positions, their widths measured once.

    Searching only lines that fit the measure (a window of a few dozen cuts
    after each start) keeps the work bounded by the measure, not the text:
    the fitting splits of a headline into 3 lines number at most (cuts per
    line)², however long the text is.
    """

    def __init__(self, text: str, cuts: dict[int, float], measure: float, size: float,
                 font: FontMetrics) -> None:
        self.text, self.cuts, self.measure, self.size, self.font = text, cuts, measure, size, font
        self.stops = [*sorted(cuts), len(text)]
        self._core = [0]
        for ch in text:
            self._core.append(self._core[-1] + (char_kind(ch) not in "PS" and ch != "\u3000"))
        # a text of one character may stand alone on its line; otherwise a line holds 2 or more
        self.min_core = 2 if self._core[-1] >= 2 else 0
        self._widths: dict[tuple[int, int], float] = {}
        self._ends: dict[int, list[int]] = {}

    def width(self, a: int, b: int) -> float:
        """Width in pt of the line ``text[a:b]``."""
        w = self._widths.get((a, b))
        if w is None:
            w = self._widths[a, b] = _line_width(self.text[a:b], self.size, self.font)
        return w

    def line_ok(self, a: int, b: int) -> bool:
        """Whether ``text[a:b]`` holds enough characters to stand as a line."""
        return self._core[b] - self._core[a] >= self.min_core

    def fitting_ends(self, a: int) -> list[int]:
        """Stops ``b`` after ``a`` where ``text[a:b]`` fits the measure and may stand alone."""
        ends = self._ends.get(a)
        if ends is None:
            ends = []
            for b in self.stops[bisect_right(self.stops, a):]:
                w = self.width(a, b)
                if w > self.measure + self.size:     # a longer line is wider still (by whole glyphs)
                    break
                if w <= self.measure + 0.01 and self.line_ok(a, b):
                    ends.append(b)
            self._ends[a] = ends
        return ends

    def key(self, bounds: tuple[int, ...]) -> tuple[float, ...]:
        """How good a split is (smaller is better): overflow, then balance plus break costs,
        then longer lines on top."""
        widths = [self.width(a, b) for a, b in zip(bounds, bounds[1:])]
        over = max(0.0, max(widths) - self.measure)
        mean = sum(widths) / len(widths)
        spread = (sum((w - mean) ** 2 for w in widths) / len(widths)) ** 0.5
        return (over, max(widths) + spread / 4 + self.size * sum(self.cuts[c] for c in bounds[1:-1]),
                *(-w for w in widths))

    def lines(self, bounds: tuple[int, ...]) -> tuple[str, ...]:
        """The lines' texts (an ideographic space at a break does not show)."""
        return tuple(self.text[a:b].strip("\u3000") for a, b in zip(bounds, bounds[1:]))


def _fitting(cand: _Candidates, max_lines: int) -> tuple[str, ...] | None:
    """The best split whose every line fits, with the fewest lines; None if there is none.

    Walks the fitting lines from the start (a stop found unable to reach
    the end in the lines left is remembered and not entered again), in the
    order ``itertools.combinations`` gave the exhaustive search it replaced,
    so ties are settled as before.  Raises :class:`_TooMuch` past ``_WEIGH_LIMIT``
    steps (many lines allowed: the fitting splits grow exponentially with them).
    """
    end = len(cand.text)
    steps = 0
    for k in range(1, max_lines + 1):
        best: tuple[tuple[float, ...], tuple[int, ...]] | None = None
        dead: set[tuple[int, int]] = set()            # (stop, lines left) that cannot reach the end

        def walk(path: tuple[int, ...], left: int) -> bool:
            nonlocal best, steps
            steps += 1
            if steps > _WEIGH_LIMIT:
                raise _TooMuch
            a = path[-1]
            if left == 1:
                if end not in cand.fitting_ends(a):
                    return False
                bounds = (*path, end)
                key = cand.key(bounds)
                if best is None or key < best[0]:
                    best = (key, bounds)
                return True
            reached = False
            for b in cand.fitting_ends(a):
                if b < end and (b, left - 1) not in dead:
                    if walk((*path, b), left - 1):
                        reached = True
                    else:
                        dead.add((b, left - 1))
            return reached

        walk((0,), k)
        if best is not None:
            return cand.lines(best[1])
    return None


def _least_overflowing(cand: _Candidates, max_lines: int) -> tuple[str, ...]:
    """Of all splits into at most ``max_lines`` lines, the one overflowing least.

    Every combination is weighed, in ``itertools.combinations`` order, so only
    for a text short enough (see ``_WEIGH_LIMIT``).
    """
    best: tuple[tuple[float, ...], tuple[int, ...]] | None = None
    end = len(cand.text)
    for k in range(1, max_lines + 1):
        for combo in combinations(cand.stops[:-1], k - 1):
            bounds = (0, *combo, end)
            if all(cand.line_ok(a, b) for a, b in zip(bounds, bounds[1:])):
                key = cand.key(bounds)
                if best is None or key < best[0]:
                    best = (key, bounds)
    return cand.lines(best[1]) if best else (cand.text,)


def _greedy(text: str, cuts: Iterable[int], measure: float, size: float, font: FontMetrics,
            max_lines: int) -> tuple[tuple[str, ...], bool]:
    """Lines at ``cuts`` for a long text, in time linear in its length.

    Like the balanced breaker, the fewest lines that fit the measure, and as
    narrow as they can be: filled greedily up to the narrowest width that
    still takes no more lines (found by bisection), so only the last line may
    come out shorter.  If none fit, ``max_lines`` lines as narrow as that.
    Widths are added up character by character, since shaping each candidate
    line whole would cost the text's length again per candidate.  Returns the
    lines and whether they fit the measure.
    """
    advance = [0.0]
    for ch in text:
        advance.append(advance[-1] + font.advance(ch) * size)
    stops = [*sorted(cuts), len(text)]
    at_stop = [advance[s] for s in stops]

    def split(limit: float, most: int) -> list[int] | None:
        """Lines filled up to ``limit``: their bounds, or None if that takes more than ``most`` lines."""
        bounds, i = [0], 0
        while bounds[-1] < len(text):
            j = bisect_right(at_stop, advance[bounds[-1]] + limit) - 1
            if j < i or len(bounds) > most:
                return None                           # a piece wider than the limit, or too many lines
            bounds.append(stops[j])
            i = j + 1
        return bounds

    filled = split(measure + 0.01, max_lines)
    most = len(filled) - 1 if filled else max_lines
    low, high = 0.0, advance[-1]                      # the whole text on one line always "fits"
    for _ in range(40):                               # to 2^-40 of the text's width: far below a point
        mid = (low + high) / 2
        if split(mid, most) is None:
            low = mid
        else:
            high = mid
    bounds = split(high, most) or [0, len(text)]
    return tuple(text[a:b].strip("\u3000") for a, b in zip(bounds, bounds[1:])), filled is not None


def break_headline(text: str, measure: float, size: float, font: FontMetrics,
                   max_lines: int = 3) -> tuple[str, ...]:
    """Break a headline into at most ``max_lines`` balanced lines at phrase boundaries.

    Args:
        text: the headline (already normalised: full-width punctuation).
        measure: the width available in pt.
        size: the headline's font size in pt.
        font: metrics of the headline face.
        max_lines: the most lines wanted.

    Returns:
        The lines' texts.  Their concatenation is ``text`` except that an
        ideographic space (U+3000) at a break is dropped.  If the headline
        cannot fit in ``max_lines`` lines even broken between characters, the
        least overflowing break is returned.
    """
    text = text.strip()
    if not text:
        return ()
    if _line_width(text, size, font) <= measure + 0.01:
        return (text,)
    bounds, pos = [], 0
    for ph in phrases(text):
        pos += len(ph)
        bounds.append(pos)
    # a break after a pause mark reads best; one between phrases costs as
    # much as 3 characters of balance, one inside a phrase 8
    cuts = {b: 0.0 if text[b - 1] in _BREAK_AFTER else 3.0
            for b in bounds[:-1] if _allowed(text, b)}
    # a phrase too wide for the measure: allow breaks inside it, then anywhere
    wide = set()
    for a, b in zip([0, *bounds], bounds):
        if _line_width(text[a:b], size, font) > measure:
            wide.update(range(a + 1, b))
    cut_sets: list[dict[int, float]] = []
    for extra in ((), wide, range(1, len(text))):
        cuts = {**cuts, **{c: 8.0 for c in extra if c not in cuts and _allowed(text, c)}}
        cut_sets.append(cuts)
    if len(text) <= _BALANCE_CAP:
        try:
            for cuts in cut_sets:
                cand = _Candidates(text, cuts, measure, size, font)
                found = _fitting(cand, max_lines)
                if found:
                    return found
            if sum(comb(len(cuts), k) for k in range(max_lines)) <= _WEIGH_LIMIT:
                return _least_overflowing(cand, max_lines)
        except _TooMuch:
            pass
    # too long to weigh: even lines filled greedily, at phrase boundaries if they fit
    for cuts in cut_sets:
        lines, fits = _greedy(text, cuts, measure, size, font, max_lines)
        if fits:
            break
    return lines
