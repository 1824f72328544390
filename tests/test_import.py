"""``kanwu import``: a correspondent's .docx made into a story, appended to an issue, refused when hostile."""
from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

import docxes
from kanwu.cli import main
from kanwu.errors import KanwuError
from kanwu.importer import import_docx
from kanwu.load import load_issue
from paths import MINIMAL, SEED


def texts_of(docx: Path) -> list[str]:
    """Every paragraph's text in the document body (tables included), as Word shows it."""
    import docx as python_docx

    d = python_docx.Document(str(docx))
    out = [p.text for p in d.paragraphs]
    out += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return [t.strip().replace("　　", "", 1) for t in out if t.strip()]


def plain(markdown: str) -> str:
    """Markdown body text without its markup (for finding every word of the document in it)."""
    return re.sub(r"(?m)^(#+ |- |\d+[.)] )|\*", "", markdown)


@pytest.fixture
def issue(write_issue) -> Path:
    """A small valid issue file with comments, one story and a page plan."""
    return write_issue("""\
        # 测试简报 第1期 —— 编辑的注释要留着
        kanwu: 1
        publication:
          name: 测试简报   # 刊名
        issue: {number: 1, date: 2024-05-01}
        layout: bulletin-a4
        pages:
          - title: 要闻
            stories: [one]
        stories:
          - id: one
            headline: 测试标题
            body: |
              第一段文字，这是一个测试段落。

        # 末尾的注释
        """)


def test_a_correspondents_document_is_imported_with_nothing_lost(tmp_path, issue, monkeypatch):
    """The done-when case: title, byline, bold and italic, two 小标题, lists, two captioned photos, a table."""
    docx = docxes.correspondent(tmp_path / "稿件.docx")
    result = import_docx(docx, into=issue)
    story = next(s for s in load_issue(issue).stories if s.id == result.story_id)
    assert result.story_id == "story"
    assert story.headline.value == docxes.TITLE
    assert story.byline.value == "社区宣文办、通讯员　张三"
    body = story.body.value
    assert body.startswith("近日，**鞍山五村居民区**联合物业开展了*垃圾分类*宣传活动")
    assert "\n## 一、入户宣传　面对面讲解\n" in body and "\n## 二、现场答疑　手把手指导\n" in body
    assert "\n- 湿垃圾要破袋投放\n\n- 有害垃圾单独投放\n" in body
    assert "\n1. 讲解分类标准\n\n2. 演示投放方法\n" in body
    assert "\n时间｜地点｜参加人数\n\n12月1日｜鞍山五村｜120人\n" in body
    # the photos: original bytes, in order, each with the line under it as its caption
    assert [im.caption.value for im in story.images] == ["图为志愿者入户宣传垃圾分类知识", "居民现场体验分类投放"]
    assert [im.src.read_bytes() for im in story.images] == list(docxes.PHOTOS)
    assert [im.src_text for im in story.images] == ["images/story-1.jpg", "images/story-2.jpg"]
    # nothing lost: every line of the document is somewhere in the story
    printed = "\n".join([story.headline.value, story.byline.value, plain(body)] + [im.caption.value for im in story.images])
    missing = [t for t in texts_of(docx) if t.replace("（", "").replace("）", "") not in printed.replace("　", "")
               and t not in printed]
    assert not missing
    # and only the table is reported, naming the file and where it is
    assert [(f.code, f.level) for f in result.findings] == [("import-table", "warning")]
    assert str(result.findings[0]).startswith(f"{docx}: warning: 第 16 段（“时间 地点 参加人数")
    assert result.unplaced  # the issue has a page plan that does not name the story yet
    # the issue builds with it (press PDF written: no error anywhere)
    from kanwu.build import build

    monkeypatch.setenv("KANWU_CACHE", "off")
    built = build(issue, tmp_path / "out", png=False)
    assert built.exit_code == 0, [str(f) for f in built.report.findings if f.level == "error"]
    assert (tmp_path / "out" / "issue.print.pdf").is_file()
    # what the import joined (table cells, byline lines) is typeset as imported: the only normalisation in the
    # story is the correspondent's own space in the 小标题, as in any office text (a space between two Chinese
    # words is removed; a space joining the cells would have run them together)
    changed = {(f.pos.file, f.pos.line) for f in built.report.findings if f.code == "normalized-punctuation"}
    lines = (issue.parent / "text" / "story.md").read_text(encoding="utf-8").split("\n")
    # the 小标题's spaces separate its parts: a heading's spaces are kept, so nothing in the body changes
    assert {lines[line - 1] for file, line in changed if file.endswith("story.md")} == set()
    from kanwu.text.normalize import normalize

    assert normalize(story.byline.value, running=False)[0] == "社区宣文办、通讯员　张三"  # a byline keeps its space
    assert "\n时间｜地点｜参加人数\n\n12月1日｜鞍山五村｜120人\n" in normalize(body)[0]


