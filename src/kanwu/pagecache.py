"""The page cache: what a build made of each page, kept for the next build of the same issue.

Page makeup gives every page its own HTML document (`kanwu.layout.html`
renders a page alone), and everything kanwu does to a page after that depends
on nothing but that document and the files it may read. So a page is named by
a key, the SHA-256 of

* its HTML document (the layout's CSS and the ``@font-face`` rules are in it,
  the page number and every placed text and picture URL too),
* the PDF options (PDF/X variant, identifier, metadata),
* the identity (name, size, modification time) of every file WeasyPrint may
  read for it: all files of the layout folders, the ``fonts/`` folders and
  the press profile's folder, and the issue's files the page names (converted
  pictures are named by the hash of their bytes, see `kanwu.colour`);

and, under that key, `CachedStages` keeps the page drawn by WeasyPrint (a
one-page PDF with its findings), its ink on each plate (`kanwu.inkcov`), the
places found blank on it (`kanwu.drawn`) and its preview (`kanwu.previews`).
A rebuild draws, measures and renders only the pages whose key is new (and
measures ink only on those whose pictures, tints or rules changed: ink is
also kept by what Ghostscript renders of a page without its text,
`kanwu.inkcov.graphics_keys`, so an edit of the text alone costs no
Ghostscript run), then
joins the drawn pages and runs the document-wide steps afresh: the press
finishing (boxes, marks and slug with page n of N), reading the finished PDF
back (`kanwu.pressflight.pdf_findings`), the proof and the report.

Why the kept results are the ones a new build would make:

* a page's ink and its blank places are judged on that page alone
  (Ghostscript and PDFium render page by page); the press finishing wraps the
  page's content and adds marks only outside the bleed, so what is inside the
  trim, which the blank-place check and the previews look at, is the drawn
  page's; the finishing's own settings (bleed, marks) are part of those keys;
* the slug line names the plates from the ink kept, as a full build would.

The PDF this makes differs from `kanwu.build.build`'s in its bytes (each page
is drawn as a document of its own, so each carries its own font subsets),
not in its pages, text, findings or checks.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .build import Stages
from .drawn import Expected, blank_places
from .errors import Finding
from .files import version
from .imagecache import ImageCache
from .inkcov import PageInk, graphics_keys, measure, strip_text
from .layout.lines import DrawnText
from .layout.spec import Layout
from .model import Issue
from .makeup.plan import Plan
from .preflight import Report
from .previews import PreviewJob, Previews, Thumb, contact_sheet
from .proof import ProofInfo
from .wpext import Root, VIRTUAL

_NAMED = re.compile(re.escape(VIRTUAL) + r":issue/([^\"')\s]+)")
"""A URL of a file in the issue's folder, as the HTML names it."""


@dataclass
class PageEntry:
    """What was made of one page (one key)."""

    drawing: bytes
    """The PDF WeasyPrint wrote for the run of pages drawn with this one (they share font subsets)."""
    index: int
    """This page's index in `drawing`."""
    size: tuple[float, float]
    """Its size in CSS px."""
    findings: list[Finding]
    """What drawing it found (refused URLs, CSS WeasyPrint ignored)."""
    ink: dict[tuple[float, float], PageInk] = field(default_factory=dict)
    """(ink limit, bleed) → its ink."""
    blank: dict[str, list[Expected]] = field(default_factory=dict)
    """Key of the places looked at (and the press settings) → the places found blank."""
    shots: dict[str, tuple[bytes, Thumb]] = field(default_factory=dict)
    """Key of the press settings → its preview PNG and thumbnail."""
    used: int = 0
    """The build that used it last."""


