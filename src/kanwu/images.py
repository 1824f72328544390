"""Image files: inspected before layout, so a bad file never reaches WeasyPrint.

The header is read first (Pillow opens lazily), so a picture over
``MAX_PIXELS`` (a decompression bomb, or an honest huge scan) is refused at
once with bounded memory; then the data is read to its end, so a
file cut short is refused rather than printed with a grey band; a file that is
not a picture becomes a placeholder with an error; EXIF orientation is applied
to the size; the effective resolution is judged later, at the
size the layout gives the picture.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from .errors import Finding
from .files import NOT_FOUND, Unreadable, problem, read_bytes
from .model import Issue

MAX_PIXELS = 120_000_000  # a 10 000 × 12 000 scan; beyond that, refuse
MAX_IMAGE_BYTES = 100_000_000
"""A picture file larger than this is refused unread (a 120-megapixel JPEG is about 40 MB)."""
TOO_LARGE = (f"图片文件太大（超过 {MAX_IMAGE_BYTES // 1_000_000} MB），请缩小或重新导出 / the picture file is too large "
             f"(the limit is {MAX_IMAGE_BYTES:,} bytes)")
FORMATS = {"JPEG", "PNG", "TIFF", "GIF", "WEBP", "BMP"}
ORIENTATION = 0x0112  # EXIF tag: how the camera held the picture


@dataclass(frozen=True)
class ImageInfo:
    """What kanwu knows of one picture file."""

    path: Path
    """The file."""
    width: int
    """Pixels across."""
    height: int
    """Pixels down."""
    mode: str
    """Pillow mode: RGB, CMYK, L, RGBA, P..."""
    format: str
    """JPEG, PNG..."""
    icc: bool
    """Whether it embeds an ICC profile."""


def read_picture(path: Path) -> bytes:
    """The bytes of a picture file: a regular file of at most `MAX_IMAGE_BYTES` (`Unreadable` otherwise)."""
    return read_bytes(path, str(path), MAX_IMAGE_BYTES, TOO_LARGE)


def inspect(path: Path) -> ImageInfo | str:
    """The picture's header facts, or a message saying why it cannot be used."""
    try:
        data = read_picture(path)
    except Unreadable as exc:
        return exc.why
    return inspect_data(path, data)


def inspect_data(path: Path, data: bytes) -> ImageInfo | str:
    """`inspect` for a picture already in memory (`path` names it): a photo taken out of a ``.docx``."""
    from PIL import Image

    if len(data) > MAX_IMAGE_BYTES:
        return TOO_LARGE
    if not data:
        return "图片文件是空的（0 字节），可能没有复制完整 / not a readable image: the file is empty (0 bytes)"
    # Pillow's own limit (about 89 megapixels: a warning; twice that: an error) is raised to kanwu's,
    # for every later reader too (colour conversion, WeasyPrint): what kanwu accepts is not a bomb
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, with the size
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    return (f"图片太大（{w}×{h} 像素，{_yi(w * h)} 亿），超过 {_yi(MAX_PIXELS)} 亿像素的上限，请缩小后再用"
                            f" / too many pixels ({w}×{h} = {w * h / 1e6:,.0f} megapixels): the limit is "
                            f"{MAX_PIXELS // 1_000_000} megapixels; scale the picture down")
                if im.format not in FORMATS:
                    return f"不支持的图片格式 {im.format} / unsupported image format"
                if im.getexif().get(ORIENTATION) in (5, 6, 7, 8):
                    w, h = h, w  # a phone photo taken upright: stored sideways, shown (and converted) turned
                info = ImageInfo(path, w, h, im.mode, im.format or "", bool(im.info.get("icc_profile")))
                damaged = _damaged(data)
                if damaged:
                    return damaged
                return info
    except Image.DecompressionBombError as exc:  # over twice the limit: refused before the size is known
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(found.group(1)) if found else 2 * MAX_PIXELS
        return (f"图片像素过多（{_yi(pixels)} 亿），超过 {_yi(MAX_PIXELS)} 亿像素的上限，疑似“解压炸弹”，已拒绝 / "
                f"refused: {pixels / 1e6:,.0f} megapixels, over the limit of {MAX_PIXELS // 1_000_000} megapixels "
                "(a decompression bomb?)")
    except (OSError, SyntaxError, ValueError):
        return "文件不是可用的图片（JPEG、PNG、TIFF）/ not a readable image"


def _yi(pixels: int) -> str:
    """A pixel count in 亿 (10^8), as Chinese states large numbers: 132000000 → "1.32"."""
    return f"{pixels / 1e8:.2f}".rstrip("0").rstrip(".")


def _damaged(data: bytes) -> str | None:
    """Why the picture's data cannot be read to the end (a file cut short in copying), or None.

    The whole file is decoded (a JPEG at 1/8 scale, which is quick), with
    truncated data refused whatever a library imported earlier allowed:
    WeasyPrint sets Pillow's ``LOAD_TRUNCATED_IMAGES``, which would print the
    missing part as a grey or white band.
    """
    from PIL import Image, ImageFile

    allowed = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format == "PNG":
                im.verify()  # every chunk and its checksum, without holding the pixels
                return None
            if im.format == "JPEG":
                im.draft(im.mode, (max(1, im.width // 8), max(1, im.height // 8)))
            im.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return (f"图片文件不完整或已损坏（可能没有复制完整），请重新导出或从原件复制 / the picture's data is cut "
                f"short or damaged: {exc}")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = allowed
    return None


def inspect_issue(issue: Issue) -> tuple[dict[Path, ImageInfo], list[Finding]]:
    """Every image slot's file: usable pictures, and findings for the rest."""
    usable: dict[Path, ImageInfo] = {}
    findings: list[Finding] = []
    for story in issue.stories:
        for i, im in enumerate(story.images, 1):
            label = im.caption.value if im.caption else f"{story.id} #{i}"
            if im.src is None and not im.src_text:
                findings.append(Finding("error", "missing-image", f"图片位“{label}”还没有图片（占位框）/ image slot has no picture",
                                        im.pos, story=story.id))
                continue
            if im.src is None:
                continue  # the path was refused while loading
            why = problem(im.src)
            if why == NOT_FOUND:
                findings.append(Finding("error", "missing-image", f"找不到图片文件 “{im.src_text}”，以占位框代替 / "
                                        "image file not found; a placeholder is set", im.pos, story=story.id))
                continue
            info = inspect(im.src)
            if isinstance(info, str):
                findings.append(Finding("error", "bad-image", f"{im.src_text}：{info}", im.pos, story=story.id))
            else:
                usable[im.src] = info
    return usable, findings


def effective_ppi(info: ImageInfo, width_pt: float, height_pt: float) -> float:
    """Pixels per inch of a picture cropped to fill a `width_pt` × `height_pt` frame."""
    return ppi_at((info.width, info.height), width_pt, height_pt)


def ppi_at(pixels: tuple[int, int], width_pt: float, height_pt: float) -> float:
    """Pixels per inch of a picture of `pixels` (width, height) cropped to fill a frame (object-fit: cover)."""
    scale = max(width_pt / pixels[0], height_pt / pixels[1])  # pt per pixel
    return 72.0 / scale
