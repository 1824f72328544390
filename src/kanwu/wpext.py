"""kanwu's extensions to WeasyPrint, in one place, pinned to tested versions.

Everything here touches WeasyPrint's internals or its extension points:

* `SandboxFetcher`: the only way WeasyPrint reads anything. It serves files
  under the allowed folders (the issue, the layouts, the fonts) and refuses
  the network, other files and oversized ``data:`` URLs.
* `analyse`: walks the laid-out box tree (private API: ``page._page_box``)
  to find on which page every story's lines ended up, and which planned
  page spilled over (overset).

`check_version` refuses WeasyPrint versions these were not tested with, so a
silent change in internals cannot produce wrong reports.
"""
from __future__ import annotations

import mimetypes
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urlsplit

from .errors import KanwuError

TESTED_VERSIONS = ("70.",)
MAX_DATA_URL = 64 * 1024


def check_version() -> str:
    """The WeasyPrint version, or a clear error when it was never tested with kanwu."""
    import weasyprint

    version = weasyprint.__version__
    if not version.startswith(TESTED_VERSIONS):
        raise KanwuError(f"error: kanwu 只在 WeasyPrint {', '.join(v + 'x' for v in TESTED_VERSIONS)} 上测试过，"
                         f"当前是 {version}；请运行 make demo 安装指定版本 / kanwu's WeasyPrint extensions are "
                         f"tested with WeasyPrint {TESTED_VERSIONS}, found {version}")
    return version


def make_fetcher(allowed: Iterable[Path]) -> Any:
    """A URL fetcher that serves only files below `allowed` folders."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = [Path(p).resolve() for p in allowed]

    class SandboxFetcher(URLFetcher):
        """Serves local files under the allowed folders; refuses everything else."""

        refused: list[str]

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:  # noqa: D102
            parts = urlsplit(url)
            if parts.scheme == "data":
                if len(url) > MAX_DATA_URL:
                    self.refused.append(url[:60] + "…")
                    raise ValueError("data: URL too large")
                return super().fetch(url, headers)
            if parts.scheme != "file":
                self.refused.append(url)
                raise ValueError(f"kanwu never fetches from the network: {url}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(r) for r in roots) or not path.is_file():
                self.refused.append(url)
                raise ValueError(f"outside the issue, layout and font folders: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})

    fetcher = SandboxFetcher(allowed_protocols=("file", "data"), allow_redirects=False)
    fetcher.refused = []
    return fetcher


@dataclass
class Placement:
    """Where things landed after WeasyPrint's layout."""

    section_pages: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Planned page id (``page-N``) → the PDF pages (1-based) it occupies."""
    story_lines: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    """Story id → {PDF page: number of body lines on it}."""
    story_chars: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    """Story id → {PDF page: characters of body text on it}."""
    boxes: dict[str, list[tuple[int, float, float, float, float]]] = field(default_factory=lambda: defaultdict(list))
    """Element id → fragments as (page, x, y, width, height) in pt from the trim's top-left."""
    pages: int = 0
    """Number of PDF pages."""


def analyse(document: Any) -> Placement:
    """Walk every page's box tree (private API) and record what is where."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    out = Placement(pages=len(document.pages))

    def walk(box: Any, page: int, section: str | None, story: str | None) -> None:
        element = getattr(box, "element", None)
        ident = element.get("id") if element is not None and hasattr(element, "get") else None
        if ident and not getattr(box, "element_tag", "").endswith(("::before", "::after")):
            if hasattr(box, "border_width") and ident.startswith(("img-", "story-", "page-")):
                # CSS px → pt; WeasyPrint's origin is the trim's top-left corner
                out.boxes[ident].append((page, box.position_x * 0.75, box.position_y * 0.75,
                                         box.border_width() * 0.75, box.border_height() * 0.75))
            if ident.startswith("page-") and ident != section:
                section = ident
                if page not in out.section_pages[ident]:
                    out.section_pages[ident].append(page)
            elif ident.startswith("story-"):
                story = ident[6:]
        if isinstance(box, LineBox) and story is not None:
            out.story_lines[story][page] += 1
            out.story_chars[story][page] += sum(len(t.text) for t in box.descendants() if isinstance(t, TextBox))
            return
        for child in getattr(box, "children", ()):
            walk(child, page, section, story)

    for number, page in enumerate(document.pages, 1):
        walk(page._page_box, number, None, None)  # noqa: SLF001 (pinned private API)
    return out
