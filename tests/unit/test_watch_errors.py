"""Watch mode survives every failing build (issue #10, item 3): it reports the error and keeps watching."""
from __future__ import annotations

import os
import time

from kanwu.build import BuildResult, build
from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.watch import watch
from paths import MINIMAL

HUGE = MINIMAL.replace("number: 1", "number: " + "9" * 5000)  # Python refuses int() of 4 301+ digits
SURROGATE = MINIMAL.replace("headline: 测试标题", 'headline: "测试\\ud800标题"')  # WeasyPrint cannot encode it


def test_watch_reports_failing_builds_and_rebuilds_when_fixed(write_issue):
    issue = write_issue(HUGE)
    versions = [SURROGATE, MINIMAL]
    runs: list[object] = []

    def run() -> BuildResult:
        try:
            return build(issue, write=False)
        finally:  # the editor saves the next version after each build
            runs.append(None)
            if versions:
                issue.write_text(versions.pop(0), encoding="utf-8")
                later = time.time() + 5 * len(runs)
                os.utime(issue, (later, later))

    results = list(watch(issue, None, run, interval=0.01, stop=lambda: len(runs) >= 3))
    assert len(results) == 3
    first, second, third = results
    assert isinstance(first, KanwuError) and "`issue.number` is out of range" in str(first)
    assert isinstance(second, KanwuError) and "surrogate" in str(second) and ":10:18:" in str(second)
    assert isinstance(third, BuildResult) and third.report.ok


def test_watch_reports_a_bug_and_keeps_watching(write_issue, capsys, monkeypatch):
    issue = write_issue()
    calls: list[int] = []

    def fake_build(*args: object, **kw: object) -> object:
        calls.append(1)
        later = time.time() + 5 * len(calls)
        os.utime(issue, (later, later))
        if len(calls) == 1:
            raise RuntimeError("a bug in one build")
        raise KeyboardInterrupt  # the editor presses Ctrl+C

    monkeypatch.setattr("kanwu.build.build", fake_build)
    assert main(["watch", str(issue)]) == 130
    err = capsys.readouterr().err
    assert len(calls) == 2 and "internal error" in err and "内部错误" in err
