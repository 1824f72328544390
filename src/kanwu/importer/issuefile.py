"""Appending a story to an issue file, or filling a story slot with it, as text: comments, order, quoting
and encoding left as they are.

The issue file is the editors' own text (comments, blank lines, their way of
indenting), so the story is not added by loading and dumping YAML: its
entry is written in the file's own indentation and inserted after the last
line of the last story, and the file keeps its byte-order mark, encoding
and line endings. Every value is quoted only as YAML needs it.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import yaml

from ..errors import KanwuError
from ..load import compose_yaml, mapping_value


@dataclass(frozen=True)
class Entry:
    """A story's entry, as the issue file will hold it."""

    story_id: str
    """``id``."""
    headline: str
    """``headline``."""
    subheadline: str
    """``subheadline`` (left out when empty)."""
    byline: str
    """``byline`` (left out when empty)."""
    body_file: str
    """``body_file``, relative to the issue file, with ``/``."""
    images: tuple[tuple[str, str], ...]
    """``(src, caption)`` of each image slot; an empty ``src`` is a placeholder."""
    comment: str
    """A comment line written above the entry (where it came from)."""


def scalar(text: str) -> str:
    """`text` as a one-line YAML value: plain when YAML reads it back the same, else quoted."""
    dumped = yaml.safe_dump(text, allow_unicode=True, width=1 << 30).removesuffix("\n...\n").rstrip("\n")
    try:
        same = "\n" not in dumped and yaml.safe_load(dumped) == text
    except yaml.YAMLError:
        same = False
    return dumped if same else json.dumps(text, ensure_ascii=False)  # a JSON string is a double-quoted YAML scalar


def render(entry: Entry, dash: int, key: int, seq: int) -> list[str]:
    """The entry's lines: the ``-`` at column `dash`, its keys at `key`; nested lists indented by `seq`."""
    pad, inner = " " * dash, " " * key
    lines = [f"{pad}# {entry.comment}"] if entry.comment else []
    lines.append(f"{pad}- id: {scalar(entry.story_id)}")
    for name, value in (("headline", entry.headline), ("subheadline", entry.subheadline), ("byline", entry.byline),
                        ("body_file", entry.body_file)):
        if value:
            lines.append(f"{inner}{name}: {scalar(value)}")
    if entry.images:
        lines.append(f"{inner}images:")
        ipad, iinner = " " * (key + seq), " " * (key + seq + key - dash)
        for src, caption in entry.images:
            lines.append(f"{ipad}- src: {scalar(src)}")
            if caption:
                lines.append(f"{iinner}caption: {scalar(caption)}")
    return lines


@dataclass(frozen=True)
class Stories:
    """What an issue file's text says about its stories, for choosing an id or the slot to fill."""

    ids: tuple[str, ...]
    """Every story's id."""
    slots: tuple[str, ...]
    """Ids of story slots still to fill: no headline and no body yet (``kanwu new`` leaves ``headline: ""``)."""
    slot_lines: frozenset[int] = frozenset()
    """The lines (from 1) the slots take: the loader's ``empty`` errors there are the slots', not the import's."""
    placed: tuple[str, ...] | None = None
    """The ids the page plan names; None without a page plan."""


def stories_of(text: str, shown: str) -> Stories:
    """The stories of an issue file's text (as far as it can be read: the loader judges the rest)."""
    root = compose_yaml(text, shown)
    found = _stories(root)
    ids, slots, lines = [], [], set()
    for item in found[1].value if found is not None and isinstance(found[1], yaml.SequenceNode) else []:
        sid = mapping_value(item, "id")
        if isinstance(sid, yaml.ScalarNode):
            ids.append(sid.value)
            if all(_empty(mapping_value(item, key)) for key in ("headline", "body", "body_file")):
                slots.append(sid.value)
                lines.update(range(item.start_mark.line + 1, _last_line(item) + 2))
    pages = mapping_value(root, "pages")
    placed = None
    if isinstance(pages, yaml.SequenceNode) and pages.value:
        placed = tuple(n.value for page in pages.value for n in _items(mapping_value(page, "stories"))
                       if isinstance(n, yaml.ScalarNode))
    return Stories(tuple(ids), tuple(slots), frozenset(lines), placed)


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    """A sequence node's items (nothing for anything else)."""
    return node.value if isinstance(node, yaml.SequenceNode) else []


