"""Editorial lint: slips an editor wants pointed out, never fixed silently.

Runs on the raw source of each text value (before normalisation), so every
finding points at the characters as typed. Everything here is a warning:
kanwu prints the text as written.

* ``repeated-text``: a title in 《》 or a phrase of four or more characters
  written twice in a row (a copy-paste slip: the seed bulletin names one law
  twice), or a doubled particle (的的, 了了 as a typo).
* ``internal-publication``: words a 内部资料 may not use (2015 measures for
  internal materials: no 本报/本刊/记者/刊号, no price, no advertising), checked
  when the issue carries a 准印证号; words that merely contain one (公益广告,
  本报告, 登记者, 制定价格...) are not flagged.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Finding
from ..model import Text

_TITLE_TWICE = re.compile(r"(《[^《》\n]{2,40}》)[、，,和与及]?\1")
_PHRASE_TWICE = re.compile(r"([\u4e00-\u9fff]{4,12})\1")
_PARTICLE_TWICE = re.compile(r"(?<![\u4e00-\u9fff]{2}[了的])([的地得了])\1(?!之)")
_INTERNAL = {"本报": "本报", "本刊": "本刊", "记者": "记者", "刊号": "刊号", "定价": "定价", "广告": "广告"}
_INTERNAL_RE = re.compile("|".join(_INTERNAL))
_LEGITIMATE = (
    # advertising as a subject, not an advertisement: a public-service announcement, flyers removed...
    "公益广告", "小广告", "户外广告", "虚假广告", "违法广告",
    # 报 / 刊 / 记 / 定 belonging to the next or the previous word
    "本报告", "本报表", "本报销", "基本报", "成本报", "资本报", "创刊号", "登记者", "速记者",
    "制定价", "核定价", "规定价", "约定价", "确定价", "审定价", "认定价", "决定价", "稳定价", "固定价", "指定价",
)
"""Words that contain a 内部资料 word without being one (``本报告`` is "this report")."""


def _legitimate(value: str, start: int, word: str) -> bool:
    """Whether the ``word`` found at ``start`` is part of one of the ``_LEGITIMATE`` words."""
    for legit in _LEGITIMATE:
        at = legit.find(word)
        if at >= 0 and start >= at and value.startswith(legit, start - at):
            return True
    return False


def _hits(text: Text) -> Iterator[tuple[int, str, str]]:
    value = text.value
    for m in _TITLE_TWICE.finditer(value):
        yield m.start(), "repeated-text", f"书名 {m.group(1)} 连续出现两次，是否重复？/ the title is written twice in a row"
    for m in _PHRASE_TWICE.finditer(value):
        yield m.start(), "repeated-text", f"“{m.group(1)}”连续出现两次，是否重复？/ the phrase is written twice in a row"
    for m in _PARTICLE_TWICE.finditer(value):
        yield m.start(), "repeated-text", f"“{m.group(0)}”：助词重复，是否笔误？/ a doubled particle: a typo?"


def lint(text: Text | None, story: str | None = None, internal: bool = False) -> list[Finding]:
    """Warnings for one text value; `internal` adds the 内部资料 vocabulary check."""
    if text is None:
        return []
    out = [Finding("warning", code, msg, text.pos_at(off), story=story) for off, code, msg in _hits(text)]
    if internal:
        for m in _INTERNAL_RE.finditer(text.value):
            if _legitimate(text.value, m.start(), m.group(0)):
                continue
            out.append(Finding("warning", "internal-publication",
                               f"内部资料不宜使用“{m.group(0)}”（内部资料性出版物管理办法）/ an internal publication "
                               f"should not use “{m.group(0)}”", text.pos_at(m.start()), story=story))
    return out
