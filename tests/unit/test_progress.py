"""Progress (#11): a long build shows its stage and pages on a terminal, and nothing when stderr is not one."""
from __future__ import annotations

import io
import sys
import time

import pytest

from kanwu.build import STAGES, build
from kanwu.cli import STAGE_NAMES, TerminalProgress, main


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_nothing_is_shown_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with TerminalProgress(stream, delay=0) as progress:
        progress.stage("typeset")
        progress.pages(3, 20)
    assert stream.getvalue() == ""


def test_on_a_terminal_the_stage_and_pages_show_in_place_and_are_cleared():
    stream = FakeTerminal()
    with TerminalProgress(stream, delay=0) as progress:
        progress.stage("typeset")
        progress.pages(3, 20)
        progress.stage("proof")
    out = stream.getvalue()
    assert "排版 typeset" in out and "3/20" in out and "校样 proof" in out
    assert "\n" not in out and out.startswith("\r") and out.endswith("\r\x1b[K")  # one line, rewritten, cleared


def test_a_quick_build_shows_nothing_and_a_long_stage_shows_without_events():
    quick = FakeTerminal()
    with TerminalProgress(quick, delay=60) as progress:
        progress.stage("typeset")
    assert quick.getvalue() == ""
    slow = FakeTerminal()
    with TerminalProgress(slow, delay=0.05, tick=0.02) as progress:
        progress.stage("typeset")  # before the delay: not shown yet
        time.sleep(0.3)  # no event: the line appears anyway once the delay is over
        assert "排版 typeset" in slow.getvalue()


def test_a_build_reports_its_stages_and_pages(write_issue):
    stream = FakeTerminal()
    with TerminalProgress(stream, delay=0) as progress:
        build(write_issue(), write=False, progress=progress)
    out = stream.getvalue()
    for stage in STAGES[:4]:  # a check stops after drawing
        assert STAGE_NAMES[stage] in out, stage
    assert "1/1" in out
    assert set(STAGE_NAMES) == set(STAGES)


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's progress line shown from the start (not after two seconds): a quick build shows it too."""
    monkeypatch.setattr(TerminalProgress.__init__, "__defaults__", (0.0, 0.5))


def test_the_command_line_shows_stage_and_pages_on_a_terminal(write_issue, monkeypatch, at_once):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["check", str(write_issue())]) == 0
    out = terminal.getvalue()
    assert "\rkanwu: 排版 typeset" in out and "第 1/1 页 / page 1 of 1" in out and "\r\x1b[K" in out


def test_the_command_line_prints_no_progress_into_a_pipe(write_issue, capsys, at_once):
    assert main(["check", str(write_issue())]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err + captured.out and "typeset" not in captured.err


def test_an_import_shows_its_stages_on_a_terminal(tmp_path, monkeypatch, at_once):
    from docxes import simple
    from kanwu.cli import IMPORT_STAGE_NAMES
    from kanwu.importer import STAGES as IMPORT_STAGES

    docx = simple(tmp_path / "稿件.docx", "社区开展了一次活动。")
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(docx)]) == 0
    out = terminal.getvalue()
    for stage in IMPORT_STAGES:
        assert f"\rkanwu: {IMPORT_STAGE_NAMES[stage]}" in out, stage
    assert out.count("\r\x1b[K") >= 1 and set(IMPORT_STAGE_NAMES) == set(IMPORT_STAGES)
