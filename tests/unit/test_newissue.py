"""``kanwu new``: the next number from the previous file, slots the check reports, a starter file."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.load import load_issue
from kanwu.newissue import finish, next_name, parse_date, prepare

from paths import MINIMAL, SEED

DATE = dt.date(2021, 1, 15)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """The seed issue and its body files in a folder of their own."""
    shutil.copy(SEED, tmp_path / SEED.name)
    shutil.copytree(SEED.parent / "siping", tmp_path / "siping")
    return tmp_path / SEED.name


def new(previous: Path | None, *args: str) -> int:
    return main(["new", *([str(previous)] if previous else []), *args])


def test_next_number_from_the_seed(seed_copy: Path, capsys) -> None:
    assert new(seed_copy, "--date", "2021-01-15") == 0
    out = seed_copy.with_name("siping-2020-13.yaml")  # 12 is the number, not December
    assert str(out.name) in capsys.readouterr().out
    text, old = out.read_text(encoding="utf-8"), SEED.read_text(encoding="utf-8")
    data, before = yaml.safe_load(text), yaml.safe_load(old)
    assert data["issue"] == {"number": 13, "total": 232, "date": DATE}
    for key in ("kanwu", "publication", "layout", "pages", "distribution"):
        assert data[key] == before[key], key
    assert list(data) == list(before), "top-level keys in the previous file's order"
    assert data["stories"] == [
        {"id": "lead", "column": "“四史”学习教育", "headline": "", "body_file": ""},
        {"id": "frontline", "column": "一线工作法", "headline": "", "body_file": ""},
        {"id": "npc", "column": "人大动态", "headline": "", "body_file": ""}]
    # the previous file's comments stay, its title comment names the new number; the old story's go
    assert text.startswith("# 四平简报 2021年第13期（总第232期）\n")
    assert "# 占位号码" in text and "# kanwu 扩展：报送 / 抄送" in text
    assert "原稿半角逗号" not in text and "示意图片" not in text
    assert 'body_file: ""  # 待填：正文文件（代替 body），上一期是 siping/lead.md' in text
    assert text.count("# 待填") == 6


def test_the_unfilled_number_checks_with_clear_findings(seed_copy: Path, capsys) -> None:
    assert new(seed_copy, "--date", "2021-01-15") == 0
    out = seed_copy.with_name("siping-2020-13.yaml")
    capsys.readouterr()
    assert main(["check", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "内部错误" not in "\n".join(err) and "internal error" not in "\n".join(err)
    assert len(err) == 6, err
    assert sum("stories[" in e and "headline 待填写" in e and "to be filled" in e for e in err) == 3, err
    assert sum("body_file 是空的" in e and "to be filled" in e for e in err) == 3, err
    # each finding points at its slot line
    lines = out.read_text(encoding="utf-8").split("\n")
    for e in err:
        line = int(e.split(":")[1])
        assert "# 待填" in lines[line - 1], e


def test_slots_filled_one_by_one_load(seed_copy: Path) -> None:
    """Half filled: the filled story loads, the others stay known ids (no unknown-story noise)."""
    assert new(seed_copy, "--date", "2021-01-15") == 0
    out = seed_copy.with_name("siping-2020-13.yaml")
    text = out.read_text(encoding="utf-8")
    text = text.replace('headline: ""', "headline: 新的头条", 1).replace('body_file: ""', "body_file: siping/lead.md", 1)
    out.write_text(text, encoding="utf-8")
    with pytest.raises(KanwuError) as info:
        load_issue(out)
    codes = [f.code for f in info.value.findings]
    assert codes == ["empty"] * 4, [str(f) for f in info.value.findings]


def test_stories_in_other_shapes(tmp_path: Path) -> None:
    """A flow story, a story with comments and a block `place`, a body ending in a subhead, no body."""
    (tmp_path / "a.yaml").write_text("""\
