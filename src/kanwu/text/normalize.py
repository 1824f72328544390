"""Normalise clerk-typed Chinese text for print, reporting every change.

Bulletin copy arrives from Windows Notepad, WeChat and PDF extraction with
ASCII punctuation, straight quotes and full-width digits. Print needs the forms
set out in GB/T 15834-2011 (标点符号用法) and W3C clreq (Requirements for
Chinese Text Layout):

* ``, . : ; ? ! ( )`` touching Chinese become ``，。：；？！（）`` (full-width
  marks carry their own spacing, so ASCII spaces beside them are dropped), but
  never inside numbers (``1,286``, ``3.14``, ``10:30``), URLs, e-mail
  addresses, file names or Latin phrases (``Hello, world.``). "Touching
  Chinese" looks through spaces, quotes (shared with Latin text, so not
  evidence either way) and a Latin word or number held in Chinese, so
  ``增长了3.5.`` ends in ``。``. Brackets are decided as matched pairs, so
  ``f(x)`` stays and ``鞍一(2)`` becomes ``鞍一（2）``.
* Straight quotes become curly by pairing; an apostrophe between Latin letters
  becomes ``’``. A ``“…”`` nested in another becomes ``‘…’`` (GB/T 15834, 引号);
  a third level is ``“…”`` again. Quotes that do not pair are left alone.
* ``...``, ``。。。`` or a lone ``…`` become ``……``; ``--``, ``－－`` or a lone
  ``—`` between Chinese become ``——`` (both marks take two ems in Chinese).
* Full-width digits and Latin letters become half width (clreq: Western
  characters in Chinese text are set proportional, not full width).
* Spaces Chinese print has no use for are removed: full-width spaces typed
  to indent a paragraph (``　　正文``: the layout indents paragraphs itself,
  so they would indent it twice), and spaces between two Chinese characters
  (``居民 可以``, ``活动 ，``: Chinese has no word spaces), looking through
  quotes and emphasis stars — in running text only: in a headline, byline,
  caption or a Markdown heading a space between two words is the writer's
  separator (``文明劝导　路口有“我”``, ``文/张三 图/李四``, ``一、入户宣传　面对面
  讲解``) and stays. Spaces beside Latin words and numbers stay (the
  writer's choice; without one the composer puts a quarter em there), and so
  do those beside a URL, e-mail address or code.
* Invisible format characters pasted from WeChat or web pages (zero-width
  space U+200B, U+FEFF, soft hyphen, word joiner, direction marks) are
  removed: no font has a glyph for them, and print has no use for them.

The input is raw Markdown, so code, HTML tags, link targets, entities and
line-start markers (``#``, ``>``, ``-``, ``1.``) are never touched, nor spaces
that start or end a line (indentation, hard breaks). The text is never
rewritten in place: :func:`normalize` returns the new text and the changes,
each with offsets into the original, so the caller can report file:line:col.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

__all__ = ["Change", "normalize", "describe"]


@dataclass(frozen=True)
class Change:
    """One replacement made by the normaliser."""

    start: int  # offset in the ORIGINAL text where the replaced characters start
    end: int  # offset in the ORIGINAL text just past them (end > start)
    before: str  # the original characters, text[start:end]
    after: str  # what they became
    rule: str  # "fullwidth-punct", "quotes", "nested-quotes", "ellipsis", "dash", "range", "halfwidth-alnum",
    # "invisible", "space", "indent"


_Edit = tuple[int, int, str, str]  # (start, end, replacement, rule) in the text a stage sees
_Piece = list  # [orig_start, orig_end, current_text, rule or None]

_CJK_PUNCT = frozenset("、。，：；！？“”‘’（）《》【】…—·「」『』〈〉〔〕")
_SPACES = " \t\u3000"
# Quotes and emphasis stars are shared with Latin text, so context looks through
# them to the letters behind instead of counting them as Chinese.
_LOOK_THROUGH = _SPACES + "\"'“”‘’*"
_OPENERS = "（([{《「『【〈〔“‘"
_CLOSERS = "。，、；：？！）》」』】〉〕,.;:?!)]}"
_MARKS = {",": "，", ".": "。", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_DIGITS = frozenset("0123456789０１２３４５６７８９")

_PARAGRAPH = re.compile(r"^[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", re.M)
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+")
_PROTECTED = (
    re.compile(r"^[ \t]{0,3}(`{3,}|~{3,}).*?(?:\n[ \t]{0,3}\1[ \t\r]*(?=\n|\Z)|\Z)", re.M | re.S),  # code block
    re.compile(r"(`+)[^\n]*?\1"),  # inline code
    re.compile(r"<!--.*?-->", re.S),  # HTML comment (may hold "--")
    re.compile(r"</?[A-Za-z][^<>\n]*>"),  # HTML tag or autolink
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),  # e-mail
    re.compile(r"\]\([^)\n]*\)|!\["),  # Markdown link target, image marker
    re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);"),  # HTML entity
    # Block markers at line start: "## ", "> ", "- ", "* ", "1. ", "2) ", nested.
    re.compile(r"^[ \t]*(?:(?:>|#{1,6}|[-*+]|\d{1,9}[.)])(?=[ \t\r\n]|\Z)[ \t]*)+", re.M),
)


def _is_han(c: str) -> bool:
    o = ord(c)
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F or c == "〇")


def _is_chinese(c: str) -> bool:
    return _is_han(c) or c in _CJK_PUNCT


def _is_word(c: str) -> bool:
    """A letter or digit of a non-Han script (Latin words, numbers)."""
    return c.isalnum() and not _is_han(c)


def _protected(t: str) -> bytearray:
    """1 for every character no rule may touch (code, URLs, Markdown syntax...)."""
    mask = bytearray(len(t))
    for pattern in (*_PROTECTED, _URL):
        for m in pattern.finditer(t):
            s, e = m.span()
            if pattern is _URL:  # a URL does not end in sentence punctuation or an unmatched ")"
                while e > s and (t[e - 1] in ".,;:!?*'" or t[e - 1] == ")" and t.count("(", s, e) < t.count(")", s, e)):
                    e -= 1
            mask[s:e] = b"\x01" * (e - s)
    return mask


def _paragraphs(t: str) -> list[tuple[int, int]]:
    """Spans of runs of non-blank lines: quotes and brackets never pair across them."""
    return [m.span() for m in _PARAGRAPH.finditer(t)]


def _side(v: Sequence[str], i: int, step: int) -> str | None:
    """What lies beside position i in direction step, within the line.

    "C" Chinese; "L" Latin words; "D" a bare number; None nothing. Latin words
    and numbers are looked through (spaces between them too) to the Chinese
    that may hold them, so ``了3.5.`` and ``使用 Python 3.11.`` count as Chinese.
    """
    j, word, letters, n = i + step, False, False, len(v)
    while 0 <= j < n:
        c = v[j]
        if c in _LOOK_THROUGH:
            j += step
        elif _is_chinese(c):
            return "C"
        elif _is_word(c) or c == "%":
            word = True
            while 0 <= j < n and (_is_word(v[j]) or v[j] == "%" or (
                    v[j] in ".,:" and 0 <= j + step < n and _is_word(v[j + step]))):
                letters = letters or v[j].isalpha()
                j += step
        else:
            break
    if not word:
        return None
    return "L" if letters else "D"


def _in_chinese(v: Sequence[str], s: int, e: int) -> bool:
    """Whether the punctuation v[s:e] belongs to Chinese text."""
    n, j = len(v), e
    while j < n and v[j] == " ":
        j += 1
    if 0 < s and j < n and _is_word(v[s - 1]) and _is_word(v[j]):
        return False  # between Latin words or numbers: 1,286 3.14 10:30 report.pdf "Hello, world" "Fig. 1"
    left = _side(v, s, -1)
    if left == "L" and e < n and v[e] == " ":
        return False  # Latin punctuation is followed by a space: "Hello, world. 你好"
    return "C" in (left, _side(v, e - 1, 1))


def _near(t: str, i: int, step: int) -> str | None:
    """The nearest character from i in direction step, past spaces and quotes: "C", "W" or None."""
    while 0 <= i < len(t) and t[i] in _LOOK_THROUGH:
        i += step
    if not 0 <= i < len(t):
        return None
    return "C" if _is_chinese(t[i]) else "W" if _is_word(t[i]) else None


def _halfwidth_edits(t: str, prot: bytearray) -> list[_Edit]:
    """Full-width digits and letters, and ％ after a digit, to half width."""
    edits = []
    for m in re.finditer(r"[０-９Ａ-Ｚａ-ｚ％．]+", t):
        s, e = m.span()
        out = []
        for k in range(s, e):
            c, digit_before, digit_after = t[k], t[k - 1:k] in _DIGITS, t[k + 1:k + 2] in _DIGITS
            keep = (prot[k] or (c == "％" and not digit_before)  # ％ only as per cent, ． only as decimal point
                    or (c == "．" and not (digit_before and digit_after)))
            out.append(c if keep else chr(ord(c) - 0xFEE0))
        changed = [k for k in range(s, e) if out[k - s] != t[k]]
        if changed:  # one change per run reads better than one per digit: "１２３" → "123"
            a, b = changed[0], changed[-1] + 1
            edits.append((a, b, "".join(out[a - s:b - s]), "halfwidth-alnum"))
    return edits


_DATE_UNITS = "年月日号时点分秒"


def _ellipsis_dash_edits(t: str, prot: bytearray) -> list[_Edit]:
    """Ellipses to ……, dashes between Chinese to —— (GB/T 15834, 省略号 and 破折号)."""
    edits = []
    for m in re.finditer(r"\.{3,}|。{3,}|…+|-+|—+|－+", t):
        s, e = m.span()
        run = m.group()
        if any(prot[s:e]):
            continue
        if run[0] == "。" or (run[0] == "." or run == "…") and _in_chinese(t, s, e):
            edits.append((s, e, "……", "ellipsis"))
        elif (run in ("-", "--", "－", "－－") and s and t[s - 1] in _DATE_UNITS
              and e < len(t) and t[e].isdigit()):
            # a span of dates or times, 7月1日--8月31日: GB/T 15834 sets it with 一字线
            edits.append((s, e, "—", "range"))
        elif run in ("--", "－－", "—"):
            # Only between Chinese: "--help" and "2020--2021" have a Latin word or number beside them.
            sides = (_near(t, s - 1, -1), _near(t, e, 1))
            if "C" in sides and "W" not in sides:
                edits.append((s, e, "——", "dash"))
    return edits


def _quote_edits(t: str, prot: bytearray) -> list[_Edit]:
    """Pair quotes with a stack per paragraph; curl the straight ones, nest by depth."""
    edits: list[_Edit] = []

    def pair(o: int, c: int, kind: str, depth: int) -> None:
        nested = kind == '"' and depth % 2 == 0  # GB/T 15834: double outside, single inside, and so on
        want, rule = ("‘’", "nested-quotes") if nested else ("“”" if kind == '"' else "‘’", "quotes")
        edits.extend((p, p + 1, w, rule) for p, w in ((o, want[0]), (c, want[1])) if t[p] != w)

    for ps, pe in _paragraphs(t):
        stack: list[tuple[int, str]] = []  # open quotes: (position, '"' or "'")
        for i in range(ps, pe):
            c = t[i]
            if c not in "\"'“”‘’" or prot[i]:
                continue
            prev, nxt = t[i - 1] if i else " ", t[i + 1] if i + 1 < len(t) else " "
            if c in "'’" and prev.isalpha() and nxt.isalpha() and not _is_han(prev) and not _is_han(nxt):
                if c == "'":  # don't, O'Brien: an apostrophe, set as the typographic ’
                    edits.append((i, i + 1, "’", "quotes"))
                continue
            kind = '"' if c in "\"“”" else "'"
            same = [k for k, (_, kd) in enumerate(stack) if kd == kind]
            # A typed “ always opens and a typed ” closes; a straight quote closes the
            # innermost open one of its kind if it can, else opens (alternation).
            can_open = c in "“‘" or c in "\"'" and not nxt.isspace() and nxt not in _CLOSERS
            closes = bool(same) and (c in "”’" or c in "\"'" and not prev.isspace() and prev not in _OPENERS)
            if closes and can_open and t[stack[same[-1]][0]] in "“‘":
                # After a typed “, a straight " between words opens a nested quote when
                # enough typed ” follow to close the typed openers: “他说"好"”.
                typed = sum(1 for p, kd in stack if kd == kind and t[p] in "“‘")
                closes = t.count("”" if kind == '"' else "’", i + 1, pe) < typed
            if closes:
                k = same[-1]
                pair(stack[k][0], i, kind, k + 1)
                del stack[k:]  # anything opened inside and never closed is dropped
            elif can_open:
                stack.append((i, kind))
    return sorted(edits)


def _punct_edits(t: str, prot: bytearray) -> list[_Edit]:
    """ASCII marks in Chinese text to full width, with the spaces beside them."""
    v = list(t)  # t with the decisions so far, so "?!" and "(2)," see converted neighbours
    conv: dict[int, str] = {}
    pairs = []
    for ps, pe in _paragraphs(t):  # brackets first, as matched pairs
        stack: list[int] = []
        for i in range(ps, pe):
            if prot[i]:
                continue
            if t[i] in "(（":
                stack.append(i)
            elif t[i] in ")）" and stack:
                pairs.append((stack.pop(), i))
    for a, b in sorted(pairs):  # outer pairs first: an inner pair then sees "（" beside it
        left = _side(v, a, -1)
        if (v[a] == "（" or v[b] == "）" or any(_is_chinese(ch) for ch in v[a + 1:b])
                or (not (a and v[a - 1].isascii() and v[a - 1].isalnum())  # f(x) is a formula, not a note
                    and (left == "C" or left is None and _side(v, b, 1) == "C"))):
            for p in (a, b):
                if t[p] in "()":
                    conv[p] = v[p] = _MARKS[t[p]]
    n = len(t)
    for m in re.finditer(r"[,.:;?!]+", t):  # a run ("?!", "?:") is decided as one, by what lies around it
        s, e = m.span()
        if any(prot[s:e]) or not _in_chinese(v, s, e):
            continue
        for k in range(s, e):
            if t[k] != "." or not ((k and t[k - 1] == ".") or (k + 1 < n and t[k + 1] == ".")):
                conv[k] = v[k] = _MARKS[t[k]]  # dots in ".." / "..." stay: not a full stop
    edits, last = [], 0
    for i in sorted(conv):
        # Drop spaces beside the mark, but not those starting or ending a line
        # (Markdown indentation and hard breaks) nor protected ones.
        s = i
        while s > last and t[s - 1] == " " and not prot[s - 1]:
            s -= 1
        if s == 0 or t[s - 1] in "\r\n":
            s = i
        e = i + 1
        while e < n and t[e] == " " and not prot[e]:
            e += 1
        if e == n or t[e] in "\r\n":
            e = i + 1
        edits.append((s, e, conv[i], "fullwidth-punct"))
        last = e
    return edits


_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+")


def _invisible_edits(t: str, prot: bytearray) -> list[_Edit]:
    """Zero-width and direction characters removed, wherever they are (URLs too)."""
    return [(m.start(), m.end(), "", "invisible") for m in _INVISIBLE.finditer(t)]


_INDENT = re.compile(r"^[ \t]{0,3}([ \t\u3000]*\u3000[ \t\u3000]*)(?=[^\s])", re.M)
_SPACE_RUN = re.compile(r"[ \t\u3000]+")
_HEADING = re.compile(r"[ \t]{0,3}#")


def _past_quotes(t: str, i: int, step: int) -> int:
    """The first position from i in direction step that is not a quote or an emphasis star (may be out of
    range): quotes are shared with Latin text, so what they hold decides."""
    while 0 <= i < len(t) and t[i] in "\"'“”‘’*":
        i += step
    return i


def _space_edits(t: str, prot: bytearray) -> list[_Edit]:
    """Full-width indents at a line's start, and spaces inside Chinese text, removed (see the docstring)."""
    edits = [(m.start(1), m.end(1), "", "indent") for m in _INDENT.finditer(t) if not any(prot[m.start(1):m.end(1)])]
    for m in _SPACE_RUN.finditer(t):
        s, e = m.span()
        if _HEADING.match(t, t.rfind("\n", 0, s) + 1):
            continue  # a heading's spaces separate its parts
        a, b = _past_quotes(t, s - 1, -1), _past_quotes(t, e, 1)
        if any(prot[s:e]) or a < 0 or b >= len(t) or prot[a] or prot[b]:
            continue  # a line's ends (indentation, hard breaks) and what touches code or a URL stay
        if _is_chinese(t[a]) and _is_chinese(t[b]):
            edits.append((s, e, "", "space"))
    return sorted(edits)


