"""Body text: the spec's Markdown subset parsed into `Block`s.

Paragraphs, ``##``/``###`` subheads, ``**strong**``, ``*em*``, ordered and
bullet lists, block quotes. Emphasis is CJK-friendly: ``**一是……。**正文``
is strong, as every office writes it (CommonMark's flanking rules would print
the asterisks, because a closing ``**`` after 。 must be followed by a space or
punctuation; Chinese puts neither). Raw HTML is not markup (the parser runs with
``html=False``, so ``<b>`` stays the characters typed); links, images, code
and tables are printed as the text they contain. Single line breaks inside a
paragraph are joined without a space, because Chinese has none.
"""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter, StateInline
from markdown_it.token import Token

from ..model import Block, Inline, Text

_LATIN_END = re.compile(r"[A-Za-z0-9,.;:!?]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # commonmark without HTML, links stay literal text for a print bulletin
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["link", "image", "autolink", "html_inline", "html_block", "reference", "code", "fence",
                "backticks", "entity", "lheading", "table", "strikethrough"])
    md.inline.ruler.at("emphasis", _emphasis)
    return md


_CJK = re.compile(r"[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF\U00020000-\U0003FFFF"
                  r"“”‘’…—·]")
"""Han, kana, hangul, CJK and full-width punctuation, and the quotes and dashes Chinese text uses."""


def _flanking(state: StateInline, start: int) -> tuple[bool, bool, int]:
    """CommonMark's delimiter scan with one change: a CJK character next to the run counts as punctuation.

    So ``。**正`` closes (after punctuation, before 正) and ``文**“`` opens, while ``**`` between two Han
    characters still opens and closes and Latin text reads exactly as CommonMark says.
    """
    src, marker, pos = state.src, state.src[start], start
    while pos < state.posMax and src[pos] == marker:
        pos += 1
    last = src[start - 1] if start > 0 else " "
    nxt = src[pos] if pos < state.posMax else " "
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last) or bool(_CJK.match(last))
    next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt) or bool(_CJK.match(nxt))
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    split_word = marker == "*"
    can_open = left and (split_word or not right or last_punct)
    can_close = right and (split_word or not left or next_punct)
    return can_open, can_close, pos - start


def _emphasis(state: StateInline, silent: bool) -> bool:
    """markdown-it's emphasis rule (``*``, ``_``) with the CJK-friendly scan `_flanking`."""
    marker = state.src[state.pos]
    if silent or marker not in ("_", "*"):
        return False
    can_open, can_close, length = _flanking(state, state.pos)
    for _ in range(length):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(Delimiter(marker=ord(marker), length=length, token=len(state.tokens) - 1,
                                          end=-1, open=can_open, close=can_close))
    state.pos += length
    return True


def parse_body(text: Text) -> tuple[Block, ...]:
    """Parse a story body into blocks with their source positions."""
    tokens = _parser().parse(text.value)
    blocks: list[Block] = []
    kind_stack: list[str] = []
    counters: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            counters.append(int(tok.attrs.get("start", 1) or 1) if tok.type == "ordered_list_open" else 0)
            kind_stack.append("ol" if tok.type == "ordered_list_open" else "ul")
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
            kind_stack.pop()
        elif tok.type == "blockquote_open":
            kind_stack.append("quote")
        elif tok.type == "blockquote_close":
            kind_stack.pop()
        elif tok.type == "inline":
            opener = tokens[i - 1]
            line = (tok.map or opener.map or [0])[0]
            pos = text.pos_at(_offset_of_line(text.value, line))
            runs = _runs(tok)
            if not runs:
                continue
            if opener.type == "heading_open":
                blocks.append(Block("h2" if opener.tag in ("h1", "h2") else "h3", runs, pos))
            elif "ol" in kind_stack[-1:] or "ul" in kind_stack[-1:]:
                marker = f"{counters[-1]}." if kind_stack[-1] == "ol" else "•"
                if kind_stack[-1] == "ol":
                    counters[-1] += 1
                blocks.append(Block("li", runs, pos, marker))
            elif "quote" in kind_stack:
                blocks.append(Block("quote", runs, pos))
            else:
                blocks.append(Block("p", runs, pos))
        elif tok.type == "hr":
            continue
    return tuple(blocks)


def _offset_of_line(value: str, line: int) -> int:
    off = 0
    for _ in range(line):
        nl = value.find("\n", off)
        if nl < 0:
            break
        off = nl + 1
    return off


def _runs(tok: Token) -> tuple[Inline, ...]:
    """Inline children as styled runs; soft breaks join without a space between Chinese."""
    runs: list[Inline] = []
    styles: list[str] = []

    def add(s: str) -> None:
        style = " ".join(dict.fromkeys(styles))
        if runs and runs[-1].style == style:
            runs[-1] = Inline(runs[-1].text + s, style)
        else:
            runs.append(Inline(s, style))

    for child in tok.children or []:
        if child.type == "text" or child.type == "code_inline":
            add(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            before = runs[-1].text if runs else ""
            nxt = tok.children[tok.children.index(child) + 1] if child is not tok.children[-1] else None
            after = nxt.content if nxt is not None else ""
            # Latin words wrapped across source lines keep their space
            if _LATIN_END.search(before) and _LATIN_START.search(after):
                add(" ")
        elif child.type == "strong_open":
            styles.append("strong")
        elif child.type == "em_open":
            styles.append("em")
        elif child.type in ("strong_close", "em_close"):
            if styles:
                styles.pop()
    return tuple(r for r in runs if r.text)