kanwu: 1
publication: {name: 测试简报}
issue: {number: 7, date: '2021-03-01'}
layout: bulletin-a4
proof:
  round: 3
stories:
  - {id: one, column: 栏目一, headline: 标题一, body: 正文。, place: {columns: 2}}
  - headline: 标题二     # the id is not first
    # a comment above the id
    id: two
    kicker: 引题
    body: |
      第一段。

      ## 小标题
    place:
      columns: 3
      position: top
  # a comment between stories stays
  - id: three
    headline: 只有标题
""", encoding="utf-8")
    draft = prepare(str(tmp_path / "a.yaml"), None, False)
    assert draft.output == tmp_path / "a-8.yaml"
    finish(draft, DATE, False)
    text = (tmp_path / "a-8.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["issue"] == {"number": 8, "date": "2021-01-15"}, "the date keeps its quotes"
    assert data["proof"] == {"round": 1}
    assert data["stories"] == [
        {"id": "one", "column": "栏目一", "place": {"columns": 2}, "headline": "", "body": ""},
        {"headline": "", "id": "two", "body": "", "place": {"columns": 3, "position": "top"}},
        {"id": "three", "headline": "", "body": ""}]
    assert "# a comment above the id" in text and "# a comment between stories stays" in text
    assert "小标题" not in text and "引题" not in text


@pytest.mark.parametrize(("name", "number", "total", "expected"), [
    ("siping-2020-12.yaml", 12, 231, "siping-2020-13.yaml"),
    ("siping-231.yaml", 12, 231, "siping-232.yaml"),
    ("jianbao-09.yml", 9, None, "jianbao-10.yml"),
    ("2020-12-12.yaml", 12, None, "2020-12-13.yaml"),
    ("issue.yaml", 4, 40, "issue-5.yaml"),
])
def test_default_name_counts_the_number_on(name: str, number: int, total: int | None, expected: str) -> None:
    assert next_name(Path(name), number, total, number + 1, total + 1 if total else None) == expected


def test_dates_as_editors_type_them() -> None:
    for text in ("2021-01-15", "2021/1/15", "2021.01.15", "2021年1月15日", " 2021 - 1 - 15 "):
        assert parse_date(text) == DATE, text
    for bad in ("2021-13-01", "15/1/2021", "明天", ""):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_never_overwrites_without_force(seed_copy: Path, capsys) -> None:
    out = seed_copy.with_name("siping-2020-13.yaml")
    out.write_text("编辑已经在写的一期\n", encoding="utf-8")
    assert new(seed_copy, "--date", "2021-01-15") == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "编辑已经在写的一期\n"
    assert new(seed_copy, "--date", "2021-01-15", "--force") == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["issue"]["number"] == 13
    # never over the previous number, --force or not
    assert new(seed_copy, "-o", str(seed_copy), "--force", "--date", "2021-01-15") == 2
    assert seed_copy.read_bytes() == SEED.read_bytes()
    assert not list(seed_copy.parent.glob(".*.tmp")), "no temporary file left"


def test_output_into_a_folder(seed_copy: Path, tmp_path: Path) -> None:
    assert new(seed_copy, "-o", f"{tmp_path}/next/", "--date", "2021-01-15") == 0
    assert (tmp_path / "next" / "siping-2020-13.yaml").is_file()


def test_date_today_when_not_a_terminal(seed_copy: Path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert new(seed_copy) == 0
    data = yaml.safe_load(seed_copy.with_name("siping-2020-13.yaml").read_text(encoding="utf-8"))
    assert data["issue"]["date"] == dt.date.today()


def test_date_asked_on_a_terminal(seed_copy: Path, monkeypatch, capsys) -> None:
    answers = iter(["明天", "2021年1月15日"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert new(seed_copy) == 0
    assert "YYYY-MM-DD" in capsys.readouterr().err  # the first answer was asked again
    data = yaml.safe_load(seed_copy.with_name("siping-2020-13.yaml").read_text(encoding="utf-8"))
    assert data["issue"]["date"] == DATE


def test_an_earlier_date_is_flagged(seed_copy: Path, capsys) -> None:
    assert new(seed_copy, "--date", "2020-12-01") == 0
    assert "不晚于上一期" in capsys.readouterr().err


def test_bad_date_option_is_refused(seed_copy: Path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        new(seed_copy, "--date", "2021-02-30")
    assert info.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err


def test_a_broken_previous_number_is_refused(write_issue, capsys) -> None:
    prev = write_issue(MINIMAL.replace("headline:", "headlin:"))
    assert new(prev, "--date", "2021-01-15") == 2
    err = capsys.readouterr().err
    assert "上一期文件有错误" in err and "did you mean `headline`" in err
    assert not prev.with_name("issue-2.yaml").exists()


def test_a_new_number_that_would_not_load_is_not_written(write_issue, capsys) -> None:
    prev = write_issue(MINIMAL.replace("number: 1", "number: 99999"))
    assert new(prev, "--date", "2021-01-15") == 2
    err = capsys.readouterr().err
    assert "没有写出" in err and "out of range" in err
    assert list(prev.parent.iterdir()) == [prev]


def test_starter_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "first.yaml"
    assert new(None, "-o", str(out), "--date", "2021-01-15") == 0
    text = out.read_text(encoding="utf-8")
    assert "刊名" in text and "主题（标题）" in text, "comments are the schema's descriptions"
    assert yaml.safe_load(text)["issue"] == {"number": 1, "date": DATE}
    capsys.readouterr()
    assert main(["check", str(out)]) == 2
    err = capsys.readouterr().err
    assert "`publication.name` is empty, to be filled" in err and "`stories[1].headline` is empty" in err
    assert "内部错误" not in err
    filled = text.replace('name: ""', "name: 测试简报").replace('headline: ""', "headline: 标题") \
        .replace('body: ""', "body: 正文。")
    out.write_text(filled, encoding="utf-8")
    assert load_issue(out).stories[0].headline.value == "标题"


def test_the_editor_modeline_stays_on_top(seed_copy: Path) -> None:
    """The VS Code line that names the schema (see the guide) must stay the file's first comment."""
    modeline = "# yaml-language-server: $schema=kanwu.schema.json\n"
    seed_copy.write_text(modeline + SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert new(seed_copy, "--date", "2021-01-15") == 0
    assert seed_copy.with_name("siping-2020-13.yaml").read_text(encoding="utf-8").startswith(modeline)


def test_the_guide_shows_what_check_says(seed_copy: Path, monkeypatch, capsys) -> None:
    """The findings quoted in the guide's 开始新的一期 section are the ones kanwu prints."""
    from paths import ROOT

    monkeypatch.chdir(seed_copy.parent.parent)
    issues = Path(seed_copy.parent.name)
    assert new(issues / SEED.name, "--date", "2021-01-15") == 0
    capsys.readouterr()
    assert main(["check", str(issues / "siping-2020-13.yaml")]) == 2
    printed = capsys.readouterr().err.replace(f"{issues}/", "issues/").splitlines()
    guide = (ROOT / "docs" / "guide.zh.md").read_text(encoding="utf-8")
    quoted = [ln.strip() for ln in guide.splitlines() if ln.strip().startswith("issues/siping-2020-13.yaml:")]
    assert quoted and all(q in printed for q in quoted), (quoted, printed)


def test_the_write_itself_never_replaces_a_file(tmp_path: Path) -> None:
    """Even a file that appears between the check and the write is kept (the write is a hard link)."""
    from kanwu.output import write_new_file

    target = tmp_path / "x.yaml"
    write_new_file(target, "新\n".encode())
    with pytest.raises(KanwuError, match="--force"):
        write_new_file(target, "又一个\n".encode())
    assert target.read_text(encoding="utf-8") == "新\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.yaml"], "no temporary file left"
