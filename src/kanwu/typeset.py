"""Typeset stage: HTML → drawn pages with WeasyPrint, once per build.

Page makeup has placed every block already; WeasyPrint only draws them. Since
each page's content is known, the pages are drawn in parallel: the document is
cut into runs of whole pages, each laid out and written to PDF by a forked
worker process (two, on any machine), and the runs are joined into one PDF.
WeasyPrint is imported here and only here (it takes 0.4 s), so ``kanwu --help``
and input validation stay fast; a cold build imports it in the process that
will draw (`Warm`), forked as the build starts, while the issue is read and
made up; the build's own process never needs it (the proof is drawn by kanwu,
`kanwu.proofdraw`). Body lines are not laid out by WeasyPrint: kanwu draws them
into the empty blocks the HTML leaves for them (`kanwu.wpext.draw_composed_lines`).
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import re
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from . import forked
from .errors import Finding, KanwuError, Pos
from .layout.csslog import Collect, css_findings
from .layout.spec import Layout
from .layout.lines import DrawnText
from .wpext import Root, check_version, detach, make_fetcher, overrun, undrawable, use_text

RUNS = 2
"""Pages are drawn in at most this many runs, whatever the machine. The print PDF's bytes depend on the
cut (each run embeds font subsets of its own), so the cut may not depend on the number of cores: a
4-core machine made other bytes than a 2-core one, and a PDF nearly twice as large (a 20-page A3 number:
6.6 MB in four runs, 3.6 MB in two). Two runs use the two cores of the build machine."""
DRAW_SECONDS = 300
"""Seconds the pages may take to draw, all runs together (a 20-page A3 number takes about 4): a layout's
CSS or SVG can ask WeasyPrint for endless work (a 3 kB SVG of ``<use>`` ten deep, ten wide drew for ever)."""


@dataclass(frozen=True)
class PdfOptions:
    """How the print PDF is written."""

    variant: str | None
    """``pdf/x-4`` or ``pdf/x-1a``."""
    identifier: bytes
    """The PDF's fixed /ID (written when the PDF is finished for the press, not by WeasyPrint)."""
    metadata: dict[str, str]
    """Title, author, date."""


@dataclass
class Drawn:
    """What WeasyPrint drew."""

    pdf: bytes | None
    """The PDF (None when only laid out, for ``kanwu check``)."""
    findings: list[Finding] = field(default_factory=list)
    """Problems found while drawing (refused URLs, CSS WeasyPrint ignored, slow subsetting...)."""
    page_sizes: list[tuple[float, float]] = field(default_factory=list)
    """Each page's size in CSS px."""


Chunk = str | tuple[str, ...]
"""What one PDF is drawn from: an HTML document, or several whose pages are written together."""


def workers(pages: int) -> int:
    """How many runs (processes) draw `pages` pages: `RUNS`, at most one per page, on any machine."""
    return max(1, min(RUNS, pages))


def draw(chunks: Sequence[Chunk], base: Path, roots: dict[str, Root], layout: Layout | None,
         options: PdfOptions | None, progress: Callable[[int], None] | None = None,
         text: DrawnText | None = None, warm: Warm | None = None) -> Drawn:
    """Lay out each HTML chunk (runs of whole pages, relative URLs against `base`, reading only below the
    `roots`) and, with `options`, write it to PDF; the chunks' pages joined in order. The composed lines
    the HTML names (`kanwu.layout.lines.composed_html`) are in `text`.

    `progress` is told how many pages are drawn so far, as runs finish. With `warm`, the drawing process
    started at the beginning of the build draws them (`Warm`)."""
    parts = (warm.draw_each if warm is not None else draw_each)(chunks, base, roots, layout, options, progress, text)
    findings: list[Finding] = []
    for part in parts:
        findings += [f for f in part.findings if f not in findings]
    pdfs = [p.pdf for p in parts]
    pdf = (pdfs[0] if len(pdfs) == 1 else join(pdfs)) if options is not None else None  # type: ignore[arg-type]
    return Drawn(pdf, findings, [s for p in parts for s in p.page_sizes])


