"""The proof (校样): a summary, then the print pages with findings drawn where they are.

The proof is made from the print PDF's bytes: the marks (stamps, frames, margin notes, change
bars) are drawn onto each print page as one more content stream, after the page's own, so the
editors see exactly what the printer would get, and the summary pages are put in front. Pages
keep the print PDF's real size (trim and bleed), so a proof prints at 100 %. The proof also
carries the source snapshot of its round (`kanwu.rounds`), so the next round can be compared with
it.

Geometry comes from the plan (pt from the trim's top-left corner); this module decides what to
draw and where the notes go, `kanwu.proofdraw` draws it (`kanwu.pdfdraw`: no WeasyPrint, which
took a second over the summary's tables of a big number).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Finding, KanwuError
from .fonts import ResolvedFont
from .sources import read_source
from .makeup.plan import Box, Plan, TextPiece, box_of
from .model import Issue
from .preflight import Report
from .rounds import Changes, block_key, embed
from .units import MM

ROUNDS_CN = "一二三四五六七八九十"
NOTE_SIZE = 6.0            # pt, margin notes
NOTE_LINE = 8.0            # pt
GROUPED_CODES = {"normalized-punctuation"}


def round_cn(n: int) -> str:
    """1 → 一, 3 → 三 (第三校); beyond ten, the digits."""
    return ROUNDS_CN[n - 1] if 0 < n <= 10 else str(n)


def source_epoch() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds convention: whole seconds since 1970, UTC), when set.

    A value that is not (``abc``, ``1.5``, ``-5``, a year past 9999) is an input error, as the
    convention asks, rather than an internal one.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch:
        return None
    try:
        if not (epoch.isascii() and epoch.isdigit()):
            raise ValueError(epoch)
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise KanwuError(f"SOURCE_DATE_EPOCH: error: “{epoch[:30]}” 应为 1970 年以来的整秒数 / must be whole seconds "
                         "since 1970-01-01 UTC (or unset)") from None


def build_time() -> str:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible proofs)."""
    t = source_epoch() or dt.datetime.now()
    return t.strftime("%Y-%m-%d %H:%M")


@dataclass
class ProofInfo:
    """What the stamp and the summary say about this proof."""

    title: str
    """Publication and number: 四平简报 第12期."""
    date: str
    """The issue date as printed."""
    round: int
    """Proof round (1 = 一校)."""
    fonts: tuple[ResolvedFont, ...]
    """The layout's faces: the proof's own text is set in the first (its sans), what it lacks in the others."""
    built: str = field(default_factory=build_time)
    """Build time shown on every page."""


@dataclass
class Mark:
    """Something drawn on a proof page (pt from the trim's top-left)."""

    page: int
    kind: str
    """frame, slot, photo, bar, norm, module."""
    x: float
    y: float
    w: float
    h: float
    level: str = "error"
    """error (red), warning (orange), change (blue), note (light)."""
    lines: tuple[str, ...] = ()
    """Note text, one entry per line."""


@dataclass
class Note:
    """A margin note placed on a page, with its leader to the thing it points at."""

    x: float
    y: float
    w: float
    h: float
    level: str
    lines: tuple[str, ...]
    leader: tuple[float, float, float] | None = None
    """(x, y, width) of a horizontal leader line from the note to its frame."""


# ---------------------------------------------------------------- findings → marks

def _data(f: Finding) -> dict[str, Any]:
    return dict(f.data)


def _trim(plan: Plan, box: Box) -> tuple[float, float, float, float]:
    return plan.on_trim(box)


def _story_marks(report: Report, plan: Plan) -> list[Mark]:
    """An overset story: a frame round its part on the page where it runs out, with what to cut."""
    out: list[Mark] = []
    for f in report.findings:
        if f.code != "overset" or not f.story:
            continue
        d = _data(f)
        boxes = [(page, box) for page, box in plan.story_boxes(f.story) if page == f.page] or \
            plan.story_boxes(f.story)
        n, chars = d.get("overset_lines", 0), d.get("overset_characters", 0)
        if not boxes:  # nothing of it could be placed: frame the page's area
            g = plan.grid
            boxes = [(f.page or 1, Box(0, 0, g.width, g.height))]
        page, box = boxes[-1]
        # margin notes are narrow (15 mm on A3): short lines, the English is on the summary
        out.append(Mark(page, "frame", *_trim(plan, box), lines=(
            f"{f.story}", "超出版面", f"{n}行", f"约{chars}字", f"删约{d.get('cut_characters', chars)}字")))
    return out


