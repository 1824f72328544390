"""Jinja2 → HTML: the issue, composed for the layout's grid, as one HTML document.

Templates come from the layout's folder chain (a missing template falls back
to the parent layout). Body paragraphs are composed into lines here (by
`kanwu.text.compose`), because only here is it known how wide each story's
columns are; templates call the `Typesetter` for every piece of Chinese text.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import jinja2
from markupsafe import Markup, escape

from ..errors import Finding, Pos
from ..fonts import ResolvedFont, font_face_css
from ..images import ImageInfo
from ..model import Block, Image, Inline, Issue, Story, Text
from ..text.compose import Run, compose
from ..text.headline import break_headline
from ..text.metrics import FontMetrics
from ..rounds import block_key
from .lines import lines_html
from .sandbox import FolderLoader, StrictEnvironment, render
from .spec import Layout
from .views import template_context

# inline styles of the Markdown subset → font roles and CSS classes
STYLE_ROLES = {"": "body", "strong": "strong", "em": "em", "strong em": "strong", "em strong": "strong"}
STYLE_CLASSES = {"strong": "b", "em": "i", "strong em": "b", "em strong": "b"}


def cmyk(values: Sequence[float]) -> str:
    """A palette entry ``[c, m, y, k]`` in percent as CSS ``device-cmyk()``."""
    c, m, y, k = (max(0.0, min(100.0, float(v))) / 100 for v in values)
    return f"device-cmyk({c:g} {m:g} {y:g} {k:g})"


def date_cn(d: dt.date) -> str:
    """2020年12月15日."""
    return f"{d.year}年{d.month}月{d.day}日"


def num(x: float) -> str:
    """A compact CSS number."""
    return f"{x:.3f}".rstrip("0").rstrip(".") or "0"


@dataclass(frozen=True)
class PhotoBox:
    """Where an image slot is placed: its frame size in points."""

    id: str
    """HTML id of the figure (``img-<story>-<n>``)."""
    image: Image
    """The slot."""
    width: float
    """Frame width in points."""
    height: float
    """Frame height in points (the picture is cropped to fill it)."""
    uri: str | None
    """The picture's file URI, None for a placeholder."""
    story: str
    """The story's id."""


@dataclass
class PagePlan:
    """One planned page: its title and stories."""

    number: int
    title: str
    stories: list[Story]


