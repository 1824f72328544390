"""FontMetrics: HarfBuzz advances of the installed CJK faces, as Pango shapes them."""
from __future__ import annotations

import shutil
import time

import pytest

from kanwu.text.metrics import FontMetrics, css_to_fc_weight

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="needs fontconfig")


@pytest.fixture(scope="module")
def serif() -> FontMetrics:
    m = FontMetrics.for_family("Noto Serif CJK SC")
    if "Noto" not in m.path:
        pytest.skip("Noto Serif CJK SC is not installed")
    return m


def test_for_family_finds_the_sc_face_of_the_collection(serif: FontMetrics) -> None:
    assert serif.path.endswith("NotoSerifCJK-Regular.ttc")
    assert serif.index == 2                      # SC face of the TTC, as fc-match says
    assert serif.family == "Noto Serif CJK SC"
    bold = FontMetrics.for_family("Noto Serif CJK SC", 700)
    assert bold.path.endswith("NotoSerifCJK-Bold.ttc") and bold.index == 2


def test_for_family_is_cached(serif: FontMetrics) -> None:
    assert FontMetrics.for_family("Noto Serif CJK SC") is serif


def test_a_face_is_loaded_once_while_its_file_is_unchanged(serif: FontMetrics, tmp_path) -> None:
    """Every build of a resident session makes up its pages with the same faces (warm shaping caches, kept
    paragraphs); a font file replaced in fonts/ is read again."""
    import os

    from kanwu.text.metrics import face

    assert face(serif.path, serif.index) is face(serif.path, serif.index)
    copy = tmp_path / "office.ttc"
    shutil.copyfile(serif.path, copy)
    first = face(str(copy), serif.index)
    assert face(str(copy), serif.index) is first and first.advance("中文") == serif.advance("中文")
    os.utime(copy, ns=(time.time_ns(), time.time_ns() + 10**9))  # replaced: a newer modification time
    assert face(str(copy), serif.index) is not first


def test_han_and_full_width_marks_are_one_em(serif: FontMetrics) -> None:
    for ch in "中文，。、；：！？（）《》【】":
        assert serif.advance(ch) == 1.0, ch


def test_curly_quotes_are_full_width_in_zh_hans(serif: FontMetrics) -> None:
    # zh-Hans shaping: the SC face sets “” ‘’ full width (proportional in Latin fonts)
    for ch in "“”‘’":
        assert serif.advance(ch) == 1.0, ch


def test_halt_sets_marks_half_width(serif: FontMetrics) -> None:
    for ch in "，。、；：！？“”‘’（）《》【】":
        assert serif.advance(ch, halt=True) == 0.5, ch
    assert serif.advance("中", halt=True) == 1.0     # halt leaves Han alone


def test_runs_are_shaped_as_a_whole(serif: FontMetrics) -> None:
    # Latin pairs kern (AV, To) and fi ligates: a unit is measured whole, not letter by letter
    assert serif.advance("AV") < serif.advance("A") + serif.advance("V")
    assert serif.advance("fi") < serif.advance("f") + serif.advance("i")
    assert serif.advance("406件") == pytest.approx(serif.advance("406") + 1.0)
    assert 1.5 < serif.advance("PM2.5") < 4
    assert serif.advance("") == 0.0


def test_has_glyph(serif: FontMetrics) -> None:
    assert serif.has_glyph("中") and serif.has_glyph("A") and serif.has_glyph("“")
    assert not serif.has_glyph("\U0001F600")      # no emoji in Noto CJK


def test_a_font_without_halt_gets_it_emulated(serif: FontMetrics) -> None:
    kai = FontMetrics.for_family("LXGW WenKai")
    if "LXGW" not in kai.path:
        pytest.skip("LXGW WenKai is not installed")
    # LXGW WenKai has no halt feature: kanwu halves its full-width marks itself
    assert kai.emulates_halt and not serif.emulates_halt
    assert kai.advance("，") == 1.0 and kai.advance("，", halt=True) == 0.5
    assert kai.advance("》，", halt=True) == 1.0
    assert kai.advance("“", halt=True) == kai.advance("“")    # its quotes are not full width


def test_loading_a_face_is_fast(serif: FontMetrics) -> None:
    t = time.perf_counter()
    m = FontMetrics(serif.path, serif.index)
    assert time.perf_counter() - t < 0.1          # memory-mapped blob, no parsing
    assert m.advance("中") == 1.0


def test_css_to_fc_weight() -> None:
    assert css_to_fc_weight(400) == 80
    assert css_to_fc_weight(700) == 200
    assert css_to_fc_weight(100) == 0
    assert css_to_fc_weight(900) == 210
    assert 80 < css_to_fc_weight(450) < 100


def test_a_dash_alone_is_measured_as_pango_sets_it_among_han(serif: FontMetrics) -> None:
    # alone, U+2014 is common script and Noto CJK's default dash is 0.89 em; among Han characters
    # Pango shapes it as Han, full width: the unit must measure what the line will be
    assert serif.advance("——") == pytest.approx(2.0)
    assert serif.advance("集——交") == pytest.approx(serif.advance("集") + 2.0 + serif.advance("交"))
    assert serif.advance("(") < 0.5  # Latin punctuation stays proportional


def test_a_paragraph_with_dashes_fits_its_measure(serif: FontMetrics) -> None:
    from kanwu.text.compose import Run, compose

    text = "针对代表带回的建议，街道建立“收集——交办——反馈”闭环机制，做到件件有回音、事事有着落。"
    par = compose([Run(text)], 432.0, 12.0, {"": serif})
    assert not any(line.overfull for line in par.lines)
    assert par.lines[0].width == pytest.approx(432.0, abs=0.01)