def test_into_keeps_the_issue_file_as_it_was_and_appends_in_its_style(tmp_path, issue):
    before = issue.read_text(encoding="utf-8")
    docx = docxes.simple(tmp_path / "notice.docx", "第一段。", "第二段。", title="通知: 开会")
    result = import_docx(docx, into=issue)
    after = issue.read_text(encoding="utf-8")
    added = after[len(before) - len("\n# 末尾的注释\n"):-len("\n# 末尾的注释\n")]
    assert after == before.replace("\n# 末尾的注释\n", added + "\n# 末尾的注释\n")  # everything else as it was
    assert added == ("  # 由 kanwu import 导入自 notice.docx\n  - id: notice\n    headline: '通知: 开会'\n"
                     "    body_file: text/notice.md\n")
    assert result.written == (issue.parent / "text" / "notice.md", issue)
    assert (issue.parent / "text" / "notice.md").read_text(encoding="utf-8") == "第一段。\n\n第二段。\n"


@pytest.mark.parametrize("dash", [0, 4])
def test_into_follows_the_files_indentation_encoding_and_line_endings(tmp_path, dash):
    """A file written with ``- id`` at column 0 (or 4), saved by Notepad with a BOM and CRLF, stays so."""
    pad = " " * dash
    text = MINIMAL.replace("stories:\n  - id: one\n    headline: 测试标题\n    body: |\n      第一段",
                           f"stories:\n{pad}- id: one\n{pad}  headline: 测试标题\n{pad}  body: |\n{pad}    第一段")
    issue = tmp_path / "issue.yaml"
    issue.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    docx = docxes.correspondent(tmp_path / "a.docx")
    import_docx(docx, into=issue, story_id="garbage")
    data = issue.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    added = data[len(text.replace("\n", "\r\n").encode("utf-8")) + 3:].decode("utf-8")
    assert "\n" not in added.replace("\r\n", "")
    assert added.split("\r\n")[1:4] == [f"{pad}- id: garbage", f"{pad}  headline: {docxes.TITLE}",
                                        f"{pad}  byline: 社区宣文办、通讯员　张三"]
    assert f"\r\n{pad}  images:\r\n{pad}{pad}  - src: images/garbage-1.jpg\r\n" in added
    assert [s.id for s in load_issue(issue).stories] == ["one", "garbage"]


def test_without_into_the_story_is_printed_and_the_files_written_here(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    docxes.correspondent(tmp_path / "lead.docx")
    assert main(["import", "lead.docx"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("  # 由 kanwu import 导入自 lead.docx\n  - id: lead\n")
    assert "    body_file: text/lead.md\n" in out and "      - src: images/lead-2.jpg\n" in out
    assert "warning: " in err and "import-table" not in out
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*") if p.name != "lead.docx") == \
        ["images/lead-1.jpg", "images/lead-2.jpg", "text/lead.md"]


@pytest.mark.parametrize("name, data, what", [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Word（.doc）或 WPS（.wps）"),
    ("report.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Word（.doc）或 WPS（.wps）"),
    ("renamed.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Word（.doc）或 WPS（.wps）"),
    ("rich.docx", b"{\\rtf1\\ansi hello}", "RTF"),
    ("text.docx", "稿件正文".encode("utf-8"), "不是 Word 文档"),
    ("sheet.docx", None, "不是 Word 文档"),
])
def test_anything_but_a_docx_is_refused_with_save_as_docx(tmp_path, capsys, name, data, what):
    path = tmp_path / name
    if data is None:  # a zip that is no Word package
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "hi")
    else:
        path.write_bytes(data)
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert what in err and "另存为" in err and "save it as .docx" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_password_protected_document_is_named_so(tmp_path, capsys):
    path = tmp_path / "secret.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le"))
    assert main(["import", str(path)]) == 2
    assert "密码" in capsys.readouterr().err


