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
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Finding, KanwuError, Pos
from .files import read_bytes
from .load import MAX_ISSUE_CHARS
from .sources import read_source
from .model import Block, Issue, Story
from .schema import MAX_VALUES

if TYPE_CHECKING:
    from .makeup.plan import Plan

SNAPSHOT_NAME = "kanwu-snapshot.json"
SNAPSHOT_VERSION = 1
MAX_PROOF_BYTES = 200_000_000
"""An earlier proof larger than this is refused unread (a 16-page A3 proof is a few MB)."""
MAX_SNAPSHOT_BYTES = 20_000_000
"""The embedded snapshot is decompressed up to this and no further (a real one is ~1 MB at most)."""


def block_key(block: Block) -> str:
    """A short stable key of a body block: what is printed (kind, marker, styled runs)."""
    h = hashlib.sha1(f"{block.kind}\x1f{block.marker}".encode())
    for r in block.runs:
        h.update(f"\x1e{r.style}\x1f{r.text}".encode())
    return h.hexdigest()[:12]


def _file_hash(path: Path | None) -> str | None:
    from .images import read_picture

    try:
        return hashlib.sha256(read_picture(path)).hexdigest()[:16] if path else None
    except KanwuError:  # missing, not a regular file, too large: reported by the image check
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
            out[str(full.relative_to(root)) if full.is_relative_to(root) else p.name] = read_source(full, str(p))
        except (OSError, KanwuError):
            continue
    return out


def snapshot(issue: Issue, pages: dict[str, int], round_: int, built: str) -> dict[str, Any]:
    """The snapshot of a prepared issue; `pages` maps story id → planned page."""
    return {
        "kanwu_snapshot": SNAPSHOT_VERSION, "issue": issue.source_name, "number": issue.number,
        "publication": issue.publication.name.value,
        "date": issue.date.isoformat(), "round": round_, "built": built,
        "files": source_files(issue),
        "stories": {s.id: {"fields": story_fields(s, pages.get(s.id)), "paragraphs": _paragraphs(s)}
                    for s in issue.stories},
    }


def read_snapshot(proof: str | Path) -> dict[str, Any]:
    """The snapshot embedded in an earlier proof PDF, checked in full, or a clear error (exit 2).

    The proof is read only if it is a regular file under `MAX_PROOF_BYTES`;
    the snapshot is decompressed here, never beyond `MAX_SNAPSHOT_BYTES` (a
    Flate bomb stops there), and its shape is checked before `compare` uses it.
    """
    shown = str(proof)
    data = read_bytes(Path(proof), shown, MAX_PROOF_BYTES,
                      f"校样文件太大（超过 {MAX_PROOF_BYTES // 1_000_000} MB），不像 kanwu 的校样 / the file is too large "
                      f"for a kanwu proof (the limit is {MAX_PROOF_BYTES:,} bytes)")
    if not data.startswith(b"%PDF"):
        raise KanwuError(f"{shown}: error: 不是 PDF 文件 / not a PDF file")
    if b"%%EOF" not in data[-1024:]:  # a PDF ends with %%EOF: this one was cut short
        raise KanwuError(f"{shown}: error: 校样文件已损坏或不完整（可能没有复制完整）/ the file is damaged or cut "
                         "short (not copied completely?): use the proof as kanwu wrote it")
    raw = _embedded(data, shown)
    if raw is None:
        raise KanwuError(f"{shown}: error: 这个 PDF 不是 kanwu 生成的校样（没有内嵌的源文件快照）/ "
                         "this PDF is not a kanwu proof: it carries no source snapshot")
    try:
        snap = json.loads(raw.decode("utf-8"))
        # a lone surrogate (JSON "\ud800") anywhere would break the proof and the report later
        json.dumps(snap, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError, UnicodeError):
        snap = None
    if not _valid_snapshot(snap):
        raise KanwuError(f"{shown}: error: 校样里的快照无法识别（由其他版本的 kanwu 生成？）/ "
                         "the proof's snapshot has an unknown format")
    return snap


