"""Forked workers (pages drawn in parallel, previews): a worker that dies is an error, never a hang.

`multiprocessing.Pool` waits for ever for the result of a worker killed on the
way (the out-of-memory killer, a crash in a C library, ``kill -9``): the
build hung with no message. Now the build stops with a message naming what
happened, writes nothing, and leaves no process behind.
"""
from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from kanwu import forked, previews, typeset
from kanwu.build import build
from kanwu.cli import main
from kanwu.errors import KanwuError

from deadline import deadline
from paths import MINIMAL
from pdffonts import fonts_by_name

TWO_PAGES = MINIMAL.replace("layout: bulletin-a4", "layout: tabloid-a3\npages:\n  - {stories: [one]}\n"
                            "  - {stories: [two]}") + "  - id: two\n    headline: 第二篇\n    body: 第二版的文字。\n"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def two_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A two-page issue drawn by two workers, whatever the machine."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    issue = tmp_path / "issue.yaml"
    issue.write_text(TWO_PAGES, encoding="utf-8")
    return issue


def children() -> set[int]:
    """This process's living child processes."""
    me = str(os.getpid())
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[1] == me and stat[0] != "Z":
                out.add(int(d.name))
    return out


# module-level (picklable by name) stand-ins for the workers' functions
ORIGINAL = {"draw": typeset._draw, "previews": previews._render_pages}


def _dying_draw(index: int) -> object:
    if index == 1:
        os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
    return ORIGINAL["draw"](index)


def _dying_previews(*args: object) -> object:
    os.kill(os.getpid(), signal.SIGKILL)
    return ORIGINAL["previews"](*args)


def test_a_killed_drawing_worker_stops_the_build_with_a_message(two_pages: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(typeset, "_draw", _dying_draw)
    before = children()
    with deadline(60):
        code = main(["build", str(two_pages), "-o", str(tmp_path / "out"), "--no-png"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "signal 9" in err and "internal error" not in err, err
    assert not (tmp_path / "out" / "issue.print.pdf").exists()
    assert children() <= before


def test_a_killed_preview_worker_stops_the_build(two_pages: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(previews, "_render_pages", _dying_previews)
    with deadline(60), pytest.raises(KanwuError) as info:
        build(two_pages, tmp_path / "out")
    assert "signal 9" in str(info.value)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))


def test_a_failure_in_a_worker_is_raised_and_the_others_stopped() -> None:
    def work(n: int) -> int:
        if n == 0:
            raise ValueError("the first one fails")
        time.sleep(30)
        return n

    before = children()
    started = time.monotonic()
    with pytest.raises(ValueError, match="the first one fails"):
        forked.run_all(work, [(0,), (1,), (2,)])
    assert time.monotonic() - started < 10
    assert children() <= before


def test_a_child_that_takes_too_long_is_stopped() -> None:
    child = forked.Child(time.sleep, 30)
    with pytest.raises(forked.Died) as info:
        child.result(seconds=0.2)
    assert info.value.timed_out
    assert not Path(f"/proc/{child.pid}").exists() or child.pid not in children()


def test_a_forgotten_child_is_killed_when_dropped() -> None:
    child = forked.Child(time.sleep, 30)
    pid = child.pid
    del child
    import gc

    gc.collect()
    assert pid not in children()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The two-page issue and its print PDF, built as on a 2-core machine."""
    folder = tmp_path_factory.mktemp("runs")
    issue = folder / "issue.yaml"
    issue.write_text(TWO_PAGES, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KANWU_CACHE", str(folder / "cache"))
        mp.setattr(os, "cpu_count", lambda: 2)
        mp.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
        return issue, build(issue, folder / "out", png=False).written["print"]


@pytest.mark.parametrize("cores", [1, 8])
def test_the_print_pdf_does_not_depend_on_the_machines_cores(cores: int, two_runs: tuple[Path, Path], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The same input gives the same bytes on every machine: how the pages are cut into runs (each run
    embeds font subsets of its own) may not depend on the number of cores."""
    issue, reference = two_runs
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert build(issue, tmp_path / "other", png=False).written["print"].read_bytes() == reference.read_bytes()


def test_different_font_subsets_have_different_names(two_runs: tuple[Path, Path]) -> None:
    """ISO 32000-1, 9.6.4: different subsets in one PDF have different tags (a RIP may take a subset
    it has seen for another one of the same name, and print the wrong glyphs or none)."""
    fonts = fonts_by_name(two_runs[1])
    assert len(fonts) >= 4, fonts  # both runs' subsets were looked at
    assert all(len(programs) == 1 for programs in fonts.values()), fonts


def test_the_warm_drawing_process_of_a_build_that_fails_early_is_stopped(tmp_path: Path) -> None:
    """A cold build forks the process that will draw as it starts (it imports WeasyPrint meanwhile): when
    the input is refused before anything is drawn, that process does not outlive the build."""
    import gc

    bad = tmp_path / "bad.yaml"
    bad.write_text("publication: [\n", encoding="utf-8")
    before = children()
    with deadline(30), pytest.raises(KanwuError):
        build(bad, tmp_path / "out")
    gc.collect()
    assert children() <= before


def test_the_warm_process_draws_what_the_workers_draw(two_runs: tuple[Path, Path], tmp_path: Path) -> None:
    """`typeset.Warm` hands back the same drawn chunks as `draw_each` in this process would."""
    import gc

    from kanwu.build import load_stage, makeup_stage, named_roots, render_stage
    from kanwu.layout.lines import DrawnText

    issue, spec, _ = load_stage(two_runs[0], None)
    made = makeup_stage(issue, spec)
    drawable = render_stage(issue, spec, made, None, 2)
    args = (drawable.html, issue.root, named_roots(issue, spec, drawable.pictures, drawable.profile.root), spec,
            typeset.PdfOptions("pdf/x-4", b"0" * 32, {}), None, DrawnText(made.fonts, drawable.pieces))
    warm = typeset.Warm()
    from_warm = warm.draw_each(*args)
    here = typeset.draw_each(*args)
    assert len(from_warm) == len(here) == 2
    for a, b in zip(from_warm, here):  # WeasyPrint's own bytes carry a random XMP id: compare what is drawn
        assert a.page_sizes == b.page_sizes and a.findings == b.findings
        assert [p.extract_text() for p in PdfReader(io.BytesIO(a.pdf)).pages] == \
            [p.extract_text() for p in PdfReader(io.BytesIO(b.pdf)).pages]
    del warm
    gc.collect()
    assert not children()
