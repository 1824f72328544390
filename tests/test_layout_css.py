"""WeasyPrint's own warnings about a layout's CSS (issue #10, item 9) are findings, not thrown away.

``margin-top: banana`` in a layout's stylesheet used to build with no finding at all.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kanwu.build import build
from kanwu.errors import Finding

from paths import MINIMAL, SEED_PLACEHOLDERS

STYLE = """\
{# an office's stylesheet #}
.story { margin-top: banana; }
p.note { colr: red; }
h1 { color: {{ 'nope' }}; }
@foo bar;
"""


def own_layout(tmp_path: Path, style: str = STYLE, content: str | None = None) -> Path:
    folder = tmp_path / "layouts" / "own"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: bulletin-a4\n", encoding="utf-8")
    (folder / "style.css.j2").write_text(style, encoding="utf-8")
    if content is not None:
        (folder / "content.html.j2").write_text(content, encoding="utf-8")
    issue = tmp_path / "issue.yaml"
    issue.write_text(MINIMAL.replace("layout: bulletin-a4", "layout: own"), encoding="utf-8")
    return issue


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def css_findings(issue: Path) -> list[Finding]:
    report = build(issue, write=False).report
    return [f for f in report.findings if f.code == "layout-css"]


def test_ignored_css_is_a_warning_at_its_line_in_the_style_file(tmp_path: Path) -> None:
    issue = own_layout(tmp_path)
    found = css_findings(issue)
    style = tmp_path / "layouts" / "own" / "style.css.j2"
    assert all(f.level == "warning" for f in found)
    by_text = {f.message: f for f in found}
    banana = next(f for m, f in by_text.items() if "margin-top: banana" in m)
    assert banana.pos is not None and (banana.pos.file, banana.pos.line) == (str(style), 2), banana
    colr = next(f for m, f in by_text.items() if "colr: red" in m)
    assert (colr.pos.file, colr.pos.line) == (str(style), 3)
    assert "unknown property" in colr.message
    # a value made by the template cannot be traced to a line: the layout is still named
    nope = next(f for m, f in by_text.items() if "color: nope" in m)
    assert nope.pos is not None and str(tmp_path / "layouts" / "own") in nope.pos.file
    assert any("@foo" in m for m in by_text)
    assert len(found) == 4, [str(f) for f in found]


def test_the_same_warning_is_reported_once(tmp_path: Path) -> None:
    """An inline style repeated on every page is one finding, not one per element."""
    issue = own_layout(tmp_path, ".x { }\n", content=(
        "{% for page in pages %}{% for b in page.blocks %}{% for i in range(5) %}"
        "<p style=\"margin-left: banana\">{{ b.story }}</p>{% endfor %}{% endfor %}{% endfor %}\n"))
    found = css_findings(issue)
    assert len(found) == 1 and "margin-left: banana" in found[0].message, [str(f) for f in found]
    assert found[0].pos.file == str(tmp_path / "layouts" / "own" / "content.html.j2") and found[0].pos.line == 1


def test_a_refused_url_is_reported_once_as_refused(tmp_path: Path) -> None:
    issue = own_layout(tmp_path, ".story { background: url(file:///etc/hostname); }\n",
                       content='<img src="http://127.0.0.1:9/x.png"><p class="story">x</p>\n')
    report = build(issue, write=False).report
    assert len([f for f in report.findings if f.code == "refused-url"]) == 2
    assert not [f for f in report.findings if f.code == "layout-css"], [str(f) for f in report.findings]


def test_shipped_layouts_and_the_proof_make_weasyprint_say_nothing(tmp_path: Path, seed_a3) -> None:
    """Zero WeasyPrint warnings on the shipped layouts, the placeholders and the whole build with its
    proof: any there would be kanwu's bugs, not the user's findings."""
    assert not [f for f in seed_a3.report.findings if f.code == "layout-css"]
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = Keep(logging.WARNING)
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        result = build(SEED_PLACEHOLDERS, tmp_path / "out", layout="bulletin-a4", png=False)
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    assert "proof" in result.written
    assert not seen, [r.getMessage() for r in seen]
    assert not [f for f in result.report.findings if f.code == "layout-css"]
