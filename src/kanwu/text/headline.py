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

from functools import lru_cache
from itertools import combinations
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


def _solve(text: str, cuts: dict[int, float], measure: float, size: float,
           font: FontMetrics, max_lines: int, strict: bool) -> tuple[str, ...] | None:
    """The best fitting split of ``text`` at some of ``cuts`` (position -> cost in em).

    Among the splits with the fewest lines that fit, the one with the
    shortest longest line wins, the break costs and the spread added.
    Returns None if none fits; ``strict=False`` returns the least overflowing
    split instead.
    """
    best: tuple[tuple[float, ...], tuple[str, ...]] | None = None
    for k in range(1, max_lines + 1):
        for combo in combinations(sorted(cuts), k - 1):
            bounds = (0, *combo, len(text))
            lines = tuple(text[a:b].strip("\u3000") for a, b in zip(bounds, bounds[1:]))
            if any(_core_len(line) < 2 for line in lines) and _core_len(text) >= 2:
                continue
            widths = [_line_width(line, size, font) for line in lines]
            over = max(0.0, max(widths) - measure)
            if strict and over > 0.01:
                continue
            mean = sum(widths) / len(widths)
            spread = (sum((w - mean) ** 2 for w in widths) / len(widths)) ** 0.5
            key = (over, max(widths) + spread / 4 + size * sum(cuts[c] for c in combo),
                   *(-w for w in widths))   # ties: longer lines on top
            if best is None or key < best[0]:
                best = (key, lines)
        if best is not None and (strict or best[0][0] == 0):
            return best[1]
    return best[1] if best and not strict else None


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
    found = _solve(text, cuts, measure, size, font, max_lines, strict=True)
    if found:
        return found
    # a phrase too wide for the measure: allow breaks inside it, then anywhere
    wide = set()
    for a, b in zip([0, *bounds], bounds):
        if _line_width(text[a:b], size, font) > measure:
            wide.update(range(a + 1, b))
    for extra in (wide, range(1, len(text))):
        cuts.update({c: 8.0 for c in extra if c not in cuts and _allowed(text, c)})
        found = _solve(text, cuts, measure, size, font, max_lines, strict=True)
        if found:
            return found
    return _solve(text, cuts, measure, size, font, max_lines, strict=False) or (text,)
