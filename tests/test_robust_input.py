"""Hostile input, round two (issue #10, items 3 and 4): every case is an input error, never a crash or a hang.

Lone surrogates, huge integers, overlong text, hint alias bombs (load stage,
fast); folders, named pipes, devices and huge files given as inputs (each
in a child process with a time and memory limit, because the unfixed code
blocks forever or reads /dev/zero until the memory is gone).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kanwu.errors import KanwuError
from kanwu.load import MAX_ISSUE_CHARS, load_issue

from paths import MINIMAL

from inputs import BODY, one, problems  # noqa: E402


# --- lone surrogates --------------------------------------------------------------------------

SURROGATE = '"甲\\ud800乙"'  # as typed in the file: a YAML escape in a double-quoted string


@pytest.mark.parametrize("old, new, where", [
    ("headline: 测试标题", f"headline: {SURROGATE}", ":10:17:"),
    ("  name: 测试简报", f"  name: {SURROGATE}", ":3:11:"),
    ("  name: 测试简报", f"  name: 简报\n  publisher: {SURROGATE}", ":4:16:"),
    ("layout: bulletin-a4", f"layout: bulletin-a4\ndistribution: {{send_to: {SURROGATE}}}", ":8:27:"),
    ("layout: bulletin-a4", f"layout: bulletin-a4\npages: [{{title: {SURROGATE}, stories: [one]}}]", ":8:19:"),
    ("headline: 测试标题", f"headline: 标题\n    lead: {SURROGATE}", ":11:13:"),
    ("headline: 测试标题", f"headline: 标题\n    byline: {SURROGATE}", ":11:15:"),
    (BODY, f"    body: {SURROGATE}\n", ":11:13:"),
    (BODY, f"    images:\n      - caption: {SURROGATE}\n", ":12:20:"),
    (BODY, f"    images:\n      - {{src: a.jpg, credit: {SURROGATE}}}\n", ":12:32:"),
    (BODY, f"    place: {{note: {SURROGATE}}}\n", ":11:21:"),
    (BODY, f"    place: {{{SURROGATE}: 1}}\n", ":11:15:"),
])
def test_a_lone_surrogate_in_any_text_is_an_input_error(write_issue, old, new, where):
    assert old in MINIMAL
    msg = one(write_issue(MINIMAL.replace(old, new)))
    assert where in msg and "\\ud800" in msg and "surrogate" in msg and "代理" in msg, msg


def test_a_surrogate_pair_is_the_character_it_encodes(write_issue):
    issue = load_issue(write_issue(MINIMAL.replace("测试标题", '"笑\\ud83d\\ude00"')))
    assert issue.stories[0].headline.value == "笑\U0001F600"


def test_surrogate_bytes_in_a_body_file_name_the_place(write_issue, tmp_path):
    (tmp_path / "body.md").write_bytes("第一段。\n第二".encode() + b"\xed\xa0\x80" + "段。\n".encode())
    msg = one(write_issue(MINIMAL.replace(BODY, "    body_file: body.md\n")))
    assert msg.startswith(f"{tmp_path / 'body.md'}:2:3: error:") and "UTF-8" in msg


def test_a_lone_surrogate_in_a_notepad_unicode_body_file_names_the_place(write_issue, tmp_path):
    # UTF-16 with a byte-order mark, a lone high surrogate as the third character of line 2
    data = b"\xff\xfe" + "第一段。\n第二".encode("utf-16-le") + b"\x00\xd8" + "段。\n".encode("utf-16-le")
    (tmp_path / "body.md").write_bytes(data)
    msg = one(write_issue(MINIMAL.replace(BODY, "    body_file: body.md\n")))
    assert msg.startswith(f"{tmp_path / 'body.md'}:2:3: error:") and "UTF-8" in msg, msg


# --- integers ---------------------------------------------------------------------------------

HUGE = "9" * 5000  # beyond Python's 4 300-digit int() limit


@pytest.mark.parametrize("old, key, bounds", [
    ("  number: 1", "issue.number", "1–99999"),
    ("  number: 1", "issue.total", "1–99999"),
    ("  name: 测试简报", "publication.print_run", "1–10000000"),
    ("layout: bulletin-a4", "proof.round", "1–99"),
    (BODY, "stories[1].place.columns", "1–99"),
    (BODY, "stories[1].images[1].place.columns", "1–99"),
])
@pytest.mark.parametrize("value", [HUGE, "0", "100000000000"])
def test_integers_out_of_range_are_input_errors(write_issue, old, key, bounds, value):
    parent, _, leaf = key.rpartition(".")
    new = {
        "issue.number": f"  number: {value}",
        "issue.total": f"  number: 1\n  total: {value}",
        "publication.print_run": f"  name: 测试简报\n  print_run: {value}",
        "proof.round": f"layout: bulletin-a4\nproof: {{round: {value}}}",
        "stories[1].place.columns": f"    place: {{columns: {value}}}\n",
        "stories[1].images[1].place.columns": f"    images:\n      - place: {{columns: {value}}}\n",
    }[key]
    msg = one(write_issue(MINIMAL.replace(old, new)))
    assert f"`{key}`" in msg and bounds in msg and "超出范围" in msg and "out of range" in msg, msg
    assert HUGE not in msg  # the message quotes the value, but not 5 000 digits of it


def test_integers_in_range_still_load(write_issue):
    text = MINIMAL.replace("  number: 1", "  number: 99999\n  total: 1").replace(
        "  name: 测试简报", "  name: 测试简报\n  print_run: 10000000") + "    place: {columns: 99}\n"
    issue = load_issue(write_issue(text))
    assert (issue.number, issue.total, issue.publication.print_run) == (99999, 1, 10_000_000)


# --- text lengths -----------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, key, length, limit", [
    ("测试标题", "标" * 201, "stories[1].headline", 201, 200),
    ("headline: 测试标题", "headline: 标题\n    lead: " + "导" * 2001, "stories[1].lead", 2001, 2000),
    ("headline: 测试标题", "headline: 标题\n    kicker: " + "引" * 201, "stories[1].kicker", 201, 200),
    ("headline: 测试标题", "headline: 标题\n    byline: " + "署" * 201, "stories[1].byline", 201, 200),
    (BODY, "    images:\n      - caption: " + "说" * 501 + "\n", "stories[1].images[1].caption", 501, 500),
    ("  name: 测试简报", "  name: " + "刊" * 201, "publication.name", 201, 200),
    ("layout: bulletin-a4", "layout: bulletin-a4\ndistribution: {copy_to: " + "抄" * 1001 + "}",
     "distribution.copy_to", 1001, 1000),
    ("layout: bulletin-a4", "layout: bulletin-a4\npages: [{title: " + "版" * 201 + ", stories: [one]}]",
     "pages[1].title", 201, 200),
])
def test_overlong_text_fields_are_refused_naming_field_and_length(write_issue, old, new, key, length, limit):
    msg = one(write_issue(MINIMAL.replace(old, new)))
    assert f"`{key}`" in msg and f"{length:,}" in msg and f"{limit:,}" in msg and "太长" in msg, msg


def test_all_text_counts_toward_the_issue_limit(write_issue):
    # 60 stories with a long lead, a caption and a one-line body: each field within its limit
    stories = "".join(f"  - id: s{i}\n    headline: 标题\n    lead: {'导' * 1900}\n    body: 正文。\n"
                      f"    images:\n      - caption: {'说' * 100}\n" for i in range(60))
    text = MINIMAL.split("stories:\n")[0] + "stories:\n" + stories
    assert 60 * 2000 > MAX_ISSUE_CHARS
    msgs = problems(write_issue(text))
    assert len(msgs) == 1 and f"{MAX_ISSUE_CHARS:,}" in msgs[0] and "split the issue" in msgs[0], msgs


def test_hint_aliases_are_budgeted_per_document(write_issue):
    # one 800-value hint mapping, named by 100 stories: 80 000 values, each place within the old per-hint cap
    hint = "{" + ", ".join(f"k{i}: {i}" for i in range(800)) + "}"
    stories = "".join(f"  - id: s{i}\n    headline: 标题\n    place: *h\n" for i in range(1, 100))
    text = (MINIMAL.replace("    body: |", f"    place: &h {hint}\n    body: |") + stories)
    assert len(text) < 20_000
    t = time.perf_counter()
    msgs = problems(write_issue(text))
    assert time.perf_counter() - t < 5
    assert any("too large" in m and "aliases" in m for m in msgs), msgs[:3]


def test_a_long_number_like_hint_stays_text_and_loads_fast(write_issue):
    # YAML 1.1 reads 1:1:1... as a base-60 integer: 100 000 parts took ~10 s (quadratic) to convert
    t = time.perf_counter()
    place = load_issue(write_issue(MINIMAL + "    place: {x: 1" + ":1" * 100_000 + "}\n")).stories[0].place
    assert time.perf_counter() - t < 2 and isinstance(place["x"], str)


def test_a_refused_value_is_not_reported_missing_too(write_issue):
    msg = one(write_issue(MINIMAL.replace("layout: bulletin-a4", "layout: " + "x" * 300)))
    assert "`layout` is too long" in msg


@pytest.mark.parametrize("old, new", [
    ("layout: bulletin-a4", "layout: bulletin-a4\n? " + "k" * 100_000 + "\n: 1"),
    ("  number: 1", "  number: " + "x" * 100_000),
])
def test_messages_quote_a_huge_value_shortened(write_issue, old, new):
    msg = one(write_issue(MINIMAL.replace(old, new)))
    assert len(msg) < 600, len(msg)


def test_a_key_that_is_an_alias_bomb_is_refused_fast(write_issue):
    # a list of ten million items, through aliases, used as a key: naming it in a message took minutes
    bomb = "x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 8))
    text = MINIMAL.replace("layout: bulletin-a4", "layout: bulletin-a4\n" + bomb + "? *a7\n: 1")
    t = time.perf_counter()
    msgs = problems(write_issue(text))
    assert time.perf_counter() - t < 2
    assert any("a key must be" in m for m in msgs), msgs[:3]


# --- files that are not regular files ----------------------------------------------------------

GUARD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
sys.path.insert(0, {tests!r})
"""