def test_ids_never_collide(tmp_path, issue, capsys):
    before = issue.read_bytes()
    docx = docxes.simple(tmp_path / "one.docx", "正文。")
    assert main(["import", str(docx), "--into", str(issue), "--id", "one"]) == 2
    assert "已经有 id 为 “one” 的稿件" in capsys.readouterr().err
    assert issue.read_bytes() == before and not (issue.parent / "text").exists()
    assert main(["import", str(docx), "--into", str(issue), "--id", "Bad_ID"]) == 2
    assert "[a-z0-9-]+" in capsys.readouterr().err
    # without --id the name of the file gives the id, numbered past the ones in use
    assert import_docx(docx, into=issue).story_id == "one-2"
    assert import_docx(docx, into=issue).story_id == "one-3"
    assert [s.id for s in load_issue(issue).stories] == ["one", "one-2", "one-3"]


def test_existing_files_are_never_overwritten(tmp_path, issue):
    (issue.parent / "text").mkdir()
    (issue.parent / "images").mkdir()
    (issue.parent / "text" / "fresh.md").write_text("旧稿\n", encoding="utf-8")
    (issue.parent / "images" / "fresh-1.jpg").write_bytes(b"old photo")
    result = import_docx(docxes.correspondent(tmp_path / "x.docx"), into=issue, story_id="fresh")
    assert (issue.parent / "text" / "fresh.md").read_text(encoding="utf-8") == "旧稿\n"
    assert (issue.parent / "images" / "fresh-1.jpg").read_bytes() == b"old photo"
    assert [p.relative_to(issue.parent).as_posix() for p in result.written] == \
        ["text/fresh-2.md", "images/fresh-2.jpg", "images/fresh-3.jpg", "issue.yaml"]


def test_an_issue_that_would_not_load_is_left_alone(tmp_path, write_issue, capsys):
    bad = write_issue(MINIMAL.replace("date: 2024-05-01", "date: 2024-13-45"))
    before = bad.read_bytes()
    docx = docxes.correspondent(tmp_path / "x.docx")
    assert main(["import", str(docx), "--into", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "期刊文件本身有错误" in err and f"{bad}:6:" in err
    assert bad.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issue.yaml", "x.docx"]  # no text/, no images/


def hostile(tmp_path: Path, **changes) -> Path:
    return docxes.rezip(docxes.simple(tmp_path / "ok.docx", "正文。"), tmp_path / "bad.docx", **changes)


@pytest.mark.parametrize("member", ["../kanwu-owned.txt", "/etc/kanwu-owned", "word\\..\\..\\kanwu-owned.txt",
                                    "C:/kanwu-owned.txt", "word/media/../../../kanwu-owned.png"])
def test_path_traversal_member_names_are_refused(tmp_path, capsys, monkeypatch, member):
    monkeypatch.chdir(tmp_path)
    bad = hostile(tmp_path, add={member: b"owned"})
    assert main(["import", str(bad)]) == 2
    assert "路径穿越" in capsys.readouterr().err
    assert not list(tmp_path.parent.rglob("kanwu-owned*")) and not (tmp_path / "text").exists()


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, capsys):
    bad = hostile(tmp_path, add={"word/bomb.xml": b"<a>" + b" " * 30_000_000 + b"</a>"})
    assert bad.stat().st_size < 200_000
    assert main(["import", str(bad)]) == 2
    assert "压缩炸弹" in capsys.readouterr().err


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',  # entity expansion
    '<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',  # an external entity
])
def test_xml_entity_tricks_are_refused(tmp_path, capsys, doctype):
    src = docxes.simple(tmp_path / "ok.docx", "正文。")
    with zipfile.ZipFile(src) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    xml = xml.replace("?>", "?>" + doctype, 1).replace("正文。", "&b;" if "ENTITY a" in doctype else "&xxe;")
    bad = docxes.rezip(src, tmp_path / "bad.docx", replace={"word/document.xml": xml.encode("utf-8")})
    assert main(["import", str(bad)]) == 2
    assert "DTD" in capsys.readouterr().err


def test_a_damaged_package_is_refused_cleanly(tmp_path, capsys):
    good = docxes.simple(tmp_path / "ok.docx", "正文。")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert main(["import", str(cut)]) == 2
    assert "已损坏" in capsys.readouterr().err
    broken = docxes.rezip(good, tmp_path / "broken.docx", replace={"word/document.xml": b"<w:document"})
    assert main(["import", str(broken)]) == 2
    assert "已损坏" in capsys.readouterr().err


def test_a_huge_picture_is_refused(tmp_path, capsys):
    import io

    from docx import Document

    d = Document()
    d.add_paragraph("标题", style="Title")
    d.add_paragraph().add_run().add_picture(io.BytesIO(docxes.png_header(20_000, 20_000)))
    d.save(tmp_path / "big.docx")
    assert main(["import", str(tmp_path / "big.docx")]) == 2
    assert "像素" in capsys.readouterr().err and not (tmp_path / "images").exists()


