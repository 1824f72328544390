"""Prepare an issue's text for layout: lint and normalise every text value, parse bodies.

Normalisation runs on the raw source of each value (Markdown included), so a
change's offset maps straight back to the file, line and column the editor
typed it at. The source file is never rewritten.
"""
from __future__ import annotations

import dataclasses

from ..errors import Finding
from ..model import Issue, Story, Text
from .body import parse_body
from .lint import lint
from .normalize import describe, normalize

_STORY_TEXTS = ("headline", "column", "kicker", "subheadline", "byline", "lead", "body")


class _TextPass:
    """Lints and normalises each text value, collecting what it found and changed."""

    def __init__(self, enabled: bool, internal: bool) -> None:
        self.enabled, self.internal = enabled, internal
        self.findings: list[Finding] = []

    def __call__(self, text: Text | None, story: str | None = None, running: bool = False) -> Text | None:
        """`running`: body or lead (running text), whose spaces between Chinese words are removed."""
        self.findings += lint(text, story, self.internal)
        if text is None or not self.enabled:
            return text
        value, changes = normalize(text.value, running)
        for ch in changes:
            self.findings.append(Finding("warning", "normalized-punctuation", describe(ch),
                                         text.pos_at(ch.start), story=story,
                                         data=(("before", ch.before), ("after", ch.after))))
        return text.replace(value) if changes else text


def prepare(issue: Issue, normalize_text: bool | None = None) -> tuple[Issue, list[Finding]]:
    """The issue with normalised text and parsed bodies, and the changes made."""
    norm = _TextPass(issue.normalize if normalize_text is None else normalize_text,
                       internal=issue.publication.permit is not None)
    stories = []
    for st in issue.stories:
        fields = {name: norm(getattr(st, name), st.id, name in ("body", "lead")) for name in _STORY_TEXTS}
        images = tuple(dataclasses.replace(im, caption=norm(im.caption, st.id), credit=norm(im.credit, st.id))
                       for im in st.images)
        blocks = parse_body(fields["body"]) if fields["body"] is not None else ()
        if blocks and blocks[-1].kind in ("h2", "h3"):  # a paragraph lost in copying, most often
            norm.findings.append(Finding(
                "warning", "subhead-last", f"稿件 {st.id} 以小标题“{blocks[-1].text}”结尾，后面没有正文：是否漏了一段？"
                f"/ story {st.id} ends with a subhead and no text after it", blocks[-1].pos, story=st.id))
        stories.append(dataclasses.replace(st, **fields, images=images, blocks=blocks))
    pub = issue.publication
    pub = dataclasses.replace(pub, name=norm(pub.name), publisher=norm(pub.publisher), editor=norm(pub.editor),
                              contact=norm(pub.contact))
    dist = dataclasses.replace(issue.distribution, send_to=norm(issue.distribution.send_to),
                               copy_to=norm(issue.distribution.copy_to))
    return dataclasses.replace(issue, stories=tuple(stories), publication=pub, distribution=dist), norm.findings


def story_characters(story: Story) -> int:
    """字数: the characters of the story's text, without spaces (as editors count)."""
    parts = [story.headline.value] + [b.text for b in story.blocks]
    return sum(len("".join(p.split())) for p in parts)


__all__ = ["prepare", "story_characters"]
