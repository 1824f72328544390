"""End to end: composed paragraphs rendered by WeasyPrint, measured as an editor would.

Each case renders paragraphs composed by :func:`kanwu.text.compose.compose`
into a fixed-width ``div`` on an A4 page, as spans WeasyPrint lays out (heads and
captions) and as glyphs kanwu draws itself (body text), then

* runs the measuring tool ``/work/shared/tools/cjk-metrics`` (imported from
  its path; skipped if it is not there) and asserts the composition bar, and
* reads the glyph positions with pdfplumber: every justified line's last
  glyph ends at the column edge, every line starts where its first segment
  says, and the extracted text is the composed text.
"""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from bar import assert_meets_bar, load_cjk_metrics

pytest.importorskip("weasyprint")
pdfplumber = pytest.importorskip("pdfplumber")

from kanwu.layout.lines import lines_html  # noqa: E402
from kanwu.text.compose import OPENING, Composed, Run, compose  # noqa: E402
from kanwu.text.metrics import FontMetrics  # noqa: E402

MARGIN = 20 * 72 / 25.4            # page margin in pt (20 mm)

PARAGRAPHS = [
    "在“四史”学习教育中，党员干部注重联系实际学，在学习成果转化上下功夫，把基层作为走访调研主阵地，"
    "坚持用“小步”丈量基层“大路”，以学促干，在“边走边看”中察民情、听民声、解民忧，畅通群众反映问题"
    "渠道，让群众诉求更加便利。",
    "截至目前，共受理各类信访件406件，日常接待来访群众120批150人次，化解存量矛盾6件，做到信访件件有"
    "着落、事事有回音，实现了矛盾在一线化解、问题在一线解决。",
    "针对“短板”问题，认真思考分析，直指问题本质，真抓实干，在“边析边办”中解民忧，做到绳子在哪儿打了结，"
    "就在哪儿解开，勇于跳出老习惯，拿出新招法，以“干”求“活”，越“干”越“活”，打通服务群众“最后一公里”。",
    "针对老式公房小区多个业委会、多头管理导致物业管理不到位等问题，党员干部深入一线调研，破难题、解民忧，"
    "完成鞍一（2）、鞍一（3）、鞍山六村等多家业委会合并工作，解决多头管理问题，同步推进鞍山七村铁路小区"
    "等5家业委会换届选举和备案。",
    "根据《中华人民共和国全国人民代表大会和地方各级人民代表大会选举法》《上海市人民代表大会代表程序的规定》"
    "和杨浦区人大补选工作安排，四平路街道本着公平、公正、公开的原则，积极发扬民主，严格依法办事，圆满完成了"
    "区十六届人民代表大会代表补选工作。",
    "此次补选工作涉及087一个选区，3714位选民，共补选区第十六届人大代表1名。选区内鞍山一村第一居委会、"
    "铁岭路50弄居委会、铁岭路90弄居委会、上海联创设计集团股份有限公司等5家选举单位分别设立投票站，"
    "选民踊跃投票，行使民主权利。据统计共有3489名选民参加选举，参选率达到94%。",
    "薛侃同志指出，这些意见建议反映的是居民的身边人、身边事、身边案例，但都有其共通之处，对于政府来说很有"
    "益处，以小见大，可以启发政府完善思路、改进工作，可以吸收转化为创新社会治理的有效手段。",
    "完成鞍一（2）、鞍一（3）、鞍山六村等多家业委会合并工作",
    "据统计，2020年全街道PM2.5平均浓度下降12.5%，居民满意度达99.6%，共有1,286户参与。详情见"
    "https://www.example.org/path/to/page?id=42。他说：“我们要‘好好干’。”【通知】，“十四五”规划"
    "（草案）、——这是重点……还有Hello world和Python 3.11的测试，气温-3℃。",
]