_STAGES: tuple[Callable[[str, bytearray], list[_Edit]], ...] = (
    _invisible_edits, _space_edits, _halfwidth_edits, _ellipsis_dash_edits, _quote_edits, _punct_edits)
_TITLE_STAGES = tuple(stage for stage in _STAGES if stage is not _space_edits)


def _merge(pieces: list[_Piece], edits: list[_Edit]) -> list[_Piece]:
    """Apply a stage's edits (offsets into the current text) to the pieces.

    Each piece maps a span of the original to its current text, so the changes
    can always be stated against the original. An edit touching an already
    changed piece swallows it: the result is one change, named by the later rule.
    """
    owner = [k for k, p in enumerate(pieces) for _ in p[2]]
    starts = [0, *accumulate(len(p[2]) for p in pieces)]
    groups: list[list] = []  # [first piece, last piece, edits]
    for ed in edits:
        a, b = owner[ed[0]], owner[ed[1] - 1]
        if groups and a <= groups[-1][1]:
            groups[-1][1] = max(b, groups[-1][1])
            groups[-1][2].append(ed)
        else:
            groups.append([a, b, [ed]])
    out, k = [], 0
    for a, b, group in groups:
        out.extend(pieces[k:a])
        text, base = "".join(p[2] for p in pieces[a:b + 1]), starts[a]
        for s, e, after, _ in reversed(group):
            text = text[:s - base] + after + text[e - base:]
        out.append([pieces[a][0], pieces[b][1], text, group[-1][3]])
        k = b + 1
    out.extend(pieces[k:])
    return out


