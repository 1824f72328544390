"""Colour for print: the output profile and CMYK copies of every placed picture.

WeasyPrint 70 converts nothing: an RGB picture would reach the printer as
DeviceRGB and an embedded ICC profile is dropped. So before layout kanwu
converts each picture with LittleCMS (Pillow ImageCms) from its own profile
(sRGB when it has none) to the layout's CMYK output profile, flattens alpha
on white paper, puts greyscale pictures of any depth (1-bit, 8-, 16-, 32-bit,
float) on the black plate alone, scaled rather than clipped to 8 bits, and
hands WeasyPrint a CMYK JPEG (WeasyPrint 70 embeds CMYK
JPEG as /DeviceCMYK DCTDecode but cannot load CMYK TIFF). CMYK JPEGs pass
through untouched: they were separated by someone who knew the press; other
CMYK files are kept as separated unless they carry a different profile.

The copies are held in memory and served to WeasyPrint by the sandboxed URL
fetcher as ``kanwu:cache/<key>.jpg``, keyed by the source bytes, the profile
and the target size; `kanwu build` also keeps them in the picture cache
(`kanwu.imagecache`), so a second build converts nothing. Two builds give
the same bytes.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .errors import Finding, KanwuError
from .images import ImageInfo, effective_ppi, read_picture
from .makeup.plan import PlacedPicture
from .layout.spec import Layout
from .imagecache import ImageCache
from .profiles import CONDITIONS, DATA, PROFILES
from .wpext import VIRTUAL

if TYPE_CHECKING:
    from PIL import Image

JPEG_QUALITY = 92
MAX_PROFILE = 16 * 1024 * 1024
"""Largest ICC profile read (press profiles are 0.5–4 MB)."""
CACHE_VERSION = b"kanwu-colour-2"  # bump when the conversion changes, to refresh caches


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
    root: Path = DATA
    """The folder it comes from: the shipped profiles' or a layout's (WeasyPrint may read it)."""

    @property
    def data(self) -> bytes:
        """The profile bytes."""
        return self.path.read_bytes()


def output_profile(layout: Layout) -> OutputProfile:
    """The layout's output profile: ``print.profile`` (a shipped name or a file in the layout's folders,
    checked when the layout was loaded: `kanwu.layout.check.layout_files`)."""
    from PIL import ImageCms

    paper = str(layout.get("print.paper", "coated"))
    name = layout.get("print.profile") or paper
    if name in PROFILES:
        path, condition, root = DATA / PROFILES[name], CONDITIONS[name], DATA
    elif "print.profile" in layout.files:
        path, condition = layout.files["print.profile"], "Custom"
        root = next(f.resolve() for f in layout.folders if path.is_relative_to(f.resolve()))
    else:  # no print.profile and a print.paper kanwu has no profile for
        raise KanwuError(f"{layout.folders[0] / 'layout.yaml'}: error: 找不到色彩特性文件 “{name}”；可用 "
                         f"{'、'.join(PROFILES)} 或版式文件夹里的 .icc 文件 / print.profile `{name}` not found")
    try:
        if path.stat().st_size > MAX_PROFILE:
            raise OSError("too large")
        prof = ImageCms.getOpenProfile(io.BytesIO(path.read_bytes()))
    except (OSError, ImageCms.PyCMSError):
        raise KanwuError(f"{path}: error: 不是可用的 ICC 色彩特性文件 / not a readable ICC profile") from None
    if prof.profile.xcolor_space.strip() != "CMYK":
        raise KanwuError(f"{path}: error: 印刷色彩特性必须是 CMYK / the output profile must be CMYK")
    return OutputProfile(path, paper, ImageCms.getProfileDescription(prof).strip(), condition, root)


def max_ppi(layout: Layout) -> float:
    """Above this effective resolution pictures are downsampled (1.5 × the minimum, as printers ask)."""
    return float(layout.get("print.max_ppi", 1.5 * float(layout.get("print.min_ppi", 300))))


def convert(src: Path, info: ImageInfo, profile: OutputProfile, size: tuple[int, int] | None,
            cache: ImageCache) -> tuple[str, bytes]:
    """A CMYK JPEG copy of `src` in `profile`, resized to `size` pixels when given: its name and its
    bytes (taken from the `cache` when it has them, kept there otherwise)."""
    data = read_picture(src)
    prof_bytes = profile.data
    key = hashlib.sha256(CACHE_VERSION + hashlib.sha256(data).digest() + hashlib.sha256(prof_bytes).digest()
                         + repr(size).encode()).hexdigest()[:32]
    cached = cache.get(key)
    if cached is not None:
        return f"{key}.jpg", cached
    from PIL import Image, ImageCms, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        im = ImageOps.exif_transpose(opened)  # WeasyPrint would rotate; the copy carries no EXIF
        icc = opened.info.get("icc_profile")
    im = print_mode(im)
    if size and size != im.size:
        im = im.resize(size, Image.Resampling.LANCZOS)
    dest = ImageCms.getOpenProfile(io.BytesIO(prof_bytes))
    if im.mode == "L":
        # greyscale pictures go on the black plate only: no registration trouble, no rich grey
        im = Image.merge("CMYK", [Image.new("L", im.size, 0)] * 3 + [ImageOps.invert(im)])
    elif im.mode == "RGB" or (im.mode == "CMYK" and icc and icc != prof_bytes):  # CMYK in this profile: as is
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
    cache.put(key, buf.getvalue())
    return f"{key}.jpg", buf.getvalue()


GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
"""Pillow modes of greyscale pictures: 1-bit, 8-bit, 16-bit, 32-bit integer and float, with or without alpha."""


def print_mode(im: Image.Image) -> Image.Image:
    """`im` as 8-bit L (grey, for the black plate), RGB or CMYK, transparency flattened on white paper.

    Pillow's own conversions clip deeper greys at 255 (a 16-bit grey PNG would
    print white), so they are scaled to 8 bits here first.
    """
    from PIL import Image

    transparent = im.mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in im.info
    if im.mode in GREY_MODES:
        alpha = _alpha(im) if transparent else None
        grey = _grey8(im)
        if alpha is None:
            return grey
        return Image.composite(grey, Image.new("L", grey.size, 255), alpha)  # no white ink: transparent is paper
    if transparent:
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im if im.mode in ("RGB", "CMYK") else im.convert("RGB")


def _grey8(im: Image.Image) -> Image.Image:
    """An 8-bit copy of a greyscale picture of any depth, its range scaled to 0–255 (never clipped)."""
    if im.mode in ("1", "L", "LA", "La"):
        return im.convert("L")
    if im.mode.startswith("I;16"):
        im, full = im.convert("I"), 65535.0
    else:  # I (32-bit) or F: the range is not in the mode, so it is read from the data
        top = float(im.getextrema()[1])
        # a float picture is 0–1 (scientific and HDR tools) or 0–255 (Pillow's own); an integer one 8 or 16 bits
        full = 1.0 if im.mode == "F" and top <= 1.0 else 255.0 if top <= 255 else 65535.0 if top <= 65535 else top
    return im.point(lambda v: v * (255.0 / full)).convert("L")


def _alpha(im: Image.Image) -> Image.Image:
    """The alpha (mode L, 255 opaque) of a greyscale picture with an alpha channel or a transparent value."""
    from PIL import ImageMath

    if im.mode in ("LA", "La"):
        return im.getchannel("A")
    key = im.info["transparency"]  # one grey value (PNG tRNS) at the picture's own depth
    if not isinstance(key, (int, float)):
        return im.convert("L").point(lambda v: 255)
    same = ImageMath.lambda_eval(lambda a: a["im"] != key, im=im.convert("I") if im.mode != "F" else im)
    return same.convert("L").point(lambda v: 255 if v else 0)


def target_size(info: ImageInfo, placed: PlacedPicture, limit: float) -> tuple[int, int] | None:
    """Pixel size for the picture's frame at `limit` ppi, or None when the picture is not sharper than that."""
    ppi = effective_ppi(info, placed.picture.frame.w, placed.picture.frame.h)
    if ppi <= limit:
        return None
    scale = limit / ppi
    return max(1, round(info.width * scale)), max(1, round(info.height * scale))


