"""From a document's lines to a story: headline, byline, 小标题, captions, and the body in Markdown.

The rules follow how correspondents write: the title is the Title-styled
paragraph or the first line; a line starting with ―― right under it is the
subheadline; a line such as （社区宣文办）, 通讯员 张三 or 记者 李四 just
under the title or at the very end is the byline; a heading style (Heading
1–3, WPS's 标题 1) or a short line that is bold as a whole is a 小标题; the
line under a photo that starts with 图为 (or a short centred line) is its
caption. Everything else is body text, with bold, italic and lists kept.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..errors import Collector, Pos
from .markdown import escape, item, paragraph
from .walk import Line, Picture, Span, where

MAX_HEADLINE = 100
"""A first line longer than this is a paragraph, not a title."""
MAX_SUBHEAD = 40
"""A bold line longer than this is an emphasised sentence, not a 小标题."""
MAX_SHORT_CAPTION = 40
"""A centred line under a photo at most this long is its caption."""
MAX_CAPTION = 200
"""A line starting with 图为 at most this long is a caption."""
MAX_BYLINE = 40
"""A byline line is short."""
_CAPTION_START = re.compile(r"^(?:图为|图片为|图：|图:|图片：|图片:|上图|下图|左图|右图|[▲△↑]|"
                            r"图\s*[0-9０-９一二三四五六七八九十]+\s*[：:、.．　 ])")
_PAREN = re.compile(r"^[（(]\s*([^（）()]{1,30}?)\s*[）)]$")
_NOT_BYLINE = re.compile(r"^(?:图|完|上接|下转|续|注|附|摘自|略|[0-9０-９])")
_NAME = r"[\u3400-\u9fff·]{2,5}"
_ROLE = re.compile(r"^(?:本报|特约)?(?:通讯员|记者|撰稿|撰文|作者|文字|供稿|来源)"
                   rf"(?:[\s　]*[：:][\s　]*\S|[\s　]+\S|{_NAME}(?:[\s　、，,]+{_NAME})*$)"
                   r"|^文\s*[/／：:]|^图\s*[/／]")
BYLINE_JOIN = "、"
"""Between byline lines (（社区宣文办） and 通讯员 张三 → 社区宣文办、通讯员 张三)."""
_LABEL = re.compile(r"^(?:作者|供稿|来源)\s*[：:]\s*")
_SENTENCE_END = "。；，、,;：:"


@dataclass(frozen=True)
class Slot:
    """A photo with its caption."""

    picture: Picture
    """The photo as found in the document."""
    caption: str
    """The caption line under it, as typed; empty when none was found."""


@dataclass(frozen=True)
class Draft:
    """A story read from a document, before any file is written."""

    headline: str
    """主题."""
    subheadline: str
    """副题 (a ――line under the title), or empty."""
    byline: str
    """来源或作者 without brackets, or empty."""
    body: str
    """The body in kanwu's Markdown subset."""
    slots: tuple[Slot, ...]
    """Photos in order of appearance."""


def caption_of(line: Line) -> str | None:
    """The caption `line` is when it sits under a photo, or None."""
    text = line.text
    if not text or line.pictures or line.row or line.mark is not None or line.style.role in ("heading", "title"):
        return None
    if line.style.role == "caption" and len(text) <= MAX_CAPTION:
        return text
    if _CAPTION_START.match(text) and len(text) <= MAX_CAPTION:
        return text
    return text if line.style.centered and len(text) <= MAX_SHORT_CAPTION else None


def byline_of(line: Line) -> str | None:
    """The byline `line` is (without its brackets), or None."""
    text = line.text
    if not text or len(text) > MAX_BYLINE or line.pictures or line.row or line.mark is not None \
            or line.style.role in ("heading", "title"):
        return None
    paren = _PAREN.match(text)
    if paren and not _NOT_BYLINE.match(paren.group(1)):
        return paren.group(1).strip()
    if _ROLE.match(text) and text[-1] not in "。！？!?":
        return _LABEL.sub("", text).strip()
    return None


def is_subhead(line: Line) -> bool:
    """A short line bold as a whole (not a list item, not a sentence): a 小标题 typed without a heading style."""
    text = line.text
    return bool(text) and len(text) <= MAX_SUBHEAD and not line.pictures and not line.row and line.mark is None \
        and text[-1] not in _SENTENCE_END and all(s.bold for s in line.spans if s.text.strip())


def build(lines: list[Line], shown: str, fallback_title: str, out: Collector) -> Draft:
    """The story in `lines`; warnings (no title, a photo without caption) go to `out`."""
    if not any(line.text or line.pictures for line in lines):
        out.error("import-empty", "文档里没有文字 / the document has no text", Pos(shown))
        return Draft(fallback_title, "", "", "", ())
    rest = list(lines)
    headline = _headline(rest, shown, fallback_title, out)
    subheadline = ""
    if rest and headline.at >= 0 and headline.at < len(rest) and not rest[headline.at].pictures:
        nxt = rest[headline.at]
        if (nxt.style.role == "subtitle" or nxt.text.startswith(("——", "—", "--"))) and len(nxt.text) <= MAX_HEADLINE:
            subheadline = nxt.text
            del rest[headline.at]
    bylines = _bylines(rest, max(headline.at, 0))
    body, slots = _body(rest, shown, out)
    # joined with 、 as offices list sources: a space between two Chinese words is removed when the issue is
    # typeset (text.normalize), which would run 社区宣文办 and 通讯员 together
    return Draft(headline.text, subheadline, BYLINE_JOIN.join(bylines), body, tuple(slots))


