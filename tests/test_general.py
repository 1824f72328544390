"""Robustness sweep: issue files written the way offices write them.

Each test is a regression test for a fault found by building unseen,
realistic issues (phone photos, damaged files, text pasted from WeChat,
narrow stories side by side, empty pages...). Fixtures are made in tmp_path;
typesetting is done only where the fault is in the typeset result.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from paths import MINIMAL
from PIL import Image, ImageDraw

from kanwu.build import build, load_stage, makeup_stage
from kanwu.errors import KanwuError
from kanwu.images import inspect
from kanwu.load import load_issue
from kanwu.text.normalize import describe, normalize
from kanwu.text.prepare import prepare

PARA = ("为进一步提升社区治理水平，街道党工委组织各居民区党组织书记开展专题学习，围绕美丽家园建设、"
        "垃圾分类、为老服务等重点工作进行交流研讨，切实解决群众急难愁盼问题。")

HEAD = """\
kanwu: 1
publication: {name: 测试简报}
issue: {number: 1, date: 2024-06-01}
"""


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def write(folder: Path, text: str) -> Path:
    path = folder / "issue.yaml"
    path.write_text(HEAD + textwrap.dedent(text), encoding="utf-8")
    return path


def phone_photo(path: Path, size: tuple[int, int] = (1800, 2400)) -> None:
    """An upright photo stored sideways with EXIF orientation 6, as phones save them."""
    upright = Image.new("RGB", size, (90, 140, 200))
    draw = ImageDraw.Draw(upright)
    draw.ellipse([size[0] * .1, size[1] / 2 - size[0] * .4, size[0] * .9, size[1] / 2 + size[0] * .4],
                 fill=(200, 50, 50))
    exif = Image.Exif()
    exif[0x0112] = 6
    path.parent.mkdir(parents=True, exist_ok=True)
    upright.rotate(90, expand=True).save(path, exif=exif, quality=85)


def plan_of(issue_file: Path, layout: str | None = None):
    """Load and make up without rendering: the plan."""
    issue, spec, _ = load_stage(issue_file, layout)
    return makeup_stage(issue, spec).plan


def story_box(plan, story: str) -> tuple[int, float, float, float, float]:
    """(page, x, y, w, h) in pt from the trim's corner of a story's (first) module."""
    page, box = plan.story_boxes(story)[0]
    return (page, *plan.on_trim(box))


# ------------------------------------------------------------------ pictures

def test_exif_rotated_photo_is_measured_upright(tmp_path: Path) -> None:
    """A phone photo (stored 2400×1800, EXIF "rotate 90°") is 1800×2400 for layout and resolution;
    before, the converted copy was resized to the stored shape and came out squashed."""
    phone_photo(tmp_path / "img" / "p.jpg")
    info = inspect(tmp_path / "img" / "p.jpg")
    assert (info.width, info.height) == (1800, 2400)
    issue = write(tmp_path, """\
        layout: bulletin-a4
        stories:
          - id: a
            headline: 竖拍照片
            body: 正文。
            images: [{src: img/p.jpg, caption: 竖拍}]
        """)
    result = build(issue, tmp_path / "out", png=False)
    from pypdf import PdfReader

    page = PdfReader(result.written["print"]).pages[0]
    (img,) = [im for im in page.images]
    w, h = img.image.size
    # the copy keeps the upright picture's shape (it is only downsampled), never the stored one
    assert h > w and abs(h / w - 2400 / 1800) < 0.02, (w, h)


def test_truncated_jpeg_is_refused_clearly(tmp_path: Path) -> None:
    """A JPEG cut short in copying is a bad-image error saying so, whether or not WeasyPrint (which
    lets Pillow load truncated files) was imported first; before, a cold build failed the colour
    conversion and then sent the RGB original to WeasyPrint (an RGB error, a grey band)."""
    import weasyprint  # noqa: F401  (sets ImageFile.LOAD_TRUNCATED_IMAGES)

    img = tmp_path / "img" / "cut.jpg"
    img.parent.mkdir()
    Image.new("RGB", (1200, 800), (90, 140, 200)).save(img, quality=90)
    img.write_bytes(img.read_bytes()[:3000])
    assert "不完整" in inspect(img)
    issue = write(tmp_path, """\
        layout: bulletin-a4
        stories:
          - id: a
            headline: 图片不完整
            body: 正文。
            images: [{src: img/cut.jpg, caption: 图}]
        """)
    report = build(issue, write=False).report
    codes = {f.code for f in report.findings if f.level == "error"}
    assert codes == {"bad-image"}, [str(f) for f in report.findings]


def test_empty_image_file_says_empty(tmp_path: Path) -> None:
    (tmp_path / "e.jpg").write_bytes(b"")
    assert "空的" in inspect(tmp_path / "e.jpg")


def test_portrait_photo_gets_a_portrait_frame(tmp_path: Path) -> None:
    """A portrait photo alone in a wide story is framed upright (cropped a little at most),
    not as a landscape slice through its middle; a 3:2 picture keeps the layout's 3:2 frame."""
    phone_photo(tmp_path / "img" / "p.jpg", (1000, 3000))
    Image.new("RGB", (2400, 1600)).save(tmp_path / "img" / "l.jpg")
    issue = write(tmp_path, """\
        layout: tabloid-a3
        stories:
          - id: a
            headline: 竖图
            body: 正文。
            images: [{src: img/p.jpg, caption: 竖拍}]
          - id: b
            headline: 横图
            body: 正文。
            images: [{src: img/l.jpg}, {src: img/l.jpg}]
        """)
    plan = plan_of(issue)
    portrait, land1, land2 = (p.picture.frame for p in plan.pictures)
    assert portrait.h / portrait.w >= 1.5 / 1.25 - 0.01
    assert portrait.w < plan.grid.width * 0.6
    for box in (land1, land2):  # a 3:2 picture is cropped by at most the layout's photos.crop (a fifth)
        assert 0.6667 * 0.8 - 0.01 <= box.h / box.w <= 0.6667 / 0.8 + 0.01


