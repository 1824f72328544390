"""Appending a story to an issue file as text: comments, order, quoting and encoding left as they are.

The issue file is the editors' own text (comments, blank lines, their way of
indenting), so the story is not added by loading and dumping YAML: its
entry is written in the file's own indentation and inserted after the last
line of the last story, and the file keeps its byte-order mark, encoding
and line endings. Every value is quoted only as YAML needs it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

from ..errors import KanwuError
from ..load import compose_yaml


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


def story_ids(text: str, shown: str) -> list[str]:
    """The ids of the stories an issue file holds (for choosing a new one)."""
    root = compose_yaml(text, shown)
    stories = _stories(root)
    if stories is None or not isinstance(stories[1], yaml.SequenceNode):
        return []
    out = []
    for item in stories[1].value:
        if isinstance(item, yaml.MappingNode):
            out += [v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)]
    return out


def _stories(root: yaml.Node | None) -> tuple[yaml.Node, yaml.Node] | None:
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


def _after(text: str, item: yaml.Node) -> int:
    """Where the last story's text ends: after its last value's line, before the blank lines that follow.

    Only scalars and flow collections have a tight end: a block mapping or a
    block scalar ends where the next token starts, after blank lines and
    comments that belong to what follows.
    """
    ends = [n.end_mark.index for n in _nodes(item)
            if isinstance(n, yaml.ScalarNode) or getattr(n, "flow_style", False)]
    at = _line_end(text, max(ends, default=item.end_mark.index))
    floor = item.start_mark.index
    while at > floor:
        start = text.rfind("\n", 0, at - 1) + 1
        if text[start:at].strip() or start <= floor:
            break
        at = start
    return at


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
