"""kanwu's extensions to WeasyPrint, in one place, pinned to tested versions.

Everything here touches WeasyPrint's internals or its extension points:

* `SandboxFetcher`: the only way WeasyPrint reads anything. It serves files
  under the allowed folders (the issue, the layouts, the fonts) and refuses
  the network, other files and oversized ``data:`` URLs.
* `VIRTUAL` URLs: location-free names of the folders WeasyPrint may read.
* `detach`: attachment links dropped before WeasyPrint reads their files.

Nothing is read back out of WeasyPrint's box tree: page makeup (`kanwu.makeup`)
decided where everything goes before WeasyPrint runs.

`check_version` refuses WeasyPrint versions these were not tested with, so a
silent change in internals cannot produce wrong reports, and then installs
three speed-ups that leave every byte as it was: `read_font_files_lazily`
(WeasyPrint copied every font's whole file for each PDF it wrote),
`keep_compressed_streams` (the press profile was compressed again for each)
and `open_array_types` (cffi parsed a C type for every font it subset);
and `draw_composed_lines`: kanwu draws the lines it composed itself, as
glyphs where the composer put them (`kanwu.text.glyphs`), into the empty
blocks `kanwu.layout.lines.composed_html` leaves for them. WeasyPrint's
inline layout of those lines, span by span, was two thirds of the drawing.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote, unquote, urlsplit

from .errors import KanwuError
from .files import MAX_FONT_BYTES, read_bytes
from .layout.lines import COMPOSED_TAG, DrawnText
from .text.glyphs import GlyphRun, place_line
from .text.metrics import FontMetrics, face

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
    read_font_files_lazily()
    keep_compressed_streams()
    open_array_types()
    draw_composed_lines()
    return version


_UNREAD = object()
"""A font whose file WeasyPrint has not asked for yet."""
_creating = threading.local()
"""``.font`` is True while this thread runs WeasyPrint's ``Font.__init__``."""


def read_font_files_lazily() -> None:
    """Make WeasyPrint read a font's whole file only when it uses it (once per process; WeasyPrint 70).

    For every PDF it writes, WeasyPrint's ``Font`` copied each font's file into a Python string
    (``get_hb_object_data`` of its face): a CJK face is a 20-27 MB collection, so five of them cost
    about 0.1 s and 100 MB for every document (every page, in a session), only to be replaced by the
    subset HarfBuzz makes from the face itself. The copy is now made when ``file_content`` is read
    before that subset replaced it (subsetting by fontTools, a subset that failed, a font none of whose
    glyphs is used), so the PDFs' bytes are the same."""
    from weasyprint.pdf import fonts

    if isinstance(fonts.Font.__dict__.get("file_content"), _FileContent):
        return
    read, create = fonts.get_hb_object_data, fonts.Font.__init__

    def get_hb_object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        if ot_color is None and getattr(_creating, "font", False):
            _creating.font = False  # ``Font.__init__`` asks for its face's whole file once
            return _UNREAD
        return read(hb_object, ot_color, glyph)

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        _creating.font = True
        try:
            create(self, *args, **kwargs)
        finally:
            _creating.font = False

    fonts.Font.file_content = _FileContent(read)  # type: ignore[attr-defined]
    fonts.Font.__init__ = init  # type: ignore[method-assign]
    fonts.get_hb_object_data = get_hb_object_data


KEPT_STREAMS = 16
"""Compressed streams kept per process (the press profile, the last documents' font subsets)."""
KEPT_LENGTH = 64 * 1024
"""Only streams at least this long are kept (a digest costs less than compressing them again)."""


def keep_compressed_streams() -> None:
    """Let pydyf (WeasyPrint's PDF writer) compress a long stream it compressed before only once per process.

    pydyf compresses every stream at level 9 for every PDF; the press profile (a CMYK ICC profile of
    about 265 KB) is in every one, and took 0.03 s each time: a tenth of drawing a page in a session.
    The output is what zlib gives (the same call, on the same bytes), kept by the bytes' SHA-256."""
    import pydyf

    if not isinstance(pydyf.zlib, _KeptZlib):
        pydyf.zlib = _KeptZlib(pydyf.zlib)


