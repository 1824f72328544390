"""Load stage: read an issue file, validate it, build the model.

The YAML is composed into nodes (not constructed into Python values) so that
every value keeps its line and column. Validation walks the nodes with a
small schema (`schema.py`), collects every problem and fails once.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from pathlib import Path

import yaml

from .errors import Collector, KanwuError, Pos
from .files import SURROGATE, utf8_name
from .model import Distribution, Image, Issue, Page, Publication, Story, Text
from .schema import ISSUE, PAGES, Node, Reader
from .sources import read_source

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FORMAT_VERSION = 1
MAX_BODY_CHARS = 50_000
"""Characters one story's body may have (an A3 page holds about 5 000; the composer needs ~0.1 s per 1 000)."""
MAX_ISSUE_CHARS = 100_000
"""Characters of body text in one issue, all stories together."""
LAYOUT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
def compose_yaml(source: str, shown: str) -> yaml.Node | None:
    """Parse YAML into a node tree; a syntax error names file:line:col and what to do."""
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "syntax error"
        if "could not find expected ':'" in what and exc.context_mark:
            mark = exc.context_mark  # the key that lacks its colon, not the line after it
        where = Pos(shown, mark.line + 1, mark.column + 1) if mark else Pos(shown)
        line = source.split("\n")[mark.line] if mark and mark.line < source.count("\n") + 1 else ""
        cn, en, col = _yaml_hint(exc, what, line, mark.column if mark else 0)
        if mark and col != mark.column:
            where = Pos(shown, mark.line + 1, col + 1)
        if exc.context_mark and exc.problem_mark and "quoted scalar" in (exc.context or ""):
            opened = f"{exc.context_mark.line + 1}:{exc.context_mark.column + 1}"
            cn, en = f"引号没有闭合（引号在 {opened}）", f" (the quote opened at {opened} is not closed)"
        raise KanwuError(f"{where}: error: YAML 语法错误{'：' + cn if cn else ''} / YAML syntax error: {what}{en}") from None
    except yaml.YAMLError as exc:
        raise KanwuError(f"{shown}: error: YAML 语法错误 / YAML syntax error: {exc}") from None
    except RecursionError:
        raise KanwuError(f"{shown}: error: 嵌套层数太多 / the document is nested too deeply") from None


