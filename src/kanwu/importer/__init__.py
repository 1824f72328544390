"""``kanwu import``: a correspondent's Word/WPS ``.docx`` made into a story of an issue.

The stages, in order: the package is checked and opened (`container`), its
body read into lines (`walk`), the lines made into a story (`story`:
headline, byline, 小标题, captions, Markdown), the photos checked; only then
is anything written: the photos into ``images/`` and the body into
``text/<id>.md`` under the issue's folder (`write`), and the story's entry
appended to the issue file, or a story slot ``kanwu new`` left filled with it
(`issuefile`), which is loaded again by kanwu's own loader before it
replaces the old file. A failure at any point leaves
the folder as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Collector, Finding, KanwuError, Pos
from ..load import ID_RE, MAX_BODY_CHARS, load_issue
from ..progress import NO_PROGRESS, Progress
from ..schema import TEXT_LIMITS
from .issuefile import Entry, Stories, append, fill, render, stories_of
from .story import Draft, Slot, build
from .walk import Walker, where
from .write import EXTENSIONS, Written, create, free_name, subfolder

BODY_FOLDER = "text"
"""Where bodies go, under the issue's folder."""
IMAGE_FOLDER = "images"
"""Where photos go, under the issue's folder."""
STAGES = ("open", "read", "story", "write")
"""What an import tells its `Progress`, in order: the package checked and opened, its body read, the story
made (and its photos checked), the files written (and the issue file checked): a big file takes seconds."""


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    story_id: str
    """The new story's id."""
    entry: str
    """The story's entry as YAML (what was appended, or what to paste under ``stories:``)."""
    written: tuple[Path, ...]
    """Files created (the body, the photos), then the issue file when it was changed."""
    findings: tuple[Finding, ...]
    """Warnings about the document: what was not imported and why, photos without a caption."""
    unplaced: bool
    """True when the issue has a page plan (``pages:``) that does not name the new story yet."""


def import_docx(docx: Path, into: Path | None = None, story_id: str | None = None,
                folder: Path | None = None, progress: Progress = NO_PROGRESS) -> Imported:
    """Import `docx` as a new story of the issue file `into` (or print-ready, files under `folder`, default cwd).

    With `story_id` naming a story slot of `into` (an id with neither headline
    nor body yet, as ``kanwu new`` leaves each story of the previous number)
    the slot is filled in place, keeping its ``column`` and ``place``.
    Raises `KanwuError` (exit 2, nothing written) for a file that is not a
    usable ``.docx``, a taken or malformed id, or an issue file that would
    not load afterwards. `progress` is told each of `STAGES` as it starts.
    """
    from .container import open_docx

    out = Collector()
    shown = str(docx)
    original = _read_issue(into) if into is not None else None
    known = stories_of(original[1], str(into)) if original is not None else Stories((), ())
    if story_id is not None:
        _check_id(story_id, known, into)
    progress.stage("open")
    document = open_docx(docx, shown)
    progress.stage("read")
    lines = Walker(document, shown, out).read()
    progress.stage("story")
    draft = build(lines, shown, _fallback_title(document, docx), out)
    exts = _check_pictures(draft.slots, shown, out)
    _check_lengths(draft, shown, out)
    out.fail_if_errors()
    root = into.resolve().parent if into is not None else (folder or Path.cwd()).resolve()
    sid = story_id or _free_id(docx.stem, known.ids, root / BODY_FOLDER)
    written = Written()
    progress.stage("write")
    try:
        entry, files = _write(draft, exts, sid, root, docx.name, written)
        if into is None:
            text = "\n".join(render(entry, 2, 4, 2)) + "\n"
            return Imported(sid, text, tuple(files), tuple(out.findings), False)
        assert original is not None
        unplaced = _append(into, original, entry, sid in known.slots)
    except BaseException:
        written.rollback()
        raise
    return Imported(sid, "\n".join(render(entry, 2, 4, 2)) + "\n", (*files, into), tuple(out.findings), unplaced)


def _read_issue(into: Path) -> tuple[bytes, str]:
    """The issue file's bytes and its text as written (line endings kept), checked as kanwu reads sources."""
    from ..files import read_bytes, utf8_name
    from ..sources import MAX_SOURCE_BYTES, encoding_of, read_source

    utf8_name(into, str(into))
    read_source(into, str(into))  # refuses what kanwu cannot read, with its usual messages
    data = read_bytes(into, str(into), MAX_SOURCE_BYTES)
    bom, codec = encoding_of(data)
    return data, data[len(bom):].decode(codec)


