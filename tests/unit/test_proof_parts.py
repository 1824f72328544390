"""Pieces of the proof without a build: round comparison, summary grouping, margin notes."""
from __future__ import annotations

from kanwu.errors import Finding, Pos
from kanwu.proof import MM, Mark, _place_notes, round_cn, summary_findings
from kanwu.rounds import compare


def _snap(**stories: list[str]) -> dict:
    return {"stories": {sid: {"fields": {"headline": sid}, "paragraphs": [[k, ""] for k in keys]}
                        for sid, keys in stories.items()}, "files": {}}


def test_compare_paragraphs_and_stories() -> None:
    old = _snap(a=["p1", "p2", "p3"], b=["q1"], gone=["z"])
    new = _snap(a=["p1", "p2x", "p3", "p4"], b=["q1"], fresh=["n1"])
    ch = compare(old, new, "old.proof.pdf")
    assert ch.stories == ["a", "fresh"]
    assert ch.paragraphs["a"] == ["p2x", "p4"]
    assert ch.added == ["fresh"] and ch.removed == ["gone"]
    assert ch.as_json()["stories"] == ["a", "fresh"]


def test_compare_deletion_and_fields() -> None:
    old = _snap(a=["p1", "p2"], b=["q1"])
    new = _snap(a=["p1"], b=["q1"])
    new["stories"]["b"]["fields"] = {"headline": "new headline"}
    ch = compare(old, new, "x")
    assert ch.stories == ["a", "b"]
    assert ch.deleted == {"a": 1} and ch.fields == {"b": ["headline"]}
    assert "删去 1 段" in ch.describe("a") and "标题" in ch.describe("b")


def test_summary_groups_normalisation_per_file_and_kind() -> None:
    msg = '半角逗号改为全角：", " → "，" / ASCII comma set full width'
    fs = [Finding("warning", "normalized-punctuation", msg, Pos("a.md", n, 3)) for n in (5, 1, 9, 5)]
    fs += [Finding("error", "overset", "稿件 x 超出", Pos("i.yaml", 7, 5), story="x")]
    rows = summary_findings(fs)
    assert len(rows) == 2
    group = next(r for r in rows if r["code"] == "normalized-punctuation")
    assert group["count"] == 4 and "行 1, 5, 9" in group["message"] and group["where"] == "a.md"
    assert next(r for r in rows if r["code"] == "overset")["where"] == "i.yaml:7"


def test_margin_notes_do_not_overlap() -> None:
    area = (15 * MM, 22 * MM, 267 * MM, 374 * MM)
    marks = [Mark(1, "frame", 200, 100 + i, 500, 300, lines=("x", "超出版面", "3行", "约40字", "续第2页"))
             for i in range(3)]
    notes = _place_notes(marks, area, 297 * MM)
    assert len(notes) == 3
    for a, b in zip(notes, notes[1:]):
        assert b.y >= a.y + a.h
    assert all(n.x > 15 * MM + 267 * MM for n in notes)  # right margin: the frames lean right


def test_round_names() -> None:
    assert round_cn(1) == "一" and round_cn(3) == "三" and round_cn(12) == "12"