def bounded(code: str, timeout: float = 30) -> dict:
    """Run `code` (which prints one JSON line) in a child process limited in time and memory."""
    script = GUARD.format(tests=str(Path(__file__).parent)) + textwrap.dedent(code)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # with any fc-scan it started, blocked on the same FIFO
        child.communicate()
        pytest.fail(f"did not finish within {timeout} s (blocked reading a FIFO or device?)")
    res = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


LOAD_AND_SNAPSHOT = """
import json
from kanwu.errors import KanwuError
from kanwu.images import inspect_issue
from kanwu.load import load_issue
from kanwu.rounds import snapshot
try:
    issue = load_issue({path!r})
except KanwuError as exc:
    print(json.dumps({{"error": [str(f) for f in exc.findings]}}))
else:
    _, findings = inspect_issue(issue)
    snapshot(issue, {{}}, 1, "")  # hashes the pictures
    print(json.dumps({{"findings": [str(f) for f in findings]}}))
"""


@pytest.fixture
def odd_files(tmp_path):
    """A FIFO, a folder and a link to /dev/zero beside the issue."""
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    (tmp_path / "zero").symlink_to("/dev/zero")
    return tmp_path


@pytest.mark.parametrize("name, words", [("fifo", "not a regular file (a FIFO or device)"),
                                         ("folder", "is a folder")])