CSS = """@page {{ size: A4; margin: {margin}pt }}
html {{ font-family: "Noto Serif CJK SC"; }}
body {{ margin: 0 }}
div.col {{ width: {measure}pt; font-size: {size}pt; line-height: 1.6 }}
p.c {{ white-space: pre; margin: 0; text-align: left; text-indent: 0 }}
.h {{ font-feature-settings: "halt" }}
.fw {{ font-variant-east-asian: full-width }}
.b {{ font-weight: bold }}"""


@pytest.fixture(scope="module")
def fonts() -> dict[str, FontMetrics]:
    if shutil.which("fc-match") is None:
        pytest.skip("needs fontconfig")
    body = FontMetrics.for_family("Noto Serif CJK SC")
    if "Noto" not in body.path:
        pytest.skip("Noto Serif CJK SC is not installed")
    return {"": body, "strong": FontMetrics.for_family("Noto Serif CJK SC", 700)}


@pytest.fixture(scope="module")
def cjk_metrics():
    """The measuring tool as a module, or None when it is not installed."""
    return load_cjk_metrics()


def render(pars: list[Composed], measure: float, size: float, path: Path, drawing: str = "spans") -> Path:
    """The paragraphs as WeasyPrint draws their spans (heads and captions), or as kanwu draws their glyphs
    into empty blocks (body text: `composed_html`, `kanwu.wpext.draw_composed_lines`)."""
    import weasyprint

    from kanwu import wpext
    from kanwu.fonts import ResolvedFont
    from kanwu.layout.lines import DrawnText, composed_html

    table: dict = {}
    if drawing == "spans":
        body = "".join(f'<p class="c">{lines_html(p, {"strong": "b"})}</p>' for p in pars)
    else:
        body = "".join(f'<p class="c">{composed_html(p.lines, {"strong": "strong"}, size, size * 1.6, table)}</p>'
                       for p in pars)
    css = CSS.format(margin=MARGIN, measure=measure, size=size)
    html = f'<html lang="zh-Hans"><head><style>{css}</style></head><body><div class="col">{body}</div></body></html>'
    wpext.check_version()
    faces = {role: ResolvedFont(role, m.family, m.path, m.index, weight, False)
             for role, (m, weight) in {"body": (FontMetrics.for_family("Noto Serif CJK SC"), 400),
                                       "strong": (FontMetrics.for_family("Noto Serif CJK SC", 700), 700)}.items()}
    wpext.use_text(DrawnText(faces, table) if table else None)
    try:
        weasyprint.HTML(string=html).write_pdf(path)
    finally:
        wpext.use_text(None)
    return path


def rendered_rows(path: Path, size: float) -> list[list[dict]]:
    """The body-size glyphs of the PDF, row by row, in reading order."""
    rows = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            by_top = defaultdict(list)
            for c in page.chars:
                if c["text"].strip() and abs(c["size"] - size) < 0.3:
                    by_top[round(c["top"], 1)].append(c)
            rows += [sorted(by_top[t], key=lambda c: c["x0"]) for t in sorted(by_top)]
    return rows


