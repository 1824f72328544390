"""Helpers shared by the bad-input tests: the input error a file must raise."""
from __future__ import annotations

from pathlib import Path

import pytest

from kanwu.errors import KanwuError
from kanwu.load import load_issue

BODY = "    body: |\n      第一段文字，这是一个测试段落。\n"


def problems(path: Path) -> list[str]:
    """The messages of the input error (exit status 2) that loading `path` must raise."""
    with pytest.raises(KanwuError) as info:
        load_issue(path)
    assert info.value.exit_code == 2
    return [str(f) for f in info.value.findings]


def one(path: Path) -> str:
    """The one message of the input error loading `path` must raise."""
    msgs = problems(path)
    assert len(msgs) == 1, msgs
    return msgs[0]
