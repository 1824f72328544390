"""The printer's files always belong to the report beside them (issue 10, item 5).

A rebuild that fails preflight left the old imposed sheets and press package
(holding the old print PDF) beside the new failing report, and a build
killed right after renaming its report left the old print PDF beside an
``ok: false`` report. Now: the old report and every old printer's file are
removed before anything new is renamed into place, the report is renamed
last and lists the SHA-256 of every file it belongs with.

The kill tests run one build's write stage again and again, "killing" it
(an exception nothing catches, and every later rename or removal refused)
after 0, 1, 2 … steps, and look at the folder as a reader would.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from kanwu import build as build_mod
from kanwu import output
from kanwu.build import build

from paths import MINIMAL

PRINTER = {"print.pdf": "print", "imposed.pdf": "imposed", "press.zip": "package"}
"""The files that go to the printer, by suffix → their kind in the report."""
FAILING = MINIMAL + "    images:\n      - caption: 待补图片\n"  # a placeholder: preflight error
CHANGED = MINIMAL.replace("第一段文字", "改过的第一段文字")


class Killed(BaseException):
    """What kill -9 does to the write stage: nothing after it happens."""


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def folder_state(out: Path) -> dict[str, bytes]:
    """What a reader sees: every file but temporary ones."""
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.endswith(".tmp")}


def same_build(state: dict[str, bytes]) -> dict[str, object]:
    """`state` with the report's paths cut to file names (a replay writes into another folder)."""
    out: dict[str, object] = dict(state)
    if "issue.preflight.json" in state:
        doc = json.loads(state["issue.preflight.json"])
        doc["outputs"] = {k: Path(v).name for k, v in doc["outputs"].items()}
        out["issue.preflight.json"] = doc
    return out


def printer_files(state: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in state.items() if name.split(".", 1)[1] in PRINTER}


def check_consistent(state: dict[str, bytes], builds: list[dict[str, bytes]]) -> None:
    """A reader never sees a printer's file beside a report of another build (or an ok: false one)."""
    printer = printer_files(state)
    report = state.get("issue.preflight.json")
    if report is not None:
        doc = json.loads(report)
        for name, data in printer.items():
            kind = PRINTER[name.split(".", 1)[1]]
            assert doc["ok"], f"{name} beside a failing report"
            assert doc["sha256"].get(kind) == sha(data), f"{name} is not the file this report lists"
    else:  # between builds: the printer's files, if any, are all of one build
        assert any(all(b.get(n) == d for n, d in printer.items()) for b in builds), sorted(printer)


