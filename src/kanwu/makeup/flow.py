"""Makeup of a one-column 简报 (A4): stories run down the pages, kanwu breaks the pages.

The page count follows the content. A story's head starts a page's text only
with room for itself and ``makeup.keep_lines`` body lines (no story starts in
a page's last lines); a subhead keeps that many lines too; a page never ends
after a paragraph's first line or starts with its last (`StoryBody.penalty`).
A story's pictures sit in a centred row under its head, on a grid of
``photos.columns`` parts of the measure; a row that does not fit where it
falls moves to the top of the next page and the text runs on in its place.
The 报送/抄送 block sits at the foot of the last page; when it would be left
alone on a page of its own, the pictures are set smaller to pull the text
back, and if that does not do, a warning says how much to cut.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import Finding, Pos
from ..model import Issue
from .assemble import PlacedPage
from .grid import PICTURE_GAP, Grid, MakeupSettings
from .measure import ORPHAN, Measurer
from .paginate import Prepared
from .pictures import Band, Pictures
from .place import MAX_SPREAD, head_block, picture_block, rule, shift_module, text_pieces
from .plan import Block, Box, Module, Rect, box_of


class FlowBuilder:
    """Pages of a flowing one-column layout."""

    def __init__(self, prepared: dict[str, Prepared], measurer: Measurer, grid: Grid, settings: MakeupSettings,
                 issue: Issue) -> None:
        self.prepared, self.m, self.grid, self.st, self.issue = prepared, measurer, grid, settings, issue
        parts = settings.photo_columns
        gap = PICTURE_GAP  # between pictures side by side
        self.parts = parts
        self.picgrid = replace(grid, columns=parts, column_width=(grid.column_width - gap * (parts - 1)) / parts,
                               gutter=gap)
        self.pictures = Pictures(measurer, self.picgrid, settings)
        self.findings: list[Finding] = []
        self._refused: set[str] = set()

    # ------------------------------------------------------------------ pictures
    def _band(self, prep: Prepared, shrink: int, grow: int = 0) -> Band | None:
        """The story's picture row: the preferred width (a half of the measure for one or two pictures,
        a third each for more), `shrink` steps smaller; or, `grow` lines taller than that, the tallest
        row within that many lines (to fill a page the next story cannot start on)."""
        if not prep.slots:
            return None
        bands = self.pictures.bands(prep.story.id, prep.slots, self.parts)
        if not bands:  # no frame of the layout holds them (a 10,000 × 1 strip): set without, and say so
            self._unplaceable(prep)
            return None
        one_row = [b for b in bands if len({p.line for p in b.pictures}) == 1] or list(bands)
        want = max(1, self.parts // 2 if len(prep.slots) <= 2 else self.parts // 3) - shrink
        widest = lambda b: max(p.cols for p in b.pictures)  # noqa: E731
        chosen = min(one_row, key=lambda b: (abs(widest(b) - max(1, want)), b.cost, -b.height))
        if grow > 0:
            taller = [b for b in one_row if chosen.height < b.height <= chosen.height + grow]
            if taller:
                chosen = max(taller, key=lambda b: (b.height, -b.cost))
        return chosen

    def _unplaceable(self, prep: Prepared) -> None:
        """An error for pictures no frame can hold (once per story): the story is set without them."""
        if prep.story.id in self._refused:
            return
        self._refused.add(prep.story.id)
        for slot in prep.slots:
            shape = f"{slot.pixels[0]} × {slot.pixels[1]}" if slot.pixels else f"{slot.aspect:g}"
            self.findings.append(Finding(
                "error", "picture-shape", f"这张图片的形状（{shape} 像素）放不进本版式的任何图框，未排入：请裁切后再用 / "
                f"the picture's shape ({shape} pixels) fits no frame of this layout, so it is left out: crop it",
                slot.image.pos, story=prep.story.id))

    def _strands(self, prep: Prepared, band: Band | None, text_top: int) -> bool:
        """Whether the story, its head ending at `text_top`, would end on this page with its pictures,
        fitting neither under the head nor after the text, alone on the next: then it starts there."""
        g, body = self.grid, prep.body
        if band is None or self._fitting(prep, band, g.lines - text_top - min(body.lines, self.st.keep_lines)):
            return False
        end = text_top + body.lines
        return end <= g.lines and self._fitting(prep, band, g.lines - end) is None

    def _fitting(self, prep: Prepared, band: Band, room: int) -> Band | None:
        """A smaller row of the story's pictures that fits `room` lines, so they need not leave a page
        half empty for the next: the tallest one-row band that fits, its widest picture at least a third
        of the measure (smaller would be a thumbnail) and not wider than `band`'s."""
        if band.height <= room:
            return band
        widest = max(p.cols for p in band.pictures)
        least = max(1, self.parts // 3)
        options = [b for b in self.pictures.bands(prep.story.id, prep.slots, self.parts)
                   if len({p.line for p in b.pictures}) == 1 and b.height <= room
                   and least <= max(p.cols for p in b.pictures) <= widest]
        return max(options, key=lambda b: (b.height, -b.cost)) if options else None

    # ------------------------------------------------------------------ the flow
    def build(self) -> list[PlacedPage]:
        """Every page. Pictures are set smaller when that keeps the distribution block off a page of its
        own, taller when that fills a page the next story cannot start on; what white is left on a page
        goes between its stories."""
        best: tuple[list[PlacedPage], int] | None = None
        for shrink in range(0, 3):
            grow: dict[str, int] = {}
            pages, over = self._flow(shrink, grow)
            for _ in range(3):  # a gap at a page's foot: the pictures on that page grow into it
                more = self._growth(pages, grow)
                if not more:
                    break
                trial, trial_over = self._flow(shrink, more)
                if len(trial) > len(pages) or trial_over > over:
                    break
                pages, over, grow = trial, trial_over, more
            if best is None or (over, len(pages)) < (best[1], len(best[0])):
                best = pages, over
            if not over:
                break
        assert best is not None
        pages, over = best
        if over:
            last = pages[-1]
            chars = over * self.grid.chars_per_line
            self.findings.append(Finding(
                "warning", "distribution-alone",
                f"报送、抄送一栏单独占了最后一页：删去约 {chars} 字（{over} 行）或缩小图片，就能排在上一页的页脚 / "
                f"the distribution block is alone on the last page: cut about {chars} characters ({over} lines) "
                "or shrink a picture to end on the page before", Pos(self.issue.source_name), page=last.number,
                data=(("over_lines", over), ("cut_characters", chars))))
        for page in pages[:-1]:
            self._spread(page)
        return pages

    def _growth(self, pages: list[PlacedPage], grow: dict[str, int]) -> dict[str, int]:
        """More growth for the pictures on pages (but the last) that end two lines or more short, or {}."""
        more = dict(grow)
        for page in pages[:-1]:
            gap = self.grid.lines - max((m.rect.bottom for m in page.modules), default=page.top)
            pictured = [m.story for m in page.modules for b in m.blocks if b.kind == "picture"]
            if gap >= 2 and pictured:
                more[pictured[-1]] = more.get(pictured[-1], 0) + gap
        return more if more != grow else {}

    def _spread(self, page: PlacedPage) -> None:
        """The white at a page's foot, line by line, into the gaps between its stories (a rule in the
        middle of each)."""
        g = self.grid
        starts = [i for i, m in enumerate(page.modules) if i and page.modules[i - 1].story != m.story]
        gap = min(g.lines - max((m.rect.bottom for m in page.modules), default=g.lines), MAX_SPREAD * len(starts))
        if gap <= 0 or not starts:
            return
        extra = [gap // len(starts) + (1 if k < gap % len(starts) else 0) for k in range(len(starts))]
        moved: list[Module] = []
        shift = 0
        for i, m in enumerate(page.modules):
            if i in starts:
                shift += extra[starts.index(i)]
            moved.append(shift_module(m, shift, g))
        rules = []
        for i in starts:
            above, below = moved[i - 1].rect.bottom, moved[i].rect.line
            rules.append(rule(Rect(0, above, 1, below - above), Box(0, g.y(above) + (below - above) * g.leading / 2,
                                                                   g.width, 0)))
        page.modules, page.rules = moved, rules

    def _flow(self, shrink: int, grow: dict[str, int]) -> tuple[list[PlacedPage], int]:
        """Pages with pictures `shrink` steps smaller and `grow` lines taller by story; and how many lines
        the distribution block lacks on the page where the text ends (0 when it fits there)."""
        g, st = self.grid, self.st
        pages: list[PlacedPage] = [self._page(1)]
        y = pages[0].top
        first = True
        for sid, prep in self.prepared.items():
            story, body = prep.story, prep.body
            head, head_lines = self.m.head(story, 1, st.headline_lead if first else st.headline_size, "center")
            band = self._band(prep, shrink, grow.get(sid, 0))
            gap = 0 if y == pages[-1].top else st.module_gap
            start_need = head_lines + min(body.lines, st.keep_lines)
            if y + gap + start_need > g.lines or self._strands(prep, band, y + gap + head_lines):
                pages.append(self._page(len(pages) + 1))
                y, gap = pages[-1].top, 0
            if gap:
                pages[-1].rules.append(rule(Rect(0, y, 1, gap), Box(0, g.y(y) + gap * g.leading / 2, g.width, 0)))
                y += gap
            blocks: list[Block] = [head_block(sid, head, Rect(0, y, 1, head_lines), g)]
            top = y
            y += head_lines
            pending = band
            # the pictures under the head, smaller if that keeps them on this page (the page is not left
            # half empty while they wait for the next one)
            fit = self._fitting(prep, band, g.lines - y - min(body.lines, st.keep_lines)) if band else None
            if fit is not None:
                blocks += self._band_blocks(sid, fit, y)
                y += fit.height
                pending = None
            a, n = 0, len(body.units)
            while True:
                room = g.lines - y
                b = self._page_break(body, a, room, y == pages[-1].top) if body.height(a, n) > room else n
                if b > a:
                    rect = Rect(0, y, 1, body.height(a, b))
                    blocks.append(Block("text", rect, box_of(rect, g), sid, pieces=text_pieces(body, a, b)))
                    y += body.height(a, b)
                if b >= n:
                    break
                pages[-1].modules.append(Module(sid, Rect(0, top, 1, y - top), tuple(blocks), 0, head.size))
                pages.append(self._page(len(pages) + 1))
                y = top = pages[-1].top
                blocks = []
                if pending is not None:
                    blocks += self._band_blocks(sid, pending, y)
                    y += pending.height
                    pending = None
                a = b
            if pending is not None:  # the story ended before its pictures found room: they go where it ends
                pending = self._fitting(prep, pending, g.lines - y) or pending
                if y + pending.height > g.lines:
                    pages[-1].modules.append(Module(sid, Rect(0, top, 1, y - top), tuple(blocks), 0, head.size))
                    pages.append(self._page(len(pages) + 1))
                    y = top = pages[-1].top
                    blocks = []
                blocks += self._band_blocks(sid, pending, y)
                y += pending.height
            pages[-1].modules.append(Module(sid, Rect(0, top, 1, y - top), tuple(blocks), 0, head.size))
            first = False
        return pages, self._distribution(pages, y)

    def _page_break(self, body, a: int, room: int, fresh: bool = False) -> int:
        """The last unit index ``b`` (a break before unit b) such that units a..b-1 fit in `room` lines,
        at the best break among the last few (no widow, no orphan, no subhead at the foot). On a `fresh`
        page the break always moves on: a body with no good break (nothing but subheads) added empty
        pages for ever."""
        b = a
        while b < len(body.units) and body.height(a, b + 1) <= room:
            b += 1
        if fresh and b == a:
            return a + 1  # one unit taller than a page: overfull, but the flow goes on
        best, cost = a, float("inf")
        for cand in range(b, max(a, b - 4) - 1, -1):
            if cand == a:
                break
            pen = body.penalty[cand] + (b - cand) * 5
            if pen < cost:
                best, cost = cand, pen
            if body.penalty[cand] < ORPHAN and pen <= cost:
                break
        if cost == float("inf"):
            return a if a > 0 and not fresh else b
        return best

    def _band_blocks(self, sid: str, band: Band, y: int) -> list[Block]:
        pg = self.picgrid
        used = max(p.col + p.cols for p in band.pictures)
        offset = (self.parts - used) * (pg.column_width + pg.gutter) / 2
        out = []
        for p in band.pictures:
            rect = Rect(0, y + p.line, 1, p.lines)
            block = picture_block(sid, p, rect, self.grid, pg.x(p.col) + offset)
            out.append(block)
        return out

    def _page(self, number: int) -> PlacedPage:
        return PlacedPage(number, "", self.st.masthead_lines if number == 1 else 0, [], [],
                          fixed=[Block("masthead", Rect(0, 0, 1, self.st.masthead_lines),
                                       box_of(Rect(0, 0, 1, self.st.masthead_lines), self.grid))]
                          if number == 1 and self.st.masthead_lines else [])

    def _distribution(self, pages: list[PlacedPage], y: int) -> int:
        """Put the 报送/抄送 block at the foot of the last page; the lines it lacked on the page where the
        text ends when it had to take a page of its own (else 0)."""
        d = self.issue.distribution
        rows = (1 if d.send_to else 0) + (1 if d.copy_to else 0) + 1
        need = rows + 1
        g = self.grid
        over = 0
        if y + need > g.lines:
            over = y + need - g.lines
            pages.append(self._page(len(pages) + 1))
        rect = Rect(0, g.lines - rows, 1, rows)
        pages[-1].fixed.append(Block("distribution", rect, box_of(rect, g)))
        return over
