"""Proof rounds (一校、二校、三校): the source snapshot a proof carries, and comparison.

Every proof PDF embeds a JSON file, ``kanwu-snapshot.json``: the issue file and
its body files as they were, a hash of every image file, and per story the
fields and a key per body paragraph. ``kanwu build ISSUE --since OLD.proof.pdf``
reads the earlier proof's snapshot and compares it with this build's: nothing
besides the old proof needs keeping.

A story is *changed* when any of its own text, pictures, hints or planned
page differ, or it is new; a paragraph is changed when its key (kind, marker,
styled text after normalisation) is not matched in the old sequence. Reflow
caused by a neighbour's change does not make a story changed.

No rendering imports here (pypdf only when reading or writing a PDF).
"""
from __future__ import annotations

import difflib
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KanwuError
from .model import Block, Issue, Story

if TYPE_CHECKING:
    from .makeup.plan import Plan

SNAPSHOT_NAME = "kanwu-snapshot.json"
SNAPSHOT_VERSION = 1


def block_key(block: Block) -> str:
    """A short stable key of a body block: what is printed (kind, marker, styled runs)."""
    h = hashlib.sha1(f"{block.kind}\x1f{block.marker}".encode())
    for r in block.runs:
        h.update(f"\x1e{r.style}\x1f{r.text}".encode())
    return h.hexdigest()[:12]


def _file_hash(path: Path | None) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path else None
    except OSError:
        return None


def _val(t: Any) -> str:
    return "" if t is None else getattr(t, "value", str(t))


def story_fields(story: Story, page: int | None) -> dict[str, Any]:
    """Everything of a story besides its body paragraphs, as comparable values."""
    return {
        "headline": _val(story.headline), "column": _val(story.column), "kicker": _val(story.kicker),
        "subheadline": _val(story.subheadline), "byline": _val(story.byline), "lead": _val(story.lead),
        "images": [[im.src_text, _file_hash(im.src), _val(im.caption), _val(im.credit), dict(im.place)]
                   for im in story.images],
        "place": dict(story.place), "page": page,
    }


def _paragraphs(story: Story) -> list[list[str]]:
    """[key, first characters] per body block (headings too: a changed subhead is a change)."""
    return [[block_key(b), b.text[:24]] for b in story.blocks]


def source_files(issue: Issue) -> dict[str, str]:
    """The issue file and every body file, by path relative to the issue's folder."""
    root = issue.root.resolve()
    paths = [issue.path] + [Path(s.body.pos.file) for s in issue.stories
                            if s.body is not None and Path(s.body.pos.file).name != issue.path.name]
    out: dict[str, str] = {}
    for p in paths:
        try:
            full = p.resolve()
            out[str(full.relative_to(root)) if full.is_relative_to(root) else p.name] = full.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return out


def snapshot(issue: Issue, pages: dict[str, int], round_: int, built: str) -> dict[str, Any]:
    """The snapshot of a prepared issue; `pages` maps story id → planned page."""
    return {
        "kanwu_snapshot": SNAPSHOT_VERSION, "issue": issue.source_name, "number": issue.number,
        "date": issue.date.isoformat(), "round": round_, "built": built,
        "files": source_files(issue),
        "stories": {s.id: {"fields": story_fields(s, pages.get(s.id)), "paragraphs": _paragraphs(s)}
                    for s in issue.stories},
    }


def read_snapshot(proof: str | Path) -> dict[str, Any]:
    """The snapshot embedded in an earlier proof PDF, or a clear error (exit 2)."""
    import json

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    path = Path(proof)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KanwuError(f"{proof}: error: 读不到上一校的校样 / cannot read the earlier proof: "
                         f"{exc.strerror or exc}") from None
    try:
        found = PdfReader(io.BytesIO(data)).attachments.get(SNAPSHOT_NAME)
    except (PdfReadError, ValueError, KeyError, TypeError):
        found = None
        if not data.startswith(b"%PDF"):
            raise KanwuError(f"{proof}: error: 不是 PDF 文件 / not a PDF file") from None
    if not found:
        raise KanwuError(f"{proof}: error: 这个 PDF 不是 kanwu 生成的校样（没有内嵌的源文件快照）/ "
                         "this PDF is not a kanwu proof: it carries no source snapshot")
    try:
        snap = json.loads(found[0])
    except ValueError:
        snap = None
    if not isinstance(snap, dict) or snap.get("kanwu_snapshot") != SNAPSHOT_VERSION:
        raise KanwuError(f"{proof}: error: 校样里的快照无法识别（由其他版本的 kanwu 生成？）/ "
                         "the proof's snapshot has an unknown format")
    return snap