class _KeptZlib:
    """pydyf's ``zlib``: `zlib` itself, but for ``compressobj``, which remembers long streams' output."""

    def __init__(self, zlib: Any) -> None:
        self.zlib = zlib
        self.kept: OrderedDict[bytes, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.zlib, name)

    def compressobj(self, *args: Any, **kwargs: Any) -> _Compressor:
        """A compressor that compresses everything it was given at ``flush``, as ``zlib.compressobj`` would."""
        return _Compressor(self, args, kwargs)


class _Compressor:
    """Collects a stream, then compresses it at ``flush`` (or gives what the same bytes gave before)."""

    def __init__(self, owner: _KeptZlib, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.owner, self.args, self.kwargs = owner, args, kwargs
        self.parts: list[bytes] = []

    def compress(self, data: bytes) -> bytes:
        """Take `data`; nothing comes out before ``flush`` (zlib's output, joined, is the same)."""
        self.parts.append(bytes(data))
        return b""

    def flush(self, *mode: Any) -> bytes:
        """The compressed stream: what zlib makes of everything given, or what it made of the same before."""
        data, owner = b"".join(self.parts), self.owner
        self.parts = []
        key = hashlib.sha256(repr((self.args, sorted(self.kwargs.items()))).encode() + data).digest() \
            if len(data) >= KEPT_LENGTH else None
        with owner.lock:
            if key in owner.kept:
                owner.kept.move_to_end(key)
                return owner.kept[key]
        real = owner.zlib.compressobj(*self.args, **self.kwargs)
        out = real.compress(data) + real.flush(*mode)
        if key is not None:
            with owner.lock:
                owner.kept[key] = out
                while len(owner.kept) > KEPT_STREAMS:
                    owner.kept.popitem(last=False)
        return out


class _FileContent:
    """``Font.file_content``: the face's whole file, read from HarfBuzz when first asked for."""

    def __init__(self, read: Callable[[Any], bytes]) -> None:
        self.read = read

    def __get__(self, font: Any, owner: Any = None) -> Any:
        if font is None:
            return self
        data = font.__dict__.get("file_content", _UNREAD)
        if data is _UNREAD:
            data = font.__dict__["file_content"] = self.read(font.hb_face)
        return data

    def __set__(self, font: Any, value: Any) -> None:
        font.__dict__["file_content"] = value


_SIZED = re.compile(r"(\w+)\[(\d+)\]")
"""A C array type of a fixed length, as WeasyPrint's font subsetting writes them (``hb_codepoint_t[5203]``)."""


class _OpenArrays:
    """WeasyPrint's ``ffi`` in its font subsetting, but ``new("T[N]", items)`` is ``new("T[]", items)``, the
    same array: cffi parses each type string it has not seen with pycparser (6 ms), and every font's glyph
    count made a new one, a tenth of a second a drawing process."""

    def __init__(self, ffi: Any) -> None:
        self.ffi = ffi

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ffi, name)

    def new(self, cdecl: str, init: Any = None) -> Any:
        """``ffi.new``, with an array type's length taken from its items."""
        sized = _SIZED.fullmatch(cdecl)
        if sized and isinstance(init, (list, tuple)) and len(init) == int(sized[2]):
            return self.ffi.new(sized[1] + "[]", init)
        return self.ffi.new(cdecl, init)


def open_array_types() -> None:
    """Give WeasyPrint's font subsetting the `_OpenArrays` ``ffi`` (once per process; WeasyPrint 70)."""
    from weasyprint.pdf import fonts

    if not isinstance(fonts.ffi, _OpenArrays):
        fonts.ffi = _OpenArrays(fonts.ffi)


class _Drawing:
    """What composed lines are drawn with in this process (`use_text`)."""

    text: DrawnText | None = None
    """The faces and the pieces the HTML names."""
    metrics: dict[str, FontMetrics] = {}
    """Role → the face's metrics (HarfBuzz shapes the glyphs with them)."""


DRAWING = _Drawing()
CSS_PX = 4 / 3
"""CSS px per pt: WeasyPrint draws in px."""
ALIGN = {"right": 1.0, "end": 1.0, "center": 0.5}
"""The share of a line's free width left of it, by ``text-align`` (bylines are set flush right)."""


def use_text(text: DrawnText | None) -> None:
    """Draw the composed lines of `text` from now on in this process (None: draw none)."""
    DRAWING.text = text
    DRAWING.metrics = {role: face(f.path, f.index) for role, f in text.faces.items()} if text else {}


