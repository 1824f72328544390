"""Page makeup meets careless and hostile issues: odd place hints, crowded pages, pictures of odd shapes.

Found by hostile testing after the makeup rewrite: ``place: {page: 99999}`` made 99,999 pages (no
end), ``page: -3`` crashed (exit 3), ``position: 7`` or ``jump: maybe`` were silently ignored; a
page plan naming two stories of thirty (the others "follow on the last page") or thirty stories on
one planned page ran for hours (the page's layout search grows with the fourth power of its
stories); a 1 × 10,000-pixel picture took gigabytes and never ended, a 10,000 × 1 one crashed the
A4 bulletin (exit 3). Now each is an input error at its position (exit 2), or a finding, in seconds.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from kanwu.build import build
from kanwu.errors import KanwuError

from deadline import deadline
from inputs import problems
from paths import MINIMAL


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def stories(n: int, extra: str = "", chars: int = 60) -> str:
    """`n` short stories s0 … s(n-1), each with `extra` lines."""
    body = ("社区居民服务工作开展活动，党员志愿者走进街道。" * 10)[:chars]
    return "".join(f"  - id: s{i}\n    headline: 第{i}篇稿件的标题\n{extra}    body: {body}\n" for i in range(n))


def issue_text(layout: str, n: int, extra: str = "", plan: str = "") -> str:
    head = MINIMAL.split("stories:\n")[0].replace("layout: bulletin-a4", f"layout: {layout}")
    return head + plan + "stories:\n" + stories(n, extra)


def refused(issue: Path) -> str:
    """The input error (exit 2) a check of `issue` must raise, within seconds."""
    with deadline(30), pytest.raises(KanwuError) as info:
        build(issue, write=False)
    assert info.value.exit_code == 2, str(info.value)
    return str(info.value)


HINTS = [  # (place, the position of the wrong value, what the message says)
    ("{page: 99999}", ":11:19:", "place.page"),
    ("{page: 0}", ":11:19:", "place.page"),
    ("{page: -3}", ":11:19:", "place.page"),
    ("{page: 2.5}", ":11:19:", "place.page"),
    ("{page: '3'}", ":11:19:", "place.page"),
    ("{columns: '3'}", ":11:22:", "place.columns"),
    ("{position: 7}", ":11:23:", "place.position"),
    ("{position: middle}", ":11:23:", "place.position"),
    ("{jump: maybe}", ":11:19:", "place.jump"),
]


@pytest.mark.parametrize("place,at,key", HINTS)
def test_a_place_hint_with_a_wrong_value_is_an_input_error(write_issue, place: str, at: str, key: str) -> None:
    path = write_issue(MINIMAL.replace("    headline: 测试标题\n", f"    headline: 测试标题\n    place: {place}\n"))
    msgs = problems(path)
    assert any(at in m and key in m for m in msgs), msgs


@pytest.mark.parametrize("place", ["{page: 2}", "{page: 99, columns: 3}", "{position: bottom, jump: false}",
                                   "{position: 顶, jump: no}", "{top: true}", "{columns: 2, note: 编辑自用的提示}"])
def test_right_place_hints_still_load(write_issue, place: str) -> None:
    from kanwu.load import load_issue

    path = write_issue(MINIMAL.replace("    headline: 测试标题\n", f"    headline: 测试标题\n    place: {place}\n"))
    assert load_issue(path).stories[0].place


def test_thirty_stories_on_one_planned_page_is_an_input_error(tmp_path: Path) -> None:
    plan = "pages:\n  - title: 简讯\n    stories: [" + ", ".join(f"s{i}" for i in range(30)) + "]\n"
    issue = tmp_path / "issue.yaml"
    issue.write_text(issue_text("tabloid-a3", 30, plan=plan), encoding="utf-8")
    message = refused(issue)
    assert f"{issue}:9:5: error:" in message and "30" in message, message


def test_stories_left_off_the_plan_do_not_pile_up_on_the_last_page(tmp_path: Path) -> None:
    """An old plan naming two stories, thirty stories below it: the 28 others "follow on the last page"."""
    plan = "pages:\n  - {title: 一版, stories: [s0]}\n  - {title: 二版, stories: [s1]}\n"
    issue = tmp_path / "issue.yaml"
    issue.write_text(issue_text("tabloid-a3", 30, plan=plan), encoding="utf-8")
    message = refused(issue)
    assert f"{issue}:10:5: error:" in message and "page 2 is given 29 stories (28 of them" in message, message


def test_thirty_stories_hinted_onto_one_page_is_an_input_error(tmp_path: Path) -> None:
    issue = tmp_path / "issue.yaml"
    issue.write_text(issue_text("tabloid-a3", 30, extra="    place: {page: 1}\n"), encoding="utf-8")
    message = refused(issue)
    assert "place.page" in message, message


def test_a_full_page_of_briefs_still_builds(tmp_path: Path) -> None:
    """The limit leaves room for a page of briefs (12 stories), made up in seconds."""
    plan = "pages:\n  - title: 简讯\n    stories: [" + ", ".join(f"s{i}" for i in range(12)) + "]\n"
    issue = tmp_path / "issue.yaml"
    issue.write_text(issue_text("tabloid-a3", 12, plan=plan), encoding="utf-8")
    with deadline(60):
        assert build(issue, write=False).report.pages >= 1


@pytest.mark.parametrize("layout", ["tabloid-a3", "bulletin-a4"])
@pytest.mark.parametrize("size", [(1, 10_000), (10_000, 1)])
def test_a_picture_of_an_absurd_shape_is_reported_in_seconds(tmp_path: Path, layout: str, size: tuple[int, int]) -> None:
    Image.new("RGB", size, (200, 60, 60)).save(tmp_path / "strip.png")
    issue = tmp_path / "issue.yaml"
    issue.write_text(issue_text(layout, 2, extra="    images:\n      - {src: strip.png, caption: 长条图片}\n"),
                     encoding="utf-8")
    with deadline(30):
        result = build(issue, write=False)
    errors = [f for f in result.report.findings if f.level == "error"]
    assert errors and not result.report.ok, [str(f) for f in result.report.findings]


@pytest.mark.parametrize("layout", ["tabloid-a3", "bulletin-a4"])
def test_a_body_of_subheads_only_is_set_in_seconds(tmp_path: Path, layout: str) -> None:
    """A body where every line is a ``##`` subhead (an outline pasted as the text): no break between
    subheads is a good one, and the A4 bulletin added empty pages for ever (gigabytes, no end)."""
    subheads = "".join(f"      ## 第{i}部分的小标题\n\n" for i in range(40))
    text = issue_text(layout, 2).replace("    body: ", "    body: |\n" + subheads + "      ", 1)
    issue = tmp_path / "issue.yaml"
    issue.write_text(text, encoding="utf-8")
    with deadline(30):
        result = build(issue, write=False)
    assert 1 <= result.report.pages <= 8, result.report.pages


def test_a_page_plan_of_more_than_99_pages_is_an_input_error(write_issue) -> None:
    """3,000 planned pages took 73 s and 500 MB to check (and a build for ever): a plan has at most 99."""
    plan = "pages:\n" + "".join(f"  - {{title: 版{i}, stories: []}}\n" for i in range(120))
    msgs = problems(write_issue(MINIMAL.replace("stories:\n", plan + "stories:\n", 1)))
    assert any(":108:5:" in m and "99" in m for m in msgs), msgs


def test_a_layout_that_makes_hundreds_of_pages_is_stopped_before_drawing(tmp_path: Path) -> None:
    """A layout of stamp-sized pages (within every setting's range) turned an issue into thousands of
    pages for WeasyPrint; more than 99 pages is an error before anything is drawn."""
    folder = tmp_path / "layouts" / "stamp"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text(
        "extends: bulletin-a4\npage: {width: 50mm, height: 30mm, margin: {top: 2mm, bottom: 2mm, left: 2mm, right: 2mm}}\n"
        "body: {size: 5pt, leading: 5pt}\nheading: {indent: 0}\nmasthead: {lines: 0}\nphotos: {columns: 1}\n",
        encoding="utf-8")
    issue = tmp_path / "issue.yaml"
    issue.write_text(issue_text("stamp", 2).replace("    body: ", "    body: " + "社区居民服务工作开展活动。" * 3000, 1),
                     encoding="utf-8")
    message = refused(issue)
    assert f"{issue}: error:" in message and "99" in message, message
