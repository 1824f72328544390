"""Makeup of a modular paper: which stories go on which page, jumps, overset.

With a page plan (``pages:``) each page takes its planned stories; without
one, stories are shared out over a page count that fits them (a multiple of
``makeup.page_multiple``), balanced by their measured size, in the editors'
order. Each page is then solved (`modular.PageSolver`). A page whose stories
do not fit lets its last story that can run at least ``makeup.min_jump_lines``
lines jump: the first part ends with （下转第N版）, the rest starts a later page
that has room with （上接第N版）. What still does not fit is overset: the story
is cut where the page ends and the report says what would make it fit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ..errors import Finding, KanwuError, Pos
from ..model import Issue, Story
from ..schema import MAX_PAGE_STORIES, PAGES
from .grid import Grid, MakeupSettings
from .measure import ORPHAN, BodyBlock, Measurer, StoryBody, body_of
from .modular import Leaf, Node, PageSolver, Piece, Shapes, Side, Stack
from .pictures import Slot

MIN_REST = 3
"""Body lines the continuation of a jump must have at least."""
MAX_PIECES = MAX_PAGE_STORIES + 4
"""A page with more pieces (stories, continuations) than this is never solved: its layout search grows with
the fourth power of them (30 took hours); the last ones are overset instead. The editors' plans and hints
are held to `MAX_PAGE_STORIES` before (`check_crowding`), so only a page shared out on its own gets here."""
CLOSE = 1.08
"""Content estimated at up to this share of fewer pages is tried on them first."""
BLANKISH = 1 / 3
"""A page filled less than this is (nearly) blank: a paper should not carry one to avoid a small cut."""
CUT_RATHER = 0.1
"""Overset up to this share of a page's lines is asked to be cut rather than a page left (nearly) blank."""


@dataclass(frozen=True)
class Prepared:
    """A story measured for makeup."""

    story: Story
    blocks: tuple[BodyBlock, ...]
    body: StoryBody
    slots: tuple[Slot, ...]
    spans: tuple[int, ...]
    placed: bool = False
    """The story's width is the editors' (``place.columns``)."""
    may_jump: bool = True
    """False when the editors forbid the story to continue on another page (``place: {jump: false}``)."""
    page: int | None = None
    """The page the editors want it on without a page plan (``place: {page: N}``)."""
    position: str = ""
    """``top`` or ``bottom`` of its page (``place: {position: top}``), or ``""``."""


