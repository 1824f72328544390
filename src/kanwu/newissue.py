"""``kanwu new``: start the next number of a bulletin from the previous one, or from a starter file.

The new file is the previous file's *text* with a few spans changed, so its
comments, key order, quoting and layout of lines stay as the editor wrote them:
``issue.number`` and ``issue.total`` go up by one, ``issue.date`` becomes the
new date, a ``proof.round`` goes back to 1, and every story becomes a *slot*:
its ``id``, ``column`` and ``place`` stay, its ``headline`` and its body
(``body`` or ``body_file``, whichever it had) become ``""`` marked ``# 待填``,
and everything else of the old story (kicker, byline, lead, pictures and their
comments) goes. The publication block, the page plan, the distribution lines
and the layout are kept as they are.

A slot is valid YAML that the loader reads as "to be filled": an empty
headline or ``body_file`` is an ``empty`` error (待填写), an empty ``body`` an
``unfilled`` warning, so ``kanwu check`` lists every slot with its line and
never crashes. The new text is checked with the loader before it is written,
whole, and never over an existing file unless asked.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import FATAL, Finding, KanwuError
from .load import compose_yaml, load_issue, mapping_value
from .output import ensure_dir, write_atomic, write_new_file
from .schema import ISSUE, STORY
from .sources import read_source

KEPT_STORY_KEYS = ("id", "column", "place")
"""What a story of the previous number passes on to its slot: which story, which 栏目, where it goes."""
SLOT_MARK = "待填"
"""The comment word on every line the editor has to fill."""
NOTE = "# kanwu new："
"""How the note `kanwu new` puts at the top of a new file starts (a copied note is replaced)."""
STARTER_NAME = "issue.yaml"
"""The file ``kanwu new`` without a previous number writes, in the working folder."""
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date:
    """A date as an editor types it: ``2021-01-15``, ``2021/1/15``, ``2021.1.15`` or ``2021年1月15日``."""
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"not a date: {text!r}")
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


@dataclass(frozen=True)
class Draft:
    """What ``kanwu new`` knows before it asks for the date."""

    output: Path
    """Where the new number is to be written."""
    previous: Path | None
    """The previous number's file, or None for a starter file."""
    source: str
    """The previous number's text (LF line ends, no BOM); empty for a starter."""
    number: int
    """The new number (``issue.number``)."""
    total: int | None
    """The new running number (``issue.total``), when the previous number had one."""
    previous_date: dt.date | None
    """The previous number's date."""


@dataclass(frozen=True)
class NewIssue:
    """A new number, checked and written."""

    path: Path
    """The file written."""
    number: int
    """Its ``issue.number``."""
    total: int | None
    """Its ``issue.total``, when it has one."""
    date: dt.date
    """Its ``issue.date``."""
    slots: tuple[str, ...]
    """Ids of the stories to fill."""
    to_fill: int
    """How many lines are marked ``# 待填``."""


def prepare(previous: str | None, output: str | None, force: bool) -> Draft:
    """Read and check the previous number (if any) and decide where the new one goes.

    Fails (`KanwuError`, exit 2) when the previous number does not load, or when the
    new file exists and `force` is not given: before any date is asked.
    """
    if previous is None:
        out = _output(output, Path(STARTER_NAME))
        _refuse_existing(out, force)
        return Draft(out, None, "", 1, None, None)
    prev = Path(previous)
    source = read_source(prev, str(prev))
    try:
        issue = load_issue(prev, source=source)
    except KanwuError as exc:
        raise KanwuError([Finding("error", FATAL, f"{prev}: error: 上一期文件有错误，请先改正（kanwu check {prev}）/ the "
                                  "previous number has errors: fix them first")] + list(exc.findings)) from None
    _refuse_aliases(source, prev)
    number = issue.number + 1
    total = issue.total + 1 if issue.total is not None else None
    default = prev.with_name(next_name(prev, issue.number, issue.total, number, total))
    out = _output(output, default)
    if out.exists() and prev.exists() and out.resolve() == prev.resolve():
        raise KanwuError(f"{out}: error: 新的一期不能写在上一期的文件上，请另选文件名（-o）/ the new number cannot replace "
                         "the previous one: choose another file name (-o)")
    _refuse_existing(out, force)
    return Draft(out, prev, source, number, total, issue.date)


