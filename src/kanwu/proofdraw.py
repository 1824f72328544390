"""The proof's look: its summary pages and the marks on the print pages, drawn with `kanwu.pdfdraw`.

`kanwu.proof` decides what to show and where the marks and notes go; this module draws it: sizes,
colours and spacing are the ones the proof's stylesheet had (9.5 pt text on 14 pt lines, red for
errors, orange for warnings, blue for changes), and the summary is paginated here, a table's rows
never split and its header repeated on every page it continues on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .pdfdraw import BLACK, WHITE, Canvas, Colour, FontSet, Line, Piece, Style, wrap
from .units import MM

RED: Colour = (0, 1, 1, 0)
ORANGE: Colour = (0, 0.55, 1, 0)
BLUE: Colour = (1, 0.55, 0, 0)
CYAN: Colour = (1, 0, 0, 0)
NORM: Colour = (0.5, 0, 0.1, 0)
GRIDLINE: Colour = (0.4, 0, 0, 0)
STAMP_SEP: Colour = (0, 0.5, 0.5, 0)
LEVEL_COLOUR = {"error": RED, "warning": ORANGE, "change": BLUE, "note": NORM}


def grey(k: float) -> Colour:
    """Black at `k` (0–1)."""
    return (0, 0, 0, k)


TEXT = Style(9.5)
LEADING = 14.0
"""The summary's line height (pt)."""
CELL_PAD = (1.5, 4.0)
"""Table cells: padding top and bottom, left and right (pt)."""


def baseline(fonts: FontSet, line_height: float, size: float) -> float:
    """Where the baseline sits in a line box (from its top): the leading split above and below, as CSS does."""
    ascent, descent = fonts.extents(size)
    return (line_height - ascent - descent) / 2 + ascent


# ---------------------------------------------------------------- the stamp

STAMP_HEIGHT = 11.0 + 2 * (1.0 + 0.75)
"""The stamp's height (pt): one 11 pt line, 1 pt padding, a 0.75 pt rule."""


def stamp(canvas: Canvas, right: float, top: float, title: str, round_cn: str, label: str, built: str) -> None:
    """The red 校样 stamp, its right edge at `right`, its top at `top`."""
    size, line, pad, border = 7.5, 11.0, (1.0, 5.0), 0.75
    sep = ("|", Style(size, STAMP_SEP), 3.0)
    red = Style(size, RED)
    parts: list[tuple[str, Style, float]] = [("第" + round_cn + "校", red, 0), sep, (title, red, 0), sep,
                                             (label, red, 0), sep, (built, red, 0)]
    fonts = canvas.fonts
    head = Style(10, RED, bold=True)
    head_w = fonts.width("校样", head) + 2 * 2.0 + 2.0  # letter-spacing 0.2 em after each, then 2 pt
    widths = [fonts.width(t, s) + 2 * gap for t, s, gap in parts]
    w = head_w + sum(widths) + 2 * (pad[1] + border)
    h = line + 2 * (pad[0] + border)
    x = right - w
    canvas.fill(x, top, w, h, WHITE)
    canvas.box(x, top, w, h, border, RED)
    base = top + border + pad[0] + baseline(fonts, line, size)
    x += border + pad[1]
    canvas.text(x, base, [("校样", head)], spacing=2.0)
    x += head_w
    for (t, s, gap), pw in zip(parts, widths):
        canvas.text(x + gap, base, [(t, s)])
        x += pw


# ---------------------------------------------------------------- the summary: blocks on pages

@dataclass
class Block:
    """Something in the summary's flow: a heading, a paragraph, a table row."""

    height: float
    draw: Callable[[Canvas, float, float, float], None]
    """Draws it at (left, top) across a width."""
    before: float = 0.0
    """Space above it (collapses with the one above, as CSS margins do; none at a page's top)."""
    after: float = 0.0
    keep: bool = False
    """Kept on the page of the block that follows it (a heading, a table's header)."""
    header: "Block | None" = None
    """A table row's header: drawn again above it when the row starts a page."""


def paginate(blocks: Sequence[Block], height: float) -> list[list[tuple[Block, float]]]:
    """The blocks on pages of `height`: each with its top, never split, keeping what must stay together."""
    pages: list[list[tuple[Block, float]]] = [[]]
    y, prev = 0.0, None
    for i, block in enumerate(blocks):
        gap = max(prev.after, block.before) if prev and pages[-1] else 0.0
        need = block.height
        j = i  # a heading and its table's header go with the first row after them
        while blocks[j].keep and j + 1 < len(blocks):
            j += 1
            need += max(blocks[j - 1].after, blocks[j].before) + blocks[j].height
        if pages[-1] and y + gap + need > height:
            pages.append([])
            y, gap = 0.0, 0.0
        if not pages[-1] and block.header is not None:
            pages[-1].append((block.header, 0.0))
            y = block.header.height
        pages[-1].append((block, y + gap))
        y += gap + block.height
        prev = block
    return pages