def _embedded(data: bytes, shown: str) -> bytes | None:
    """The snapshot's bytes from the proof, decompressed with a bound; None when there is none."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        # kanwu writes one flat name tree (pypdf's add_attachment): name, file specification, ...
        names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
        spec = next((names[i + 1].get_object() for i in range(0, len(names) - 1, 2) if names[i] == SNAPSHOT_NAME),
                    None)
        if spec is None:
            return None
        ef = spec["/EF"]
        stream = (ef.get("/F") or ef.get("/UF")).get_object()
        filters = stream.get("/Filter")
        filters = [] if filters is None else list(filters) if isinstance(filters, list) else [filters]
        # the raw (still compressed) bytes: pypdf's get_data() would inflate them all, up to 75 MB
        raw = bytes(stream._data)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a damaged file; each means "no snapshot"
        return None
    if filters == ["/FlateDecode"] and "/DecodeParms" not in stream:
        inflate = zlib.decompressobj()
        try:
            raw = inflate.decompress(raw, MAX_SNAPSHOT_BYTES + 1)
        except zlib.error:
            raise KanwuError(f"{shown}: error: 校样里的快照已损坏 / the proof's snapshot is damaged") from None
    elif filters:
        raise KanwuError(f"{shown}: error: 校样里的快照无法识别（由其他版本的 kanwu 生成？）/ "
                         "the proof's snapshot has an unknown format")
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise KanwuError(f"{shown}: error: 校样里的快照太大（超过 {MAX_SNAPSHOT_BYTES // 1_000_000} MB），不是 kanwu "
                         f"写的 / the proof's snapshot is too large (over {MAX_SNAPSHOT_BYTES:,} bytes)")
    return raw


_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_STORIES = MAX_VALUES // 3
"""An issue cannot have more stories (each takes an id, a headline and its mapping): nor can its snapshot,
whose removed stories and files the proof lists."""
MAX_PARAGRAPHS = MAX_ISSUE_CHARS // 2
"""Nor more paragraphs (each is a character and a line break at least)."""
_TEXT_FIELDS = ("headline", "column", "kicker", "subheadline", "byline", "lead")


def _is(value: Any, kind: type | tuple[type, ...], longest: int | None = None) -> bool:
    """`value` has this JSON type (booleans are not numbers), and strings are not too long."""
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        return False
    return isinstance(value, kind) and (longest is None or not isinstance(value, str) or len(value) <= longest)


def _shallow(value: Any, depth: int = 8) -> bool:
    """JSON nested at most `depth` levels (comparing deeper values could exhaust the stack)."""
    level = [value]
    for _ in range(depth):
        level = [v for x in level if isinstance(x, (dict, list)) for v in (x.values() if isinstance(x, dict) else x)]
        if not level:
            return True
    return False


def _valid_story(story: Any) -> bool:
    if not _is(story, dict):
        return False
    fields, paragraphs = story.get("fields", {}), story.get("paragraphs", [])
    if not (_is(fields, dict) and _shallow(fields) and _is(paragraphs, list)):
        return False
    if len(paragraphs) > MAX_PARAGRAPHS or not all(
            _is(p, list) and len(p) == 2 and _is(p[0], str, 64) and _is(p[1], str, 200) for p in paragraphs):
        return False
    return (all(_is(fields[k], str, 100_000) for k in _TEXT_FIELDS if k in fields)
            and _is(fields.get("images", []), list) and all(_is(i, list) for i in fields.get("images", []))
            and _is(fields.get("place", {}), dict) and _is(fields.get("page"), (int, type(None))))


def _valid_snapshot(snap: Any) -> bool:
    """Whether `snap` has the shape `snapshot` writes: every value `compare` and the proof use is checked."""
    if not _is(snap, dict) or snap.get("kanwu_snapshot") != SNAPSHOT_VERSION:
        return False
    files, stories = snap.get("files", {}), snap.get("stories")
    return (all(_is(snap.get(k, ""), str, 500) for k in ("issue", "date", "built", "publication"))
            and _is(snap.get("number", 1), int) and 0 <= snap.get("number", 1) <= 99_999
            and _is(snap.get("round", 1), int) and 1 <= snap.get("round", 1) <= 99
            and _is(files, dict) and len(files) <= MAX_STORIES + 1
            and all(_is(k, str, 500) and _is(v, str) for k, v in files.items())
            and _is(stories, dict) and len(stories) <= MAX_STORIES
            and sum(len(v.get("paragraphs", [])) if _is(v, dict) else 0 for v in stories.values()) <= MAX_PARAGRAPHS
            and all(_ID.match(k) and _valid_story(v) for k, v in stories.items()))


def same_issue(old: dict[str, Any], issue: Issue, since: str) -> list[Finding]:
    """Refuse an earlier proof of another number or publication; warn when only the file name differs.

    Comparing with another issue's proof would mark every story as changed:
    it is almost always the wrong file picked in a folder of proofs.
    """
    name, number = issue.publication.name.value, issue.number
    old_name, old_number = old.get("publication"), old.get("number")
    old_file, this_file = Path(old.get("issue") or "?").name, Path(issue.source_name).name
    if (old_number is not None and old_number != number) or (old_name is not None and old_name != name):
        title = f"《{old_name}》" if old_name else ""
        raise KanwuError(
            f"{since}: error: 这份校样属于{title}第{old_number}期（{old_file}），不是本期《{name}》第{number}期："
            f"请选本期的上一校 / this proof belongs to another issue: {old_name + ' ' if old_name else ''}no. {old_number} "
            f"({old_file}), not {name} no. {number}; give an earlier proof of this issue")
    if old_file != this_file:
        return [Finding("warning", "since-other-file", f"上一校的校样由 {old_file} 生成，本期文件是 {this_file}"
                        f"（文件改过名？）/ the earlier proof was built from {old_file}, this issue is {this_file} "
                        "(renamed?)", Pos(since))]
    return []


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
