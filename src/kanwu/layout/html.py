"""Rendering the plan: layout templates (Jinja2) → one HTML document for WeasyPrint.

Templates come from the layout's folder chain (a missing template falls back
to the parent layout's). They receive plain data only (`view.py`): the
pages and their blocks with ready geometry and composed, escaped text, the
masthead texts, the layout's settings, colours and font names. They decide
how things look, never where they go: page makeup has placed every block.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import jinja2
from markupsafe import Markup

from ..fonts import ResolvedFont, font_face_css
from ..makeup.measure import style_of
from ..makeup.plan import Plan
from ..model import Issue
from ..text.setter import TextSetter
from ..units import to_pt
from .lines import DrawnPiece, fmt_pt
from .sandbox import FolderLoader, StrictEnvironment, render
from .spec import Layout
from .view import date_cn, fixed_view, pages_view, plain_settings


def cmyk(values: Sequence[float]) -> str:
    """A palette entry ``[c, m, y, k]`` in percent as CSS ``device-cmyk()``."""
    c, m, y, k = (max(0.0, min(100.0, float(v))) / 100 for v in values)
    return f"device-cmyk({c:g} {m:g} {y:g} {k:g})"


def num(x: float) -> str:
    """A compact CSS number."""
    return f"{x:.3f}".rstrip("0").rstrip(".") or "0"


def environment(layout: Layout) -> jinja2.Environment:
    """A strictly sandboxed Jinja2 environment over the layout's folder chain.

    Kept while the folders' entries stay the same (`_environment`): Jinja compiles each template once
    (a build renders one document per run of pages) and checks its file again before every use."""
    folders = tuple(str(f) for f in layout.folders)
    return _environment(folders, tuple(_entries(f) for f in folders))


def _entries(folder: str) -> tuple[tuple[str, int], ...]:
    """Every folder below `folder` (itself included) with its modification time: a template added or
    removed (one that would now override a parent layout's) changes it."""
    out = []
    for path, _, _ in os.walk(folder):
        try:
            out.append((path, os.stat(path).st_mtime_ns))
        except OSError:
            out.append((path, -1))
    return tuple(out)


@lru_cache(maxsize=8)
def _environment(folders: tuple[str, ...], entries: tuple[tuple[tuple[str, int], ...], ...]) -> jinja2.Environment:
    """The environment of `environment`; `entries` only tells the cache when the folders changed."""
    loader = FolderLoader(list(folders))
    # a layout folder may come with an issue (issues/x/layouts/), so its templates see plain data only
    # (view.py), through an allowlist sandbox (sandbox.py; README "What kanwu reads and never does")
    env = StrictEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                            trim_blocks=True, lstrip_blocks=True)
    env.filters["pt"] = lambda x: fmt_pt(to_pt(x)) or "0"
    return env


def render_html(issue: Issue, layout: Layout, fonts: Mapping[str, ResolvedFont], plan: Plan,
                setter: TextSetter, picture_url: Callable[[Path], str], url: Callable[[Path], str],
                print_css: str = "", numbers: Sequence[int] | None = None,
                table: dict[str, DrawnPiece] | None = None) -> str:
    """The whole issue (or its pages `numbers`) as one HTML document for WeasyPrint.

    `picture_url` gives the URL of a picture file's printable (CMYK) copy ("" when it has none); `url`
    names a file for WeasyPrint's sandboxed fetcher; `print_css` (the output intent's ``@color-profile``)
    goes into the document's head. The body's composed lines, which kanwu draws itself, go into `table`
    (`kanwu.layout.lines.composed_html`).
    """
    env = environment(layout)
    palette = {name: Markup(cmyk(v)) for name, v in (layout.get("palette") or {}).items()}
    g = plan.grid
    style = style_of(layout)
    ctx: dict[str, Any] = dict(
        title=f"{issue.publication.name.value} 第{issue.number}期",
        pages=pages_view(plan, style, setter, lambda src: picture_url(src) if src else "", numbers,
                         table if table is not None else {}),
        fixed=fixed_view(issue, setter), print_css=Markup(print_css),
        L=plain_settings(layout.settings),
        # CSS values go into <style>, where HTML escaping would corrupt them
        color=palette,
        font={role: Markup(f'"{f.family}"') for role, f in fonts.items()},
        weight={role: f.weight for role, f in fonts.items()}, font_faces=Markup(font_face_css(fonts, url)),
        grid={"columns": g.columns, "column": g.column_width, "gutter": g.gutter, "leading": g.leading,
              "width": g.width, "height": g.height, "body_size": g.body_size},
        date=date_cn(issue.date),
    )
    return render(env, "document.html.j2", ctx, layout.folders)


__all__ = ["render_html", "cmyk", "date_cn", "environment"]
