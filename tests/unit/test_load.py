"""Load stage: YAML with positions, schema validation that reports every problem."""
from __future__ import annotations

import datetime as dt

import pytest

from kanwu.errors import KanwuError
from kanwu.load import load_issue

from paths import MINIMAL, SEED


def problems(path) -> list[str]:
    with pytest.raises(KanwuError) as info:
        load_issue(path)
    assert info.value.exit_code == 2
    return [str(f) for f in info.value.findings]


def test_minimal_issue_loads(write_issue):
    issue = load_issue(write_issue())
    assert issue.number == 1 and issue.date == dt.date(2024, 5, 1)
    assert issue.stories[0].id == "one"
    assert issue.layout == "bulletin-a4"


def test_seed_loads_with_body_files():
    issue = load_issue(SEED)
    assert [s.id for s in issue.stories] == ["lead", "frontline", "npc"]
    lead = issue.story("lead")
    assert lead.body is not None and lead.body.pos.file.endswith("siping/lead.md")
    assert len(lead.images) == 3 and all(im.src and im.src.is_file() for im in lead.images)
    assert issue.pages[1].stories == ("frontline", "npc")


def test_yaml_syntax_error_names_line_and_column(write_issue):
    path = write_issue("kanwu: 1\npublication:\n  name: [x\nissue: {}\n")
    (msg,) = problems(path)
    assert msg.startswith(f"{path}:") and "YAML" in msg
    line = int(msg.split(":")[1])
    assert line >= 3


def test_all_problems_reported_at_once(write_issue):
    path = write_issue(MINIMAL.replace("number: 1", "number: 十二")
                       .replace("2024-05-01", "2024-13-45")
                       .replace("    headline: 测试标题", "    headlin: 测试标题"))
    msgs = problems(path)
    assert any(":5:11:" in m and "整数" in m for m in msgs), msgs
    assert any(":6:9:" in m and "YYYY-MM-DD" in m for m in msgs), msgs
    assert any("did you mean `headline`" in m for m in msgs), msgs
    assert any("missing required key `stories[1].headline`" in m for m in msgs), msgs


def test_duplicate_ids_and_unknown_page_story(write_issue):
    text = MINIMAL + "  - id: one\n    headline: 又一篇\npages:\n  - title: 一版\n    stories: [one, onee]\n"
    msgs = problems(write_issue(text))
    assert any("duplicate story id" in m for m in msgs)
    assert any("did you mean `one`" in m for m in msgs)


def test_empty_file_and_not_a_mapping(write_issue):
    assert "empty" in problems(write_issue(""))[0]
    assert "mapping" in problems(write_issue("- a\n- b\n"))[0]


def test_bom_and_crlf_are_fine(write_issue, tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    assert load_issue(path).stories[0].headline.value == "测试标题"


def test_gbk_file_is_refused_with_advice(write_issue):
    (msg,) = problems(write_issue(encoding="gbk"))
    assert "UTF-8" in msg and "GBK" in msg


def test_paths_must_stay_inside_the_issue_folder(write_issue):
    text = MINIMAL.replace("    body: |\n      第一段文字，这是一个测试段落。\n", "    body_file: ../secret.md\n")
    msgs = problems(write_issue(text))
    assert any("outside" in m for m in msgs)
    text = MINIMAL + "    images:\n      - src: http://example.org/a.jpg\n"
    msgs = problems(write_issue(text))
    assert any("network" in m for m in msgs)


def test_block_scalar_positions_map_to_source(write_issue):
    issue = load_issue(write_issue())
    body = issue.stories[0].body
    pos = body.pos_at(body.value.index("测试"))
    assert (pos.line, pos.col) == (12, 17)
