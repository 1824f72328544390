"""``kanwu schema``: the JSON Schema made from the loader's schema accepts what the loader accepts
and flags what it refuses."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.jsonschema_export import issue_schema, schema_text
from kanwu.load import load_issue
from kanwu.schema import HINTS, ISSUE, Field

from paths import MINIMAL, ROOT


class _Yaml12ish(yaml.SafeLoader):
    """YAML read as an editor's YAML language server reads it: dates stay text."""


_Yaml12ish.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def schema_errors(text: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(issue_schema(), format_checker=jsonschema.FormatChecker())
    data = yaml.load(text, Loader=_Yaml12ish)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def loader_errors(path: Path) -> list[str]:
    try:
        load_issue(path)
    except KanwuError as exc:
        return [str(f) for f in exc.findings if f.level == "error"]
    return []


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    schema = issue_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("example", sorted((ROOT / "issues").glob("*.yaml")), ids=lambda p: p.name)
def test_the_examples_validate(example: Path) -> None:
    assert schema_errors(example.read_text(encoding="utf-8")) == []
    assert loader_errors(example) == []


def walk(spec: Field, node: dict, path: str = "") -> list[tuple[str, Field, dict]]:
    out = [(path, spec, node)]
    for key, f in spec.fields.items():
        out += walk(f, node["properties"][key], f"{path}.{key}")
    if spec.item is not None:
        out += walk(spec.item, node["items"], f"{path}[]")
    return out


def test_every_key_is_there_with_its_chinese_description() -> None:
    """The schema is the loader's: every field, its required keys, and its Chinese doc."""
    pairs = walk(ISSUE, issue_schema())
    assert len(pairs) > 40
    for path, spec, node in pairs:
        assert spec.chinese in node["description"] and any("\u4e00" <= c <= "\u9fff" for c in spec.chinese), path
        if spec.kind == "map":
            assert set(node["properties"]) == set(spec.fields), path
            assert node["additionalProperties"] is False, path
            assert node.get("required", []) == [k for k, f in spec.fields.items() if f.required], path


CASES = {
    "a typo'd key": lambda t: t.replace("    headline:", "    headlin:"),
    "a typo'd top-level key": lambda t: t.replace("issue:", "isue:"),
    "an unknown publication key": lambda t: t.replace("  name: 测试简报", "  name: 测试简报\n  nmae: 又一个"),
    "a number in words": lambda t: t.replace("number: 1", "number: 十二"),
    "a number out of range": lambda t: t.replace("number: 1", "number: 0"),
    "no such date": lambda t: t.replace("2024-05-01", "2024-13-45"),
    "an empty headline": lambda t: t.replace("headline: 测试标题", 'headline: ""'),
    "an empty body file": lambda t: t.replace("    body: |\n      第一段文字，这是一个测试段落。\n", '    body_file: ""\n'),
    "a capital in an id": lambda t: t.replace("id: one", "id: One"),
    "a headline too long": lambda t: t.replace("测试标题", "长" * 201),
    "too many columns": lambda t: t + "    place: {columns: 0}\n",
    "no stories": lambda t: t.split("stories:")[0] + "stories: []\n",
    "another format version": lambda t: t.replace("kanwu: 1", "kanwu: 2"),
    "a list for a mapping": lambda t: t.replace("publication:\n  name: 测试简报", "publication: [测试简报]"),
    "normalize as a word": lambda t: t + "normalize: 也许\n",
    "a page hint out of range": lambda t: t + "    place: {page: 100}\n",
    "a quoted page hint": lambda t: t + "    place: {page: '3'}\n",
    "a position in the middle": lambda t: t + "    place: {position: middle}\n",
    "a jump as a maybe": lambda t: t + "    place: {jump: maybe}\n",
    "a plan of 100 pages": lambda t: t.replace("stories:\n", "pages:\n" + "  - {title: 版, stories: []}\n" * 100
                                               + "stories:\n", 1),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_schema_and_loader_both_flag(case: str, write_issue) -> None:
    text = CASES[case](MINIMAL)
    assert text != MINIMAL
    assert loader_errors(write_issue(text)), f"the loader accepts {case}"
    assert schema_errors(text), f"the schema accepts {case}"


GOOD = {
    "a number as a text": lambda t: t.replace("  name: 测试简报", "  name: 测试简报\n  contact: 12345678"),
    "an empty optional key": lambda t: t.replace("  name: 测试简报", "  name: 测试简报\n  permit:"),
    "a layout hint the layout reads": lambda t: t + "    place: {columns: 2, position: top}\n",
    "every hint makeup reads": lambda t: t + "    place: {page: 2, position: 底, jump: false, columns: 1}\n",
    "hints in other words": lambda t: t + "    place: {position: Bottom, jump: 否}\n",
    "a plan of 99 pages": lambda t: t.replace("stories:\n", "pages:\n" + "  - {title: 版, stories: []}\n" * 99
                                              + "stories:\n", 1),
    "an image slot with no file": lambda t: t + "    images:\n      - caption: 图注\n",
}


@pytest.mark.parametrize("case", GOOD, ids=list(GOOD))
def test_schema_and_loader_both_accept(case: str, write_issue) -> None:
    text = CASES.get(case, GOOD[case])(MINIMAL)
    assert loader_errors(write_issue(text)) == []
    assert schema_errors(text) == []


def test_every_hint_the_loader_checks_is_in_the_schema() -> None:
    """A hint the loader checks (schema.HINTS) that the schema left free would be flagged by kanwu only."""
    hints = issue_schema()["properties"]["stories"]["items"]["properties"]["place"]["properties"]
    assert set(hints) == set(HINTS)


def test_kanwu_schema_writes_the_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "kanwu.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == schema_text()
    assert "刊名" in out.read_text(encoding="utf-8"), "Chinese as it is, not \\u escapes"
    capsys.readouterr()
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == issue_schema()


def test_the_modeline_is_only_a_comment(write_issue) -> None:
    """The guide's VS Code modeline leaves the issue as it was."""
    text = "# yaml-language-server: $schema=kanwu.schema.json\n" + textwrap.dedent(MINIMAL)
    assert loader_errors(write_issue(text)) == [] and schema_errors(text) == []
