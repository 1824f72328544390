"""A resident session rebuilds only the pages an edit changed, and gives what a cold build gives (#11).

Each test builds with a `Session`, edits the sources, rebuilds, then builds the
edited issue cold with `kanwu.build.build` into another folder and compares:
the page count, the text of every print page (read back with pypdf), the
findings, the stories' rows and the preview pixels.
"""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from kanwu import typeset
from kanwu.build import build
from kanwu.session import PreviewsReady, Session
from paths import SEED
from pdffonts import fonts_by_name


@pytest.fixture
def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed issue (its bodies and pictures) that the test may edit."""
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1608000000")  # the proofs' stamp: not the minute each is made
    shutil.copytree(SEED.parent, tmp_path / "issues", ignore=shutil.ignore_patterns("mixed*"))
    return tmp_path / "issues" / SEED.name


@pytest.fixture
def drawn_pages(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pages each call of `typeset.draw_each` drew (the session draws only through it)."""
    calls: list[int] = []
    real = typeset.draw_each

    def spy(chunks, *args, **kw):  # type: ignore[no-untyped-def]
        calls.append(len(chunks))
        return real(chunks, *args, **kw)

    monkeypatch.setattr(typeset, "draw_each", spy)
    return calls


def _texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def _report(out: Path, stem: str) -> dict:
    return json.loads((out / f"{stem}.preflight.json").read_text(encoding="utf-8"))


def _same_as_cold(issue: Path, session_out: Path, tmp_path: Path) -> None:
    """The session's last build gave what a cold build of the same sources gives."""
    cold = build(issue, tmp_path / "cold")
    stem = issue.stem
    ours, theirs = _report(session_out, stem), _report(tmp_path / "cold", stem)
    assert ours["pages"] == theirs["pages"] == cold.report.pages
    assert ours["findings"] == theirs["findings"]
    assert ours["stories"] == theirs["stories"] and ours["ok"] == theirs["ok"]
    for kind in ("print.pdf", "proof.pdf"):
        ours_pdf, theirs_pdf = session_out / f"{stem}.{kind}", tmp_path / "cold" / f"{stem}.{kind}"
        assert ours_pdf.exists() == theirs_pdf.exists()
        if theirs_pdf.exists():
            assert _texts(ours_pdf)[-cold.report.pages:] == _texts(theirs_pdf)[-cold.report.pages:], kind
    for n in range(1, cold.report.pages + 1):  # the previews show the same pixels
        a, b = (Image.open(folder / f"{stem}.page-{n}.png").convert("RGB") for folder in (session_out, tmp_path / "cold"))
        assert a.size == b.size and ImageChops.difference(a, b).getbbox() is None, f"page {n}"


def test_an_edited_story_redraws_its_page_only_and_matches_a_cold_build(seed, tmp_path, drawn_pages):
    session = Session(seed, tmp_path / "out")
    first = session.build()
    assert first.exit_code == 0 and session.changed == [1, 2] and sum(drawn_pages) == 2
    body = seed.parent / "siping" / "npc.md"
    body.write_text(body.read_text(encoding="utf-8").replace("圆满完成了", "顺利、圆满地完成了", 1), encoding="utf-8")
    ready: list[PreviewsReady] = []
    proof = tmp_path / "out" / f"{seed.stem}.proof.pdf"
    before = proof.stat().st_mtime_ns

    def on_previews(shown: PreviewsReady) -> None:
        assert proof.stat().st_mtime_ns == before  # told before the proof is written
        ready.append(shown)

    again = session.build(on_previews=on_previews)
    assert session.changed == [2] and drawn_pages[1:] == [1]  # the npc story is on page 2
    assert len(ready) == 1 and ready[0].changed == [2] and len(ready[0].pages) == 2
    assert ready[0].report.findings == again.report.findings
    assert (tmp_path / "out" / f"{seed.stem}.page-2.png").read_bytes() == ready[0].pages[1]
    assert "顺利、圆满地完成了" in "".join(_texts(tmp_path / "out" / f"{seed.stem}.print.pdf")).replace("\n", "")
    _same_as_cold(seed, tmp_path / "out", tmp_path)


def test_an_undone_edit_draws_nothing_and_a_layout_change_redraws_all(seed, tmp_path, drawn_pages):
    session = Session(seed, tmp_path / "out", png=False)
    session.build()
    body = seed.parent / "siping" / "npc.md"
    text = body.read_text(encoding="utf-8")
    body.write_text(text.replace("圆满完成了", "完成了", 1), encoding="utf-8")
    session.build()
    body.write_text(text, encoding="utf-8")  # undone: the first build's pages are still kept
    session.build()
    assert drawn_pages == [2, 1] and session.changed == [2]
    layout = seed.parent / "layouts" / "tabloid-a3"  # an office's own copy of the layout, beside the issue
    shutil.copytree(SEED.parents[1] / "layouts" / "tabloid-a3", layout)
    session.build()
    assert drawn_pages[-1] == 2, "a layout file that may be read changes every page's key"
    style = layout / "style.css.j2"
    style.write_text(style.read_text(encoding="utf-8") + "\n/* 改 */\n", encoding="utf-8")
    session.build()
    assert drawn_pages[-1] == 2 and session.changed == [1, 2]