# ------------------------------------------------------------------ text

def test_zero_width_characters_are_removed_and_reported() -> None:
    """Text pasted from WeChat carries U+200B / U+FEFF: no font has them, so they were a
    missing-glyph error with an empty-looking character in the message."""
    text, changes = normalize("正文\u200b中有零宽\ufeff字符,结束")
    assert text == "正文中有零宽字符，结束"
    assert [c.rule for c in changes] == ["invisible", "invisible", "fullwidth-punct"]
    assert "U+200B" in describe(changes[0])
    assert normalize(text) == (text, ())


def test_subhead_as_last_line_is_flagged(tmp_path: Path) -> None:
    issue = write(tmp_path, """\
        layout: bulletin-a4
        stories:
          - id: a
            headline: 标题
            body: |
              一段正文。

              ## 最后的小标题
        """)
    _, findings = prepare(load_issue(issue))
    (f,) = [f for f in findings if f.code == "subhead-last"]
    assert f.level == "warning" and f.pos.line == 11 and "最后的小标题" in f.message


def test_empty_story_list_is_invalid(tmp_path: Path) -> None:
    """`stories: []` printed a masthead and a blank page, and passed preflight."""
    issue = write(tmp_path, "layout: bulletin-a4\nstories: []\n")
    with pytest.raises(KanwuError) as exc:
        load_issue(issue)
    assert exc.value.exit_code == 2
    assert any("stories" in str(f) and "空" in str(f) for f in exc.value.findings)


# ------------------------------------------------------------------ layout

def test_empty_planned_page_is_flagged(tmp_path: Path) -> None:
    """A planned page whose only story is already set on an earlier page prints blank: say so
    (on the A3 paper, which sets planned pages; the A4 bulletin flows and has no blank page)."""
    issue = write(tmp_path, f"""\
        layout: tabloid-a3
        pages:
          - {{title: 要闻, stories: [a]}}
          - {{title: 社区, stories: [a]}}
        stories:
          - id: a
            headline: 标题
            body: {PARA}
        """)
    report = build(issue, write=False).report
    (f,) = [f for f in report.findings if f.code == "empty-page"]
    assert f.pos.line == 7 and "第2版“社区”" in f.message and f.page == 2
    a4 = build(issue, layout="bulletin-a4", write=False).report
    assert not [f for f in a4.findings if f.code == "empty-page"]


def test_narrow_stories_stand_side_by_side(tmp_path: Path) -> None:
    """Stories with place {columns: 3} and {columns: 2} share the A3 page's five columns; before,
    each stood alone on its own row with empty columns beside it."""
    body = "\n".join(" " * 14 + PARA for _ in range(3))
    issue = write(tmp_path, f"""\
        layout: tabloid-a3
        pages:
          - {{title: 一版, stories: [top, b, c, d]}}
        stories:
          - id: top
            headline: 通栏
            body: 正文。
          - id: b
            headline: 三栏稿件
            place: {{columns: 3}}
            body: |
{body}
          - id: c
            headline: 两栏稿件
            place: {{columns: 2}}
            body: |
{body}
          - id: d
            headline: 又是三栏，另起一行
            place: {{columns: 3}}
            body: 正文。
        """)
    plan = plan_of(issue)
    top, b, c, d = (story_box(plan, s) for s in ("top", "b", "c", "d"))
    assert b[0] == c[0] == 1
    assert abs(b[2] - c[2]) < 1, "side by side: the same top"
    assert c[1] >= b[1] + b[3] - 1 and c[1] + c[3] <= top[1] + top[3] + 1, "c right of b, inside the type area"
    assert d[2] >= max(b[2] + b[4], c[2] + c[4]) - 1 and abs(d[1] - b[1]) < 1, "d starts a new row at the left"


