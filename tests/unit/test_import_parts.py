"""The pieces of ``kanwu import``: Markdown that reads back as the runs it came from, list numbers,
byline and caption rules, YAML values and the textual append."""
from __future__ import annotations

import unicodedata

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kanwu.errors import KanwuError, Pos
from kanwu.importer.issuefile import Entry, append, fill, scalar, stories_of
from kanwu.importer.markdown import block_start, escape, paragraph
from kanwu.importer.story import byline_of, caption_of, is_subhead
from kanwu.importer.styles import ParaStyle, format_number
from kanwu.importer.walk import Line, Span
from kanwu.model import Text
from kanwu.text.body import parse_body

TEXT = ParaStyle("text", 0, False, None, None)
CENTRED = ParaStyle("text", 0, True, None, None)


def line(text: str, style: ParaStyle = TEXT, bold: bool = False) -> Line:
    return Line((Span(text, bold, False),), (), 1, style)


def styled(markdown: str) -> list[tuple[str, bool, bool]]:
    """What kanwu's body parser makes of `markdown`: each character but spaces, with its bold and italic."""
    return [(ch, "strong" in run.style.split(), "em" in run.style.split())
            for block in parse_body(Text(markdown, Pos("x.md", 1, 1))) for run in block.runs for ch in run.text
            if not ch.isspace()]


def typed(spans: list[Span]) -> list[tuple[str, bool, bool]]:
    return [(ch, s.bold, s.italic) for s in spans for ch in s.text if not ch.isspace()]


def ignoring_marks(chars: list[tuple[str, bool, bool]]) -> list[tuple]:
    return [(ch,) if unicodedata.category(ch)[0] in "PS" else (ch, b, i) for ch, b, i in chars]


HAN = list("社区垃圾分类。，“”：（）、") + ["　"]
ANY = HAN + list("ab1 *_#\\-.")


