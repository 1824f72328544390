"""The settings page makeup reads from ``layout.yaml`` (``makeup.*``, ``masthead.lines``,
``headline.scale``, ``photos.*``, indents, line heights, ``print.*``) are checked when the layout loads.

An office copies a layout folder and edits it by hand; before, only the page sizes, fonts and
palette were checked, and a wrong value went on into makeup: ``module_gap: -5``, ``masthead: {lines:
5000}``, ``photos: {columns: 0}``, a ``heading.indent`` wider than a column or a word where a number
belongs crashed (exit 3, IndexError, ZeroDivisionError, "negative dimensions"), ``body.leading:
0.01pt`` ran for ever, ``print.variant: pdf/x1a`` silently made PDF/X-4. Now each is a layout
error naming the layout.yaml and the key (exit 2), and a value at the edge of its range builds.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kanwu.build import build
from kanwu.errors import KanwuError

from deadline import deadline
from paths import MINIMAL

ISSUE = MINIMAL.replace("layout: bulletin-a4", "layout: own") + """\
    lead: 导语文字，这是一段导语。
    subheadline: 副题文字
  - id: two
    column: 社区动态
    kicker: 引题
    headline: 第二篇稿件的标题
    body: |
      ## 小标题

      第二篇的第一段文字，写得长一些，让它排成好几行，看看栏里能不能放下。

      > 引文段落，用楷体排。

      - 列表的一项
    images:
      - {src: pic.png, caption: 图片说明}