@dataclass
class PageResult:
    """One solved page: its pieces and layout."""

    number: int
    title: str
    pieces: list[Piece]
    top: int
    """First grid line of the stories' area."""
    layout: Node | None = None
    overset: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Story → (lines, characters) that did not fit."""
    jumps: dict[str, int] = field(default_factory=dict)
    """Story → the page its continuation went to."""


class ModularBuilder:
    """Pages of a modular layout."""

    def __init__(self, prepared: dict[str, Prepared], shapes: Shapes, measurer: Measurer, grid: Grid,
                 settings: MakeupSettings) -> None:
        self.prepared, self.shapes, self.m, self.grid, self.st = prepared, shapes, measurer, grid, settings
        self.findings: list[Finding] = []
        self.flowing = False
        """True without a page plan: a story then continues on the very next page, at its top, and the
        paper reads in order."""


    # ---------------------------------------------------------------- pages
    def top(self, index: int) -> int:
        """First line of the stories' area on page `index` (0-based)."""
        return self.st.masthead_lines if index == 0 else 0

    def build(self, planned: list[tuple[str, list[str]]] | None) -> list[PageResult]:
        """Every page. `planned`: (title, story ids) per page, or None to share stories out."""
        if planned is not None:
            return self._run(planned)
        self.flowing = True
        order = list(self.prepared)
        hinted = max((p.page or 0 for p in self.prepared.values()), default=0)
        count = max(self._page_count(order), hinted)
        fewer = count - max(1, self.st.page_multiple)
        tight: list[PageResult] | None = None
        if fewer >= max(1, hinted) and self._estimate(order) <= CLOSE * sum(self._capacity(i) for i in range(fewer)):
            # the estimate is rough and errs large: content just over `fewer` pages is tried on them first
            # (two pages filled beat four half empty)
            groups = self._groups(order, fewer)
            tight = self._balance(groups, self._run([("", list(ids)) for ids in groups]))
            if not any(p.overset for p in tight):
                return tight
        for _ in range(4):
            groups = self._groups(order, count)
            pages = self._balance(groups, self._run([("", list(ids)) for ids in groups]))
            if not any(p.overset for p in pages):
                break
            count += max(1, self.st.page_multiple)
        if tight is not None and self._cut_rather(tight, pages):
            return tight
        return pages

    def _cut_rather(self, tight: list[PageResult], more: list[PageResult]) -> bool:
        """True when fewer pages with a few lines overset (the report says what to cut) beat more pages, one
        of them left (nearly) blank: three stories of 2.2 pages came out as four pages, the last one blank."""
        over = sum(lines for p in tight for lines, _ in p.overset.values())
        thin = any(p.layout is None or not p.pieces or self._fill(p.layout, i) < BLANKISH for i, p in enumerate(more))
        return thin and over <= CUT_RATHER * self._capacity(len(tight) - 1)

    def _balance(self, groups: list[list[str]], pages: list[PageResult], rounds: int = 8) -> list[PageResult]:
        """Move stories between neighbouring pages while that raises the emptiest page's fill (the shares
        were made from estimates; the solved pages tell the truth). Stories the editors put on a page
        stay there."""
        def overset(result: list[PageResult]) -> int:
            return sum(lines for p in result for lines, _ in p.overset.values())

        def worst(result: list[PageResult]) -> tuple[float, float]:
            # overset first (less is better), then the emptiest page, then the total
            fills = [self._fill(p.layout, i) if p.layout is not None else 0.0 for i, p in enumerate(result)]
            over = overset(result)
            return (-1.0 - over / 1000 if over else min(fills)), sum(fills)

        best = worst(pages)
        for _ in range(rounds):
            if best[0] >= self.st.min_fill:
                break
            fills = [self._fill(p.layout, i) if p.layout is not None else 0.0 for i, p in enumerate(pages)]
            over = [i for i, p in enumerate(pages) if p.overset]
            moves = []
            if over:  # a page that cannot hold its stories: its last one to the next page, its first back
                low = over[0]
                if low + 1 < len(groups) and len(groups[low]) > 1:
                    moves.append((low, len(groups[low]) - 1, low + 1, 0))
                if low > 0 and len(groups[low]) > 1:
                    moves.append((low, 0, low - 1, len(groups[low - 1])))
            low = fills.index(min(fills))
            if low + 1 < len(groups):  # the emptiest page takes the next page's first story
                moves.append((low + 1, 0, low, len(groups[low])))
            if low > 0:  # or the previous page's last story
                moves.append((low - 1, len(groups[low - 1]) - 1, low, 0))
            improved = False
            for src, at, dst, to in moves:
                if not groups[src] or self.prepared[groups[src][at]].page:
                    continue
                trial = [list(g) for g in groups]
                trial[dst].insert(to, trial[src].pop(at))
                result = self._run([("", list(ids)) for ids in trial])
                score = worst(result)
                if score > best:
                    groups, pages, best, improved = trial, result, score, True
                    break
            if not improved:
                break
        return pages

    def _groups(self, order: list[str], count: int) -> list[list[str]]:
        """Stories over `count` pages: those the editors put on a page (``place.page``) there, the others
        shared out in order around them."""
        hinted = {s: min(count, self.prepared[s].page or 0) for s in order if self.prepared[s].page}
        loads = [sum(self._cells(s) for s, p in hinted.items() if p == i + 1) for i in range(count)]
        groups = self._share([s for s in order if s not in hinted], count, loads)
        for sid, page in hinted.items():
            groups[page - 1].append(sid)
            groups[page - 1].sort(key=order.index)
        return groups

    def _cells(self, sid: str) -> int:
        """A story's rough size in grid cells: body lines, a head, its smallest pictures, a gap."""
        p = self.prepared[sid]
        # a picture is never taller than a page (a 1 × 10,000-pixel one counted as 500 pages of it)
        pics = sum(min(self.grid.lines, max(2, round(s.aspect * self.grid.span(1) / self.grid.leading) + 2))
                   for s in p.slots)
        return p.body.lines + 4 * self.grid.columns + pics * 2 + self.st.module_gap * self.grid.columns

    def _capacity(self, index: int) -> int:
        return self.grid.columns * (self.grid.lines - self.top(index))

    def _estimate(self, order: list[str]) -> int:
        return sum(self._cells(s) for s in order)

    def _page_count(self, order: list[str]) -> int:
        total = self._estimate(order)
        n, cap = 1, self._capacity(0)
        while cap < total:
            cap += self._capacity(n)
            n += 1
        multiple = max(1, self.st.page_multiple)
        return math.ceil(n / multiple) * multiple

    def _share(self, order: list[str], count: int, loads: list[int]) -> list[list[str]]:
        """Stories in order over `count` pages already holding `loads` cells, each page's load as close to
        its share as can be."""
        sizes = [self._cells(s) for s in order]
        caps = [self._capacity(i) for i in range(count)]
        total = sum(sizes) + sum(loads)
        want = [max(0.0, total * c / sum(caps) - load) for c, load in zip(caps, loads)]
        # dynamic programme: best[i][p] = least squared deviation putting the first i stories on p pages
        n = len(order)
        best = [[math.inf] * (count + 1) for _ in range(n + 1)]
        back = [[0] * (count + 1) for _ in range(n + 1)]
        best[0][0] = 0.0
        for p in range(1, count + 1):
            for i in range(0, n + 1):
                for j in range(0, i + 1):
                    # no page left empty before a page with stories (with fewer stories than pages,
                    # the last pages are the empty ones)
                    if best[j][p - 1] == math.inf or (i == j and i < n) or (i == j and p <= n):
                        continue
                    load = sum(sizes[j:i])
                    cost = best[j][p - 1] + ((load - want[p - 1]) / max(1.0, want[p - 1])) ** 2
                    if cost < best[i][p]:
                        best[i][p], back[i][p] = cost, j
        groups: list[list[str]] = []
        i = n
        for p in range(count, 0, -1):
            j = back[i][p]
            groups.append(order[j:i])
            i = j
        return groups[::-1]

    # ---------------------------------------------------------------- solving
    def _piece(self, prep: Prepared, body: StoryBody, part: int, rank: int, page: int, slots: bool = True) -> Piece:
        return Piece(prep.story, body, prep.slots if slots else (), part, rank, page == 0 and rank == 0 and part != 2,
                     prep.spans, prep.placed)

    def _solve(self, pieces: list[Piece], index: int) -> tuple[Node, float] | None:
        if len(pieces) > MAX_PIECES:
            return None
        lines = self.grid.lines - self.top(index)
        return PageSolver(pieces, self.shapes, self.grid.columns, lines, self.st.module_gap).solve()

    def _run(self, planned: list[tuple[str, list[str]]]) -> list[PageResult]:
        carry: dict[int, list[Piece]] = {}
        pages: list[PageResult] = []
        for index, (title, ids) in enumerate(planned):
            ids = sorted(ids, key=lambda s: {"top": 0, "bottom": 2}.get(self.prepared[s].position, 1))
            pieces = [self._piece(self.prepared[s], self.prepared[s].body, 0, r, index) for r, s in enumerate(ids)]
            continued = list(carry.get(index, []))
            pieces = continued + pieces if self.flowing else pieces + continued
            pieces = [replace(p, rank=r, lead=p.lead and r == 0) for r, p in enumerate(pieces)]
            page = PageResult(index + 1, title, pieces, self.top(index))
            solved = self._solve(pieces, index) or self._jump_or_relax(page, planned, carry)
            if solved is None and self._relax(page):
                solved = self._solve(page.pieces, index) or self._jump(page, planned, carry)
            if solved is None:
                solved = self._overset(page)
            page.layout = solved[0] if solved else None
            pages.append(page)
        return pages

    def _fill(self, layout: Node, index: int) -> float:
        """The share of a page's area its stories' shapes take (white inside them not counted)."""
        def cells(node: Node) -> int:
            if isinstance(node, Leaf):
                return node.config.lines * node.config.cols
            if isinstance(node, Stack):
                return cells(node.top) + cells(node.bottom)
            if isinstance(node, Side):
                return cells(node.left) + cells(node.right)
            return 0

        return cells(layout) / self._capacity(index)

    def _jump_or_relax(self, page: PageResult, planned: list[tuple[str, list[str]]],
                       carry: dict[int, list[Piece]]) -> tuple[Node, float] | None:
        """A page its stories do not fit: one of them jumps, unless the jump leaves the page under its
        fill while the page fits without a jump once its ``place.columns`` hints are dropped (hints made
        the page impossible; a jump then left a quarter of it white and pushed text off the paper's end:
        an office issue of four pages' text came out as six, four of them under-filled)."""
        index = page.number - 1
        saved = list(page.pieces), {q: list(v) for q, v in carry.items()}, dict(page.jumps)
        jumped = self._jump(page, planned, carry)
        if jumped is not None and self._fill(jumped[0], index) >= self.st.min_fill:
            return jumped
        hinted = [k for k, p in enumerate(saved[0]) if self._unhinted(p) is not None]
        # one story's hints dropped (each in turn), else all of them: the fullest page wins
        tries = [{k} for k in hinted] + ([set(hinted)] if len(hinted) > 1 else [])
        best: tuple[float, set[int]] | None = None
        for drop in tries:
            trial = [self._unhinted(p) if k in drop else p for k, p in enumerate(saved[0])]
            relaxed = self._solve(trial, index)
            if relaxed is not None and (best is None or self._fill(relaxed[0], index) > best[0]):
                best = self._fill(relaxed[0], index), drop
            if best is not None and best[0] >= self.st.min_fill:
                break
        if best is None or (jumped is not None and best[0] <= self._fill(jumped[0], index)):
            return jumped
        page.pieces[:] = saved[0]
        carry.clear()
        carry.update(saved[1])
        page.jumps.clear()
        page.jumps.update(saved[2])
        self._relax(page, best[1])
        return self._solve(page.pieces, index)

    def _unhinted(self, piece: Piece) -> Piece | None:
        """The piece with its and its pictures' ``place.columns`` hints dropped; None if it has none."""
        if not piece.placed and not any(s.columns for s in piece.slots):
            return None
        slots = tuple(replace(s, columns=None) for s in piece.slots)
        spans = tuple(range(1, self.grid.columns + 1)) if piece.placed else piece.spans
        return replace(piece, slots=slots, spans=spans, placed=False)

    def _relax(self, page: PageResult, only: set[int] | None = None) -> bool:
        """The ``place.columns`` hints of the page's stories (those at `only`, else all) and their pictures
        dropped, with a warning each (as wide as the editors asked, they make the page impossible, or leave
        columns empty while text is cut off); True if there were any."""
        relaxed = False
        for k, p in enumerate(page.pieces):
            if only is not None and k not in only:
                continue
            prep = self.prepared[p.story.id]
            hinted = [s for s in p.slots if s.columns]
            unhinted = self._unhinted(p)
            if unhinted is None:
                continue
            relaxed = True
            page.pieces[k] = unhinted
            self.prepared[p.story.id] = replace(prep, slots=unhinted.slots, spans=unhinted.spans, placed=False)
            n = page.number
            for s in hinted:
                self.findings.append(Finding(
                    "warning", "place-ignored", f"图片 place.columns: {s.columns} 未能照办：这样宽第{n}版排不下，已按版面可容的"
                    f"大小排 / the picture's place.columns: {s.columns} was not kept: page {n} cannot hold it that wide",
                    s.image.pos, story=p.story.id, page=n))
            if p.placed:
                self.findings.append(Finding(
                    "warning", "place-ignored", f"稿件 place.columns: {p.spans[0]} 未能照办：这样宽第{n}版排不下，栏数改由组版"
                    f"决定 / place.columns: {p.spans[0]} was not kept: page {n} cannot hold the story that wide",
                    p.story.pos, story=p.story.id, page=n))
        return relaxed

    def _legal_cuts(self, body: StoryBody) -> list[int]:
        """Unit indices where a story may be cut for a jump: a good break, enough lines on both sides."""
        return [u for u in range(1, len(body.units)) if body.penalty[u] < ORPHAN
                and body.height(0, u) >= self.st.min_jump_lines and body.height(u, len(body.units)) >= MIN_REST]

    def _split(self, prep: Prepared, body: StoryBody, cut: int, here: int, there: int | None
               ) -> tuple[StoryBody, StoryBody]:
        """The two parts of a body cut before unit `cut`, with their jump lines (pages 1-based)."""
        unit = body.units[cut]
        blocks = list(body.blocks)
        b, s = unit.block, unit.start
        before = blocks[:b] + ([BodyBlock(blocks[b].kind, blocks[b].key, blocks[b].lines[:s], blocks[b].pos)]
                               if s else [])
        after = ([BodyBlock(blocks[b].kind, blocks[b].key, blocks[b].lines[s:], blocks[b].pos)] if s
                 else [blocks[b]]) + blocks[b + 1:]
        keep = self.st.keep_lines
        first = body_of(before + [self.m.jump_line(f"（下转第{there or 9}版）", True)], keep)
        rest = body_of([self.m.jump_line(f"（上接第{here}版）", False)] + after, keep)
        return first, rest

    def _cut_piece(self, page: PageResult, k: int, cut: int, jump: bool) -> Piece:
        """Piece `k` of the page cut before unit `cut`: its first part (with （下转…） when it jumps)."""
        p = page.pieces[k]
        if jump:
            first, _ = self._split(self.prepared[p.story.id], p.body, cut, page.number, None)
            return replace(p, body=first, part=1)
        body = p.body
        unit = body.units[cut]
        blocks = list(body.blocks)
        kept = blocks[:unit.block] + ([BodyBlock(blocks[unit.block].kind, blocks[unit.block].key,
                                                 blocks[unit.block].lines[:unit.start], blocks[unit.block].pos)]
                                      if unit.start else [])
        return replace(p, body=body_of(kept, self.st.keep_lines))

    def _largest_cut(self, page: PageResult, k: int, cuts: list[int], jump: bool
                     ) -> tuple[int, Piece, tuple[Node, float]] | None:
        """The latest cut of piece `k` with which the page fits (binary search): the cut, the cut piece
        and the page's layout with it; None when no cut fits."""
        lo, hi, found = 0, len(cuts) - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            piece = self._cut_piece(page, k, cuts[mid], jump)
            trial = list(page.pieces)
            trial[k] = piece
            solved = self._solve(trial, page.number - 1)
            if solved is not None:
                found, lo = (cuts[mid], piece, solved), mid + 1
            else:
                hi = mid - 1
        return found

    def _jump(self, page: PageResult, planned: list[tuple[str, list[str]]], carry: dict[int, list[Piece]]
              ) -> tuple[Node, float] | None:
        """Let one story of the page continue on a later page; None when no jump makes it fit."""
        index = page.number - 1
        if index + 1 >= len(planned):
            return None
        for k in range(len(page.pieces) - 1, -1, -1):
            p = page.pieces[k]
            if p.part != 0 or not self.prepared[p.story.id].may_jump:
                continue
            cuts = self._legal_cuts(p.body)
            found = self._largest_cut(page, k, cuts, jump=True) if cuts else None
            if found is None:
                continue
            cut, trial, solved = found
            prep = self.prepared[p.story.id]
            rest_lines = p.body.height(cut, len(p.body.units))
            target = self._target(index, rest_lines, planned, carry)
            if target is None:
                continue
            first, rest = self._split(prep, p.body, cut, page.number, target + 1)
            page.pieces[k] = replace(p, body=first, part=1)
            carry.setdefault(target, []).append(replace(p, body=rest, slots=(), part=2, lead=False))
            page.jumps[p.story.id] = target + 1
            final = self._solve(page.pieces, index)
            if final is None:  # the page number's width changed the line: keep the trial's layout
                page.pieces[k] = trial
                final = solved
            return final
        return None

    def _target(self, index: int, lines: int, planned: list[tuple[str, list[str]]],
                carry: dict[int, list[Piece]]) -> int | None:
        """The first later page with room for `lines` more body lines, or None: then the story does not
        jump (a 下转 to a page with no room for the rest would point at nothing). Without a page plan,
        the next page (its own stories make room: they move on)."""
        if self.flowing:
            return index + 1
        for q in range(index + 1, len(planned)):
            used = sum(self._cells(s) for s in planned[q][1]) + sum(
                p.body.lines + 2 * self.grid.columns for p in carry.get(q, []))
            if self._capacity(q) - used >= lines + 3 * self.grid.columns:
                return q
        return None

    def _overset(self, page: PageResult) -> tuple[Node, float] | None:
        """Cut the page's last stories where the page ends; what is cut off is overset."""
        while page.pieces:
            k = len(page.pieces) - 1
            p = page.pieces[k]
            cuts = [u for u in range(1, len(p.body.units)) if p.body.penalty[u] < ORPHAN]
            found = self._largest_cut(page, k, cuts, jump=False) if cuts else None
            if found is not None:
                cut, piece, solved = found
                page.overset[p.story.id] = (p.body.height(cut, len(p.body.units)),
                                            p.body.chars[-1] - p.body.chars[cut])
                page.pieces[k] = piece
                return solved
            page.overset[p.story.id] = (p.body.lines, p.body.chars[-1])
            page.pieces.pop()
            solved = self._solve(page.pieces, page.number - 1)
            if solved is not None:
                return solved
        return None