def test_findings_of_changed_pages_match_a_cold_build(seed, tmp_path, drawn_pages):
    """A picture replaced under the same name is seen: a white one is nothing drawn; a CMYK JPEG,
    which goes on the page untouched (named by its path, not by its bytes), over the ink limit is an
    ink error even when its HTML stays the same."""
    pictures = seed.parent / "images"
    Image.new("CMYK", (1600, 1200), (0, 0, 0, 128)).save(pictures / "lead-3.jpg", dpi=(300, 300))
    session = Session(seed, tmp_path / "out")
    assert session.build().exit_code == 0
    Image.new("RGB", (1600, 1200), (255, 255, 255)).save(pictures / "lead-2.jpg", dpi=(300, 300))
    assert {f.code for f in session.build().report.findings if f.level == "error"} == {"nothing-drawn"}
    assert session.changed == [1] and drawn_pages[-1] == 1
    Image.new("CMYK", (1600, 1200), (255, 255, 255, 255)).save(pictures / "lead-3.jpg", dpi=(300, 300))
    result = session.build()
    assert {f.code for f in result.report.findings if f.level == "error"} == {"nothing-drawn", "ink-limit"}
    assert session.changed == [1] and drawn_pages[-1] == 1 and result.exit_code == 1
    assert not (tmp_path / "out" / f"{seed.stem}.print.pdf").exists()
    _same_as_cold(seed, tmp_path / "out", tmp_path)


def test_a_failed_build_leaves_the_session_usable(seed, tmp_path):
    from kanwu.errors import KanwuError

    session = Session(seed, tmp_path / "out", png=False)
    session.build()
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("number: 12", "number: 0"), encoding="utf-8")
    with pytest.raises(KanwuError):
        session.build()
    seed.write_text(text, encoding="utf-8")
    assert session.build().exit_code == 0 and session.changed == []


def test_options_are_those_of_build(seed, tmp_path):
    with pytest.raises(TypeError):
        Session(seed, tmp_path / "out", write=False)
    session = Session(seed, tmp_path / "out", png=False, show_grid=True)
    result = session.build()
    assert "png" not in result.written and result.written["proof"].exists()
    assert len(PdfReader(io.BytesIO(result.written["proof"].read_bytes())).pages) > result.report.pages


def test_pages_drawn_in_one_run_share_fonts_and_mix_with_pages_drawn_later(seed, tmp_path, drawn_pages, monkeypatch):
    """With one drawing process, the first build draws both pages as one PDF (their fonts subset once, as
    a cold build's); after an edit the joined PDF takes page 1 from that run and page 2 from its own."""
    monkeypatch.setattr(typeset, "workers", lambda pages: 1)
    session = Session(seed, tmp_path / "out")
    session.build()
    assert drawn_pages == [1]  # one chunk: both pages' documents
    body = seed.parent / "siping" / "npc.md"
    body.write_text(body.read_text(encoding="utf-8").replace("圆满完成了", "圆满地完成了", 1), encoding="utf-8")
    session.build()
    assert drawn_pages == [1, 1] and session.changed == [2]
    _same_as_cold(seed, tmp_path / "out", tmp_path)
    ours, cold = (folder / f"{seed.stem}.print.pdf" for folder in (tmp_path / "out", tmp_path / "cold"))
    assert ours.stat().st_size < 1.6 * cold.stat().st_size  # only page 2's fonts come twice


def test_pages_of_many_small_runs_are_drawn_again_together():
    """The pages kept come from at most a few runs: those of the smallest runs are redrawn with the new ones."""
    from kanwu.pagecache import CachedStages, PageCache, PageEntry

    cache = PageCache()
    big, singles = b"%run of 6", [f"%single {n}".encode() for n in range(4)]
    drawings = [big] * 6 + singles + [big] * 2  # 12 pages: 8 from one run, 4 drawn alone after edits
    index = {id(big): 0}
    for n, drawing in enumerate(drawings):
        cache.entries[f"page{n}"] = PageEntry(drawing, index.get(id(drawing), 0), (1.0, 1.0), [])
        index[id(drawing)] = index.get(id(drawing), 0) + 1
    stages = CachedStages(cache, lambda pages: 1)
    stages.keys = [f"page{n}" for n in range(12)]
    assert stages._to_draw() == []  # 5 runs kept, 3 allowed, but nothing is drawn for that alone
    stages.keys[0] = "edited"
    again = stages._to_draw()
    assert again == [0, 6, 7, 8, 9] and all(f"page{n}" not in cache.entries for n in (6, 7, 8, 9))


