"""Bad input (issue #6): every bad file gets a message naming file:line:col and what was expected.

Everything here runs the load stage only (fast), except the image cases, which
need the image inspection (no typesetting either).
"""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from kanwu.build import build
from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.images import inspect, inspect_issue
from kanwu.load import MAX_BODY_CHARS, load_issue
from kanwu.sources import MAX_SOURCE_BYTES

from paths import MINIMAL

from inputs import BODY, one, problems  # noqa: E402


def with_story(extra: str) -> str:
    """MINIMAL with `extra` (lines of the first story, 4-space indented) instead of its body."""
    return MINIMAL.replace(BODY, extra)


# --- YAML and schema -------------------------------------------------------------------------

@pytest.mark.parametrize("text, where, words", [
    ("kanwu: 1\n\tpublication: x\n", ":2:1:", ["Tab", "spaces"]),
    ("kanwu: 1\nstories:\n  - id: x\n    headline：标题\n    body: y\n", ":4:5:", ["全角冒号", "ASCII colon"]),
    ("kanwu: 1\npublication:\n  name: 简报: 第一期\n", ":3:11:", ["加引号", "quote the whole value"]),
    ("kanwu: 1\npublication:\n  name: '简报\n\nissue: {}\n", "", ["引号没有闭合", "3:9 is not closed"]),
    ("kanwu: 1\npages: [1, 2\n", ":3:1:", ["[ 没有闭合", "`[` is not closed"]),
    ("kanwu: 1\n  publication: x\n", ":2:14:", ["YAML", "mapping values are not allowed"]),
    # a value opened with an ASCII quote that goes on after the closing one (a Notepad habit):
    # said so at the opening quote, not called an indentation error (issue 10, item 8)
    ('kanwu: 1\nstories:\n  - id: x\n    headline: "楼道茶话会"把大家聚在一起\n    body: y\n', ":4:15:",
     ["半角引号开头，引号后面还有文字", "中文引号“”", "the value starts with a quote and goes on after it",
      "quote the whole value or use “ ”"]),
    ("kanwu: 1\npublication:\n  name: '四平'简报\n", ":3:9:", ["半角引号开头", "goes on after it"]),
    ('kanwu: 1\nstories:\n  - {id: x, headline: "楼道"茶话会}\n', ":3:23:", ["半角引号开头", "goes on after it"]),
    ('kanwu: 1\nstories:\n  - "楼道"茶话会\n', ":3:5:", ["半角引号开头", "goes on after it"]),
])
def test_yaml_syntax_errors_say_where_and_what_to_do(write_issue, text, where, words):
    msg = one(write_issue(text))
    assert msg.split(": error: ")[0].endswith(where.rstrip(":")) or where == ""
    assert "YAML 语法错误" in msg and "YAML syntax error" in msg
    for w in words:
        assert w in msg, msg


@pytest.mark.parametrize("override", [None, "base"])
def test_an_abstract_layout_is_named_so(write_issue, override):
    """`layout: base` (abstract: true) is not a missing template but a layout only for extends:."""
    text = MINIMAL if override else MINIMAL.replace("layout: bulletin-a4", "layout: base")
    with pytest.raises(KanwuError) as info:
        load_issue(write_issue(text), override)
    assert info.value.exit_code == 2
    (msg,) = [str(f) for f in info.value.findings]
    where = "--layout: error:" if override else "issue.yaml:7:9: error:"
    assert where in msg, msg
    assert "版式 base 只供其他版式继承（abstract），不能直接使用" in msg
    assert "`base` is an abstract layout, only for extends:" in msg
    assert "bulletin-a4" in msg and "tabloid-a3" in msg and "template" not in msg


def test_empty_and_non_mapping_files(write_issue):
    assert "empty" in one(write_issue(""))
    assert "empty" in one(write_issue("# only a comment\n"))
    for text in ("- a\n- b\n", "just words\n", "42\n"):
        msg = one(write_issue(text))
        assert ":1:1: error:" in msg and "must be a mapping" in msg and "kanwu:" in msg, msg