def lines_block(lines: list[Line], line_height: float, fonts: FontSet, size: float, before: float = 0.0,
                after: float = 0.0) -> Block:
    """Lines of text, left-aligned."""
    base = baseline(fonts, line_height, size)

    def draw(c: Canvas, x: float, y: float, w: float) -> None:
        for i, line in enumerate(lines):
            c.text(x, y + i * line_height + base, line.pieces)
    return Block(len(lines) * line_height, draw, before, after)


def heading(pieces: list[Piece], width: float, fonts: FontSet) -> Block:
    """An h2: 12 pt bold on 18 pt lines, a 1 pt rule under it."""
    lines = wrap(pieces, width, fonts)
    text = lines_block(lines, 18.0, fonts, 12.0)

    def draw(c: Canvas, x: float, y: float, w: float) -> None:
        text.draw(c, x, y, w)
        c.hline(x, y + text.height + 1.0, w, 1.0, BLACK)
    return Block(text.height + 2.0, draw, 6 * MM, 1.5 * MM, keep=True)


@dataclass
class Column:
    """A table column: its share of the width (None: what the others leave), its alignment."""

    share: float | None
    right: bool = False
    """Right-aligned, never wrapped (numbers)."""


@dataclass
class Cell:
    """A table cell's text."""

    pieces: list[Piece] = field(default_factory=list)


def cell(text: str, style: Style = TEXT) -> Cell:
    """A cell of one style."""
    return Cell([(text, style)])


def table(columns: Sequence[Column], head: Sequence[str], rows: Sequence[Sequence[Cell]], width: float,
          fonts: FontSet) -> list[Block]:
    """A table as blocks: its header, then a block per row (rules under each, as the stylesheet had)."""
    fixed = sum(c.share or 0 for c in columns)
    widths = [width * (c.share if c.share is not None else max(0.0, 1 - fixed)) for c in columns]
    pad_y, pad_x = CELL_PAD

    def row(cells: Sequence[Cell], rule: float, colour: Colour) -> Block:
        laid: list[list[Line]] = []
        for col, w, content in zip(columns, widths, cells):
            if col.right:
                laid.append([Line(content.pieces, sum(fonts.width(t, s) for t, s in content.pieces))])
            else:
                laid.append(wrap(content.pieces, w - 2 * pad_x, fonts))
        height = 2 * pad_y + LEADING * max(len(ls) for ls in laid)

        def draw(c: Canvas, x: float, y: float, _w: float) -> None:
            left = x
            for col, w, ls, content in zip(columns, widths, laid, cells):
                size = content.pieces[0][1].size if content.pieces else TEXT.size
                base = y + pad_y + baseline(fonts, LEADING, size)
                for i, line in enumerate(ls):
                    at = left + w - pad_x - line.width if col.right else left + pad_x
                    c.text(at, base + i * LEADING, line.pieces)
                left += w
            c.hline(x, y + height, sum(widths), rule, colour)
        return Block(height + rule, draw)

    th = Style(8.5, bold=True)
    header = row([cell(t, th) for t in head], 0.75, BLACK)
    header.keep = True
    body = [row(r, 0.5, grey(0.3)) for r in rows]
    for b in body:
        b.header = header
    return [header, *body]


# ---------------------------------------------------------------- the summary's parts

