"""The issue file's schema and the validating reader.

The schema is data (`Field` trees), so the guide and the validator cannot
disagree: `ISSUE` below is the list of every key an issue may have, with the
docstring shown to editors. `Reader.check` walks YAML nodes against it,
converting scalars and recording every problem with its position.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import Collector, Finding, KanwuError, Pos
from .model import Text
from .sources import read_source
from .userpath import ISSUE_FOLDER, Refused, resolve_inside

_INT = re.compile(r"^[+]?[0-9]+$")
ROUNDS = (1, 99)
"""Proof rounds (一校 … 九十九校): in the issue file and on the command line."""
COLUMNS = (1, 99)
PAGES = (1, 99)
"""A page ``place.page`` may name (a number with more pages is two issues)."""
HINTS = {"columns": (), "page": (), "position": ("top", "bottom", "顶", "底", "上", "下"), "jump": ("否", "是")}
"""The layout hints page makeup reads (`kanwu.makeup.assemble`), checked; others are the layout's."""
MAX_PAGE_STORIES = 12
"""Stories one page of a modular layout may be given (its layout search grows with the fourth power of them:
12 take seconds, 30 took hours); briefs go in one story under subheads."""
MAX_VALUES = 20_000
"""Values an issue may have once YAML aliases are expanded (a bulletin has a few hundred);
layout hints count too, so aliases cannot multiply them."""
MAX_HINT_NUMBER = 32
"""Longer hint scalars stay text: YAML 1.1 reads ``1:2:3...`` as a base-60 integer, in quadratic time."""
_BOOL = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


@dataclass(frozen=True)
class Field:
    """One key of the issue format."""

    kind: str
    """``text``, ``int``, ``date``, ``bool``, ``map``, ``list``, ``hints`` (free mapping)."""
    doc: str = ""
    """What the key means, for the guide and for messages."""
    required: bool = False
    """Whether the key must be given."""
    fields: Mapping[str, "Field"] = field(default_factory=dict)
    """For ``map``: the keys it may have."""
    item: "Field | None" = None
    """For ``list``: what each item is."""
    bounds: tuple[int, int] = (0, 999_999_999)
    """For ``int``: the smallest and largest value that makes sense."""
    limit: str = ""
    """For ``text``: its kind of length limit, a key of `TEXT_LIMITS` (bodies are bounded by the loader)."""

    @property
    def chinese(self) -> str:
        """The Chinese half of `doc` (before the last ``/ ``): for comments in a new issue and editor hints."""
        return self.doc.rpartition("/ ")[0].strip() or self.doc

    @property
    def english(self) -> str:
        """The English half of `doc` (after the last ``/ ``)."""
        return self.doc.rpartition("/ ")[2].strip()


def _map(doc: str, required: bool = False, **fields: Field) -> Field:
    return Field("map", doc, required, fields)