def test_wrong_types_impossible_dates_and_missing_keys(write_issue):
    text = (MINIMAL.replace("number: 1", "number: 十二").replace("2024-05-01", "2024-02-30")
            .replace("  name: 测试简报\n", "  name: [测试, 简报]\n").replace("    headline: 测试标题\n", ""))
    text += "normalize: 也许\n"
    msgs = problems(write_issue(text))
    assert any(":5:11: error:" in m and "整数" in m and "whole number" in m for m in msgs), msgs
    assert any(":6:9: error:" in m and "YYYY-MM-DD" in m for m in msgs), msgs
    assert any(":3:9: error:" in m and "`publication.name` must be text" in m for m in msgs), msgs
    assert any("missing required key `stories[1].headline`" in m for m in msgs), msgs
    assert any("`normalize` must be true or false, not “也许”" in m for m in msgs), msgs
    lines = [int(m.split(":")[1]) for m in msgs]
    assert lines == sorted(lines), "findings are listed top to bottom"


def test_empty_required_values(write_issue):
    msgs = problems(write_issue(MINIMAL.replace("headline: 测试标题", "headline: ''")
                                .replace("name: 测试简报", "name:")))
    assert any("`publication.name` is empty" in m for m in msgs), msgs
    assert any("`stories[1].headline` is empty" in m for m in msgs), msgs


def test_unknown_keys_suggest_the_right_one(write_issue):
    msgs = problems(write_issue(MINIMAL.replace("    headline:", "    headlin:").replace("issue:", "isue:")))
    assert any(":10:5: error:" in m and "did you mean `headline`?" in m and "是不是 “headline”" in m for m in msgs)
    assert any(":4:1: error:" in m and "did you mean `issue`?" in m for m in msgs), msgs
    msg = problems(write_issue(MINIMAL + "zzz: 1\n"))[0]
    assert "expected one of: kanwu, publication, issue" in msg


def test_duplicate_ids_unknown_page_stories_and_keys(write_issue):
    text = MINIMAL + "  - id: one\n    headline: 又一篇\npages:\n  - title: 一版\n    stories: [one, onee]\n"
    text = text.replace("  number: 1\n", "  number: 1\n  number: 2\n")
    msgs = problems(write_issue(text))
    assert any("duplicate story id" in m and "第一次在" in m for m in msgs), msgs
    assert any("page names an unknown story" in m and "did you mean `one`" in m for m in msgs), msgs
    assert any("duplicate key `issue.number`" in m for m in msgs), msgs


def test_story_placed_twice_or_never_is_a_warning(write_issue):
    text = (MINIMAL + "  - id: two\n    headline: 第二篇\n"
            "pages:\n  - {title: 一版, stories: [one]}\n  - {title: 二版, stories: [one]}\n")
    issue = load_issue(write_issue(text))  # warnings do not stop the build
    msgs = [str(f) for f in issue.warnings]
    assert any(": warning:" in m and "story placed twice" in m and ":16:" in m for m in msgs), msgs
    assert any(": warning:" in m and "story is on no page" in m and "“two”" in m for m in msgs), msgs


def test_placement_warnings_reach_the_report(write_issue, tmp_path):
    text = (MINIMAL + "  - id: two\n    headline: 第二篇\n    body: 第二篇正文。\n"
            "pages:\n  - {title: 一版, stories: [one]}\n  - {title: 二版, stories: [one]}\n")
    result = build(write_issue(text), write=False)
    codes = {(f.level, f.code) for f in result.report.findings}
    assert ("warning", "placed-twice") in codes and ("warning", "unplaced") in codes, codes
    assert result.exit_code == 0


def test_unknown_layout_lists_the_available_ones(write_issue, capsys):
    path = write_issue(MINIMAL.replace("layout: bulletin-a4", "layout: bulletin-a5"))
    msg = one(path)
    assert msg.startswith(f"{path}:7:9: error:"), msg
    assert "did you mean `bulletin-a4`?" in msg and "available:" in msg and "tabloid-a3" in msg
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:7:9: error: 找不到版式 “bulletin-a5”" in err and "Traceback" not in err
    assert main(["check", str(write_issue()), "--layout", "nope"]) == 2
    assert "--layout: error:" in capsys.readouterr().err
    # a layout is a folder name, never a path
    assert "not by a path" in one(write_issue(MINIMAL.replace("layout: bulletin-a4", "layout: ../../etc")))