def summary_blocks(ctx: dict[str, Any], width: float, fonts: FontSet) -> list[Block]:
    """Everything on the summary pages, in order (`ctx`: what `kanwu.proof.make_proof` gathered)."""
    changes = ctx["changes"]
    blocks = [_title(ctx, fonts), _meta(ctx, width, fonts), _status(ctx, width, fonts), _legend(ctx, width, fonts)]
    muted = Style(10, grey(0.5), bold=True)
    h2 = Style(12, bold=True)

    blocks.append(heading([("稿件 / stories", h2)], width, fonts))
    red = Style(9.5, RED, bold=True)
    cols = [Column(0.11), Column(None), Column(0.07, True), Column(0.07, True), Column(0.15, True), Column(0.15, True)]
    head = ["稿件 id", "标题 / headline", "版", "字数", "超出版面", "转版"]
    if changes:
        cols.append(Column(0.18))
        head.append("改动")
    rows = []
    for s in ctx["stories"]:
        over = s["overset_lines"]
        r = [cell(s["id"]), cell(s["headline"]), cell("、".join(map(str, s["pages"])) if s["pages"] else "—"),
             cell(str(s["characters"])),
             cell(f"{over} 行 / 约 {s['overset_characters']} 字", red) if over else cell("—"),
             cell(f"第{s['jump'][0]}版转第{s['jump'][1]}版" if s["jump"] else "—")]
        if changes:
            r.append(cell(changes.describe(s["id"]) if s["id"] in changes.stories else "", Style(9.5, BLUE)))
        rows.append(r)
    blocks += table(cols, head, rows, width, fonts)

    blocks.append(heading([("版面 / pages ", h2), ("（填充：版心中排了文字、标题和图片的比例）", muted)], width, fonts))
    rows = [[cell(str(p["number"])), cell(p["title"] or "—"), cell(f"{p['fill']}%", red if p["low"] else TEXT),
             cell(p["stories"] or "—")] for p in ctx["page_rows"]]
    blocks += table([Column(0.06, True), Column(0.22), Column(0.12, True), Column(None)],
                    ["版", "版名", "填充 / fill", "稿件"], rows, width, fonts)

    blocks.append(heading([("与上一校比较 / since the last round", h2)], width, fonts))
    blocks.append(_since(changes, width, fonts))

    errors, warnings = ctx["errors"], ctx["warnings"]
    blocks.append(heading([("问题 / findings ", h2), (f"（{errors} 个错误，{warnings} 个提示；标点规范化按文件与类别合并，"
                                                     "逐条见 preflight.json）", muted)], width, fonts))
    if ctx["findings"]:
        level = {"error": ("错误", Style(9.5, RED, bold=True)), "warning": ("提示", Style(9.5, ORANGE))}
        rows = [[cell(*level.get(f["level"], level["warning"])), cell(f["where"], Style(8.5)),
                 cell(f["code"], Style(8, grey(0.6))), cell(f["message"])] for f in ctx["findings"]]
        blocks += table([Column(0.07), Column(0.22), Column(0.17), Column(None)],
                        ["级别", "位置 / file:line", "类别", "问题 / finding"], rows, width, fonts)
    else:
        blocks.append(lines_block(wrap([("没有问题 / no findings.", TEXT)], width, fonts), LEADING, fonts, 9.5, 9.5, 9.5))
    return blocks


def _title(ctx: dict[str, Any], fonts: FontSet) -> Block:
    pieces = [(f"校样 · 第{ctx['round_cn']}校 ", Style(22, RED, bold=True)),
              (f"Proof, round {ctx['info'].round}", Style(12, grey(0.6)))]
    base = baseline(fonts, 30.0, 22)

    def draw(c: Canvas, x: float, y: float, w: float) -> None:
        c.text(x, y + base, pieces)
    return Block(30.0, draw, 0.0, 1 * MM)


def _meta(ctx: dict[str, Any], width: float, fonts: FontSet) -> Block:
    """Title, date, layout, pages, build time, issue file: side by side, 5 mm apart, a new line when full."""
    info = ctx["info"]
    style, gap = Style(9.5, grey(0.75)), 5 * MM
    items = [info.title, info.date, f"版式 {ctx['layout']}", f"共 {ctx['pages']} 页", f"生成于 {info.built}",
             ctx["issue_file"]]
    rows: list[list[tuple[float, Line]]] = [[]]
    x = 0.0
    for text in items:
        for k, line in enumerate(wrap([(text, style)], width, fonts)):  # a very long file name: over lines
            if rows[-1] and (k or x + line.width > width):
                rows.append([])
                x = 0.0
            rows[-1].append((x, line))
            x += line.width + gap
    base = baseline(fonts, LEADING, 9.5)

    def draw(c: Canvas, left: float, y: float, w: float) -> None:
        for i, row in enumerate(rows):
            for at, line in row:
                c.text(left + at, y + i * LEADING + base, line.pieces)
    return Block(len(rows) * LEADING, draw, 0.0, 4 * MM)


def _status(ctx: dict[str, Any], width: float, fonts: FontSet) -> Block:
    errors, warnings = ctx["errors"], ctx["warnings"]
    if ctx["ok"]:
        text, colour = ("预检通过" + (f"（{warnings} 个提示）" if warnings else "") +
                        "：印刷文件已生成 / preflight passed: the print PDF was written"), BLACK
    else:
        text, colour = (f"预检发现 {errors} 个错误：印刷文件未生成，请修改后重新生成 / {errors} error"
                        f"{'s' if errors != 1 else ''}: no print PDF was written"), RED
    pad_y, pad_x, border = 2 * MM, 3 * MM, 1.0
    lines = wrap([(text, Style(11, colour))], width - 2 * (pad_x + border), fonts)
    inner = lines_block(lines, 16.0, fonts, 11)
    height = inner.height + 2 * (pad_y + border)

    def draw(c: Canvas, x: float, y: float, w: float) -> None:
        c.box(x, y, w, height, border, colour)
        inner.draw(c, x + border + pad_x, y + border + pad_y, w)
    return Block(height, draw, 0.0, 3 * MM)


