"""Makeup, phase 3: place. Chosen shapes become modules and blocks at grid coordinates.

A modular page's layout tree (`modular.Leaf`/`Stack`/`Side`) is walked from
its corner: every leaf becomes a `plan.Module` (head, pictures, one text block
per column), every stack a rule in the gap between its stories, every side a
rule in the gutter. White a story does not fill is moved, where the layout
allows, into the gaps between stacked stories, a whole line at a time, so
that a page short of text is spread on the grid instead of stopping short.
The flow builder (`flow.py`) uses `text_pieces` and `picture_block` too.
"""
from __future__ import annotations

from .grid import Grid
from .measure import StoryBody
from .modular import Config, Empty, Leaf, Node, Piece, Side, Stack
from .pictures import Placed
from .plan import Block, Box, Head, Module, Picture, Rect, TextPiece, box_of


MAX_SPREAD = 3
"""Grid lines of white a gap between two stacked stories may take on top of `MakeupSettings.module_gap`."""


def text_pieces(body: StoryBody, a: int, b: int) -> tuple[TextPiece, ...]:
    """Units ``a``..``b-1`` of a body as pieces, one per block they touch."""
    out: list[TextPiece] = []
    for u in body.units[a:b]:
        block = body.blocks[u.block]
        if out and out[-1].key == block.key and out[-1].kind == block.kind and not out[-1].last:
            p = out[-1]
            lines = p.lines + block.lines[u.start:u.start + u.count]
            out[-1] = TextPiece(p.kind, p.key, lines, p.height + u.height, p.first,
                                u.start + u.count == len(block.lines), p.pos)
        else:
            out.append(TextPiece(block.kind, block.key, block.lines[u.start:u.start + u.count], u.height,
                                 u.start == 0, u.start + u.count == len(block.lines), block.pos))
    return tuple(out)


def picture_block(story: str, p: Placed, rect: Rect, grid: Grid, x_offset: float = 0.0) -> Block:
    """A picture and its caption in its grid rectangle (the frame at the top of it)."""
    box = box_of(rect, grid)
    frame = Box(box.x + x_offset, box.y, p.frame_w, p.frame_h)
    pic = Picture(p.slot.image, p.slot.number, frame, p.caption, p.slot.src, p.ppi, p.crop)
    return Block("picture", rect, Box(box.x + x_offset, box.y, p.frame_w, box.h), story, picture=pic)


def head_block(story: str, head: Head, rect: Rect, grid: Grid) -> Block:
    """A story's head across its module."""
    return Block("head", rect, box_of(rect, grid), story, head=head)


def rule(rect: Rect, box: Box) -> Block:
    """A hairline: horizontal when ``box.h`` is 0, vertical when ``box.w`` is 0."""
    return Block("rule", rect, box)


def module_of(piece: Piece, cfg: Config, col: int, line: int, lines: int, grid: Grid,
              column_rules: bool) -> tuple[Module, list[Block]]:
    """The module of one leaf at (`col`, `line`), `lines` high, and the rules between its columns."""
    sid, k = piece.story.id, cfg.cols
    blocks: list[Block] = []
    y = line
    if cfg.band_above:
        for p in cfg.band.pictures:
            blocks.append(picture_block(sid, p, Rect(col + p.col, y + p.line, p.cols, p.lines), grid))
        y += cfg.band.height
    blocks.append(head_block(sid, cfg.head, Rect(col, y, k, cfg.head_lines), grid))
    y += cfg.head_lines
    tops = (0,) * k if cfg.band_above else cfg.band.tops
    if not cfg.band_above:
        for p in cfg.band.pictures:
            blocks.append(picture_block(sid, p, Rect(col + p.col, y + p.line, p.cols, p.lines), grid))
    body, breaks = piece.body, cfg.fill.breaks
    bottom = y
    for c in range(k):
        pieces = text_pieces(body, breaks[c], breaks[c + 1])
        height = body.height(breaks[c], breaks[c + 1])
        top = y + tops[c]
        bottom = max(bottom, top + height)
        if pieces:
            blocks.append(Block("text", Rect(col + c, top, 1, height), box_of(Rect(col + c, top, 1, height), grid),
                                sid, pieces=pieces))
    rules: list[Block] = []
    if column_rules and k > 1:
        for c in range(1, k):
            x = grid.x(col + c) - grid.gutter / 2
            top = y + min(tops[c - 1], tops[c])
            if bottom > top:
                rules.append(rule(Rect(col + c, top, 0, bottom - top), Box(x, grid.y(top), 0, (bottom - top) *
                                                                            grid.leading)))
    rect = Rect(col, line, k, lines)
    return Module(sid, rect, tuple(blocks), piece.part, cfg.head.size), rules


def place_tree(root: Node, pieces: list[Piece], grid: Grid, top: int, gap: int,
               column_rules: bool) -> tuple[list[Module], list[Block]]:
    """Every module and rule of a page's layout, the area starting at line `top`."""
    modules: list[Module] = []
    rules: list[Block] = []

    def chain(node: Node) -> list[Node]:
        return chain(node.top) + chain(node.bottom) if isinstance(node, Stack) else [node]

    def height_of(node: Node) -> int:
        if isinstance(node, (Leaf, Empty)):
            return node.lines
        if isinstance(node, Stack):
            return height_of(node.top) + gap + height_of(node.bottom)
        return height_of(node.left)

    def walk(node: Node, col: int, line: int, cols: int, lines: int) -> None:
        if isinstance(node, Empty):
            return
        if isinstance(node, Leaf):
            mod, rs = module_of(pieces[node.piece], node.config, col, line, node.config.lines, grid, column_rules)
            modules.append(mod)
            rules.extend(rs)
            return
        if isinstance(node, Side):
            walk(node.left, col, line, node.left_cols, lines)
            walk(node.right, col + node.left_cols, line, cols - node.left_cols, lines)
            x = grid.x(col + node.left_cols) - grid.gutter / 2
            if not isinstance(node.right, Empty):
                rules.append(rule(Rect(col + node.left_cols, line, 0, lines),
                                  Box(x, grid.y(line), 0, lines * grid.leading)))
            return
        # a stack: its stories keep their own heights, the white of its leaves goes into the gaps
        parts = chain(node)
        spare = [p.lines - p.config.lines if isinstance(p, Leaf) else 0 for p in parts]
        heights = [height_of(p) - s for p, s in zip(parts, spare)]
        gaps = len(parts) - 1
        white = min(sum(spare), MAX_SPREAD * gaps)  # more than that stays at the foot: the page is underfull
        extra = [white // gaps + (1 if i < white % gaps else 0) for i in range(gaps)] if gaps else []
        y = line
        for i, (p, h) in enumerate(zip(parts, heights)):
            walk(p, col, y, cols, h if not isinstance(p, Leaf) else p.config.lines)
            y += h
            if i < gaps:
                g = gap + extra[i]
                rules.append(rule(Rect(col, y, cols, g), Box(grid.x(col), grid.y(y) + g * grid.leading / 2,
                                                             grid.span(cols), 0)))
                y += g

    walk(root, 0, top, grid.columns, grid.lines - top)
    return modules, rules
