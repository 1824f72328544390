"""Faults (issue #6): unwritable output, full disk, kill -9, two builds at once, exit codes.

Whatever happens, an existing good PDF is never replaced by a broken one and
no temporary file is left behind for long.
"""
from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from kanwu import output
from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.output import clean_temps, ensure_dir, write_atomic

from paths import MINIMAL, ROOT

KANWU = [sys.executable, "-m", "kanwu.cli"]


def valid_pdf(path: Path) -> bool:
    """A complete PDF: ends with %%EOF and pypdf reads every page."""
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or not data.rstrip().endswith(b"%%EOF"):
        return False
    reader = pypdf.PdfReader(path, strict=True)
    return len(reader.pages) > 0 and all(p.mediabox.width > 0 for p in reader.pages)


def temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- writing one file ------------------------------------------------------------------------

def test_output_folder_under_a_regular_file(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(KanwuError) as info:
        ensure_dir(tmp_path / "file.txt" / "out")
    assert "cannot create the output folder" in str(info.value) and "is a file, not a folder" in str(info.value)
    with pytest.raises(KanwuError) as info:
        ensure_dir(tmp_path / "file.txt")
    assert "this is a file, not a folder" in str(info.value) and "-o" in str(info.value)


def test_output_folder_not_writable_end_to_end(write_issue, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    code = main(["build", str(write_issue()), "-o", str(tmp_path / "file.txt" / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "无法创建输出文件夹 / cannot create the output folder" in err and "Traceback" not in err


@pytest.mark.parametrize("err, words", [(errno.EACCES, "permission denied"), (errno.EROFS, "read-only"),
                                        (errno.ENOSPC, "the disk is full")])
def test_rename_refused_keeps_the_old_file(tmp_path, monkeypatch, err, words):
    target = tmp_path / "x.pdf"
    target.write_bytes(b"old good pdf")

    def refuse(*args, **kw):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(KanwuError) as info:
        write_atomic(target, b"new pdf")
    assert words in str(info.value) and "the existing file is unchanged" in str(info.value)
    assert str(info.value).startswith(f"{target}: error:")
    assert target.read_bytes() == b"old good pdf" and temps(tmp_path) == []


def test_disk_full_mid_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "x.pdf"
    target.write_bytes(b"old good pdf")
    real_fdopen = os.fdopen

    class HalfFull:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: HalfFull(real_fdopen(fd, mode)))
    with pytest.raises(KanwuError) as info:
        write_atomic(target, b"%PDF-new" * 1000)
    assert "磁盘已满 / the disk is full" in str(info.value)
    assert target.read_bytes() == b"old good pdf" and temps(tmp_path) == []


def test_disk_full_during_a_build(write_issue, tmp_path, monkeypatch, capsys):
    path = write_issue()
    out = tmp_path / "out"
    assert main(["build", str(path), "-o", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    assert main(["build", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # every old file intact, no temp


# --- killed mid-write, two at once -----------------------------------------------------------

SLOW_WRITE = """
import os, sys, time
real_fdopen = os.fdopen

class Slow:
    def __init__(self, fh): self.fh = fh
    def __enter__(self): return self
    def __exit__(self, *exc): self.fh.close()
    def write(self, data):
        self.fh.write(data[: len(data) // 2]); self.fh.flush()
        print("HALF", flush=True)
        time.sleep(60)

os.fdopen = lambda fd, mode="r", *a, **k: Slow(real_fdopen(fd, mode, *a, **k)) if "w" in mode else real_fdopen(fd, mode, *a, **k)
from kanwu.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small issue built once by the CLI in a subprocess; how long that took."""
    folder = tmp_path_factory.mktemp("faults")
    issue = folder / "issue.yaml"
    issue.write_text(MINIMAL, encoding="utf-8")
    out = folder / "out"
    t = time.perf_counter()
    res = subprocess.run([*KANWU, "build", str(issue), "-o", str(out)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return issue, out, time.perf_counter() - t


def pdfs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.glob("*.pdf")}


def test_killed_while_writing_keeps_the_old_pdf(built):
    issue, out, _ = built
    old = pdfs(out)
    assert set(old) == {"issue.print.pdf", "issue.proof.pdf"}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, "build", str(issue), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline()  # the first output is half written
        assert line.strip() == "HALF", proc.stderr.read()
        half = temps(out)
        assert len(half) == 1 and half[0].stat().st_size > 0
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert pdfs(out) == old and all(valid_pdf(out / n) for n in old)
    # the next build into the folder removes what the killed one left
    assert clean_temps(out) == half and temps(out) == []


def test_killed_at_random_moments_never_leaves_a_broken_pdf(built):
    issue, out, seconds = built
    rng = random.Random()
    delays = [rng.uniform(0.6, 1.05) * seconds for _ in range(2)]
    for delay in delays:
        proc = subprocess.Popen([*KANWU, "build", str(issue), "-o", str(out)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        for name in ("issue.print.pdf", "issue.proof.pdf"):
            assert valid_pdf(out / name), (name, delays)
        ensure_dir(out)  # what the next build does first
        assert temps(out) == [], delays


def test_two_builds_of_the_same_issue_at_once(built):
    issue, out, _ = built
    procs = [subprocess.Popen([*KANWU, "build", str(issue), "-o", str(out)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    for stdout, _ in results:
        assert "print" in stdout and "proof" in stdout
    for name in ("issue.print.pdf", "issue.proof.pdf"):
        assert valid_pdf(out / name)
    assert temps(out) == []


# --- exit codes and tracebacks ---------------------------------------------------------------

def test_exit_codes(write_issue, tmp_path, capsys):
    good = write_issue()
    out = tmp_path / "out"
    assert main(["build", str(good), "-o", str(out)]) == 0
    assert (out / "issue.print.pdf").is_file()
    # 1: preflight errors: proof and report written, the old print PDF removed
    placeholder = write_issue(MINIMAL + "    images:\n      - caption: 待补图片\n")
    assert main(["build", str(placeholder), "-o", str(out)]) == 1
    assert not (out / "issue.print.pdf").exists() and valid_pdf(out / "issue.proof.pdf")
    # 2: invalid input, nothing written
    bad = write_issue(MINIMAL.replace("number: 1", "number: 十二"), name="bad.yaml")
    assert main(["build", str(bad), "-o", str(out)]) == 2
    assert not list(out.glob("bad.*"))
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{bad}:5:11: error:" in err


def test_a_bug_shows_a_traceback_only_with_debug(write_issue, monkeypatch, capsys):
    import kanwu.build

    def bug(*args, **kw):
        raise ZeroDivisionError("a bug in kanwu")

    monkeypatch.setattr(kanwu.build, "build", bug)
    path = str(write_issue())
    assert main(["check", path]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" in err and "--debug" in err
    assert main(["check", path, "--debug"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError: a bug in kanwu" in err


def test_expected_failures_never_show_a_traceback_even_with_debug(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.yaml"), "--debug"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"{tmp_path / 'nope.yaml'}: error: 找不到文件 / file not found"


def test_a_folder_in_the_way_of_an_output(tmp_path):
    (tmp_path / "x.print.pdf").mkdir()
    with pytest.raises(KanwuError) as info:
        write_atomic(tmp_path / "x.print.pdf", b"%PDF-")
    assert "a folder is in the way of the output file" in str(info.value) and temps(tmp_path) == []


def test_only_abandoned_temporary_files_are_removed(tmp_path):
    host = output._host()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = {
        "dead": f".x.pdf.kanwu-{host}-{dead.pid}-abc12345.tmp",      # killed build on this machine
        "alive": f".x.pdf.kanwu-{host}-{os.getppid()}-abc12345.tmp",  # a build still running
        "other-old": ".x.pdf.kanwu-elsewhere-1-abc12345.tmp",         # another machine, long ago
        "other-new": ".x.pdf.kanwu-elsewhere-2-abc12345.tmp",         # another machine, writing now
        "not-ours": ".x.pdf.abc12345.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"%PDF-half")
    old = time.time() - output.STALE_AFTER - 10
    os.utime(tmp_path / names["other-old"], (old, old))
    removed = {p.name for p in clean_temps(tmp_path)}
    assert removed == {names["dead"], names["other-old"]}