@dataclass
class PageCache:
    """Page key → `PageEntry`, and the converted pictures by name, for one resident session."""

    entries: dict[str, PageEntry] = field(default_factory=dict)
    """Every kept page."""
    pictures: dict[str, bytes] = field(default_factory=dict)
    """Converted pictures by cache key (`kanwu.colour.convert`), kept in memory."""
    builds: int = 0
    """Builds so far."""
    last: list[str] = field(default_factory=list)
    """The page keys of the last build, in page order."""
    inks: dict[bytes, PageInk] = field(default_factory=dict)
    """Ink by what Ghostscript renders of a page (`kanwu.inkcov.graphics_keys`), the press settings and the
    files (fonts, layouts, profile) of the build: a page redrawn for its text keeps its pictures' ink."""

    def prune(self, spare: int, pictures: set[str] | None = None) -> None:
        """Forget all but the last build's pages and the `spare` most recently used others (an edit undone
        finds its pages again), and the converted pictures but `pictures` (when a build got to them)."""
        if pictures:
            self.pictures = {k: v for k, v in self.pictures.items() if k in pictures}
        keep = set(self.last)
        others = sorted((e.used, k) for k, e in self.entries.items() if k not in keep)
        for _, key in others[:max(0, len(others) - spare)]:
            del self.entries[key]
        for key in list(self.inks)[:max(0, len(self.inks) - 2 * (len(self.last) + spare))]:
            del self.inks[key]  # the oldest


class _Remembered(ImageCache):
    """The picture cache of one build, with the session's converted pictures in memory in front of it."""

    memory: dict[str, bytes]
    used: set[str]

    def get(self, key: str) -> bytes | None:
        """The converted copy `key`: from memory, else from the disk cache."""
        self.used.add(key)
        if key not in self.memory:
            data = super().get(key)
            if data is not None:
                self.memory[key] = data
        return self.memory.get(key)

    def put(self, key: str, data: bytes) -> None:
        """Keep a new copy in memory (and on disk when the build writes)."""
        self.used.add(key)
        self.memory[key] = data
        super().put(key, data)


def file_identities(roots: dict[str, Root], page: str | None = None) -> bytes:
    """The identity of every file WeasyPrint may read (see the module's docstring): with `page`, the
    files of the issue's folder that page's HTML names; without, the files of the other folders."""
    ids: list[str] = []
    for name, root in sorted(roots.items(), key=lambda kv: kv[0]):
        if not isinstance(root, Path) or (name == "issue") != (page is not None):
            continue  # in memory (converted pictures, named by their content), or the other part
        if page is not None:  # only the files the page names: the issue's folder may be large
            files = sorted({root.resolve() / unquote(rel) for rel in _NAMED.findall(page)})
        else:
            files = sorted(root.rglob("*"))
        ids += [f"{name}|{path}|{version(path)}" for path in files]
    return "\n".join(ids).encode()


@dataclass(frozen=True)
class PreviewsReady:
    """What a build has ready before its proof is made: the pages' previews and the findings."""

    pages: list[bytes]
    """Every page's preview PNG, in order."""
    contact: bytes
    """The contact sheet PNG."""
    changed: list[int]
    """Numbers of the pages whose drawing differs from the previous build's (all pages on the first)."""
    report: Report
    """The report: findings complete; ``outputs`` and ``sha256`` are filled in when the files are written."""
    plan: Plan | None = None
    """The makeup plan (where every story and picture is: ``kanwu serve`` marks findings on the pages)."""