def _check_id(story_id: str, known: Stories, into: Path | None) -> None:
    """`--id`: well formed, and either new to the issue or one of its slots to fill."""
    if not ID_RE.match(story_id) or len(story_id) > TEXT_LIMITS["id"]:
        raise KanwuError(f"--id: error: 稿件 id “{story_id[:80]}” 只能用小写字母、数字和连字符（不超过 {TEXT_LIMITS['id']} 个）/ "
                         "a story id must match [a-z0-9-]+")
    if story_id in known.ids and (story_id not in known.slots or known.ids.count(story_id) > 1):
        slots = f"；待填的稿件位有 {'、'.join(known.slots)}" if known.slots else ""
        en = f" (slots to fill: {', '.join(known.slots)})" if known.slots else ""
        raise KanwuError(f"--id: error: {into} 里已经有 id 为 “{story_id}” 的稿件，它已有标题或正文：请换一个 id{slots} / "
                         f"the issue already has a story `{story_id}` with a headline or body: choose another id{en}")


def _free_id(stem: str, taken: tuple[str, ...], bodies: Path) -> str:
    """An id from the file's name (``story`` for a Chinese name), numbered past ids and body files in use."""
    base = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40].strip("-") or "story"
    sid, n = base, 2
    while sid in taken or (bodies / f"{sid}.md").exists():
        sid, n = f"{base}-{n}", n + 1
    return sid


def _fallback_title(document: object, docx: Path) -> str:
    """A headline for a document without a title: its Title property, else its file name."""
    title = (getattr(getattr(document, "core_properties", None), "title", "") or "").strip()
    return title if title and len(title) <= 100 else (docx.stem.strip() or "未命名稿件")


_VECTOR = ("EMF/WMF", "SVG")


def _vector(data: bytes) -> str | None:
    """The vector format a picture is in (Word keeps clip art and pasted charts so), or None."""
    if data[40:44] == b" EMF" or data[:4] == b"\xd7\xcd\xc6\x9a" or (data[:2] in (b"\x01\x00", b"\x02\x00")
                                                                     and data[2:4] == b"\x09\x00"):
        return _VECTOR[0]
    if b"<svg" in data[:2048]:
        return _VECTOR[1]
    return None


def _check_pictures(slots: tuple[Slot, ...], shown: str, out: Collector) -> list[str | None]:
    """Each photo's file extension, None for one that becomes a placeholder; a hostile picture is an error."""
    from ..images import inspect_data

    exts: list[str | None] = []
    for slot in slots:
        pic = slot.picture
        cn, en = where(pic.para, slot.caption)
        if pic.data is None:
            exts.append(None)
            continue
        vector = _vector(pic.data)
        if vector:
            out.warning("import-vector-image", f"{cn}的图片是 {vector} 矢量图，kanwu 不能直接排印：已留占位框，请把它另存为 "
                        f"JPEG 或 PNG 放进 {IMAGE_FOLDER}/ 并填写 src / the picture in {en} is an {vector} drawing kanwu "
                        "cannot print: a placeholder is set; save it as JPEG or PNG", Pos(shown))
            exts.append(None)
            continue
        info = inspect_data(Path(pic.name), pic.data)
        if isinstance(info, str):
            out.error("import-bad-image", f"{cn}的图片（{pic.name}）：{info}", Pos(shown))
            exts.append(None)
        else:
            exts.append(EXTENSIONS[info.format])
    return exts


def _check_lengths(draft: Draft, shown: str, out: Collector) -> None:
    """The limits the loader will apply, checked before anything is written (also when the story is only printed)."""
    checks = [("headline", draft.headline, TEXT_LIMITS["title"]), ("subheadline", draft.subheadline, TEXT_LIMITS["title"]),
              ("byline", draft.byline, TEXT_LIMITS["name"]), ("body", draft.body, MAX_BODY_CHARS)]
    checks += [("caption", s.caption, TEXT_LIMITS["caption"]) for s in draft.slots]
    for key, value, most in checks:
        if len(value) > most:
            out.error("too-long", f"{key} 有 {len(value):,} 字，超过上限 {most:,}：请拆分或删减 / the {key} has "
                      f"{len(value):,} characters, the limit is {most:,}", Pos(shown))