def _legend(ctx: dict[str, Any], width: float, fonts: FontSet) -> Block:
    """What the marks mean, each beside a sample of it."""
    style = Style(8, grey(0.75))
    items = [("e", "错误（超出版面、缺图）"), ("w", "提示（图片精度）"), ("c", "与上一校相比的改动")]
    if ctx["show_normalized"]:
        items.append(("n", "已规范化的标点"))
    base = baseline(fonts, LEADING, 9.5)

    def sample(c: Canvas, kind: str, x: float, bottom: float) -> float:
        """Draws one sample ending at `bottom`; its width."""
        if kind == "c":
            c.vline(x, bottom - 3 * MM, 3 * MM, 2.5, BLUE)
            return 2.5
        w, h, line, colour = ((2.2 * MM + 1.2, 2.2 * MM + 1.2, 0.6, NORM) if kind == "n" else
                              (7 * MM + 3, 2.2 * MM + 3, 1.5, RED if kind == "e" else ORANGE))
        c.box(x, bottom - h, w, h, line, colour)
        return w

    def draw(c: Canvas, x: float, y: float, w: float) -> None:
        at = x
        c.text(at, y + base, [("校样标记：", style)])
        at += fonts.width("校样标记：", style)
        for kind, label in items:
            at += 4 * MM
            at += sample(c, kind, at, y + base + 0.2 * MM) + 1.5 * MM
            c.text(at, y + base, [(label, style)])
            at += fonts.width(label, style)
    return Block(LEADING, draw)


def _since(changes: Any, width: float, fonts: FontSet) -> Block:
    muted = Style(9.5, grey(0.5))
    if not changes:
        pieces: list[Piece] = [("本次没有与上一校比较。用 kanwu build ISSUE --since 上一校.proof.pdf 标出改动 / "
                                "built without --since.", muted)]
    else:
        when = f"第{changes.since_round or '?'}校，{changes.since_built or '时间不详'}"
        pieces = [(f"与 {changes.since}（{when}）相比：", TEXT)]
        if changes.stories:
            pieces += [("改动的稿件 ", TEXT), ("、".join(changes.stories), Style(9.5, BLUE, bold=True))]
        else:
            pieces.append(("没有稿件改动 / no story changed", TEXT))
        if changes.removed:
            pieces.append(("；删去的稿件 " + "、".join(changes.removed), TEXT))
        pieces.append(("。", TEXT))
        if changes.files:
            pieces.append(("改动的源文件：" + "、".join(changes.files), muted))
    return lines_block(wrap(pieces, width, fonts), LEADING, fonts, 9.5, 9.5, 9.5)


def summary_pages(ctx: dict[str, Any], fonts: FontSet, geo: Any, page_canvas: Callable[[], Canvas]) -> list[Canvas]:
    """The summary drawn on pages the size of the print pages (`geo`), the stamp and a page number on each."""
    left, right = geo.left + 20 * MM, geo.media_w - geo.left - 20 * MM
    top, bottom = geo.top + 24 * MM, geo.media_h - geo.top - 20 * MM
    width = right - left
    out = []
    info = ctx["info"]
    footer = Style(7.5, grey(0.6))
    for n, page in enumerate(paginate(summary_blocks(ctx, width, fonts), bottom - top), 1):
        c = page_canvas()
        stamp(c, right, geo.top + 17, info.title + f"（{info.date}）", ctx["round_cn"], "总表 / summary", info.built)
        for block, y in page:
            block.draw(c, left, top + y, width)
        label = f"总表 {n} / summary"
        c.text(right - fonts.width(label, footer), bottom + 6 * MM + baseline(fonts, LEADING, 7.5), [(label, footer)])
        out.append(c)
    return out


# ---------------------------------------------------------------- marks on the print pages

def _label(c: Canvas, x: float, y: float, text: str, size: float, line: float, colour: Colour, background: Colour,
           pad: tuple[float, float]) -> None:
    """A one-line label on a filled background (a tag), its top-left corner at (x, y)."""
    style = Style(size, colour)
    w = c.fonts.width(text, style) + 2 * pad[1]
    c.fill(x, y, w, line + 2 * pad[0], background)
    c.text(x + pad[1], y + pad[0] + baseline(c.fonts, line, size), [(text, style)])