def capture(monkeypatch: pytest.MonkeyPatch, issue: Path, out: Path, **options):
    """Build `issue`, writing its files into `out`; return the write stage's arguments for replays."""
    seen = {}
    real = build_mod.write_stage

    def record(result, folder, stem, files, previews):
        seen["args"] = copy.deepcopy((result, stem, files, previews))
        real(result, folder, stem, files, previews)

    with monkeypatch.context() as m:
        m.setattr(build_mod, "write_stage", record)
        build(issue, out, png=False, **options)
    return seen["args"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Four builds of one issue, each written once and captured for replay."""
    folder = tmp_path_factory.mktemp("consistency")
    mp = pytest.MonkeyPatch()
    mp.setenv("KANWU_CACHE", str(folder / "cache"))
    out = {}
    for name, text, options in (("full", MINIMAL, {"impose": True, "package": True}),
                                ("failing", FAILING, {}),
                                ("changed-full", CHANGED, {"impose": True, "package": True}),
                                ("changed-plain", CHANGED, {})):
        src = folder / name
        src.mkdir()
        (src / "issue.yaml").write_text(text, encoding="utf-8")
        out[name] = (src / "out", capture(mp, src / "issue.yaml", src / "out", **options))
    yield out
    mp.undo()


def test_a_failing_rebuild_removes_every_printer_file(write_issue, tmp_path, monkeypatch):
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    result = build(write_issue(), out, png=False, impose=True, package=True)
    assert {"print", "imposed", "package"} <= set(result.written)
    result = build(write_issue(FAILING), out, png=False, impose=True, package=True)
    assert result.exit_code == 1 and result.removed_stale_print
    assert sorted(p.name for p in out.iterdir()) == ["issue.preflight.json", "issue.proof.pdf"]


def test_a_build_without_impose_or_package_removes_the_older_ones(builds, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(builds["full"][0], out)
    result, stem, files, previews = copy.deepcopy(builds["changed-plain"][1])
    build_mod.write_stage(result, out, stem, files, previews)
    assert not (out / "issue.imposed.pdf").exists() and not (out / "issue.press.zip").exists()
    assert set(result.removed) == {out / "issue.imposed.pdf", out / "issue.press.zip"}
    check_consistent(folder_state(out), [])


def test_the_report_lists_the_sha256_of_every_file(builds):
    out, _ = builds["full"]
    doc = json.loads((out / "issue.preflight.json").read_bytes())
    assert set(doc["sha256"]) == set(doc["outputs"]) - {"preflight"} >= {"print", "imposed", "package", "proof"}
    for kind, digest in doc["sha256"].items():
        assert sha(Path(doc["outputs"][kind]).read_bytes()) == digest, kind
    # the build is named by its files: another build of other text has another name
    other = json.loads((builds["changed-full"][0] / "issue.preflight.json").read_bytes())
    assert len(doc["build"]) == 16 and doc["build"] != other["build"]
    check_consistent(folder_state(out), [])


@pytest.mark.parametrize("old, new", [("full", "failing"), ("full", "changed-plain"),
                                      ("failing", "changed-full"), ("full", "changed-full")])
def test_killed_between_any_two_steps_never_pairs_files_of_two_builds(builds, tmp_path, monkeypatch, old, new):
    old_out, _ = builds[old]
    new_out, args = builds[new]
    old_state, new_state = folder_state(old_out), folder_state(new_out)
    real_replace, real_unlink = os.replace, os.unlink
    steps = 0
    while True:
        out = tmp_path / f"kill-{steps}"
        shutil.copytree(old_out, out)
        done = [0]

        def step(real, path, *rest):
            if str(path).endswith(".tmp") and real is real_unlink:
                return real(path, *rest)  # removing its own temporary files: what the next build does too
            if done[0] >= steps:
                raise Killed()
            done[0] += 1
            return real(path, *rest)

        monkeypatch.setattr(os, "replace", lambda src, dst: step(real_replace, src, dst))
        monkeypatch.setattr(os, "unlink", lambda path, *a, **k: step(real_unlink, path))
        result, stem, files, previews = copy.deepcopy(args)
        try:
            build_mod.write_stage(result, out, stem, files, previews)
            finished = True
        except Killed:
            finished = False
        finally:
            monkeypatch.undo()
        state = folder_state(out)
        check_consistent(state, [old_state, new_state])
        if "issue.print.pdf" in old_state and "issue.print.pdf" in new_state:
            assert "issue.print.pdf" in state, steps  # a good print PDF is replaced, never missing
        if finished:
            assert same_build(state) == same_build(new_state), sorted(set(state) ^ set(new_state))
            break
        steps += 1
    assert steps >= 4  # removals and renames were each interrupted


def test_two_writers_into_one_folder_take_turns(builds, tmp_path):
    """The write stage holds a lock on the folder: two builds at once cannot interleave their files."""
    out = tmp_path / "out"
    shutil.copytree(builds["full"][0], out)
    result, stem, files, previews = copy.deepcopy(builds["changed-plain"][1])
    worker = threading.Thread(target=build_mod.write_stage, args=(result, out, stem, files, previews))
    with output.folder_lock(out):
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive() and (out / "issue.imposed.pdf").exists()  # waiting: nothing changed yet
    worker.join(timeout=30)
    assert not worker.is_alive() and not (out / "issue.imposed.pdf").exists()