def prepare_images(photos: Iterable[PlacedPicture], infos: dict[Path, ImageInfo], layout: Layout,
                   profile: OutputProfile, cache: ImageCache) -> tuple[dict[Path, str], list[Finding], dict[str, bytes]]:
    """The printable copy of every placed picture: by source file, the URL WeasyPrint reads it from (a
    ``kanwu:cache/`` URL of the CMYK copy; "" when it cannot be converted and is left out of the page;
    a CMYK JPEG is left as it is, absent from the map); the findings; the copies by name (the ``cache``
    root of the URL fetcher)."""
    findings: list[Finding] = []
    done: dict[Path, str] = {}   # "": could not be converted, left out of the page
    copies: dict[str, bytes] = {}
    limit = max_ppi(layout)
    for box in photos:
        image = box.picture.image
        src = box.picture.src
        if src is None or src in done or src not in infos:
            continue
        info = infos[src]
        if info.mode == "CMYK" and info.format == "JPEG":
            continue  # already separated: pass through untouched (read from the folder)
        try:
            name, data = convert(src, info, profile, target_size(info, box, limit), cache)
            copies[name] = data
            done[src] = f"{VIRTUAL}:cache/{name}"
        except (OSError, ValueError) as exc:
            done[src] = ""  # never let the RGB original reach the page (it would be an RGB error too)
            findings.append(Finding("error", "colour-conversion", f"{image.src_text}：无法转换为 CMYK / "
                                    f"cannot convert to CMYK: {exc}", image.pos, story=box.story))
    cache.prune()
    return done, findings + cache.findings, copies


def profile_css(profile: OutputProfile, url: Callable[[Path], str] = Path.as_uri) -> str:
    """CSS that makes WeasyPrint write an output intent and use DeviceCMYK for groups and shadings."""
    # `components` is required by WeasyPrint 70 (it writes /N from their count)
    return (f'@color-profile device-cmyk {{ src: url("{url(profile.path)}"); '
            'components: cyan, magenta, yellow, black; }')
