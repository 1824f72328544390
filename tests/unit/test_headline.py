"""Headline breaking at phrase boundaries, balanced, with the budoux comparison kept."""
from __future__ import annotations

import shutil

import pytest

from kanwu.text import headline
from kanwu.text.compose import NO_END, NO_START
from kanwu.text.headline import break_headline, phrases
from kanwu.text.metrics import FontMetrics

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="needs fontconfig")

SIZE = 22.0
SEEDS = ["以学促干，服务群众有“热度”",
         "四平路街道开展市、区人大代表集中联系基层活动",
         "四平路街道完成杨浦区第十六届人大代表补选工作"]


@pytest.fixture(scope="module")
def font() -> FontMetrics:
    m = FontMetrics.for_family("Noto Sans CJK SC", 700)
    if "Noto" not in m.path:
        pytest.skip("Noto Sans CJK SC is not installed")
    return m


def brk(text: str, chars: float, font: FontMetrics, max_lines: int = 3) -> list[str]:
    return list(break_headline(text, chars * SIZE, SIZE, font, max_lines))


@pytest.mark.parametrize("text", SEEDS + ["以学促干　“边走边看”察民情", "“环同济”企业服务中心正式启用",
                                          "为1654人次老人提供社区助餐服务"])
def test_phrases_give_the_text_back(text: str) -> None:
    assert "".join(phrases(text)) == text


def test_phrases_join_what_budoux_cuts_into_single_characters() -> None:
    assert phrases(SEEDS[1])[:2] == ["四平路", "街道"]
    assert "区人大代表" in phrases(SEEDS[1])
    assert "第十六届" in phrases(SEEDS[2]) and "人大代表" in phrases(SEEDS[2])
    assert phrases(SEEDS[0])[0] == "以学促干，"
    assert "“边走边看”" in phrases("以学促干　“边走边看”察民情")    # a quotation stays whole
    assert phrases("") == []


@pytest.mark.parametrize("chars,expected", [
    (15, ["以学促干，服务群众有“热度”"]),
    (12, ["以学促干，", "服务群众有“热度”"]),
    (10, ["以学促干，", "服务群众有“热度”"]),
])
def test_seed_one(font, chars: int, expected: list[str]) -> None:
    assert brk(SEEDS[0], chars, font) == expected


@pytest.mark.parametrize("chars,expected", [
    (15, ["四平路街道开展市、", "区人大代表集中联系基层活动"]),
    (12, ["四平路街道开展市、", "区人大代表", "集中联系基层活动"]),
])
def test_seed_two(font, chars: int, expected: list[str]) -> None:
    assert brk(SEEDS[1], chars, font) == expected


@pytest.mark.parametrize("chars,expected", [
    (15, ["四平路街道完成杨浦区", "第十六届人大代表补选工作"]),
    (12, ["四平路街道完成杨浦区", "第十六届人大代表补选工作"]),
    (10, ["四平路街道完成", "杨浦区第十六届", "人大代表补选工作"]),
])
def test_seed_three(font, chars: int, expected: list[str]) -> None:
    assert brk(SEEDS[2], chars, font) == expected


@pytest.mark.parametrize("text", SEEDS)
@pytest.mark.parametrize("chars", [8, 10, 12, 15, 30])
def test_rules_hold_at_every_width(font, text: str, chars: int) -> None:
    lines = brk(text, chars, font)
    assert "".join(lines) == text
    assert 1 <= len(lines) <= 3
    for line in lines:
        assert font.advance(line) * SIZE <= chars * SIZE + 0.01
        assert len(line.rstrip("，、：；")) >= 2                # never one character alone
        assert line[0] not in NO_START and line[-1] not in NO_END
    # fewest lines: one fewer never fits at phrase boundaries or otherwise
    if len(lines) > 1:
        assert font.advance(text) * SIZE > chars * SIZE


def test_balanced_rather_than_greedy(font) -> None:
    lines = brk(SEEDS[2], 15, font)
    widths = [font.advance(line) for line in lines]
    assert max(widths) - min(widths) <= 2.5             # greedy would give 15 / 7


def test_ideographic_space_is_dropped_at_a_break(font) -> None:
    assert brk("以学促干　“边走边看”察民情", 10, font) == ["以学促干", "“边走边看”察民情"]
    assert brk("以学促干　“边走边看”察民情", 20, font) == ["以学促干　“边走边看”察民情"]


def test_a_phrase_wider_than_the_measure_breaks_inside(font) -> None:
    text = "中华人民共和国全国人民代表大会常务委员会"
    lines = brk(text, 8, font)
    assert "".join(lines) == text and len(lines) == 3
    assert all(font.advance(line) <= 8 for line in lines)


def test_numbers_are_not_broken(font) -> None:
    lines = brk("四平路街道召开2020年第四季度居民区党组织书记例会", 8, font)
    assert not any(line.endswith("20") and not line.endswith("2020") for line in lines)


def test_what_does_not_fit_is_returned_least_overflowing(font) -> None:
    lines = brk(SEEDS[1], 4, font, max_lines=2)
    assert len(lines) == 2 and "".join(lines) == SEEDS[1]


def test_empty_and_short(font) -> None:
    assert break_headline("", 100, SIZE, font) == ()
    assert break_headline("通知", 100, SIZE, font) == ("通知",)


def test_budoux_alone_would_split_renda(font, monkeypatch) -> None:
    """The comparison in the module docstring: raw budoux breaks 人|大 at 12 chars."""
    monkeypatch.setattr(headline, "phrases", lambda text: headline._parser().parse(text))
    raw = brk(SEEDS[1], 12, font)
    assert raw == ["四平路街道开展市、区人", "大代表集中联系基层活动"]
    monkeypatch.undo()
    assert brk(SEEDS[1], 12, font) == ["四平路街道开展市、", "区人大代表", "集中联系基层活动"]


def test_bound_words_are_not_cut():
    from kanwu.text.headline import phrases

    ph = phrases("四平路街道召开二〇二四年度社区工作会议")
    assert not any(p.endswith("年") for p in ph[:-1] if "二〇二四" in p), ph
    assert any("年度" in p for p in ph), ph