def _refuse_aliases(source: str, prev: Path) -> None:
    """The new number is the previous *text* edited in place, so a YAML alias (``number: *n``) cannot be
    carried over: an edit at the alias would change its anchor elsewhere (``print_run: &n 12``), a slot
    drops anchors other keys name. Refused before anything is asked, naming the first alias."""
    alias = next((e for e in yaml.parse(source, Loader=yaml.SafeLoader) if isinstance(e, yaml.AliasEvent)), None)
    if alias is not None:
        at = f"{prev}:{alias.start_mark.line + 1}:{alias.start_mark.column + 1}"
        raise KanwuError(f"{at}: error: 上一期文件用了 YAML 别名 *{alias.anchor}，kanwu new 无法照抄：请把它换成它代表的值 / the "
                         f"previous number uses the YAML alias *{alias.anchor}, which kanwu new cannot carry over: "
                         "write out the value it stands for")


def _output(given: str | None, default: Path) -> Path:
    """``-o``: a file, or a folder (one that exists, or written with a final ``/``) to put `default`'s name in."""
    if not given:
        return default
    if given.endswith(("/", os.sep)) or Path(given).is_dir():
        return Path(given) / default.name
    return Path(given)


def _refuse_existing(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise KanwuError(f"{out}: error: 文件已存在，没有改动；要覆盖请加 --force，或用 -o 另选文件名 / the file exists and "
                         "was left unchanged: add --force to replace it, or choose another name with -o")


def next_name(previous: Path, number: int, total: int | None, new_number: int, new_total: int | None) -> str:
    """The new number's file name: the previous name with its number counted on.

    The number is the last group of digits that equals ``issue.number``
    (``siping-2020-12.yaml`` of number 12 → ``siping-2020-13.yaml``; a group
    such as ``2020`` is never read as a date), else the one that equals
    ``issue.total`` (``siping-231.yaml`` → ``siping-232.yaml``), keeping zero
    padding; a name with neither gets ``-<number>`` added.
    """
    stem = previous.stem
    for old, new in ((number, new_number), (total, new_total)):
        if old is None or new is None:
            continue
        groups = [m for m in re.finditer(r"\d+", stem) if int(m[0]) == old]
        if groups:
            m = groups[-1]
            return f"{stem[:m.start()]}{new:0{len(m[0])}d}{stem[m.end():]}{previous.suffix}"
    return f"{stem}-{new_number}{previous.suffix or '.yaml'}"


def finish(draft: Draft, date: dt.date, force: bool) -> NewIssue:
    """Make the new number's text, check it with the loader, write it whole; return what was written."""
    if draft.previous is None:
        text = starter_text(date)
        slots: tuple[str, ...] = ("lead",)
    else:
        text, slots = next_text(draft, date)
    slot_lines = {i + 1 for i, line in enumerate(text.split("\n")) if f"# {SLOT_MARK}" in line}
    _check(draft.output, text, slot_lines)
    if draft.output.parent != Path(""):
        ensure_dir(draft.output.parent)
    data = text.encode("utf-8")
    if force:
        write_atomic(draft.output, data)
    else:
        write_new_file(draft.output, data)
    return NewIssue(draft.output, draft.number, draft.total, date, slots, len(slot_lines))


def _check(path: Path, text: str, slot_lines: set[int]) -> None:
    """The loader must read `text` as `path` with no error but the empty slots."""
    try:
        load_issue(path, source=text)
    except KanwuError as exc:
        unexpected = [f for f in exc.findings if f.level == "error" and not (
            f.code == "empty" and f.pos is not None and f.pos.file == str(path) and f.pos.line in slot_lines)]
        if unexpected:
            raise KanwuError([Finding("error", FATAL, f"{path}: error: 新的一期有以下问题，没有写出 / the new number was "
                                      "not written: it would have these problems")] + unexpected) from None


# --- the next number, from the previous one ---------------------------------------------------------------------


def next_text(draft: Draft, date: dt.date) -> tuple[str, tuple[str, ...]]:
    """The previous number's text turned into the next number's; and the ids of its story slots."""
    src = draft.source
    root = compose_yaml(src, str(draft.previous))
    assert isinstance(root, yaml.MappingNode), "the previous number loaded, so it is a mapping"
    lines = src.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    edits: list[tuple[int, int, str]] = []
    info = mapping_value(root, "issue")
    assert isinstance(info, yaml.MappingNode)
    for key, value in (("number", draft.number), ("total", draft.total), ("date", date.isoformat())):
        node = mapping_value(info, key)
        if node is not None and value is not None and isinstance(node, yaml.ScalarNode):
            edits.append(_scalar_edit(node, str(value)))
    proof = mapping_value(root, "proof")
    if isinstance(proof, yaml.MappingNode):
        rnd = mapping_value(proof, "round")
        if isinstance(rnd, yaml.ScalarNode) and not rnd.tag.endswith(":null"):
            edits.append(_scalar_edit(rnd, "1"))  # a new number starts at the first proof
    slots = []
    stories = mapping_value(root, "stories")
    assert isinstance(stories, yaml.SequenceNode)
    for item in stories.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        sid = mapping_value(item, "id")
        slots.append(str(sid.value) if isinstance(sid, yaml.ScalarNode) else "?")
        if not item.flow_style and _regular_block(item):
            first, last, text = _block_slot(item, lines)
            edits.append((starts[first], starts[last] + len(lines[last]), text))
        else:
            edits.append((item.start_mark.index, item.end_mark.index, _flow_slot(item)))
    head = root.value[0][0].start_mark.line  # the comment lines above the first key
    edits.append((0, starts[head], _header(lines[:head], draft, date)))
    out = src
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    return out, tuple(slots)


def _scalar_edit(node: yaml.ScalarNode, value: str) -> tuple[int, int, str]:
    """Replace a scalar's text, in the quotes it was written with."""
    quote = node.style if node.style in ('"', "'") else ""
    return node.start_mark.index, node.end_mark.index, f"{quote}{value}{quote}"


def _slot_line(key: str, was: str = "") -> str:
    """``headline: ""  # 待填：主题（标题）``: one line to fill, its meaning from the schema (and, for a body
    file, the previous number's path as an example of where the office keeps them)."""
    example = f"，上一期是 {was}" if was and "\n" not in was and len(was) < 80 else ""
    return f'{key}: ""  # {SLOT_MARK}：{STORY.fields[key].chinese}{example}'


def _regular_block(item: yaml.MappingNode) -> bool:
    """A block mapping whose keys each start a line at one column (as every editor writes a story)."""
    col = item.start_mark.column
    lines = [k.start_mark.line for k, _ in item.value]
    return all(isinstance(k, yaml.ScalarNode) and k.start_mark.column == col for k, _ in item.value) \
        and len(set(lines)) == len(lines)


def _last_line(key: yaml.Node, value: yaml.Node, lines: list[str]) -> int:
    """The last line of a key's value: not the blank lines and outdented comments after it (they belong to
    what follows), never a line of a block scalar (a ``## 小标题`` line is text, not a comment)."""
    end = value.end_mark
    last = min(end.line if lines[min(end.line, len(lines) - 1)][:end.column].strip() else end.line - 1,
               len(lines) - 1)
    col = key.start_mark.column
    while last > key.start_mark.line:
        line = lines[last]
        indent = len(line) - len(line.lstrip(" "))
        if line.strip() and not (line.lstrip().startswith("#") and indent <= col):
            break
        last -= 1
    return last


def _block_slot(item: yaml.MappingNode, lines: list[str]) -> tuple[int, int, str]:
    """A block story turned into a slot: (first line, last line, the slot's lines).

    The kept keys keep their lines (and the comment lines above them); the
    headline and the body become slot lines where they were.
    """
    col, first = item.start_mark.column, item.start_mark.line
    # each kept key or slot: (comment lines above it, its key line without indentation, its further lines)
    pieces: list[tuple[list[str], str, list[str]]] = []
    filled: set[str] = set()
    prev_last = first - 1
    for key, value in item.value:
        k_line, last = key.start_mark.line, _last_line(key, value, lines)
        lead, prev_last = lines[prev_last + 1:k_line], last
        name = str(key.value)
        if name in KEPT_STORY_KEYS:
            pieces.append((lead, lines[k_line][col:], lines[k_line + 1:last + 1]))
        elif name == "headline" or (name in ("body", "body_file") and "body" not in filled):
            filled.add("headline" if name == "headline" else "body")
            was = str(value.value) if name == "body_file" and isinstance(value, yaml.ScalarNode) else ""
            pieces.append(([], _slot_line(name, was), []))
    if "body" not in filled:  # a story that had no body gets one to fill, after its headline
        at = next(i for i, p in enumerate(pieces) if p[1].startswith("headline:")) + 1
        pieces.insert(at, ([], _slot_line("body"), []))
    out: list[str] = []
    for i, (lead, key_line, rest) in enumerate(pieces):
        # the item's dash (``  - ``) goes with the first key, whichever key that now is
        out += lead + [(lines[first][:col] if i == 0 else " " * col) + key_line] + rest
    return first, prev_last, "\n".join(out)


def _flow_slot(item: yaml.MappingNode) -> str:
    """A story written as a flow mapping (``{id: a, headline: b}``) turned into a slot, as a flow mapping."""
    parts = []
    for key, value in item.value:
        name = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
        if name in KEPT_STORY_KEYS:
            plain = yaml.safe_load(yaml.serialize(value))
            parts.append(f"{name}: {json.dumps(plain, ensure_ascii=False, default=str)}")
    parts += ['headline: ""', 'body: ""']
    return "{" + ", ".join(parts) + f"}}  # {SLOT_MARK}：headline、body"


def _header(comments: list[str], draft: Draft, date: dt.date) -> str:
    """The comment lines above the first key, with the number and date they name moved on, and a note."""
    old_number, old_total = draft.number - 1, draft.total - 1 if draft.total is not None else None
    old = draft.previous_date
    out = []
    for line in comments:
        if line.startswith(NOTE):
            continue
        if line.lstrip().startswith("#"):
            if old_total is not None:
                line = re.sub(rf"总第\s*{old_total}\s*期", f"总第{draft.total}期", line)
            line = re.sub(rf"(?<!总)第\s*{old_number}\s*期", f"第{draft.number}期", line)
            if old is not None:
                line = line.replace(old.isoformat(), date.isoformat())
                line = line.replace(f"{old.year}年{old.month}月{old.day}日", f"{date.year}年{date.month}月{date.day}日")
                if old.year != date.year:
                    line = line.replace(f"{old.year}年", f"{date.year}年")
        out.append(line)
    note = (f"{NOTE}由 {draft.previous.name if draft.previous else ''} 生成；标有“{SLOT_MARK}”的地方请填写，"
            "kanwu check 会列出还没填的。")
    at = len(out)
    while at and not out[at - 1].strip():
        at -= 1  # the note goes right under the file's own comments
    out.insert(at, note)
    return "\n".join(out) + "\n"


# --- a starter file -----------------------------------------------------------------------------------------------


def starter_text(date: dt.date) -> str:
    """A commented issue file to start from: every key, the optional ones commented out, slots to fill.

    The comments are the schema's own (Chinese) descriptions, aligned in one column.
    """
    from .layout.spec import available, load_layout

    pub, info, story = ISSUE.fields["publication"].fields, ISSUE.fields["issue"].fields, STORY.fields
    layouts = "、".join(f"{n}（{str(load_layout(n).get('title', '')).partition(' / ')[0]}）" for n in available())
    fill = f"{SLOT_MARK}："
    rows = [
        ("kanwu: 1", ISSUE.fields["kanwu"].chinese),
        ("publication:", ISSUE.fields["publication"].chinese),
        ('  name: ""', fill + pub["name"].chinese + "，如 四平简报"),
        ("  # publisher: 中共某某街道工作委员会", pub["publisher"].chinese),
        ("  # editor: 某某街道社区宣文办", pub["editor"].chinese),
        ("  # permit: 沪（杨）内资准字（2020）第000号", pub["permit"].chinese),
        ('  # contact: "地址：某某路000号　电话：000-00000000"', pub["contact"].chinese),
        ("  # print_run: 3000", pub["print_run"].chinese),
        ("issue:", ISSUE.fields["issue"].chinese),
        ("  number: 1", info["number"].chinese),
        ("  # total: 1", info["total"].chinese),
        (f"  date: {date.isoformat()}", info["date"].chinese),
        ("layout: bulletin-a4", f"版式：{layouts}"),
        ("# pages:", ISSUE.fields["pages"].chinese + "（A3 报纸），不写则稿件按顺序排"),
        ("#   - title: 要闻", ""),
        ("#     stories: [lead]", ""),
        ("# distribution:", ISSUE.fields["distribution"].chinese),
        ("#   send_to: 报送单位", ""),
        ("#   copy_to: 抄送单位", ""),
        ("stories:", ISSUE.fields["stories"].chinese + "，每篇以“- id:”开头"),
        ("  - id: lead", story["id"].chinese),
        ("    # column: 一线工作法", story["column"].chinese),
        ('    headline: ""', fill + story["headline"].chinese),
        ("    # byline: 社区宣文办", story["byline"].chinese),
        ('    body: ""', fill + story["body"].chinese + "，或改写成 body_file: 文件.md"),
        ("    # images:", story["images"].chinese),
        ("    #   - src: images/照片.jpg", ""),
        ("    #     caption: 图片说明", ""),
    ]
    head = [f"# 新的一期：先填好标有“{SLOT_MARK}”的地方，再运行 kanwu check 本文件。",
            "# 每个键后面是半角冒号和一个空格；下一级缩进两个空格（不要用 Tab）。",
            "# 前面有 # 的行是说明或可选项：要用哪一项，删去它前面的 # 和一个空格。写法详见 docs/guide.zh.md。"]
    width = 34  # the comments' column; a longer line keeps two spaces before its comment
    body = [f"{code}{' ' * max(width - _width(code), 2)}# {doc}" if doc else code for code, doc in rows]
    return "\n".join(head + body) + "\n"


def _width(text: str) -> int:
    """Columns `text` takes in a monospaced editor (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
