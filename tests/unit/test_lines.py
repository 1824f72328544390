"""Composed lines as HTML (layout/lines.py): how half-width marks and the last character are drawn."""
from __future__ import annotations

from kanwu.layout.lines import line_html
from kanwu.text.compose import Line, Segment


def test_a_half_width_mark_inside_a_line_is_a_full_glyph_pulled_together() -> None:
    line = Line((Segment("边办", ""), Segment("，", "", letter_spacing=2.0, halt=True), Segment("找问题", "")),
                100.0, False)
    html = str(line_html(line, {}, 12.0))
    # closing mark: half an em off after it (the 2 pt the composer gave back kept), no halt run
    assert '<span style="letter-spacing:-4pt">，</span>' in html and 'class="h"' not in html
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
    assert str(line_html(two, {}, 12.0)).endswith('<span style="letter-spacing:-6pt">、</span>真抓')
