"""Writing a document's lines in kanwu's Markdown subset so that they read back exactly as typed.

Text is escaped (``*``, ``_``, ``\\``; a start that would make a heading, a
quote or a list); bold and italic become ``**`` and ``*`` nested as needed,
with spaces kept outside the markers. CommonMark cannot open or close
emphasis between a digit or Latin letter and punctuation (``3**（一）**``);
punctuation at such a border moves to the unstyled side, and every
paragraph is parsed back with kanwu's own body parser: when its bold or
italic still would not come back as they were, the paragraph is written
without them (and the caller reports it) rather than printing asterisks.
"""
from __future__ import annotations

import re
import unicodedata

from ..errors import Pos
from ..model import Text
from ..text.body import parse_body
from .walk import Span

_SPECIAL = re.compile(r"([\\*_])")
_START_NUMBER = re.compile(r"^(\d{1,9})([.)])")


def escape(text: str) -> str:
    """Text that Markdown prints as typed: backslashes, asterisks and underscores escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def block_start(md: str) -> str:
    """`md` with a start that Markdown would read as a heading, quote, list or rule escaped."""
    if md[:1] in ("#", ">", "-", "+", "="):
        return "\\" + md
    return _START_NUMBER.sub(r"\1\\\2", md)


def _word(ch: str) -> bool:
    """A letter or digit that CommonMark's emphasis rules see as part of a word (Han counts as punctuation in kanwu)."""
    return unicodedata.category(ch)[0] in "LN" and ord(ch) < 0x2E80


def _punct(ch: str) -> bool:
    return not ch.isspace() and not _word(ch)


def _edge(text: str, from_end: bool) -> int:
    """How many punctuation marks (never letters or Han) `text` starts (or ends) with: those may change sides."""
    chars = reversed(text) if from_end else iter(text)
    n = 0
    for ch in chars:
        if unicodedata.category(ch)[0] not in "PS":
            break
        n += 1
    return n


def _marks(span: Span) -> set[str]:
    return {m for m, on in (("**", span.bold), ("*", span.italic)) if on}


def _shift(spans: tuple[Span, ...]) -> list[Span]:
    """Punctuation at a style border next to a letter or digit moved to the side with no markers to place there."""
    out = [s for s in spans if s.text]
    for i in range(1, len(out)):
        a, b = out[i - 1], out[i]
        if _marks(a) == _marks(b) or not a.text or not b.text:
            continue
        if _word(a.text[-1]) and _punct(b.text[0]) and _marks(a) <= _marks(b):  # B would open after a letter
            n = _edge(b.text, False)
            out[i - 1], out[i] = Span(a.text + b.text[:n], a.bold, a.italic), Span(b.text[n:], b.bold, b.italic)
        elif _punct(a.text[-1]) and _word(b.text[0]) and _marks(b) <= _marks(a):  # A would close before a letter
            n = len(a.text) - _edge(a.text, True)
            out[i - 1], out[i] = Span(a.text[:n], a.bold, a.italic), Span(a.text[n:] + b.text, b.bold, b.italic)
    return [s for s in out if s.text]


def inline(spans: tuple[Span, ...] | list[Span]) -> str:
    """Spans as Markdown: ``**bold**``, ``*italic*`` nested as needed, spaces kept outside the markers."""
    out: list[str] = []
    stack: list[str] = []
    pending = ""
    for span in spans:
        core = span.text.strip()
        if not core:
            pending += span.text
            continue
        lead = span.text[:len(span.text) - len(span.text.lstrip())]
        trail = span.text[len(span.text.rstrip()):]
        want = _marks(span)
        keep = 0
        while keep < len(stack) and stack[keep] in want:
            keep += 1
        out.append("".join(reversed(stack[keep:])))  # close right after the previous text
        del stack[keep:]
        opening = [m for m in ("**", "*") if m in want and m not in stack]
        stack += opening
        out.append(pending + lead + "".join(opening) + escape(core))
        pending = trail
    out.append("".join(reversed(stack)))
    return "".join(out)


def _styled(spans: list[Span] | tuple[Span, ...]) -> list[tuple[str, bool, bool]]:
    return [(ch, s.bold, s.italic) for s in spans for ch in s.text if not ch.isspace()]


def _reads_back(md: str, spans: list[Span]) -> bool:
    """Whether kanwu's body parser gives back the characters of `spans`, each with its own bold and italic."""
    got = [(ch, "strong" in run.style.split(), "em" in run.style.split())
           for block in parse_body(Text(md, Pos("", 1, 1))) for run in block.runs for ch in run.text if not ch.isspace()]
    return got == _styled(spans)


def paragraph(spans: tuple[Span, ...]) -> tuple[str, bool]:
    """A paragraph's Markdown and whether its bold and italic are all kept."""
    shifted = _shift(spans)
    md = block_start(inline(shifted))
    if _reads_back(md, shifted):
        return md, True
    return block_start(escape("".join(s.text for s in spans))), not any(s.bold or s.italic for s in spans)


def item(spans: tuple[Span, ...], kind: str, number: int, depth: int, lists: list[list]) -> tuple[str, bool]:
    """A Markdown list item, indented under the open items of lower depth (CommonMark nesting).

    `lists` holds the open levels as ``[depth, indent, kind, number, delimiter]``. An ordered item
    that does not follow on from the item before at its level starts a new list (Word restarted the
    numbering), written with the other delimiter (``1)`` after ``1.``) so Markdown does not join them.
    Returns the item and whether its bold and italic are all kept.
    """
    while lists and lists[-1][0] > depth:
        lists.pop()
    delim = "."
    if lists and lists[-1][0] == depth:
        _, _, last_kind, last_number, delim = lists.pop()
        if last_kind == "ol" and kind == "ol" and number != last_number + 1:
            delim = ")" if delim == "." else "."
    indent = lists[-1][1] if lists else 0
    marker = "- " if kind == "ul" else f"{number}{delim} "
    lists.append([depth, indent + len(marker), kind, number, delim])
    text, exact = paragraph(spans)
    return " " * indent + marker + text, exact
