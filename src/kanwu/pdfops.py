"""Reading PDF content streams fast: operators and their operands, by one regular expression.

pypdf's `ContentStream` parses operators byte by byte in Python; on a 20-page
A3 number that is seconds. The press checks only need the operators and
their plain operands (numbers, names), and where text objects start and end,
so a tokenizer over the decoded stream does, at C speed. Strings (literal and
hex) are tokens of their own, so an ``ET`` inside a string is never taken for
the operator. A stream with an inline image (``BI … ID … EI``: binary data)
is reported as such and the caller falls back to pypdf.
"""
from __future__ import annotations

import re
from typing import Iterator

TOKEN = re.compile(rb"""
    (?P<skip>\s+|%[^\r\n]*)
  | (?P<string>\((?:[^()\\]|\\.|\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\))*\))
  | (?P<hex><[0-9A-Fa-f\s]*>)
  | (?P<delim><<|>>|\[|\]|\{|\})
  | (?P<name>/[^\s/\[\]()<>{}%]*)
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<op>[A-Za-z'"*][A-Za-z0-9*'"]*)
""", re.X | re.S)


class InlineImage(Exception):
    """The stream holds an inline image: its binary data cannot be tokenized."""


def operations(data: bytes) -> Iterator[tuple[list[bytes], bytes, int, int]]:
    """(operands, operator, start, end) of every operator in a decoded content stream, in order.

    Operands are the raw tokens of numbers and names since the previous operator
    (strings and arrays are skipped: no check here needs them); `start` is where
    the first operand (or the operator) begins, `end` where the operator ends.
    Raises `InlineImage` for a stream with ``BI``.
    """
    operands: list[bytes] = []
    start = None
    depth = 0
    for m in TOKEN.finditer(data):
        kind = m.lastgroup
        if kind == "skip":
            continue
        if start is None:
            start = m.start()
        if kind == "delim":
            depth += {b"[": 1, b"]": -1}.get(m.group(), 0)
        elif kind in ("name", "number") and depth == 0:
            operands.append(m.group())
        elif kind == "op":
            op = m.group()
            if op == b"BI":
                raise InlineImage()
            yield operands, op, start, m.end()
            operands, start = [], None


def without_text(data: bytes) -> bytes:
    """The content stream with its text objects (``BT`` … ``ET``) taken out."""
    out, keep_from, inside = [], 0, False
    for _, op, start, end in operations(data):
        if op == b"BT" and not inside:
            out.append(data[keep_from:start])
            inside = True
        elif op == b"ET" and inside:
            keep_from, inside = end, False
    out.append(data[keep_from:] if not inside else b"")
    return b"".join(out)
