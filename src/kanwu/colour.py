"""Colour for print: the output profile and CMYK copies of every placed picture.

WeasyPrint 70 converts nothing: an RGB picture would reach the printer as
DeviceRGB and an embedded ICC profile is dropped. So before layout kanwu
converts each picture with LittleCMS (Pillow ImageCms) from its own profile
(sRGB when it has none) to the layout's CMYK output profile, flattens alpha
on white paper, and hands WeasyPrint a CMYK JPEG (WeasyPrint 70 embeds CMYK
JPEG as /DeviceCMYK DCTDecode but cannot load CMYK TIFF). CMYK JPEGs pass
through untouched: they were separated by someone who knew the press.

The copies live in a cache folder keyed by the source bytes, the profile and
the target size, so a second build converts nothing and two builds give the
same bytes. The cache folder is added to the folders the sandboxed URL
fetcher may read.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from markupsafe import escape

from .errors import Finding, KanwuError
from .images import ImageInfo, effective_ppi, read_picture
from .layout.html import PhotoBox
from .layout.spec import Layout
from .output import write_atomic

DATA = Path(__file__).resolve().parent / "data" / "icc"
PROFILES = {"coated": "kanwu-coated-fogra39.icc", "newsprint": "kanwu-newsprint-tr002.icc"}
"""Shipped profiles by paper name (see data/icc/README.md for their origin)."""
CONDITIONS = {"coated": "FOGRA39", "newsprint": "CGATS TR 002"}
"""The characterisation each shipped profile was made from (OutputCondition)."""
JPEG_QUALITY = 92
CACHE_VERSION = b"kanwu-colour-1"  # bump when the conversion changes, to refresh caches


@dataclass(frozen=True)
class OutputProfile:
    """The CMYK printing condition of a layout."""

    path: Path
    """The ICC file."""
    paper: str
    """``coated`` or ``newsprint`` (or the layout's own word)."""
    description: str
    """The profile's description tag."""
    condition: str
    """A short name of the printing condition (FOGRA39, CGATS TR 002, Custom)."""

    @property
    def data(self) -> bytes:
        """The profile bytes."""
        return self.path.read_bytes()


def output_profile(layout: Layout) -> OutputProfile:
    """The layout's output profile: ``print.profile`` (a shipped name or a file in the layout folder)."""
    from PIL import ImageCms

    paper = str(layout.get("print.paper", "coated"))
    name = str(layout.get("print.profile", paper))
    if name in PROFILES:
        path, condition = DATA / PROFILES[name], CONDITIONS[name]
    else:
        found = [f / name for f in layout.folders if (f / name).is_file()]
        if not found:
            raise KanwuError(f"{layout.folders[0] / 'layout.yaml'}: error: 找不到色彩特性文件 “{name}”；可用 "
                             f"{'、'.join(PROFILES)} 或版式文件夹里的 .icc 文件 / print.profile `{name}` not found")
        path, condition = found[0], "Custom"
    try:
        prof = ImageCms.getOpenProfile(str(path))
    except (OSError, ImageCms.PyCMSError):
        raise KanwuError(f"{path}: error: 不是可用的 ICC 色彩特性文件 / not a readable ICC profile") from None
    if prof.profile.xcolor_space.strip() != "CMYK":
        raise KanwuError(f"{path}: error: 印刷色彩特性必须是 CMYK / the output profile must be CMYK")
    return OutputProfile(path, paper, ImageCms.getProfileDescription(prof).strip(), condition)


def cache_dir() -> Path:
    """Where converted pictures are kept: ``$KANWU_CACHE`` or ``~/.cache/kanwu``."""
    base = os.environ.get("KANWU_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kanwu"
    path = Path(base) / "images"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_ppi(layout: Layout) -> float:
    """Above this effective resolution pictures are downsampled (1.5 × the minimum, as printers ask)."""
    return float(layout.get("print.max_ppi", 1.5 * float(layout.get("print.min_ppi", 300))))


def convert(src: Path, info: ImageInfo, profile: OutputProfile, size: tuple[int, int] | None,
            folder: Path) -> Path:
    """A CMYK JPEG copy of `src` in `profile`, resized to `size` pixels when given; cached."""
    data = read_picture(src)
    prof_bytes = profile.data
    key = hashlib.sha256(CACHE_VERSION + hashlib.sha256(data).digest() + hashlib.sha256(prof_bytes).digest()
                         + repr(size).encode()).hexdigest()[:32]
    out = folder / f"{key}.jpg"
    if out.is_file():
        return out
    from PIL import Image, ImageCms, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        im = ImageOps.exif_transpose(opened)  # WeasyPrint would rotate; the copy carries no EXIF
        icc = opened.info.get("icc_profile")
    if im.mode in ("P", "PA", "LA", "RGBA", "La") or "transparency" in im.info:
        # flatten on white paper: there is no white ink, what is transparent is paper
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba).convert("RGB")
    elif im.mode == "L":
        # greyscale pictures go on the black plate only: no registration trouble, no rich grey
        im = Image.merge("CMYK", [Image.new("L", im.size, 0)] * 3 + [ImageOps.invert(im)])
    elif im.mode not in ("RGB", "CMYK"):
        im = im.convert("RGB")
    if size and size != im.size:
        im = im.resize(size, Image.Resampling.LANCZOS)
    dest = ImageCms.getOpenProfile(io.BytesIO(prof_bytes))
    if im.mode == "RGB" or (im.mode == "CMYK" and icc):
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc)) if icc else ImageCms.createProfile("sRGB")
        if icc and source.profile.xcolor_space.strip() != im.mode:
            source = ImageCms.createProfile("sRGB") if im.mode == "RGB" else dest
        if source is not dest:
            # relative colorimetric with black point compensation: the usual choice for photos
            # into a profile made from measurements (its perceptual table is the colorimetric one)
            transform = ImageCms.buildTransform(source, dest, im.mode, "CMYK",
                                                renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
            im = ImageCms.applyTransform(im, transform)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=False)
    write_atomic(out, buf.getvalue())
    return out