class Typesetter:
    """Sets Chinese text for templates: composed paragraphs, broken headlines.

    Also the one place where text meets fonts, so it records characters the
    chosen font lacks (``missing-glyph``) and lines that could not be fitted.
    """

    def __init__(self, layout: Layout, fonts: dict[str, ResolvedFont],
                 images: Mapping[Path, ImageInfo] | None = None) -> None:
        self.layout = layout
        self.images: Mapping[Path, ImageInfo] = images or {}
        """The usable pictures (others are set as placeholders)."""
        self.fonts = fonts
        self.metrics = {role: FontMetrics(f.path, f.index) for role, f in fonts.items()}
        self.findings: list[Finding] = []
        self.photos: list[PhotoBox] = []
        self._missing_seen: set[tuple[str, str]] = set()

    def _font(self, role: str) -> FontMetrics:
        return self.metrics.get(role) or self.metrics["body"]

    def check_glyphs(self, text: str, role: str, pos: Pos | None, story: str | None = None,
                     where: Text | None = None) -> None:
        """Record characters of `text` that the role's font cannot set."""
        font = self._font(role)
        for i, ch in enumerate(text):
            if ch.isspace() or font.has_glyph(ch) or (ch, role) in self._missing_seen:
                continue
            self._missing_seen.add((ch, role))
            at = where.pos_at(i) if where is not None else pos
            self.findings.append(Finding(
                "error", "missing-glyph",
                f"字体 {self.fonts.get(role, self.fonts['body']).family} 没有字符 “{ch}”（U+{ord(ch):04X}）："
                f"请把含有该字的字体放进 fonts/ 并在版式中指定 / the {role} font has no glyph for U+{ord(ch):04X}"
                if ch.isprintable() else
                f"文中有不可见的控制字符 U+{ord(ch):04X}（常见于从网页、微信复制的文字），请删除 / invisible "
                f"control character U+{ord(ch):04X} in the text: delete it",
                at, story=story, data=(("char", ch),)))

    def paragraph(self, block: Block, measure: float, *, cls: str = "c", indent: float = 2.0,
                  align: str = "justify", roles: dict[str, str] | None = None, size: float | None = None,
                  story: str | None = None, prefix: str = "", face: str = "") -> Markup:
        """A body block composed into lines, as ``<p>``.

        ``face`` (a CSS class) wraps the lines in a span set in another face
        (楷体 for 导语 and 引文): the paragraph's strut stays the body face, so
        its baselines stay on the body's grid (the stylesheet gives the span
        ``line-height: 0``).
        """
        roles = roles or STYLE_ROLES
        size = size or self.layout.body_size
        runs = [Run(prefix, "")] if prefix else []
        runs += [Run(r.text, r.style) for r in block.runs]
        fonts = {}
        for r in runs:
            role = roles.get(r.style, "body")
            fonts[r.style] = self._font(role)
            self.check_glyphs(r.text, role, block.pos, story)
        par = compose(runs, measure, size, fonts, indent=indent, align=align)
        if any(getattr(line, "overfull", False) for line in par.lines):
            self.findings.append(Finding("warning", "overfull-line", "有一行排不下，字符超出栏宽 / a line is wider than its column",
                                         block.pos, story=story))
        classes = {k: v for k, v in STYLE_CLASSES.items()}
        # data-p: the paragraph's key, so the proof can find it on the page (change bars)
        inner = lines_html(par, classes)
        if face:
            inner = Markup(f'<span class="{face}">') + inner + Markup("</span>")
        return Markup(f'<p class="{cls}" data-p="{block_key(block)}">') + inner + Markup("</p>")

    def blocks(self, story: Story, measure: float) -> Markup:
        """All body blocks of a story for a column `measure` points wide."""
        out: list[Markup] = []
        size = self.layout.body_size
        for b in story.blocks:
            if b.kind in ("h2", "h3"):
                out.append(self.heading(b.text, measure, f"sub {b.kind}", "heading",
                                        self.layout.length("heading.size", size), b.pos, story.id))
            elif b.kind == "li":
                out.append(self.paragraph(b, measure, cls="c li", story=story.id, prefix=b.marker + " " if b.marker == "•" else b.marker))
            elif b.kind == "quote":
                # 引文: 楷体, indented body.quote_indent em on the left (the stylesheet's margin)
                inset = float(self.layout.get("body.quote_indent", 2)) * size
                out.append(self.paragraph(b, measure - inset, cls="c quote", indent=2,
                                          roles={k: "kai" for k in STYLE_ROLES}, story=story.id, face="kf"))
            else:
                out.append(self.paragraph(b, measure, story=story.id))
        return Markup("\n").join(out)

    def heading(self, text: str, measure: float, cls: str, role: str, size: float,
                pos: Pos | None = None, story: str | None = None, tag: str = "h2") -> Markup:
        """A headline or subhead broken at word boundaries into balanced lines."""
        self.check_glyphs(text, role, pos, story)
        lines = break_headline(text, measure, size, self._font(role)) if text else ()
        inner = Markup("<br>").join(self._one_line(line, role, size) for line in lines)
        return Markup(f'<{tag} class="{cls}">') + inner + Markup(f"</{tag}>")

    def _one_line(self, text: str, role: str, size: float) -> Markup:
        """Text set on one line with the composer's spacing: Han–Latin gaps, squeezed punctuation."""
        par = compose([Run(text, "")], 1e6, size, {"": self._font(role)}, indent=0, align="left")
        return lines_html(par)

    def lead(self, story: Story, measure: float) -> Markup:
        """The 导语 paragraph, set in 楷体 above the body."""
        assert story.lead is not None
        block = Block("p", (Inline(story.lead.value),), story.lead.pos)
        return self.paragraph(block, measure, cls="c lead-par", roles={k: "kai" for k in STYLE_ROLES},
                              story=story.id, face="kf")

    def photo_row(self, story: Story, width: float, gap: float) -> list[PhotoBox]:
        """Frames for a story's image slots in one row across `width`.

        A slot with ``place: {columns: N}`` spans N grid columns; the others
        share the rest in proportion to their pictures' shapes, so that each is
        cropped little. All frames in the row have one height, at most the
        row's width × ``photos.aspect`` (and half the type area): a portrait
        alone in a wide story gets a narrower frame, not a landscape slice
        through its middle; the row is then centred.
        """
        if not story.images:
            return []
        aspect = float(self.layout.get("photos.aspect", 0.6667))
        shapes = [self._shape(im, aspect) for im in story.images]
        spans = [int(im.place.get("columns", 0) or 0) for im in story.images]
        free = [i for i, n in enumerate(spans) if n <= 0]
        fixed = sum(self.layout.span_width(n) for n in spans if n > 0)
        rest = width - fixed - gap * (len(spans) - 1)
        if (free and rest <= 0) or fixed + gap * (len(spans) - 1) > width + 0.5:
            if any(spans):
                self.findings.append(Finding(
                    "warning", "place-ignored", "图片的 place.columns 加起来超过了稿件的栏数，已平均分配 / "
                    "the images' place.columns do not fit the story's width: they share it equally",
                    story.images[0].pos, story=story.id))
            spans, free, rest = [0] * len(spans), list(range(len(spans))), width - gap * (len(spans) - 1)
        fixed_heights = [self.layout.span_width(n) * a for n, a in zip(spans, shapes) if n > 0]
        height = rest / sum(1 / shapes[i] for i in free) if free else sum(fixed_heights) / len(fixed_heights)
        if free and fixed_heights:
            height = min(height, max(fixed_heights))
        height = min(height, width * aspect, self.layout.type_area[1] / 2)
        # frames narrower than the pictures' own shape crop them top and bottom, by at most a fifth
        natural = sum(height / shapes[i] for i in free)
        stretch = min(1.25, rest / natural) if natural else 1.0
        widths = [self.layout.span_width(n) if n > 0 else height / a * stretch for n, a in zip(spans, shapes)]
        row = [PhotoBox(f"img-{story.id}-{i + 1}", im, w, height,
                        im.src.as_uri() if im.src in self.images else None, story.id)
               for i, (im, w) in enumerate(zip(story.images, widths))]
        self.photos.extend(row)
        return row

    def story_columns(self, story: Story, columns: int, default: int) -> int:
        """The grid columns a story spans: its ``place.columns`` hint, kept within the grid."""
        wanted = int(story.place.get("columns", default))
        if not 1 <= wanted <= columns:
            self.findings.append(Finding(
                "warning", "place-ignored", f"place.columns: {wanted} 超出本版式的 {columns} 栏，按 "
                f"{max(1, min(columns, wanted))} 栏排 / the layout has {columns} columns", story.pos, story=story.id))
        return max(1, min(columns, wanted))

    def _shape(self, image: Image, aspect: float) -> float:
        """Height / width of the frame a picture asks for: its own shape (the layout's for a
        placeholder), kept between a 2.5:1 panorama and a 2:3 portrait."""
        info = self.images.get(image.src) if image.src else None
        if info is None or info.width <= 0:
            return aspect
        return max(0.4, min(1.5, info.height / info.width))

    def byline(self, story: Story, measure: float) -> Markup:
        """（来源）: the byline in brackets, as Chinese papers print it, broken at words if too long."""
        assert story.byline is not None
        self.check_glyphs(story.byline.value, "kai", story.byline.pos, story.id, story.byline)
        size = self.layout.body_size * 0.9
        text = f"（{story.byline.value.strip('（）() ')}）"
        lines = break_headline(text, measure, size, self._font("kai"))
        return Markup("<br>").join(self._one_line(line, "kai", size) for line in lines)

    def plain(self, text: Text | str | None, role: str, story: str | None = None,
              size: float | None = None) -> Markup:
        """A short text (caption, byline, masthead item): glyph-checked, spaced, escaped.

        It may still wrap where the template lets it; `size` (default: the body
        size) scales the Han–Latin gaps.
        """
        if text is None:
            return Markup("")
        value = text.value if isinstance(text, Text) else text
        self.check_glyphs(value, role, text.pos if isinstance(text, Text) else None, story,
                          text if isinstance(text, Text) else None)
        return self._one_line(value, role, size or self.layout.body_size) if value.strip() else escape(value)


