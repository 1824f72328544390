"""WeasyPrint writes each PDF quicker, and the same bytes (#11, fast rebuilds: a session draws every page alone).

WeasyPrint 70's ``Font`` took a Python copy of its face's file (20-27 MB for a
Noto CJK collection) for every document, only to replace it with HarfBuzz's
subset (about 0.1 s of every page a session redraws), and pydyf compressed
the press profile at level 9 for every one (0.03 s). `kanwu.wpext.check_version`
now installs `read_font_files_lazily` and `keep_compressed_streams`; the PDF
written must stay byte for byte what WeasyPrint alone writes.
"""
from __future__ import annotations

import io
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kanwu import wpext

HTML = """<html><head><style>@page { size: 120mm 80mm; margin: 10mm }
p { font-family: "Noto Serif CJK SC"; font-size: 12pt } h1 { font-family: "Noto Sans CJK SC" }</style></head>
<body><h1>四平街道简报</h1><p>社区开展“文明楼院”评比活动，居民踊跃参加。Kanwu 2024。</p></body></html>"""
WENKAI = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
WHOLE = 10 * 2**20
"""Bytes: a Noto CJK collection is 19-27 MB, the subset of a few dozen glyphs far less than this."""
WRITE = ("import sys; from weasyprint import HTML; "
         "sys.stdout.buffer.write(HTML(string=sys.stdin.read()).write_pdf(pdf_identifier=b'kanwu'))")


def _write() -> bytes:
    from weasyprint import HTML as Document

    return Document(string=HTML).write_pdf(pdf_identifier=b"kanwu")


def test_no_whole_font_file_is_copied_and_the_pdf_is_what_weasyprint_alone_writes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.text.ffi import ffi

    wpext.check_version()  # installs the patch, as every drawing does
    copied: list[int] = []
    unpack = ffi.unpack

    def spy(data, length):  # type: ignore[no-untyped-def]
        copied.append(length)
        return unpack(data, length)

    monkeypatch.setattr(ffi, "unpack", spy)
    ours = _write()
    assert copied, "WeasyPrint copies the subsets through ffi.unpack: the spy must see them"
    assert max(copied) < WHOLE, f"a whole font file was copied ({max(copied)} bytes)"
    monkeypatch.undo()
    alone = subprocess.run([sys.executable, "-c", WRITE], input=HTML.encode(), capture_output=True, check=True,
                           cwd=Path(__file__).parent).stdout
    assert alone.startswith(b"%PDF") and ours == alone


def test_a_font_harfbuzz_did_not_subset_is_embedded_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the subset fails (or fontTools subsets, or the font is variable), WeasyPrint reads the face's file:
    it must then get the whole file, read when asked for."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader
    from weasyprint import HTML as Document
    from weasyprint.pdf import fonts

    if not WENKAI.exists():
        pytest.skip("fonts-lxgw-wenkai is not installed")
    small = TTFont(str(WENKAI), lazy=True)
    cut = subset.Subsetter(subset.Options())
    cut.populate(text="楷体字样")
    cut.subset(small)
    small.save(str(tmp_path / "kai.ttf"))
    wpext.check_version()
    monkeypatch.setattr(fonts.Font, "subset", lambda self, to_unicode, hinting: None)  # as a failed subset
    html = (f'<style>@font-face {{ font-family: Kai; src: url("{(tmp_path / "kai.ttf").as_uri()}") }}'
            '</style><p style="font-family: Kai">楷体字样</p>')
    pdf = PdfReader(io.BytesIO(Document(string=html).write_pdf()))
    embedded = [d["/FontFile2"].get_object().get_data() for page in pdf.pages
                for font in page["/Resources"]["/Font"].values()
                for d in [font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()]]
    assert embedded == [(tmp_path / "kai.ttf").read_bytes()]


def test_a_long_stream_is_compressed_once_per_process_as_zlib_compresses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydyf

    wpext.check_version()
    profile = bytes(range(256)) * 1024 + b"a press profile"  # 256 KB, as long as a CMYK ICC profile
    calls: list[object] = []
    real = zlib.compressobj

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(zlib, "compressobj", spy)
    first = pydyf.Stream([profile], compress=True).data
    again = pydyf.Stream([profile], compress=True).data
    short = pydyf.Stream([b"0 0 1 1 re f"], compress=True).data
    assert first == again and zlib.compress(profile, 9) in first
    assert zlib.compress(b"0 0 1 1 re f", 9) in short
    assert len(calls) == 2, "the long stream compressed once, the short one compressed"


def test_font_subsetting_arrays_take_their_length_from_their_items() -> None:
    """cffi parses every C type string it has not seen (6 ms with pycparser); WeasyPrint wrote each font's
    glyph count into one (``hb_codepoint_t[5203]``). The same array comes back from an open type."""
    from weasyprint.pdf import fonts

    wpext.check_version()
    assert isinstance(fonts.ffi, wpext._OpenArrays)
    made = fonts.ffi.new("hb_codepoint_t[5]", [9, 8, 7, 6, 5])
    assert fonts.ffi.typeof(made) == fonts.ffi.typeof("hb_codepoint_t[]") and list(made) == [9, 8, 7, 6, 5]
    padded = fonts.ffi.new("hb_codepoint_t[4]", [1])  # fewer items than the length: cffi's own way
    assert list(padded) == [1, 0, 0, 0]