# --- encodings -------------------------------------------------------------------------------

def test_bom_and_crlf_are_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    issue = load_issue(path)
    assert issue.stories[0].headline.value == "测试标题"
    assert "\r" not in issue.stories[0].body.value
    body = issue.stories[0].body
    assert (body.pos_at(body.value.index("测试")).line) == 12


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_notepad_unicode_with_a_bom_decodes(tmp_path, codec):
    path = tmp_path / "u16.yaml"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    path.write_bytes(bom + MINIMAL.replace("\n", "\r\n").encode(codec))
    issue = load_issue(path)
    assert issue.stories[0].headline.value == "测试标题" and issue.publication.name.value == "测试简报"


def test_utf16_without_bom_is_refused_clearly(tmp_path):
    path = tmp_path / "u16.yaml"
    path.write_bytes(MINIMAL.encode("utf-16-le"))
    msg = one(path)
    assert "UTF-16" in msg and "save it as UTF-8" in msg and "“另存为”" in msg


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "gb2312"])
def test_legacy_chinese_encodings_are_refused_not_guessed(write_issue, codec):
    msg = one(write_issue(encoding=codec))
    assert msg.startswith(f"{Path(msg.split(':')[0])}:3:9: error:"), msg  # the first Chinese character
    assert "save it as UTF-8" in msg and "另存为" in msg and "GBK/GB18030" in msg


def test_gbk_body_file_is_refused_at_its_own_path(write_issue, tmp_path):
    (tmp_path / "body.md").write_bytes("第一段。\n".encode("gbk"))
    msg = one(write_issue(with_story("    body_file: body.md\n")))
    assert msg.startswith(f"{tmp_path / 'body.md'}:1:1: error:") and "UTF-8" in msg


def test_binary_and_odd_files(write_issue, tmp_path):
    bin_path = tmp_path / "nul.yaml"
    bin_path.write_bytes(MINIMAL.encode() + b"\x00\x01")
    assert "NUL" in one(bin_path)
    assert "not found" in one(tmp_path / "nope.yaml")
    assert "folder" in one(tmp_path)
    os.mkfifo(tmp_path / "fifo.yaml")
    assert "not a regular file" in one(tmp_path / "fifo.yaml")  # would block forever if read


# --- files -----------------------------------------------------------------------------------

def test_missing_body_file(write_issue):
    msg = one(write_issue(with_story("    body_file: stories/nope.md\n")))
    assert ":11:16: error:" in msg and "“stories/nope.md”" in msg and "file not found" in msg


@pytest.mark.parametrize("src, words", [
    ("../secret.md", "leads outside the issue's folder"),
    ("stories/../../secret.md", "leads outside the issue's folder"),
    ("/etc/passwd", "absolute paths are not allowed"),
    ("C:\\Users\\editor\\lead.md", "absolute paths are not allowed"),
    ("file:///etc/passwd", "kanwu never fetches from the network"),
    ("http://127.0.0.1/a.md", "kanwu never fetches from the network"),
])
def test_paths_that_escape_are_refused(write_issue, tmp_path, src, words):
    (tmp_path.parent / "secret.md").write_text("secret", encoding="utf-8")
    for key, where in (("body_file", ":11:16:"), ("images:\n      - src", ":12:14:")):
        msg = one(write_issue(with_story(f"    {key}: '{src}'\n")))
        assert words in msg and src in msg, msg
        assert msg.startswith(f"{tmp_path / 'issue.yaml'}{where} error:"), msg