def test_what_a_story_cannot_hold_is_reported(tmp_path):
    """Tracked changes, a comment, a text box, a footnote, hidden text: each named with its paragraph."""
    from docx import Document

    revisions = docxes.inject(tmp_path / "rev.docx", (
        '<w:ins w:id="1" w:author="张三" w:date="2024-05-01T00:00:00Z"><w:r><w:t>新加的字</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="张三" w:date="2024-05-01T00:00:00Z"><w:r><w:delText>删去的字</w:delText></w:r></w:del>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>藏起来的字</w:t></w:r>'
        '<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p>'
        '</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
        '<w:r><w:footnoteReference w:id="1"/></w:r>'))
    d = Document(str(revisions))
    d.add_comment(d.paragraphs[1].runs[0], text="这句要核实", author="李编辑")
    d.save(revisions)
    out = import_docx(revisions, folder=tmp_path)
    codes = {f.code: str(f) for f in out.findings}
    assert set(codes) == {"import-revision", "import-hidden", "import-textbox", "import-note", "import-comment"}
    assert all(m.startswith(f"{revisions}: warning: 第 2 段（“正文开头。新加的字”）") for m in codes.values())
    assert "删除“删去的字”" in codes["import-revision"] and "文本框里的字" in codes["import-textbox"]
    assert "李编辑：“这句要核实”" in codes["import-comment"] and "藏起来的字" in codes["import-hidden"]
    body = (tmp_path / "text" / "rev.md").read_text(encoding="utf-8")
    assert body == "正文开头。新加的字\n"


def test_wps_headings_numbering_and_captions(tmp_path):
    """WPS names its heading styles 标题 1; Chinese numbering (一、) is kept as shown; 图为 lines are captions."""
    import io

    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE

    d = Document()
    d.add_paragraph("社区简讯", style="Title")
    d.add_paragraph("——记鞍山五村志愿者")
    heading = d.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("志愿服务", style=heading)
    chinese = docxes.numbering(d, "chineseCounting", "%1、")
    for text in ("第一件事", "第二件事"):
        docxes.numbered(d.add_paragraph(text), chinese)
    picture = d.add_paragraph()
    picture.add_run().add_picture(io.BytesIO(docxes.PHOTOS[0]))
    picture.add_run("图为志愿者在小区里（张三　摄）")  # the caption in the picture's own paragraph
    d.add_paragraph("记者　李四")
    d.save(tmp_path / "wps.docx")
    out = import_docx(tmp_path / "wps.docx", folder=tmp_path)
    assert not out.findings
    assert "    subheadline: ——记鞍山五村志愿者\n    byline: 记者　李四\n" in out.entry
    assert "        caption: 图为志愿者在小区里（张三　摄）\n" in out.entry
    assert (tmp_path / "text" / "wps.md").read_text(encoding="utf-8") == "## 志愿服务\n\n一、第一件事\n\n二、第二件事\n"


def test_a_picture_without_caption_and_a_document_without_title_are_reported(tmp_path):
    import io

    from docx import Document

    d = Document()
    d.add_paragraph("这是一段很长的正文，" * 20)
    d.add_paragraph().add_run().add_picture(io.BytesIO(docxes.PHOTOS[1]))
    d.add_paragraph("图片后面接着是正文，不是图片说明，因为它既不居中也不以图为开头。")
    d.save(tmp_path / "无题.docx")
    out = import_docx(tmp_path / "无题.docx", folder=tmp_path)
    assert [f.code for f in out.findings] == ["import-no-title", "import-no-caption"]
    assert "    headline: 无题\n" in out.entry and "第 2 段的图片下面没有找到图片说明" in str(out.findings[1])


def test_the_sha_of_every_photo_is_the_documents(tmp_path):
    """Photos are the bytes the document holds (PNG too), never re-encoded."""
    import io

    from docx import Document

    png = docxes.photo("#30a050", (900, 600), "PNG")
    d = Document()
    d.add_paragraph("标题", style="Title")
    d.add_paragraph().add_run().add_picture(io.BytesIO(png))
    d.add_paragraph("图为绿色")
    d.save(tmp_path / "p.docx")
    import_docx(tmp_path / "p.docx", folder=tmp_path, story_id="green")
    assert hashlib.sha256((tmp_path / "images" / "green-1.png").read_bytes()).digest() == hashlib.sha256(png).digest()