T, I = "text", "int"
TEXT_LIMITS = {"id": 64, "path": 500, "name": 200, "title": 200, "caption": 500, "line": 1_000, "lead": 2_000}
"""The most characters a text value may have, by kind: a unit's name, a headline, a caption, a line
of units (报送), a lead. Generous for a bulletin; they bound the work a value can cause."""
IMAGE = _map(
    "图片位 / an image slot",
    src=Field(T, "图片文件，相对于期刊文件；不写则为占位框 / image file relative to the issue file", limit="path"),
    caption=Field(T, "图片说明 / caption", limit="caption"),
    credit=Field(T, "摄影或来源 / credit", limit="name"),
    place=Field("hints", "版式提示，如 {columns: 2} / layout hints"),
)
STORY = _map(
    "一篇稿件 / a story",
    id=Field(T, "稿件编号，小写字母、数字、连字符 / unique id [a-z0-9-]+", True, limit="id"),
    column=Field(T, "栏目名 / column label", limit="name"),
    kicker=Field(T, "引题 / kicker", limit="title"),
    headline=Field(T, "主题（标题）/ headline", True, limit="title"),
    subheadline=Field(T, "副题 / subheadline", limit="title"),
    byline=Field(T, "来源或作者，排版时加括号 / byline", limit="name"),
    lead=Field(T, "导语 / lead paragraph", limit="lead"),
    body=Field(T, "正文（Markdown 子集）/ body text"),
    body_file=Field(T, "正文文件（代替 body）/ body in a Markdown file", limit="path"),
    images=Field("list", "图片位列表 / image slots", item=IMAGE),
    place=Field("hints", "版式提示，如 {columns: 5} / layout hints"),
)
ISSUE = _map(
    "期刊文件 / issue file",
    kanwu=Field(I, "格式版本，写 1 / format version", True, bounds=(1, 999)),
    publication=_map(
        "报头与版权信息 / masthead and imprint", True,
        name=Field(T, "刊名 / publication name", True, limit="name"),
        publisher=Field(T, "主办单位 / publisher", limit="name"),
        editor=Field(T, "编印单位 / editor", limit="name"),
        permit=Field(T, "内部资料准印证号 / permit number", limit="name"),
        contact=Field(T, "地址电话（一行）/ contact line", limit="title"),
        print_run=Field(I, "印数 / print run", bounds=(1, 10_000_000)),
    ),
    issue=_map(
        "期号与日期 / number and date", True,
        number=Field(I, "期号 / issue number", True, bounds=(1, 99_999)),
        total=Field(I, "总期号 / running number", bounds=(1, 99_999)),
        date=Field("date", "出版日期 YYYY-MM-DD / date", True),
    ),
    layout=Field(T, "版式名，layouts/ 下的文件夹 / layout folder name", limit="name"),
    pages=Field("list", "版面安排 / page plan", item=_map(
        "一个版面 / a page",
        title=Field(T, "版名 / page title", limit="name"),
        stories=Field("list", "本版稿件 id / story ids", item=Field(T, "稿件 id / story id", limit="id")),
    )),
    distribution=_map(
        "报送与抄送（简报末尾）/ distribution lines of a bulletin",
        send_to=Field(T, "报送单位 / sent to", limit="line"),
        copy_to=Field(T, "抄送单位 / copied to", limit="line"),
    ),
    proof=_map("校样设置 / proof settings", round=Field(I, "校次（1 = 一校）/ proof round", bounds=ROUNDS)),
    normalize=Field("bool", "是否规范标点（默认 true）/ normalise punctuation"),
    stories=Field("list", "稿件列表 / stories", True, item=STORY),
)

KIND_WORDS = {
    "text": "文字 / text", "int": "整数 / a whole number", "date": "日期 YYYY-MM-DD / a date",
    "bool": "true 或 false / true or false", "map": "键值映射 / a mapping (key: value)", "list": "列表 / a list (- item)",
    "hints": "键值映射 / a mapping",
}


@dataclass
class Node:
    """A checked YAML value with its position."""

    raw: yaml.Node
    value: Any = None
    pos: Pos = Pos("")

    def get(self, key: str) -> "Node | None":
        """A key of a checked mapping."""
        return self.value.get(key)


def _bounded_int(s: str, bounds: tuple[int, int]) -> int | None:
    """The integer `s` (digits, checked) when it lies within `bounds`, else None.

    The digits are counted before converting: Python refuses to convert more
    than 4 300 digits, and a number longer than the upper bound is out of range anyway.
    """
    digits = s.lstrip("+").lstrip("0") or "0"
    if len(digits) > len(str(bounds[1])):
        return None
    value = int(digits)
    return value if bounds[0] <= value <= bounds[1] else None


def _short(s: str, most: int = 40) -> str:
    """A value as typed, for a message: shortened when it is long (a message is one line)."""
    return s if len(s) <= most else f"{s[:most - 10]}…（共 {len(s):,} 字 / {len(s):,} characters）"