def normalize(text: str, running: bool = True) -> tuple[str, tuple[Change, ...]]:
    """Return the normalised text and the changes, in order of position. ``running=False`` (a
    headline, byline, caption: not running text) keeps the spaces typed between words.

    Applying the changes in order to ``text`` gives the returned text, and
    normalising that again changes nothing. Rules depend on context that other
    rules create (a new ``……`` makes the next comma Chinese), so the stages run
    until a pass changes nothing; every rule only moves text towards its final
    form, so this ends, usually after one or two passes.
    """
    pieces: list[_Piece] | None = None
    current = text
    for _ in range(2 * len(text) + 2):  # a safety net only; see above
        changed = False
        for stage in _STAGES if running else _TITLE_STAGES:
            edits = stage(current, _protected(current))
            if edits:
                if pieces is None:
                    pieces = [[i, i + 1, ch, None] for i, ch in enumerate(text)]
                pieces = _merge(pieces, edits)
                current = "".join(p[2] for p in pieces)
                changed = True
        if not changed:
            break
    if pieces is None:
        return text, ()
    return current, tuple(Change(s, e, text[s:e], after, rule) for s, e, after, rule in pieces
                          if rule is not None and after != text[s:e])


_MARK_NAMES = {",": ("逗号", "comma"), ":": ("冒号", "colon"), ";": ("分号", "semicolon"), "?": ("问号", "question mark"),
               "!": ("叹号", "exclamation mark"), "(": ("括号", "parenthesis"), ")": ("括号", "parenthesis")}