def target_size(info: ImageInfo, box: PhotoBox, limit: float) -> tuple[int, int] | None:
    """Pixel size for `box` at `limit` ppi, or None when the picture is not sharper than that."""
    ppi = effective_ppi(info, box.width, box.height)
    if ppi <= limit:
        return None
    scale = limit / ppi
    return max(1, round(info.width * scale)), max(1, round(info.height * scale))


def prepare_images(html: str, photos: Iterable[PhotoBox], infos: dict[Path, ImageInfo],
                   layout: Layout, profile: OutputProfile) -> tuple[str, list[Finding], Path]:
    """Replace every placed picture in `html` by its CMYK copy; returns the HTML, findings, the cache folder."""
    folder = cache_dir()
    findings: list[Finding] = []
    done: dict[Path, Path | None] = {}   # None: could not be converted, left out of the page
    limit = max_ppi(layout)
    for box in photos:
        src = box.image.src
        if box.uri is None or src is None or src in done or src not in infos:
            continue
        info = infos[src]
        if info.mode == "CMYK" and info.format == "JPEG":
            continue  # already separated: pass through untouched
        try:
            done[src] = convert(src, info, profile, target_size(info, box, limit), folder)
        except (OSError, ValueError) as exc:
            done[src] = None  # never let the RGB original reach the page (it would be an RGB error too)
            findings.append(Finding("error", "colour-conversion", f"{box.image.src_text}：无法转换为 CMYK / "
                                    f"cannot convert to CMYK: {exc}", box.image.pos, story=box.story))
    for src, copy in done.items():
        old, new = src.as_uri(), copy.as_uri() if copy is not None else ""
        html = html.replace(f'src="{escape(old)}"', f'src="{new}"').replace(f'src="{old}"', f'src="{new}"')
    return html, findings, folder


def profile_css(profile: OutputProfile) -> str:
    """CSS that makes WeasyPrint write an output intent and use DeviceCMYK for groups and shadings."""
    # `components` is required by WeasyPrint 70 (it writes /N from their count)
    return (f'@color-profile device-cmyk {{ src: url("{profile.path.as_uri()}"); '
            'components: cyan, magenta, yellow, black; }')


def with_profile(html: str, profile: OutputProfile) -> str:
    """`html` with the output profile's ``@color-profile`` rule added to its head."""
    style = f"<style>{profile_css(profile)}</style>"
    return html.replace("</head>", style + "</head>", 1) if "</head>" in html else style + html
