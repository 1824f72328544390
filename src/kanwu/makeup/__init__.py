"""Page makeup (组版): kanwu places every story, headline and picture on the grid itself.

The stage runs between text composition and rendering, in three phases:

1. **measure** (`measure.py`, `pictures.py`): every story's body composed at
   the column width, its heads and picture arrangements at every span;
2. **choose** (`modular.py` + `paginate.py` for the A3 paper, `flow.py` for the
   A4 简报): each story's shape and each page's arrangement, jumps, overset;
3. **place** (`place.py`, `assemble.py`): the `plan.Plan`, pages → modules →
   blocks in grid coordinates, which rendering, preflight and the proof read.

`make_plan` is the whole stage.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..images import ImageInfo
from ..layout.spec import Layout
from ..model import Issue
from ..text.metrics import face
from ..text.setter import TextSetter
from .assemble import assemble, planned_pages, prepare_stories
from .grid import grid_of, settings_of
from .measure import Measurer, style_of
from .paginate import check_page_count
from .plan import Plan


def make_plan(issue: Issue, layout: Layout, fonts: Mapping[str, object],
              images: Mapping[Path, ImageInfo]) -> tuple[Plan, TextSetter]:
    """The makeup of one issue in one layout, and the text setter (its glyph findings, its fonts)."""
    grid = grid_of(layout)
    settings = settings_of(layout, grid)
    metrics = {role: face(f.path, f.index) for role, f in fonts.items()}  # type: ignore[attr-defined]
    setter = TextSetter(fonts, metrics, layout.body_size)
    measurer = Measurer(setter, grid, settings, style_of(layout))
    prepared, findings = prepare_stories(issue, measurer, images, grid, settings)
    planned = planned_pages(issue)
    if settings.builder == "flow":
        from .flow import FlowBuilder

        flow = FlowBuilder(prepared, measurer, grid, settings, issue)
        pages = flow.build()
        check_page_count(issue, len(pages))
        return assemble(issue, pages, grid, settings, layout, findings + flow.findings, flow=True), setter
    from .modular import Shapes
    from .paginate import ModularBuilder, check_crowding
    from .pictures import Pictures

    check_crowding(issue, planned, prepared)
    shapes = Shapes(measurer, Pictures(measurer, grid, settings), grid, settings)
    builder = ModularBuilder(prepared, shapes, measurer, grid, settings)
    results = builder.build(planned)
    check_page_count(issue, len(results))
    return assemble(issue, results, grid, settings, layout, findings + builder.findings), setter


__all__ = ["make_plan", "Plan"]
