"""Layout templates are untrusted code (a layout folder may come with an issue): they are bounded in
memory, time and depth, like everything else kanwu reads.

The strict sandbox (test_template_sandbox.py) keeps templates away from files and Python's
internals, and bounds ``*`` and ``**``; but a few characters of Jinja still asked for gigabytes
(``'x'.ljust(2000000000)``, a ``replace`` or ``~`` that doubles a string), ran for ever (two nested
``range(100000)`` loops, a macro calling itself twice) or recursed until Python gave up: an internal
error (exit 3) after eating the memory, or a build that never ended, in ``kanwu watch`` too. Now the
templates run in a forked child with a memory and a time budget: a layout error naming the
template (exit 2) within seconds.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kanwu.build import build
from kanwu.errors import KanwuError
from kanwu.layout import sandbox

from deadline import deadline
from paths import MINIMAL
from test_template_sandbox import evil_layout

MEMORY = [
    '{{ "x".ljust(2000000000) }}',
    '{{ "x"|center(2000000000) }}',
    '{{ "%2000000000d" % 1 }}',
    '{{ "{:>2000000000}".format(1) }}',
    '{{ ("x" * 100000)|replace("x", "x" * 100000) }}',
    '{% set ns = namespace(s="x" * 100000) %}{% for i in range(20) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}'
    '{{ ns.s|length }}',
    '{% set ns = namespace(s=["x"] * 100000) %}{% for i in range(20) %}{% set ns.s = ns.s + ns.s %}{% endfor %}'
    '{{ ns.s|length }}',
]
TIME = [
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
]
DEPTH = [
    "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
    '{% include "content.html.j2" %}',
]


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def refused(issue: Path) -> str:
    """The layout error checking `issue` must raise (exit 2), within a few seconds."""
    with deadline(20), pytest.raises(KanwuError) as info:
        build(issue, write=False)
    assert info.value.exit_code == 2, str(info.value)
    return str(info.value)


@pytest.mark.parametrize("template", MEMORY)
def test_a_template_that_wants_gigabytes_is_a_layout_error(tmp_path: Path, template: str) -> None:
    message = refused(evil_layout(tmp_path, "<p>ok</p>\n" + template + "\n"))
    assert "content.html.j2:2: error:" in message, message
    assert "MB" in message


@pytest.mark.parametrize("template", TIME)
def test_a_template_that_never_ends_is_stopped(tmp_path: Path, template: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 1)  # the real budget is longer; the point is that there is one
    message = refused(evil_layout(tmp_path, "<p>ok</p>\n" + template + "\n"))
    assert "content.html.j2:2: error:" in message, message
    assert "1 s" in message


@pytest.mark.parametrize("template", DEPTH)
def test_a_template_that_recurses_without_end_is_a_layout_error(tmp_path: Path, template: str) -> None:
    message = refused(evil_layout(tmp_path, "<p>ok</p>\n" + template + "\n"))
    assert "content.html.j2:2: error:" in message, message


@pytest.mark.parametrize("layout", ["tabloid-a3", "bulletin-a4"])
def test_shipped_layouts_render_within_the_budget(write_issue, layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget is far above what a real layout needs (a few hundredths of a second)."""
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 1)
    issue = write_issue(MINIMAL.replace("layout: bulletin-a4", f"layout: {layout}"))
    with deadline(30):
        assert build(issue, write=False).report.pages >= 1
