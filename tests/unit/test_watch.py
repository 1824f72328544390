"""Watch mode rebuilds after a change to any source: issue file, body file, picture."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from kanwu.watch import sources, watch
from paths import MINIMAL, SEED


def test_sources_cover_issue_bodies_images_and_layout():
    files = sources(SEED, None)
    names = {p.name for p in files}
    assert {SEED.name, "lead.md", "npc.md", "lead-1.jpg", "layout.yaml", "style.css.j2"} <= names


def _rebuilds_after(issue: Path, changed: Path) -> list[int]:
    """Watch `issue`; after the first build, only `changed` is saved. The builds seen (2 s at most)."""
    runs: list[int] = []
    assert changed != issue and changed.is_file()
    issue_stamp = issue.stat().st_mtime

    def run() -> int:
        runs.append(len(runs))
        if len(runs) == 1:  # the editor saves the file after the first build
            later = time.time() + 5
            os.utime(changed, (later, later))
        return len(runs)

    give_up = time.monotonic() + 2
    results = list(watch(issue, None, run, interval=0.01,
                         stop=lambda: len(runs) >= 2 or time.monotonic() > give_up))
    assert issue.stat().st_mtime == issue_stamp  # the issue file itself was not touched
    return results


def test_rebuilds_after_a_body_file_changes(write_issue, tmp_path):
    (tmp_path / "body.md").write_text("第一段文字。\n", encoding="utf-8")
    issue = write_issue(MINIMAL.replace("    body: |\n      第一段文字，这是一个测试段落。\n", "    body_file: body.md\n"))
    assert "body_file: body.md" in issue.read_text("utf-8")
    assert _rebuilds_after(issue, tmp_path / "body.md") == [1, 2]


def test_rebuilds_after_a_picture_changes(write_issue, tmp_path):
    shutil.copy(SEED.parent / "images" / "lead-1.jpg", tmp_path / "photo.jpg")
    issue = write_issue(MINIMAL + "    images:\n      - {src: photo.jpg, caption: 图}\n")
    assert _rebuilds_after(issue, tmp_path / "photo.jpg") == [1, 2]


def test_a_file_the_issue_does_not_name_does_not_rebuild(write_issue, tmp_path):
    """The two tests above can fail: an unrelated file saved is not a change."""
    (tmp_path / "notes.md").write_text("备忘\n", encoding="utf-8")
    assert _rebuilds_after(write_issue(), tmp_path / "notes.md") == [1]