"""

BAD = [  # (layout.yaml keys, the layout it extends, what the message names)
    ("makeup: {module_gap: -5}", "tabloid-a3", "makeup.module_gap"),
    ("makeup: {module_gap: banana}", "bulletin-a4", "makeup.module_gap"),
    ("makeup: {min_jump_lines: -3}", "tabloid-a3", "makeup.min_jump_lines"),
    ("makeup: {keep_lines: 1.5}", "tabloid-a3", "makeup.keep_lines"),
    ("makeup: {page_multiple: 0}", "tabloid-a3", "makeup.page_multiple"),
    ("makeup: {min_fill: .nan}", "bulletin-a4", "makeup.min_fill"),
    ("makeup: {builder: banana}", "bulletin-a4", "makeup.builder"),
    ("makeup: {cost: [1, 2]}", "tabloid-a3", "makeup.cost"),
    ("makeup: {cost: {fill: abc}}", "tabloid-a3", "makeup.cost.fill"),
    ("makeup: {cost: {fill: -1e308}}", "tabloid-a3", "makeup.cost.fill"),
    ("makeup: {cost: {fil: 0.3}}", "tabloid-a3", "makeup.cost.fil"),
    ("masthead: {lines: 5000}", "tabloid-a3", "masthead.lines"),
    ("masthead: {lines: abc}", "bulletin-a4", "masthead.lines"),
    ("masthead: {lines: -10}", "tabloid-a3", "masthead.lines"),
    ("headline: {scale: [0pt]}", "tabloid-a3", "headline.scale"),
    ("headline: {scale: abc}", "bulletin-a4", "headline.scale"),
    ("headline: {max_lines: 0}", "tabloid-a3", "headline.max_lines"),
    ("headline: {line_height: -1}", "tabloid-a3", "headline.line_height"),
    ("tag: {line_height: abc}", "tabloid-a3", "tag.line_height"),
    ("kicker: {size: 0pt}", "tabloid-a3", "kicker.size"),
    ("photos: {columns: 0}", "bulletin-a4", "photos.columns"),
    ("grid: {columns: 7}\nheading: {indent: 0}", "bulletin-a4", "photos.columns"),  # the A4 flow's picture parts: < 0 wide
    ("photos: {crop: 1.5}", "tabloid-a3", "photos.crop"),
    ("photos: {aspect: 0}", "tabloid-a3", "photos.aspect"),
    ("photos: {max_share: -1}", "tabloid-a3", "photos.max_share"),
    ("heading: {indent: 1000}", "tabloid-a3", "heading.indent"),
    ("heading: {align: middle}", "bulletin-a4", "heading.align"),
    ("body: {indent: 1e9}", "bulletin-a4", "body.indent"),
    ("body: {quote_indent: 1000}", "tabloid-a3", "body.quote_indent"),
    ("body: {size: 0pt}", "tabloid-a3", "body.size"),
    ("body: {leading: 0pt}", "bulletin-a4", "body.leading"),
    ("body: {leading: 0.01pt}", "tabloid-a3", "body.leading"),
    ("body: {size: 500pt}", "tabloid-a3", "body.size"),
    ("page: {width: 1pt}", "bulletin-a4", "page.width"),
    ("page: {width: .nan}", "bulletin-a4", "page.width"),
    ("page: {height: 100000mm}", "bulletin-a4", "page.height"),
    ("page: {bleed: 1000mm}", "tabloid-a3", "page.bleed"),
    ("page: {margin: {left: 200mm}}", "bulletin-a4", "page.margin"),
    ("grid: {columns: 12, gutter: 100mm}", "tabloid-a3", "grid.gutter"),
    ("grid: {rules: maybe}", "tabloid-a3", "grid.rules"),
    ("print: {ink_limit: abc}", "tabloid-a3", "print.ink_limit"),
    ("print: {min_ppi: 0}", "tabloid-a3", "print.min_ppi"),
    ("print: {variant: pdf/x1a}", "tabloid-a3", "print.variant"),
    ("print: {marks: perhaps}", "tabloid-a3", "print.marks"),
    ("palette: [1, 2]", "tabloid-a3", "palette"),
]

EDGES = [  # values at the edge of their range: they build
    ("makeup: {module_gap: 0, keep_lines: 0, min_jump_lines: 0, min_fill: 0, page_multiple: 1}", "tabloid-a3"),
    ("makeup: {module_gap: 10, keep_lines: 20, min_jump_lines: 200, min_fill: 1, page_multiple: 16}", "tabloid-a3"),
    ("makeup: {cost: {fill: 0, order: 100, shape: 0, pictures: 100}}", "tabloid-a3"),
    ("masthead: {lines: 26}", "tabloid-a3"),
    ("masthead: {lines: 0}", "bulletin-a4"),
    ("headline: {scale: [200pt], max_lines: 1, line_height: 0.5}", "tabloid-a3"),
    ("photos: {crop: 0.9, aspect: 10, max_share: 0, columns: 1}", "bulletin-a4"),
    ("photos: {crop: 0, aspect: 0.1, max_share: 1, columns: 12}", "tabloid-a3"),
    ("grid: {columns: 12, gutter: 1mm}\nbody: {size: 5pt, leading: 5pt, indent: 4, quote_indent: 2}\n"  # 4 characters
     "heading: {indent: 2, size: 5pt}\npage: {width: 106mm, height: 100mm, margin: {left: 5mm, right: 5mm}}",
     "tabloid-a3"),
    ("body: {size: 72pt, leading: 100pt, indent: 4, quote_indent: 4}\nheading: {indent: 4}\nmasthead: {lines: 3}\nphotos: {columns: 4}",
     "bulletin-a4"),
]


def own_layout(tmp_path: Path, keys: str, extends: str) -> Path:
    """An issue beside a layout `own` (extends `extends`) with `keys` added to its layout.yaml."""
    folder = tmp_path / "layouts" / "own"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text(f"title: own\nextends: {extends}\n{keys}\n", encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (1200, 800), (90, 140, 200)).save(tmp_path / "pic.png")
    issue = tmp_path / "issue.yaml"
    issue.write_text(ISSUE, encoding="utf-8")
    return issue


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("keys,extends,key", BAD)
def test_a_wrong_makeup_setting_is_a_layout_error_naming_the_key(tmp_path: Path, keys: str, extends: str,
                                                                 key: str) -> None:
    issue = own_layout(tmp_path, keys, extends)
    with deadline(30), pytest.raises(KanwuError) as info:
        build(issue, write=False)
    assert info.value.exit_code == 2
    message = str(info.value)
    assert f"{tmp_path / 'layouts' / 'own' / 'layout.yaml'}: error:" in message, message
    assert key in message, message


@pytest.mark.parametrize("keys,extends", EDGES)
def test_settings_at_the_edge_of_their_range_build(tmp_path: Path, keys: str, extends: str) -> None:
    issue = own_layout(tmp_path, keys, extends)
    with deadline(60):
        result = build(issue, write=False)
    assert result.report.pages >= 1