def test_symlinks_pointing_out_are_refused(write_issue, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.md").write_text("秘密\n", encoding="utf-8")
    (outside / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    path = write_issue(with_story("    body_file: link.md\n    images:\n      - src: pics/photo.jpg\n"))
    (path.parent / "link.md").symlink_to(outside / "secret.md")
    (path.parent / "pics").symlink_to(outside, target_is_directory=True)
    msgs = problems(path)
    assert len(msgs) == 2, msgs
    assert all("through a symbolic link" in m and "经由符号链接" in m for m in msgs), msgs
    # a link that stays inside is fine
    (path.parent / "real.md").write_text("正文。\n", encoding="utf-8")
    (path.parent / "inside.md").symlink_to(path.parent / "real.md")
    inside = write_issue(with_story("    body_file: inside.md\n"), name="inside.yaml")
    assert load_issue(inside).stories[0].body.value == "正文。\n"
    # a loop is an error, not a hang
    (path.parent / "loop-a").symlink_to(path.parent / "loop-b")
    (path.parent / "loop-b").symlink_to(path.parent / "loop-a")
    assert "cannot be resolved" in one(write_issue(with_story("    body_file: loop-a\n"), name="loop.yaml"))


def test_windows_separators_are_understood(write_issue, tmp_path):
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "one.md").write_text("正文。\n", encoding="utf-8")
    issue = load_issue(write_issue(with_story("    body_file: stories\\one.md\n")))
    assert issue.stories[0].body.value == "正文。\n"


def test_missing_image_is_a_placeholder_and_an_error_in_check(write_issue, capsys):
    path = write_issue(MINIMAL + "    images:\n      - src: images/nope.jpg\n        caption: 图\n")
    issue = load_issue(path)  # not an input error: the slot becomes a placeholder
    _, findings = inspect_issue(issue)
    assert [f.code for f in findings] == ["missing-image"]
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:14:9: error: 找不到图片文件 “images/nope.jpg”，以占位框代替 / image file not found" in err


@pytest.mark.parametrize("content", [b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b""])
def test_a_file_that_is_not_an_image(write_issue, tmp_path, content):
    (tmp_path / "photo.jpg").write_bytes(content)
    issue = load_issue(write_issue(MINIMAL + "    images:\n      - src: photo.jpg\n"))
    _, findings = inspect_issue(issue)
    (f,) = findings
    assert f.code == "bad-image" and "not a readable image" in str(f) and ":14:9:" in str(f)


def _png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of `width` × `height` white pixels, made without holding the pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


BOMB_CHECK = """
import json, resource, sys, time
from pathlib import Path
from kanwu.images import inspect
import PIL.PngImagePlugin  # imported before measuring
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
msg = inspect(Path(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - t, "msg": msg,
                  "grown_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before}))
"""


def test_decompression_bomb_is_refused_fast_with_bounded_memory(write_issue, tmp_path):
    bomb = _png(40000, 40000)  # 1.6 gigapixels in ~200 kB
    assert len(bomb) < 400_000
    (tmp_path / "bomb.png").write_bytes(bomb)
    # in a fresh process, so that its peak memory is the inspection's own
    res = subprocess.run([sys.executable, "-c", BOMB_CHECK, str(tmp_path / "bomb.png")], capture_output=True,
                         text=True, timeout=60)
    got = json.loads(res.stdout)
    assert got["seconds"] < 5 and got["grown_kb"] < 50_000, got  # decoding would need 200 MB to 4.8 GB
    assert "decompression bomb" in got["msg"]
    # and in a build: an error on the slot, the picture never reaches WeasyPrint
    issue = load_issue(write_issue(MINIMAL + "    images:\n      - src: bomb.png\n"))
    t = time.perf_counter()
    usable, findings = inspect_issue(issue)
    assert time.perf_counter() - t < 5 and not usable
    (f,) = findings
    assert f.code == "bad-image" and str(f).endswith(
        "bomb.png：图片像素过多（16 亿），超过 1.2 亿像素的上限，疑似“解压炸弹”，已拒绝 / refused: 1,600 megapixels, over "
        "the limit of 120 megapixels (a decompression bomb?)") and ":14:9: error:" in str(f)


def test_huge_but_honest_image_is_refused_by_pixel_count(tmp_path):
    path = tmp_path / "wide.png"
    path.write_bytes(_png(12000, 11000))  # 132 Mpx, below Pillow's bomb error but above kanwu's limit
    msg = inspect(path)
    assert isinstance(msg, str) and ("too many pixels" in msg or "decompression bomb" in msg)


def test_a_picture_under_the_120_megapixel_limit_is_accepted(tmp_path):
    """Pillow's own bomb limit (about 89 megapixels) must not refuse what kanwu's README allows."""
    import warnings

    from PIL import Image

    path = tmp_path / "scan.png"
    path.write_bytes(_png(9500, 9500))  # 90 megapixels
    info = inspect(path)
    assert not isinstance(info, str), info
    assert (info.width, info.height) == (9500, 9500)
    # and later readers (colour conversion, WeasyPrint) are not warned about it either
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Image.open(path).close()


@pytest.mark.parametrize("size, words", [
    ((12000, 11000), ["12000×11000", "1.32 亿", "1.2 亿像素", "132 megapixels", "the limit is 120 megapixels"]),
    ((16000, 16000), ["2.56 亿", "1.2 亿像素", "256 megapixels", "limit of 120 megapixels"]),
])
def test_over_the_limit_the_message_states_it(tmp_path, size, words):
    path = tmp_path / "big.png"
    path.write_bytes(_png(*size))
    msg = inspect(path)
    assert isinstance(msg, str)
    for w in words:
        assert w in msg, msg


def test_huge_body_file_is_refused_unread(write_issue, tmp_path):
    big = tmp_path / "big.md"
    with big.open("wb") as fh:  # 5 MB, sparse: costs no disk
        fh.truncate(5_000_000)
    msg = one(write_issue(with_story("    body_file: big.md\n")))
    assert msg.startswith(f"{big}: error:") and "too large" in msg and "拆分" in msg
    assert MAX_SOURCE_BYTES < 5_000_000


def test_body_over_the_character_limit_is_refused(write_issue, tmp_path):
    (tmp_path / "long.md").write_text("正" * (MAX_BODY_CHARS + 1) + "\n", encoding="utf-8")
    msg = one(write_issue(with_story("    body_file: long.md\n")))
    assert f"{MAX_BODY_CHARS:,}" in msg and "split the story" in msg and "long.md:1:1" in msg


def test_issue_file_over_the_size_limit(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(MINIMAL.encode() + b"#" * MAX_SOURCE_BYTES)
    assert "too large" in one(path)


def test_deep_nesting_is_an_error_not_a_crash(write_issue):
    msg = one(write_issue("kanwu: 1\npages: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert "nested too deeply" in msg


def test_alias_bomb_is_bounded(write_issue):
    # 6 kB of YAML that names a million story ids through aliases: pages × ids
    text = MINIMAL.replace("stories:\n", "ids: &ids [" + ", ".join(["one"] * 1000) + "]\n"
                           "page: &p {title: 版, stories: *ids}\npages: [" + ", ".join(["*p"] * 1000) + "]\n"
                           "stories:\n")
    assert len(text) < 10_000
    t = time.perf_counter()
    msgs = problems(write_issue(text))
    assert time.perf_counter() - t < 5
    assert any("too large" in m and "aliases" in m for m in msgs), msgs[:3]


@pytest.mark.parametrize("hint", ["{columns: abc}", "{columns: 0}", "{columns: .inf}", "{columns: [2]}"])
def test_bad_column_hints_are_input_errors(write_issue, hint):
    msg = one(write_issue(MINIMAL + f"    place: {hint}\n"))
    assert "`stories[1].place.columns` must be a number of columns" in msg


@pytest.mark.parametrize("hint", ["{a: !!binary xx}", "{a: !!timestamp 2020-13-45}", "&h {x: *h}",
                                  "!!python/object:os.system {}", "{a: !!float x, columns: 2}"])
def test_odd_yaml_tags_in_hints_stay_data(write_issue, hint):
    place = load_issue(write_issue(MINIMAL + f"    place: {hint}\n")).stories[0].place
    assert isinstance(place, dict)
