"""Watch mode rebuilds after a change to any source: issue file, body file, picture."""
from __future__ import annotations

import os
import time

from kanwu.watch import sources, watch
from paths import SEED


def test_sources_cover_issue_bodies_images_and_layout():
    files = sources(SEED, None)
    names = {p.name for p in files}
    assert {SEED.name, "lead.md", "npc.md", "lead-1.jpg", "layout.yaml", "style.css.j2"} <= names


def test_rebuilds_after_a_body_file_changes(write_issue, tmp_path):
    issue = write_issue()
    runs: list[int] = []

    def run() -> int:
        runs.append(len(runs))
        if len(runs) == 1:  # the editor saves the file after the first build
            later = time.time() + 5
            os.utime(issue, (later, later))
        return len(runs)

    results = list(watch(issue, None, run, interval=0.01, stop=lambda: len(runs) >= 2))
    assert results == [1, 2]
