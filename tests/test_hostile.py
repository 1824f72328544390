"""Hostile input (issue #6): text is data, and nothing is ever fetched from outside.

A listener on 127.0.0.1 (an ephemeral port, only that address) counts every
connection; builds whose text and whose layout point at it must leave it at 0.
"""
from __future__ import annotations

import base64
import re
import shutil
import socket
import threading
from pathlib import Path

import pypdf
import pytest
import yaml

from kanwu.build import build
from kanwu.errors import KanwuError
from kanwu.load import load_issue
from kanwu.wpext import MAX_DATA_URL, make_fetcher

from paths import MINIMAL, ROOT


class Listener:
    """A TCP listener on 127.0.0.1 that records (and drops) every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.connections.append(addr)
            conn.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    # the listener works: a real connection is seen
    with socket.create_connection(("127.0.0.1", lst.port), timeout=2):
        pass
    for _ in range(50):
        if lst.connections:
            break
        threading.Event().wait(0.02)
    assert len(lst.connections) == 1
    lst.connections.clear()
    yield lst
    lst.close()


def pdf_text(path: Path) -> str:
    """All text of a PDF without whitespace (lines and Han–Latin spaces break the markers)."""
    text = "".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", "", text)


# --- text is data ----------------------------------------------------------------------------

FIELDS = ["name", "publisher", "editor", "permit", "contact", "sendto", "copyto", "page1", "page2",
          "column", "kicker", "headline", "subheadline", "byline", "lead", "bodyp", "bodyh", "bodyli",
          "bodyq", "caption", "credit"]


def hostile(tag: str, port: int) -> str:
    """HTML, a fetch, a file: link and Jinja, all marked with `tag`."""
    return (f"<script>{tag}</script><img src=http://127.0.0.1:{port}/{tag}.png>"
            f"<link href=file:///etc/passwd>{{{{ 7*7 }}}}{{% if 1 %}}{tag}{{% endif %}}")


def hostile_issue(folder: Path, port: int) -> Path:
    h = lambda tag: hostile(tag, port)  # noqa: E731
    doc = {
        "kanwu": 1,
        "publication": {k: h(k) for k in ("name", "publisher", "editor", "permit", "contact")},
        "issue": {"number": 1, "date": "2024-05-01"},
        "layout": "tabloid-a3",
        "distribution": {"send_to": h("sendto"), "copy_to": h("copyto")},
        "pages": [{"title": h("page1"), "stories": ["one"]}, {"title": h("page2"), "stories": ["two"]}],
        "stories": [
            {"id": "one", **{k: h(k) for k in ("column", "kicker", "headline", "subheadline", "byline", "lead")},
             "body": f"{h('bodyp')}\n\n## {h('bodyh')}\n\n- {h('bodyli')}\n\n> {h('bodyq')}\n",
             "images": [{"caption": h("caption"), "credit": h("credit")}]},
            {"id": "two", "headline": "第二篇", "body": "第二篇正文。\n"},
        ],
    }
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_builds(tmp_path_factory, listener):
    folder = tmp_path_factory.mktemp("hostile")
    path = hostile_issue(folder, listener.port)
    out = {}
    for layout in ("tabloid-a3", "bulletin-a4"):
        result = build(path, folder / layout, layout=layout)
        out[layout] = (result, pdf_text(result.written["proof"]))
    return out


def test_html_and_jinja_in_every_text_field_print_as_typed(hostile_builds, listener):
    printed = set()
    for layout, (result, text) in hostile_builds.items():
        for tag in FIELDS:
            assert f">49{tag}" not in text, layout  # what {{ 7*7 }}{% if 1 %}tag{% endif %} would render to
            if f"<script>{tag}</script>" in text:
                printed.add(tag)
                assert f"<script>{tag}</script><imgsrc=http://127.0.0.1:{listener.port}/{tag}.png>" in text
                assert "<linkhref=file:///etc/passwd>{{7*7}}{%if1%}" + tag + "{%endif%}" in text
    # every field a layout prints came out literally (a page title shows in the running head of
    # later pages; distribution lines only in the A4 bulletin)
    assert printed >= set(FIELDS) - {"page1"}, set(FIELDS) - printed
    assert not listener.connections


def test_no_refused_url_came_from_text(hostile_builds):
    # the <img src=http...> typed in the text is text: WeasyPrint was never asked for it
    for result, _ in hostile_builds.values():
        assert not [f for f in result.report.findings if f.code == "refused-url"]


def test_remote_image_src_is_refused(write_issue, listener):
    path = write_issue(MINIMAL + f"    images:\n      - src: {listener.url('a.jpg')}\n")
    with pytest.raises(KanwuError) as info:
        load_issue(path)
    (f,) = info.value.findings
    assert str(f).startswith(f"{path}:14:14: error:") and "kanwu never fetches from the network" in str(f)
    assert not listener.connections


# --- the URL fetcher -------------------------------------------------------------------------

@pytest.fixture
def sandbox(tmp_path, tmp_path_factory):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p { color: red }", encoding="utf-8")
    (allowed / "sub").mkdir()
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("secret", encoding="utf-8")
    (allowed / "link.txt").symlink_to(outside / "secret.txt")
    return allowed, outside, make_fetcher([allowed])


def test_fetcher_serves_allowed_files(sandbox):
    allowed, _, fetcher = sandbox
    resp = fetcher.fetch((allowed / "ok.css").as_uri())
    assert resp.read() == b"p { color: red }" and resp.content_type == "text/css"
    small = "data:text/plain;base64," + base64.b64encode(b"hello").decode()
    assert fetcher.fetch(small).read() == b"hello"
    assert fetcher.refused == []


def test_fetcher_refuses_everything_else(sandbox, listener):
    allowed, outside, fetcher = sandbox
    refused = [
        listener.url("x.css"), f"https://127.0.0.1:{listener.port}/x.css", f"ftp://127.0.0.1:{listener.port}/x",
        f"//127.0.0.1:{listener.port}/x.css", "file:///etc/passwd", (outside / "secret.txt").as_uri(),
        (allowed / "link.txt").as_uri(),  # a symlink inside pointing out
        allowed.as_uri() + "/../" + outside.name + "/secret.txt",
        allowed.as_uri() + "/%2e%2e/%2e%2e/etc/passwd",
        (allowed / "sub").as_uri(),  # a folder
        "data:text/plain;base64," + "A" * (MAX_DATA_URL + 4),
    ]
    for url in refused:
        with pytest.raises(Exception):
            fetcher.fetch(url)
    assert len(fetcher.refused) == len(refused)
    assert not listener.connections


EVIL_DOCUMENT = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<link rel="stylesheet" href="{u}/link.css">
<link rel="attachment" href="{u}/attached.bin">
<link rel="attachment" href="file:///etc/passwd">
<style>
@import url({u}/import.css);
@font-face {{ font-family: Evil; src: url({u}/font.ttf); }}
{{{{ font_faces }}}}
{{% include "base.css.j2" %}}
{{% include "style.css.j2" %}}
body {{ background: url({u}/a.png); }}
h1::before {{ content: url({u}/before.png); }}
p {{ background-image: url(file:///etc/passwd); }}
</style></head>
<body>
<img src="{u}/img.png"><img src="file:///etc/hostname"><img src="data:image/png;base64,{big}">
<object data="{u}/object.svg"></object><embed src="{u}/embed.svg">
<a rel="attachment" href="{u}/a-attachment.bin">附件</a>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="{u}/svg-image.png"/></svg>
{{% include "content.html.j2" %}}
</body></html>
"""


