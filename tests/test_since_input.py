"""``--since`` given a hostile or wrong proof (issue #10, items 3, 4 and 8): a clear error, never a crash.

The proofs here are small PDFs written byte by byte (a page and the embedded
``kanwu-snapshot.json``), so the snapshot can be anything: a Flate bomb,
deeply nested JSON, JSON of the wrong shape, or the snapshot of another issue.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kanwu.build import build
from kanwu.errors import KanwuError
from kanwu.load import load_issue
from kanwu.rounds import read_snapshot, snapshot
from kanwu.text.prepare import prepare

from paths import MINIMAL


def proof_pdf(snap: bytes, flate: bool = False, padding: int = 0) -> bytes:
    """A one-page PDF carrying `snap` as kanwu's embedded snapshot (`flate`: compressed stream).

    `padding` adds a content stream of that many bytes before the attachment,
    so that a file cut in half loses the snapshot and the trailer, as a real proof does.
    """
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(kanwu-snapshot.json) 4 0 R] >> >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 6 0 R >>",
        4: b"<< /Type /Filespec /F (kanwu-snapshot.json) /UF (kanwu-snapshot.json) /EF << /F 5 0 R >> >>",
        5: b"<< /Type /EmbeddedFile%s /Length %d >>\nstream\n%s\nendstream" % (
            b" /Filter /FlateDecode" if flate else b"", len(snap), snap),
        6: b"<< /Length %d >>\nstream\n%s\nendstream" % (padding, b"%" * padding),
    }
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for num in (1, 2, 3, 4, 6, 5):  # the page's (padding) stream before the snapshot
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objs[num])
    xref = len(out)
    out += b"xref\n0 7\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, 7))
    out += b"trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def good_snapshot(issue_path: Path) -> dict:
    issue, _ = prepare(load_issue(issue_path))
    return snapshot(issue, {s.id: 1 for s in issue.stories}, 1, "2024-05-01 10:00")


@pytest.fixture
def issue_path(write_issue) -> Path:
    return write_issue()


def test_a_well_made_proof_reads_back(tmp_path, issue_path):
    snap = good_snapshot(issue_path)
    (tmp_path / "ok.pdf").write_bytes(proof_pdf(json.dumps(snap).encode()))
    (tmp_path / "okz.pdf").write_bytes(proof_pdf(zlib.compress(json.dumps(snap).encode()), flate=True))
    assert read_snapshot(tmp_path / "ok.pdf") == snap == read_snapshot(tmp_path / "okz.pdf")


BOMB_CHECK = """
import json, resource, sys, time
from kanwu.errors import KanwuError
from kanwu.rounds import read_snapshot
import pypdf
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    read_snapshot(sys.argv[1])
    msg = None
except KanwuError as exc:
    msg = str(exc)