def _photo_marks(report: Report, plan: Plan) -> list[Mark]:
    out: list[Mark] = []
    for placed in plan.pictures:
        pic = placed.picture
        x, y, w, h = _trim(plan, pic.frame)
        slot = f"{placed.story} 图{pic.slot}"
        if pic.src is None:
            cap = pic.image.caption.value if pic.image.caption else "（无图注）"
            where = f"{pic.image.pos.file}:{pic.image.pos.line}" if pic.image.pos else ""
            src = f"文件 {pic.image.src_text} 找不到" if pic.image.src_text else "未给图片文件"
            out.append(Mark(placed.page, "slot", x, y, w, h, lines=(
                "缺图 / no picture", cap, f"图片位 {slot}（{placed.id}）", src, where)))
        for f in report.findings:
            if f.code == "low-resolution" and f.pos == pic.image.pos:
                d = _data(f)
                name = Path(str(d.get("image", pic.image.src_text))).name
                out.append(Mark(placed.page, "photo", x, y, w, h, f.level, lines=(
                    f"{name}: {d.get('ppi', '?')} ppi",
                    f"精度不足，需 {d.get('min_ppi', '?')} ppi / too low for print")))
    return out


def piece_boxes(plan: Plan) -> dict[tuple[str, str], list[tuple[int, Box, TextPiece]]]:
    """(story, block key) → where each of its pieces is: page, box, the piece."""
    out: dict[tuple[str, str], list[tuple[int, Box, TextPiece]]] = defaultdict(list)
    g = plan.grid
    for page in plan.pages:
        for block in page.blocks():
            y = block.box.y
            for piece in block.pieces:
                out[(block.story or "", piece.key)].append((page.number, Box(block.box.x, y, block.box.w,
                                                                           piece.height * g.leading), piece))
                y += piece.height * g.leading
    return out


def _change_marks(changes: Changes | None, plan: Plan) -> list[Mark]:
    if changes is None:
        return []
    out: list[Mark] = []
    pieces = piece_boxes(plan)
    for sid in changes.stories:
        bars = [(page, box) for key in changes.paragraphs.get(sid, []) for page, box, _ in pieces.get((sid, key), [])]
        if not bars:  # a change outside the body (headline, picture, deletion): mark the whole story
            bars = plan.story_boxes(sid)
        for i, (page, box) in enumerate(bars):
            out.append(Mark(page, "bar", *_trim(plan, box), "change", ("改",) if i == 0 else ()))
    return out


def _char_weights(text: str) -> list[float]:
    return [0.5 if ord(c) < 0x2000 else 1.0 for c in text]


