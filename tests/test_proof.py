"""The proof (校样): findings on the page and on the summary, overset measured, rounds compared, previews.

One fixture issue (tests/fixtures/proof-issue: A3 paper, an overset story, a
low-resolution photo, an empty image slot) is built once per session as round
1, then once more as round 2 with one paragraph changed.
"""
from __future__ import annotations

import re

import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from paths import FIXTURES

ISSUE = FIXTURES / "proof-issue"
CHANGED = ("最终采纳了居民提出的十二条建议", "最终采纳了居民提出的十五条建议")


@pytest.fixture(scope="session")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Round 1 and round 2 (one paragraph of `short` changed) of a copy of the fixture issue."""
    from kanwu.build import build

    src = tmp_path_factory.mktemp("proof") / "issue"
    shutil.copytree(ISSUE, src)
    one = build(src / "issue.yaml", src / "out1", show_normalized=True, png=True)
    body = src / "stories" / "short.md"
    text = body.read_text("utf-8")
    assert CHANGED[0] in text
    body.write_text(text.replace(*CHANGED), "utf-8")
    two = build(src / "issue.yaml", src / "out2", proof_round=2, since=one.written["proof"], png=False)
    return {"dir": src, "one": one, "two": two}


def _pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def _report(result) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(result.written["report"].read_text("utf-8"))


def _n_summary(result) -> int:  # type: ignore[no-untyped-def]
    return len(PdfReader(result.written["proof"]).pages) - result.report.pages


def test_fixture_has_the_three_problems(rounds: dict) -> None:
    codes = {f["code"] for f in _report(rounds["one"])["findings"]}
    assert {"overset", "missing-image", "low-resolution"} <= codes
    assert rounds["one"].exit_code == 1
    assert "print" not in rounds["one"].written


def test_overset_and_underset_measured(rounds: dict) -> None:
    report = _report(rounds["one"])
    stories = {s["id"]: s for s in report["stories"]}
    assert stories["long"]["overset_lines"] > 0
    assert stories["long"]["overset_characters"] > stories["long"]["overset_lines"]
    assert stories["short"]["overset_lines"] == 0
    # page 2 of the plan is mostly empty: a warning says how much would fill it
    under = next(f for f in report["findings"] if f["code"] == "underfull-page")
    assert under["page"] == 2 and under["free_lines"] > 0 and under["free_characters"] > 0
    assert report["page_fill"][1] < 0.85 <= report["page_fill"][0]
    overset = next(f for f in report["findings"] if f["code"] == "overset")
    assert overset["story"] == "long" and "long" in overset["message"]
    assert overset["overset_lines"] == stories["long"]["overset_lines"]
    # what would make it fit: about as many characters as do not fit, a little more
    assert overset["cut_characters"] >= overset["overset_characters"] and "删去约" in overset["message"]


def test_summary_lists_stories_findings_and_no_comparison(rounds: dict) -> None:
    pages = _pages(rounds["one"].written["proof"])
    summary = "".join(pages[:_n_summary(rounds["one"])])
    assert "第一校" in summary
    for sid in ("long", "short", "notice"):
        assert sid in summary
    assert "超出" in summary and "改造后的睦邻客厅" in summary
    assert re.search(r"meeting-small\.jpg: \d+ ppi", summary)
    assert "issue.yaml:" in summary  # findings as file:line
    assert "没有与上一校比较" in summary


def test_every_page_has_the_stamp_and_the_real_size(rounds: dict) -> None:
    proof = PdfReader(rounds["one"].written["proof"])
    n = _n_summary(rounds["one"])
    for i, page in enumerate(proof.pages):
        text = page.extract_text()
        assert "校样" in text and "第一校" in text and "校样简报 第3期" in text
        if i >= n:
            assert f"第 {i - n + 1} / {rounds['one'].report.pages} 页" in text
        # real size: A3 trim (297 × 420 mm) on every page, summary included
        assert abs(float(page.trimbox.width) - 841.89) < 0.5 and abs(float(page.trimbox.height) - 1190.55) < 0.5


def test_findings_drawn_on_their_pages(rounds: dict) -> None:
    result = rounds["one"]
    pages = _pages(result.written["proof"])[_n_summary(result):]
    report = _report(result)
    long_row = next(s for s in report["stories"] if s["id"] == "long")
    (home,) = long_row["pages"]  # the overset part is on no page: the note on its page says what to cut
    assert f"{long_row['overset_lines']}行" in pages[home - 1] and "超出版面" in pages[home - 1]
    assert "删约" in pages[home - 1]
    short_page = pages[next(s for s in report["stories"] if s["id"] == "short")["page"] - 1]
    assert "缺图" in short_page and "img-short-2" in short_page and "改造后的睦邻客厅" in short_page
    ppi = next(f["ppi"] for f in report["findings"] if f["code"] == "low-resolution")
    assert f"meeting-small.jpg: {ppi} ppi" in short_page


def test_marks_sit_where_the_findings_are(rounds: dict) -> None:
    """The slot label is inside the slot's box, the ppi note inside the photo."""
    import pdfplumber

    result = rounds["one"]
    n = _n_summary(result)
    short = next(s for s in _report(result)["stories"] if s["id"] == "short")["page"]
    with pdfplumber.open(result.written["proof"]) as pdf:
        page = pdf.pages[n + short - 1]
        words = page.extract_words()
        label = next(w for w in words if "img-short-2" in w["text"])
        ppi = next(w for w in words if "meeting-small.jpg" in w["text"])
    # photos sit side by side under the headline: the photo left, the empty slot right
    assert ppi["x0"] < label["x0"]
    assert abs(ppi["top"] - label["top"]) < 200


