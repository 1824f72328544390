"""Editorial lint: repeated titles and phrases, doubled particles, 内部资料 vocabulary."""
from __future__ import annotations

from kanwu.errors import Pos
from kanwu.model import Text
from kanwu.text.lint import lint


def t(s: str) -> Text:
    return Text(s, Pos("x.md", 1, 1), ((0, 1, 1),))


def codes(s: str, internal: bool = False) -> list[tuple[str, int]]:
    return [(f.code, f.pos.col) for f in lint(t(s), internal=internal)]


def test_title_written_twice_is_flagged_where_it_starts():
    s = "根据《选举法》《上海市罢免和补选大会选举法》《上海市罢免和补选大会选举法》和"
    assert codes(s) == [("repeated-text", 8)]


def test_repeated_phrase_and_doubled_particle():
    assert ("repeated-text", 1) in codes("人民城市人民城市为人民")
    assert codes("这是我们的的工作") == [("repeated-text", 5)]


def test_correct_text_and_reduplication_are_not_flagged():
    for s in ("研究研究", "看看", "了了之", "不了了之", "人民城市人民建，人民城市为人民", "《甲》和《乙》"):
        assert codes(s) == [], s


def test_internal_publication_words_only_with_a_permit():
    assert codes("本报记者报道") == []
    assert [c for c, _ in codes("本报记者报道", internal=True)] == ["internal-publication"] * 2


def test_internal_words_inside_legitimate_words_are_not_flagged():
    """公益广告 is a public-service announcement, 本报告 "this report", 登记者 a registrant... (issue 10)."""
    for s in ("社区张贴公益广告", "清理楼道小广告", "整治户外广告", "谨防虚假广告", "查处违法广告",
              "本报告由居委会编写", "填写本报表", "医保基本报销比例", "成本报表", "资本报告",
              "已登记者请到居委会领取", "速记者", "本期为创刊号", "制定价格", "核定价格", "政府规定价格",
              "保持物价稳定价格不涨", "双方约定价款"):
        assert codes(s, internal=True) == [], s


def test_internal_words_are_still_flagged_beside_legitimate_ones():
    assert codes("公益广告和商业广告", internal=True) == [("internal-publication", 8)]
    assert codes("本报讯　本报告", internal=True) == [("internal-publication", 1)]
    for s in ("欢迎刊登广告", "本报记者", "定价：2元", "刊号：沪内资准字", "本刊编辑部"):
        assert codes(s, internal=True), s
