"""bench/office_issues.py writes issue folders that kanwu's loader accepts."""
from __future__ import annotations

import subprocess
import sys

from kanwu.load import load_issue

from paths import ROOT


def test_generated_office_issues_load(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "office_issues.py"), "--seed", "3", "--count", "3",
                           "-o", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    files = sorted(tmp_path.glob("*/issue.yaml"))
    assert len(files) == 3
    layouts = set()
    for path in files:
        issue = load_issue(path)  # raises KanwuError (exit 2) on invalid input
        layouts.add(issue.layout)
        assert 2 <= len(issue.stories) <= 9
        assert all(s.body is not None and s.body.value.strip() for s in issue.stories)
        assert all(im.src is not None and im.src.is_file() for s in issue.stories for im in s.images)
    assert layouts == {"tabloid-a3", "bulletin-a4"}
