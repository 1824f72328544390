"""Body Markdown (text/body.py): emphasis as Chinese offices write it."""
from __future__ import annotations

import pytest

from kanwu.errors import Pos
from kanwu.model import Text
from kanwu.text.body import parse_body


def runs(markdown: str) -> list[tuple[str, str]]:
    (block,) = parse_body(Text(markdown, Pos("x.md", 1, 1)))
    return [(r.text, r.style) for r in block.runs]


@pytest.mark.parametrize("markdown, strong", [
    ("**一是创新工作方法，提升服务效能。**居民可以通过", "一是创新工作方法，提升服务效能。"),  # after 。 before Han
    ("正文**“时间银行”**后面", "“时间银行”"),                                                   # Han before “
    ("他说：**要把好事办好！**大家", "要把好事办好！"),
    ("**一、强化组织领导**", "一、强化组织领导"),
    ("前面**中间**后面", "中间"),
])
def test_strong_closes_after_chinese_punctuation(markdown: str, strong: str) -> None:
    got = runs(markdown)
    assert (strong, "strong") in got
    assert not any("*" in text for text, _ in got)


def test_latin_emphasis_reads_as_commonmark() -> None:
    assert runs("a ** b ** c") == [("a ** b ** c", "")]
    assert runs("**foo**bar") == [("foo", "strong"), ("bar", "")]
    assert runs("snake_case_name") == [("snake_case_name", "")]
    assert runs("*em* and **strong**") == [("em", "em"), (" and ", ""), ("strong", "strong")]