def spans(chars: list[str]):
    return st.lists(st.builds(Span, st.text(st.sampled_from(chars), min_size=1, max_size=6), st.booleans(),
                              st.booleans()), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(spans(ANY))
def test_paragraphs_read_back_as_typed(runs):
    """Every character comes back; with its bold and italic whenever `paragraph` says they were kept."""
    markdown, exact = paragraph(tuple(runs))
    got = styled(markdown)
    assert [ch for ch, _, _ in got] == [ch for ch, _, _ in typed(runs)], markdown
    if exact:  # punctuation at a border next to a digit or letter may have changed sides
        assert ignoring_marks(got) == ignoring_marks(typed(runs)), markdown
    else:
        assert not any(b or i for _, b, i in got)


HAN_TEXT = st.text(st.sampled_from(HAN), min_size=1, max_size=6)
STYLED = st.lists(st.tuples(HAN_TEXT, HAN_TEXT, st.sampled_from([(True, False), (False, True), (True, True)])),
                  min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(STYLED)
def test_chinese_bold_and_italic_between_plain_text_are_always_kept(parts):
    """As correspondents write: plain text with bold or italic words (or both) in it."""
    runs = [span for plain, text, (bold, italic) in parts for span in (Span(plain, False, False), Span(text, bold, italic))]
    markdown, exact = paragraph(tuple(runs))
    assert exact and styled(markdown) == typed(runs), markdown


def test_punctuation_against_a_digit_moves_out_of_the_markers():
    assert paragraph((Span("第3", False, False), Span("（一）", True, False), Span("项", False, False))) == \
        ("第3（**一）**项", True)
    assert paragraph((Span("一是加强领导。", True, False), Span("3月以来", False, False))) == ("**一是加强领导**。3月以来", True)
    assert paragraph((Span("一是", True, False), Span("3月", False, False))) == ("一是3月", False)


def test_markdown_characters_and_block_starts_print_as_typed():
    for text in ("1. 不是列表", "2) 也不是", "# 不是小标题", "- 不是列表", "+ 不是", "> 不是引文", "*号与_下划线\\", "---"):
        assert styled(block_start(escape(text))) == typed([Span(text, False, False)]), text


def test_chinese_and_other_list_numbers():
    assert [format_number(n, "chineseCounting") for n in (1, 9, 10, 11, 20, 21, 100, 105, 110)] == \
        ["一", "九", "十", "十一", "二十", "二十一", "一百", "一百零五", "一百一十"]
    assert format_number(3, "ideographTraditional") == "丙"
    assert format_number(4, "decimalEnclosedCircle") == "④"
    assert format_number(14, "upperRoman") == "XIV" and format_number(28, "lowerLetter") == "bb"


def test_bylines():
    assert [byline_of(line(t)) for t in ("（社区宣文办）", "(通讯员 张三)", "通讯员 张三", "记者　李四 王五", "文/张三 图/李四",
                                        "供稿：社区宣文办")] == \
        ["社区宣文办", "通讯员 张三", "通讯员 张三", "记者　李四 王五", "文/张三 图/李四", "社区宣文办"]
    assert [byline_of(line(t)) for t in ("（2020年12月15日）", "图：居民", "（完）", "（图为居民）", "（上接第一版）", "记者节到了，社区里举行了一场很长很长的活动，大家都来参加了，热闹非凡。",
                                        "社区宣文办")] == [None] * 7


def test_captions_and_subheads():
    assert caption_of(line("图为志愿者入户宣传")) == "图为志愿者入户宣传"
    assert caption_of(line("▲ 居民参加活动")) == "▲ 居民参加活动"
    assert caption_of(line("居民现场体验", CENTRED)) == "居民现场体验"
    assert caption_of(line("居民现场体验")) is None  # neither centred nor 图为
    assert caption_of(line("一段居中的长文字" * 10, CENTRED)) is None
    assert is_subhead(line("二、现场答疑", bold=True))
    assert not is_subhead(line("这是一句加粗的话。", bold=True)) and not is_subhead(line("二、现场答疑"))


def test_yaml_values_are_quoted_only_when_needed():
    for value in ("以学促干,服务群众有“热度”", "通知: 开会", "2024-05-01", "yes", "#井号", "- 破折", "'单引号'", "a\"b",
                  "[方括号]", "@人", "% 百分", "真 ", "~"):
        assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}, value
    assert scalar("社区宣文办") == "社区宣文办"


ENTRY = Entry("new", "标题", "", "宣文办", "text/new.md", (("images/new-1.jpg", "图为: 说明"), ("", "")), "导入")


def test_append_to_an_empty_flow_list_and_to_a_file_without_stories():
    text = "kanwu: 1\nstories: []   # 还没有稿件\nlayout: x\n"
    out = append(text, "x.yaml", ENTRY)
    assert out.startswith("kanwu: 1\nstories:    # 还没有稿件\n  # 导入\n  - id: new\n    headline: 标题\n")
    assert out.endswith("        caption: '图为: 说明'\n      - src: ''\nlayout: x\n")
    assert yaml.safe_load(out)["stories"][0]["images"] == [{"src": "images/new-1.jpg", "caption": "图为: 说明"},
                                                          {"src": ""}]
    assert yaml.safe_load(append("kanwu: 1\n", "x.yaml", ENTRY))["stories"][0]["id"] == "new"


def test_the_line_under_the_last_photo_is_its_caption_not_the_byline():
    from kanwu.errors import Collector
    from kanwu.importer.story import build
    from kanwu.importer.walk import Picture

    title = Line((Span("标题", False, False),), (), 1, ParaStyle("title", 0, False, None, None))
    photo = Line((), (Picture(b"x", "/word/media/image1.png", 3),), 3, TEXT)
    draft = build([title, line("正文。"), photo, line("（社区宣文办 供稿）", CENTRED)], "x.docx", "x", Collector())
    assert draft.byline == "" and draft.slots[0].caption == "（社区宣文办 供稿）"
    draft = build([title, line("正文。"), line("（社区宣文办 供稿）", CENTRED)], "x.docx", "x", Collector())
    assert draft.byline == "社区宣文办 供稿" and draft.body == "正文。\n"


@pytest.mark.parametrize("slot, kept", [
    ('  - id: new\n    headline: ""  # 待填\n    body: ""  # 待填\n    place: {page: 1}\n', {"place": {"page": 1}}),
    ("  - id: new\n    headline:\n    body: |\n    column: 栏\n", {"column": "栏"}),  # null and an empty block
    ('  - id: new\n    images: []\n    headline: \'\'\n', {}),
    ("  - id: new\n", {}),
])
def test_a_slot_is_filled_whatever_empty_values_it_was_written_with(slot, kept):
    text = f"kanwu: 1\nstories:\n  - id: old\n    headline: 旧\n    body: 旧\n{slot}# 末尾\n"
    for nl in ("\n", "\r\n"):
        out = fill(text.replace("\n", nl), "x.yaml", ENTRY)
        assert out.endswith(f"# 末尾{nl}") and "\n" not in out.replace("\r\n", "") if nl == "\r\n" else True
        story = yaml.safe_load(out)["stories"][1]
        assert story == {"id": "new", "headline": "标题", "byline": "宣文办", "body_file": "text/new.md",
                         "images": [{"src": "images/new-1.jpg", "caption": "图为: 说明"}, {"src": ""}], **kept}
    assert stories_of(text, "x.yaml").slots == ("new",)


def test_a_slot_is_never_filled_over_what_it_has():
    with pytest.raises(KanwuError, match=r"x.yaml:4:13: error: 稿件位 “new” 已经有 byline"):
        fill("stories:\n  - id: new\n    headline: ''\n    byline: 李四\n", "x.yaml", ENTRY)
    with pytest.raises(KanwuError, match=r"x.yaml:2:5: error: 稿件位 “new” 写成了 \{ … \}"):
        fill('stories:\n  - {id: new, headline: "", body: ""}\n', "x.yaml", ENTRY)