def test_snapshot_embedded(rounds: dict) -> None:
    from kanwu.rounds import read_snapshot

    snap = read_snapshot(rounds["one"].written["proof"])
    assert {"issue.yaml", "stories/long.md", "stories/short.md"} <= set(snap["files"])
    assert snap["round"] == 1 and set(snap["stories"]) == {"long", "short", "notice"}
    assert CHANGED[0] in snap["files"]["stories/short.md"]


def test_second_round_reports_exactly_the_changed_story(rounds: dict) -> None:
    two = rounds["two"]
    changes = _report(two)["changes"]
    assert changes["stories"] == ["short"]
    assert changes["paragraphs"] == {"short": 1}
    assert changes["since"] == str(rounds["one"].written["proof"])
    pages = _pages(two.written["proof"])
    n = _n_summary(two)
    summary = "".join(pages[:n])
    assert "第二校" in summary and "改动的稿件" in summary and "short" in summary
    short = next(s for s in _report(two)["stories"] if s["id"] == "short")["page"]
    assert "改" in pages[n + short - 1]
    assert all("第二校" in p for p in pages)


def test_unchanged_round_reports_nothing(rounds: dict, tmp_path: Path) -> None:
    from kanwu.rounds import compare, read_snapshot

    snap = read_snapshot(rounds["two"].written["proof"])
    assert compare(snap, snap, "x").stories == []
    one = read_snapshot(rounds["one"].written["proof"])
    assert compare(one, snap, "x").stories == ["short"]


def test_previews_cropped_to_trim(rounds: dict) -> None:
    from PIL import Image

    out = rounds["one"].written["proof"].parent
    pages = sorted(out.glob("issue.page-*.png"))
    assert len(pages) == rounds["one"].report.pages
    with Image.open(pages[0]) as im:  # A3 trim at 96 dpi, no bleed
        assert abs(im.width - 1123) <= 2 and abs(im.height - 1587) <= 2
    with Image.open(out / "issue.contact.png") as sheet:
        assert sheet.width > sheet.height / 2
    assert not list((rounds["two"].written["proof"].parent).glob("*.png"))  # --no-png


def test_check_exits_1_naming_the_overset_story(capsys: pytest.CaptureFixture[str]) -> None:
    from kanwu.cli import main

    assert main(["check", str(ISSUE / "issue.yaml")]) == 1
    err = capsys.readouterr().err
    assert "overset" in err or "超出版面" in err
    assert "long" in next(line for line in err.splitlines() if "超出版面" in line)


def test_since_needs_a_kanwu_proof(tmp_path: Path) -> None:
    from kanwu.errors import KanwuError
    from kanwu.rounds import read_snapshot

    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(KanwuError) as exc:
        read_snapshot(bad)
    assert exc.value.exit_code == 2
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(100, 100)
    buf = io.BytesIO()
    w.write(buf)
    bad.write_bytes(buf.getvalue())
    with pytest.raises(KanwuError, match="snapshot"):
        read_snapshot(bad)
    with pytest.raises(KanwuError):
        read_snapshot(tmp_path / "missing.proof.pdf")


def test_pypdf_warnings_on_a_damaged_earlier_proof_do_not_reach_the_terminal(rounds: dict, tmp_path: Path) -> None:
    """pypdf repairs a proof whose cross-reference offset is wrong, and logs each repair raw (issue 10).

    In a new process: inside pytest, pytest's own log capture would hide them.
    """
    import subprocess
    import sys

    data = rounds["one"].written["proof"].read_bytes()
    at = data.rindex(b"startxref")
    offset = int(data[at:].split()[1])
    damaged = tmp_path / "damaged.proof.pdf"
    damaged.write_bytes(data[:at] + b"startxref\n%d\n%%%%EOF\n" % (offset + 7))
    res = subprocess.run([sys.executable, "-m", "kanwu.cli", "build", str(rounds["dir"] / "issue.yaml"), "--since",
                          str(damaged), "-o", str(tmp_path / "out"), "--no-png"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "changed since" in res.stdout, res    # the snapshot was still read
    assert "startxref" not in res.stdout + res.stderr and "Object Streams" not in res.stderr, res.stderr
