"""Composed lines as positioned glyphs (text/glyphs.py): kanwu draws body lines where the composer set them."""
from __future__ import annotations

import pytest

from kanwu.layout.lines import DrawnPiece, composed_html, drawn_segments
from kanwu.text.compose import Line, Run, Segment, compose
from kanwu.text.glyphs import DrawnSegment, features, items, place_line
from kanwu.text.metrics import FontMetrics

SEED_TEXT = ("在“四史”学习教育中，街道坚持把“四史”学习教育从室内转向室外，党员干部注重结合实际学，深入基层倾听群众声音，"
             "与群众心贴心交流，面对面咨询，全面了解基层工作情况，做到知行合一，在“边听边问”中问需求。据统计共有3489名"
             "选民参加选举，参选率达到94%，Wi-Fi网络覆盖9:00—17:00，……开展《上海市罢免和补选大会选举法》学习。")


@pytest.fixture(scope="module")
def faces() -> dict[str, FontMetrics]:
    body = FontMetrics.for_family("Noto Serif CJK SC")
    return {"body": body, "strong": FontMetrics.for_family("Noto Serif CJK SC", 700),
            "kai": FontMetrics.for_family("LXGW WenKai")}


def test_items_cut_latin_from_han() -> None:
    assert items("Wi-Fi网络") == ["Wi-Fi", "网络"]
    assert items("共有3489名") == ["共有", "3489", "名"]
    assert items("“四史”") == ["“四史”"]


def test_half_width_and_full_width_features() -> None:
    assert features(DrawnSegment("，", "body", 0, 0, True)) == ("halt",)
    assert features(DrawnSegment("——", "body", 0, 0)) == ("fwid",)
    assert features(DrawnSegment("——好", "body", 0, 0)) == ()


def test_glyphs_follow_advances_spacing_and_margins(faces: dict[str, FontMetrics]) -> None:
    line = place_line([DrawnSegment("学习教育", "body", 1.5, 24.0), DrawnSegment("从室", "body", 0.0, 3.0)],
                      faces, 12.0)
    xs = [g.x for run in line.runs for g in run.glyphs]
    # the indent, then 12 pt a character and 1.5 pt after each, then a 3 pt margin
    assert xs == pytest.approx([24.0, 37.5, 51.0, 64.5, 81.0, 93.0])
    assert line.width == pytest.approx(105.0)  # no spacing counted after the last character
    assert "".join(g.text for run in line.runs for g in run.glyphs) == "学习教育从室"


def test_a_pulled_mark_takes_half_an_em(faces: dict[str, FontMetrics]) -> None:
    composed = Line((Segment("边办", ""), Segment("，", "", halt=True), Segment("找问题", "")), 60.0, False)
    glyphs = [g for run in place_line(drawn_segments(composed, {}, 12.0), faces, 12.0).runs for g in run.glyphs]
    assert [g.text for g in glyphs] == list("边办，找问题")
    # the comma is the full-width glyph (it copies out of the PDF without a gap), the next character
    # half an em after it
    assert glyphs[3].x - glyphs[2].x == pytest.approx(6.0)
    assert glyphs[2].spacing == pytest.approx(-6.0)


def test_placed_lines_are_as_wide_as_the_composer_set_them(faces: dict[str, FontMetrics]) -> None:
    fonts = {"": faces["body"], "strong": faces["strong"]}
    runs = [Run(SEED_TEXT[:60], ""), Run(SEED_TEXT[60:75], "strong"), Run(SEED_TEXT[75:], "")]
    for measure in (132.0, 180.0, 276.0):
        par = compose(runs, measure, 12.0, fonts)
        for line in par.lines:
            placed = place_line(drawn_segments(line, {"": "body", "strong": "strong"}, 12.0), faces, 12.0)
            assert placed.width == pytest.approx(line.width, abs=0.01), line
            if not line.last:
                assert placed.width == pytest.approx(measure, abs=0.05)
            # every character is drawn once, in order (the text a PDF reader copies out)
            assert "".join(g.text for r in placed.runs for g in r.glyphs) == "".join(s.text for s in line.segments)
            xs = [g.x for r in placed.runs for g in r.glyphs]
            assert xs == sorted(xs)


def test_a_role_the_faces_lack_is_set_in_the_body_face(faces: dict[str, FontMetrics]) -> None:
    line = place_line([DrawnSegment("加粗", "strong-missing", 0.0, 0.0)], {"body": faces["body"]}, 12.0)
    assert line.runs[0].role == "strong-missing" and line.width == pytest.approx(24.0)


def test_the_html_names_the_lines_by_their_digest() -> None:
    table: dict[str, DrawnPiece] = {}
    line = Line((Segment("学习", ""),), 24.0, True)
    html = str(composed_html([line, line], {}, 12.0, 20.0, table))
    (key, piece), = table.items()
    assert html == f'<kanwu-lines data-k="{key}" style="display:block;height:40pt"></kanwu-lines>'
    assert piece.size == 12.0 and len(piece.lines) == 2
    other = Line((Segment("学问", ""),), 24.0, True)
    composed_html([other], {}, 12.0, 20.0, table)
    assert len(table) == 2  # other lines, another name: a page's HTML changes with its text