def draw_composed_lines() -> None:
    """Make WeasyPrint draw every `COMPOSED_TAG` block's lines with kanwu's glyph placing (once per process)."""
    from weasyprint import draw

    if getattr(draw.draw_block_level, "kanwu", False):
        return
    original = draw.draw_block_level

    def draw_block_level(page: Any, stream: Any, blocks_and_cells: Any) -> None:
        for block in blocks_and_cells:
            if block.element_tag == COMPOSED_TAG and block.element is not None:
                _draw_lines(stream, block)
        original(page, stream, blocks_and_cells)  # which calls this for the levels below

    draw_block_level.kanwu = True  # type: ignore[attr-defined]
    draw.draw_block_level = draw_block_level


def _draw_lines(stream: Any, box: Any) -> None:
    """Draw the lines of one composed block: the first baseline where the block's strut puts it (its font
    and line height are its paragraph's), one line per line height, in the block's colour."""
    from weasyprint.text.line_break import strut

    text = DRAWING.text
    piece = text.pieces.get(box.element.get("data-k") or "") if text is not None else None
    if piece is None or box.style["visibility"] != "visible":
        return  # drawn by plain WeasyPrint, a key kanwu did not make (a template's), or hidden
    line_height, baseline = strut(box.style)
    x0, y0 = box.content_box_x(), box.content_box_y()
    align = ALIGN.get(box.style["text_align_all"], 0.0)
    stream.set_color(box.style["color"])
    stream.begin_text()
    size = piece.size
    for i, segments in enumerate(piece.lines):
        line = place_line(segments, DRAWING.metrics, size)
        x = x0 + align * (box.width - line.width * CSS_PX)
        for run in line.runs:
            if run.glyphs:
                _show_run(stream, box.style, run, size * CSS_PX, x, y0 + i * line_height + baseline)
    stream.end_text()


def _show_run(stream: Any, style: Any, run: GlyphRun, size: float, x0: float, baseline: float) -> None:
    """One run's glyphs, each where `kanwu.text.glyphs` placed it (`size` and the coordinates in px).

    Glyphs of one letter-spacing are one TJ with that spacing as the character spacing (``Tc``), each
    moved by the difference between its place and where the PDF's widths and the spacing leave the pen:
    a text extractor then reads a justified line's gaps as spacing, not as word spaces. Each TJ starts
    at its own text matrix, because readers disagree on the spacing after a TJ's last glyph (PDF adds
    it, pdfminer does not)."""
    font = _pdf_font(stream, style, run.role, size)
    metrics = DRAWING.metrics.get(run.role) or DRAWING.metrics["body"]
    stream.set_font_size(font.hash, size)
    parts: list[str] = []
    spacing, pen, fresh = 0.0, 0.0, True  # the pen in px, as a PDF viewer moves it; fresh: a new TJ

    def show() -> None:
        if parts:
            stream.show_text("<" + "".join(parts) + ">")
            parts.clear()

    for g in run.glyphs:
        at = g.x * CSS_PX
        if fresh or g.spacing != spacing or g.rise:
            show()
            pen, fresh = at, False
            stream.set_text_matrix(1, 0, 0, -1, x0 + at, baseline)
            if g.spacing != spacing:
                spacing = g.spacing
                stream.stream.append(f"{round(spacing * CSS_PX, 4):g} Tc".encode())
        shift = round((pen - at) * 1000 / size, 2)
        if shift:
            parts.append(f">{shift:g}<")
        parts.append(f"{g.gid:04x}")
        if g.rise:  # a mark above or below the baseline: shown by itself, raised
            stream.set_text_rise(g.rise * CSS_PX)
            show()
            stream.set_text_rise(0)
            fresh = True
        font.to_unicode.setdefault(g.gid, g.text)  # the subset keeps the glyphs named here
        width = font.widths.get(g.gid)
        if width is None:
            width = font.widths[g.gid] = round(metrics.h_advance(g.gid) * 1000 / metrics.upem)
        pen = at + width * size / 1000 + spacing * CSS_PX
    show()
    if spacing:
        stream.stream.append(b"0 Tc")  # WeasyPrint's own text assumes none