def _write(draft: Draft, exts: list[str | None], sid: str, root: Path, source: str,
           written: Written) -> tuple[Entry, list[Path]]:
    """Write the photos and the body; the entry naming them."""
    files: list[Path] = []
    images: list[tuple[str, str]] = []
    if any(exts):
        pictures = subfolder(root, IMAGE_FOLDER, written)
        number = 1
        for slot, ext in zip(draft.slots, exts):
            if ext is None or slot.picture.data is None:
                images.append(("", slot.caption))
                continue
            path = create(free_name(pictures, sid, ext, number), slot.picture.data, written)
            number = int(path.stem.rsplit("-", 1)[1]) + 1
            files.append(path)
            images.append((path.relative_to(root).as_posix(), slot.caption))
    else:
        images = [("", s.caption) for s in draft.slots]
    bodies = subfolder(root, BODY_FOLDER, written)
    body = create(free_name(bodies, sid, "md"), draft.body.encode("utf-8"), written)
    files.insert(0, body)
    comment = "".join(c for c in f"由 kanwu import 导入自 {source}" if c.isprintable())
    entry = Entry(sid, draft.headline, draft.subheadline, draft.byline, body.relative_to(root).as_posix(),
                  tuple(images), comment)
    return entry, files


def _append(into: Path, original: tuple[bytes, str], entry: Entry, slot: bool) -> bool:
    """Append `entry` to the issue file (or fill its `slot`), check the result with kanwu's loader, then replace
    the file.

    Returns whether the issue has a page plan that does not place the story.
    """
    from ..files import read_bytes
    from ..output import write_atomic
    from ..sources import MAX_SOURCE_BYTES, encoding_of

    data, text = original
    bom, codec = encoding_of(data)
    new = (fill if slot else append)(text, str(into), entry)
    try:
        after = stories_of(new, str(into))
    except KanwuError as exc:  # not YAML any more (a bug, but named as the loader would)
        raise _explain(list(exc.findings), into, text) from None
    errors = _errors(into, new, after)
    if errors:
        raise _explain(errors, into, text)
    if read_bytes(into, str(into), MAX_SOURCE_BYTES) != data:
        raise KanwuError(f"{into}: error: 导入时期刊文件被别的程序改动了，没有导入：请保存后重试 / the issue file changed "
                         "while importing: nothing was imported; save it and try again")
    write_atomic(into, bom + new.encode(codec))
    return after.placed is not None and entry.story_id not in after.placed


def _errors(into: Path, text: str, stories: Stories) -> list[Finding]:
    """What kanwu's loader finds in `text` as the issue file `into`, when it finds errors other than the
    ``empty`` values of story slots still to fill (a number started with ``kanwu new`` is imported into one
    story at a time); else nothing."""
    try:
        load_issue(into, source=text)
    except KanwuError as exc:
        if any(f.level == "error" and not _of_slot(f, str(into), stories) for f in exc.findings):
            return [f for f in exc.findings if not _of_slot(f, str(into), stories)]
    return []


def _of_slot(finding: Finding, shown: str, stories: Stories) -> bool:
    """A finding that a slot is still to be filled."""
    pos = finding.pos
    return finding.code == "empty" and pos is not None and pos.file == shown and pos.line in stories.slot_lines


def _explain(errors: list[Finding], into: Path, original: str) -> KanwuError:
    """Why the issue would not load with the story: its own errors when it fails already, else the new ones."""
    own = _errors(into, original, stories_of(original, str(into)))
    if own:
        head = Finding("error", "import-issue-invalid", f"期刊文件本身有错误（见下），没有导入 / the issue file has errors "
                       "(below): nothing was imported", Pos(str(into)))
        return KanwuError((head, *own))
    head = Finding("error", "import-issue-invalid", "加上这篇稿件后期刊文件无法通过检查（见下，行号是加上之后的），没有导入 / "
                   "with the story added the issue file would not load (below; line numbers as with the story): "
                   "nothing was imported", Pos(str(into)))
    return KanwuError((head, *errors))
