"""Break a Chinese headline into balanced lines at phrase boundaries.

A headline is set large and short, so where it breaks is read as meaning:
``四平路街道完成杨浦区 / 第十六届人大代表补选工作`` is right,
``四平路街道完成杨浦区第十六届人 / 大代表补选工作`` splits 人大 (the people's
congress).  :func:`break_headline` therefore only breaks between phrases,
after ``，、：；`` and at ideographic spaces (U+3000), takes the fewest lines
that fit the measure, and among those the most even ones (shortest longest
line, then the smallest spread, then the longer line on top).  No line may
hold a single character; clreq's forbidden line starts/ends apply.  A phrase
wider than the measure alone is broken between characters; if nothing fits in
``max_lines`` the least overflowing break is returned.

Phrases: budoux, post-processed.  We compared two phrase finders on the seed
headlines (``以学促干，服务群众有“热度”``, ``四平路街道开展市、区人大代表集中联系
基层活动``, ``四平路街道完成杨浦区第十六届人大代表补选工作``) at 8, 10, 12 and 15
characters per line:

* budoux's Simplified Chinese model alone splits proper nouns into single
  characters (``四|平路``, ``人|大|代表``, ``集|中``, ``补|选``, ``以|学促干``); a
  balanced break then lands on them (``…区人 / 大代表…`` at 12).
* a rule-based finder (breaks after punctuation and before ~20 frequent
  headline verbs and particles: 开展、完成、服务、联系、的、和 …) gets these three
  right but only because the list was written for them: any headline
  without a listed word has no break at all and falls back to characters
  (``四平路街道召开2020年第四季度居民区党组织书记例会`` →
  ``四平路街道召开2020年第四季度居 / 民区党组织书记例会``).
* budoux + two rules: consecutive one-character phrases are joined with each
  other, or with the following phrase (``四平路``, ``区人大``, ``集中``,
  ``以学促干``, ``1654人次``), and a quotation (“…”, 《…》, 「…」) is one phrase.
  It breaks all three seed headlines at real phrase boundaries at every width
  tried (``以学促干，/ 服务群众有“热度”``; ``四平路街道开展市、/ 区人大代表集中
  联系基层活动`` at 14; ``四平路街道完成杨浦区 / 第十六届人大代表补选工作``) and
  generalises, so it is what :func:`phrases` does.  jieba would do better
  on names but is a 20 MB dictionary we do not ship.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

from kanwu.text.compose import CLOSING, NO_END, NO_START, OPENING, char_kind
from kanwu.text.metrics import FontMetrics

__all__ = ["break_headline", "phrases"]

_BREAK_AFTER = frozenset("，、：；\u3000")
_QUOTES = {"“": "”", "《": "》", "「": "」", "『": "』", "‘": "’"}


@lru_cache(maxsize=1)
def _parser():  # noqa: ANN202 - budoux has no public type for it
    """budoux's Simplified Chinese parser, loaded on first use (it takes ~50 ms)."""
    import budoux

    return budoux.load_default_simplified_chinese_parser()


def _core_len(text: str) -> int:
    """Characters that count for length rules: not punctuation, not spaces."""
    return sum(1 for ch in text if char_kind(ch) not in "PS" and ch != "\u3000")


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
    # join one-character phrases: with the singles after them, else the next phrase
    joined: list[str] = []
    pending = ""
    for ph in cut:
        pending += ph
        if _core_len(pending) >= 2 or pending[-1] in _BREAK_AFTER:
            joined.append(pending)
            pending = ""
    if pending:
        if joined and _core_len(pending) < 2:
            joined[-1] += pending
        else:
            joined.append(pending)
    # a short quotation is one phrase: merge phrases until the quote closes
    out: list[str] = []
    close, depth_open = "", False
    for ph in joined:
        if depth_open:
            out[-1] += ph
        else:
            out.append(ph)
        for ch in ph:
            if not depth_open and ch in _QUOTES:
                close, depth_open = _QUOTES[ch], True
            elif depth_open and ch == close:
                depth_open = False
    return out


def _line_width(text: str, size: float, font: FontMetrics) -> float:
    """Width in pt of one headline line (a U+3000 at either end does not show)."""
    return font.advance(text.strip("\u3000")) * size


def _allowed(text: str, pos: int) -> bool:
    """Whether clreq lets a line end before ``text[pos]``."""
    return text[pos - 1] not in NO_END and text[pos] not in NO_START and \
        not (text[pos - 1] in OPENING or text[pos] in CLOSING)


def _solve(text: str, cuts: list[int], measure: float, size: float, font: FontMetrics,
           max_lines: int, strict: bool) -> tuple[str, ...] | None:
    """The best fitting split of ``text`` at some of ``cuts``; None if none fits.

    ``strict=False`` returns the least overflowing split instead of None.
    """
    best: tuple[tuple[float, ...], tuple[str, ...]] | None = None
    for k in range(1, max_lines + 1):
        for combo in combinations(cuts, k - 1):
            bounds = (0, *combo, len(text))
            lines = tuple(text[a:b].strip("\u3000") for a, b in zip(bounds, bounds[1:]))
            if any(_core_len(line) < 2 for line in lines) and _core_len(text) >= 2:
                continue
            widths = [_line_width(line, size, font) for line in lines]
            over = max(0.0, max(widths) - measure)
            if strict and over > 0.01:
                continue
            mean = sum(widths) / len(widths)
            key = (over, max(widths), sum((w - mean) ** 2 for w in widths),
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
    cuts = [b for b in bounds[:-1] if _allowed(text, b)]
    found = _solve(text, cuts, measure, size, font, max_lines, strict=True)
    if found:
        return found
    # a phrase too wide for the measure: allow breaks inside it, then anywhere
    wide = set()
    for a, b in zip([0, *bounds], bounds):
        if _line_width(text[a:b], size, font) > measure:
            wide.update(range(a + 1, b))
    for extra in (wide, set(range(1, len(text)))):
        cuts = sorted({*cuts, *(c for c in extra if _allowed(text, c))})
        found = _solve(text, cuts, measure, size, font, max_lines, strict=True)
        if found:
            return found
    return _solve(text, cuts, measure, size, font, max_lines, strict=False) or (text,)
