"""Typeset stage: HTML → drawn pages with WeasyPrint, once per build.

Page makeup has placed every block already; WeasyPrint only draws them.
WeasyPrint is imported here and only here (it takes most of a second), so
``kanwu --help`` and input validation stay fast. The document is written
to PDF once; the proof is made from those bytes (see `kanwu.proof`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Finding
from .layout.csslog import Collect, css_findings
from .layout.spec import Layout
from .wpext import Root, check_version, make_fetcher


@dataclass
class Rendered:
    """The laid-out document and what we learnt about it."""

    document: Any
    """The `weasyprint.Document`."""
    findings: list[Finding] = field(default_factory=list)
    """Problems found while rendering (refused URLs, slow subsetting...)."""
    page_sizes: list[tuple[float, float]] = field(default_factory=list)
    """Each page's trim size in points."""


def render(html: str, base: Path, roots: dict[str, Root], layout: Layout | None = None) -> Rendered:
    """Lay out `html` (relative URLs resolve against `base`), reading only below the
    `roots` (by ``kanwu:<name>/`` URL or by file URL); what WeasyPrint ignores or
    cannot load becomes a warning naming the `layout`'s file."""
    check_version()
    from weasyprint import HTML
    from weasyprint.text import ffi

    findings: list[Finding] = []
    if ffi.harfbuzz_subset is None:
        findings.append(Finding("warning", "slow-font-subsetting",
                                "没有找到 libharfbuzz-subset，字体子集化会慢几十倍：请安装 libharfbuzz-subset0 / "
                                "libharfbuzz-subset0 is missing: font subsetting falls back to fontTools and takes "
                                "seconds per font (apt-get install libharfbuzz-subset0)"))
    fetcher = make_fetcher([], roots)
    handler = Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        document = HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher).render()
    finally:
        logger.removeHandler(handler)
    if layout is not None:
        findings += css_findings(handler.records, layout, fetcher.refused)
    for url in dict.fromkeys(fetcher.refused):
        findings.append(Finding("error", "refused-url", f"拒绝读取 {url}：kanwu 只读取期刊、版式和字体文件夹里的文件 / "
                                "refused: kanwu reads only files in the issue, layout and font folders"))
    sizes = [(p.width, p.height) for p in document.pages]
    return Rendered(document, findings, sizes)


def write_pdf(rendered: Rendered, variant: str | None, identifier: bytes, metadata: dict[str, str]) -> bytes:
    """The PDF bytes of the laid-out document (written once per build)."""
    doc = rendered.document
    doc.metadata.title = metadata.get("title", doc.metadata.title)
    doc.metadata.authors = [metadata["author"]] if metadata.get("author") else []
    doc.metadata.created = metadata.get("date")
    doc.metadata.modified = metadata.get("date")
    doc.metadata.generator = "kanwu"
    return doc.write_pdf(pdf_variant=variant, pdf_identifier=identifier, uncompressed_pdf=False)
