"""Tests for kanwu.text.normalize: punctuation for print, with every change reported."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanwu.text.normalize import Change, describe, normalize


def apply_changes(text: str, changes: tuple[Change, ...]) -> str:
    """Apply the changes in order to the original text, checking each is well formed."""
    out, pos = [], 0
    for ch in changes:
        assert ch.start >= pos, "changes overlap or are out of order"
        assert ch.end > ch.start
        assert text[ch.start:ch.end] == ch.before
        assert ch.after != ch.before
        out += [text[pos:ch.start], ch.after]
        pos = ch.end
    return "".join(out) + text[pos:]


def check(text: str) -> tuple[str, tuple[Change, ...]]:
    """normalize, plus the invariants every call must keep."""
    out, changes = normalize(text)
    assert apply_changes(text, changes) == out
    assert normalize(out) == (out, ()), "normalising twice changed something"
    for ch in changes:
        assert ch.rule in {"fullwidth-punct", "quotes", "nested-quotes", "ellipsis", "dash", "range",
                           "halfwidth-alnum", "invisible", "space", "indent"}
        assert describe(ch)
    return out, changes


CASES = [
    # The real bulletin (PDF extraction left ASCII commas).
    ("在“四史”学习教育中,党员干部注重联系实际学,在学习成果转化上下功夫,",
     "在“四史”学习教育中，党员干部注重联系实际学，在学习成果转化上下功夫，"),
    ("完成鞍一(2)、鞍一(3)、鞍山六村等多家业委会合并工作", "完成鞍一（2）、鞍一（3）、鞍山六村等多家业委会合并工作"),
    ("(社区宣文办)", "（社区宣文办）"),
    ("截至目前,共受理各类信访件406件,日常接待来访群众120批150人次",
     "截至目前，共受理各类信访件406件，日常接待来访群众120批150人次"),
    ("参选率达到94%,候选人杜娟高票当选。", "参选率达到94%，候选人杜娟高票当选。"),
    ("“自开展“四史”学习教育以来,四平路街道彰显出服务群众的“热度”。”",
     "“自开展‘四史’学习教育以来，四平路街道彰显出服务群众的‘热度’。”"),
    ("访问 https://www.shyp.gov.cn/a,b 了解", "访问 https://www.shyp.gov.cn/a,b 了解"),
    ("PM2.5浓度为35.2,比去年下降1,286吨.", "PM2.5浓度为35.2，比去年下降1,286吨。"),
    ("Hello, world. 你好", "Hello, world. 你好"),
    ("鞍山七村等5家", "鞍山七村等5家"),
    ("１２３号", "123号"),
    # Full-width marks and the spaces beside them.
    ("你好, 世界", "你好，世界"),
    ("你好 , 世界", "你好，世界"),
    ("真的吗?!", "真的吗？！"),
    ("真的吗?!?!?!?!", "真的吗？！？！？！？！"),
    ("他说:\"好\"", "他说：“好”"),
    ("注意:", "注意："),
    (":好", "：好"),
    (".好", "。好"),
    ("工作.", "工作。"),
    ("增长了3.5.", "增长了3.5。"),
    ("增长了3.5.下一步", "增长了3.5。下一步"),
    ("我们使用 Python 3.11.", "我们使用 Python 3.11。"),
    ("他用Python, 很好", "他用Python，很好"),
    ("第一;第二", "第一；第二"),
    ("你好😀,哈哈", "你好😀，哈哈"),
    ("**重要**,我们", "**重要**，我们"),
    ("“好”,他说", "“好”，他说"),
    # Numbers, URLs, e-mail, file names and Latin text stay.
    ("会议10:30开始", "会议10:30开始"),
    ("时间:10:30,比分1:2", "时间：10:30，比分1:2"),
    ("圆周率3.14", "圆周率3.14"),
    ("合格率99.6%", "合格率99.6%"),
    ("1.5亿元", "1.5亿元"),
    ("见report.pdf,谢谢", "见report.pdf，谢谢"),
    ("邮箱 a.b@x.org,谢谢", "邮箱 a.b@x.org，谢谢"),
    ("网址www.x.cn,请查看", "网址www.x.cn，请查看"),
    ("链接https://x.org/a?b=c,请查看", "链接https://x.org/a?b=c，请查看"),
    ("Mr. Li说", "Mr. Li说"),
    ("他说 Hello, world. 好", "他说 Hello, world. 好"),
    ("OK, 好的", "OK, 好的"),
    ("I don't know,好吗", "I don’t know，好吗"),
    ("Hello, world.", "Hello, world."),
    ("“Hello”, he said", "“Hello”, he said"),
    ("好. 下一句", "好。下一句"),
    # Brackets decided as pairs.
    ("f(x)的值", "f(x)的值"),
    ("函数f(x),好", "函数f(x)，好"),
    ("Hello (world) 你好", "Hello (world) 你好"),
    ("(1)第一项", "（1）第一项"),
    ("鞍一 (2) 号", "鞍一（2）号"),
    ("他说(see Fig. 1)", "他说（see Fig. 1）"),
    ("Python(一种语言)", "Python（一种语言）"),
    ("（注意)", "（注意）"),
    ("好)", "好)"),
    ("(好", "(好"),
    # Quotes.
    ("他说\"好\"的\"东西\"", "他说“好”的“东西”"),
    ("\"好\" \"坏\"", "“好”“坏”"),  # quotes paired; the space between two quoted Chinese words goes
    ("“他说\"好\"”", "“他说‘好’”"),
    ("他说'好'", "他说‘好’"),
    ("don't O'Brien", "don’t O’Brien"),
    ("\"Hello,\" she said.", "“Hello,” she said."),
    ("“一“二“三”二”一”", "“一‘二“三”二’一”"),
    ("“a‘b’c”", "“a‘b’c”"),
    ("“好", "“好"),
    ("好”,坏", "好”，坏"),
    ("\"好\n\n坏\"", "\"好\n\n坏\""),
    ("“未完\n\n“另段”", "“未完\n\n“另段”"),
    ("5'10\"", "5'10\""),
    # Ellipsis and dash.
    ("好...", "好……"),
    ("好......", "好……"),
    ("你好。。。", "你好……"),
    ("好…", "好……"),
    ("好……", "好……"),
    ("等等...,然后", "等等……，然后"),
    ("wait... ok", "wait... ok"),
    ("1...10", "1...10"),
    ("他说--好", "他说——好"),
    ("好－－坏", "好——坏"),
    ("好—坏", "好——坏"),
    ("好——坏", "好——坏"),
    ("--help 命令", "--help 命令"),
    ("命令--help", "命令--help"),
    ("2020--2021年", "2020--2021年"),
    ("word—word", "word—word"),
    # Full-width digits and letters.
    ("１２．５％", "12.5%"),
    ("5％", "5%"),
    ("３．１４", "3.14"),
    ("百分号％", "百分号％"),
    ("ＡＢＣ公司ａｂｃ", "ABC公司abc"),
    # Edge cases.
    ("", ""),
    (" ", " "),
    ("\n\n", "\n\n"),
    (",", ","),
    ("(", "("),
    ("”", "”"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_cases(text: str, expected: str) -> None:
    out, changes = check(text)
    assert out == expected
    assert bool(changes) == (text != expected)


def test_correct_paragraph_is_untouched() -> None:
    text = ("四平路街道党工委把践行“人民城市人民建，人民城市为人民”重要理念贯穿始终。截至目前，"
            "共受理各类信访件406件，日常接待来访群众120批150人次；完成鞍一（2）、鞍一（3）、"
            "鞍山六村等5家业委会合并工作。居民代表说：“大家都说‘家门口’的服务越来越好了！”"
            "今年PM2.5平均浓度为35.2微克/立方米，比去年下降1,286吨……这些变化——看得见、摸得着。"
            "详情请见《四平社区报》第3版，或访问 https://www.shyp.gov.cn/news 。Hello, world.")
    assert normalize(text) == (text, ())


def test_markdown_markers_survive() -> None:
    text = ("## 标题,好\n\n**重要**,我们\n\n- 项目,好\n- 二\n\n> 引用,好\n\n1. 第一项,好\n2) 第二项\n\n"
            "---\n\n* * *\n\n<b>加粗,</b> `a,b` &nbsp;好 [链接](https://x.org/a,b) ![图](a.png)\n")
    out, _ = check(text)
    assert out == ("## 标题，好\n\n**重要**，我们\n\n- 项目，好\n- 二\n\n> 引用，好\n\n1. 第一项，好\n2) 第二项\n\n"
                   "---\n\n* * *\n\n<b>加粗，</b> `a,b` &nbsp;好 [链接](https://x.org/a,b) ![图](a.png)\n")


def test_code_and_html_are_protected() -> None:
    text = "```\na,b\n好,\"x\"\n```\n<a href=\"x\">好,</a><!-- 好--坏 -->\n运行`--help`,好"
    out, _ = check(text)
    assert out == "```\na,b\n好,\"x\"\n```\n<a href=\"x\">好，</a><!-- 好--坏 -->\n运行`--help`，好"


def test_crlf_line_endings_preserved() -> None:
    out, changes = check("工作.\r\n下一步, 继续.\r\n\r\n“好”\r\n")
    assert out == "工作。\r\n下一步，继续。\r\n\r\n“好”\r\n"
    assert out.count("\r\n") == 4
    assert len(changes) == 3


def test_line_edge_spaces_kept() -> None:
    # Indentation and Markdown hard breaks (two trailing spaces) must stay.
    out, _ = check("  , 好\n好,  \n下一行")
    assert out == "  ，好\n好，  \n下一行"


def test_change_offsets_and_space_in_before() -> None:
    _, changes = check("你好, 世界")
    assert changes == (Change(2, 4, ", ", "，", "fullwidth-punct"),)


def test_changes_are_in_order_with_rules() -> None:
    text = "“开展“四史”教育...”他说--\"好\"１２３,完"
    out, changes = check(text)
    assert out == "“开展‘四史’教育……”他说——“好”123，完"
    assert [c.rule for c in changes] == ["nested-quotes", "nested-quotes", "ellipsis", "dash", "quotes", "quotes",
                                         "halfwidth-alnum", "fullwidth-punct"]
    assert [c.start for c in changes] == sorted(c.start for c in changes)


def test_halfwidth_run_is_one_change() -> None:
    _, changes = check("１２３号")
    assert changes == (Change(0, 3, "１２３", "123", "halfwidth-alnum"),)


def test_describe_messages() -> None:
    assert describe(Change(2, 4, ", ", "，", "fullwidth-punct")) == \
        '半角逗号改为全角：", " → "，" / ASCII comma set full width'
    assert describe(Change(0, 1, ".", "。", "fullwidth-punct")).startswith("半角句点改为句号")
    assert "apostrophe" in describe(Change(3, 4, "'", "’", "quotes"))
    assert "nested" not in describe(Change(0, 1, '"', "“", "quotes"))
    for rule in ("nested-quotes", "ellipsis", "dash", "halfwidth-alnum", "something-new"):
        msg = describe(Change(0, 1, "x", "y", rule))
        assert " / " in msg and '"x" → "y"' in msg


def test_real_bulletin_text() -> None:
    text = ("11月30日,四平路街道人大工委开展市、区人大代表集中联系基层活动。区政府办公室主任李正明,"
            "四平路街道党工委副书记、办事处主任杜娟,区人大代表薄曦参加相关调研活动。\n\n"
            "## 以学促干\n\n将每周四上午作为处级干部接待日;处级领导干部每月定时开展走访.")
    out, changes = check(text)
    assert "," not in out and ";" not in out
    assert out.endswith("定时开展走访。")
    assert "## 以学促干" in out
    assert len(changes) == 5


_ALPHABET = list("你好世界四史了 ,.:;?!()（）\"'“”‘’…—-－。，０１％．aZo3%\n\r*#>`<b/@") + [
    "http://", "www.", "...", "--", "1. ", "\n\n", "  ", "```"]
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(st.text())
def test_property_random_text(text: str) -> None:
    check(text)


@_SETTINGS
@given(st.lists(st.sampled_from(_ALPHABET), max_size=40).map("".join))
def test_property_punctuation_soup(text: str) -> None:
    check(text)


def test_date_and_time_spans_get_an_em_dash():
    assert check("活动时间7月1日--8月31日。")[0] == "活动时间7月1日—8月31日。"
    assert check("开放时间：8时-17时")[0] == "开放时间：8时—17时"
    for keep in ("9:00-11:00", "2020--2021年", "命令--help"):
        assert check(keep)[0] == keep


@pytest.mark.parametrize(("text", "expected"), [
    ("\u3000\u3000正文开头，居民。", "正文开头，居民。"),                 # typed indent: the layout indents
    ("第一段。\n\n\u3000\u3000第二段。", "第一段。\n\n第二段。"),
    ("居民 可以通过", "居民可以通过"),                                   # no word spaces in Chinese
    ("今天\u3000天气很好", "今天天气很好"),
    ("活动 最后 ，代表们", "活动最后，代表们"),
    ("他说 “你好” 。", "他说“你好”。"),
    ("居民 **可以** 通过", "居民**可以**通过"),
])
def test_spaces_inside_chinese_are_removed(text: str, expected: str) -> None:
    out, changes = check(text)
    assert out == expected
    assert {c.rule for c in changes} <= {"space", "indent"}


def test_spaces_that_mean_something_stay() -> None:
    for keep in ("访问 https://x.cn/a 。", "邮箱 a@b.cn 联系", "Hello world", "  缩进", "好  \n下一行",
                 "服务居民 671 人次", "使用 Python 编程", "“Hello,” she said.",
                 "- 项目", "1. 第一", "> 引文", "运行 `ls -l` 看"):
        assert check(keep)[0] == keep, keep


def test_space_messages_name_the_characters() -> None:
    _, changes = check("\u3000\u3000正文 开头")
    assert [c.rule for c in changes] == ["indent", "space"]
    assert "U+3000 U+3000" in describe(changes[0]) and "indent" in describe(changes[0])
    assert "U+0020" in describe(changes[1])


def test_spaces_that_separate_a_titles_parts_stay() -> None:
    # headlines, bylines, captions and Markdown headings: a space between two words is the writer's
    # separator (the importer and offices write 一、入户宣传　面对面讲解, 文/张三 图/李四)
    for title in ("文明劝导\u3000路口有“我”", "文/张三 图/李四", "社区宣文办\u3000通讯员\u3000张三"):
        assert normalize(title, running=False) == (title, ()), title
    body = "## 一、入户宣传\u3000面对面讲解\n\n居民 可以通过"
    out, changes = normalize(body)
    assert out == "## 一、入户宣传\u3000面对面讲解\n\n居民可以通过"
    assert [c.rule for c in changes] == ["space"]
    # the other rules still apply to titles
    assert normalize("活动圆满结束!", running=False)[0] == "活动圆满结束！"
