"""The press stage: measure ink, finish the PDF for the printer, check what was written.

Runs on the one PDF WeasyPrint wrote: ink is measured on its separations
(`kanwu.inkcov`) while its pages, cropped to the trim, are rendered to see that
ink is where text and pictures were placed (`kanwu.drawn`; a cold build looks
at the renders of its previews, shrunk); then the marks and boxes are
added (`kanwu.press`) and the finished bytes are read back (`kanwu.pdfcheck`)
for RGB, text colours, fonts, transparency and the output intent. Every problem becomes a
finding with a stable code; errors keep the print PDF from being written
(build.py's gate).
"""
from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

from .colour import OutputProfile
from .drawn import Expected, blank_findings, blank_places
from .errors import Finding
from .inkcov import PageInk, measure
from .layout.check import VARIANTS
from .layout.spec import Layout
from .makeup.plan import Box, PlacedPicture, Plan, box_of
from .pdfcheck import inspect
from .press import PressSettings, SlugInfo, finish



def variant(layout: Layout, override: str | None) -> str:
    """The PDF/X variant: the command line's, else the layout's ``print.variant``, else PDF/X-4."""
    name = str(override or layout.get("print.variant") or "pdf/x-4").lower()
    return VARIANTS.get(name, "pdf/x-4")


def settings(layout: Layout, profile: OutputProfile, fonts: dict[str, Any], pdfx: str | None,
             marks: bool | None) -> PressSettings:
    """The press settings of a build: the layout's ``print:`` keys, overridden by the command line."""
    sans = fonts.get("sans") or fonts.get("body")
    return PressSettings(bleed=layout.length("page.bleed", "3mm"),
                         marks=bool(layout.get("print.marks", True)) if marks is None else marks,
                         variant=variant(layout, pdfx), condition=profile.condition,
                         description=profile.description,
                         slug_font=(sans.path, sans.index) if sans is not None else None)


def _element(page: int, where: tuple[float, float, float, float], plan: Plan) -> tuple[str, PlacedPicture | None]:
    """The placed thing that overlaps the over-inked area most: a picture, else a story (``story-<id>``)."""
    x, y, w, h = where
    best, score, photo = "", 0.0, None

    def overlap(bx: float, by: float, bw: float, bh: float) -> float:
        return max(0.0, min(x + w, bx + bw) - max(x, bx)) * max(0.0, min(y + h, by + bh) - max(y, by))

    for placed in plan.pictures:
        if placed.page == page:
            ov = 2 * overlap(*plan.on_trim(placed.picture.frame))  # a picture inside a story is the better answer
            if ov > score:
                best, score, photo = placed.id, ov, placed
    for p in plan.pages:
        if p.number != page:
            continue
        for m in p.modules:
            ov = overlap(*plan.on_trim(box_of(m.rect, plan.grid)))
            if ov > score:
                best, score, photo = f"story-{m.story}", ov, None
    return best, photo


def ink_findings(inks: list[PageInk], limit: float, plan: Plan) -> list[Finding]:
    """An error for every page whose ink goes above the limit, naming the element."""
    out = []
    for ink in inks:
        if ink.over_box is None:
            continue
        ident, photo = _element(ink.page, ink.over_box, plan)
        image = photo.picture.image if photo else None
        what = f"图片 {image.src_text}" if image else (f"稿件 {ident[6:]}" if ident else "版面")
        out.append(Finding(
            "error", "ink-limit",
            f"第{ink.page}页 {what} 总墨量 {ink.max_tac:.0f}%，超过本版式的 {limit:.0f}%（{ink.over_area_mm2:.0f} mm²）/ "
            f"page {ink.page}: {ident or 'page'} reaches {ink.max_tac:.0f}% total ink, the layout allows {limit:.0f}%",
            image.pos if image else None, story=photo.story if photo else (ident[6:] or None),
            page=ink.page, data=(("tac", ink.max_tac), ("element", ident))))
    return out


def pdf_findings(pdf: bytes, limit: float, pdf_variant: str) -> list[Finding]:
    """Findings from reading the finished print PDF."""
    facts = inspect(pdf)
    out: list[Finding] = []
    for where in dict.fromkeys(facts.rgb):
        out.append(Finding("error", "rgb-content", f"印刷文件里有 RGB 颜色：{where}；请改用 CMYK / RGB colour in the "
                           "print PDF"))
    for name, (embedded, subset) in facts.fonts.items():
        if not embedded:
            out.append(Finding("error", "font-not-embedded", f"字体 {name} 没有嵌入 / font {name} is not embedded"))
        elif not subset:
            out.append(Finding("warning", "font-not-subset", f"字体 {name} 没有子集化 / font {name} is not subset"))
    for page, colours in sorted(facts.text_colours.items()):
        for c, m, y, k in (col for col in colours if len(col) == 4):
            if k >= 0.8 and c + m + y > 0:
                out.append(Finding("error", "rich-black-text", f"第{page}页有四色黑文字（C{c:.0%} M{m:.0%} Y{y:.0%} "
                                   f"K{k:.0%}），正文应为单黑 K100 / page {page}: text in four-colour black",
                                   page=page))
            if (c + m + y + k) * 100 > limit + 0.5:
                out.append(Finding("error", "ink-limit", f"第{page}页文字总墨量 {(c + m + y + k):.0%}，超过 {limit:.0f}% / "
                                   f"page {page}: text colour above the ink limit", page=page))
    if pdf_variant == "pdf/x-1a":
        for where in dict.fromkeys(facts.transparency):
            out.append(Finding("error", "transparency", f"PDF/X-1a 不允许透明：{where} / PDF/X-1a forbids transparency"))
    if not facts.output_intents:
        out.append(Finding("error", "no-output-intent", "印刷文件缺少输出意图（ICC 色彩特性）/ no output intent"))
    return out