def _norm_marks(report: Report, issue: Issue, plan: Plan) -> list[Mark]:
    """Normalised marks, found on the page: the nearest printed occurrence in their paragraph."""
    out: list[Mark] = []
    sources: dict[str, list[str]] = {}
    stories = {s.id: s for s in issue.stories}
    pieces = piece_boxes(plan)
    leading = plan.grid.leading
    for f in report.findings:
        if f.code != "normalized-punctuation" or not f.story or not f.pos or f.story not in stories:
            continue
        after = str(_data(f).get("after", "")).strip()
        blocks = [b for b in stories[f.story].blocks
                  if b.pos.file == f.pos.file and (b.pos.line, b.pos.col) <= (f.pos.line, f.pos.col)]
        if not after or not blocks:
            continue
        block = max(blocks, key=lambda b: (b.pos.line, b.pos.col))
        # the printed lines of the paragraph, each with its page and box
        lines = [(page, Box(box.x, box.y + i * leading, line.width, leading), "".join(s.text for s in line.segments))
                 for page, box, piece in pieces.get((f.story, block_key(block)), [])
                 for i, line in enumerate(piece.lines)]
        if not lines:
            continue
        if f.pos.file not in sources:
            try:
                sources[f.pos.file] = read_source(Path(f.pos.file), f.pos.file).split("\n")
            except KanwuError:
                sources[f.pos.file] = []
        # the characters typed between the paragraph's start and the change: about where it is printed
        typed = sources[f.pos.file][block.pos.line - 1:f.pos.line]
        if typed:
            typed[-1] = typed[-1][:max(0, f.pos.col - 1)]
            typed[0] = typed[0][max(0, block.pos.col - 1):]
        guess = len(re.sub(r"[\s*#>]", "", "".join(typed)))
        text = "".join(t for _, _, t in lines)
        hits = [m.start() for m in re.finditer(re.escape(after), text)]
        if not hits:
            continue
        at = min(hits, key=lambda i: abs(i - guess))
        for page, box, t in lines:
            if at < len(t):
                wts = _char_weights(t)
                unit = box.w / (sum(wts) or 1)
                x0 = box.x + sum(wts[:at]) * unit
                width = sum(wts[at:at + len(after)]) * unit
                x, y, _, h = _trim(plan, Box(x0, box.y, width, box.h))
                out.append(Mark(page, "norm", x, y, max(width, 2.0), h, "note"))
                break
            at -= len(t)
    return out


def _grid_marks(plan: Plan) -> list[Mark]:
    """``--show-grid``: every module's outline and the baseline grid of each page."""
    out: list[Mark] = []
    for page in plan.pages:
        for m in page.modules:
            out.append(Mark(page.number, "module", *_trim(plan, box_of(m.rect, plan.grid)), "note",
                            (f"{m.story}{'（续）' if m.part == 2 else ''} {m.rect.cols}×{m.rect.lines}",)))
    return out


# ---------------------------------------------------------------- notes in the margins

def _wrap(lines: tuple[str, ...], width: float) -> int:
    """Lines a note takes at NOTE_SIZE in `width` pt (Han 1 em, Latin about half)."""
    per = max(1.0, width / NOTE_SIZE)
    return sum(max(1, math.ceil(sum(_char_weights(t)) / per)) for t in lines)


def _place_notes(marks: list[Mark], area: tuple[float, float, float, float], page_w: float) -> list[Note]:
    """Margin notes beside their frames, stacked so that none overlap."""
    ax, ay, aw, ah = area
    margins = {"left": ax, "right": page_w - ax - aw}
    placed: dict[str, float] = defaultdict(float)
    notes: list[Note] = []
    for m in sorted((m for m in marks if m.kind == "frame" and m.lines), key=lambda m: m.y + m.h):
        side = "left" if m.x + m.w / 2 < ax + aw / 2 else "right"
        if margins[side] < 9 * MM:
            side = "right" if side == "left" else "left"
        room = margins[side]
        if room >= 9 * MM:
            w = min(room - 2 * MM, 30 * MM)
            x = room - 1 * MM - w if side == "left" else ax + aw + 1 * MM
        else:  # no usable margin: inside the frame, top right
            w, x, side = 34 * MM, m.x + m.w - 35 * MM, f"in{m.page}"
        h = _wrap(m.lines, w - 5) * NOTE_LINE + 4
        # an overset story's note sits where its text runs out
        want = m.y + m.h - h if m.h > h else m.y
        y = max(want, placed[side])
        placed[side] = y + h + 2 * MM
        leader = None
        if side == "left":
            leader = (x + w, y + 6, max(0.0, m.x - x - w))
        elif side == "right":
            leader = (m.x + m.w, y + 6, max(0.0, x - m.x - m.w))
        notes.append(Note(x, y, w, h, m.level, m.lines, leader))
    return notes