class CachedStages(Stages):
    """The `kanwu.build.Stages` of a session: each page drawn, measured, checked and previewed once per key."""

    def __init__(self, cache: PageCache, processes: Callable[[int], int], png: bool = True,
                 on_previews: Callable[[PreviewsReady], None] | None = None) -> None:
        self.cache, self.processes, self.png, self.on_previews = cache, processes, png, on_previews
        cache.builds += 1
        self.keys: list[str] = []
        """This build's page keys, in page order (set when the pages are drawn)."""
        self.changed: list[int] = []
        """Numbers of the pages whose key differs from the previous build's."""
        self.settings = ""
        """The press settings, as part of the keys of what is judged on the finished page."""
        self.plain = False
        """True when this build keeps nothing (`_unkept`): pressed and previewed as `Stages` does."""
        self.pictures: set[str] = set()
        """The converted pictures this build looked up (the others need not be kept)."""
        self.common = b""
        """Digest of what every page's drawing depends on besides its HTML (options, layout and font files)."""
        self.rendering: tuple[list[int], Callable[[], list[tuple[bytes, Thumb]]]] | None = None
        """New pages whose previews are being rendered (`_judge`), and what waits for them."""
        self.plan: Plan | None = None
        """This build's makeup plan (set when the pages are pressed), for `PreviewsReady`."""

    def chunks(self, pages: int) -> int:
        """One HTML document per page."""
        return pages

    def image_cache(self, write: bool, use_cache: bool) -> ImageCache:
        """The picture cache with the session's pictures in memory in front of it."""
        opened = ImageCache.open(write, use_cache)
        cache = _Remembered(opened.folder, opened.write)
        cache.memory, cache.used = self.cache.pictures, self.pictures
        return cache

    def start(self) -> None:
        """Nothing to start: a session's process has WeasyPrint imported, and forks the workers itself."""

    def _entry(self, number: int) -> PageEntry:
        return self.cache.entries[self.keys[number - 1]]

    def draw(self, html: list[str], base: Path, roots: dict[str, Root], spec: Layout, options: Any,
             drawn: Callable[[int], None], text: DrawnText) -> Any:
        """The pages joined; only those with a new key are drawn, in runs (one forked process each, bounded in
        time as a cold build's: `kanwu.typeset.draw_each`)."""
        from . import typeset

        if options is None:  # laid out only (a check): nothing to keep
            return super().draw(html, base, roots, spec, options, drawn, text)
        # the pieces are named by a digest of their lines in the HTML; the faces drawing them are not
        self.common = common = hashlib.sha256(repr((str(base), options, sorted(text.faces.items()))).encode() + b"\0"
                                              + file_identities(roots)).digest()
        previous, self.keys = self.cache.last, [
            hashlib.sha256(common + page.encode() + b"\0" + file_identities(roots, page)).hexdigest() for page in html]
        self.changed = [n for n, key in enumerate(self.keys, 1) if n > len(previous) or previous[n - 1] != key]
        missing = self._to_draw()
        done = len(html) - len(missing)
        drawn(done)
        if missing:
            size = -(-len(missing) // self.processes(len(missing)))
            runs = [missing[i:i + size] for i in range(0, len(missing), size)]
            made = typeset.draw_each([tuple(html[i] for i in run) for run in runs], base, roots, spec, options,
                                     lambda n: drawn(done + n), text)
            if any(len(part.page_sizes) != len(run) for run, part in zip(runs, made)):
                return self._unkept(html, base, roots, spec, options, text)
            for run, part in zip(runs, made):
                assert part.pdf is not None
                for index, i in enumerate(run):
                    self.cache.entries[self.keys[i]] = PageEntry(part.pdf, index, part.page_sizes[index], part.findings)
        pages = [self.cache.entries[key] for key in self.keys]
        for entry in pages:
            entry.used = self.cache.builds
        self.cache.last = self.keys
        findings: list[Finding] = []
        for entry in pages:
            findings += [f for f in entry.findings if f not in findings]
        return typeset.Drawn(join_pages([(e.drawing, e.index) for e in pages]), findings, [e.size for e in pages])

    def _unkept(self, html: list[str], base: Path, roots: dict[str, Root], spec: Layout, options: Any,
                text: DrawnText) -> Any:
        """The pages drawn afresh as a cold build draws them, nothing kept: a page's document drew more or
        fewer than one page (the layout's templates put something outside the planned pages; the build
        reports it), so drawn pages cannot be told apart by key."""
        from . import typeset

        self.keys, self.cache.last, self.plain, self.changed = [], [], True, list(range(1, len(html) + 1))
        size = -(-len(html) // self.processes(len(html)))
        return typeset.draw([tuple(html[i:i + size]) for i in range(0, len(html), size)], base, roots, spec, options,
                            text=text)

    def _to_draw(self) -> list[int]:
        """Indexes of the pages to draw: those with a new key, and, when there are some and the pages kept
        come from too many runs, those of the smaller runs (each run carries its own font subsets: the PDF
        would grow with every page edited)."""
        entries = self.cache.entries
        missing = [i for i, key in enumerate(self.keys) if key not in entries]
        kept = [i for i, key in enumerate(self.keys) if key in entries]
        runs: dict[int, list[int]] = {}
        for i in kept:
            runs.setdefault(id(entries[self.keys[i]].drawing), []).append(i)
        workers = self.processes(len(self.keys))
        if missing and len(runs) + min(workers, len(missing)) > workers + max(2, len(self.keys) // 5):
            again = [i for run in sorted(runs.values(), key=len)[:len(runs) - workers] for i in run]
            for i in again:
                del entries[self.keys[i]]  # drawn anew: what was judged on the old drawing goes with it
            missing = sorted(set(missing) | set(again))
        return missing

    def press(self, pdf: bytes, spec: Layout, press: Any, issue: Issue, info: ProofInfo, plan: Plan,
              report: Report) -> tuple[bytes, list[Any]]:
        """`kanwu.build.press_stage`, measuring ink and looking for blank places on new pages only."""
        self.plan = plan
        if self.plain:
            return super().press(pdf, spec, press, issue, info, plan, report)
        from .build import identifier
        from .pressflight import prepress
        from .preflight import order

        self.settings = repr(press)  # what the finishing depends on, for the keys of what is judged on it
        final, findings, inks = prepress(pdf, spec, press, identifier(issue, spec.name), info.title, info.date,
                                         plan, report.findings, ink=self._ink, blank=self._judge)
        report.findings = order(report.findings + findings)
        return final, inks

    def _ink(self, pdf: bytes, limit: float, bleed: float) -> list[PageInk]:
        """`kanwu.inkcov.measure` of the pages, each page by itself: the new ones measured together, unless
        what Ghostscript renders of each (its text taken out) was measured before."""
        key = (limit, bleed)
        new = [n for n in range(1, len(self.keys) + 1) if key not in self._entry(n).ink]
        if new:
            stripped = strip_text(join_pages([(self._entry(n).drawing, self._entry(n).index) for n in new]))
            looks = [hashlib.sha256(self.common + repr(key).encode() + graphics).digest()
                     for graphics in graphics_keys(stripped)]
            inks = self.cache.inks
            if any(look not in inks for look in looks):
                inks.update(zip(looks, measure(stripped, limit, bleed, stripped=True)))
            for n, look in zip(new, looks):
                self._entry(n).ink[key] = inks[look] = inks.pop(look)  # the most recently used last
        return [dataclasses.replace(self._entry(n).ink[key], page=n) for n in range(1, len(self.keys) + 1)]

    def _judge(self, pdf: bytes, press: Any, expected: list[Expected]) -> list[Expected]:
        """`kanwu.pressflight.blank_on_trim`, looking only at new pages or new places; the new pages'
        previews are rendered from the same drawn pages (inside the trim, the final ones), as a cold build
        renders them."""
        count = len(self.keys)
        wanted: dict[int, list[Expected]] = {n: [] for n in range(1, count + 1)}
        for e in expected:
            wanted.setdefault(e.page, []).append(e)
        keys = {n: hashlib.sha256(repr((self.settings, places)).encode()).hexdigest() for n, places in wanted.items()}
        looked = [n for n in range(1, count + 1) if keys[n] not in self._entry(n).blank]
        shots = [n for n in range(1, count + 1) if self.png and self.settings not in self._entry(n).shots]
        new = sorted(set(looked) | set(shots))
        if new:  # only these pages, finished together: a page is judged by itself alone
            alone = join_pages([(self._entry(n).drawing, self._entry(n).index) for n in new])
            at = {n: i for i, n in enumerate(new, 1)}
            found = blank_places(alone, [e._replace(page=at[n]) for n in looked for e in wanted[n]])
            for n in looked:
                self._entry(n).blank[keys[n]] = [e._replace(page=n) for e in found if e.page == at[n]]
            if shots:  # rendered while the press stage waits for the ink and reads the finished PDF back
                self.rendering = shots, _render(alone, [at[n] - 1 for n in shots], self.processes(len(shots)))
        # places on pages that were not drawn are not looked at, as in a full build
        blank = [e for n in range(1, count + 1) for e in self._entry(n).blank[keys[n]]]
        first = {e: i for i, e in reversed(list(enumerate(expected)))}
        return sorted(blank, key=first.__getitem__)  # as a full build finds them: in the plan's order

    def previews(self, pdf: bytes, report: Report) -> Any:
        """The previews (new pages were rendered while the ink was measured); then `on_previews` is told."""
        if self.plain:
            done = super().previews(pdf, report).result()
        else:  # rendered with the blank places (`_judge`); from the finished PDF if some were not
            if self.rendering is not None:
                shots, rendered = self.rendering
                for n, shot in zip(shots, rendered()):
                    self._entry(n).shots[self.settings] = shot
                self.rendering = None
            missing = [n for n in range(1, len(self.keys) + 1) if self.settings not in self._entry(n).shots]
            if missing:
                job = PreviewJob(pdf, self.processes(len(missing)), pages=[n - 1 for n in missing],
                                 fork=len(missing) > 1)
                for n, shot in zip(missing, job.shots()):
                    self._entry(n).shots[self.settings] = shot
            shots = [self._entry(n).shots[self.settings] for n in range(1, len(self.keys) + 1)]
            done = Previews([png for png, _ in shots], contact_sheet([thumb for _, thumb in shots]))
        if self.on_previews is not None:
            self.on_previews(PreviewsReady(done.pages, done.contact, list(self.changed), report, self.plan))
        return _Done(done)


def _render(pdf: bytes, pages: list[int], processes: int) -> Callable[[], list[tuple[bytes, Thumb]]]:
    """Start rendering the previews of `pages` (indexes) of `pdf`; returns what waits for them. One page is
    rendered by a thread of this process (PDFium and PIL work outside the GIL, and nothing else uses
    PDFium until the previews are taken), more by forked processes, forked now from this thread."""
    if len(pages) > 1:
        return PreviewJob(pdf, processes, pages=pages).shots
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kanwu-preview")
    rendering = pool.submit(lambda: PreviewJob(pdf, pages=pages, fork=False).shots())
    pool.shutdown(wait=False)  # the thread ends with its one task
    return rendering.result


def join_pages(pages: list[tuple[bytes, int]]) -> bytes:
    """One PDF of the given pages (a PDF written by WeasyPrint and a page index in it), in order; the first
    one's catalog (output intent, metadata) and document information. Pages from one PDF keep sharing
    what they share (fonts, pictures); the font subsets of each PDF after the first get tags of their own
    (`kanwu.typeset.retag`: each drawing subsets the same fonts under the same names). Outlines and named
    destinations are left out."""
    import io

    from pypdf import PdfReader, PdfWriter

    from .typeset import retag

    readers: dict[int, PdfReader] = {}
    for drawing, _ in pages:
        readers.setdefault(id(drawing), PdfReader(io.BytesIO(drawing)))
    first = readers[id(pages[0][0])]
    if len(readers) == 1 and [i for _, i in pages] == list(range(len(first.pages))):
        return pages[0][0]  # all of one PDF, in its order
    for run, reader in enumerate(list(readers.values())[1:], 1):
        retag(reader, run)
    writer = PdfWriter()
    for drawing, index in pages:
        writer.add_page(readers[id(drawing)].pages[index])
    for name, value in first.trailer["/Root"].items():
        if name not in ("/Type", "/Pages", "/Outlines", "/Names"):  # those name the first PDF's pages
            writer._root_object[name] = value.clone(writer)  # noqa: SLF001 (pypdf: the catalog)
    if first.metadata:
        writer.add_metadata(first.metadata)
    writer.pdf_header = first.pdf_header
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _Done:
    """Previews already made (what `kanwu.build` waits for with ``result()``)."""

    def __init__(self, previews: Previews) -> None:
        self.previews = previews

    def result(self) -> Previews:
        """The previews."""
        return self.previews


__all__ = ["CachedStages", "PageCache", "PageEntry", "PreviewsReady", "file_identities", "join_pages"]
