"""kanwu serve over HTTP: loopback only, only the build's own files, the state and the source lines,
a failed build keeping the last good pages. (The page itself is tested in a browser:
test_serve_browser.py.)"""
from __future__ import annotations

import http.client
import json
import os
import socket
import time
from pathlib import Path

import pytest

from kanwu.cli import main
from kanwu.desk.server import Desk
from kanwu.errors import KanwuError
from paths import MINIMAL

ISSUE = MINIMAL.replace("headline: 测试标题", "headline: 测试标题,逗号")  # an ASCII comma: a finding on line 10


def get(desk: Desk, path: str, host: str | None = None) -> tuple[int, bytes, http.client.HTTPMessage]:
    """GET `path` exactly as written (no normalisation of ``..``)."""
    conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or f"127.0.0.1:{desk.port}")
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, answer.read(), answer.headers
    finally:
        conn.close()


def state(desk: Desk) -> dict:
    status, data, _ = get(desk, "/api/state")
    assert status == 200
    return json.loads(data)


def touch(path: Path) -> None:
    """Make the file's change visible to the watcher even within one clock tick."""
    later = time.time() + 2
    os.utime(path, (later, later))


def opened(folder: Path) -> Desk:
    """A desk over a small issue in `folder`, its first build done; the builds run in the test's thread
    (`outcomes` gives the next one)."""
    issue = folder / "issue.yaml"
    issue.write_text(ISSUE, encoding="utf-8")
    running = Desk(issue, folder / "out", use_cache=False).__enter__()
    running.outcomes = running.builds()  # type: ignore[attr-defined]
    first = next(running.outcomes)  # type: ignore[attr-defined]
    assert not isinstance(first, Exception), first
    return running


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory):
    """One desk for the tests that only read from it."""
    running = opened(tmp_path_factory.mktemp("desk"))
    yield running
    running.close()


@pytest.fixture
def own_desk(tmp_path: Path):
    """A desk of the test's own, to change its files."""
    running = opened(tmp_path)
    yield running
    running.close()


def test_it_listens_on_the_loopback_address_only(desk: Desk) -> None:
    assert desk.httpd.socket.getsockname()[0] == "127.0.0.1"
    assert desk.url == f"http://127.0.0.1:{desk.port}/"
    # every 127.x address is this computer too: a server on 0.0.0.0 would answer on 127.0.0.2
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", desk.port), timeout=2).close()


def test_the_page_the_pages_and_the_downloads_are_served(desk: Desk) -> None:
    status, page, headers = get(desk, "/")
    assert status == 200 and b"/static/desk.js" in page
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for name in ("desk.js", "desk.css"):
        assert get(desk, f"/static/{name}")[0] == 200
    view = state(desk)["view"]
    assert [p["number"] for p in view["pages"]] == [1]
    status, png, headers = get(desk, view["pages"][0]["url"])
    assert status == 200 and png.startswith(b"\x89PNG") and headers["Content-Type"] == "image/png"
    kinds = {d["kind"]: d["url"] for d in view["downloads"]}
    assert {"proof", "print", "report"} <= set(kinds)
    assert get(desk, kinds["proof"])[1].startswith(b"%PDF")
    assert get(desk, kinds["print"])[1].startswith(b"%PDF")
    assert json.loads(get(desk, kinds["report"])[1])["ok"] is True


def test_a_finding_has_its_place_on_the_page_and_its_source_lines(desk: Desk) -> None:
    view = state(desk)["view"]
    comma = next(f for f in view["findings"] if f["code"] == "normalized-punctuation")
    assert (comma["story"], comma["line"]) == ("one", 10)
    place = comma["place"]
    assert place["page"] == 1 and 0 <= place["left"] < place["left"] + place["width"] <= 100
    assert place["top"] + place["height"] <= 100 and place["w"] > 0 and place["h"] > 0
    status, data, _ = get(desk, f"/api/source?build={view['build']}&finding={comma['index']}")
    source = json.loads(data)
    assert status == 200 and source["line"] == 10
    assert any(line["number"] == 10 and "测试标题,逗号" in line["text"] for line in source["lines"])
    # the findings of an older build are not looked up in a newer one
    assert get(desk, f"/api/source?build=old&finding={comma['index']}")[0] == 409
    assert get(desk, f"/api/source?build={view['build']}&finding=999")[0] == 404


@pytest.mark.parametrize("path", [
    "/files/../issue.yaml", "/files/%2e%2e/issue.yaml", "/files/..%2fissue.yaml", "/files/issue.yaml",
    "/files//etc/passwd", "/files/%2Fetc%2Fpasswd", "/files/", "/files/.", "/static/../server.py",
    "/static/server.py", "/static/", "/etc/passwd", "/../../etc/passwd", "/issue.yaml", "/api/../issue.yaml",
])
def test_nothing_but_the_build_s_own_files_is_served(desk: Desk, path: str) -> None:
    status, data, _ = get(desk, path)
    assert status == 404, (path, data[:200])


def test_a_file_planted_in_the_output_folder_or_a_link_out_of_it_is_not_served(own_desk: Desk, tmp_path: Path) -> None:
    desk = own_desk
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    (tmp_path / "out" / "planted.txt").write_text("planted", encoding="utf-8")
    assert get(desk, "/files/planted.txt")[0] == 404
    page = state(desk)["view"]["pages"][0]["url"]
    png = tmp_path / "out" / "issue.page-1.png"
    assert get(desk, page)[0] == 200
    png.unlink()
    png.symlink_to(secret)  # the build's own name, now pointing out of the folder
    status, data, _ = get(desk, page)
    assert status == 404 and b"secret" not in data


