"""Image files: inspected before layout, so a bad file never reaches WeasyPrint.

Only the header is read (Pillow opens lazily), so a decompression bomb is
refused at once with bounded memory; a file that is not a picture becomes a
placeholder with an error; the effective resolution is judged later, at the
size the layout gives the picture.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from .errors import Finding
from .model import Issue

MAX_PIXELS = 120_000_000  # a 10 000 × 12 000 scan; beyond that, refuse
FORMATS = {"JPEG", "PNG", "TIFF", "GIF", "WEBP", "BMP"}


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


def inspect(path: Path) -> ImageInfo | str:
    """The picture's header facts, or a message saying why it cannot be used."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    return f"图片太大（{w}×{h} 像素），请缩小到 1 亿像素以内 / too many pixels ({w}×{h})"
                if im.format not in FORMATS:
                    return f"不支持的图片格式 {im.format} / unsupported image format"
                return ImageInfo(path, w, h, im.mode, im.format or "", bool(im.info.get("icc_profile")))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "图片像素过多，疑似“解压炸弹”，已拒绝 / refused: decompression bomb"
    except (OSError, SyntaxError, ValueError):
        return "文件不是可用的图片（JPEG、PNG、TIFF）/ not a readable image"


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
            if not im.src.is_file():
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
    scale = max(width_pt / info.width, height_pt / info.height)  # pt per pixel (object-fit: cover)
    return 72.0 / scale