def _empty(node: yaml.Node | None) -> bool:
    """Not given, null, ``""`` or an empty list: a value still to fill."""
    if node is None:
        return True
    if isinstance(node, yaml.ScalarNode):
        return not node.value.strip()
    return isinstance(node, yaml.SequenceNode) and not node.value


def _stories(root: yaml.Node | None) -> tuple[yaml.Node, yaml.Node] | None:
    """The ``stories`` key and its value."""
    if not isinstance(root, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "stories"), None)


def append(text: str, shown: str, entry: Entry) -> str:
    """`text` (an issue file, line endings as in the file) with `entry` added at the end of ``stories:``."""
    nl = "\r\n" if "\r\n" in text else "\n"
    root = compose_yaml(text, shown)
    found = _stories(root)
    if not isinstance(root, yaml.MappingNode):
        raise KanwuError(f"{shown}: error: 期刊文件应为“键: 值”的映射 / the issue file must be a mapping of keys")
    if found is None:  # no stories yet: a stories: list at the end of the file
        lines = ["stories:"] + render(entry, 2, 4, 2)
        return _insert(text, len(text), lines, nl)
    key, node = found
    if isinstance(node, yaml.ScalarNode) and node.value == "":  # `stories:` with nothing under it
        at = _line_end(text, key.end_mark.index)
        return _insert(text, at, render(entry, key.start_mark.column + 2, key.start_mark.column + 4, 2), nl)
    if not isinstance(node, yaml.SequenceNode):
        raise KanwuError(f"{shown}:{node.start_mark.line + 1}:{node.start_mark.column + 1}: error: stories 应为列表（每篇"
                         "稿件以 - 开头）/ `stories` must be a list")
    if node.flow_style:
        if node.value:
            raise KanwuError(f"{shown}:{node.start_mark.line + 1}:{node.start_mark.column + 1}: error: stories 写成了"
                             " [ … ] 的形式，无法追加：请改成每篇稿件以 - 开头的列表 / `stories` is a flow list [ … ]: "
                             "write it as a block list (one `- ` per story) to import into it")
        col = key.start_mark.column
        text = text[:node.start_mark.index] + text[node.end_mark.index:]  # `stories: []` → `stories:`
        return _insert(text, _line_end(text, node.start_mark.index),
                       render(entry, col + 2, col + 4, 2), nl)
    first, last = node.value[0], node.value[-1]
    dash, key_col = _dash(text, first), first.start_mark.column
    seq = max(dash - key.start_mark.column, 0)
    return _insert(text, _after(text, last), render(entry, dash, key_col, seq), nl)