def test_the_desk_answers_nothing_but_reading(desk: Desk) -> None:
    """The desk changes nothing: any other method than GET and HEAD is not implemented."""
    for method in ("POST", "PUT", "DELETE"):
        conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)
        conn.request(method, "/api/state", body=b"{}")
        assert conn.getresponse().status == 501
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)
    conn.request("HEAD", "/")
    answer = conn.getresponse()
    assert answer.status == 200 and answer.read() == b"" and int(answer.headers["Content-Length"]) > 0
    conn.close()


def test_a_request_for_another_host_name_is_refused(desk: Desk) -> None:
    """A web page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) cannot read the desk."""
    assert get(desk, "/api/state", host="attacker.example")[0] == 403
    assert get(desk, "/", host=f"attacker.example:{desk.port}")[0] == 403
    assert get(desk, "/api/state", host=f"localhost:{desk.port}")[0] == 200


def test_a_failed_build_keeps_the_last_good_pages_with_the_error(own_desk: Desk) -> None:
    desk = own_desk
    good = state(desk)["view"]
    issue = desk.issue_file
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("layout: bulletin-a4", "layout: [broken"), encoding="utf-8")
    touch(issue)
    assert isinstance(next(desk.outcomes), KanwuError)
    now = state(desk)
    assert now["failed"] and "issue.yaml" in now["failed"][0]["where"] + now["failed"][0]["message"]
    assert now["view"]["build"] == good["build"]
    assert get(desk, good["pages"][0]["url"])[0] == 200  # the last good pages are still there
    status, data, _ = get(desk, "/api/source?failed=0")  # YAML finds the open [ on the next line
    source = json.loads(data)
    assert status == 200 and source["line"] == 8
    assert [line["text"] for line in source["lines"] if line["number"] == 7] == ["layout: [broken"]
    issue.write_text(text.replace("测试标题,逗号", "新的标题"), encoding="utf-8")
    touch(issue)
    assert not isinstance(next(desk.outcomes), Exception)
    now = state(desk)
    assert not now["failed"] and now["view"]["build"] != good["build"]
    assert [s["headline"] for s in now["view"]["stories"]] == ["新的标题"]


def test_a_rebuild_shows_its_new_pages_before_its_files_are_written(own_desk: Desk, monkeypatch) -> None:
    """The desk builds through a resident session: a save redraws the changed page only, and its pages and
    findings are on the page (served from memory) as soon as the previews are ready, before the proof and
    the files; then the build's files replace them. Unchanged pages' files stay those of the build."""
    desk = own_desk
    good = state(desk)["view"]
    shown: list[tuple[str, dict[str, bytes], bool]] = []
    update = desk.state.update

    def seen(**changes):
        if changes.get("view") is not None:
            view = changes["view"]
            proof = desk.out_dir / "issue.proof.pdf"
            shown.append((view.build, dict(view.memory), proof.stat().st_mtime_ns))
            if view.memory:  # served from memory while it is the latest
                update(**changes)
                name = next(iter(view.memory))
                status, data, headers = get(desk, view.url(name))
                assert status == 200 and data == view.memory[name] and headers["Content-Type"] == "image/png"
                return None
        return update(**changes)

    monkeypatch.setattr(desk.state, "update", seen)
    before = (desk.out_dir / "issue.proof.pdf").stat().st_mtime_ns
    issue = desk.issue_file
    issue.write_text(issue.read_text(encoding="utf-8").replace("第一段文字", "第一段新的文字"), encoding="utf-8")
    touch(issue)
    assert not isinstance(next(desk.outcomes), Exception)
    assert desk.session.changed == [1]
    (early, pages, stamp), (final, no_pages, _) = shown
    assert pages and stamp == before  # shown before the proof was written again
    assert final != early != good["build"] and not no_pages
    for name, png in pages.items():
        assert (desk.out_dir / name).read_bytes() == png  # the files the build wrote show the same pages
    assert state(desk)["view"]["build"] == final


def test_the_event_stream_announces_the_state(desk: Desk) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)
    conn.request("GET", "/api/events")
    answer = conn.getresponse()
    assert answer.headers["Content-Type"].startswith("text/event-stream")
    assert answer.fp.readline() == b"event: state\n"
    assert answer.fp.readline() == f"data: {desk.state.version}\n".encode()
    desk.state.update(building=False)  # a change is sent at once
    answer.fp.readline()
    assert answer.fp.readline() == b"event: state\n"
    conn.close()


def test_after_closing_nothing_listens(write_issue, tmp_path: Path) -> None:
    desk = Desk(write_issue(ISSUE), tmp_path / "out")
    with desk:
        port = desk.port
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_port_in_use_or_a_missing_issue_is_an_input_error(desk: Desk, write_issue, tmp_path: Path, capsys) -> None:
    with pytest.raises(KanwuError) as info:
        Desk(write_issue(ISSUE), tmp_path / "out", port=desk.port)
    assert info.value.exit_code == 2 and "--port" in str(info.value)
    assert main(["serve", str(tmp_path / "issue.yaml"), "--no-open", "--port", str(desk.port)]) == 2
    assert main(["serve", str(tmp_path / "nothing.yaml"), "--no-open"]) == 2
    assert "nothing.yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["serve", str(tmp_path / "issue.yaml"), "--port", "70000"])
    assert usage.value.code == 2
