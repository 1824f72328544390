"""kanwu.pdfdraw and the summary's pagination: lines broken as clreq wants, text that reads back, pages that hold."""
from __future__ import annotations

import io
import shutil

import pytest

from kanwu.pdfdraw import BLACK, Canvas, FontSet, Style, add_stream, num, to_unicode_cmap, wrap
from kanwu.proofdraw import Block, Cell, Column, paginate, table
from kanwu.text.compose import NO_END, NO_START
from kanwu.text.metrics import FontMetrics

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="needs fontconfig")


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    regular = FontMetrics.for_family("Noto Sans CJK SC", 400)
    if "Noto" not in regular.path:
        pytest.skip("Noto Sans CJK SC is not installed")
    others = [FontMetrics.for_family("LXGW WenKai", 400)]
    return FontSet(regular, FontMetrics.for_family("Noto Sans CJK SC", 700), others)


def _pdf(pages: list[Canvas], fonts: FontSet) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    writer = PdfWriter()
    contents = [c.data() for c in pages]
    resources = fonts.resources(writer)
    for data in contents:
        page = writer.add_blank_page(400, 300)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): resources})
        page[NameObject("/Contents")] = add_stream(writer, data)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_numbers_are_short_and_stable() -> None:
    assert [num(v) for v in (1.0, 0.5, -0.0, 1 / 3, 1190.5512, -0.0001)] == ["1", "0.5", "0", "0.333", "1190.551", "0"]


MESSAGE = ('半角逗号改为全角：“,” → “，” / ASCII comma set full width　× 309（行 58, 91, 93, 97, 99, 103, 105, 107, '
           '109, 111）。内部资料不宜使用“记者”（内部资料性出版物管理办法）/ an internal publication should not use “记者”')


@pytest.mark.parametrize("width", [60.0, 97.0, 180.0, 333.0])
def test_wrap_fills_lines_without_breaking_clreq_rules(fonts: FontSet, width: float) -> None:
    style = Style(9.5)
    lines = wrap([(MESSAGE, style)], width, fonts)
    texts = ["".join(t for t, _ in line.pieces) for line in lines]
    assert len(lines) > 1
    for line, text in zip(lines, texts):
        assert line.width <= width + 1e-6
        assert abs(line.width - fonts.width(text, style)) < 0.05  # what is drawn is what was measured
        assert text == text.strip(" ")
    for a, b in zip(texts, texts[1:]):
        assert b[0] not in NO_START and a[-1] not in NO_END, (a, b)
        # no line could have taken the next line's first unit (greedy): a CJK character at least
        if b[0] >= "\u4e00" and a[-1] >= "\u4e00":
            assert fonts.width(a + b[0], style) > width - 1e-6
    # nothing lost but the spaces where lines break
    assert "".join(texts).replace(" ", "").replace("　", "") == MESSAGE.replace(" ", "").replace("　", "")


def test_a_word_wider_than_the_measure_is_cut_anywhere(fonts: FontSet) -> None:
    path = "/tmp/proof/big/issue/text/a-very-long-file-name-without-spaces.md:12"
    lines = wrap([(path, Style(8.5))], 70.0, fonts)
    assert len(lines) > 2 and all(line.width <= 70.0 + 1e-6 for line in lines)
    assert "".join(t for line in lines for t, _ in line.pieces) == path


def test_paths_and_codes_break_after_a_slash_or_a_hyphen_first(fonts: FontSet) -> None:
    style = Style(8.5)
    for text, first in (("issues/siping-2020-12.yaml", "issues/"), ("normalized-punctuation", "normalized-")):
        lines = wrap([(text, style)], fonts.width(text, style) - 1, fonts)
        assert ["".join(t for t, _ in line.pieces) for line in lines][0] == first
    # a hyphen before a digit (a date, a number) or at a word's start is no place to break
    lines = wrap([("2020-12-15 --since", style)], fonts.width("2020-12-15 --sin", style), fonts)
    assert ["".join(t for t, _ in line.pieces) for line in lines] == ["2020-12-15", "--since"]


def test_styles_stay_with_their_text_across_a_break(fonts: FontSet) -> None:
    blue = Style(9.5, (1, 0.55, 0, 0), bold=True)
    pieces = [("改动的稿件 ", Style(9.5)), ("lead、frontline、npc", blue), ("。", Style(9.5))]
    lines = wrap(pieces, 90.0, fonts)
    assert [p for line in lines for p in line.pieces if p[1] == blue]
    # the full stop may not start a line: it stays with the story name before it
    assert not any(line.pieces[0][0].startswith("。") for line in lines)