def test_a_body_file_that_is_not_a_file_says_what_it_is(write_issue, odd_files, name, words):
    path = write_issue(MINIMAL.replace(BODY, f"    body_file: {name}\n"))
    got = bounded(LOAD_AND_SNAPSHOT.format(path=str(path)))
    (msg,) = got["error"]
    assert ":11:16: error:" in msg and words in msg and "not found" not in msg, msg


@pytest.mark.parametrize("name, words", [("fifo", "not a regular file (a FIFO or device)"),
                                         ("folder", "is a folder")])
def test_a_picture_that_is_not_a_file_says_what_it_is(write_issue, odd_files, name, words):
    path = write_issue(MINIMAL + f"    images:\n      - src: {name}\n")
    got = bounded(LOAD_AND_SNAPSHOT.format(path=str(path)))
    (msg,) = got["findings"]
    assert ":14:9: error:" in msg and words in msg and "not found" not in msg, msg


def test_a_picture_over_the_size_limit_is_refused_unread(write_issue, tmp_path):
    from kanwu.images import MAX_IMAGE_BYTES, inspect

    big = tmp_path / "big.jpg"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.write(b"\xff\xd8\xff")
        fh.truncate(MAX_IMAGE_BYTES + 1)
    msg = inspect(big)
    assert isinstance(msg, str) and "too large" in msg and "太大" in msg


FONTS = """
import json
from pathlib import Path
from kanwu.errors import KanwuError
from kanwu.fonts import resolve_fonts
from kanwu.layout.spec import load_layout
try:
    resolve_fonts(load_layout("bulletin-a4", Path({root!r})), Path({root!r}))
    print(json.dumps({{"error": None}}))
except KanwuError as exc:
    print(json.dumps({{"error": str(exc)}}))
"""