_RULE_TEXT = {
    "quotes": ("直引号改为弯引号", "straight quote set curly"),
    "nested-quotes": ("引号内再用引号改为单引号", "quote inside a quote set single"),
    "ellipsis": ("省略号改为“……”", "ellipsis set as two U+2026"),
    "dash": ("破折号改为“——”", "dash set as two em dashes"),
    "range": ("起止号改为一字线“—”", "a span of dates set with an em dash"),
    "halfwidth-alnum": ("全角数字、字母改为半角", "full-width digits or letters set half width"),
}


def _codes(text: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in text)


def describe(change: Change) -> str:
    """A short bilingual message for an editor about one change.

    For example ``半角逗号改为全角：", " → "，" / ASCII comma set full width``.
    """
    if change.rule == "fullwidth-punct":
        mark = change.before.strip(" ")[:1]
        zh, en = _MARK_NAMES.get(mark, ("标点", "punctuation"))
        zh, en = ("半角句点改为句号", "ASCII full stop set as 。") if mark == "." else (
            f"半角{zh}改为全角", f"ASCII {en} set full width")
    elif change.rule == "invisible":
        return f"删除不可见字符（零宽空格等）：{_codes(change.before)} / invisible character removed"
    elif change.rule == "space":
        return f"删去中文里的空格：{_codes(change.before)} / space inside Chinese text removed"
    elif change.rule == "indent":
        return (f"删去段首的全角空格（段落缩进由版式排）：{_codes(change.before)} / full-width indent removed "
                "(the layout indents paragraphs)")
    elif change.rule == "quotes" and change.before == "'" and change.after == "’":
        zh, en = "撇号改为“’”", "apostrophe set as ’"
    else:
        zh, en = _RULE_TEXT.get(change.rule, ("规范标点", "punctuation normalised"))
    return f'{zh}："{change.before}" → "{change.after}" / {en}'
