"""Phone photos of every shape for the generated office issues, drawn with Pillow.

Simple scenes (an estate with a red banner and people, a meeting room, a phone
screenshot) with gradients, soft texture and blur so they are not flat; saved as
phones save them: JPEG quality 80 with EXIF (make, model, time), some stored sideways
with EXIF orientation 6, one PNG screenshot. Deterministic for a given seed.
"""
from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

# name: (display width, display height, format, EXIF orientation)
SHAPES: dict[str, tuple[int, int, str, int]] = {
    "landscape": (1600, 1200, "JPEG", 1),      # 4:3
    "landscape-2k": (2048, 1536, "JPEG", 1),   # 4:3
    "wide": (1920, 1080, "JPEG", 1),           # 16:9
    "portrait": (1200, 1600, "JPEG", 1),       # 3:4
    "tall": (1080, 1920, "JPEG", 1),           # 9:16
    "square": (1440, 1440, "JPEG", 1),
    "panorama": (3600, 1200, "JPEG", 1),       # 3:1
    "tiny": (640, 480, "JPEG", 1),
    "large": (4000, 3000, "JPEG", 1),
    "rotated": (1536, 2048, "JPEG", 6),        # portrait, stored landscape + orientation 6
    "rotated-large": (3000, 4000, "JPEG", 6),
    "screenshot": (1080, 2340, "PNG", 1),
}
# How often each shape is drawn: ordinary phone pictures most often.
WEIGHTS = {"landscape": 6, "landscape-2k": 4, "wide": 3, "portrait": 3, "tall": 1, "square": 2, "panorama": 1,
           "tiny": 1, "large": 1, "rotated": 2, "rotated-large": 1, "screenshot": 2}

PHONES = [("Xiaomi", "Redmi Note 12"), ("HUAWEI", "nova 9"), ("Apple", "iPhone 13"), ("OPPO", "Reno8"),
          ("vivo", "Y76s")]


def pick_shape(rng: random.Random) -> str:
    """A shape name, ordinary ones more often."""
    names = list(WEIGHTS)
    return rng.choices(names, weights=[WEIGHTS[n] for n in names])[0]


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def _jitter(rng: random.Random, c: tuple[int, int, int], d: int = 18) -> tuple[int, int, int]:
    return tuple(max(0, min(255, v + rng.randint(-d, d))) for v in c)  # type: ignore[return-value]


