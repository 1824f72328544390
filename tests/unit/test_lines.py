"""Composed lines as HTML (layout/lines.py): how half-width marks and the last character are drawn."""
from __future__ import annotations

import random

from kanwu.layout.lines import _pulled, _runs, first_indent, line_html, lines_html
from kanwu.text.compose import Line, Segment


def test_a_half_width_mark_inside_a_line_is_a_full_glyph_pulled_together() -> None:
    line = Line((Segment("边办", ""), Segment("，", "", letter_spacing=2.0, halt=True), Segment("找问题", "")),
                100.0, False)
    html = str(line_html(line, {}, 12.0))
    # closing mark: half an em off after it (the 2 pt the composer gave back kept), no halt run: the text
    # after it starts 4 pt back
    assert html == '边办，<span style="margin-left:-4pt">找问题</span>' and 'class="h"' not in html
    opening = Line((Segment("学习", ""), Segment("“", "", halt=True), Segment("四史", "")), 100.0, False)
    # opening mark: half an em off before it (the text after it runs on in the same span)
    assert str(line_html(opening, {}, 12.0)) == '学习<span style="margin-left:-6pt">“四史</span>'


def test_a_mark_ending_the_line_keeps_halt_and_no_size_keeps_halt() -> None:
    line = Line((Segment("问题", ""), Segment("，", "", halt=True)), 100.0, False)
    assert '<span class="h">，</span>' in str(line_html(line, {}, 12.0))
    mid = Line((Segment("边", ""), Segment("，", "", halt=True), Segment("找", "")), 100.0, False)
    assert '<span class="h">，</span>' in str(line_html(mid, {}))


def test_the_unspaced_last_character_shares_the_run_before_it() -> None:
    line = Line((Segment("学习教育从室内转向", "", letter_spacing=1.333), Segment("室", "", space_before=0.003)),
                100.0, False)
    assert str(line_html(line, {}, 12.0)) == '<span style="letter-spacing:1.333pt">学习教育从室内转向室</span>'
    # but not after a tightly spaced run (a run of its own sits exactly at the edge), not a run of several
    # characters, nor after a pulled mark
    tight = Line((Segment("学习教育从室内转向", "", letter_spacing=0.15), Segment("室", "")), 100.0, False)
    assert str(line_html(tight, {}, 12.0)).endswith("</span>室")
    two = Line((Segment("知行合一", "", letter_spacing=1.5), Segment("、", "", halt=True), Segment("真抓", "")),
               100.0, False)
    assert str(line_html(two, {}, 12.0)).endswith('<span style="margin-left:-7.5pt">真抓</span>')
    assert_same_places(two)


EM = 12.0


def places(segments: list[Segment]) -> tuple[list[float], float]:
    """Where each character starts and where the line ends, every glyph an em wide."""
    x, out = 0.0, []
    for seg in segments:
        x += seg.space_before
        for _ in seg.text:
            out.append(x)
            x += EM + seg.letter_spacing
    return out, x


def assert_same_places(line: Line) -> None:
    """The runs drawn for `line` put every character where its segments do."""
    drawn = _runs(_pulled(line.segments, EM))
    want, _ = places(list(_pulled(line.segments, EM)))
    got, _ = places(drawn)
    assert [round(v, 6) for v in got] == [round(v, 6) for v in want]


def test_runs_put_every_character_in_its_place_with_fewer_spans() -> None:
    rng = random.Random(7)
    for _ in range(400):
        segs = []
        for _ in range(rng.randint(1, 8)):
            text = "".join(rng.choice("文字，“”。AB") for _ in range(rng.randint(1, 4)))
            segs.append(Segment(text, rng.choice(["", "", "strong"]), rng.choice([0.0, 0.0, 0.5, 1.5, -0.25]),
                                rng.choice([0.0, 0.0, 0.0, 2.5, 0.448]), rng.random() < 0.15))
        line = Line(tuple(segs), 100.0, False)
        want, end = places(list(_pulled(line.segments, EM)))
        drawn = _runs(_pulled(line.segments, EM))
        got, got_end = places(drawn)
        assert [round(v, 6) for v in got] == [round(v, 6) for v in want], segs
        assert len(drawn) <= len([s for s in _pulled(line.segments, EM) if s.text])
        # the line's width changes only by a wide spacing after its last character
        assert abs(got_end - end) < 1e-6 or drawn[-1].letter_spacing >= 0.9, segs


def test_per_character_margins_become_one_spaced_run() -> None:
    han = Line(tuple(Segment(ch, "", 0.0, 0.448 if i else 0.0) for i, ch in enumerate("发送电子邮件至")), 100.0, False)
    # (the last character keeps its place without the spacing after it: the line's width stays)
    assert str(line_html(han, {}, 12.0)) == '<span style="letter-spacing:.448pt">发送电子邮件</span>至'
    assert_same_places(han)
    # but Latin characters the composer measured one by one are not joined: one run would kern them
    url = Line(tuple(Segment(ch, "", 0.0, 0.448 if i else 0.0) for i, ch in enumerate("x.org")), 100.0, False)
    assert str(line_html(url, {}, 12.0)).count("<span") == 4


def test_the_first_lines_margin_can_be_the_paragraphs_text_indent() -> None:
    par = [Line((Segment("自开展", "", space_before=24.0), Segment("学习", "")), 100.0, False),
           Line((Segment("以来", "", space_before=3.0),), 100.0, True)]
    assert first_indent(par, 12.0) == 24.0
    # the first line without its margin (the element's text-indent), the others unchanged
    assert str(lines_html(par, {}, 12.0, indent=False)) == '自开展学习\n<span style="margin-left:3pt">以来</span>'
    assert str(lines_html(par, {}, 12.0)).startswith('<span style="margin-left:24pt">自开展学习</span>')
    assert first_indent([], 12.0) == 0.0


def test_a_run_of_dashes_alone_is_set_full_width() -> None:
    # alone, Pango shapes —— as common script (1.69 em in Noto CJK); among Han it is 2 em, as measured
    line = Line((Segment("重点", "", letter_spacing=0.5), Segment("——", "", space_before=1.0),
                 Segment("这是", "", space_before=1.0)), 100.0, False)
    html = str(line_html(line, {}, 12.0))
    assert '<span class="fw" style="margin-left:1pt">——</span>' in html
    assert 'class="fw"' not in str(line_html(Line((Segment("收集——交办", ""),), 100.0, False), {}, 12.0))
