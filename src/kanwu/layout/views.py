"""What layout templates are given: plain views of the issue, the layout and the typesetter.

Templates are untrusted (see `kanwu.layout.sandbox`), so they get copies of
the issue's printable fields — text, numbers, dates, layout hints — and no
`pathlib.Path` anywhere: a picture's file is known to a template only as the
``uri`` string of its frame. Every type a template can reach is registered
with the sandbox here, with the fields and methods it may use.

`TemplateTypesetter` is ``T`` in the templates: the text-setting methods of
`Typesetter` and nothing else; it takes story views and hands back HTML,
numbers and `PhotoView`s.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from jinja2.exceptions import TemplateRuntimeError
from markupsafe import Markup

from ..errors import Pos
from ..model import Block, Distribution, Image, Inline, Issue, Page, Publication, Story, Text
from .sandbox import register, register_dataclass
from .spec import Layout

if TYPE_CHECKING:
    from .html import PagePlan, PhotoBox, Typesetter


@dataclass(frozen=True)
class ImageView:
    """An image slot as templates see it: its caption and credit, not its file."""

    caption: Text | None
    credit: Text | None
    pos: Pos
    place: Mapping[str, object]

    @classmethod
    def of(cls, image: Image) -> "ImageView":
        """The view of a slot."""
        return cls(image.caption, image.credit, image.pos, dict(image.place))


@dataclass(frozen=True)
class StoryView:
    """A story's printable fields; its pictures as `ImageView`s."""

    id: str
    headline: Text
    pos: Pos
    column: Text | None
    kicker: Text | None
    subheadline: Text | None
    byline: Text | None
    lead: Text | None
    body: Text | None
    blocks: tuple[Block, ...]
    images: tuple[ImageView, ...]
    place: Mapping[str, object]

    @classmethod
    def of(cls, story: Story) -> "StoryView":
        """The view of a story."""
        return cls(story.id, story.headline, story.pos, story.column, story.kicker, story.subheadline,
                   story.byline, story.lead, story.body, story.blocks,
                   tuple(ImageView.of(im) for im in story.images), dict(story.place))


@dataclass(frozen=True)
class IssueView:
    """The issue's printable fields: no file, no folder."""

    publication: Publication
    number: int
    date: dt.date
    layout: str | None
    stories: tuple[StoryView, ...]
    pages: tuple[Page, ...]
    total: int | None
    distribution: Distribution
    proof_round: int

    def story(self, story_id: str) -> StoryView | None:
        """The story with this id (None when there is none)."""
        return next((s for s in self.stories if s.id == story_id), None)


@dataclass(frozen=True)
class PageView:
    """One planned page: its number, title and stories."""

    number: int
    title: str
    stories: tuple[StoryView, ...]


@dataclass(frozen=True)
class PhotoView:
    """Where an image slot is placed (`kanwu.layout.html.PhotoBox` without the file)."""

    id: str
    image: ImageView
    width: float
    height: float
    uri: str | None
    story: str


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TemplateRuntimeError(f"T: {what} 应为数字 / {what} must be a number, not {type(value).__name__}")
    return float(value)


def _id(value: Any) -> str | None:
    """A story id argument (it goes into findings)."""
    return None if value is None else str(value)


def _text(value: Any) -> Text | str | None:
    """A text argument as `Typesetter.plain` takes it; numbers and other plain values print as text."""
    return value if value is None or isinstance(value, (Text, str)) else str(value)