def test_kanwu_error_is_the_only_failure(tmp_path):
    """A document kanwu reads but cannot use (no text at all) is an input error, not a crash."""
    from docx import Document

    Document().save(tmp_path / "empty.docx")
    with pytest.raises(KanwuError) as info:
        import_docx(tmp_path / "empty.docx", folder=tmp_path)
    assert info.value.exit_code == 2 and "没有文字" in str(info.value)


def test_odd_but_readable_packages_import(tmp_path):
    """Found by fuzzing: no numbering part, a list naming a numbering that is not there (WPS writes such files)."""
    src = docxes.simple(tmp_path / "ok.docx", "正文。")
    with zipfile.ZipFile(src) as zf:
        rels = zf.read("word/_rels/document.xml.rels").decode("utf-8")
        xml = zf.read("word/document.xml").decode("utf-8")
    rels = re.sub(r"<Relationship [^>]*numbering[^>]*/>", "", rels)
    xml = xml.replace("<w:r><w:t>正文。", '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="77"/></w:numPr></w:pPr>'
                      "<w:r><w:t>正文。", 1)
    odd = docxes.rezip(src, tmp_path / "odd.docx", replace={"word/_rels/document.xml.rels": rels.encode("utf-8"),
                                                            "word/document.xml": xml.encode("utf-8")})
    assert "numbering" not in zipfile.ZipFile(odd).read("word/_rels/document.xml.rels").decode("utf-8")
    out = import_docx(odd, folder=tmp_path)
    assert (tmp_path / "text" / "odd.md").read_text(encoding="utf-8") == "正文。\n" and not out.findings