def _slot_label(c: Canvas, m: Any) -> None:
    """An empty picture slot's label: what is missing, centred, in a white box with a red rule."""
    narrow = m.w < 220
    fonts = c.fonts
    x, w = m.x + m.w * (0.04 if narrow else 0.1), m.w * (0.92 if narrow else 0.8)
    y = m.y + (5 if narrow else m.h * 0.22)
    pad = 2.0 if narrow else 3.0
    padx = 2.0 if narrow else 4.0
    sizes = [(9, 12, RED, True), (7.5, 10, BLACK, False), (6, 8, RED, False)] if narrow else \
        [(12, 16, RED, True), (10, 14, BLACK, False), (8, 11, RED, False)]
    lines: list[tuple[Line, float, float]] = []
    for i, text in enumerate(m.lines):
        size, height, colour, bold = sizes[min(i, 2)]
        for line in wrap([(text, Style(size, colour, bold))], w - 2 * padx - 1.5, fonts):
            lines.append((line, height, size))
    h = sum(height for _, height, _ in lines) + 2 * pad + 1.5
    c.fill(x, y, w, h, WHITE)
    c.box(x, y, w, h, 0.75, RED)
    at = y + 0.75 + pad
    for line, height, size in lines:
        c.text(x + (w - line.width) / 2, at + baseline(fonts, height, size), line.pieces)
        at += height


def _note(c: Canvas, n: Any) -> None:
    """A margin note: red text in a white box, a thick rule on its left, the first line bold; its leader."""
    fonts, colour = c.fonts, RED
    inner = n.w - 2.0 - 0.75 - 1.5 - 0.5
    lines = [line for i, t in enumerate(n.lines) for line in wrap([(t, Style(6, colour, bold=i == 0))], inner, fonts)]
    h = len(lines) * 8.0 + 3.0 + 1.5
    c.fill(n.x, n.y, n.w, h, WHITE)
    c.box(n.x, n.y, n.w, h, 0.75, colour)
    c.vline(n.x, n.y, h, 2.0, colour)
    base = baseline(fonts, 8.0, 6)
    for i, line in enumerate(lines):
        c.text(n.x + 2.0 + 1.5, n.y + 0.75 + 1.5 + i * 8.0 + base, line.pieces)
    if n.leader and n.leader[2] > 0:
        c.hline(n.leader[0], n.leader[1], n.leader[2], 0.5, colour)


def overlay(c: Canvas, page: dict[str, Any], ctx: dict[str, Any]) -> None:
    """One print page's marks, in pt from its trim's top-left corner, clipped to the trim."""
    info, width, height = ctx["info"], ctx["width"], ctx["height"]
    c.clip(0, 0, width, height)
    stamp(c, width - page["stamp_right"], page["stamp_top"], info.title + f"（{info.date}）", ctx["round_cn"],
          f"第 {page['number']} / {ctx['pages']} 页", info.built)
    ax, _, aw, _ = ctx["grid_area"]
    for y in ctx["grid_lines"]:
        c.hline(ax, y, aw, 0.25, GRIDLINE)
    for m in page["marks"]:
        colour = LEVEL_COLOUR.get(m.level, RED)
        if m.kind == "frame":
            c.box(m.x, m.y, m.w, m.h, 1.75, RED)
        elif m.kind == "module":
            c.box(m.x, m.y, m.w, m.h, 0.5, CYAN, dashed=True)
            _label(c, m.x + 1, m.y + m.h - 8, m.lines[0], 5.5, 6.5, CYAN, WHITE, (0, 1))
        elif m.kind == "slot":
            c.box(m.x, m.y, m.w, m.h, 1.5, RED, dashed=True)
            _slot_label(c, m)
        elif m.kind == "photo":
            c.box(m.x, m.y, m.w, m.h, 1.75, colour)
            _label(c, m.x + 1.75, m.y + 1.75, "　".join(m.lines), 7, 9.5, WHITE, colour, (1, 3))
        elif m.kind == "bar":
            c.vline(m.x - 4.5, m.y, m.h, 2.0, BLUE)
            if m.lines:
                _label(c, m.x - 12.5, m.y, m.lines[0], 5.5, 6.5, WHITE, BLUE, (0.5, 1))
        elif m.kind == "norm":
            c.box(m.x - 0.5, m.y, m.w + 1, m.h, 0.6, NORM, radius=1.5)
    for n in page["notes"]:
        _note(c, n)
    c.restore()
