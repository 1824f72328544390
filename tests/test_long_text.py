"""Long text fields cost time in proportion to their length (issue 10, item 4).

A 3,000-character caption took 68 s (WeasyPrint measured the caption's
narrowest possible width inside the flex photo row by re-setting the rest of
the caption at every break opportunity: quadratic; the page makeup now sets
captions itself), a 1,000-character headline over 100 s (the headline
breaker tried every combination of breaks: cubic; the makeup asks it for as
many lines as an overlong headline needs, which made it exponential).
The breaker's own work is counted in ``tests/unit/test_headline.py``; here a
whole ``kanwu check`` with such fields is timed against the same check with
ordinary ones, so that a loaded machine slows both alike.
"""
from __future__ import annotations

import time
from pathlib import Path

import yaml

from kanwu.build import build

PHRASE = "四平路街道开展市、区人大代表集中联系基层活动，以学促干，服务群众有“热度”。"


def long(n: int) -> str:
    return (PHRASE * (n // len(PHRASE) + 1))[:n]


def issue(folder: Path, headline: str, caption: str, byline: str) -> Path:
    doc = {"kanwu": 1, "publication": {"name": "测试简报"}, "issue": {"number": 1, "date": "2024-05-01"},
           "layout": "bulletin-a4",
           "stories": [{"id": "one", "headline": headline, "byline": byline, "body": "第一段文字。\n",
                        "images": [{"caption": caption}]}]}
    path = folder / f"issue-{len(caption)}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def timed_check(path: Path) -> float:
    start = time.perf_counter()
    result = build(path, None, write=False, png=False)
    assert result.report.stories, "the issue was typeset"
    return time.perf_counter() - start


def test_long_caption_headline_and_byline_check_in_about_the_usual_time(tmp_path: Path, monkeypatch) -> None:
    # the issue file refuses such lengths (kanwu.schema.TEXT_LIMITS); the breaking must stay fast beyond them
    from kanwu import schema

    monkeypatch.setattr(schema, "TEXT_LIMITS", {kind: 10_000 for kind in schema.TEXT_LIMITS})
    timed_check(issue(tmp_path, "标题", "图片说明", "社区宣文办"))       # warm: fonts, WeasyPrint imports
    usual = timed_check(issue(tmp_path, "标题", "图片说明", "社区宣文办"))
    slow = timed_check(issue(tmp_path, long(1000), long(3000), long(1000)))
    # about 1.5 × here (more lines and pages to set); before the fix over 15 × (over 30 s)
    assert slow < 4 * usual + 2, (slow, usual)
