"""Check what was drawn: ink where the layout placed text and pictures (issue 10, item 6).

`kanwu.drawn.nothing_drawn` takes the PDF's bytes and rectangles where ink
is expected (page, x, y, w, h, what; pt from the trim's top-left) and returns
a ``nothing-drawn`` error for each place left blank. The unit tests feed it
a PDF drawn by hand; the build test makes a lead invisible (a layout that
sets it in paper colour) and places an all-white picture: before, both
printed as blank paper with exit 0.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from kanwu.drawn import Expected, nothing_drawn

from paths import MINIMAL


def drawn_pdf() -> bytes:
    """A 200 × 100 pt page (TrimBox inside a larger MediaBox) with a black 50 × 20 pt box at (20, 30)
    from the trim's top-left and a 5 % yellow tint at (120, 30)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, FloatObject, NameObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(240, 140)  # trim + 20 pt on every side
    content = StreamObject()
    # PDF y grows upwards: the trim's top is y = 120
    content.set_data(b"0 0 0 1 k 40 70 50 20 re f 0 0 0.05 0 k 140 70 50 20 re f")
    page[NameObject("/Contents")] = writer._add_object(content)  # noqa: SLF001
    page[NameObject("/TrimBox")] = ArrayObject([FloatObject(v) for v in (20, 20, 220, 120)])
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_ink_where_expected_is_no_finding():
    pdf = drawn_pdf()
    assert nothing_drawn(pdf, [Expected(1, 20, 30, 50, 20, "黑块"), (1, 120, 30, 50, 20, "淡黄")]) == []


def test_a_blank_place_is_an_error_naming_what_was_placed():
    found = nothing_drawn(drawn_pdf(), [(1, 20, 30, 50, 20, "黑块"), Expected(1, 80, 60, 30, 30, "图片 a.jpg", "one")])
    assert [(f.level, f.code, f.page, f.story) for f in found] == [("error", "nothing-drawn", 1, "one")]
    assert "图片 a.jpg" in found[0].message and "nothing is drawn" in found[0].message


def test_one_finding_per_thing_however_many_places():
    found = nothing_drawn(drawn_pdf(), [(1, 80, 5, 30, 10, "稿件 x 的正文"), (1, 80, 60, 30, 30, "稿件 x 的正文")])
    assert len(found) == 1 and "2 处" in found[0].message


def test_places_too_small_to_judge_or_off_the_page_are_skipped():
    assert nothing_drawn(drawn_pdf(), [(1, 150, 80, 0.5, 40, "细线"), (2, 0, 0, 50, 50, "没有的页")]) == []


@pytest.fixture
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def test_invisible_lead_and_blank_picture_are_errors_in_a_build(write_issue, tmp_path, _cache):
    from kanwu.build import build

    text = MINIMAL.replace("layout: bulletin-a4", "layout: pale").replace(
        "    headline: 测试标题\n", "    headline: 测试标题\n    lead: 导语文字，这是一段导语，印在正文前面。\n") + (
        "    images:\n      - {src: white.jpg, caption: 图片说明}\n")
    issue = write_issue(text)
    Image.new("RGB", (1600, 1000), (255, 255, 255)).save(issue.parent / "white.jpg", dpi=(300, 300))
    layout = issue.parent / "layouts" / "pale"
    layout.mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: bulletin-a4\n", encoding="utf-8")
    # a layout mistake: the lead set in paper colour
    (layout / "style.css.j2").write_text(".lead-par, .lead-par * { color: device-cmyk(0 0 0 0); }\n",
                                         encoding="utf-8")
    result = build(issue, tmp_path / "out", png=False)
    blank = [f for f in result.report.findings if f.code == "nothing-drawn"]
    assert len(blank) == 2 and all(f.level == "error" and f.story == "one" for f in blank), blank
    assert any("white.jpg" in f.message for f in blank) and any("导语" in f.message for f in blank), blank
    assert result.exit_code == 1 and "print" not in result.written