def _pdf_font(stream: Any, style: Any, role: str, size: float) -> Any:
    """WeasyPrint's PDF font of a role's face (one per face in a document, shared with WeasyPrint's own
    text in it), through the Pango font its fontconfig map gives for the role's family and weight."""
    from weasyprint.text.ffi import TO_UNITS, ffi, gobject, pango, unicode_to_char_p

    config = style.font_config
    loaded = config.__dict__.setdefault("kanwu_fonts", {})
    key = (role, size)
    if key not in loaded:
        faces = DRAWING.text.faces if DRAWING.text is not None else {}
        resolved = faces.get(role) or faces["body"]
        description = ffi.gc(pango.pango_font_description_new(), pango.pango_font_description_free)
        family, _kept = unicode_to_char_p(resolved.family)
        pango.pango_font_description_set_family(description, family)
        pango.pango_font_description_set_weight(description, resolved.weight)
        pango.pango_font_description_set_absolute_size(description, int(size * TO_UNITS))
        context = ffi.gc(pango.pango_font_map_create_context(config.font_map), gobject.g_object_unref)
        language, _kept2 = unicode_to_char_p("zh-Hans")
        pango.pango_context_set_language(context, pango.pango_language_from_string(language))
        pango_font = ffi.gc(pango.pango_font_map_load_font(config.font_map, context, description),
                            gobject.g_object_unref)
        loaded[key] = (pango_font, context, description)
        font, _ = stream.add_font(pango_font)
        _same_face(font, DRAWING.metrics.get(role) or DRAWING.metrics["body"], resolved)
    font, _ = stream.add_font(loaded[key][0])
    return font


def _same_face(font: Any, metrics: FontMetrics, resolved: Any) -> None:
    """Refuse to draw with a face other than the one the glyphs were shaped in: the glyph ids would name
    other glyphs. Pango finds the face by family and weight, kanwu by the font file (`kanwu.fonts`); the
    two agree, and this checks it (the face index and the ``head`` table, which dates and sums the file)."""
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_table(font.hb_face, harfbuzz.hb_tag_from_string(b"head", -1))
    try:
        length = ffi.new("unsigned int *")
        head = bytes(ffi.buffer(harfbuzz.hb_blob_get_data(blob, length), length[0]))
    finally:
        harfbuzz.hb_blob_destroy(blob)
    if harfbuzz.hb_face_get_index(font.hb_face) != metrics.index or head != metrics.head:
        raise KanwuError(f"error: 字体 {resolved.family}（{resolved.path}）在绘制时解析成了另一个字体文件，正文无法照排版结果画出；"
                         f"请检查 fonts/ 里是否有同名字体 / the font {resolved.family} ({resolved.path}) resolves to "
                         "another file when drawn than when measured: check fonts/ for another font of that name")


_BORDER_STYLES = frozenset({"inset", "outset", "groove", "ridge"})


def undrawable(exc: BaseException) -> tuple[str, str]:
    """What WeasyPrint failed to draw when writing the PDF raised `exc`: (Chinese, English).

    WeasyPrint 70 raises a bare ``NotImplementedError`` (from tinycss2's
    ``Color.to('srgb')``) when it must compute with a ``device-cmyk()``
    colour, which every kanwu colour is: a gradient between such colours, or
    an inset/outset/groove/ridge border, which it lightens and darkens (an
    ``<iframe>`` has an inset border by default).  The exception carries no
    text, so the traceback says which: the drawing functions it passed
    through, and the box whose border was being drawn.  Anything else is
    quoted, not guessed.
    """
    names: list[str] = []
    box = None
    tb = exc.__traceback__
    while tb is not None:
        names.append(tb.tb_frame.f_code.co_name)
        if names[-1] == "draw_border":
            box = tb.tb_frame.f_locals.get("box")
        tb = tb.tb_next
    if box is not None and {"lighten", "darken"} & set(names):
        tag = getattr(box, "element_tag", "")
        style = getattr(box, "style", {})
        kinds = sorted({style[f"border_{side}_style"] for side in ("top", "right", "bottom", "left")}
                       & _BORDER_STYLES) if hasattr(style, "__getitem__") else []
        kind = "/".join(kinds) or "inset/outset/groove/ridge"
        of_cn, of_en = (f"<{tag}> 的 ", f" of the <{tag}> element") if tag else ("", "")
        return (f"{of_cn}{kind} 样式边框（WeasyPrint 要把 device-cmyk() 颜色调亮调暗才能画），请改用 solid 边框或 "
                "border: none",
                f"the {kind} border{of_en} (it would lighten and darken a device-cmyk() colour): use a solid "
                "border or border: none")
    if "draw_background_image" in names:
        return ("device-cmyk() 颜色之间的渐变（linear-gradient / radial-gradient），请改用纯色",
                "a gradient between device-cmyk() colours (linear-gradient, radial-gradient): use a flat colour")
    said = f"{names[-1] + ': ' if names else ''}{exc or type(exc).__name__}"
    return f"WeasyPrint 70 不支持的写法（{said}）", f"something it does not support ({said})"


