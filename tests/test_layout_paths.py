"""Files a layout names (issue #10, item 2): they stay inside the layout's folders, as issue paths do.

``print.profile`` used to embed any file on the disk as the output intent (and make its folder
readable by CSS ``url()``); a template that is a symbolic link out of its layout folder printed
the file it points at.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kanwu.build import build, load_stage, makeup_stage, named_roots, render_stage
from kanwu.cli import main
from kanwu.colour import DATA, PROFILES, output_profile
from kanwu.errors import KanwuError
from kanwu.fonts import font_dirs
from kanwu.layout.spec import load_layout

from paths import MINIMAL

SHIPPED = DATA / PROFILES["coated"]


def layout(tmp_path: Path, yaml: str, name: str = "own", parent: str = "bulletin-a4") -> Path:
    """A layout folder `name` beside an issue, extending `parent`, with `yaml` added."""
    folder = tmp_path / "layouts" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "layout.yaml").write_text(f"extends: {parent}\n{yaml}", encoding="utf-8")
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("layout: bulletin-a4", f"layout: {name}"), encoding="utf-8")
    return folder


def profile_error(tmp_path: Path, name: str = "own") -> str:
    with pytest.raises(KanwuError) as info:
        output_profile(load_layout(name, tmp_path))
    assert info.value.exit_code == 2
    message = str(info.value)
    assert f"{tmp_path / 'layouts' / name / 'layout.yaml'}: error: print.profile:" in message, message
    return message


def test_an_absolute_profile_path_is_refused(tmp_path: Path) -> None:
    layout(tmp_path, f"print: {{profile: {SHIPPED}}}\n")
    assert "absolute paths are not allowed" in profile_error(tmp_path)


@pytest.mark.parametrize("value", ["../../outside.icc", "../own/../../outside.icc", "..", "../.."])
def test_a_profile_outside_the_layout_folder_is_refused(tmp_path: Path, value: str) -> None:
    shutil.copy(SHIPPED, tmp_path / "outside.icc")
    layout(tmp_path, f"print: {{profile: '{value}'}}\n")
    message = profile_error(tmp_path)
    assert "leads outside the layout's folder" in message or "not found" in message, message


def test_a_profile_linked_out_of_the_layout_folder_is_refused(tmp_path: Path) -> None:
    shutil.copy(SHIPPED, tmp_path / "outside.icc")
    folder = layout(tmp_path, "print: {profile: link.icc}\n")
    (folder / "link.icc").symlink_to(tmp_path / "outside.icc")
    assert "through a symbolic link" in profile_error(tmp_path)


@pytest.mark.parametrize("value", ["[1, 2]", "''", "{a: 1}"])
def test_a_profile_that_is_not_a_file_name_is_a_layout_error(tmp_path: Path, value: str) -> None:
    layout(tmp_path, f"print: {{profile: {value}}}\n")
    with pytest.raises(KanwuError) as info:
        load_layout("own", tmp_path)
    assert "print.profile" in str(info.value) and info.value.exit_code == 2


def test_a_folder_or_a_fifo_is_not_a_profile(tmp_path: Path) -> None:
    import os

    folder = layout(tmp_path, "print: {profile: fifo.icc}\n")
    os.mkfifo(folder / "fifo.icc")
    # never opened: reading a FIFO would wait forever; named for what it is (#10 item 8), not "not found"
    assert "not a regular file (a FIFO or device)" in profile_error(tmp_path)
    (folder / "layout.yaml").write_text("extends: bulletin-a4\nprint: {profile: sub}\n", encoding="utf-8")
    (folder / "sub").mkdir()
    assert "this is a folder, not a file" in profile_error(tmp_path)


def test_a_profile_in_the_layout_folder_or_its_parent_is_used(tmp_path: Path) -> None:
    parent = layout(tmp_path, "print: {profile: icc/press.icc}\n", name="house")
    (parent / "icc").mkdir()
    shutil.copy(SHIPPED, parent / "icc" / "press.icc")
    child = layout(tmp_path, "title: child\n", name="child", parent="house")
    for name, folder in (("house", parent), ("child", child)):
        profile = output_profile(load_layout(name, tmp_path))
        assert profile.path == (parent / "icc" / "press.icc").resolve() and profile.condition == "Custom"
        assert profile.root == parent.resolve()


def test_fetcher_roots_are_only_the_issue_layouts_fonts_and_shipped_profiles(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))
    folder = layout(tmp_path, "print: {profile: press.icc}\n")
    shutil.copy(SHIPPED, folder / "press.icc")
    issue, spec, _ = load_stage(tmp_path / "issue.yaml", None)
    html, profile, cache, _, _ = render_stage(issue, spec, makeup_stage(issue, spec))
    roots = named_roots(issue, spec, cache, profile.root)
    assert roots["profiles"] == folder.resolve()
    folders = {v for v in roots.values() if isinstance(v, Path)}
    assert folders <= {issue.root, DATA, *spec.folders, *font_dirs(issue.root)}
    assert roots["cache"] is cache and isinstance(cache, dict)  # converted pictures, in memory


def test_exit_2_naming_the_layout_file_and_the_key(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    layout(tmp_path, f"print: {{profile: {SHIPPED}}}\n")
    assert main(["check", str(tmp_path / "issue.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'layouts' / 'own' / 'layout.yaml'}: error: print.profile:" in err and "Traceback" not in err


def test_a_template_linked_out_of_the_layout_folder_is_refused(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))
    (tmp_path / "secret.txt").write_text("kanwu-secret-91c2", encoding="utf-8")
    folder = layout(tmp_path, "")
    (folder / "content.html.j2").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(KanwuError) as info:
        build(tmp_path / "issue.yaml", write=False)
    message = str(info.value)
    assert "content.html.j2" in message and "kanwu-secret-91c2" not in message
    assert "leads outside the layout's folder" in message