def check_crowding(issue: Issue, planned: list[tuple[str, list[str]]] | None, prepared: dict[str, Prepared]) -> None:
    """Raise an input error (exit 2) for a page the editors give more than `MAX_PAGE_STORIES` stories: in the
    page plan (stories on no page of the plan follow on its last page) or with ``place.page`` hints."""
    errors: list[Finding] = []
    most = MAX_PAGE_STORIES
    if planned is not None:
        listed = {s for page in issue.pages for s in page.stories}
        for n, (page, (_, ids)) in enumerate(zip(issue.pages, planned), 1):
            if len(ids) > most:
                extra = sum(s not in listed for s in ids)
                cn, en = (f"（其中 {extra} 篇没有写进 pages:，接在最后一版）", f" ({extra} of them are on no page of the "
                          "plan and follow on its last page)") if extra else ("", "")
                errors.append(Finding("error", "too-many-stories", f"第{n}版排了 {len(ids)} 篇稿件{cn}，一版最多 {most} 篇："
                                      f"请把稿件分到更多版面，或把简讯合成一篇、用小标题分开 / page {n} is given "
                                      f"{len(ids)} stories{en}; a page takes at most {most}: spread them over more "
                                      "pages, or make the briefs one story with subheads", page.pos, page=n))
    else:
        hinted: dict[int, list[Prepared]] = {}
        for prep in prepared.values():
            if prep.page:
                hinted.setdefault(prep.page, []).append(prep)
        for n, preps in sorted(hinted.items()):
            if len(preps) > most:
                errors.append(Finding("error", "too-many-stories", f"{len(preps)} 篇稿件的 place.page 都是 {n}，一版最多 "
                                      f"{most} 篇 / {len(preps)} stories have place.page {n}; a page takes at most {most}",
                                      preps[most].story.pos, story=preps[most].story.id, page=n))
    if errors:
        raise KanwuError(errors)


def check_page_count(issue: Issue, pages: int) -> None:
    """Raise an input error when makeup made more pages than an issue may have (`schema.PAGES`), before
    anything is drawn: a layout of stamp-sized pages turned an issue into thousands of them."""
    if pages > PAGES[1]:
        raise KanwuError(Finding("error", "too-many-pages", f"这一期排出 {pages} 版，最多 {PAGES[1]} 版：请分成几期，或检查版式的"
                                 f"纸张和字号 / the issue makes {pages} pages; at most {PAGES[1]}: split it, or check the "
                                 "layout's page and type sizes", Pos(issue.source_name)))