def _gradient(w: int, h: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """A vertical gradient from `top` to `bottom`."""
    mask = Image.linear_gradient("L").resize((w, h))
    return Image.composite(Image.new("RGB", (w, h), bottom), Image.new("RGB", (w, h), top), mask)


def _person(d: ImageDraw.ImageDraw, rng: random.Random, x: float, base: float, s: float) -> None:
    """A standing figure `s` px tall with its feet at `base`."""
    body = _jitter(rng, rng.choice([(200, 40, 40), (60, 80, 130), (230, 230, 225), (70, 70, 70), (180, 150, 90)]))
    d.rounded_rectangle([x - s * .14, base - s * .78, x + s * .14, base], radius=s * .08, fill=body)
    d.ellipse([x - s * .09, base - s, x + s * .09, base - s * .8], fill=_jitter(rng, (225, 190, 160), 12))
    d.pieslice([x - s * .095, base - s * 1.01, x + s * .095, base - s * .83], 180, 360, fill=(40, 35, 30))


def _banner(d: ImageDraw.ImageDraw, rng: random.Random, box: list[float]) -> None:
    """A red event banner with pale-yellow character blocks."""
    x0, y0, x1, y1 = box
    d.rectangle(box, fill=_jitter(rng, (200, 30, 35), 10))
    n = rng.randint(8, 16)
    cw = (x1 - x0) * 0.8 / n
    for i in range(n):
        cx = x0 + (x1 - x0) * 0.1 + i * cw
        d.rectangle([cx + cw * .12, y0 + (y1 - y0) * .22, cx + cw * .88, y1 - (y1 - y0) * .22], fill=(250, 226, 150))


def _outdoor(img: Image.Image, rng: random.Random) -> None:
    """An estate: sky, buildings with windows, trees, a tent with a banner, people."""
    w, h = img.size
    horizon = h * rng.uniform(0.45, 0.6)
    img.paste(_gradient(w, int(horizon), _jitter(rng, (120, 165, 215)), _jitter(rng, (215, 225, 232))), (0, 0))
    d = ImageDraw.Draw(img)
    d.rectangle([0, horizon, w, h], fill=_jitter(rng, (150, 150, 140)))
    x = -rng.uniform(0, w * .1)
    while x < w:
        bw, bh = w * rng.uniform(.12, .25), h * rng.uniform(.2, .42)
        colour = _jitter(rng, rng.choice([(205, 190, 170), (190, 195, 200), (215, 200, 185), (175, 160, 150)]))
        d.rectangle([x, horizon - bh, x + bw, horizon], fill=colour)
        win = _mix(colour, (60, 70, 85), .5)
        for wy in range(int(horizon - bh + bh * .08), int(horizon - bh * .05), max(4, int(bh / 9))):
            for wx in range(int(x + bw * .08), int(x + bw * .9), max(4, int(bw / 7))):
                d.rectangle([wx, wy, wx + bw / 14, wy + bh / 20], fill=win)
        x += bw + w * rng.uniform(.0, .04)
    for _ in range(rng.randint(3, 7)):
        tx, ts = rng.uniform(0, w), h * rng.uniform(.1, .2)
        d.rectangle([tx - ts * .05, horizon - ts * .3, tx + ts * .05, horizon + ts * .1], fill=(95, 70, 50))
        d.ellipse([tx - ts * .4, horizon - ts, tx + ts * .4, horizon - ts * .2],
                  fill=_jitter(rng, (80, 125, 70), 20))
    tent_x = w * rng.uniform(.15, .5)
    tent_w = w * rng.uniform(.3, .45)
    top = horizon - h * .05
    d.polygon([(tent_x, top), (tent_x + tent_w / 2, top - h * .08), (tent_x + tent_w, top)], fill=(235, 235, 240))
    _banner(d, rng, [tent_x, top, tent_x + tent_w, top + h * .05])
    d.rectangle([tent_x + tent_w * .05, top + h * .16, tent_x + tent_w * .95, top + h * .2], fill=(40, 95, 160))
    for _ in range(rng.randint(4, 14)):
        s = h * rng.uniform(.18, .32)
        _person(d, rng, rng.uniform(0, w), rng.uniform(horizon + s * .3, h * .98), s)


def _indoor(img: Image.Image, rng: random.Random) -> None:
    """A meeting room: wall, red banner, a screen, rows of heads seen from behind."""
    w, h = img.size
    img.paste(_gradient(w, h, _jitter(rng, (235, 228, 215)), _jitter(rng, (170, 150, 125))), (0, 0))
    d = ImageDraw.Draw(img)
    for i in range(rng.randint(2, 4)):
        lx = w * (i + .5) / 4
        d.ellipse([lx - w * .05, h * .02, lx + w * .05, h * .06], fill=(255, 250, 235))
    _banner(d, rng, [w * .1, h * .1, w * .9, h * .18])
    sx = w * rng.uniform(.25, .4)
    d.rectangle([sx, h * .22, w - sx, h * .5], fill=_jitter(rng, (40, 60, 110), 15))
    d.rectangle([sx + w * .03, h * .26, w - sx - w * .03, h * .3], fill=(240, 240, 240))
    d.rectangle([w * .1, h * .52, w * .9, h * .56], fill=(120, 80, 55))
    rows = rng.randint(3, 5)
    for r in range(rows):
        y = h * (.6 + r * .4 / rows)
        s = h * (.06 + r * .03)
        n = int(w / (s * 1.6))
        for i in range(n):
            x = (i + .5 + rng.uniform(-.2, .2)) * w / n
            d.rounded_rectangle([x - s * .7, y, x + s * .7, y + s * 1.5], radius=s * .3,
                                fill=_jitter(rng, rng.choice([(60, 60, 70), (30, 45, 80), (150, 40, 40)]), 15))
            d.ellipse([x - s * .4, y - s * .7, x + s * .4, y + s * .15], fill=_jitter(rng, (35, 30, 28), 8))


def _screenshot(img: Image.Image, rng: random.Random) -> None:
    """A phone screenshot of a public-account article: status bar, title, text lines, a picture."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, w, h], fill=(255, 255, 255))
    d.rectangle([0, 0, w, h * .035], fill=(237, 237, 237))
    d.rectangle([0, h * .035, w, h * .075], fill=(247, 247, 247))
    y = h * .1
    for _ in range(2):
        d.rectangle([w * .06, y, w * rng.uniform(.6, .94), y + h * .018], fill=(20, 20, 20))
        y += h * .03
    d.rectangle([w * .06, y, w * .3, y + h * .01], fill=(87, 107, 149))
    y += h * .04
    while y < h * .9:
        if rng.random() < .15:
            pic = _gradient(int(w * .88), int(h * .16), _jitter(rng, (200, 120, 90), 40), _jitter(rng, (90, 130, 90), 40))
            img.paste(pic, (int(w * .06), int(y)))
            y += h * .18
            continue
        for i in range(rng.randint(2, 6)):
            end = w * .94 if i < 5 else w * rng.uniform(.3, .9)
            d.rectangle([w * .06, y, end, y + h * .009], fill=(110, 110, 110))
            y += h * .02
        y += h * .015
    d.rectangle([0, h * .94, w, h], fill=(247, 247, 247))


def draw(shape: str, rng: random.Random) -> tuple[Image.Image, str, int]:
    """The picture of one shape as displayed, its format and EXIF orientation."""
    w, h, fmt, orientation = SHAPES[shape]
    img = Image.new("RGB", (w, h))
    if fmt == "PNG":
        _screenshot(img, rng)
        return img, fmt, orientation
    (_indoor if rng.random() < 0.35 else _outdoor)(img, rng)
    gw, gh = max(8, w // 24), max(8, h // 24)
    grain = Image.frombytes("L", (gw, gh), rng.randbytes(gw * gh)).resize((w, h), Image.BICUBIC)
    img = Image.blend(img, Image.merge("RGB", [grain] * 3), 0.06)
    img = img.filter(ImageFilter.GaussianBlur(max(1, w // 1200)))
    return img, fmt, orientation


def save(img: Image.Image, fmt: str, orientation: int, path: Path, rng: random.Random) -> Path:
    """Write as a phone would: JPEG q80 with EXIF, stored sideways for orientation 6; PNG as is."""
    if fmt == "PNG":
        img.save(path, "PNG", optimize=True)
        return path
    exif = Image.Exif()
    make, model = rng.choice(PHONES)
    exif[0x010F], exif[0x0110] = make, model
    exif[0x0132] = f"2024:{rng.randint(1, 12):02d}:{rng.randint(1, 28):02d} {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00"
    exif[0x0112] = orientation
    if orientation == 6:  # the sensor's pixels: turned a quarter left; viewers turn them back right
        img = img.transpose(Image.Transpose.ROTATE_90)
    img.save(path, "JPEG", quality=80, exif=exif.tobytes(), dpi=(72, 72))
    return path


def make_photo(shape: str, path: Path, seed: str) -> Path:
    """Draw and write one picture of `shape` at `path` (its suffix must suit `SHAPES[shape]`'s format)."""
    rng = random.Random(seed)
    img, fmt, orientation = draw(shape, rng)
    return save(img, fmt, orientation, path, rng)