def mapping_value(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of `key` in a mapping node (None when not given, or `mapping` is no mapping)."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    return next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


_ESCAPE = re.compile(r"\\(?:u|U0000)([dD][89a-fA-F][0-9a-fA-F]{2})")


def check_surrogates(root: yaml.Node, source: str, shown: str) -> None:
    """Join surrogate pairs typed as YAML escapes; refuse a lone surrogate (``"\\ud800"``).

    A double-quoted YAML string may spell any UTF-16 code unit as an escape.
    A pair (``"\\ud83d\\ude00"``) is the character it encodes; a lone one is
    not a character at all and no font, PDF or JSON writer can take it, so it
    is an input error at the escape's line and column. Every node is visited
    once, however often aliases name it.
    """
    out = Collector()
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if isinstance(node.value, str) and SURROGATE.search(node.value):
                try:
                    node.value = node.value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
                except UnicodeDecodeError:
                    where, typed = _lone_escape(node, source, shown)
                    out.error("bad-character", f"文字中有 {typed}：这是孤立的 UTF-16 代理项，不是有效字符，请删去或直接写出该字 / "
                              f"the text contains {typed}, a lone UTF-16 surrogate, which is not a character: "
                              "remove it or type the character itself", where)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    out.findings.sort(key=lambda f: f.pos or Pos(""))
    out.fail_if_errors()


def _lone_escape(node: yaml.ScalarNode, source: str, shown: str) -> tuple[Pos, str]:
    """Where the first unpaired surrogate escape of `node` is typed, and how."""
    escapes = list(_ESCAPE.finditer(source, node.start_mark.index, node.end_mark.index))
    i = 0
    while i < len(escapes):
        code = int(escapes[i].group(1), 16)
        after = escapes[i + 1] if i + 1 < len(escapes) else None
        if code < 0xDC00 and after and after.start() == escapes[i].end() and int(after.group(1), 16) >= 0xDC00:
            i += 2  # a pair
            continue
        at = escapes[i].start()
        line = source.count("\n", 0, at) + 1
        return Pos(shown, line, at - source.rfind("\n", 0, at)), escapes[i].group(0)
    lone = SURROGATE.search(node.value)
    typed = f"\\u{ord(lone.group(0)):04x}" if lone else "?"
    return Pos(shown, node.start_mark.line + 1, node.start_mark.column + 1), typed


def _yaml_hint(exc: yaml.MarkedYAMLError, what: str, line: str, col: int) -> tuple[str, str, int]:
    """A Chinese explanation and an English hint for PyYAML's most common complaints, and the
    column (0-based) to name: PyYAML's ``col`` in ``line``, or where the mistake starts."""
    opened = _quote_then_text(line, col)
    if opened is not None:
        return ("这个值以半角引号开头，引号后面还有文字：请把整个值放进引号，或改用中文引号“”",
                " (the value starts with a quote and goes on after it: quote the whole value or use “ ”)", opened)
    cn, en = _common_hint(what, line)
    return cn, en, col


def _quote_then_text(line: str, col: int) -> int | None:
    """Where a value opened with an ASCII quote starts, when PyYAML stopped (at ``col``) on text
    right after its closing quote: ``headline: "楼道茶话会"把…``, a Notepad habit.  None otherwise."""
    before = line[:col].rstrip()
    if not before or before[-1] not in "\"'" or col >= len(line) or line[col] in ",]}#:":
        return None
    quote = before[-1]
    start = len(before) - 2
    while start >= 0 and (before[start] != quote or (quote == '"' and before[start - 1:start] == "\\")):
        start -= 1
    # the quote must open a value: after `key: `, `- `, `[`, `{` or `,` (or at the line's start)
    if start < 0 or not re.search(r"(^|[:\-\[{,])\s*$", before[:start]):
        return None
    return start


def _common_hint(what: str, line: str) -> tuple[str, str]:
    """A Chinese explanation and an English hint for PyYAML's most common complaints."""
    if "'\\t'" in what or "\t" in what:
        return "不能用 Tab 键缩进，请改用空格", " (indent with spaces, not tabs)"
    if "could not find expected ':'" in what:
        if "：" in line:
            return "键后面要用半角冒号加空格“: ”，这里用了全角冒号“：”", " (write `key: value` with an ASCII colon, not “：”)"
        return "这一行缺少“键: 值”中的冒号，或上一行的引号没有闭合", " (a `key: value` line needs `: `)"
    if "mapping values are not allowed" in what:
        return "值里含有“: ”：请给整个值加引号，或检查缩进", " (quote the whole value, or check the indentation)"
    if "cannot start any token" in what:
        return "以 @、` 或 % 开头的值要加引号", " (quote a value that starts with @, ` or %)"
    if "expected ',' or ']'" in what:
        return "方括号 [ 没有闭合", " (a `[` is not closed)"
    if "expected ',' or '}'" in what:
        return "花括号 { 没有闭合", " (a `{` is not closed)"
    if "expected <block end>" in what:
        return "缩进与上面几行不一致", " (the indentation does not match the lines above)"
    if "undefined alias" in what:
        return "引用了未定义的别名 *name", ""
    return "", ""


def load_issue(path: str | Path, layout: str | None = None, source: str | None = None) -> Issue:
    """Read, validate and model one issue file; raise `KanwuError` listing all problems.

    `source` is the file's text when it is not to be read from `path` (``kanwu new`` checks a
    file before writing it there); paths in it are still relative to `path`'s folder.
    """
    shown = str(path)
    path = Path(path)
    utf8_name(path, shown)
    if source is None:
        source = read_source(path, shown)
    root = compose_yaml(source, shown)
    out = Collector()
    if root is None:
        raise KanwuError(f"{shown}: error: 文件是空的 / the issue file is empty; expected a mapping with kanwu:, publication:, issue:, stories:")
    check_surrogates(root, source, shown)
    reader = Reader(shown, source.split("\n"), path.resolve().parent, out)
    doc = reader.check(Node(root), ISSUE, "")
    if doc is None:
        out.fail_if_errors()
        raise KanwuError(f"{shown}: error: 无法读取 / unreadable issue")
    version = doc.get("kanwu")
    if version is not None and version.value != FORMAT_VERSION:
        out.error("format-version", f"不支持的格式版本 {version.value}；本程序支持 kanwu: {FORMAT_VERSION} / "
                  f"unsupported format version, expected {FORMAT_VERSION}", version.pos)
    issue = _build(path, shown, doc, reader, out, layout)
    if layout:
        _check_layout(layout, Pos("--layout"), reader.root, out)
    elif "layout" in doc:
        _check_layout(doc["layout"].value.value.strip(), doc["layout"].pos, reader.root, out)
    elif not _gives(root, "layout"):  # a value given but refused (too long, a list) is reported already
        out.error("missing-key", "缺少 “layout”：请写 layout: 版式名，或在命令行用 --layout / missing `layout`: "
                  "name a layout in the file or give --layout", Pos(shown, 1, 1))
    # top to bottom as the editor reads: the issue file first, then body files
    out.findings.sort(key=lambda f: (f.pos is None or f.pos.file != shown, f.pos or Pos("")))
    out.fail_if_errors()
    assert issue is not None
    return dataclasses.replace(issue, warnings=tuple(out.findings))


def _gives(root: yaml.Node, key: str) -> bool:
    """Whether the mapping `root` gives `key` a value that is not null."""
    return any(isinstance(k, yaml.ScalarNode) and k.value == key and not v.tag.endswith(":null")
               for k, v in root.value)


def _check_layout(name: str, pos: Pos, root: Path, out: Collector) -> None:
    """The layout must be a folder name found in the layout search path; say which ones exist."""
    from .layout.spec import available, is_abstract, search_path

    if not LAYOUT_NAME.match(name) or ".." in name:
        out.error("unknown-layout", f"版式名 “{name}” 应是 layouts/ 下的文件夹名，不能是路径 / a layout is named by its "
                  "folder under layouts/, not by a path", pos)
    elif is_abstract(name, root):
        names = available(root)
        out.error("abstract-layout", f"版式 {name} 只供其他版式继承（abstract），不能直接使用；可用的版式：{'、'.join(names)}"
                  f" / `{name}` is an abstract layout, only for extends:; use one of: {', '.join(names)}", pos)
    elif not any((d / name / "layout.yaml").is_file() for d in search_path(root)):
        names = available(root)
        near = difflib.get_close_matches(name, names, 1)
        cn, en = (f"是不是 “{near[0]}”？", f" did you mean `{near[0]}`?") if near else ("", "")
        out.error("unknown-layout", f"找不到版式 “{name}”，{cn}可用的版式：{'、'.join(names)} / "
                  f"unknown layout `{name}`;{en} available: {', '.join(names)}", pos)


def _text(v: Node | None) -> Text | None:
    return v.value if v is not None else None


def _build(path: Path, shown: str, doc: dict, reader: Reader, out: Collector,
           layout: str | None) -> Issue | None:
    pub, info = doc.get("publication"), doc.get("issue")
    stories = [_story(s, reader, out) for s in (doc["stories"].value if "stories" in doc else [])]
    seen: dict[str, Pos] = {}
    total = _issue_chars(doc)
    for st in stories:
        if st is None:
            continue
        total += _story_chars(st)
        if total > MAX_ISSUE_CHARS:
            out.error("too-long", f"全期文字超过 {MAX_ISSUE_CHARS:,} 字（到这篇稿件为止）：请分成几期 / the issue's text "
                      f"(bodies, headlines, leads, captions...) exceeds {MAX_ISSUE_CHARS:,} characters here: "
                      "split the issue", st.pos)
            total = -10**9  # report once
        if st.id in seen:
            out.error("duplicate-id", f"稿件 id “{st.id}” 重复（第一次在 {seen[st.id]}）/ duplicate story id "
                      f"`{st.id}` (first at {seen[st.id]})", st.pos)
        seen.setdefault(st.id, st.pos)
    for snode, st in zip(doc["stories"].value if "stories" in doc else [], stories):
        if st is None and "id" in snode.value:  # a slot still to fill is no unknown story to its page
            seen.setdefault(snode.value["id"].value.value, snode.pos)
    pages = _pages(doc.get("pages"), seen, out)
    if out.has_errors or pub is None or info is None or "stories" not in doc:
        return None
    p = pub.value
    publication = Publication(
        name=p["name"].value, publisher=_text(p.get("publisher")), editor=_text(p.get("editor")),
        permit=_text(p.get("permit")), contact=_text(p.get("contact")),
        print_run=p["print_run"].value if "print_run" in p else None)
    i = info.value
    dist = doc["distribution"].value if "distribution" in doc else {}
    return Issue(
        path=path.resolve(), source_name=shown, publication=publication,
        number=i["number"].value, total=i["total"].value if "total" in i else None,
        date=i["date"].value if "date" in i else dt.date(1970, 1, 1),
        layout=layout or (doc["layout"].value.value if "layout" in doc else None),
        stories=tuple(s for s in stories if s is not None), pages=pages,
        distribution=Distribution(_text(dist.get("send_to")), _text(dist.get("copy_to"))),
        proof_round=doc["proof"].value["round"].value if "proof" in doc and "round" in doc["proof"].value else 1,
        normalize=doc["normalize"].value if "normalize" in doc else True,
    )


def _issue_chars(doc: dict[str, Node]) -> int:
    """Characters of the issue's own text: masthead, imprint, distribution lines, page titles."""
    fields = [n for key in ("publication", "distribution") if key in doc for n in doc[key].value.values()]
    fields += [p.value["title"] for p in (doc["pages"].value if "pages" in doc else []) if "title" in p.value]
    return sum(len(n.value.value) for n in fields if isinstance(n.value, Text))


def _story_chars(story: Story) -> int:
    """Characters of everything a story prints: headlines, byline, lead, body, captions, credits."""
    texts = [story.headline, story.column, story.kicker, story.subheadline, story.byline, story.lead, story.body]
    texts += [t for im in story.images for t in (im.caption, im.credit)]
    return sum(len(t.value) for t in texts if t is not None)


def _story(node: Node, reader: Reader, out: Collector) -> Story | None:
    s = node.value
    if "id" not in s:
        return None
    sid = s["id"].value.value
    if not ID_RE.match(sid):
        out.error("bad-id", f"稿件 id “{sid}” 只能用小写字母、数字和连字符 / a story id must match [a-z0-9-]+",
                  s["id"].pos)
    body = _text(s.get("body"))
    if body is not None and not body.value.strip() and "body_file" not in s:
        out.warning("unfilled", f"稿件 “{sid}” 的正文待填写（body 是空的）/ story `{sid}`: the body is empty, to be filled",
                    s["body"].pos, story=sid)
    if "body_file" in s and not s["body_file"].value.value.strip():
        out.error("empty", f"稿件 “{sid}” 的正文文件待填写（body_file 是空的）/ story `{sid}`: `body_file` is empty, "
                  "to be filled: the path of a Markdown file", s["body_file"].pos, story=sid)
    elif "body_file" in s:
        if body is not None:
            out.error("body-twice", "body 和 body_file 只能写一个 / give body or body_file, not both", s["body_file"].pos)
        body = reader.read_text_file(s["body_file"])
    if body is not None and len(body.value) > MAX_BODY_CHARS:
        out.error("too-long", f"正文太长（{len(body.value)} 字），一篇稿件最多 {MAX_BODY_CHARS} 字：请拆分稿件 / the body has "
                  f"{len(body.value):,} characters, the limit is {MAX_BODY_CHARS:,}: split the story", body.pos)
        body = None
    images = tuple(_image(n, reader) for n in (s["images"].value if "images" in s else []))
    if "headline" not in s:  # reported by the reader: missing, or empty (a slot to fill)
        return None
    return Story(
        id=sid, headline=s["headline"].value, pos=node.pos, column=_text(s.get("column")),
        kicker=_text(s.get("kicker")), subheadline=_text(s.get("subheadline")),
        byline=_text(s.get("byline")), lead=_text(s.get("lead")), body=body, images=images,
        place=reader.plain(s["place"]) if "place" in s else {})


def _image(node: Node, reader: Reader) -> Image:
    m = node.value
    src_text, src = "", None
    if "src" in m:
        src_text = m["src"].value.value
        src = reader.resolve_path(m["src"], must_exist=False)
    return Image(caption=_text(m.get("caption")), pos=node.pos, src=src, src_text=src_text,
                 credit=_text(m.get("credit")), place=reader.plain(m["place"]) if "place" in m else {})


def _pages(node: Node | None, ids: dict[str, Pos], out: Collector) -> tuple[Page, ...]:
    if node is None:
        return ()
    pages, placed = [], {}
    if len(node.value) > PAGES[1]:  # thousands of blank pages took minutes and gigabytes
        out.error("too-many-pages", f"版面安排最多 {PAGES[1]} 版，这里有 {len(node.value)} 版：请分成几期 / the page plan has "
                  f"{len(node.value)} pages; at most {PAGES[1]}: split the issue", node.value[PAGES[1]].pos)
        return ()
    for pnode in node.value:
        p = pnode.value
        story_ids = []
        for snode in (p["stories"].value if "stories" in p else []):
            sid = snode.value.value
            if ids and sid not in ids:
                from difflib import get_close_matches
                near = get_close_matches(sid, list(ids), 1)
                cn, en = (f"，是不是 “{near[0]}”？", f" did you mean `{near[0]}`?") if near else ("", "")
                out.error("unknown-story", f"版面引用了不存在的稿件 “{sid}”{cn} / page names an unknown story "
                          f"`{sid}`;{en} stories are: {', '.join(ids)}", snode.pos)
            elif sid in placed:
                out.warning("placed-twice", f"稿件 “{sid}” 已排在 {placed[sid]}，只排第一处 / story placed twice: "
                            f"`{sid}` is already on the page at {placed[sid]} and is set there only", snode.pos)
            placed.setdefault(sid, snode.pos)
            story_ids.append(sid)
        title = p["title"].value.value if "title" in p else ""
        pages.append(Page(title=title, stories=tuple(story_ids), pos=pnode.pos))
    for sid, pos in ids.items():
        if sid not in placed:
            out.warning("unplaced", f"稿件 “{sid}” 没有排进任何版面，将接在最后一版 / story is on no page; it follows the last page", pos)
    return tuple(pages)
