"""Hostile input, round three (issue #10's done-when: cases the earlier rounds had not seen).

What broke, each reproduced before the fix:

- ``kanwu schema -o`` and ``kanwu new --force -o`` renamed their file over whatever the name was:
  a named pipe, or (run as root) ``/dev/full``, which became a regular file for the whole machine;
- a 3 kB SVG in a layout's CSS (``<use>`` ten deep, ten wide) kept ``kanwu build`` drawing for ever;
- a 700-byte ``layout.yaml`` of nested YAML aliases took minutes and gigabytes (its settings are
  copied for the templates), one nested a few thousand deep was an internal error (exit 3), and such
  a folder beside the issue broke every build (the list of layouts reads each ``layout.yaml``);
- ``SOURCE_DATE_EPOCH`` that is not whole seconds (``abc``, ``1.5``, a year past 9999): exit 3;
- a terminal that cannot show Chinese (``PYTHONIOENCODING=ascii``, a non-UTF-8 locale): exit 3 from
  ``check`` after the work was done, a traceback from ``--help``.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from kanwu import typeset
from kanwu.build import build
from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.layout.spec import available, load_layout
from kanwu.output import write_atomic

from deadline import deadline
from paths import MINIMAL, SEED


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def own_layout(tmp_path: Path, yaml: str, name: str = "own") -> Path:
    """An issue beside a layout folder `name` whose layout.yaml is `yaml`; returns the issue."""
    folder = tmp_path / "layouts" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "layout.yaml").write_text(yaml, encoding="utf-8")
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("layout: bulletin-a4", f"layout: {name}"), encoding="utf-8")
    return issue


# --- outputs never replace what is not a regular file -------------------------------------------------------------


def test_write_atomic_refuses_to_replace_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(KanwuError) as info:
        write_atomic(fifo, b"data")
    assert info.value.exit_code == 2
    assert "not a regular file" in str(info.value)
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file left


@pytest.mark.parametrize("argv", [["schema", "-o", "{out}"],
                                  ["new", str(SEED), "-o", "{out}", "--force", "--date", "2021-01-01"]])
def test_schema_and_new_never_replace_a_fifo_or_device(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                        argv: list[str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main([a.replace("{out}", str(fifo)) for a in argv]) == 2
    assert fifo.is_fifo()
    assert "不是普通文件" in capsys.readouterr().err


def test_an_output_that_is_a_symbolic_link_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "schema.json"
    link.symlink_to(target)
    assert main(["schema", "-o", str(link)]) == 0
    assert target.read_text(encoding="utf-8") == "old"
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("{")


# --- drawing is bounded in time -----------------------------------------------------------------------------------

SVG_BOMB = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
            '<defs><g id="a0"><rect width="1" height="1"/></g>'
            + "".join(f'<g id="a{i}">' + f'<use xlink:href="#a{i - 1}"/>' * 10 + "</g>" for i in range(1, 10))
            + '</defs><use xlink:href="#a9"/></svg>')


def test_a_costly_svg_in_the_layout_css_stops_within_the_drawing_bound(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    issue = own_layout(tmp_path, "extends: bulletin-a4\n")
    (tmp_path / "layouts" / "own" / "style.css.j2").write_text(
        '{% include "base.css.j2" %}\n.masthead { background-image: url(bomb.svg); }\n', encoding="utf-8")
    (tmp_path / "bomb.svg").write_text(SVG_BOMB, encoding="utf-8")
    monkeypatch.setattr(typeset, "DRAW_SECONDS", 3)
    with deadline(40), pytest.raises(KanwuError) as info:
        build(issue, tmp_path / "out", png=False)
    assert info.value.exit_code == 2, str(info.value)
    assert "3 s" in str(info.value) and "SVG" in str(info.value)
    assert not (tmp_path / "out" / "issue.print.pdf").exists()


def test_a_costly_svg_stops_a_resident_session_within_the_drawing_bound(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """``kanwu watch`` and ``kanwu serve`` redraw the changed pages in a resident session: bounded the same way,
    and the session builds again once the layout is put right."""
    from kanwu.session import Session

    issue = own_layout(tmp_path, "extends: bulletin-a4\n")
    style = tmp_path / "layouts" / "own" / "style.css.j2"
    style.write_text('{% include "base.css.j2" %}\n', encoding="utf-8")
    (tmp_path / "bomb.svg").write_text(SVG_BOMB, encoding="utf-8")
    monkeypatch.setattr(typeset, "DRAW_SECONDS", 3)
    session = Session(issue, tmp_path / "out", png=False)
    assert session.build().exit_code == 0
    style.write_text('{% include "base.css.j2" %}\n.masthead { background-image: url(bomb.svg); }\n', encoding="utf-8")
    with deadline(40), pytest.raises(KanwuError) as info:
        session.build()
    assert info.value.exit_code == 2 and "3 s" in str(info.value), str(info.value)
    style.write_text('{% include "base.css.j2" %}\n', encoding="utf-8")
    assert session.build().exit_code == 0


# --- layout.yaml is bounded like the issue file -------------------------------------------------------------------

BOMB = "extends: bulletin-a4\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 10)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("yaml, words", [
    (BOMB, "20000"),
    ("extends: bulletin-a4\nx: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("extends: bulletin-a4\nx: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply"),
    ("extends: bulletin-a4\nx: &x [*x]\n", "nested too deeply"),
])
def test_a_layout_yaml_that_expands_or_nests_without_end_is_a_layout_error(tmp_path: Path, yaml: str,
                                                                          words: str) -> None:
    own_layout(tmp_path, yaml)
    with deadline(10), pytest.raises(KanwuError) as info:
        load_layout("own", tmp_path)
    assert info.value.exit_code == 2
    assert str(tmp_path / "layouts" / "own" / "layout.yaml") in str(info.value)
    assert words in str(info.value).replace(",", "")


def test_a_broken_layout_folder_beside_the_issue_does_not_break_the_others(tmp_path: Path) -> None:
    own_layout(tmp_path, "x: " + "[" * 5000 + "]" * 5000 + "\n", name="broken")
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("layout: bulletin-a4", "layout: bulletin-a5"), encoding="utf-8")
    assert "bulletin-a4" in available(tmp_path) and "broken" not in available(tmp_path)
    with pytest.raises(KanwuError) as info:  # the message lists the layouts there are
        build(issue, write=False)
    assert "bulletin-a4" in str(info.value) and info.value.exit_code == 2


# --- the environment ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1.5", "99999999999999", "-5", "１２３"])
def test_a_source_date_epoch_that_is_not_whole_seconds_is_an_input_error(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         value: str) -> None:
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(KanwuError) as info:
        build(issue, tmp_path / "out", png=False)
    assert info.value.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in str(info.value)
    assert not (tmp_path / "out").exists()


def ascii_terminal(monkeypatch: pytest.MonkeyPatch) -> tuple[io.BytesIO, io.BytesIO]:
    """stdout and stderr that can only hold ASCII, as with ``PYTHONIOENCODING=ascii`` or ``LANG=C``."""
    out, err = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="ascii"))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(err, encoding="ascii", errors="backslashreplace"))
    return out, err


def test_a_terminal_that_cannot_show_chinese_gets_escapes_not_a_crash(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL, encoding="utf-8")
    out, _ = ascii_terminal(monkeypatch)
    assert main(["check", str(issue)]) == 0
    sys.stdout.flush()
    assert b"1 pages, 0 errors" in out.getvalue() and b"\\u9875" in out.getvalue()
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0


def test_file_names_that_cannot_be_encoded_are_an_error_naming_the_remedy(monkeypatch: pytest.MonkeyPatch,
                                                                           capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "ascii")
    assert main(["check", str(SEED)]) == 2
    assert "UTF-8" in capsys.readouterr().err


# --- the small commands ---------------------------------------------------------------------------------------------


def test_kanwu_layouts_lists_the_good_layouts_beside_a_broken_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture) -> None:
    own_layout(tmp_path, "extends: /etc\n", name="broken")
    monkeypatch.chdir(tmp_path)
    assert main(["layouts"]) == 2
    out, err = capsys.readouterr()
    assert "bulletin-a4\t" in out and "tabloid-a3\t" in out
    assert "broken" in err and "layout.yaml" in err


@pytest.mark.parametrize("given, words", [("", "-o needs a file name"), ("{tmp}/sub/", "-o needs a file name")])
def test_schema_without_a_file_name_says_so(tmp_path: Path, capsys: pytest.CaptureFixture, given: str,
                                            words: str) -> None:
    assert main(["schema", "-o", given.replace("{tmp}", str(tmp_path))]) == 2
    assert words in capsys.readouterr().err


def test_schema_into_a_folder_not_yet_made_makes_it(tmp_path: Path) -> None:
    out = tmp_path / "editor" / "kanwu.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("{")


def test_kanwu_new_refuses_a_previous_number_with_yaml_aliases_naming_the_alias(tmp_path: Path,
                                                                                capsys: pytest.CaptureFixture) -> None:
    previous = tmp_path / "a.yaml"
    previous.write_text(MINIMAL.replace("name: 测试简报", "name: 测试简报\n  print_run: &n 12")
                        .replace("number: 1", "number: *n"), encoding="utf-8")
    assert main(["new", str(previous), "--date", "2024-06-01"]) == 2
    err = capsys.readouterr().err
    assert f"{previous}:6:11: error:" in err and "*n" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


# --- what is drawn fits where it was put ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["四平路街道社区党建工作简报", "a" * 200])
def test_a_publication_name_the_masthead_cannot_hold_is_an_error(tmp_path: Path, name: str) -> None:
    """A 13-character name wrapped onto the number line of the A4 masthead; 200 letters ran off the page.
    Both printed with exit 0 and no finding."""
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("name: 测试简报", f"name: {name}"), encoding="utf-8")
    found = [f for f in build(issue, write=False).report.findings if f.code == "masthead-overflow"]
    assert [f.level for f in found] == ["error"], found
    assert "masthead.name_size" in found[0].message


def test_a_publication_name_that_fits_raises_nothing(tmp_path: Path) -> None:
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("name: 测试简报", "name: 四平简报"), encoding="utf-8")
    assert not [f for f in build(issue, write=False).report.findings if f.code == "masthead-overflow"]