def draw_each(chunks: Sequence[Chunk], base: Path, roots: dict[str, Root], layout: Layout | None,
              options: PdfOptions | None, progress: Callable[[int], None] | None = None,
              text: DrawnText | None = None) -> list[Drawn]:
    """Each chunk drawn on its own (`draw` without the join), each by a forked worker of its own, all within
    `DRAW_SECONDS`; `progress` is told how many pages are drawn so far. Raises the first chunk's `KanwuError`.

    A chunk is an HTML document, or several (a page each): laid out one by one, written as one PDF
    (WeasyPrint's combined documents), so that they share their font subsets.

    Forked always, one chunk too, even in a resident session (`kanwu.session`): only a child can be
    stopped when a layout asks for endless work, and a child forked from a warm process shares its
    imports, fonts and caches (copy-on-write), so forking costs a few milliseconds."""
    check_version()
    global _JOB
    _JOB = (list(chunks), base, roots, layout, options, text)
    children: list[forked.Child] = []
    try:  # the workers find their work in their copy of this process
        for i in range(len(chunks)):
            children.append(forked.Child(_draw, i))
        deadline = time.monotonic() + DRAW_SECONDS
        parts = _collect((child.result(max(0.0, deadline - time.monotonic())) for child in children), progress)
    except forked.Died as exc:
        if exc.timed_out:
            where = f"{layout.folders[0]}: " if layout is not None else ""
            raise KanwuError(f"{where}error: 绘制页面超过 {DRAW_SECONDS} 秒，已停止：版式的样式或图片（如 SVG）太复杂 / "
                             f"drawing the pages took longer than {DRAW_SECONDS} s and was stopped: the layout's CSS "
                             "or a picture (an SVG?) asks for too much work") from None
        raise forked.died("绘制页面", "drawing the pages", exc) from None
    finally:
        _JOB = None
        for child in children:
            child.kill()
    for part in parts:
        if isinstance(part, KanwuError):
            raise part
    return parts  # type: ignore[return-value]


class Warm:
    """A process forked at the start of a cold build that imports WeasyPrint (0.4 s: a tenth of a 20-page
    A3 build) while this one reads the issue and makes it up, then draws the pages as `draw_each` does,
    forking the workers from its warm self. It is used once; unused, it is stopped when dropped."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self._child = forked.Child(_warm, read, write)
        os.close(read)
        self._jobs = write
        self._closed = weakref.finalize(self, _close, write)

    def draw_each(self, chunks: Sequence[Chunk], base: Path, roots: dict[str, Root], layout: Layout | None,
                  options: PdfOptions | None, progress: Callable[[int], None] | None = None,
                  text: DrawnText | None = None) -> list[Drawn]:
        """`draw_each` done by the warm process: the work is sent to it (pickled, about a megabyte for 20 A3
        pages), the drawn chunks come back; `progress` is told when all are drawn."""
        job = pickle.dumps((list(chunks), base, roots, layout, options, text), pickle.HIGHEST_PROTOCOL)
        # written by a thread: the pipe takes 64 kB until the process is done importing and reads
        threading.Thread(target=_send_job, args=(self._jobs, job, self._closed), daemon=True).start()
        try:
            parts: list[Drawn] = self._child.result(DRAW_SECONDS + 60)
        except forked.Died as exc:
            raise forked.died("绘制页面", "drawing the pages", exc) from None
        if progress is not None:
            progress(sum(len(p.page_sizes) for p in parts))
        return parts

    def close(self) -> None:
        """Stop the process (when its work was not asked for)."""
        self._child.kill()
        self._closed()


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _send_job(fd: int, data: bytes, closed: Any) -> None:
    """Write the job and close the pipe (the end of the job); a process that died meanwhile is reported by
    the reading side."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        pass
    finally:
        closed()


def _warm(read: int, write: int) -> list[Drawn] | None:
    """The warm process: import WeasyPrint, wait for the job, draw it (`draw_each`)."""
    os.close(write)
    check_version()  # imports WeasyPrint and installs kanwu's extensions
    chunks = []
    while block := os.read(read, 1 << 20):
        chunks.append(block)
    os.close(read)
    if not chunks:
        return None  # the build ended before drawing
    pages, base, roots, layout, options, text = pickle.loads(b"".join(chunks))
    return draw_each(pages, base, roots, layout, options, None, text)


def _collect(runs: Iterable[Drawn | KanwuError], progress: Callable[[int], None] | None) -> list[Drawn | KanwuError]:
    """The drawn chunks in order, telling `progress` the pages done after each."""
    parts, done = [], 0
    for part in runs:
        parts.append(part)
        done += len(part.page_sizes) if isinstance(part, Drawn) else 0
        if progress is not None:
            progress(done)
    return parts


_JOB: tuple[list[Chunk], Path, dict[str, Root], Layout | None, PdfOptions | None, DrawnText | None] | None = None
"""The work the forked workers find in their copy of this process (nothing is pickled to them)."""


