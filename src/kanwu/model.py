"""The issue model: plain frozen dataclasses, free of rendering imports.

Every user-written value keeps where it came from (`Pos`, from the YAML node
marks), so every finding can say ``file:line:col``. Text values are `Text`:
the string plus a map from offsets in the string back to the source, which
the normaliser needs to report each change where the editor typed it.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .errors import Finding, Pos


@dataclass(frozen=True)
class Text:
    """A string value and where each of its lines starts in the source."""

    value: str
    """The text as the YAML parser (or the body file) gave it."""
    pos: Pos
    """Where the value's first character is."""
    line_starts: tuple[tuple[int, int, int], ...] = ()
    """``(offset, line, col)`` for each source line of a multi-line value:
    the character at ``offset`` of `value` is at ``line:col`` of the file."""

    def __str__(self) -> str:
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value)

    def pos_at(self, offset: int) -> Pos:
        """The source position of the character at `offset` of `value`."""
        if not self.line_starts:
            return Pos(self.pos.file, self.pos.line, self.pos.col + offset if self.pos.col else 0)
        start, line, col = self.line_starts[0]
        for s, ln, c in self.line_starts:
            if s > offset:
                break
            start, line, col = s, ln, c
        return Pos(self.pos.file, line, col + (offset - start))

    def replace(self, value: str) -> "Text":
        """The same source, another value (after normalisation)."""
        return Text(value, self.pos, self.line_starts)


@dataclass(frozen=True)
class Inline:
    """A run of text in one style inside a body block."""

    text: str
    """The characters, normalised."""
    style: str = ""
    """``""`` (plain), ``"strong"`` or ``"em"``."""


@dataclass(frozen=True)
class Block:
    """One block of a story's body after Markdown parsing."""

    kind: str
    """``p`` (paragraph), ``h2``/``h3`` (小标题), ``li`` (list item), ``quote``."""
    runs: tuple[Inline, ...]
    """The block's text as styled runs."""
    pos: Pos
    """Where the block starts in the source."""
    marker: str = ""
    """For list items: the printed marker (``1.``, ``•``)."""

    @property
    def text(self) -> str:
        """The block's plain text."""
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Image:
    """An image slot of a story: a photo, or a placeholder when there is no file."""

    caption: Text | None
    """The caption printed under the picture."""
    pos: Pos
    """Where the slot is written."""
    src: Path | None = None
    """The resolved file, or None for a placeholder slot."""
    src_text: str = ""
    """`src` as the user wrote it (for messages)."""
    credit: Text | None = None
    """Photographer or source, printed after the caption (摄影　某某)."""
    place: Mapping[str, object] = field(default_factory=dict)
    """Layout hints, e.g. ``{"columns": 2}``; each layout documents its hints."""


@dataclass(frozen=True)
class Story:
    """One article: headline, byline, body and images."""

    id: str
    """Unique id, ``[a-z0-9-]+``; pages refer to stories by it."""
    headline: Text
    """主题: the main headline (required)."""
    pos: Pos
    """Where the story's entry starts."""
    column: Text | None = None
    """栏目 / 专栏名: the regular column the story runs under."""
    kicker: Text | None = None
    """引题: the line above the headline."""
    subheadline: Text | None = None
    """副题: the line below the headline."""
    byline: Text | None = None
    """来源 / 作者; the layout brackets it, e.g. （社区宣文办）."""
    lead: Text | None = None
    """导语: a paragraph set apart from the body."""
    body: Text | None = None
    """The body source (Markdown subset), inline or from ``body_file``."""
    blocks: tuple[Block, ...] = ()
    """The body parsed into blocks (filled by the text stage)."""
    images: tuple[Image, ...] = ()
    """Image slots, in order."""
    place: Mapping[str, object] = field(default_factory=dict)
    """Layout hints, e.g. ``{"columns": 5}``."""


@dataclass(frozen=True)
class Page:
    """One page (版) of the issue as the editors planned it."""

    title: str
    """版名, printed in the running head (要闻, 基层动态...)."""
    stories: tuple[str, ...]
    """Ids of the stories on this page, in order."""
    pos: Pos
    """Where the page entry is written."""


@dataclass(frozen=True)
class Publication:
    """The masthead (报头) and the imprint (版权栏)."""

    name: Text
    """The publication's name, set large in the masthead."""
    publisher: Text | None = None
    """主办 unit."""
    editor: Text | None = None
    """编印 / 编辑 unit."""
    permit: Text | None = None
    """内部资料准印证号."""
    contact: Text | None = None
    """One line of address and telephone."""
    print_run: int | None = None
    """印数 (copies)."""


@dataclass(frozen=True)
class Distribution:
    """报送 / 抄送 lines printed at the end of a 简报 (kanwu extension)."""

    send_to: Text | None = None
    """报送: the units the bulletin is reported to."""
    copy_to: Text | None = None
    """抄送: the units that receive a copy."""


@dataclass(frozen=True)
class Issue:
    """One number of a bulletin, as loaded from its YAML file."""

    path: Path
    """The issue file."""
    source_name: str
    """The issue file as the user named it (for messages)."""
    publication: Publication
    """Masthead and imprint data."""
    number: int
    """第N期."""
    date: _dt.date
    """The issue date, printed 2020年12月15日."""
    layout: str | None
    """The layout folder name (``--layout`` may override)."""
    stories: tuple[Story, ...]
    """All stories, in file order."""
    pages: tuple[Page, ...] = ()
    """The editors' page plan; empty means stories flow in order."""
    total: int | None = None
    """总第N期."""
    distribution: Distribution = field(default_factory=Distribution)
    """报送 / 抄送 (bulletin layouts print it)."""
    proof_round: int = 1
    """Proof round (一校 = 1) printed on the proof."""
    normalize: bool = True
    """Whether the text stage normalises punctuation."""
    warnings: tuple[Finding, ...] = ()
    """Warnings found while loading (a story placed twice or on no page); they go into the report."""

    @property
    def root(self) -> Path:
        """The issue's folder: paths inside the issue must stay below it."""
        return self.path.parent

    def story(self, story_id: str) -> Story:
        """The story with this id."""
        return next(s for s in self.stories if s.id == story_id)