def _stamp_top(area: tuple[float, float, float, float], page_h: float) -> float:
    """Where the stamp's top is: in the top margin, or the bottom one when the top is too narrow."""
    from .proofdraw import STAMP_HEIGHT

    ax, ay, aw, ah = area
    if ay >= 11 * MM or page_h - ay - ah < 11 * MM:
        return min(4 * MM, max(1.5 * MM, ay / 2 - 6))
    return page_h - 4 * MM - STAMP_HEIGHT


# ---------------------------------------------------------------- summary

def _lines_list(lines: list[int], limit: int = 14) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (f" …（另 {len(lines) - limit} 处）" if len(lines) > limit else "")


def summary_findings(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings for the summary: one row each, but frequent kinds grouped per file and message."""
    rows: list[dict[str, Any]] = []
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.code in GROUPED_CODES:
            key = (f.pos.file if f.pos else "", f.code, f.message)
            if key not in groups:
                groups[key] = []
                rows.append({"group": key})
            groups[key].append(f)
        else:
            where = f"{f.pos.file}:{f.pos.line}" if f.pos and f.pos.line else (f.pos.file if f.pos else "")
            if not where and f.page:
                where = f"第 {f.page} 页"
            rows.append({"level": f.level, "code": f.code, "where": where, "message": f.message, "count": 1})
    out = []
    for r in rows:
        if "group" not in r:
            out.append(r)
            continue
        fs = groups[r["group"]]
        lines = sorted({f.pos.line for f in fs if f.pos and f.pos.line})
        out.append({"level": fs[0].level, "code": fs[0].code, "where": r["group"][0], "count": len(fs),
                    "message": f"{fs[0].message}　× {len(fs)}（行 {_lines_list(lines)}）"})
    return out


# ---------------------------------------------------------------- the proof

@dataclass(frozen=True)
class Geometry:
    """A print page's boxes: marks are placed from the trim's corner, a summary page is the whole MediaBox."""

    width: float
    """Trim width (pt)."""
    height: float
    """Trim height (pt)."""
    media_w: float
    """MediaBox width (trim, bleed and printer's marks)."""
    media_h: float
    """MediaBox height."""
    left: float
    """Trim's left edge from the MediaBox's left edge."""
    top: float
    """Trim's top edge from the MediaBox's top edge."""


def page_geometry(page: Any) -> Geometry:
    """The geometry of a pypdf page."""
    trim, media = page.trimbox, page.mediabox
    return Geometry(float(trim.width), float(trim.height), float(media.width), float(media.height),
                    float(trim.left) - float(media.left), float(media.top) - float(trim.top))


def proof_fonts(info: ProofInfo, issue_dir: Path | None) -> Any:
    """The faces the proof's text is set in (`kanwu.pdfdraw.FontSet`): the sans, its bold, then the others."""
    from .fonts import resolve_role
    from .layout.spec import FontRole
    from .pdfdraw import FontSet
    from .text.metrics import face

    sans, *others = info.fonts
    bold = resolve_role(sans.role, FontRole((sans.family,), 700), issue_dir) or sans
    return FontSet(face(sans.path, sans.index), face(bold.path, bold.index), [face(f.path, f.index) for f in others])


def _draw_on(writer: Any, page: Any, content: bytes, fonts: Any, wrap: tuple[Any, Any]) -> None:
    """`content` drawn over a print page: its own content between q and Q, then this; the fonts in its resources."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    from .pdfdraw import add_stream

    node = page  # resources may be inherited from the page tree
    while node is not None and "/Resources" not in node:
        node = node.get("/Parent")
    res = node["/Resources"] if node is not None else DictionaryObject()
    old = res.get("/Font", DictionaryObject())
    merged = DictionaryObject({k: old.raw_get(k) for k in old})
    merged.update(fonts)
    res = DictionaryObject({k: res.raw_get(k) for k in res})  # this page's own copy: the tree's stays as it was
    res[NameObject("/Font")] = merged
    page[NameObject("/Resources")] = res
    own: Any = page.raw_get("/Contents") if "/Contents" in page else ArrayObject()
    own = list(own.get_object()) if isinstance(own.get_object(), ArrayObject) else [own]
    page[NameObject("/Contents")] = ArrayObject([wrap[0], *own, wrap[1], add_stream(writer, content)])


def make_proof(print_pdf: bytes, report: Report, plan: Plan, issue: Issue, info: ProofInfo,
               snapshot: dict[str, Any], changes: Changes | None = None, show_normalized: bool = False,
               show_grid: bool = False) -> bytes:
    """The proof PDF: summary pages, then every print page with its marks; the snapshot embedded."""
    from pypdf import PageObject, PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, RectangleObject

    from .pdfdraw import Canvas, add_stream
    from .proofdraw import overlay, summary_pages

    printed = PdfReader(io.BytesIO(print_pdf))
    geo = page_geometry(printed.pages[0])
    width, height = geo.width, geo.height
    marks = _story_marks(report, plan) + _photo_marks(report, plan)
    marks += _change_marks(changes, plan)
    if show_normalized:
        marks += _norm_marks(report, issue, plan)
    if show_grid:
        marks += _grid_marks(plan)
    g = plan.grid
    area = (g.left, g.top, g.width, g.height)
    by_page: dict[int, list[Mark]] = defaultdict(list)
    for m in marks:
        by_page[m.page].append(m)
    pages = [{"number": n, "marks": by_page[n], "notes": _place_notes(by_page[n], area, width),
              "stamp_top": _stamp_top(area, height), "stamp_right": max(3 * MM, width - area[0] - area[2])}
             for n in range(1, report.pages + 1)]
    ctx: dict[str, Any] = dict(
        info=info, round_cn=round_cn(info.round), width=width, height=height,
        layout=report.layout, pages=report.pages, issue_file=report.issue, ok=report.ok,
        errors=sum(f.level == "error" for f in report.findings),
        warnings=sum(f.level == "warning" for f in report.findings),
        stories=report.stories, findings=summary_findings(report.findings),
        page_rows=[{"number": p.number, "title": p.title, "fill": round(p.fill * 100),
                    "stories": "、".join(dict.fromkeys(m.story for m in p.modules)),
                    "low": p.fill < plan.settings.min_fill and not (p.last and plan.settings.builder == "flow")}
                   for p in plan.pages],
        changes=changes, show_normalized=show_normalized,
        grid_lines=[round(g.top + i * g.leading, 2) for i in range(g.lines + 1)] if show_grid else [],
        grid_area=area)
    writer = PdfWriter(clone_from=printed)
    if len(writer.pages) != len(pages):
        raise RuntimeError(f"the print PDF has {len(writer.pages)} pages, the report {len(pages)}")
    fonts = proof_fonts(info, issue.root)
    drawn = []
    for page, spec in zip(writer.pages, pages):
        # marks are placed from the trim's top-left corner: the trim's place in this page's MediaBox
        canvas = Canvas(fonts, float(page.mediabox.left) + geo.left, float(page.mediabox.top) - geo.top)
        overlay(canvas, spec, ctx)
        drawn.append(canvas.data())
    summary = [c.data() for c in summary_pages(ctx, fonts, geo, lambda: Canvas(fonts, 0.0, geo.media_h))]
    resources = fonts.resources(writer)  # after all the drawing: the subsets hold every glyph drawn
    wrap = (add_stream(writer, b"q"), add_stream(writer, b"Q"))
    for page, content in zip(writer.pages, drawn):
        _draw_on(writer, page, content, resources, wrap)
    trim = RectangleObject([geo.left, geo.media_h - geo.top - height, geo.left + width, geo.media_h - geo.top])
    for i, content in enumerate(summary):
        page = PageObject.create_blank_page(width=geo.media_w, height=geo.media_h)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): resources})
        page[NameObject("/Contents")] = add_stream(writer, content)
        page.trimbox = trim
        writer.insert_page(page, i)
    embed(writer, snapshot)
    digest = hashlib.sha256(print_pdf).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])  # noqa: SLF001 (pypdf: fixed /ID)
    writer.add_metadata({"/Title": f"{info.title} 校样 第{round_cn(info.round)}校", "/Producer": "kanwu"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