print(json.dumps({"seconds": time.perf_counter() - t, "msg": msg,
                  "grown_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before}))
"""


def test_a_flate_bomb_snapshot_is_refused_with_bounded_memory(tmp_path):
    comp = zlib.compressobj(9)
    chunk = b" " * 1_000_000
    data = comp.compress(b'{"kanwu_snapshot": 1, "x": "') + b"".join(comp.compress(chunk) for _ in range(70))
    data += comp.compress(b'"}') + comp.flush()
    path = tmp_path / "bomb.proof.pdf"
    path.write_bytes(proof_pdf(data, flate=True))
    assert path.stat().st_size < 100_000  # 70 MB of JSON in under 100 kB
    res = subprocess.run([sys.executable, "-c", BOMB_CHECK, str(path)], capture_output=True, text=True, timeout=60)
    got = json.loads(res.stdout)
    assert got["msg"] and str(path) in got["msg"] and "too large" in got["msg"], got
    assert got["seconds"] < 5 and got["grown_kb"] < 60_000, got


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.proof.pdf"
    path.write_bytes(proof_pdf(zlib.compress(b"[" * 200_000 + b"]" * 200_000), flate=True))
    with pytest.raises(KanwuError) as info:
        read_snapshot(path)
    assert info.value.exit_code == 2 and str(path) in str(info.value) and "unknown format" in str(info.value)


def _mangle(snap: dict, how: str) -> object:
    story = snap["stories"]["one"]
    if how == "list":
        return [snap]
    if how == "stories-string":
        snap["stories"] = "one"
    elif how == "story-list":
        snap["stories"]["one"] = []
    elif how == "fields-list":
        story["fields"] = ["headline"]
    elif how == "paragraphs-not-lists":
        story["paragraphs"] = ["abc", "def"]
    elif how == "paragraph-three-items":
        story["paragraphs"] = [["a", "b", "c"]]
    elif how == "paragraph-key-number":
        story["paragraphs"] = [[1, "b"]]
    elif how == "files-list":
        snap["files"] = ["issue.yaml"]
    elif how == "file-text-number":
        snap["files"] = {"issue.yaml": 3}
    elif how == "round-string":
        snap["round"] = "二"
    elif how == "round-huge":
        snap["round"] = 10 ** 30
    elif how == "built-long":
        snap["built"] = "x" * 100_000
    elif how == "story-id-surrogate":
        snap["stories"]["\ud800"] = story
    elif how == "headline-number":
        story["fields"]["headline"] = 12
    elif how == "number-string":
        snap["number"] = "1"
    elif how == "too-many-stories":  # the proof would list them all as removed
        snap["stories"].update({f"s{i}": {"fields": {}, "paragraphs": []} for i in range(10_000)})
    elif how == "too-many-paragraphs":
        story["paragraphs"] = [["k", "t"]] * 60_000
    return snap


@pytest.mark.parametrize("how", ["list", "stories-string", "story-list", "fields-list", "paragraphs-not-lists",
                                 "paragraph-three-items", "paragraph-key-number", "files-list", "file-text-number",
                                 "round-string", "round-huge", "built-long", "story-id-surrogate",
                                 "headline-number", "number-string", "too-many-stories", "too-many-paragraphs"])
def test_a_snapshot_of_the_wrong_shape_is_refused(tmp_path, issue_path, how):
    snap = _mangle(good_snapshot(issue_path), how)
    path = tmp_path / "odd.proof.pdf"
    path.write_bytes(proof_pdf(json.dumps(snap).encode()))
    with pytest.raises(KanwuError) as info:
        read_snapshot(path)
    assert info.value.exit_code == 2 and str(path) in str(info.value) and "unknown format" in str(info.value)


def test_a_proof_cut_short_says_so(tmp_path, issue_path):
    data = proof_pdf(json.dumps(good_snapshot(issue_path)).encode(), padding=50_000)
    path = tmp_path / "half.proof.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(KanwuError) as info:
        read_snapshot(path)
    msg = str(info.value)
    assert str(path) in msg and "damaged" in msg and "cut short" in msg and "not a kanwu proof" not in msg, msg


@pytest.mark.parametrize("old, new, words", [
    ("  number: 1\n", "  number: 2\n", "第1期"),
    ("  name: 测试简报\n", "  name: 另一简报\n", "测试简报"),
])
def test_since_a_proof_of_another_issue_is_refused(write_issue, tmp_path, old, new, words):
    first = write_issue()
    (tmp_path / "old.proof.pdf").write_bytes(proof_pdf(json.dumps(good_snapshot(first)).encode()))
    other = write_issue(MINIMAL.replace(old, new), name="other.yaml")
    with pytest.raises(KanwuError) as info:
        build(other, write=False, since=tmp_path / "old.proof.pdf")
    msg = str(info.value)
    assert info.value.exit_code == 2 and "old.proof.pdf" in msg and words in msg and "another issue" in msg, msg


def test_since_a_proof_of_the_same_issue_under_another_file_name_is_a_warning(write_issue):
    from kanwu.rounds import same_issue

    old = good_snapshot(write_issue())
    issue = load_issue(write_issue(name="renamed.yaml"))
    (f,) = same_issue(old, issue, "old.proof.pdf")
    assert f.level == "warning" and "issue.yaml" in f.message and "renamed.yaml" in f.message
    assert same_issue(old, load_issue(write_issue()), "old.proof.pdf") == []