PIECE_NAMES = {"lead": "导语", "sub": "小标题", "byline": "署名", "jump": "转版说明"}
"""What a text piece is called in a nothing-drawn message (anything else is 正文)."""


def expected_ink(plan: Plan, known: Sequence[Finding] = ()) -> list[Expected]:
    """Where makeup put text and pictures, for `nothing_drawn`: every head, every piece of text (a
    paragraph's lines in one column) and the frame of every picture (the caption is below it), except
    pictures already in error (placeholders, pictures left out)."""
    faulty = {f.pos for f in known if f.level == "error" and f.pos is not None}
    out = []
    for page in plan.pages:
        for m in page.modules:
            for b in m.blocks:
                if b.kind == "head":
                    out.append(Expected(page.number, *plan.on_trim(b.box), f"稿件 {m.story} 的标题", m.story, None))
                elif b.kind == "text":
                    y = b.box.y
                    for piece in b.pieces:
                        h = piece.height * plan.grid.leading
                        out.append(Expected(page.number, *plan.on_trim(Box(b.box.x, y, b.box.w, h)),
                                            f"稿件 {m.story} 的{PIECE_NAMES.get(piece.kind, '正文')}", m.story,
                                            piece.pos))
                        y += h
                elif b.picture is not None and b.picture.src is not None and b.picture.image.pos not in faulty:
                    out.append(Expected(page.number, *plan.on_trim(b.picture.frame),
                                        f"图片 {b.picture.image.src_text}", m.story, b.picture.image.pos))
    return out


def blank_on_trim(pdf: bytes, press: PressSettings, places: list[Expected]) -> list[Expected]:
    """The blank places of the pages WeasyPrint drew (`pdf`), each page rendered cropped to its trim: inside
    the trim a drawn page is its finished one (the finishing wraps its content and adds boxes and marks
    outside the bleed only), so the finishing need not be made twice to be looked at."""
    return blank_places(pdf, places)


Blank = Callable[[bytes, PressSettings, list[Expected]], "list[Expected] | Callable[[], list[Expected]]"]
"""Finds the blank places of a PDF's pages (`blank_on_trim`): at once, or later: then it returns what gives
them when they are ready (a cold build looks at its previews' renders, still being made)."""


def prepress(pdf: bytes, layout: Layout, press: PressSettings, identifier: bytes, title: str, date: str,
             plan: Plan, known: Sequence[Finding] = (), ink: Callable[[bytes, float, float], list[PageInk]] = measure,
             blank: Blank = blank_on_trim) -> tuple[bytes, list[Finding], list[PageInk]]:
    """Measure, finish and check: the press-ready bytes, their findings and the ink per page.

    `known` are the findings so far (pictures already in error are not looked for on the page).
    `ink` measures the pages and `blank` finds the blank places (`blank_on_trim`, or later: `Blank`);
    both judge each page by itself, so `kanwu.pagecache` passes versions that remember unchanged pages.
    The PDF is finished and read back as soon as the ink is known, before blank places found later.
    """
    limit = float(layout.get("print.ink_limit", 300))
    findings: list[Finding] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        measuring = pool.submit(ink, pdf, limit, press.bleed)  # Ghostscript, in a process of its own
        # meanwhile the places where something must print are looked at (PDFium, outside the GIL)
        found = blank(pdf, press, expected_ink(plan, known))
        try:
            inks = measuring.result()
            findings += ink_findings(inks, limit, plan)
        except (FileNotFoundError, subprocess.SubprocessError) as exc:
            inks = []
            findings.append(Finding("warning", "ink-not-measured", "没有 Ghostscript，未测总墨量：请安装 ghostscript / "
                                    f"ink coverage not measured (Ghostscript: {exc})"))
    slug = SlugInfo(title, date, {ink.page: ink.plates for ink in inks})
    final = finish(pdf, press, slug, identifier)
    findings += pdf_findings(final, limit, press.variant)
    findings += blank_findings(found() if callable(found) else found)
    return final, findings, inks
