"""kanwu's extensions to WeasyPrint, in one place, pinned to tested versions.

Everything here touches WeasyPrint's internals or its extension points:

* `SandboxFetcher`: the only way WeasyPrint reads anything. It serves files
  under the allowed folders (the issue, the layouts, the fonts) and refuses
  the network, other files and oversized ``data:`` URLs.
* `analyse`: walks the laid-out box tree (private API: ``page._page_box``)
  to find on which page every story's lines ended up, which planned page
  spilled over (overset) or left lines empty (underset), where each page's
  type area is, and where each body paragraph (``data-p``) and its text
  pieces landed (the proof's change bars and punctuation marks).

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
from .files import read_bytes

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


VIRTUAL = "kanwu"
"""Scheme of location-free URLs: ``kanwu:<root name>/<path below it>``.

WeasyPrint names image XObjects after a hash of their URL, so file URLs
would make the PDF's bytes depend on where the issue or the cache lives;
these URLs keep builds byte-identical wherever they run."""


def virtualise(html: str, roots: dict[str, Path]) -> str:
    """Replace file URLs below the named `roots` by ``kanwu:`` URLs."""
    for name, root in sorted(roots.items(), key=lambda kv: -len(str(kv[1]))):
        html = html.replace(Path(root).resolve().as_uri() + "/", f"{VIRTUAL}:{name}/")
    return html


def make_fetcher(allowed: Iterable[Path], named: dict[str, Path] | None = None) -> Any:
    """A URL fetcher that serves only files below `allowed` folders (and the `named` roots)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from .fonts import MAX_FONT_BYTES  # the largest file served: a font collection

    named = {k: Path(v).resolve() for k, v in (named or {}).items()}
    roots = [Path(p).resolve() for p in allowed] + list(named.values())

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
            if parts.scheme == VIRTUAL:
                name, _, rel = parts.path.partition("/")
                if name not in named:
                    self.refused.append(url)
                    raise ValueError(f"unknown kanwu: root in {url}")
                path = (named[name] / unquote(rel)).resolve()
                if not path.is_relative_to(named[name]):
                    self.refused.append(url)
                    raise ValueError(f"outside its folder: {url}")
            elif parts.scheme != "file":
                self.refused.append(url)
                raise ValueError(f"kanwu never fetches from the network: {url}")
            else:
                path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(r) for r in roots) or not path.is_file():
                self.refused.append(url)
                raise ValueError(f"outside the issue, layout and font folders: {url}")
            try:  # a regular file, bounded: a huge file or one swapped for a FIFO is refused
                body = read_bytes(path, url, MAX_FONT_BYTES)
            except KanwuError as exc:
                self.refused.append(url)
                raise ValueError(str(exc)) from None
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": mime})

    fetcher = SandboxFetcher(allowed_protocols=("file", "data", VIRTUAL), allow_redirects=False)
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
    page_areas: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)
    """PDF page → its type area (content box) as (x, y, width, height) in pt from the trim's top-left."""
    content_bottoms: dict[str, float] = field(default_factory=dict)
    """Planned page id → bottom (pt) of its last in-flow content on its last page (for underset)."""
    paragraphs: dict[tuple[str, str], list[tuple[int, float, float, float, float]]] = field(
        default_factory=lambda: defaultdict(list))
    """(story id, paragraph key ``data-p``) → fragments (page, x, y, width, height) in pt."""
    segments: dict[tuple[str, str], list[tuple[int, float, float, float, float, str]]] = field(
        default_factory=lambda: defaultdict(list))
    """(story id, paragraph key) → text pieces in reading order: (page, x, y, width, height, text) in pt."""


def analyse(document: Any) -> Placement:
    """Walk every page's box tree (private API) and record what is where."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    out = Placement(pages=len(document.pages))

    def frag(box: Any, page: int) -> tuple[int, float, float, float, float]:
        # CSS px → pt; WeasyPrint's origin is the trim's top-left corner
        return (page, box.position_x * 0.75, box.position_y * 0.75,
                box.border_width() * 0.75, box.border_height() * 0.75)

    def walk(box: Any, page: int, section: str | None, story: str | None, par: str | None = None) -> None:
        element = getattr(box, "element", None)
        ident = element.get("id") if element is not None and hasattr(element, "get") else None
        key = element.get("data-p") if element is not None and hasattr(element, "get") else None
        if key and story is not None and hasattr(box, "border_width") and key != par:
            par = key
            out.paragraphs[(story, key)].append(frag(box, page))
        if par is not None and story is not None and isinstance(box, TextBox) and box.text:
            out.segments[(story, par)].append((*frag(box, page), box.text))
        if ident and not getattr(box, "element_tag", "").endswith(("::before", "::after")):
            if hasattr(box, "border_width") and ident.startswith(("img-", "story-", "page-")):
                out.boxes[ident].append(frag(box, page))
            if ident.startswith("page-") and ident != section:
                section = ident
                if page not in out.section_pages[ident]:
                    out.section_pages[ident].append(page)
                bottoms = [(c.position_y + c.margin_height()) * 0.75 for c in getattr(box, "children", ())
                           if hasattr(c, "margin_height") and not c.is_absolutely_positioned()
                           and not getattr(c, "is_running", lambda: False)()]
                if bottoms:
                    out.content_bottoms[ident] = max(bottoms)
            elif ident.startswith("story-"):
                story = ident[6:]
        if isinstance(box, LineBox) and story is not None:
            out.story_lines[story][page] += 1
            out.story_chars[story][page] += sum(len(t.text) for t in box.descendants() if isinstance(t, TextBox))
            if par is None:
                return
        for child in getattr(box, "children", ()):
            walk(child, page, section, story, par)

    for number, page in enumerate(document.pages, 1):
        pb = page._page_box  # noqa: SLF001 (pinned private API)
        out.page_areas[number] = (pb.content_box_x() * 0.75, pb.content_box_y() * 0.75,
                                  pb.width * 0.75, pb.height * 0.75)
        walk(pb, number, None, None)
    return out