def test_joined_pages_of_one_drawing_keep_sharing_their_fonts(tmp_path):
    from kanwu.pagecache import join_pages
    from kanwu.typeset import PdfOptions

    page = '<html><body style="font-family: Noto Serif CJK SC"><p>{}</p></body></html>'
    drawn = typeset.draw_each([(page.format("第一页的文字"), page.format("第二页的文字"))], tmp_path, {}, None,
                              PdfOptions(None, b"0" * 32, {}))
    both = drawn[0].pdf
    assert both is not None and len(PdfReader(io.BytesIO(both)).pages) == 2
    joined = join_pages([(both, 1), (both, 0)])
    assert [p.extract_text() for p in PdfReader(io.BytesIO(joined)).pages] == ["第二页的文字", "第一页的文字"]
    assert len(joined) < 1.2 * len(both)  # one font program for both pages, as in the drawing
    alone = [typeset.draw_each([page.format(t)], tmp_path, {}, None, PdfOptions(None, b"0" * 32, {}))[0].pdf
             for t in ("第一页的文字", "第二页的文字")]
    assert len(join_pages([(alone[0], 0), (alone[1], 0)])) > 1.5 * len(both)  # drawn apart: a font program each


def test_a_rebuilt_pdf_has_no_two_font_subsets_under_one_name(seed, tmp_path):
    """A session's PDF joins pages drawn by different runs and builds, each with its own subsets of the same
    fonts: ISO 32000-1 (9.6.4) wants them named apart, as a cold build's runs are (`typeset.retag`)."""
    session = Session(seed, tmp_path / "out", png=False)
    session.build()
    body = seed.parent / "siping" / "npc.md"
    body.write_text(body.read_text(encoding="utf-8").replace("圆满完成了", "顺利、圆满地完成了", 1), encoding="utf-8")
    again = session.build()
    assert session.changed == [2]
    fonts = fonts_by_name(again.written["print"])
    assert len(fonts) >= 4, fonts  # both pages' subsets were looked at
    assert all(len(programs) == 1 for programs in fonts.values()), fonts


def test_a_layout_that_draws_extra_pages_is_reported_as_a_cold_build_reports_it(seed, tmp_path):
    """A page's document drawing two pages cannot be kept by key: the build is drawn as a cold one."""
    layout = seed.parent / "layouts" / "extra"
    layout.mkdir(parents=True)
    (layout / "layout.yaml").write_text("extends: tabloid-a3\n", encoding="utf-8")
    (layout / "style.css.j2").write_text('.page:last-child::after { content: "多余"; display: block; '
                                         'break-before: page; }\n', encoding="utf-8")
    ready: list[PreviewsReady] = []
    result = Session(seed, tmp_path / "out", "extra").build(on_previews=ready.append)
    assert "layout-pages" in {f.code for f in result.report.findings} and result.report.pages == 4
    assert len(ready) == 1 and len(ready[0].pages) == 4
    cold = build(seed, tmp_path / "cold", "extra", png=False)
    assert [f.message for f in cold.report.findings] == [f.message for f in result.report.findings]


def test_a_text_edit_keeps_the_pages_ink_and_a_new_picture_is_measured(seed, tmp_path, monkeypatch):
    """Ghostscript measures a redrawn page again only when what it renders of it (its text taken out) changed."""
    import dataclasses

    from kanwu import pagecache
    from kanwu.inkcov import measure

    measured: list[int] = []

    def counted(pdf, *args, **kwargs):  # type: ignore[no-untyped-def]
        measured.append(len(PdfReader(io.BytesIO(pdf)).pages))
        return measure(pdf, *args, **kwargs)

    monkeypatch.setattr(pagecache, "measure", counted)
    session = Session(seed, tmp_path / "out", png=False)
    session.build()
    assert measured == [2]
    body = seed.parent / "siping" / "npc.md"
    body.write_text(body.read_text(encoding="utf-8").replace("圆满完成了", "顺利、圆满地完成了", 1), encoding="utf-8")
    session.build()
    assert session.changed == [2] and measured == [2], "a text edit: the pictures' and tints' ink is known"
    Image.new("CMYK", (1600, 1200), (200, 0, 0, 0)).save(seed.parent / "images" / "lead-3.jpg", dpi=(300, 300))
    session.build()
    assert session.changed == [1] and measured == [2, 1], "a picture changed: measured"
    for number in (1, 2):  # what is kept is what Ghostscript measures on the page as drawn now
        entry = session.cache.entries[session.cache.last[number - 1]]
        (limit, bleed), ink = next(iter(entry.ink.items()))
        drawn = pagecache.join_pages([(entry.drawing, entry.index)])
        assert dataclasses.replace(ink, page=1) == measure(drawn, limit, bleed)[0], f"page {number}"


def test_graphics_keys_leave_text_out_and_see_a_tint_change(tmp_path):
    from kanwu.inkcov import graphics_keys, strip_text
    from kanwu.typeset import PdfOptions

    page = ('<html><body style="font-family: Noto Serif CJK SC"><p>{}</p>'
            '<div style="width: 20mm; height: 10mm; background: device-cmyk({})"></div></body></html>')
    made = [typeset.draw_each([page.format(text, tint)], tmp_path, {}, None, PdfOptions(None, b"0" * 32, {}))[0].pdf
            for text, tint in (("第一页", "0 0 0 1"), ("另一段不同的文字", "0 0 0 1"), ("第一页", "1 0 0 0"))]
    keys = [graphics_keys(strip_text(pdf))[0] for pdf in made]  # type: ignore[arg-type]
    assert keys[0] == keys[1] and keys[0] != keys[2]