class TemplateTypesetter:
    """``T`` in templates: the `Typesetter`'s text-setting methods, on views.

    Arguments are checked here, so that a template calling ``T`` wrongly is a
    layout error naming the template line, not a crash inside the composer.
    """

    METHODS = ("plain", "heading", "paragraph", "blocks", "lead", "byline", "photo_row", "story_columns")
    """What templates may call (registered with the sandbox below)."""

    def __init__(self, setter: "Typesetter", issue: Issue) -> None:
        self._setter = setter
        self._stories = {s.id: s for s in issue.stories}

    def __repr__(self) -> str:
        return "<T>"

    def _story(self, story: Any) -> Story:
        found = self._stories.get(story.id) if isinstance(story, StoryView) else None
        if found is None:
            raise TemplateRuntimeError(f"T: 应传入一篇稿件（pages 或 issue.stories 里的）/ expected a story from "
                                       f"`pages` or `issue.stories`, not {type(story).__name__}")
        return found

    def plain(self, text: Any, role: str, story: str | None = None, size: float | None = None) -> Markup:
        """`Typesetter.plain`."""
        return self._setter.plain(_text(text), str(role), _id(story), None if size is None else _number(size, "size"))

    def heading(self, text: Any, measure: Any, cls: str, role: str, size: Any, pos: Pos | None = None,
                story: str | None = None, tag: str = "h2") -> Markup:
        """`Typesetter.heading`."""
        if not isinstance(tag, str) or not tag.isalnum():
            raise TemplateRuntimeError(f"T.heading: tag “{tag}” 不是 HTML 标签名 / not an HTML tag name")
        return self._setter.heading(str(_text(text) or ""), _number(measure, "measure"), str(cls), str(role),
                                    _number(size, "size"), pos if isinstance(pos, Pos) else None, _id(story), tag)

    def paragraph(self, block: Any, measure: Any, **options: Any) -> Markup:
        """`Typesetter.paragraph`."""
        if not isinstance(block, Block):
            raise TemplateRuntimeError("T.paragraph: 应传入正文段落（story.blocks 里的）/ expected a block of "
                                       "story.blocks")
        _bind(self._setter.paragraph, block, measure, **options)
        for name in ("indent", "size"):
            if options.get(name) is not None:
                options[name] = _number(options[name], name)
        if "story" in options:
            options["story"] = _id(options["story"])
        return self._setter.paragraph(block, _number(measure, "measure"), **options)

    def blocks(self, story: Any, measure: Any) -> Markup:
        """`Typesetter.blocks`."""
        return self._setter.blocks(self._story(story), _number(measure, "measure"))

    def lead(self, story: Any, measure: Any) -> Markup:
        """`Typesetter.lead` (nothing when the story has no lead)."""
        model = self._story(story)
        return self._setter.lead(model, _number(measure, "measure")) if model.lead else Markup("")

    def byline(self, story: Any, measure: Any) -> Markup:
        """`Typesetter.byline` (nothing when the story has no byline)."""
        model = self._story(story)
        return self._setter.byline(model, _number(measure, "measure")) if model.byline else Markup("")

    def photo_row(self, story: Any, width: Any, gap: Any) -> list[PhotoView]:
        """`Typesetter.photo_row`, as `PhotoView`s."""
        model = self._story(story)
        row = self._setter.photo_row(model, _number(width, "width"), _number(gap, "gap"))
        return [photo_view(box) for box in row]

    def story_columns(self, story: Any, columns: Any, default: Any) -> int:
        """`Typesetter.story_columns`."""
        return self._setter.story_columns(self._story(story), int(_number(columns, "columns")),
                                          int(_number(default, "default")))


def _bind(method: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Refuse arguments `method` does not take, as a template error."""
    try:
        inspect.signature(method).bind(*args, **kwargs)
    except TypeError as exc:
        raise TemplateRuntimeError(f"T.{method.__name__}: {exc}") from None


def photo_view(box: "PhotoBox") -> PhotoView:
    """The template's view of a placed picture."""
    return PhotoView(box.id, ImageView.of(box.image), box.width, box.height, box.uri, box.story)


def layout_view(layout: Layout) -> Layout:
    """The layout without its folders: its settings and measures only."""
    return dataclasses.replace(layout, folders=(), fonts={}, files={})


def template_context(issue: Issue, layout: Layout, setter: "Typesetter", pages: Sequence["PagePlan"]
                     ) -> tuple[dict[str, Any], dict[str, Callable[..., Any]]]:
    """The template names that carry the issue: the views ``issue``, ``layout``, ``T``, ``pages``, and
    the functions ``span`` and ``story_columns`` (which the caller allows in its environment)."""
    stories = {s.id: StoryView.of(s) for s in issue.stories}
    view = IssueView(issue.publication, issue.number, issue.date, issue.layout, tuple(stories.values()),
                     issue.pages, issue.total, issue.distribution, issue.proof_round)
    T = TemplateTypesetter(setter, issue)
    cols = layout.grid()[0]
    spec = layout_view(layout)

    def story_columns(story: Any, default: int = cols) -> int:
        return T.story_columns(story, cols, default)

    plan = [PageView(p.number, p.title, tuple(stories[s.id] for s in p.stories)) for p in pages]
    return dict(issue=view, layout=spec, T=T, pages=plan), dict(span=spec.span_width, story_columns=story_columns)


# --- what templates may use of each type ------------------------------------------------------
for _cls in (ImageView, StoryView, PageView, PhotoView, Pos, Text, Block, Inline, Publication, Distribution, Page):
    register_dataclass(_cls, properties=("text",) if _cls is Block else ())
register_dataclass(IssueView, methods=("story",))
register_dataclass(Layout, exclude=("folders", "fonts", "files"), properties=("page_size", "type_area", "body_size", "leading"),
                   methods=("get", "length", "grid", "span_width"))
register(TemplateTypesetter, methods=TemplateTypesetter.METHODS)

__all__ = ["ImageView", "IssueView", "PageView", "PhotoView", "StoryView", "TemplateTypesetter",
           "layout_view", "photo_view", "template_context"]