@pytest.mark.parametrize("make, words", [
    (lambda p: os.mkfifo(p), "not a regular file (a FIFO or device)"),
    (lambda p: p.symlink_to("/dev/zero"), "not a regular file (a FIFO or device)"),
    (lambda p: p.mkdir(), "is a folder"),
])
def test_a_font_that_is_not_a_file_is_refused_by_name(tmp_path, make, words):
    (tmp_path / "fonts").mkdir()
    make(tmp_path / "fonts" / "Office.ttf")
    got = bounded(FONTS.format(root=str(tmp_path)))
    assert got["error"] and "Office.ttf" in got["error"] and words in got["error"], got


SINCE = """
import json
from kanwu.errors import KanwuError
from kanwu.rounds import read_snapshot
try:
    read_snapshot({path!r})
    print(json.dumps({{"error": None}}))
except KanwuError as exc:
    print(json.dumps({{"error": str(exc)}}))
"""


@pytest.mark.parametrize("name, words", [("fifo", "not a regular file (a FIFO or device)"),
                                         ("zero", "not a regular file (a FIFO or device)"),
                                         ("folder", "is a folder")])
def test_since_a_file_that_is_not_a_proof_file_says_what_it_is(odd_files, name, words):
    got = bounded(SINCE.format(path=str(odd_files / name)))
    assert got["error"] and got["error"].startswith(str(odd_files / name)) and words in got["error"], got
    assert "not found" not in got["error"]


def test_since_a_proof_over_the_size_limit_is_refused_unread(tmp_path):
    from kanwu.rounds import MAX_PROOF_BYTES, read_snapshot

    big = tmp_path / "big.proof.pdf"
    with big.open("wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(MAX_PROOF_BYTES + 1)
    with pytest.raises(KanwuError, match="too large"):
        read_snapshot(big)


@pytest.mark.parametrize("value", ["0", "100", HUGE[:30], "-1"])
def test_a_proof_round_out_of_range_on_the_command_line_is_refused(tmp_path, capsys, value):
    from kanwu.cli import main

    with pytest.raises(SystemExit) as info:  # refused before anything is read
        main(["build", str(tmp_path / "missing.yaml"), "--round", value, "-o", str(tmp_path / "out")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--round" in err and "1–99" in err, err


def test_a_file_name_that_is_not_utf8_is_an_input_error(tmp_path):
    # a zip made on a Chinese Windows and unpacked on Linux keeps GBK file names
    gbk = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/" + "期刊".encode("gbk") + b".yaml"))
    gbk.write_text(MINIMAL, encoding="utf-8")
    msg = one(gbk)
    assert "UTF-8" in msg and "rename" in msg and "重命名" in msg, msg


def test_an_output_folder_whose_name_is_not_utf8_is_refused_before_building(write_issue, tmp_path):
    from kanwu.build import build

    out = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/" + "输出".encode("gbk")))
    t = time.perf_counter()
    with pytest.raises(KanwuError) as info:
        build(write_issue(), out_dir=out, png=False)
    assert info.value.exit_code == 2 and "UTF-8" in str(info.value) and "rename" in str(info.value)
    assert time.perf_counter() - t < 1 and not out.exists()


def test_a_fonts_folder_with_too_many_files_is_refused(tmp_path):
    from kanwu.fonts import MAX_FONT_FILES, resolve_fonts
    from kanwu.layout.spec import load_layout

    (tmp_path / "fonts").mkdir()
    for i in range(MAX_FONT_FILES + 1):  # each would cost a fc-scan process: ten thousand took a minute
        (tmp_path / "fonts" / f"f{i}.ttf").write_bytes(b"x")
    t = time.perf_counter()
    with pytest.raises(KanwuError, match="too many font files"):
        resolve_fonts(load_layout("bulletin-a4", tmp_path), tmp_path)
    assert time.perf_counter() - t < 1


def test_a_huge_layout_yaml_is_refused_unread(tmp_path):
    from kanwu.layout.spec import load_layout
    from kanwu.sources import MAX_SOURCE_BYTES

    (tmp_path / "layouts" / "own").mkdir(parents=True)
    with (tmp_path / "layouts" / "own" / "layout.yaml").open("wb") as fh:
        fh.write(b"extends: bulletin-a4\n")
        fh.truncate(MAX_SOURCE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(KanwuError, match="too large"):
        load_layout("own", tmp_path)