def test_a_package_without_a_document_body_is_damaged(tmp_path, capsys):
    src = docxes.simple(tmp_path / "ok.docx", "正文。")
    bad = docxes.rezip(src, tmp_path / "bad.docx", replace={"word/document.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:bodx/></w:document>').encode("utf-8")})
    assert main(["import", str(bad)]) == 2
    assert "已损坏" in capsys.readouterr().err


def test_the_command_says_what_it_wrote_and_what_is_left_to_do(tmp_path, issue, capsys):
    docx = docxes.simple(tmp_path / "news.docx", "正文。")
    assert main(["import", str(docx), "--into", str(issue)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"written {issue.parent / 'text' / 'news.md'}", f"written {issue}",
                                "已导入为稿件 news / imported as story `news`",
                                "请在 pages: 的某一版加上 news（现在接在最后一版）/ add `news` to a page in pages: "
                                "(it follows the last page for now)"]
    assert err == ""


def test_a_new_number_is_filled_slot_by_slot(tmp_path, write_issue, capsys):
    """``kanwu new`` leaves each story a slot; ``--id`` fills one in place while the others wait (their empty
    values are no reason to refuse an import), and a document without ``--id`` joins as a new story."""
    previous = write_issue(MINIMAL.replace("stories:\n", "pages:\n  - title: 要闻\n    stories: [one, two]\nstories:\n")
                           + "    column: 社区动态\n  - id: two\n    headline: 第二篇\n    body: 第二篇正文。\n",
                           name="no1.yaml")
    assert main(["new", str(previous), "--date", "2024-06-01", "-o", str(tmp_path / "no2.yaml")]) == 0
    issue = tmp_path / "no2.yaml"
    before = issue.read_text(encoding="utf-8")
    docx = docxes.correspondent(tmp_path / "稿件.docx")
    capsys.readouterr()
    assert main(["import", str(docx), "--into", str(issue), "--id", "one"]) == 0
    out = capsys.readouterr().out
    assert "已导入为稿件 one" in out and "pages:" not in out  # the slot is on the page plan already
    after = issue.read_text(encoding="utf-8")
    slot = before[before.index("  - id: one\n"):before.index("  - id: two\n")]
    filled = after[after.index("  - id: one\n"):after.index("  - id: two\n")]
    assert after == before.replace(slot, filled)  # nothing but the slot changed
    assert filled.startswith(f"  - id: one\n    headline: {docxes.TITLE}  # 由 kanwu import 导入自 稿件.docx\n"
                             "    body_file: text/one.md\n    column: 社区动态\n    byline: 社区宣文办、通讯员　张三\n"
                             "    images:\n"
                             "      - src: images/one-1.jpg\n        caption: 图为志愿者入户宣传垃圾分类知识\n")
    assert "待填" not in filled and after.count("# 待填") == 2  # slot `two` still waits
    with pytest.raises(KanwuError) as waiting:
        load_issue(issue)
    errors = {f.pos.line for f in waiting.value.findings if f.level == "error"}  # the slot's headline
    assert errors and errors <= {i + 1 for i, line in enumerate(after.split("\n")) if "# 待填" in line}
    # a document without --id is a new story, the slot `two` still waiting
    result = import_docx(docxes.simple(tmp_path / "notice.docx", "通知正文。", title="通知"), into=issue)
    assert result.story_id == "notice" and result.unplaced
    # a filled story is not a slot: refused, naming the slots still to fill
    again = issue.read_bytes()
    assert main(["import", str(docx), "--into", str(issue), "--id", "one"]) == 2
    assert "待填的稿件位有 two" in capsys.readouterr().err and issue.read_bytes() == again
    assert import_docx(docxes.simple(tmp_path / "b.docx", "正文。", title="第二篇"), into=issue, story_id="two")
    stories = {s.id: s for s in load_issue(issue).stories}
    assert list(stories) == ["one", "two", "notice"]
    assert stories["one"].column.value == "社区动态" and len(stories["one"].images) == 2
    assert stories["two"].headline.value == "第二篇" and stories["two"].body.value == "正文。\n"


def test_imported_text_is_typeset_as_the_same_text_typed_by_an_office(tmp_path, issue):
    """Half-width punctuation, full-width indents, spaces between Chinese words and rare characters (喆 堃 镕)
    come through the import as typed, and typesetting treats them as it treats an office's Markdown file."""
    from kanwu.text.prepare import prepare

    typed = ["　　居民王喆说:\"垃圾分类,从我做起!\"", "李堃和朱镕 一起参加了活动(共30人)...", "地址:四平路1号;电话:12345678."]
    result = import_docx(docxes.simple(tmp_path / "office.docx", *typed, title="王喆、李堃、朱镕参加活动"), into=issue)
    (tmp_path / "office.md").write_text("\n\n".join(typed) + "\n", encoding="utf-8")
    issue.write_text(issue.read_text(encoding="utf-8").replace(
        "\n# 末尾的注释", "  - id: typed\n    headline: 王喆、李堃、朱镕参加活动\n    body_file: office.md\n# 末尾的注释"),
        encoding="utf-8")
    loaded = load_issue(issue)
    stories = {s.id: s for s in loaded.stories}
    assert stories[result.story_id].body.value == "\n\n".join(t.lstrip("　") for t in typed) + "\n"  # as typed
    prepared, changes = prepare(loaded)
    ready = {s.id: s for s in prepared.stories}
    imported, office = ready[result.story_id], ready["typed"]
    assert [b.text for b in imported.blocks] == [b.text for b in office.blocks]
    assert imported.headline.value == office.headline.value == "王喆、李堃、朱镕参加活动"
    assert "居民王喆说：“垃圾分类，从我做起！”" in imported.blocks[0].text and "朱镕一起" in imported.blocks[1].text

    def made(story_id: str) -> list[str]:
        return sorted(dict(f.data)["before"] + ">" + dict(f.data)["after"] for f in changes
                      if f.story == story_id and f.code == "normalized-punctuation")
    assert made(result.story_id) == [c for c in made("typed") if not c.startswith("　　")]  # the indent: gone already
    assert len(made(result.story_id)) >= 8


@pytest.mark.parametrize("layout", ["tabloid-a3", "bulletin-a4"])
def test_a_story_imported_into_the_seed_issue_builds_in_both_layouts(tmp_path, monkeypatch, layout):
    """The done-when document appended to a copy of the seed: typeset whole, no error, in the A3 paper and the A4
    bulletin (a check-style build: everything but writing the files)."""
    import shutil

    from kanwu.build import build

    shutil.copytree(SEED.parent, tmp_path / "issues", ignore=shutil.ignore_patterns("mixed*"))
    issue = tmp_path / "issues" / SEED.name
    result = import_docx(docxes.correspondent(tmp_path / "稿件.docx"), into=issue)
    monkeypatch.setenv("KANWU_CACHE", "off")
    built = build(issue, layout=layout, write=False)
    assert built.exit_code == 0, [str(f) for f in built.report.findings if f.level == "error"]
    row = next(r for r in built.report.stories if r["id"] == result.story_id)
    assert row["pages"] and row["overset_lines"] == 0 and row["overset_characters"] == 0
    assert [r["id"] for r in built.report.stories] == ["lead", "frontline", "npc", result.story_id]
