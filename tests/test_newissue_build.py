"""Done-when of ``kanwu new``: a new number made from the seed builds once its slots are filled."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from kanwu.build import build
from kanwu.cli import main

from paths import SEED


def test_a_new_number_from_the_seed_builds_once_filled(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", "off")
    shutil.copy(SEED, tmp_path / SEED.name)
    shutil.copytree(SEED.parent / "siping", tmp_path / "siping")
    assert main(["new", str(tmp_path / SEED.name), "--date", "2021-01-15"]) == 0
    new = tmp_path / "siping-2020-13.yaml"
    # the editor's work, done programmatically: every slot gets a headline and a body file
    text = new.read_text(encoding="utf-8")
    before = yaml.safe_load(SEED.read_text(encoding="utf-8"))["stories"]
    for story in before:
        text = text.replace('headline: ""', f"headline: {story['headline']}", 1)
        text = text.replace('body_file: ""', f"body_file: {story['body_file']}", 1)
    assert '""' not in text, "every slot filled"
    new.write_text(text, encoding="utf-8")
    result = build(new, tmp_path / "out", png=False, use_cache=False)
    assert result.exit_code == 0, [str(f) for f in result.report.findings if f.level == "error"]
    assert result.written["print"].is_file() and result.report.pages == 2
    assert not [f for f in result.report.findings if f.code == "unfilled"]