def embed(writer: Any, snap: dict[str, Any]) -> None:
    """Attach the snapshot to a pypdf writer as an embedded file."""
    import json

    writer.add_attachment(SNAPSHOT_NAME, json.dumps(snap, ensure_ascii=False, sort_keys=True).encode())


@dataclass
class Changes:
    """What changed since an earlier proof."""

    since: str
    """The earlier proof, as named on the command line."""
    stories: list[str]
    """Ids of changed or new stories, in this issue's order (the report's ``changes.stories``)."""
    since_round: int | None = None
    """The earlier proof's round."""
    since_built: str = ""
    """When the earlier proof was built."""
    added: list[str] = field(default_factory=list)
    """Stories that are new in this round."""
    removed: list[str] = field(default_factory=list)
    """Stories of the earlier round that are gone."""
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    """Story → keys of its changed (new or edited) body blocks."""
    deleted: dict[str, int] = field(default_factory=dict)
    """Story → number of body blocks deleted."""
    fields: dict[str, list[str]] = field(default_factory=dict)
    """Story → names of changed fields besides the body (headline, images, page...)."""
    files: list[str] = field(default_factory=list)
    """Source files whose text differs."""

    def as_json(self) -> dict[str, Any]:
        """The report's ``changes`` object."""
        return {"since": self.since, "since_round": self.since_round, "stories": self.stories,
                "added": self.added, "removed": self.removed,
                "paragraphs": {k: len(v) for k, v in self.paragraphs.items()},
                "deleted_paragraphs": self.deleted, "fields": self.fields, "files": self.files}

    def describe(self, story: str) -> str:
        """A short Chinese / English line of what changed in one story."""
        if story in self.added:
            return "新增稿件 / new story"
        parts = []
        if self.paragraphs.get(story):
            parts.append(f"{len(self.paragraphs[story])} 段改动")
        if self.deleted.get(story):
            parts.append(f"删去 {self.deleted[story]} 段")
        names = {"headline": "标题", "column": "栏目", "kicker": "引题", "subheadline": "副题", "byline": "署名",
                 "lead": "导语", "images": "图片", "place": "版式提示", "page": "所在版面"}
        parts += [f"{names.get(f, f)}改动" for f in self.fields.get(story, [])]
        return "，".join(parts)


def compare(old: dict[str, Any], new: dict[str, Any], since: str) -> Changes:
    """Stories and paragraphs of `new` that differ from `old`."""
    old_st, new_st = old.get("stories", {}), new["stories"]
    ch = Changes(since=since, stories=[], since_round=old.get("round"), since_built=old.get("built", ""))
    for sid, st in new_st.items():
        before = old_st.get(sid)
        if before is None:
            ch.added.append(sid)
            ch.stories.append(sid)
            ch.paragraphs[sid] = [k for k, _ in st["paragraphs"]]
            continue
        changed_fields = [k for k, v in st["fields"].items() if before.get("fields", {}).get(k) != v]
        a = [k for k, _ in before.get("paragraphs", [])]
        b = [k for k, _ in st["paragraphs"]]
        keys, deleted = [], 0
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op in ("replace", "insert"):
                keys += b[j1:j2]
            if op in ("replace", "delete"):
                deleted += max(0, (i2 - i1) - (j2 - j1))
        if changed_fields or keys or deleted:
            ch.stories.append(sid)
            if keys:
                ch.paragraphs[sid] = keys
            if deleted:
                ch.deleted[sid] = deleted
            if changed_fields:
                ch.fields[sid] = changed_fields
    ch.removed = [sid for sid in old_st if sid not in new_st]
    old_files, new_files = old.get("files", {}), new.get("files", {})
    ch.files = sorted(f for f in set(old_files) | set(new_files) if old_files.get(f) != new_files.get(f))
    return ch


def story_pages(plan: "Plan") -> dict[str, int]:
    """Story id → the page the editors planned it on (else the page where it starts)."""
    return {s.id: s.planned_page or s.pages[0] for s in plan.stories if s.planned_page or s.pages}
