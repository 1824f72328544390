"""The press PDF as a printer's tools see it: pdfinfo, pdffonts, pdfimages, Ghostscript, pypdf.

Each issue is built once per session (a build takes ~3 s); the tests read the outputs.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from paths import FIXTURES

from kanwu.build import build
from kanwu.impose import sheet_order
from kanwu.units import MM

PHOTOS = FIXTURES / "photos-issue"
needs_tools = pytest.mark.skipif(not (shutil.which("pdfinfo") and shutil.which("gs")),
                                 reason="poppler-utils and ghostscript are needed")


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def press_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder for converted pictures and the fixture issue with generated pictures."""
    root = tmp_path_factory.mktemp("press")
    mp = pytest.MonkeyPatch()
    mp.setenv("KANWU_CACHE", str(root / "cache"))
    spec = importlib.util.spec_from_file_location("make_images", PHOTOS / "make_images.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    issue = root / "issue"
    module.make(issue / "images")
    for name in ("issue.yaml", "bad.yaml"):
        shutil.copy(PHOTOS / name, issue / name)
    yield root
    mp.undo()


@pytest.fixture(scope="session")
def photos_build(press_env: Path):
    return build(press_env / "issue" / "issue.yaml", press_env / "out", png=False, package=True, impose=True)


@pytest.fixture(scope="session")
def builds(photos_build, seed_a3, seed_a4):
    return {"photos": photos_build, "a3": seed_a3, "a4": seed_a4}


KINDS = ["photos", "a3", "a4"]
TRIMS = {"photos": (210, 297), "a3": (297, 420), "a4": (210, 297)}


@needs_tools
@pytest.mark.parametrize("kind", KINDS)
def test_boxes_with_pdfinfo(builds, kind: str) -> None:
    result = builds[kind]
    assert result.exit_code == 0, [str(f) for f in result.report.findings if f.level == "error"]
    out = run("pdfinfo", "-box", "-f", "1", "-l", "99", str(result.written["print"]))
    w, h = (v * MM for v in TRIMS[kind])
    b = 3 * MM
    for trim in re.findall(r"Page\s+\d+ TrimBox:\s+([-\d. ]+)", out):
        assert [float(v) for v in trim.split()] == pytest.approx([0, 0, w, h], abs=0.01)
    for bleed in re.findall(r"Page\s+\d+ BleedBox:\s+([-\d. ]+)", out):
        assert [float(v) for v in bleed.split()] == pytest.approx([-b, -b, w + b, h + b], abs=0.01)
    for media in re.findall(r"Page\s+\d+ MediaBox:\s+([-\d. ]+)", out):
        x0, y0, x1, y1 = (float(v) for v in media.split())
        assert x0 <= -b - 10 * MM and x1 >= w + b + 10 * MM  # room for marks outside the bleed


@needs_tools
@pytest.mark.parametrize("kind", KINDS)
def test_fonts_embedded_and_subset_with_pdffonts(builds, kind: str) -> None:
    lines = run("pdffonts", str(builds[kind].written["print"])).splitlines()[2:]
    assert lines
    for line in lines:
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line


@needs_tools
def test_images_are_cmyk_with_pdfimages(builds) -> None:
    rows = run("pdfimages", "-list", str(builds["photos"].written["print"])).splitlines()[2:]
    assert len(rows) == 3
    for row in rows:
        cols = row.split()
        assert cols[5] == "cmyk" and cols[8] == "jpeg", row
        assert int(cols[12]) >= 300  # x-ppi at placed size
    rows = run("pdfimages", "-list", str(builds["a3"].written["print"])).splitlines()[2:]
    assert rows and all(r.split()[5] == "cmyk" for r in rows)


@needs_tools
@pytest.mark.parametrize("kind", KINDS)
def test_ink_with_ghostscript_inkcov(builds, kind: str) -> None:
    out = run("gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=inkcov", "-dUseBleedBox", "-o", "-",
              str(builds[kind].written["print"]))
    pages = [[float(v) for v in line.split()[:4]] for line in out.splitlines() if "CMYK" in line]
    assert len(pages) == builds[kind].report.pages
    assert all(k > 0.01 for *_, k in pages)  # every page has black text


@pytest.mark.parametrize("kind", KINDS)
def test_no_rgb_and_output_intent_with_pypdf(builds, kind: str) -> None:
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    data = builds[kind].written["print"].read_bytes()
    reader = PdfReader(io.BytesIO(data))
    intents = reader.trailer["/Root"]["/OutputIntents"]
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 4
    assert intent["/OutputConditionIdentifier"] in ("FOGRA39", "CGATS TR 002")
    assert b"/DeviceRGB" not in data  # uncompressed object dictionaries
    for page in reader.pages:
        ops = {op for _, op in ContentStream(page.get_contents(), reader).operations}
        assert not ops & {b"rg", b"RG"}
        assert "/KanwuAll" in page["/Resources"]["/ColorSpace"]  # marks in registration colour
    assert "PDF/X-4" in reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def test_body_text_is_k_only(builds) -> None:
    from kanwu.pdfcheck import inspect

    facts = inspect(builds["a3"].written["print"].read_bytes())
    colours = {c for cs in facts.text_colours.values() for c in cs}
    assert (0.0, 0.0, 0.0, 1.0) in colours
    assert not [c for c in colours if c[3] >= 0.8 and sum(c[:3]) > 0]


def test_two_builds_are_byte_identical(press_env: Path, photos_build) -> None:
    again = build(press_env / "issue" / "issue.yaml", press_env / "again", png=False, package=True, impose=True)
    for kind in ("print", "imposed", "package"):
        assert again.written[kind].read_bytes() == photos_build.written[kind].read_bytes(), kind


def test_small_and_inky_photos_stop_the_print_pdf(press_env: Path) -> None:
    result = build(press_env / "issue" / "bad.yaml", press_env / "bad", png=False)
    assert result.exit_code == 1 and "print" not in result.written
    codes = {f.code: f for f in result.report.findings if f.level == "error"}
    assert "low-resolution" in codes
    ink = codes["ink-limit"]
    assert ink.page == 1 and "inky.jpg" in ink.message and ink.pos is not None
    assert not (press_env / "bad" / "bad.print.pdf").exists()


def test_sheet_order_for_saddle_stitching() -> None:
    assert sheet_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert sheet_order(5) == [(None, 1), (2, None), (None, 3), (4, 5)]
    assert sheet_order(2) == [(None, 1), (2, None)]


@needs_tools
def test_imposed_a4_on_a3(builds) -> None:
    out = run("pdfinfo", "-box", str(builds["a4"].written["imposed"]))
    pages = builds["a4"].report.pages
    sides = -(-pages // 4) * 2  # padded to a multiple of 4, two pages per sheet side
    assert re.search(rf"Pages:\s+{sides}\b", out)
    trim = [float(v) for v in re.search(r"TrimBox:\s+([-\d. ]+)", out).group(1).split()]
    assert trim[2] - trim[0] == pytest.approx(420 * MM, abs=0.01)
    assert trim[3] - trim[1] == pytest.approx(297 * MM, abs=0.01)


def test_package_has_pdf_report_readme_and_checksums(builds) -> None:
    with zipfile.ZipFile(builds["photos"].written["package"]) as zf:
        names = {Path(n).name: n for n in zf.namelist()}
        assert {"issue.print.pdf", "README-印刷说明.md", "SHA256SUMS", "issue.印前检查报告.md"} <= set(names)
        # the imposed sheets of this very build (not an older file on disk)
        assert zf.read(names["issue.imposed.pdf"]) == builds["photos"].written["imposed"].read_bytes()
        assert zf.read(names["issue.print.pdf"]) == builds["photos"].written["print"].read_bytes()
        for line in zf.read(names["SHA256SUMS"]).decode().splitlines():
            digest, name = line.split("  ")
            assert hashlib.sha256(zf.read(names[name])).hexdigest() == digest
        readme = zf.read(names["README-印刷说明.md"]).decode()
        assert "210 × 297 mm" in readme and "出血" in readme and "FOGRA39" in readme
        assert {i.date_time for i in zf.infolist()} == {(2024, 5, 1, 0, 0, 0)}


def test_pdfx_1a_on_request(press_env: Path) -> None:
    from pypdf import PdfReader

    result = build(press_env / "issue" / "issue.yaml", press_env / "x1a", png=False, pdfx="x-1a", marks=False)
    assert result.exit_code == 0
    reader = PdfReader(result.written["print"])
    assert reader.metadata["/GTS_PDFXVersion"].startswith("PDF/X-1a")
    assert reader.pdf_header == "%PDF-1.4"
    page = reader.pages[0]
    assert [float(v) for v in page.mediabox] == pytest.approx([float(v) for v in page["/BleedBox"]])