class Reader:
    """Checks YAML nodes against `Field`s, recording problems in a `Collector`."""

    def __init__(self, file: str, lines: list[str], root: Path, out: Collector) -> None:
        self.file, self.lines, self.root, self.out = file, lines, root, out
        self.budget = MAX_VALUES

    def pos(self, node: yaml.Node) -> Pos:
        """The node's start as a 1-based position."""
        return Pos(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def spend(self, pos: Pos) -> None:
        """Count one value against the document's budget; past it, fail at once (an alias bomb)."""
        self.budget -= 1
        if self.budget < 0:
            raise KanwuError(self.out.findings + [Finding(
                "error", "too-large", f"文件的内容太多（展开别名后超过 {MAX_VALUES} 个值）/ the document is too large: "
                f"more than {MAX_VALUES} values once YAML aliases are expanded", pos)])

    def plain(self, node: Node) -> Any:
        """A checked hints value as plain Python data (for layout hints).

        Built from the nodes without YAML's constructors, so odd tags
        (``!!binary``, ``!!python/...``) stay strings, recursive aliases stop
        at a fixed depth, and every value counts against the document's
        budget, so hints named through aliases cannot multiply.
        """
        def conv(raw: yaml.Node, depth: int) -> Any:
            self.spend(node.pos)
            if depth > 16:
                return None
            if isinstance(raw, yaml.MappingNode):
                return {str(k.value) if isinstance(k, yaml.ScalarNode) else "?": conv(v, depth + 1)
                        for k, v in raw.value}
            if isinstance(raw, yaml.SequenceNode):
                return [conv(v, depth + 1) for v in raw.value]
            if raw.tag.startswith("tag:yaml.org,2002:") and raw.tag.rsplit(":", 1)[-1] in ("int", "float", "bool", "null") \
                    and len(raw.value) <= MAX_HINT_NUMBER:
                try:
                    return yaml.safe_load(yaml.serialize(raw))
                except (yaml.YAMLError, ValueError, TypeError, OverflowError, KeyError, AttributeError):
                    pass  # `!!bool maybe`: PyYAML's constructor raises KeyError; the hint stays a string
            return str(raw.value)

        return conv(node.raw, 0)

    def check(self, node: Node, spec: Field, where: str) -> dict[str, Node] | None:
        """Check the document root; returns the top-level mapping or None."""
        checked = self._check(node.raw, spec, where)
        return checked.value if checked is not None else None

    def empty(self, where: str, spec: Field, pos: Pos) -> None:
        """A required value left empty: to be filled (``kanwu new`` leaves ``headline: ""`` slots)."""
        self.out.error("empty", f"{where} 待填写（不能为空）/ `{where}` is empty, to be filled: {spec.doc}", pos)

    def _wrong(self, raw: yaml.Node, spec: Field, where: str, got: str = "") -> None:
        if not where:
            self.out.error("wrong-type", "期刊文件应为“键: 值”的映射，以 kanwu: 1 开头，含 publication:、issue:、stories: / "
                           "the issue file must be a mapping of keys: kanwu:, publication:, issue:, stories:",
                           self.pos(raw))
            return
        cn, _, en = KIND_WORDS[spec.kind].partition(" / ")
        en = en or cn
        got = _short(got)
        given = f"，而不是 “{got}”" if got else ""
        self.out.error("wrong-type", f"{where} 应为{cn}{given} / `{where}` must be {en}"
                       f"{f', not “{got}”' if got else ''}", self.pos(raw))

    def _check(self, raw: yaml.Node, spec: Field, where: str) -> Node | None:
        node = Node(raw, pos=self.pos(raw))
        self.spend(node.pos)
        if isinstance(raw, yaml.ScalarNode) and raw.tag.endswith(":null") and raw.value in ("", "~", "null"):
            if spec.required:
                self.empty(where, spec, node.pos)
            return None
        if spec.kind in ("map", "hints"):
            if not isinstance(raw, yaml.MappingNode):
                self._wrong(raw, spec, where)
                return None
            node.value = self._mapping(raw, spec, where) if spec.kind == "map" else self._hints(raw, where)
            return node
        if spec.kind == "list":
            if not isinstance(raw, yaml.SequenceNode):
                self._wrong(raw, spec, where)
                return None
            assert spec.item is not None
            if spec.required and not raw.value:
                self.out.error("empty", f"{where} 是空列表，至少要有一项 / `{where}` is an empty list: {spec.doc}",
                               node.pos)
                return None
            items = [self._check(r, spec.item, f"{where}[{i + 1}]") for i, r in enumerate(raw.value)]
            node.value = [n for n in items if n is not None]
            return node
        if not isinstance(raw, yaml.ScalarNode):
            self._wrong(raw, spec, where)
            return None
        return self._scalar(raw, node, spec, where)

    def _scalar(self, raw: yaml.ScalarNode, node: Node, spec: Field, where: str) -> Node | None:
        s = raw.value.strip()
        if spec.kind == "text":
            node.value = self.text(raw)
            if spec.required and not s:
                self.empty(where, spec, node.pos)
                return None
            most = TEXT_LIMITS.get(spec.limit)
            if most is not None and len(raw.value) > most:
                n = len(raw.value)
                self.out.error("too-long", f"{where} 太长（{n:,} 字，最多 {most:,} 字）/ `{where}` is too long: "
                               f"{n:,} characters, the limit is {most:,}", node.pos)
                return None
        elif spec.kind == "int":
            if not _INT.match(s):
                self._wrong(raw, spec, where, s)
                return None
            value = _bounded_int(s, spec.bounds)
            if value is None:
                self._out_of_range(s, spec.bounds, where, node.pos)
                return None
            node.value = value
        elif spec.kind == "bool":
            if s.lower() not in _BOOL:
                self._wrong(raw, spec, where, s)
                return None
            node.value = _BOOL[s.lower()]
        elif spec.kind == "date":
            try:
                node.value = dt.date.fromisoformat(s)
            except ValueError:
                self.out.error("bad-date", f"{where} 不是有效日期 “{s}”，应为 YYYY-MM-DD，如 2020-12-15 / "
                               "not a valid date, expected YYYY-MM-DD", node.pos)
                return None
        return node

    def _mapping(self, raw: yaml.MappingNode, spec: Field, where: str) -> dict[str, Node]:
        result: dict[str, Node] = {}
        seen: set[str] = set()
        for knode, vnode in raw.value:
            if not isinstance(knode, yaml.ScalarNode):  # never str() it: through aliases it may be huge
                self.out.error("wrong-type", "键必须是文字，不能是列表或映射 / a key must be plain text, not a list "
                               "or a mapping", self.pos(knode))
                continue
            key = str(knode.value)
            path = f"{where}.{_short(key)}" if where else _short(key)
            if key in seen:
                self.out.error("duplicate-key", f"键 “{_short(key)}” 重复 / duplicate key `{path}`", self.pos(knode))
                continue
            if key not in spec.fields:
                near = difflib.get_close_matches(key, list(spec.fields), 1, 0.6)
                hint = f"，是不是 “{near[0]}”？/ did you mean `{near[0]}`?" if near else \
                    f" / expected one of: {', '.join(spec.fields)}"
                self.out.error("unknown-key", f"不认识的键 “{_short(key)}”{hint}", self.pos(knode))
                continue
            seen.add(key)
            checked = self._check(vnode, spec.fields[key], path)
            if checked is not None:
                result[key] = checked
        for key, f in spec.fields.items():
            if f.required and key not in seen:
                name = f"{where}.{key}" if where else key
                self.out.error("missing-key", f"缺少必填项 “{name}”（{f.doc}）/ missing required key `{name}`",
                               self.pos(raw))
        return result

    def _hints(self, raw: yaml.MappingNode, where: str) -> dict[str, Node]:
        """Layout hints are free, but those page makeup reads must make sense: ``columns`` and ``page``
        whole numbers (unquoted: a quoted one was silently ignored), ``position`` top or bottom, ``jump``
        true or false. A wrong one was ignored without a word, or (``page: 99999``) never finished."""
        for knode, vnode in raw.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if key not in HINTS:
                continue
            v = vnode.value.strip() if isinstance(vnode, yaml.ScalarNode) else ""
            plain = isinstance(vnode, yaml.ScalarNode) and vnode.style in (None, "")
            if key in ("columns", "page"):
                bounds = COLUMNS if key == "columns" else PAGES
                wrong = "wrong-type" if not (plain and _INT.match(v)) else "" if _bounded_int(v, bounds) else "out-of-range"
                if wrong:
                    rng = f"：{_short(v)} 超出范围 {bounds[0]}–{bounds[1]}" if wrong == "out-of-range" else ""
                    rng_en = f": {_short(v)} is out of range {bounds[0]}–{bounds[1]}" if rng else ""
                    cn, en = ("栏数（1、2、3……）", "a number of columns (1, 2, 3...)") if key == "columns" else \
                        ("版次（1、2、3……）", "a page number (1, 2, 3...)")
                    self.out.error(wrong, f"{where}.{key} 应为{cn}{rng} / `{where}.{key}` must be {en}{rng_en}",
                                   self.pos(vnode))
            elif key == "position" and v.lower() not in HINTS["position"]:
                self.out.error("wrong-type", f"{where}.position 应为 top（顶）或 bottom（底），而不是 “{_short(v)}” / "
                               f"`{where}.position` must be top or bottom, not “{_short(v)}”", self.pos(vnode))
            elif key == "jump" and not (plain and v.lower() in _BOOL or v.lower() in ("true", "false", "yes", "no")
                                        or v in HINTS["jump"]):
                self.out.error("wrong-type", f"{where}.jump 应为 true 或 false，而不是 “{_short(v)}” / `{where}.jump` "
                               f"must be true or false, not “{_short(v)}”", self.pos(vnode))
        return {}

    def _out_of_range(self, s: str, bounds: tuple[int, int], where: str, pos: Pos) -> None:
        lo, hi = bounds
        self.out.error("out-of-range", f"{where} 超出范围：{_short(s)}，应在 {lo}–{hi} 之间 / `{where}` is out of "
                       f"range: {_short(s)}; it must be {lo}–{hi}", pos)

    def text(self, raw: yaml.ScalarNode) -> Text:
        """A scalar as `Text`, mapping each value line to its source line."""
        pos = self.pos(raw)
        if raw.style in ("|", ">"):
            return self._block_text(raw, pos)
        if raw.style in ('"', "'"):
            pos = Pos(pos.file, pos.line, pos.col + 1)
        return Text(raw.value, pos)

    def _block_text(self, raw: yaml.ScalarNode, pos: Pos) -> Text:
        first = raw.start_mark.line + 1
        # the end mark sits on the first line after the scalar unless the file ends inside it
        stop = raw.end_mark.line + (1 if raw.end_mark.column else 0)
        body = self.lines[first:stop]
        indent = min((len(ln) - len(ln.lstrip(" ")) for ln in body if ln.strip()), default=0)
        starts, offset = [], 0
        for i, ln in enumerate(body):
            starts.append((offset, first + i + 1, indent + 1))
            offset += max(len(ln) - indent, 0) + 1
        return Text(raw.value, Pos(pos.file, first + 1, indent + 1), tuple(starts))

    def resolve_path(self, node: Node, must_exist: bool = True) -> Path | None:
        """A user path, resolved inside the issue folder; problems are recorded."""
        try:
            return resolve_inside(node.value.value, self.root, ISSUE_FOLDER, must_exist)
        except Refused as exc:
            self.out.error(exc.code, exc.message, node.pos)
            return None

    def read_text_file(self, node: Node) -> Text | None:
        """A ``body_file``: read as UTF-8 with positions in that file."""
        path = self.resolve_path(node)
        if path is None:
            return None
        shown = str(Path(self.file).parent / node.value.value.strip())
        try:
            text = read_source(path, shown)
        except KanwuError as exc:
            self.out.findings.extend(exc.findings)
            return None
        starts, off = [], 0
        for i, ln in enumerate(text.split("\n")):
            starts.append((off, i + 1, 1))
            off += len(ln) + 1
        return Text(text, Pos(shown, 1, 1), tuple(starts))