@dataclass(frozen=True)
class _Found:
    """The headline and where it was."""

    text: str
    """The headline."""
    at: int
    """Where the headline's lines were, in the remaining lines (-1: taken from elsewhere)."""


def _headline(rest: list[Line], shown: str, fallback: str, out: Collector) -> _Found:
    """Take the headline out of `rest`: the Title-styled lines, else the first line when it is short."""
    titles = [i for i, line in enumerate(rest) if line.style.role == "title" and line.text and not line.pictures]
    if titles:
        first = titles[0]
        end = first
        while end < len(rest) and rest[end].style.role == "title" and rest[end].text and not rest[end].pictures:
            end += 1
        text = "".join(line.text for line in rest[first:end])
        del rest[first:end]
        return _Found(text, first)
    first = next((i for i, line in enumerate(rest) if line.text), None)
    if first is not None and not rest[first].pictures and not rest[first].row and len(rest[first].text) <= MAX_HEADLINE \
            and byline_of(rest[first]) is None:
        text = rest[first].text
        del rest[first]
        return _Found(text, first)
    out.warning("import-no-title", f"文档没有标题（标题样式或较短的第一行），暂用“{fallback}”作主题，请改写 headline / the document "
                f"has no title (a Title-styled or short first line): the headline is “{fallback}” for now, rewrite it",
                Pos(shown))
    return _Found(fallback, -1)


def _bylines(rest: list[Line], at: int) -> list[str]:
    """Take the byline lines out of `rest`: those just under the title and those at the very end."""
    found: list[str] = []
    head = at
    while head < len(rest) and len(found) < 3 and (b := byline_of(rest[head])) is not None:
        found.append(b)
        del rest[head]
    tail: list[str] = []
    # the line under a photo is its caption, even when it reads like a byline
    while rest and len(tail) < 2 and (b := byline_of(rest[-1])) is not None \
            and not (len(rest) > 1 and rest[-2].pictures and not rest[-2].text):
        tail.insert(0, b)
        rest.pop()
    return found + tail


def _body(lines: list[Line], shown: str, out: Collector) -> tuple[str, list[Slot]]:
    """The Markdown body and the photos with their captions."""
    levels = sorted({line.style.level for line in lines if line.style.role == "heading"})
    blocks: list[str] = []
    slots: list[Slot] = []
    pending: list[int] = []  # photos still waiting for their caption lines
    lists: list[list] = []  # open list levels, see `_item`
    for line in lines:
        if line.pictures:
            _uncaptioned(slots, pending, shown, out)
            pending = list(range(len(slots), len(slots) + len(line.pictures)))
            slots += [Slot(p, "") for p in line.pictures]
            if not line.text:
                continue
        # a caption typed in the picture's own paragraph, after it, is the caption too
        caption = caption_of(dataclasses.replace(line, pictures=())) if pending else None
        if caption is not None:
            slots[pending[0]] = Slot(slots[pending[0]].picture, caption)
            pending.pop(0)
            continue
        _uncaptioned(slots, pending, shown, out)
        pending = []
        if line.mark is not None and line.mark.kind in ("ul", "ol"):
            md, exact = item(line.spans, line.mark.kind, line.mark.number, line.mark.depth, lists)
        else:
            lists.clear()
            if line.style.role == "heading" or is_subhead(line):
                deeper = line.style.role == "heading" and levels.index(line.style.level) > 0
                md, exact = ("### " if deeper else "## ") + escape(line.text), True
            elif line.mark is not None:  # numbering Markdown cannot say (一、, （1）): kept as the label Word shows
                md, exact = paragraph((Span(line.mark.label, False, False), *line.spans))
            else:
                md, exact = paragraph(line.spans)
        blocks.append(md)
        if not exact:
            cn, en = where(line.para, line.text)
            out.warning("import-emphasis", f"{cn}的加粗或倾斜紧挨着数字或字母，Markdown 无法准确标出，已去掉，请在正文文件里核对 / "
                        f"the bold or italic in {en} borders on a digit or letter where Markdown cannot mark it: "
                        "it was left out, check the body file", Pos(shown))
    _uncaptioned(slots, pending, shown, out)
    # a blank line between list items too: an item then never reads as the lazy continuation of the one before
    text = "\n\n".join(blocks)
    return (text + "\n") if text else "", slots


def _uncaptioned(slots: list[Slot], pending: list[int], shown: str, out: Collector) -> None:
    for i in pending:
        cn, en = where(slots[i].picture.para, "")
        out.warning("import-no-caption", f"{cn}的图片下面没有找到图片说明（以“图为”开头的一行或居中的短行），请补写 caption / "
                    f"no caption found under the picture in {en} (a line starting 图为 or a short centred line): "
                    "write its caption", Pos(shown))