def test_odd_yaml_tag_in_a_layout_hint_is_not_a_crash(tmp_path: Path) -> None:
    """`place: {a: !!bool maybe}` made PyYAML's constructor raise KeyError: exit 3 (internal error)."""
    from kanwu.cli import main

    issue = write(tmp_path, """\
        layout: bulletin-a4
        stories:
          - id: a
            headline: 标题
            place: {a: !!bool maybe, b: !!int x}
            body: 正文。
        """)
    story = load_issue(issue).stories[0]
    assert story.place == {"a": "maybe", "b": "x"}
    assert main(["check", str(issue)]) == 0


def test_place_hints_that_cannot_be_honoured_are_reported(write_issue, tmp_path):
    from kanwu.build import build

    path = write_issue(MINIMAL_A3_WIDE)
    result = build(path, tmp_path / "out", write=False)
    assert [f.story for f in result.report.findings if f.code == "place-ignored"] == ["one"]


MINIMAL_A3_WIDE = MINIMAL.replace("layout: bulletin-a4", "layout: tabloid-a3").replace(
    "    headline: 测试标题\n", "    headline: 测试标题\n    place: {columns: 9}\n")


def test_a_picture_that_cannot_be_converted_is_left_out(monkeypatch, tmp_path):
    """A failed CMYK conversion is one clear error; the RGB original never reaches the page."""
    import kanwu.colour
    from kanwu.build import build
    from paths import SEED

    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))

    def broken(*args, **kwargs):
        raise OSError("simulated LittleCMS failure")

    monkeypatch.setattr(kanwu.colour, "convert", broken)
    result = build(SEED, tmp_path / "out", png=False)
    codes = {f.code for f in result.report.findings if f.level == "error"}
    assert codes == {"colour-conversion"}, codes
    assert "print" not in result.written


def test_an_office_font_in_fonts_overrides_a_role(write_issue, tmp_path):
    """A font file in fonts/ named as a layout names it (方正小标宋简体) sets that role."""
    import subprocess

    from fontTools.ttLib import TTFont

    from kanwu.build import build
    from kanwu.fonts import resolve_fonts
    from kanwu.layout.spec import load_layout

    source = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
    if not source.exists():
        pytest.skip("fonts-lxgw-wenkai is not installed")
    issue = write_issue()
    (issue.parent / "fonts").mkdir()
    font = TTFont(str(source), lazy=True)
    name = font["name"]  # a stand-in for the office's licensed 方正小标宋
    name.names = [r for r in name.names if not (r.nameID in (1, 4, 16, 17) and r.platformID != 3)]
    for rec in name.names:
        if rec.nameID in (1, 4, 16):
            rec.string = "方正小标宋简体"
    font.save(str(issue.parent / "fonts" / "office.ttf"))
    fonts = resolve_fonts(load_layout("bulletin-a4", issue.parent), issue.parent)
    assert fonts["headline"].office and Path(fonts["headline"].path).parent == issue.parent / "fonts"
    result = build(issue, tmp_path / "out", png=False)
    assert result.report.ok, [f.message for f in result.report.findings if f.level == "error"]
    names = subprocess.run(["pdffonts", str(result.written["print"])], capture_output=True, text=True).stdout
    assert "方正小标宋简体" in names  # the headline and masthead are set in the office's file, embedded


def test_layout_css_weasyprint_cannot_draw_is_a_layout_error(write_issue, tmp_path):
    """A gradient between device-cmyk() colours (WeasyPrint 70 draws gradients in sRGB only)."""
    from kanwu.build import build
    from kanwu.errors import KanwuError

    issue = write_issue(MINIMAL.replace("layout: bulletin-a4", "layout: grad"))
    layout = issue.parent / "layouts" / "grad"
    layout.mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: bulletin-a4\n", encoding="utf-8")
    (layout / "style.css.j2").write_text(
        "body { background: linear-gradient(device-cmyk(0 0 0 0.1), device-cmyk(0 0 0 0.3)); }\n", encoding="utf-8")
    with pytest.raises(KanwuError) as info:
        build(issue, tmp_path / "out", png=False)
    assert "grad" in str(info.value) and "gradient" in str(info.value)