def _draw(index: int) -> Drawn | KanwuError:
    """Lay out (and write) chunk `index` of `_JOB`."""
    from weasyprint import HTML
    from weasyprint.text import ffi

    assert _JOB is not None
    chunks, base, roots, layout, options, text = _JOB
    use_text(text)
    findings: list[Finding] = []
    if ffi.harfbuzz_subset is None and index == 0:
        findings.append(Finding("warning", "slow-font-subsetting",
                                "没有找到 libharfbuzz-subset，字体子集化会慢几十倍：请安装 libharfbuzz-subset0 / "
                                "libharfbuzz-subset0 is missing: font subsetting falls back to fontTools and takes "
                                "seconds per font (apt-get install libharfbuzz-subset0)"))
    fetcher = make_fetcher([], roots)
    handler = Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        chunk = chunks[index]
        documents = [HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher).render()
                     for html in ((chunk,) if isinstance(chunk, str) else chunk)]
        document = documents[0] if len(documents) == 1 else documents[0].copy([p for d in documents for p in d.pages])
    finally:
        logger.removeHandler(handler)
    if layout is not None:
        findings += css_findings(handler.records, layout, fetcher.refused)
    for url in dict.fromkeys(fetcher.refused):
        findings.append(Finding("error", "refused-url", f"拒绝读取 {url}：kanwu 只读取期刊、版式和字体文件夹里的文件 / "
                                "refused: kanwu reads only files in the issue, layout and font folders"))
    for url in detach(document):
        findings.append(Finding("error", "refused-attachment", f"版式要把 {url} 作为附件放进 PDF：kanwu 不附带文件（PDF/X 也不"
                                f"允许）/ the layout attaches {url} to the PDF: kanwu never embeds files (nor does PDF/X "
                                "allow it)", Pos(str(layout.folders[0])) if layout is not None else None))
    over = overrun(document.pages[0], "masthead") * 0.75 if index == 0 and document.pages else 0.0  # px → pt
    if over > 1.5:  # the masthead is on page 1 only
        findings.append(Finding("error", "masthead-overflow", f"第1页 报头的文字超出报头 {over:.0f}pt（报名太长？），会压住期号或"
                                "出界：请缩短 publication.name，或在版式里减小 masthead.name_size、增加 masthead.lines / page 1: "
                                f"the masthead's text runs {over:.0f} pt beyond its box (a long publication name?): "
                                "shorten publication.name, or lower masthead.name_size or raise masthead.lines in the "
                                "layout", Pos(str(layout.folders[0])) if layout is not None else None, page=1))
    sizes = [(p.width, p.height) for p in document.pages]
    pdf = None
    if options is not None:
        meta = document.metadata
        meta.title = options.metadata.get("title", meta.title)
        meta.authors = [options.metadata["author"]] if options.metadata.get("author") else []
        meta.created = meta.modified = options.metadata.get("date")
        meta.generator = "kanwu"
        try:
            # no /ID here: the press stage writes the fixed one (`kanwu.press.fixed_id`), and asking
            # WeasyPrint for one makes pydyf compress every stream twice (it hashes the objects' data)
            pdf = document.write_pdf(pdf_variant=options.variant, pdf_identifier=False,
                                     uncompressed_pdf=False)
        except NotImplementedError as exc:  # e.g. a gradient or an inset border in device-cmyk() colours
            cn, en = undrawable(exc)
            name = layout.name if layout is not None else "?"
            where = layout.folders[0] if layout is not None else ""
            return KanwuError(f"{where}: error: 版式 {name} 里有 WeasyPrint 70 画不出的东西：{cn} / "
                              f"layout `{name}`: WeasyPrint 70 cannot draw {en}")
    return Drawn(pdf, findings, sizes)


def join(pdfs: Sequence[bytes]) -> bytes:
    """The pages of several PDFs written by WeasyPrint with the same options, in one: the first one's
    catalog (output intent, metadata) with every run's pages."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdfs[0])))
    for run, data in enumerate(pdfs[1:], 1):
        reader = PdfReader(io.BytesIO(data))
        retag(reader, run)
        writer.append(reader, import_outline=False)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


SUBSET = re.compile(r"^/?([A-Z]{6})\+")
"""A font subset's name: six capital letters, ``+``, the font's name."""


def retag(reader: Any, run: int) -> None:
    """Give the font subsets of run `run` tags of their own (in `reader`'s objects, before they are joined).

    WeasyPrint tags a subset after its font file, so each run's subset of one font had the same name as
    the others' with other glyphs in it; ISO 32000-1 (9.6.4) wants different subsets in one PDF to have
    different tags, and a RIP may reuse a subset it has seen by name: wrong or missing glyphs in print.
    The new tag is made from the old one and the run, so the same input keeps giving the same bytes.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    tags: dict[str, str] = {}

    def new(tag: str) -> str:
        if tag not in tags:
            digest = hashlib.sha256(f"{run}/{tag}".encode()).digest()
            tags[tag] = "".join(chr(65 + b % 26) for b in digest[:6])
        return tags[tag]

    seen: set[int] = set()
    todo: list[Any] = [reader.trailer["/Root"]]
    while todo:
        obj = todo.pop()
        if hasattr(obj, "get_object") and not isinstance(obj, (DictionaryObject, ArrayObject)):
            obj = obj.get_object()
        if id(obj) in seen or not isinstance(obj, (DictionaryObject, ArrayObject)):
            continue
        seen.add(id(obj))
        if isinstance(obj, ArrayObject):
            todo.extend(obj)
            continue
        for key in ("/BaseFont", "/FontName"):
            match = SUBSET.match(str(obj.get(key, "")))
            if match and obj.get("/Type") in ("/Font", "/FontDescriptor"):
                obj[NameObject(key)] = NameObject("/" + new(match[1]) + str(obj[key])[7:])
        todo.extend(v for k, v in obj.items() if k != "/Parent")


__all__ = ["Drawn", "PdfOptions", "Warm", "draw", "draw_each", "join", "retag", "workers"]
