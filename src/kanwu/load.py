"""Load stage: read an issue file, validate it, build the model.

The YAML is composed into nodes (not constructed into Python values) so that
every value keeps its line and column. Validation walks the nodes with a
small schema (`schema.py`), collects every problem and fails once.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from .errors import Collector, KanwuError, Pos
from .model import Distribution, Image, Issue, Page, Publication, Story, Text
from .schema import ISSUE, Node, Reader

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FORMAT_VERSION = 1


def read_source(path: Path, shown: str) -> str:
    """The file's text, decoded as UTF-8 (a BOM is fine, CRLF becomes LF).

    Anything that is not UTF-8 is refused with a message saying where the
    first bad byte is: guessing GBK risks printing mojibake.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KanwuError(f"{shown}: error: 找不到文件 / file not found") from None
    except OSError as exc:
        raise KanwuError(f"{shown}: error: 无法读取 / cannot read: {exc.strerror}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = "（看起来是 GBK/GB18030 编码）"
        except UnicodeDecodeError:
            pass
        raise KanwuError(
            f"{shown}:{line}:{col}: error: 文件不是 UTF-8 编码{hint}，请在记事本中“另存为”并选择 UTF-8 / "
            "the file is not UTF-8: save it as UTF-8") from None
    if "\x00" in text:
        raise KanwuError(f"{shown}: error: 文件含有空字节，不是文本文件 / the file contains NUL bytes: not a text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def compose_yaml(source: str, shown: str) -> yaml.Node | None:
    """Parse YAML into a node tree; a syntax error names file:line:col."""
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Pos(shown, mark.line + 1, mark.column + 1) if mark else Pos(shown)
        what = exc.problem or exc.context or "syntax error"
        raise KanwuError(f"{where}: error: YAML 语法错误 / YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise KanwuError(f"{shown}: error: YAML 语法错误 / YAML syntax error: {exc}") from None


def load_issue(path: str | Path, layout: str | None = None) -> Issue:
    """Read, validate and model one issue file; raise `KanwuError` listing all problems."""
    shown = str(path)
    path = Path(path)
    source = read_source(path, shown)
    root = compose_yaml(source, shown)
    out = Collector()
    if root is None:
        raise KanwuError(f"{shown}: error: 文件是空的 / the issue file is empty; expected a mapping with kanwu:, publication:, issue:, stories:")
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
    out.fail_if_errors()
    assert issue is not None
    return issue


def _text(v: Node | None) -> Text | None:
    return v.value if v is not None else None


def _build(path: Path, shown: str, doc: dict, reader: Reader, out: Collector,
           layout: str | None) -> Issue | None:
    pub, info = doc.get("publication"), doc.get("issue")
    stories = [_story(s, reader, out) for s in (doc["stories"].value if "stories" in doc else [])]
    seen: dict[str, Pos] = {}
    for st in stories:
        if st is None:
            continue
        if st.id in seen:
            out.error("duplicate-id", f"稿件 id “{st.id}” 重复（第一次在 {seen[st.id]}）/ duplicate story id", st.pos)
        seen.setdefault(st.id, st.pos)
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


def _story(node: Node, reader: Reader, out: Collector) -> Story | None:
    s = node.value
    if "id" not in s or "headline" not in s:
        return None
    sid = s["id"].value.value
    if not ID_RE.match(sid):
        out.error("bad-id", f"稿件 id “{sid}” 只能用小写字母、数字和连字符 / a story id must match [a-z0-9-]+",
                  s["id"].pos)
    body = _text(s.get("body"))
    if "body_file" in s:
        if body is not None:
            out.error("body-twice", "body 和 body_file 只能写一个 / give body or body_file, not both", s["body_file"].pos)
        body = reader.read_text_file(s["body_file"])
    images = tuple(_image(n, reader) for n in (s["images"].value if "images" in s else []))
    return Story(
        id=sid, headline=s["headline"].value, pos=node.pos, column=_text(s.get("column")),
        kicker=_text(s.get("kicker")), subheadline=_text(s.get("subheadline")),
        byline=_text(s.get("byline")), lead=_text(s.get("lead")), body=body, images=images,
        place=s["place"].plain() if "place" in s else {})


def _image(node: Node, reader: Reader) -> Image:
    m = node.value
    src_text, src = "", None
    if "src" in m:
        src_text = m["src"].value.value
        src = reader.resolve_path(m["src"], must_exist=False)
    return Image(caption=_text(m.get("caption")), pos=node.pos, src=src, src_text=src_text,
                 credit=_text(m.get("credit")), place=m["place"].plain() if "place" in m else {})


def _pages(node: Node | None, ids: dict[str, Pos], out: Collector) -> tuple[Page, ...]:
    if node is None:
        return ()
    pages, placed = [], {}
    for pnode in node.value:
        p = pnode.value
        story_ids = []
        for snode in (p["stories"].value if "stories" in p else []):
            sid = snode.value.value
            if ids and sid not in ids:
                from difflib import get_close_matches
                near = get_close_matches(sid, list(ids), 1)
                hint = f"，是不是 “{near[0]}”？/ did you mean `{near[0]}`?" if near else ""
                out.error("unknown-story", f"版面引用了不存在的稿件 “{sid}”{hint} / page names an unknown story; "
                          f"stories are: {', '.join(ids)}", snode.pos)
            elif sid in placed:
                out.warning("placed-twice", f"稿件 “{sid}” 已排在 {placed[sid]} / story placed twice", snode.pos)
            placed.setdefault(sid, snode.pos)
            story_ids.append(sid)
        title = p["title"].value.value if "title" in p else ""
        pages.append(Page(title=title, stories=tuple(story_ids), pos=pnode.pos))
    for sid, pos in ids.items():
        if sid not in placed:
            out.warning("unplaced", f"稿件 “{sid}” 没有排进任何版面，将接在最后一版 / story is on no page; it follows the last page", pos)
    return tuple(pages)
