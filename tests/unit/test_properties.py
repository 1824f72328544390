"""Property-based tests (issue #6): whatever the input, only kanwu's own error comes out.

The loader gets random YAML documents (random trees over the real keys, and
valid issues with random values put in), random text and random bytes; the
text stage gets random strings. Anything but `KanwuError` is a bug.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanwu.errors import KanwuError, Pos
from kanwu.load import load_issue
from kanwu.model import Issue, Text
from kanwu.schema import ISSUE, IMAGE, STORY
from kanwu.text.body import parse_body
from kanwu.text.normalize import normalize
from kanwu.text.prepare import prepare

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

KEYS = sorted({*ISSUE.fields, *STORY.fields, *IMAGE.fields, "name", "publisher", "editor", "permit", "contact",
               "print_run", "number", "total", "date", "title", "send_to", "copy_to", "round", "columns"})
# text an editor (or an attacker) might type: Chinese, punctuation, markup, paths, control characters
TEXT = st.text(alphabet=st.one_of(
    st.sampled_from(list("，。、；：？！“”‘’（）《》——……·　四平路街道简报第期\n\t *#>-_[]{}<>/\\.:~&!|%@`'\"")),
    st.characters(blacklist_categories=("Cs",))), max_size=40)
SCALARS = st.one_of(
    TEXT, st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.booleans(), st.none(), st.binary(max_size=8),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.sampled_from(["1", "十二", "2020-02-30", "2020-12-15", "../x.md", "/etc/passwd", "http://127.0.0.1/",
                     "bulletin-a4", "tabloid-a3", "nope", "images/a.jpg", "", "~", "null", "yes", "0x1F", ".inf"]))
TREES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), TEXT, st.integers()), inner, max_size=6)), max_leaves=30)


def valid_issue() -> dict:
    return {"kanwu": 1, "publication": {"name": "测试简报", "editor": "编辑部"},
            "issue": {"number": 1, "date": "2024-05-01"}, "layout": "bulletin-a4",
            "pages": [{"title": "一版", "stories": ["one"]}],
            "stories": [{"id": "one", "headline": "标题", "body": "第一段。\n",
                         "images": [{"caption": "图"}]}]}


# a path into the valid issue where a random value goes
PLACES = [(), ("kanwu",), ("publication",), ("publication", "name"), ("issue",), ("issue", "number"),
          ("issue", "date"), ("layout",), ("pages",), ("pages", 0), ("pages", 0, "stories"),
          ("stories",), ("stories", 0), ("stories", 0, "id"), ("stories", 0, "headline"),
          ("stories", 0, "body"), ("stories", 0, "body_file"), ("stories", 0, "images"),
          ("stories", 0, "images", 0), ("stories", 0, "images", 0, "src"), ("stories", 0, "place"),
          ("stories", 0, "images", 0, "place"), ("normalize",), ("proof",), ("distribution",)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    f = tmp_path_factory.mktemp("prop")
    (f / "body.md").write_text("正文。\n", encoding="utf-8")
    return f


def load_only_kanwu_errors(path: Path) -> Issue | None:
    try:
        issue = load_issue(path)
    except KanwuError as exc:
        assert exc.findings and all(str(f) for f in exc.findings)
        return None
    assert isinstance(issue, Issue)
    return issue


@SETTINGS
@given(doc=TREES)
def test_random_documents(folder, doc):
    path = folder / "random.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    load_only_kanwu_errors(path)


@SETTINGS
@given(place=st.sampled_from(PLACES), value=TREES)
def test_valid_issue_with_a_random_value(folder, place, value):
    doc = valid_issue()
    if not place:
        doc[value if isinstance(value, str) else "extra"] = value
    else:
        target = doc
        for step in place[:-1]:
            target = target[step]
        target[place[-1]] = value
    path = folder / "mutated.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    issue = load_only_kanwu_errors(path)
    if issue is not None:
        prepare(issue)  # the text stage takes whatever the loader let through


@SETTINGS
@given(text=st.text(max_size=300))
def test_random_text_files(folder, text):
    path = folder / "text.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    load_only_kanwu_errors(path)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes(folder, data):
    path = folder / "bytes.yaml"
    path.write_bytes(data)
    load_only_kanwu_errors(path)


@SETTINGS
@given(text=st.text(max_size=200) | TEXT)
def test_the_normaliser_and_body_parser_take_any_string(text):
    out, changes = normalize(text)
    assert isinstance(out, str)
    assert normalize(out)[0] == out  # normalising again changes nothing
    for ch in changes:
        assert 0 <= ch.start <= ch.end <= len(text)
    blocks = parse_body(Text(text, Pos("x.md", 1, 1)))
    assert all(b.pos.file == "x.md" for b in blocks)


# raw YAML fragments that yaml.safe_dump never writes: tags, anchors, aliases, odd scalars
FRAGMENTS = ["!!binary xx", "!!binary aGVsbG8=", "!!timestamp 2020-13-45", "!!float x", "!!int 0x", "!!bool maybe",
             "!!python/object:os.system {}", "!foo bar", "&a [*a]", "&b {x: *b}", "*undefined", "[1, [2, [3]]]",
             "{columns: 2}", "{columns: x}", "'quoted'", '"\\u0000"', "|\n  block", ">-\n  folded", "~", "null",
             ".nan", "-.inf", "0o17", "1_000", "2020-12-15 10:00:00", "? complex\n: key", "- a\n- b", "@", "`x`",
             "\"unclosed", "[unclosed", "：", "　"]
TEMPLATE = """kanwu: 1
publication: {name: 测试简报, print_run: P1}
issue: {number: P2, date: P3}
layout: bulletin-a4
normalize: P4
pages:
  - {title: P5, stories: [one, P6]}
stories:
  - id: one
    headline: P7
    body_file: P8
    place: P9
    images:
      - {src: P10, caption: P11, place: P12}
"""


FLOW = [f for f in FRAGMENTS if "\n" not in f]
NESTED = st.recursive(st.sampled_from(FLOW), lambda inner: st.one_of(
    inner.map(lambda v: "{a: %s}" % v), inner.map(lambda v: "{columns: %s}" % v),
    st.lists(inner, max_size=3).map(lambda vs: "[" + ", ".join(vs) + "]")), max_leaves=5)
VALUES = st.one_of(st.sampled_from(FRAGMENTS), NESTED, st.lists(NESTED, min_size=2, max_size=3).map(" ".join))


@SETTINGS
@given(values=st.dictionaries(st.integers(1, 12), VALUES, max_size=4))
def test_valid_issue_with_raw_yaml_fragments(folder, values):
    text = TEMPLATE
    for i in range(12, 0, -1):  # P12 before P1
        text = text.replace(f"P{i}", values.get(i, {8: "body.md", 10: "''"}.get(i, "1" if i in (1, 2) else
                                                                             "2024-05-01" if i == 3 else
                                                                             "true" if i == 4 else "x")))
    path = folder / "raw.yaml"
    path.write_text(text, encoding="utf-8")
    issue = load_only_kanwu_errors(path)
    if issue is not None:
        prepare(issue)
