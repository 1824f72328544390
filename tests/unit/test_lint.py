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
