"""End to end (#2): the seed bulletin as the A3 paper and the A4 bulletin."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from kanwu.load import load_issue
from kanwu.text.prepare import prepare
from kanwu.units import MM
from paths import SEED

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def han(text: str) -> str:
    return "".join(HAN.findall(text))


def pdf_han(path: Path) -> str:
    return han("".join(page.extract_text() or "" for page in PdfReader(path).pages))


def seed_texts() -> list[str]:
    """Every text of the seed as printed: headlines, paragraphs, bylines, captions."""
    issue, _ = prepare(load_issue(SEED))
    out = []
    for st in issue.stories:
        out += [st.headline.value, st.byline.value if st.byline else ""]
        out += [b.text for b in st.blocks]
        out += [im.caption.value for im in st.images if im.caption]
    return [t for t in out if han(t)]


@pytest.mark.parametrize("which, size, pages", [("a3", (297, 420), (2, 2)), ("a4", (210, 297), (4, 5))])
def test_seed_builds_at_trim_size(request, which, size, pages):
    result = request.getfixturevalue(f"seed_{which}")
    assert result.exit_code == 0 and result.report.ok
    reader = PdfReader(result.written["print"])
    assert pages[0] <= len(reader.pages) <= pages[1]
    for page in reader.pages:
        trim = page.trimbox
        assert float(trim.width) == pytest.approx(size[0] * MM, abs=0.05)
        assert float(trim.height) == pytest.approx(size[1] * MM, abs=0.05)


MARK = "，。、；：！？“”‘’（）《》【】"


@pytest.mark.parametrize("which", ["a3", "a4"])
def test_copied_text_reads_as_the_source(request, which):
    """Text copied out of the print PDF (pypdf) is the source, story by story, column by column: every
    body paragraph comes out whole and in one piece, with no space that squeezing punctuation made
    (before, pypdf read 边办， 找问题、 寻举措); only the Han–Latin gaps read as spaces."""
    result = request.getfixturevalue(f"seed_{which}")
    raw = "".join(page.extract_text() or "" for page in PdfReader(result.written["print"]).pages)
    # lines joined; an A4 page ends in its folio (— 2 —): a paragraph running on has it in between
    text = re.sub(r"\n?— \d+ —\n?|\n", "", raw)
    # the Han–Latin gaps (1/4 em) are the only spaces a paragraph may come out with
    text = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[0-9A-Za-z%(])|(?<=[0-9A-Za-z%)]) (?=[\u3000-\u9fff\uff00-\uffef])",
                  "", text)
    issue, _ = prepare(load_issue(SEED))
    body = [b.text for st in issue.stories for b in st.blocks if b.kind == "p"]
    assert len(body) >= 19
    for para in body:
        para = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[0-9A-Za-z])|(?<=[0-9A-Za-z]) (?=[\u3000-\u9fff\uff00-\uffef])",
                      "", para)
        assert para in text, (para[:30], re.findall(f".[{MARK}] .| [{MARK}].", text)[:5])


@pytest.mark.parametrize("which", ["a3", "a4"])
def test_every_han_character_of_the_seed_is_printed_in_order(request, which):
    result = request.getfixturevalue(f"seed_{which}")
    printed = pdf_han(result.written["print"])
    missing = [t for t in seed_texts() if han(t) not in printed]
    # a paragraph broken across columns or pages may interleave with a running head:
    # those must still be there character for character
    for text in missing:
        for piece in re.split(r"[，。、；：！？“”‘’（）《》\s]", text):
            assert han(piece) in printed, f"not printed: {piece!r} (from {text[:20]}…)"


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils needed")
@pytest.mark.parametrize("which", ["a3", "a4"])
def test_fonts_embedded_subset_and_no_fallback(request, which):
    result = request.getfixturevalue(f"seed_{which}")
    out = subprocess.run(["pdffonts", str(result.written["print"])], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    names = [line.split()[0] for line in out]
    assert names
    for line, name in zip(out, names):
        cols = line.split()
        assert "yes" in cols[-5:-3], f"font not embedded/subset: {line}"
        assert re.match(r"^[A-Z]{6}\+(Noto-(Serif|Sans)-CJK-SC|LXGW-WenKai)", name), f"unexpected font {name}"


def test_check_does_not_write_and_reports(tmp_path):
    # the interpreter running the tests (the venv's), never whatever `python` comes first on PATH
    res = subprocess.run([sys.executable, "-m", "kanwu.cli", "check", str(SEED)], capture_output=True, text=True,
                         cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "0 个错误" in res.stdout
    assert not (tmp_path / "out").exists()


def test_no_test_runs_the_python_first_on_path():
    """Subprocesses run `sys.executable`: a bare `python` may be another interpreter, without kanwu or
    with another version of it, and the test would check that instead (issue 10)."""
    bare = re.compile(r"""[\[(,]\s*["'](python3?|pytest)["']""")
    found = [f"{path.name}:{n}" for path in Path(__file__).parent.rglob("*.py")
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if bare.search(line)]
    assert not found, found


def test_same_bytes_wherever_the_issue_lives(seed_a3, tmp_path):
    """A copy of the issue folder elsewhere builds to the same bytes (printers compare checksums)."""
    from kanwu.build import build

    copy = tmp_path / "elsewhere" / "issues"
    shutil.copytree(SEED.parent, copy, ignore=shutil.ignore_patterns("mixed*"))
    again = build(copy / SEED.name, tmp_path / "out", png=False)
    assert again.written["print"].read_bytes() == seed_a3.written["print"].read_bytes()


def test_tabloid_without_page_plan_flows_without_overset(tmp_path):
    """No `pages:`: stories run on from page to page (spec), the running head counts pages."""
    from kanwu.build import build

    folder = tmp_path / "issues"
    shutil.copytree(SEED.parent, folder, ignore=shutil.ignore_patterns("mixed*"))
    text = (folder / SEED.name).read_text(encoding="utf-8")
    text = re.sub(r"pages:\n(  - .*\n    .*\n)+", "", text)
    (folder / "flow.yaml").write_text(text, encoding="utf-8")
    result = build(folder / "flow.yaml", tmp_path / "out", png=False)
    assert result.report.ok and not any(f.code == "overset" for f in result.report.findings)
    pages = PdfReader(result.written["print"]).pages
    assert len(pages) >= 2
    assert "第2版" in pages[1].extract_text() and "第1版" not in pages[0].extract_text()
