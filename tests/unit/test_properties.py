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
    TEXT, st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.booleans(), st.none(),
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
