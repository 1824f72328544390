"""Layout templates (issue #10, item 1): a layout folder that comes with an issue is hostile code.

Templates see plain data (strings, numbers, lists and mappings of them: the plan's pages and blocks,
the masthead texts, the layout's settings) through a strict sandbox; anything else is a layout error naming the template file and line (exit 2),
never a file read into the PDF or written on disk.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from kanwu.build import build
from kanwu.cli import main
from kanwu.errors import KanwuError

from paths import MINIMAL

SECRET = "kanwu-secret-7f3a"


def evil_layout(tmp_path: Path, template: str, name: str = "content.html.j2") -> Path:
    """An issue beside a layout folder `evil` (extends bulletin-a4) whose `name` is `template`."""
    evil = tmp_path / "layouts" / "evil"
    evil.mkdir(parents=True, exist_ok=True)
    (evil / "layout.yaml").write_text("title: evil\nextends: bulletin-a4\n", encoding="utf-8")
    (evil / name).write_text(template, encoding="utf-8")
    issue = tmp_path / "issue.yaml"
    images = "    images:\n      - {src: pic.png, caption: 图}\n"
    issue.write_text(MINIMAL.replace("layout: bulletin-a4", "layout: evil") + images, encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (600, 400), (90, 140, 200)).save(tmp_path / "pic.png")
    return issue


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


def refused(issue: Path) -> str:
    """The layout error of checking `issue` (which must be refused, with exit 2)."""
    with pytest.raises(KanwuError) as info:
        build(issue, write=False)
    assert info.value.exit_code == 2
    return str(info.value)


def test_a_template_cannot_read_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    issue = evil_layout(tmp_path, f"<p>ok</p>\n{{{{ issue.path.joinpath('{secret}').read_text() }}}}\n")
    message = refused(issue)
    assert SECRET not in message
    assert f"{tmp_path / 'layouts' / 'evil' / 'content.html.j2'}:2: error:" in message, message
    assert "layout template" in message


def test_a_template_cannot_write_a_file(tmp_path: Path) -> None:
    target = tmp_path / "written.txt"
    issue = evil_layout(tmp_path, f"{{{{ issue.path.joinpath('{target}').write_text('x') }}}}")
    refused(issue)
    assert not target.exists()


ESCAPES = [
    "''.__class__.__mro__[1].__subclasses__()",
    "().__class__.__base__.__subclasses__()",
    "''.__class__.mro()",
    "date_cn.__globals__",
    "span.__self__.folders",
    "span.__func__",
    "T.plain.__globals__",
    "T.plain.__self__",
    "T.layout.folders",
    "T.fonts['body'].path",
    "T.fonts.body.path",
    "T.metrics",
    "T.images",
    "T.photos",
    "T._setter",
    "issue.root",
    "issue.path",
    "issue.path.parent",
    "issue.warnings",
    "issue.stories[0].images[0].src",
    "pages[0].stories[0].images[0].src.read_bytes()",
    "layout.folders",
    "layout.fonts",
    "T.photo_row(pages[0].stories[0], 100, 5)[0].image.src",
    "L.update({'x': 1})",
    "L.page.clear()",
    "L.pop('page')",
    "pages.append(1)",
    "'{0.__class__}'.format('')",
    "lipsum.__globals__",
    "cycler.__init__.__globals__",
    "namespace.__init__.__globals__",
    "self.__dict__",
    "self._TemplateReference__context",
    "story_columns.__closure__",
    "'x'.encode()",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_escapes_and_internals_are_refused(tmp_path: Path, expression: str) -> None:
    issue = evil_layout(tmp_path, "<p>ok</p>\n\n{{ " + expression + " }}\n")
    message = refused(issue)
    assert "content.html.j2:3: error:" in message, message


def test_a_refused_access_is_exit_2_with_the_template_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    issue = evil_layout(tmp_path, "{% for page in pages %}\n{{ page.title }}\n{{ T.layout.folders }}\n{% endfor %}\n")
    code = main(["check", str(issue)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{tmp_path / 'layouts' / 'evil' / 'content.html.j2'}:3: error:" in err
    assert "Traceback" not in err and "internal error" not in err


def test_plain_data_still_reaches_templates(tmp_path: Path) -> None:
    """What layouts legitimately use keeps working: fields, loops, macros, filters, str methods."""
    issue = evil_layout(tmp_path, """\
{% import "macros.html.j2" as m with context %}
{% set ns = namespace(n=0) %}
{% for page in pages %}<section class="page">{% for b in page.blocks %}{% set ns.n = ns.n + 1 %}
<p id="x">{{ b.kind|upper }} {{ b.story }} {{ loop.index }} {{ page.number }} {{ L.page.width }} {{ L.body.size|pt }}
{{ grid.columns }} {{ grid.leading|round }} {{ fixed.name }} {{ fixed.date_text.strip() }} {{ date }} {{ title }}
{{ "a,b".split(",")|join("-") }} {{ L.get('title') }}{% if b.kind == "picture" %} {{ b.id }} {{ b.uri is string }}{% endif %}</p>
{{ m.block(b) }}
{% endfor %}</section>{% endfor %}{{ ns.n }}
""")
    result = build(issue, write=False)
    assert result.report.pages >= 1 and result.report.ok, [str(f) for f in result.report.findings]


def test_the_sandbox_refuses_unregistered_objects() -> None:
    """The environment's own rule, whatever a context holds: only plain types and registered views."""
    from kanwu.layout.sandbox import StrictEnvironment

    env = StrictEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)
    for template, ctx in [
        ("{{ p.joinpath('x').read_text() }}", {"p": Path("/etc")}),
        ("{{ p.name }}", {"p": Path("/etc")}),
        ("{{ f() }}", {"f": open}),
        ("{{ os.getcwd() }}", {"os": __import__("os")}),
        ("{{ d.update({}) }}", {"d": {}}),
        ("{{ l.append(1) }}", {"l": []}),
        ("{{ 2 ** 10000000000 }}", {}),
        ("{{ (10 ** 100) ** 100 ** 100 }}", {}),
        ("{{ 'x' * 1000000000 }}", {}),
    ]:
        with pytest.raises(jinja2.exceptions.SecurityError):
            env.from_string(template).render(**ctx)
    ok = env.from_string("{{ s.upper() }}{{ d.get('a') }}{{ l.index(2) }}{{ m.striptags() }}{{ 2 ** 8 }}"
                         "{{ '-' * 3 }}").render(s="x", d={"a": 1}, l=[1, 2], m=Markup("<b>y</b>"))
    assert ok == "X11y256---"



@pytest.mark.parametrize("expression", ["1 / 0", "'a' - 1", "issue|tojson", "pages[99]", "T.blocks('lead', 100)", "T.plain('x', 'body', size='big')",
                                        "T.paragraph(pages[0].stories[0].blocks[0], 100, colour='red')",
                                        "T.story_columns(issue, 1, 1)"])
def test_a_template_mistake_is_a_layout_error_not_a_crash(tmp_path: Path, expression: str) -> None:
    """Mistakes of the template's own code, or wrong arguments to ``T``, are layout errors at their line."""
    issue = evil_layout(tmp_path, "<p>ok</p>\n{{ " + expression + " }}\n")
    assert "content.html.j2:2: error:" in refused(issue)


def test_an_error_inside_kanwu_while_rendering_stays_a_bug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the template's own mistakes become layout errors: a fault in kanwu's code is exit 3, not blamed
    on the layout."""
    import kanwu.layout.html

    def broken(value):  # noqa: ANN001, ANN202
        raise IndexError("a bug")

    monkeypatch.setattr(kanwu.layout.html, "to_pt", broken)
    issue = evil_layout(tmp_path, "{{ 12|pt }}")
    with pytest.raises(IndexError):
        build(issue, write=False)
