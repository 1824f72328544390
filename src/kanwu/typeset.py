"""Typeset stage: HTML → drawn pages with WeasyPrint, once per build.

Page makeup has placed every block already; WeasyPrint only draws them. Since
each page's content is known, the pages are drawn in parallel: the document is
cut into runs of whole pages, each laid out and written to PDF by a forked
worker process (one per core), and the runs are joined into one PDF. WeasyPrint
is imported here and only here (it takes most of a second), so ``kanwu
--help`` and input validation stay fast. The proof is made from the print
PDF's bytes (see `kanwu.proof`).
"""
from __future__ import annotations

import io
import itertools
import logging
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import Finding, KanwuError
from .layout.csslog import Collect, css_findings
from .layout.spec import Layout
from .wpext import Root, check_version, make_fetcher, undrawable

MAX_WORKERS = 4
"""Never more worker processes than this (each holds its pages' layout)."""


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
    """How many processes draw `pages` pages: one per core, at most one per page."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, pages))


def draw(chunks: Sequence[Chunk], base: Path, roots: dict[str, Root], layout: Layout | None,
         options: PdfOptions | None, progress: Callable[[int], None] | None = None) -> Drawn:
    """Lay out each HTML chunk (runs of whole pages, relative URLs against `base`, reading only below the
    `roots`) and, with `options`, write it to PDF; the chunks' pages joined in order.

    `progress` is told how many pages are drawn so far, as runs finish."""
    parts = draw_each(chunks, base, roots, layout, options, len(chunks), progress)
    findings: list[Finding] = []
    for part in parts:
        findings += [f for f in part.findings if f not in findings]
    pdfs = [p.pdf for p in parts]
    pdf = (pdfs[0] if len(pdfs) == 1 else join(pdfs)) if options is not None else None  # type: ignore[arg-type]
    return Drawn(pdf, findings, [s for p in parts for s in p.page_sizes])


def draw_each(chunks: Sequence[Chunk], base: Path, roots: dict[str, Root], layout: Layout | None,
              options: PdfOptions | None, processes: int, progress: Callable[[int], None] | None = None,
              here: bool = False) -> list[Drawn]:
    """Each chunk drawn on its own (`draw` without the join), by up to `processes` forked workers;
    `progress` is told how many pages are drawn so far. Raises the first chunk's `KanwuError`.

    A chunk is an HTML document, or several (a page each): laid out one by one, written as one PDF
    (WeasyPrint's combined documents), so that they share their font subsets.

    With `here`, this process is one of the workers: it draws the first share of the chunks itself
    (and keeps WeasyPrint's fonts and caches warm for the next time, see `kanwu.session`)."""
    check_version()
    global _JOB
    _JOB = (list(chunks), base, roots, layout, options)
    parts: list[Drawn | KanwuError] = []
    try:
        if len(chunks) == 1 or processes <= 1:
            runs: Iterable[Drawn | KanwuError] = map(_draw, range(len(chunks)))
            parts = _collect(runs, progress)
        else:  # forked: the workers share this process's fonts, pictures and imports
            mine = -(-len(chunks) // processes) if here else 0
            with multiprocessing.get_context("fork").Pool(min(processes - here, len(chunks) - mine)) as pool:
                theirs = pool.imap(_draw, range(mine, len(chunks)))  # forked before this process draws its own
                parts = _collect(itertools.chain(map(_draw, range(mine)), theirs), progress)
    finally:
        _JOB = None
    for part in parts:
        if isinstance(part, KanwuError):
            raise part
    return parts  # type: ignore[return-value]


def _collect(runs: Iterable[Drawn | KanwuError], progress: Callable[[int], None] | None) -> list[Drawn | KanwuError]:
    """The drawn chunks in order, telling `progress` the pages done after each."""
    parts, done = [], 0
    for part in runs:
        parts.append(part)
        done += len(part.page_sizes) if isinstance(part, Drawn) else 0
        if progress is not None:
            progress(done)
    return parts


_JOB: tuple[list[Chunk], Path, dict[str, Root], Layout | None, PdfOptions | None] | None = None
"""The work the forked workers find in their copy of this process (nothing is pickled to them)."""


def _draw(index: int) -> Drawn | KanwuError:
    """Lay out (and write) chunk `index` of `_JOB`."""
    from weasyprint import HTML
    from weasyprint.text import ffi

    assert _JOB is not None
    chunks, base, roots, layout, options = _JOB
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
    for data in pdfs[1:]:
        writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


__all__ = ["Drawn", "PdfOptions", "draw", "draw_each", "join", "workers"]
