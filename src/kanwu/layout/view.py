"""The plan as plain data for layout templates: strings, numbers, lists and mappings.

Templates come with layout folders, and a layout folder may come with an
issue, so a template sees nothing that reaches the file system or Python's
internals: every value here is a `str` (markup already composed and
escaped), a number, a bool, or a list or dict of those. Geometry is given as
ready CSS (``left/top/width/height`` in pt from the type area's corner):
the plan decided it, the template only draws it.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from markupsafe import Markup

from ..makeup.measure import TextStyle
from ..makeup.plan import Block, Head, Plan, TextPiece
from ..model import Issue, Text
from ..text.compose import Line
from ..text.setter import KAI_ROLES, STYLE_ROLES, TextSetter
from .lines import DrawnPiece, composed_html, fmt_pt, line_html, lines_html

STYLE_CLASSES = {"strong": "b", "em": "i", "strong em": "b", "em strong": "b", "credit": "credit"}
"""Inline styles → CSS classes."""


def date_cn(d: dt.date) -> str:
    """2020年12月15日."""
    return f"{d.year}年{d.month}月{d.day}日"


def picture_id(story: str, slot: int) -> str:
    """The HTML id of a picture (``img-<story>-<n>``)."""
    return f"img-{story}-{slot}"


def _place(x: float, y: float, w: float, h: float) -> Markup:
    return Markup(f"left:{fmt_pt(x)};top:{fmt_pt(y)};width:{fmt_pt(w)};height:{fmt_pt(h)}")


def _lines(lines: Sequence[Line], size: float) -> list[Markup]:
    return [line_html(line, STYLE_CLASSES, size) for line in lines]


PIECE_ROLES = {"p": STYLE_ROLES, "li": STYLE_ROLES, "quote": KAI_ROLES, "lead": KAI_ROLES, "sub": {"": "heading"},
               "byline": {"": "kai"}, "jump": {"": "kai"}}
"""The font role of each inline style, by piece kind (as `kanwu.makeup.measure` composed them)."""


def _piece(piece: TextPiece, style: TextStyle, leading: float, table: dict[str, DrawnPiece]) -> dict[str, Any]:
    size = {"sub": style.heading_size, "byline": style.byline_size, "jump": style.byline_size}.get(
        piece.kind, style.body_size)
    cls = {"p": "c", "li": "c li", "quote": "c quote", "lead": "c lead-par", "sub": "sub", "byline": "byline",
           "jump": "jump out" if piece.key.startswith("out") else "jump in"}[piece.kind]
    return {"kind": piece.kind, "cls": cls, "key": piece.key, "lines": piece.height, "indent": Markup(""),
            "html": composed_html(piece.lines, PIECE_ROLES[piece.kind], size, leading, table)}


def _head(head: Head, style: TextStyle) -> dict[str, Any]:
    return {
        "tag": line_html(head.tag, STYLE_CLASSES, style.tag_size) if head.tag else Markup(""),
        "kicker": _lines(head.kicker, style.kicker_size), "headline": _lines(head.headline, head.size),
        "sub": _lines(head.subheadline, style.subheadline_size),
        "align": head.align, "jump": head.jump,
        "css": {
            "tag": Markup(f"font-size:{fmt_pt(style.tag_size)};line-height:{fmt_pt(style.tag_size * style.tag_line)};"
                          f"margin-bottom:{fmt_pt(style.tag_gap)}"),
            "kicker": Markup(f"font-size:{fmt_pt(style.kicker_size)};"
                             f"line-height:{fmt_pt(style.kicker_size * style.kicker_line)}"),
            "headline": Markup(f"font-size:{fmt_pt(head.size)};line-height:{fmt_pt(head.size * style.headline_line)}"),
            "sub": Markup(f"font-size:{fmt_pt(style.subheadline_size)};"
                          f"line-height:{fmt_pt(style.subheadline_size * style.subheadline_line)}"),
        },
    }


def block_view(block: Block, style: TextStyle, picture_url: Callable[[Path | None], str],
               leading: float, table: dict[str, DrawnPiece]) -> dict[str, Any]:
    """One block for the templates; `picture_url` gives the URL of a picture's printable copy ("" for none);
    body text is set `leading` pt a line, its lines put into `table` for kanwu to draw (`composed_html`)."""
    b = block.box
    out: dict[str, Any] = {"kind": block.kind, "story": block.story or "", "style": _place(b.x, b.y, b.w, b.h)}
    if block.kind == "text":
        out["pieces"] = [_piece(p, style, leading, table) for p in block.pieces]
    elif block.kind == "head" and block.head is not None:
        out.update(_head(block.head, style))
    elif block.kind == "picture" and block.picture is not None:
        pic = block.picture
        out.update(id=picture_id(block.story or "", pic.slot), uri=picture_url(pic.src),
                   frame=Markup(f"height:{fmt_pt(pic.frame.h)}"),
                   caption=lines_html(pic.caption, STYLE_CLASSES, style.caption_size),
                   caption_css=Markup(f"font-size:{fmt_pt(style.caption_size)};"
                                      f"line-height:{fmt_pt(style.caption_line)}"))
    elif block.kind == "rule":
        out["dir"] = "h" if b.h == 0 else "v"
        out["style"] = Markup(f"left:{fmt_pt(b.x)};top:{fmt_pt(b.y)};" +
                              (f"width:{fmt_pt(b.w)}" if b.h == 0 else f"height:{fmt_pt(b.h)}"))
    return out


def _set(setter: TextSetter, text: Text | str | None, role: str, size: float | None = None) -> Markup:
    line = setter.plain(text, role, None, size)
    return line_html(line, STYLE_CLASSES, size or setter.body_size) if line is not None else Markup("")


def fixed_view(issue: Issue, setter: TextSetter) -> dict[str, Any]:
    """Masthead, running head, imprint and distribution texts, composed and escaped."""
    pub, date = issue.publication, date_cn(issue.date)
    number = f"第{issue.number}期"
    total = f"总第{issue.total}期" if issue.total else ""
    dist = issue.distribution
    return {
        "name": _set(setter, pub.name, "masthead"), "name_text": pub.name.value,
        "number": _set(setter, number, "heading", 12), "total": _set(setter, total, "heading", 12) if total else "",
        "number_line": _set(setter, number + (f"（{total}）" if total else ""), "body", 14),
        "date": _set(setter, date, "sans", 10), "date_text": date,
        "publisher": _set(setter, pub.publisher, "sans") if pub.publisher else "",
        "editor": _set(setter, pub.editor, "sans") if pub.editor else "",
        "editor_body": _set(setter, pub.editor or pub.publisher, "body") if (pub.editor or pub.publisher) else "",
        "editor_sans": _set(setter, pub.editor or pub.publisher, "sans") if (pub.editor or pub.publisher) else "",
        "permit": _set(setter, pub.permit, "sans") if pub.permit else "",
        "contact": _set(setter, pub.contact, "sans") if pub.contact else "",
        "print_run": pub.print_run or 0,
        "print_run_line": _set(setter, f"印数：{pub.print_run}份", "sans", 7.5) if pub.print_run else "",
        "print_run_body": _set(setter, f"（共印{pub.print_run}份）", "body", 11) if pub.print_run else "",
        "send_to": _set(setter, dist.send_to, "body") if dist.send_to else "",
        "copy_to": _set(setter, dist.copy_to, "body") if dist.copy_to else "",
        "runhead_name": _set(setter, pub.name, "heading"), "runhead_date": _set(setter, date, "sans", 9),
    }


def pages_view(plan: Plan, style: TextStyle, setter: TextSetter, picture_url: Callable[[Path | None], str],
               numbers: Sequence[int] | None, table: dict[str, DrawnPiece]) -> list[dict[str, Any]]:
    """Every page (or those `numbers`): its blocks in reading order, its running-head title; the body's
    lines go into `table` (`composed_html`)."""
    g = plan.grid
    out = []
    for page in plan.pages:
        if numbers is not None and page.number not in numbers:
            continue
        out.append({
            "number": page.number, "first": page.number == 1, "last": page.last,
            "title": _set(setter, page.title, "sans", 9) if page.title else "",
            "style": Markup(f"height:{fmt_pt(g.height - 0.5)}"),
            "blocks": [block_view(b, style, picture_url, g.leading, table) for b in page.blocks()],
        })
    return out


def plain_settings(settings: Mapping[str, Any]) -> Any:
    """layout.yaml's settings as plain data (YAML gives plain data; this makes sure of it)."""
    if isinstance(settings, Mapping):
        return {str(k): plain_settings(v) for k, v in settings.items()}
    if isinstance(settings, (list, tuple)):
        return [plain_settings(v) for v in settings]
    if isinstance(settings, (str, int, float, bool)) or settings is None:
        return settings
    return str(settings)