def plan_pages(issue: Issue) -> list[PagePlan]:
    """The editors' page plan; stories on no page follow on the last one."""
    if not issue.pages:
        return [PagePlan(1, "", list(issue.stories))]
    pages = [PagePlan(i + 1, p.title, [issue.story(s) for s in dict.fromkeys(p.stories)])
             for i, p in enumerate(issue.pages)]
    placed = {s.id for p in pages for s in p.stories}
    pages[-1].stories += [s for s in issue.stories if s.id not in placed]
    # a story named on two pages is set on the first only
    seen: set[str] = set()
    for p in pages:
        p.stories = [s for s in p.stories if not (s.id in seen or seen.add(s.id))]
    return pages


def environment(layout: Layout) -> jinja2.Environment:
    """A Jinja2 environment over the layout's folder chain."""
    loader = FolderLoader([str(f) for f in layout.folders])
    # strictly sandboxed: a layout folder may come with an issue (issues/x/layouts/), so its templates
    # see plain data only (see sandbox.py and README "What kanwu reads and never does")
    env = StrictEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                            trim_blocks=True, lstrip_blocks=True)
    env.filters["date_cn"] = date_cn
    env.filters["pt"] = lambda x: f"{num(float(x))}pt"
    return env


def render_html(issue: Issue, layout: Layout, fonts: dict[str, ResolvedFont],
                typesetter: Typesetter, extra: dict[str, Any] | None = None) -> str:
    """The whole issue as one HTML document for WeasyPrint."""
    env = environment(layout)
    palette = {name: cmyk(v) for name, v in (layout.get("palette") or {}).items()}
    cols, cw, gutter = layout.grid()
    # templates see views without paths (issue, layout, T, pages): see views.py
    views, functions = template_context(issue, layout, typesetter, plan_pages(issue))
    ctx = dict(
        L=layout.settings, **views,
        # CSS values go into <style>, where HTML escaping would corrupt them
        color={k: Markup(v) for k, v in palette.items()},
        font={role: Markup(f'"{f.family}"') for role, f in fonts.items()},
        weight={role: f.weight for role, f in fonts.items()}, font_faces=Markup(font_face_css(fonts)),
        grid={"columns": cols, "column": cw, "gutter": gutter},
        **env.functions(date_cn=date_cn, num=num, **functions),
    )
    ctx.update(extra or {})
    return render(env, "document.html.j2", ctx, layout.folders)


__all__ = ["Typesetter", "PhotoBox", "render_html", "plan_pages", "cmyk", "date_cn"]
