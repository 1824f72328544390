"""How much of a page a story takes, estimated from the layouts' published geometry.

Used by `office_issues.py` to size the generated text so an issue "just fits" its
planned pages, or runs 20-40 % over, or fills only half. A rough model on purpose
(no kanwu code): body lines at the layout's characters per column line, a head group
across the story's likely span, pictures at a typical width with their captions.
Units are column-lines: one grid line of one column.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

MM = 72 / 25.4


@dataclass(frozen=True)
class Geometry:
    """The grid of one layout as its layout.yaml gives it."""

    name: str
    columns: int
    chars: int           # body characters in one column line
    lines: int           # grid lines in the type area's height
    column_mm: float     # width of one column
    gutter_mm: float
    leading_mm: float
    masthead: int        # grid lines the masthead takes on page 1
    last_page: int       # lines the last page loses (A4: 报送/抄送 block) in each column
    headline_pt: float
    photo_parts: int     # a picture's width is counted in these parts of the measure (A4) or in columns (A3)

    def page_capacity(self, number: int, last: bool) -> int:
        """Column-lines a page holds."""
        lines = self.lines - (self.masthead if number == 1 else 0) - (self.last_page if last else 0)
        return self.columns * lines

    def span_mm(self, cols: int) -> float:
        return cols * self.column_mm + (cols - 1) * self.gutter_mm


# tabloid-a3: 297 x 420 mm, margins 22/24/15/15, 5 columns, 6 mm gutter, 12 pt / 20 pt (11 characters a column)
A3 = Geometry("tabloid-a3", 5, 11, 53, 48.6, 6.0, 20 / MM, 6, 0, 26, 5)
# bulletin-a4: 210 x 297 mm, margins 30/30/28/26, one column of 156 mm, 12 pt / 19.5 pt (36 characters a line)
A4 = Geometry("bulletin-a4", 1, 36, 34, 156.0, 0.0, 19.5 / MM, 8, 5, 20, 6)


def body_lines(markdown: str, geo: Geometry) -> int:
    """Column-lines of a clean Markdown body: paragraphs with a two-character indent, subheads two lines."""
    cpl = geo.chars
    total = 0
    for block in re.split(r"\n\s*\n", markdown.strip()):
        block = block.strip()
        if block.startswith("## "):
            total += 2
            continue
        for line in (block.splitlines() if re.match(r"(\d+\.|-)\s", block.splitlines()[-1]) else [block]):
            text = re.sub(r"^(>|-|\d+\.)\s*", "", line.strip()).replace("**", "")
            total += math.ceil((len(text) + 2) / cpl)
    return total


def span_for(body: int, geo: Geometry, lead: bool) -> int:
    """The column span a makeup would likely give a story of `body` column-lines."""
    if geo.columns == 1:
        return 1
    if lead:
        return geo.columns
    return max(2, min(geo.columns, round(body / 40)))


def head_lines(headline: str, span: int, geo: Geometry, *, column: bool, kicker: bool, subheadline: bool,
               byline: bool, lead_chars: int) -> int:
    """Column-lines of a story's head group (tag, kicker, headline, subheadline, lead) and byline."""
    per_line = max(4, int(geo.span_mm(span) * MM / geo.headline_pt))
    rows = math.ceil(len(headline) / per_line)
    lines = math.ceil(rows * geo.headline_pt * 1.3 / (geo.leading_mm * MM)) + 1  # + space under it
    lines += int(column) + int(kicker) + 2 * int(subheadline) + 1  # + the gap between stories
    cost = lines * span + int(byline)
    if lead_chars:
        cost += math.ceil(lead_chars * 1.1 / geo.chars) + span
    return cost


def picture_lines(width: int, height: int, geo: Geometry, hint: int | None, lead: bool) -> tuple[int, int]:
    """(cost in column-lines, width in columns or parts) of one picture with a one-line caption."""
    aspect = max(0.5, min(height / width, 1.3))
    if hint:
        cols = min(hint, geo.photo_parts)
    elif geo.columns == 1:
        cols = 2 if aspect > 1 else 3
    elif aspect > 1.1:
        cols = 1
    else:
        cols = 3 if lead or aspect < 0.5 else 2
    if geo.columns == 1:
        w_mm = geo.column_mm * cols / geo.photo_parts
    else:
        w_mm = geo.span_mm(cols)
    lines = math.ceil(w_mm * aspect / geo.leading_mm) + 2
    return (lines if geo.columns == 1 else lines * cols), cols


def pictures_cost(pics: list[tuple[int, int, int | None]], geo: Geometry, lead: bool) -> int:
    """Column-lines of a story's pictures; on A4 they stand side by side in rows of `photo_parts`."""
    if geo.columns > 1:
        return sum(picture_lines(w, h, geo, hint, lead and i == 0)[0] for i, (w, h, hint) in enumerate(pics))
    rows: list[list[tuple[int, int]]] = [[]]
    for w, h, hint in pics:
        cost, parts = picture_lines(w, h, geo, hint, lead)
        if sum(p for _, p in rows[-1]) + parts > geo.photo_parts:
            rows.append([])
        rows[-1].append((cost, parts))
    return sum(max(c for c, _ in row) for row in rows if row)


def chars_for(lines: float, geo: Geometry) -> int:
    """Body characters that fill `lines` column-lines (paragraph ends and indents lose about 10 %)."""
    return int(lines * geo.chars * 0.9)
