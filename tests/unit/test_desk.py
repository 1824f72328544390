"""The desk's parts without a server: where a finding sits on its page, the source lines it names."""
from __future__ import annotations

from pathlib import Path

import pytest

from kanwu.desk.places import Locator, Place
from kanwu.desk.source import NotShown, excerpt, position
from kanwu.errors import FATAL, Finding, Pos


@pytest.fixture(scope="module")
def seed(seed_a3):
    """The seed's A3 plan and report."""
    return Locator(seed_a3.plan), seed_a3.report


def inside(small: Place, big: Place) -> bool:
    return (small.page == big.page and big.x <= small.x and big.y <= small.y
            and small.x + small.w <= big.x + big.w + 0.01 and small.y + small.h <= big.y + big.h + 0.01)


def test_a_picture_s_finding_sits_on_the_picture(seed) -> None:
    locate, _ = seed
    placed = locate.plan.pictures[0]
    f = Finding("warning", "low-resolution", "…", placed.picture.image.pos, story=placed.story, page=placed.page)
    assert locate.finding(f) == Place(placed.page, *locate.plan.on_trim(placed.picture.frame))


def test_an_overset_story_is_framed_where_it_runs_out(seed) -> None:
    locate, _ = seed
    f = Finding("error", "overset", "…", Pos("x.yaml", 3, 5), story="frontline", page=2)
    modules = [p for p in locate.story("frontline") if p.page == 2]
    assert modules and locate.finding(f) == modules[-1]


def test_a_finding_in_a_body_file_sits_on_its_paragraph(seed) -> None:
    locate, report = seed
    f = next(f for f in report.findings if f.pos and f.pos.file.endswith("lead.md") and f.pos.line > 3)
    place = locate.finding(f)
    story = locate.story("lead")[0]
    assert place is not None and inside(place, story)
    assert place.w < story.w / 2 and place.h < story.h / 2  # a column's paragraph, not the whole story
    # a later line of the same file is in a paragraph at least as far on
    later = Finding(f.level, f.code, f.message, Pos(f.pos.file, f.pos.line + 4, 1), story="lead")
    assert locate.finding(later) != place


def test_a_page_s_finding_covers_its_type_area_and_a_setting_s_sits_nowhere(seed) -> None:
    locate, _ = seed
    g = locate.plan.grid
    assert locate.finding(Finding("warning", "underfull-page", "…", Pos("x.yaml", 20, 5), page=2)) == \
        Place(2, g.left, g.top, g.width, g.height)
    assert locate.finding(Finding("warning", "cache-unwritable", "…")) is None
    assert locate.finding(Finding("warning", "x", "…", page=99)) is None


def test_a_place_in_per_cent_of_the_trim() -> None:
    doc = Place(2, 42.0, 60.0, 100.0, 300.0).as_json((840.0, 1200.0))
    assert (doc["left"], doc["top"], doc["width"], doc["height"]) == (5.0, 5.0, 11.905, 25.0)
    assert (doc["page"], doc["x"], doc["w"]) == (2, 42.0, 100.0)


def test_the_lines_around_a_finding(tmp_path: Path) -> None:
    (tmp_path / "body.md").write_text("".join(f"第{n}行\n" for n in range(1, 21)), encoding="utf-8")
    shown = excerpt(Pos("issue/../body.md", 10, 2), tmp_path, tmp_path / "issue" / "..", around=2)
    assert (shown.first, shown.lines) == (8, ("第8行", "第9行", "第10行", "第11行", "第12行"))
    assert excerpt(Pos("body.md", 1, 0), tmp_path, tmp_path, around=2).lines == ("第1行", "第2行", "第3行")


def test_only_the_issue_s_own_files_are_shown(tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    issue.mkdir()
    (tmp_path / "secret.md").write_text("secret\n", encoding="utf-8")
    (issue / "link.md").symlink_to(tmp_path / "secret.md")
    (issue / "folder").mkdir()
    (issue / "gbk.md").write_bytes("中文\n".encode("gb18030"))
    for name in ("../secret.md", str(tmp_path / "secret.md"), "link.md", "folder", "gbk.md", "missing.md"):
        with pytest.raises(NotShown):
            excerpt(Pos(name, 1, 1), issue, issue)
    with pytest.raises(NotShown):
        excerpt(Pos("link.md", 0, 0), issue, issue)  # no line: nothing to show


def test_the_position_of_a_preformatted_message() -> None:
    syntax = Finding("error", FATAL, "a/issue.yaml:8:8: error: YAML 语法错误 / YAML syntax error")
    assert position(syntax) == Pos("a/issue.yaml", 8, 8)
    assert position(Finding("error", FATAL, "issue.yaml: error: 没有指定版式")) is None
    assert position(Finding("warning", "x", "a.md:3:1: error: no", Pos("b.md", 2, 1))) == Pos("b.md", 2, 1)


def test_ctrl_c_stops_the_desk_even_when_it_lands_in_a_finalizer(monkeypatch) -> None:
    """A KeyboardInterrupt raised while a library's ``__del__`` runs is lost (Python prints it as ignored):
    the desk then stops through the event, and nothing is printed."""
    import gc
    import signal
    import sys
    import threading

    from kanwu.desk.server import stop_on_signals

    class Collected:
        def __del__(self) -> None:
            signal.raise_signal(signal.SIGINT)

    before = signal.getsignal(signal.SIGINT)
    printed: list[object] = []  # what Python would print as "Exception ignored in ..."
    monkeypatch.setattr(sys, "unraisablehook", printed.append)
    stop = threading.Event()
    restore = stop_on_signals(stop)
    try:
        Collected()
        gc.collect()
        assert stop.is_set()
        stop.clear()
        with pytest.raises(KeyboardInterrupt):  # anywhere else it interrupts at once
            signal.raise_signal(signal.SIGINT)
        assert stop.is_set()
    finally:
        restore()
    assert signal.getsignal(signal.SIGINT) is before and sys.unraisablehook == printed.append
    assert printed == []


def test_no_browser_is_started_without_a_desktop(monkeypatch) -> None:
    """On a server or over SSH, Python's webbrowser would start a text browser in kanwu's terminal."""
    import sys
    import webbrowser

    from kanwu.desk.server import open_in_browser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    assert open_in_browser("http://127.0.0.1:1/") is False and opened == []
    monkeypatch.setenv("DISPLAY", ":0")
    assert open_in_browser("http://127.0.0.1:1/") is True and opened == ["http://127.0.0.1:1/"]
