"""A layout cannot embed files in the PDFs (``<link rel=attachment>``, ``<a rel=attachment>``).

WeasyPrint embeds the file an attachment link names, byte for byte, in the PDF it writes. The
sandboxed fetcher serves files below the issue's folder, so a layout folder that came with an
issue attached any of them (``private/工资表.xlsx`` beside ``issue.yaml``) to the print PDF and the
proof, unseen, with exit 0; PDF/X does not allow attachments either. Now no attachment link is
followed: each is an error in the report naming the layout (no print PDF), and the file is never read.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from kanwu.build import build

from test_template_sandbox import evil_layout

SECRET = "kanwu-attached-secret-91c2"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANWU_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("link", ['<link rel="attachment" href="private/secret.txt">',
                                  '<a rel="attachment" href="private/secret.txt">附件</a>'])
def test_a_layout_cannot_attach_a_file_of_the_issue_folder(tmp_path: Path, link: str) -> None:
    shipped = (Path(__file__).resolve().parents[1] / "layouts" / "base" / "content.html.j2").read_text(encoding="utf-8")
    issue = evil_layout(tmp_path, link + "\n" + shipped)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "secret.txt").write_text(SECRET, encoding="utf-8")
    result = build(issue, tmp_path / "out", png=False)
    for path in (tmp_path / "out").iterdir():
        assert SECRET.encode() not in path.read_bytes(), path
        if path.suffix == ".pdf":
            assert set(PdfReader(path).attachments) <= {"kanwu-snapshot.json"}, path
    refused = [f for f in result.report.findings if f.code == "refused-attachment"]
    assert refused and refused[0].level == "error", [str(f) for f in result.report.findings]
    assert not (tmp_path / "out" / "issue.print.pdf").exists()
