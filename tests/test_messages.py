"""Messages that used to mislead (issue 10, item 8): each says what is really wrong.

Most run a stage or a function alone; two run the command line in-process
(what reaches the terminal) and one a whole build (a layout WeasyPrint cannot
draw fails only when the PDF is written).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kanwu.build import build
from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.wpext import undrawable

from paths import MINIMAL


def weasyprint_failure(html: str) -> NotImplementedError:
    """The exception WeasyPrint 70 raises drawing `html` (CMYK colours, as kanwu's layouts use)."""
    from weasyprint import HTML

    with pytest.raises(NotImplementedError) as info:
        HTML(string=html).write_pdf()
    return info.value


def test_what_weasyprint_could_not_draw_is_named() -> None:
    cn, en = undrawable(weasyprint_failure('<iframe style="color: device-cmyk(0 0 0 1)"></iframe>'))
    assert "<iframe>" in cn and "<iframe>" in en and "边框" in cn and "border" in en, (cn, en)
    assert "渐变" not in cn and "gradient" not in en
    cn, en = undrawable(weasyprint_failure(
        '<div style="height: 9px; background: linear-gradient(device-cmyk(0 0 0 1), device-cmyk(1 0 0 0))"></div>'))
    assert "渐变" in cn and "gradient" in en, (cn, en)
    cn, en = undrawable(weasyprint_failure('<p style="border: 3px ridge device-cmyk(0 1 0 0)">x</p>'))
    assert "ridge" in en and "<p>" in en and "gradient" not in en, (cn, en)


def test_an_unknown_failure_is_quoted_not_guessed() -> None:
    try:
        raise NotImplementedError("mask-border on a table cell")
    except NotImplementedError as exc:
        cn, en = undrawable(exc)
    assert "mask-border on a table cell" in cn and "mask-border on a table cell" in en
    assert "gradient" not in en and "border" not in en.replace("mask-border", "")


def test_a_template_with_an_iframe_is_not_blamed_on_a_gradient(write_issue, tmp_path: Path) -> None:
    issue = write_issue(MINIMAL.replace("layout: bulletin-a4", "layout: framed"))
    folder = tmp_path / "layouts" / "framed"
    folder.mkdir(parents=True)
    (folder / "layout.yaml").write_text("extends: bulletin-a4\ntitle: 带内嵌框\n", encoding="utf-8")
    layouts = Path(__file__).resolve().parents[1] / "layouts"
    builtin = next(f / "content.html.j2" for f in (layouts / "bulletin-a4", layouts / "base")
                   if (f / "content.html.j2").is_file())           # the template the layout uses now
    (folder / "content.html.j2").write_text('<iframe src="x.html"></iframe>\n' + builtin.read_text("utf-8"),
                                            encoding="utf-8")
    with pytest.raises(KanwuError) as info:
        build(issue, tmp_path / "out", png=False)
    msg = str(info.value)
    assert info.value.exit_code == 2
    assert msg.startswith(f"{folder}: error:") and "framed" in msg, msg
    assert "<iframe>" in msg and "gradient" not in msg and "渐变" not in msg, msg


def test_control_characters_in_messages_are_shown_escaped(write_issue, capsys) -> None:
    """Text typed into an issue reaches messages: ESC, NUL or a bidi override must not act on the terminal."""
    issue = write_issue(MINIMAL.replace("layout: bulletin-a4", 'layout: "x\\e[2J\\0y\\u202ez"'))
    assert main(["check", str(issue)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x00" not in err and "\u202e" not in err, repr(err)
    assert "x\\x1b[2J\\x00y\\u202ez" in err, err
    # and what the command line names, for the summary line
    assert main(["check", str(issue), "--layout", "a\x07b"]) == 2
    err = capsys.readouterr().err
    assert "\x07" not in err and "a\\x07b" in err, repr(err)