def fill(text: str, shown: str, entry: Entry) -> str:
    """`text` with the story slot ``entry.story_id`` filled in: its empty values replaced, the keys it lacks added.

    The slot's own lines (``column``, ``place``, comments above it) stay; a
    replaced value loses its ``# 待填`` comment, and the headline's line says
    where the story came from instead. An empty ``body`` becomes the
    ``body_file`` line. A value the slot has already is never replaced.
    """
    nl = "\r\n" if "\r\n" in text else "\n"
    found = _stories(compose_yaml(text, shown))
    assert found is not None and isinstance(found[1], yaml.SequenceNode), "a slot was found in it"
    key, stories = found
    item = next(i for i in stories.value if isinstance(mapping_value(i, "id"), yaml.ScalarNode)
                and mapping_value(i, "id").value == entry.story_id)
    if item.flow_style:
        raise KanwuError(f"{shown}:{item.start_mark.line + 1}:{item.start_mark.column + 1}: error: 稿件位 "
                         f"“{entry.story_id}” 写成了 {{ … }} 的形式，无法填入：请改成每个键一行，或不用 --id 导入为新稿件 / "
                         f"the slot `{entry.story_id}` is a flow mapping {{ … }}: write it one key per line, or import "
                         "the document as a new story without --id")
    col = item.start_mark.column
    seq = max(_dash(text, stories.value[0]) - key.start_mark.column, 0)
    lines = render(dataclasses.replace(entry, comment=""), _dash(text, item), col, seq)
    keys = {k.value: (k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode)}
    body_key = "body" if "body" in keys and "body_file" not in keys else "body_file"
    edits: list[tuple[int, int, str]] = []
    added: list[str] = []
    for name, value in (("headline", entry.headline), ("subheadline", entry.subheadline), ("byline", entry.byline),
                        (body_key, entry.body_file), ("images", entry.images)):
        if not value:
            continue
        if name == "images":
            new = lines[lines.index(" " * col + "images:"):]
            new[0] = new[0][col:]  # lines start at the key's column, the rest indented under it
        else:
            note = f"  # {entry.comment}" if name == "headline" and entry.comment else ""
            new = [f"{'body_file' if name == 'body' else name}: {scalar(value)}{note}"]  # `body: ""` → the file
        if name not in keys:
            added += [" " * col + new[0], *new[1:]]
            continue
        k, v = keys[name]
        if not _empty(v):
            raise KanwuError(f"{shown}:{v.start_mark.line + 1}:{v.start_mark.column + 1}: error: 稿件位 "
                             f"“{entry.story_id}” 已经有 {name}，没有导入：请删去它，或不用 --id / the slot already has "
                             f"`{name}`: nothing was imported (remove it, or import without --id)")
        # an empty block scalar (`body: |`) ends on a later line: its header line is what is replaced
        block = isinstance(v, yaml.ScalarNode) and v.style in ("|", ">")
        end = _eol(text, v.start_mark.index if block else max(v.end_mark.index, k.end_mark.index))
        edits.append((k.start_mark.index, end, nl.join(new)))
    out = _insert(text, _after(text, item), added, nl) if added else text
    for start, end, new_text in sorted(edits, reverse=True):  # all before the insertion point: indexes still hold
        out = out[:start] + new_text + out[end:]
    return out


def _eol(text: str, index: int) -> int:
    """Where the line holding `index` ends, before its line break (a comment after a value goes with it)."""
    nl = text.find("\n", index)
    end = len(text) if nl < 0 else nl
    return end - 1 if end > index and text[end - 1] == "\r" else end


def _after(text: str, item: yaml.Node) -> int:
    """Where the last story's text ends: after its last value's line, before the blank lines that follow.

    Only scalars and flow collections have a tight end: a block mapping or a
    block scalar ends where the next token starts, after blank lines and
    comments that belong to what follows.
    """
    at = _line_end(text, max((n.end_mark.index for n in _tight(item)), default=item.end_mark.index))
    floor = item.start_mark.index
    while at > floor:
        start = text.rfind("\n", 0, at - 1) + 1
        if text[start:at].strip() or start <= floor:
            break
        at = start
    return at


def _tight(item: yaml.Node) -> list[yaml.Node]:
    """The scalars and flow collections under `item`: the nodes whose end marks where their text ends
    (a block collection ends where the next token starts, after blank lines and comments)."""
    return [n for n in _nodes(item) if isinstance(n, yaml.ScalarNode) or getattr(n, "flow_style", False)]


def _last_line(item: yaml.Node) -> int:
    """The last line (from 0) that holds `item`'s text (a block scalar ends at the start of the line after it)."""
    return max((n.end_mark.line - (n.end_mark.column == 0 and n.end_mark.line > n.start_mark.line)
                for n in _tight(item)), default=item.start_mark.line)


def _dash(text: str, item: yaml.Node) -> int:
    """The column of the ``-`` that starts a list item (the item's node starts after it)."""
    line_start = text.rfind("\n", 0, item.start_mark.index) + 1
    before = text[line_start:item.start_mark.index]
    col = before.rfind("-")
    return col if col >= 0 and not before[:col].strip() else max(item.start_mark.column - 2, 0)


def _nodes(node: yaml.Node) -> list[yaml.Node]:
    """A node and every node under it (each once: aliases may repeat one)."""
    out, stack, seen = [], [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        if isinstance(n, yaml.MappingNode):
            stack += [x for pair in n.value for x in pair]
        elif isinstance(n, yaml.SequenceNode):
            stack += n.value
    return out


def _line_end(text: str, index: int) -> int:
    """Where the line holding the character before `index` ends (after its newline)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1


def _insert(text: str, at: int, lines: list[str], nl: str) -> str:
    before = text[:at]
    if before and not before.endswith("\n"):
        before += nl
    return before + "".join(line + nl for line in lines) + text[at:]