def test_drawn_text_reads_back_with_its_fallback_face(fonts: FontSet) -> None:
    """Kerning (AV), a ligature (fi), a character the main face lacks (Ą, set in the other face):
    the text extracted from the PDF is the text drawn, and every face that drew is embedded."""
    from pypdf import PdfReader

    c = Canvas(fonts, 0, 300)
    text = "校样 AVAfi Ą第一校"
    c.text(10, 50, [(text, Style(12))])
    c.text(10, 80, [("粗体 bold", Style(10, bold=True)), (" 细", Style(10, (0, 1, 1, 0)))])
    runs = fonts.runs(text)
    assert [r for _, r in runs] == ["校样 AVAfi ", "Ą", "第一校"]
    assert runs[1][0] is not runs[0][0] is runs[2][0]
    reader = PdfReader(io.BytesIO(_pdf([c], fonts)))
    extracted = reader.pages[0].extract_text()
    assert text in extracted and "粗体 bold 细" in extracted
    names = sorted(str(f.get_object()["/BaseFont"])[1:] for f in reader.pages[0]["/Resources"]["/Font"].values())
    assert len(names) == 3 and all(n[6] == "+" and n[:6].isupper() for n in names), names
    assert any("WenKai" in n for n in names) and any("Bold" in n for n in names)


def test_a_character_no_given_face_has_is_set_in_the_one_fontconfig_finds() -> None:
    kai = FontMetrics.for_family("LXGW WenKai", 400)
    if "WenKai" not in kai.path:
        pytest.skip("LXGW WenKai is not installed")
    fonts = FontSet(kai, kai)
    assert not kai.has_glyph("ᄀ")  # a Hangul jamo: WenKai has none, Noto Sans CJK has
    (_, a), (jamo, b), (_, c) = fonts.runs("文ᄀ字")
    assert (a, b, c) == ("文", "ᄀ", "字") and jamo.metrics.has_glyph("ᄀ") and jamo is not fonts.regular
    assert fonts.runs("\U0010fffd")[0][0] is fonts.regular  # nobody has it: the main face's .notdef


def test_the_same_text_gives_the_same_bytes(fonts: FontSet) -> None:
    def one() -> bytes:
        f = FontSet(fonts.regular.metrics, fonts.bold.metrics)
        c = Canvas(f, 0, 300)
        c.text(5, 20, [("校样 第一校 proof", Style(9))])
        c.box(5, 30, 100, 40, 1.5, BLACK, dashed=True)
        c.box(5, 80, 100, 40, 0.6, BLACK, radius=1.5)
        return _pdf([c], f)
    assert one() == one()


def test_to_unicode_map_is_chunked() -> None:
    cmap = to_unicode_cmap({i: chr(0x4E00 + i) for i in range(1, 251)}).decode()
    assert cmap.count("beginbfchar") == 3 and "100 beginbfchar" in cmap and "50 beginbfchar" in cmap
    assert "<0001> <4e01>" in cmap


def _block(h: float, **kw: object) -> Block:
    return Block(h, lambda c, x, y, w: None, **kw)  # type: ignore[arg-type]


def test_pagination_fills_pages_and_keeps_headings_with_what_follows() -> None:
    blocks = [_block(20), _block(20, before=10, after=5, keep=True), _block(40), _block(50), _block(25, keep=True),
              _block(30), _block(10)]
    pages = paginate(blocks, 100)
    for page in pages:
        assert all(y + b.height <= 100 for b, y in page)
    assert [b for page in pages for b, _ in page] == blocks
    assert [len(page) for page in pages] == [3, 1, 3]
    # the second heading would fit under the 50 (50 + 25), but not with the block it heads
    assert pages[2][0] == (blocks[4], 0)
    assert pages[0][1][1] == 20 + 10 and pages[0][2][1] == 20 + 10 + 20 + 5  # spaces between blocks


def test_a_table_continued_on_a_new_page_repeats_its_header(fonts: FontSet) -> None:
    rows = [[Cell([(f"s{i:02d}", Style(9.5))]), Cell([("以学促干，服务群众有“热度”" * (1 + i % 3), Style(9.5))]),
             Cell([(str(i * 100), Style(9.5))])] for i in range(40)]
    blocks = table([Column(0.2), Column(None), Column(0.15, True)], ["稿件 id", "标题", "字数"], rows, 300, fonts)
    header, body = blocks[0], blocks[1:]
    assert header.keep and all(b.header is header for b in body)
    assert all(b.height in (3 + 14 + 0.5, 3 + 28 + 0.5, 3 + 42 + 0.5) for b in body)  # whole lines of 14 pt
    pages = paginate(blocks, 200)
    assert len(pages) > 2
    for page in pages:
        assert page[0][0] is header and page[0][1] == 0
        assert sum(b.height for b, _ in page) <= 200
