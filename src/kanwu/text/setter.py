"""Setting Chinese text with the layout's fonts: composed paragraphs, broken headlines, single lines.

`TextSetter` is where text meets fonts: it composes every piece of text
kanwu prints (body paragraphs, headlines, captions, masthead items) into
finished lines (`kanwu.text.compose.Line`), and records characters a chosen
font lacks (``missing-glyph``) and lines that could not be fitted. It knows
nothing of HTML or pages: the makeup stage decides where the lines go, the
renderer turns them into markup.
"""
from __future__ import annotations

import math
from typing import Mapping

from ..errors import Finding, Pos
from ..model import Block, Text
from .compose import Line, Run, compose
from .headline import break_headline
from .metrics import FontMetrics

STYLE_ROLES = {"": "body", "strong": "strong", "em": "em", "strong em": "strong", "em strong": "strong"}
"""Inline styles of the Markdown subset → font roles."""
KAI_ROLES = {k: "kai" for k in STYLE_ROLES}
"""Every style set in 楷体 (导语, 引文, captions)."""


class TextSetter:
    """Composes text in the layout's font roles and collects glyph and fit findings."""

    def __init__(self, fonts: Mapping[str, object], metrics: Mapping[str, FontMetrics], body_size: float) -> None:
        self.families = {role: getattr(f, "family", role) for role, f in fonts.items()}
        """Family name per role (for messages)."""
        self.metrics = dict(metrics)
        """Metrics per role."""
        self.body_size = body_size
        """The body size in pt (the default size)."""
        self.findings: list[Finding] = []
        """Missing glyphs and overfull lines found so far."""
        self._missing_seen: set[tuple[str, str]] = set()

    def font(self, role: str) -> FontMetrics:
        """The metrics of a role (the body face when the layout lacks the role)."""
        return self.metrics.get(role) or self.metrics["body"]

    def check_glyphs(self, text: str, role: str, pos: Pos | None, story: str | None = None,
                     where: Text | None = None) -> None:
        """Record characters of `text` that the role's font cannot set (once per character and role)."""
        font = self.font(role)
        for i, ch in enumerate(text):
            if ch.isspace() or font.has_glyph(ch) or (ch, role) in self._missing_seen:
                continue
            self._missing_seen.add((ch, role))
            at = where.pos_at(i) if where is not None else pos
            family = self.families.get(role, self.families.get("body", role))
            self.findings.append(Finding(
                "error", "missing-glyph",
                f"字体 {family} 没有字符 “{ch}”（U+{ord(ch):04X}）：请把含有该字的字体放进 fonts/ 并在版式中指定 / "
                f"the {role} font has no glyph for U+{ord(ch):04X}"
                if ch.isprintable() else
                f"文中有不可见的控制字符 U+{ord(ch):04X}（常见于从网页、微信复制的文字），请删除 / invisible "
                f"control character U+{ord(ch):04X} in the text: delete it",
                at, story=story, data=(("char", ch),)))

    def paragraph(self, block: Block, measure: float, *, indent: float = 2.0, align: str = "justify",
                  roles: Mapping[str, str] = STYLE_ROLES, size: float | None = None, story: str | None = None,
                  prefix: str = "") -> tuple[Line, ...]:
        """A body block composed into lines `measure` pt wide."""
        size = size or self.body_size
        runs = [Run(prefix, "")] if prefix else []
        runs += [Run(r.text, r.style) for r in block.runs]
        fonts = {}
        for r in runs:
            role = roles.get(r.style, "body")
            fonts[r.style] = self.font(role)
            self.check_glyphs(r.text, role, block.pos, story)
        lines = compose(runs, measure, size, fonts, indent=indent, align=align).lines
        if any(line.overfull for line in lines):
            self.findings.append(Finding("warning", "overfull-line", "有一行排不下，字符超出栏宽 / a line is wider "
                                         "than its column", block.pos, story=story))
        return lines

    def heading(self, text: Text | str, measure: float, role: str, size: float, story: str | None = None,
                max_lines: int = 3, align: str = "left") -> tuple[Line, ...]:
        """A headline (or subhead, kicker, byline) broken at phrase boundaries into balanced lines."""
        value = text.value if isinstance(text, Text) else text
        self.check_glyphs(value, role, text.pos if isinstance(text, Text) else None, story,
                          text if isinstance(text, Text) else None)
        return self.phrases([Run(value.strip(), "")], measure, {"": role}, size, max_lines, align)

    def phrases(self, runs: list[Run], measure: float, roles: Mapping[str, str], size: float,
                max_lines: int = 3, align: str = "left") -> tuple[Line, ...]:
        """Styled runs broken at phrase boundaries into balanced lines (`break_headline`), each set with
        the composer's spacing; centred in `measure` when `align` is ``center``. A text longer than
        `max_lines` lines can hold takes as many as it needs, never past the measure."""
        text = "".join(r.text for r in runs)
        if not text.strip():
            return ()
        fonts = {r.style: self.font(roles.get(r.style, "body")) for r in runs}
        font = fonts[runs[0].style]
        parts = break_headline(text, measure, size, font, max_lines)
        if any(font.advance(p) * size > measure + 0.5 for p in parts):
            need = math.ceil(font.advance(text) * size / measure) + 1
            parts = break_headline(text, measure, size, font, max(need, max_lines + 1))
        out: list[Line] = []
        pos = 0
        for part in parts:
            start = text.find(part, pos)
            pos = start + len(part)
            cut, at = [], 0
            for r in runs:  # the runs' pieces inside [start, pos)
                lo, hi = max(start, at), min(pos, at + len(r.text))
                if lo < hi:
                    cut.append(Run(r.text[lo - at:hi - at], r.style))
                at += len(r.text)
            width = measure if align == "center" else 1e6
            out += compose(cut, width, size, fonts, indent=0, align="center" if align == "center" else "left").lines
        return tuple(out)

    def one_line(self, text: str, role: str, size: float | None = None, centre_in: float | None = None) -> Line:
        """Text set on one line with the composer's spacing (Han–Latin gaps, squeezed punctuation);
        centred in `centre_in` pt when given."""
        size = size or self.body_size
        width = centre_in if centre_in else 1e6
        par = compose([Run(text, "")], width, size, {"": self.font(role)}, indent=0,
                      align="center" if centre_in else "left")
        return par.lines[0] if par.lines else Line((), 0.0, True)

    def plain(self, text: Text | str | None, role: str, story: str | None = None,
              size: float | None = None) -> Line | None:
        """A short text (caption part, masthead item, page title): glyph-checked, set on one line."""
        if text is None:
            return None
        value = text.value if isinstance(text, Text) else text
        self.check_glyphs(value, role, text.pos if isinstance(text, Text) else None, story,
                          text if isinstance(text, Text) else None)
        return self.one_line(value.strip(), role, size)

    def width(self, text: str, role: str, size: float) -> float:
        """Natural width in pt of `text` in a role."""
        return self.font(role).advance(text) * size