@pytest.mark.parametrize("drawing", ["spans", "glyphs"])
@pytest.mark.parametrize("size", [10.5, 12.0])
@pytest.mark.parametrize("em", [12, 14, 28, 36])
def test_rendered_composition(tmp_path: Path, fonts, cjk_metrics, em: int, size: float, drawing: str) -> None:
    measure = em * size
    pars = [compose([Run(t)], measure, size, fonts) for t in PARAGRAPHS]
    # one paragraph with strong runs, to render a second face
    pars.append(compose([Run("党员干部"), Run("注重联系实际学", "strong"), Run(PARAGRAPHS[0][13:])],
                        measure, size, fonts))
    pdf = render(pars, measure, size, tmp_path / f"c_{em}_{size}.pdf", drawing)

    # -- positions: pdfplumber against what the composer said ----------------------
    lines = [line for p in pars for line in p.lines]
    rows = rendered_rows(pdf, size)
    assert len(rows) == len(lines)
    right = MARGIN + measure
    for line, row in zip(lines, rows):
        text = "".join(s.text for s in line.segments).replace(" ", "")
        assert "".join(c["text"] for c in row) == text
        first, last = line.segments[0], line.segments[-1]
        # where the last segment starts, then its advance (pdfplumber's x1 is
        # x0 + 1 em even for a halted mark, and —— is one ligature glyph)
        pos, at = 0, len(text) - len(last.text.replace(" ", ""))
        for c in row:
            if pos >= at:
                break
            pos += len(c["text"])
        end = c["x0"] + fonts[last.style].advance(last.text, last.halt) * size \
            + last.letter_spacing * (len(last.text) - 1)
        if not line.last:
            assert end == pytest.approx(right, abs=0.3), text
        else:
            assert end <= right + 0.3
        start = MARGIN + first.space_before
        if first.halt and first.text[0] in OPENING:
            start -= 0.5 * size        # halt pulls an opening mark's glyph left
        assert row[0]["x0"] == pytest.approx(start, abs=0.3), text

    # -- the measuring tool's bar -----------------------------------------------------
    if cjk_metrics is None:
        pytest.skip("cjk-metrics is not installed")
    result, examples = cjk_metrics.measure(str(pdf), body_size=size)
    # the tool skips a page with fewer than 3 lines (it finds no column there)
    assert len(lines) - 3 <= result["lines"] <= len(lines)
    assert_meets_bar(result, examples)


def test_a_block_naming_lines_kanwu_did_not_compose_draws_nothing(tmp_path: Path) -> None:
    """A layout's template may write a `kanwu-lines` element itself: a key kanwu did not make draws
    nothing (and breaks nothing); only what the composer set reaches the page."""
    import weasyprint

    from kanwu import wpext
    from kanwu.fonts import ResolvedFont
    from kanwu.layout.lines import DrawnText, composed_html
    from kanwu.text.compose import Line, Segment

    table: dict = {}
    ours = composed_html([Line((Segment("排好的行", ""),), 48.0, True)], {}, 12.0, 20.0, table)
    html = (f'<html lang="zh-Hans"><body><p>{ours}</p>'
            '<p><kanwu-lines data-k="forged" style="display:block;height:20pt"></kanwu-lines></p></body></html>')
    body = FontMetrics.for_family("Noto Serif CJK SC")
    wpext.check_version()
    wpext.use_text(DrawnText({"body": ResolvedFont("body", body.family, body.path, body.index, 400, False)}, table))
    try:
        weasyprint.HTML(string=html).write_pdf(tmp_path / "t.pdf")
    finally:
        wpext.use_text(None)
    with pdfplumber.open(tmp_path / "t.pdf") as pdf:
        assert "".join(c["text"] for c in pdf.pages[0].chars) == "排好的行"


def test_lines_are_never_drawn_in_a_face_other_than_the_one_they_were_shaped_in(tmp_path: Path) -> None:
    """The glyphs are shaped in the role's font file; Pango finds the face to embed by family and weight.
    Should the two ever disagree, the glyph ids would name other glyphs: the drawing stops instead."""
    import weasyprint

    from kanwu import wpext
    from kanwu.errors import KanwuError
    from kanwu.fonts import ResolvedFont
    from kanwu.layout.lines import DrawnText, composed_html
    from kanwu.text.compose import Line, Segment

    bold = FontMetrics.for_family("Noto Serif CJK SC", 700)
    regular = FontMetrics.for_family("Noto Serif CJK SC")
    if bold.path == regular.path and bold.index == regular.index:
        pytest.skip("one face for both weights here")
    table: dict = {}
    html = f'<html lang="zh-Hans"><body><p>{composed_html([Line((Segment("字", ""),), 12.0, True)], {}, 12.0, 20.0, table)}</p></body></html>'
    wrong = ResolvedFont("body", regular.family, bold.path, bold.index, 400, False)  # the bold file, asked as regular
    wpext.check_version()
    wpext.use_text(DrawnText({"body": wrong}, table))
    try:
        with pytest.raises(KanwuError, match="another file"):
            weasyprint.HTML(string=html).write_pdf(tmp_path / "t.pdf")
    finally:
        wpext.use_text(None)