def test_a_layout_that_points_outside_reaches_nothing(tmp_path, listener):
    evil = tmp_path / "layouts" / "evil"
    evil.mkdir(parents=True)
    (evil / "layout.yaml").write_text("title: evil\nextends: bulletin-a4\n", encoding="utf-8")
    u = f"http://127.0.0.1:{listener.port}"
    (evil / "document.html.j2").write_text(
        EVIL_DOCUMENT.format(u=u, big="A" * (MAX_DATA_URL + 100)), encoding="utf-8")
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("layout: bulletin-a4", "layout: evil"), encoding="utf-8")
    result = build(issue, tmp_path / "out")
    assert not listener.connections, listener.connections
    refused = {f.message.split(" ")[0] for f in result.report.findings if f.code == "refused-url"}
    joined = " ".join(f.message for f in result.report.findings if f.code == "refused-url")
    for what in ("import.css", "link.css", "font.ttf", "a.png", "img.png", "object.svg", "embed.svg",
                 "file:///etc/passwd", "file:///etc/hostname", "data:image/png"):
        assert what in joined, (what, joined)
    assert refused and result.exit_code == 1  # refused URLs are errors in the report
    # no attachment made it into the PDF (the proof's own snapshot of the sources may be there)
    proof = result.written["proof"]
    names = set(pypdf.PdfReader(proof).attachments)
    assert not names & {"attached.bin", "a-attachment.bin", "passwd"}, names
    assert (b"root:x:0" in proof.read_bytes()) is False


def test_layout_templates_are_sandboxed(tmp_path):
    evil = tmp_path / "layouts" / "evil"
    evil.mkdir(parents=True)
    (evil / "layout.yaml").write_text("title: evil\nextends: bulletin-a4\n", encoding="utf-8")
    (evil / "content.html.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__()|length }}",  # fine for plain Jinja: lists all classes
        encoding="utf-8")
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("layout: bulletin-a4", "layout: evil"), encoding="utf-8")
    with pytest.raises(KanwuError) as info:
        build(issue, write=False)
    assert "layout template error" in str(info.value) and "unsafe" in str(info.value)


def test_the_readme_states_the_security_model():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What kanwu reads and never does", 1)[1].split("\n## ", 1)[0]
    for words in ("network", "file:", "data:", "symbolic link", "Jinja", "sandbox"):
        assert words in section, words


def test_seed_images_still_load(tmp_path):
    """Regression guard for the path checks: a copied issue folder with its pictures works."""
    shutil.copytree(ROOT / "issues", tmp_path / "issues")
    issue = load_issue(tmp_path / "issues" / "siping-2020-12.yaml")
    assert all(im.src and im.src.is_file() for s in issue.stories for im in s.images)
