"""Office fonts in fonts/ that cannot be read or draw nothing are refused (issue 10, item 6).

A copy of LXGW WenKai, cut down to a few characters and renamed 方正楷体简体
(the 楷体 role's first choice: lead, byline, captions), stands in for the
office's licensed font; its glyph data is then zeroed, as a damaged copy
would have it. It opens, has a cmap and metrics, and draws nothing: before,
the lead and byline printed as invisible glyphs with exit 0.
"""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from kanwu.cli import main
from kanwu.errors import KanwuError

from paths import MINIMAL

WENKAI = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
OFFICE_KAI = "方正楷体简体"
ISSUE = MINIMAL.replace("    headline: 测试标题\n", "    headline: 测试标题\n    byline: 社区宣文办\n"
                        "    lead: 导语文字，这是一段导语。\n")


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def office_font(path: Path, text: str) -> Path:
    """A small copy of LXGW WenKai holding `text`, named as the office's 楷体."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    if not WENKAI.exists():
        pytest.skip("fonts-lxgw-wenkai is not installed")
    font = TTFont(str(WENKAI), lazy=True)
    options = subset.Options()
    options.name_IDs, options.name_languages, options.notdef_outline = ["*"], ["*"], True
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    name = font["name"]
    name.names = [r for r in name.names if not (r.nameID in (1, 4, 16, 17) and r.platformID != 3)]
    for rec in name.names:
        if rec.nameID in (1, 4, 16):
            rec.string = OFFICE_KAI
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(path))
    return path


def zero_table(path: Path, tag: bytes) -> None:
    """Overwrite a table's data with zeros in place (the directory and every other table stay)."""
    data = bytearray(path.read_bytes())
    (count,) = struct.unpack(">H", data[4:6])
    for i in range(count):
        entry = 12 + 16 * i
        if data[entry:entry + 4] == tag:
            offset, length = struct.unpack(">II", data[entry + 8:entry + 16])
            data[offset:offset + length] = bytes(length)
            path.write_bytes(bytes(data))
            return
    raise AssertionError(f"no {tag!r} table")


def test_a_font_with_zeroed_glyph_data_is_refused_naming_the_file(write_issue, tmp_path, capsys):
    issue = write_issue(ISSUE)
    font = office_font(issue.parent / "fonts" / "office-kai.ttf", "测试标题社区宣文办导语文字，这是一段。")
    zero_table(font, b"glyf")
    assert main(["build", str(issue), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{font}: error:" in err and "draw nothing" in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_a_font_file_that_cannot_be_read_is_refused_naming_the_file(write_issue, tmp_path, capsys):
    issue = write_issue(ISSUE)
    good = office_font(tmp_path / "good.ttf", "测试")
    (issue.parent / "fonts").mkdir()
    broken = issue.parent / "fonts" / "office-kai.ttf"
    broken.write_bytes(good.read_bytes()[:400])  # cut short in copying
    assert main(["check", str(issue)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}: error:" in err and "not a readable font" in err and "Traceback" not in err, err


def test_a_good_office_font_is_used(write_issue, tmp_path):
    """The check refuses only what is broken: the same font, undamaged, sets the lead."""
    from kanwu.build import load_stage, makeup_stage

    issue = write_issue(ISSUE)
    font = office_font(issue.parent / "fonts" / "office-kai.ttf", "测试标题社区宣文办导语文字，这是一段。")
    loaded, spec, _ = load_stage(issue, None)
    assert Path(makeup_stage(loaded, spec).fonts["kai"].path) == font


def test_check_font_names_characters_that_draw_nothing(tmp_path):
    """The unit: a font whose outline table is zeroed fails on the characters it would set."""
    from kanwu.fonts import ResolvedFont, check_font

    font = office_font(tmp_path / "kai.ttf", "导语文字")
    resolved = ResolvedFont("kai", OFFICE_KAI, str(font), 0, 400, True)
    check_font(resolved, "导语文字")  # intact: no error
    zero_table(font, b"glyf")
    with pytest.raises(KanwuError) as info:
        check_font(resolved, "导语文字")
    assert str(info.value).startswith(f"{font}: error:") and "导" in str(info.value)


def test_a_cff_font_with_zeroed_outlines_is_refused(tmp_path):
    """The same for PostScript outlines (an .otf cut from Noto Sans CJK, its CFF table zeroed)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from kanwu.fonts import ResolvedFont, check_font

    noto = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not noto.exists():
        pytest.skip("fonts-noto-cjk is not installed")
    font = TTFont(str(noto), fontNumber=2, lazy=True)
    sub = subset.Subsetter(subset.Options())
    sub.populate(text="导语文字")
    sub.subset(font)
    font.save(str(tmp_path / "office.otf"))
    resolved = ResolvedFont("kai", OFFICE_KAI, str(tmp_path / "office.otf"), 0, 400, True)
    check_font(resolved, "导语文字")
    zero_table(tmp_path / "office.otf", b"CFF ")
    with pytest.raises(KanwuError) as info:
        check_font(resolved, "导语文字")
    assert str(info.value).startswith(f"{tmp_path / 'office.otf'}: error:")