VIRTUAL = "kanwu"
"""Scheme of location-free URLs: ``kanwu:<root name>/<path below it>``.

WeasyPrint names image XObjects after a hash of their URL, so file URLs
would make the PDF's bytes depend on where the issue or the cache lives;
these URLs keep builds byte-identical wherever they run."""


Root = Path | Mapping[str, bytes]
"""A named root: a folder, or files held in memory by name (the converted pictures)."""


def detach(document: Any) -> list[str]:
    """Drop the attachments a rendered document's HTML asks for (``<link rel=attachment>``, ``<a
    rel=attachment>``) before writing reads them; their URLs. WeasyPrint embeds the named file whole, and
    the fetcher serves any file below the issue's folder: a layout that came with an issue could copy the
    office's files into the PDFs unseen (PDF/X allows no attachments anyway)."""
    urls = []
    for attachment in document.metadata.attachments:
        args = getattr(getattr(attachment, "source", None), "args", ())  # select_source(guess, filename, url...)
        urls.append(str(next((a for a in args[:3] if a), "?")))
    document.metadata.attachments = []
    for page in document.pages:
        urls += [str(link[1]) for link in page.links if link[0] == "attachment"]
        page.links[:] = [link for link in page.links if link[0] != "attachment"]
    return list(dict.fromkeys(urls))


def overrun(page: Any, kind: str) -> float:
    """How far (CSS px) the text of the page's absolutely placed ``kind`` boxes (``class="masthead"``) reaches
    below or beside its box: page makeup reserves the box, the layout's CSS fills it with text kanwu does not
    set itself (a long publication name at the masthead's size wraps onto the number line, or runs off the page)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    worst = 0.0
    for placeholder in page._page_box.descendants():
        box = getattr(placeholder, "_box", None)
        if not isinstance(placeholder, AbsolutePlaceholder) or box is None or box.element is None \
                or kind not in (box.element.get("class") or "").split():
            continue
        bottom, right = box.border_box_y() + box.border_height(), box.border_box_x() + box.border_width()
        below = [c.position_y + c.margin_height() - bottom for c in box.children
                 if not isinstance(c, AbsolutePlaceholder)]
        beside = [line.position_x + line.width - right for line in box.descendants() if isinstance(line, boxes.LineBox)]
        worst = max([worst, *below, *beside])
    return worst


def locator(roots: Mapping[str, Root]) -> Callable[[Path | str], str]:
    """A function giving a file's location-free URL (``kanwu:<root name>/<path>``) when it lies below
    one of the named folder `roots`, its file URL otherwise (the fetcher then judges it)."""
    folders = {k: v for k, v in roots.items() if not isinstance(v, Mapping)}
    resolved = sorted(((name, Path(root).resolve()) for name, root in folders.items()),
                      key=lambda kv: -len(str(kv[1])))

    def url(path: Path | str) -> str:
        full = Path(path).resolve()
        for name, root in resolved:
            if full.is_relative_to(root):
                return f"{VIRTUAL}:{name}/{quote(full.relative_to(root).as_posix())}"
        return full.as_uri()

    return url


def make_fetcher(allowed: Iterable[Path], named: Mapping[str, Root] | None = None) -> Any:
    """A URL fetcher that serves only files below `allowed` folders (and the `named` roots)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse


    memory = {k: v for k, v in (named or {}).items() if isinstance(v, Mapping)}
    named = {k: Path(v).resolve() for k, v in (named or {}).items() if not isinstance(v, Mapping)}
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
                if unquote(rel) in memory.get(name, {}):
                    mime = mimetypes.guess_type(rel)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=memory[name][unquote(rel)], headers={"Content-Type": mime})
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
