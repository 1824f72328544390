#!/usr/bin/env python3
"""Draw the stand-in pictures for the 四平简报 sample issue.

The real bulletin's photos are not ours to ship, so the sample issue
(issues/siping-2020-12.yaml) points at plainly fake pictures: a simple
community scene drawn with flat shapes in muted colours, a large
"示意图片 STAND-IN" label and the caption. They are sized like real press
photos so the layouts and the preflight treat them as such:

    2400 x 1600 px (3:2) = 300 ppi at 203 mm wide, RGB JPEG q85, sRGB ICC
    profile embedded, dpi (300, 300).

Deterministic: fixed seeds, no clock; running it twice gives the same files.

    .venv/bin/python scripts/make-standin-photos.py [OUT_DIR]

OUT_DIR defaults to issues/images/ beside this script's repo root.
"""

from __future__ import annotations

import random
import struct
import sys
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw, ImageFilter, ImageFont

W, H = 2400, 1600          # final size
SS = 2                     # supersampling factor for smooth edges
FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_INDEX = 2             # Noto Sans CJK SC
LABEL = "示意图片 STAND-IN"
NOTE = "非实拍 · kanwu 样例用示意图"

# (file name, caption, scene, seed, palette)
PICTURES = [
    ("lead-1.jpg", "深入调研“美丽家园”建设", "estate", 1,
     {"sky": ((200, 214, 222), (236, 232, 220)), "ground": (178, 186, 160)}),
    ("lead-2.jpg", "面对面咨询老年人需求", "consult", 2,
     {"sky": ((226, 216, 200), (240, 236, 226)), "ground": (190, 176, 156)}),
    ("lead-3.jpg", "业委会合并互动", "meeting", 3,
     {"sky": ((208, 216, 206), (238, 236, 226)), "ground": (170, 178, 168)}),
]

BUILDING_COLOURS = [(168, 160, 150), (186, 172, 158), (150, 158, 166),
                    (176, 168, 176), (160, 170, 160)]
PEOPLE_COLOURS = [(92, 98, 110), (110, 96, 92), (84, 104, 100),
                  (120, 110, 96), (100, 92, 112)]
TREE_GREEN = [(124, 146, 118), (110, 134, 112), (138, 152, 122)]


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, size * SS, index=FONT_INDEX)


def s(v: float) -> int:
    """Scale a final-size coordinate to the supersampled canvas."""
    return round(v * SS)


def gradient(top: tuple, bottom: tuple) -> Image.Image:
    mask = Image.linear_gradient("L").resize((W * SS, H * SS))
    return Image.composite(Image.new("RGB", mask.size, bottom),
                           Image.new("RGB", mask.size, top), mask)


def building(d: ImageDraw.ImageDraw, x, y_ground, w, h, colour, rng, scaffold=False):
    d.rectangle([s(x), s(y_ground - h), s(x + w), s(y_ground)], fill=colour)
    roof = tuple(max(0, c - 22) for c in colour)
    d.rectangle([s(x - 6), s(y_ground - h - 14), s(x + w + 6), s(y_ground - h)], fill=roof)
    win = tuple(min(255, c + 40) for c in colour)
    cols = max(2, int(w // 70))
    rows = max(2, int(h // 90))
    gx, gy = w / cols, h / rows
    for i in range(cols):
        for j in range(rows - 1):
            wx, wy = x + i * gx + gx * 0.28, y_ground - h + j * gy + gy * 0.3
            lit = rng.random() < 0.25
            d.rectangle([s(wx), s(wy), s(wx + gx * 0.44), s(wy + gy * 0.42)],
                        fill=(232, 222, 190) if lit else win)
    if scaffold:                       # 美丽家园: a façade under repair
        pole = (150, 120, 92)
        for i in range(cols + 1):
            px = x + i * gx
            d.line([s(px), s(y_ground - h - 10), s(px), s(y_ground)], fill=pole, width=s(6))
        for j in range(rows + 1):
            py = y_ground - h + j * gy
            d.line([s(x), s(py), s(x + w), s(py)], fill=pole, width=s(5))


def tree(d, x, y_ground, size, rng):
    d.rectangle([s(x - size * 0.06), s(y_ground - size * 0.9), s(x + size * 0.06), s(y_ground)],
                fill=(120, 100, 84))
    g = rng.choice(TREE_GREEN)
    for dx, dy, r in [(0, -1.05, 0.42), (-0.28, -0.85, 0.32), (0.28, -0.85, 0.32)]:
        cx, cy, rr = x + dx * size, y_ground + dy * size, r * size
        d.ellipse([s(cx - rr), s(cy - rr), s(cx + rr), s(cy + rr)], fill=g)


def person(d, x, y_feet, height, colour, seated=False):
    """A simple silhouette: round head, rounded body, two legs."""
    head = height * 0.14
    body_top = y_feet - height + head * 2.1
    body_bottom = y_feet - height * (0.25 if seated else 0.42)
    bw = height * 0.17
    d.ellipse([s(x - head), s(y_feet - height), s(x + head), s(y_feet - height + head * 2)],
              fill=colour)
    d.rounded_rectangle([s(x - bw), s(body_top), s(x + bw), s(body_bottom)],
                        radius=s(bw * 0.6), fill=colour)
    if not seated:
        lw = bw * 0.42
        d.rectangle([s(x - bw * 0.9), s(body_bottom - 10), s(x - bw * 0.9 + lw), s(y_feet)], fill=colour)
        d.rectangle([s(x + bw * 0.9 - lw), s(body_bottom - 10), s(x + bw * 0.9), s(y_feet)], fill=colour)


def table(d, x0, x1, y_top, colour=(150, 128, 104)):
    d.rounded_rectangle([s(x0), s(y_top), s(x1), s(y_top + 28)], radius=s(10), fill=colour)
    d.rectangle([s(x0 + 40), s(y_top + 28), s(x0 + 62), s(y_top + 190)], fill=colour)
    d.rectangle([s(x1 - 62), s(y_top + 28), s(x1 - 40), s(y_top + 190)], fill=colour)


def scene_estate(d, rng, ground_y):
    x = 60
    for i, h in enumerate([620, 820, 700, 900, 640]):
        w = rng.randint(300, 380)
        building(d, x, ground_y, w, h, BUILDING_COLOURS[i % 5], rng, scaffold=(i == 2))
        x += w + rng.randint(60, 110)
        if x > W - 200:
            break
    for tx in range(140, W, 430):
        tree(d, tx + rng.randint(-40, 40), ground_y + 40, rng.randint(230, 300), rng)
    for i, px in enumerate([980, 1080, 1190, 1300]):   # a small group walking the estate
        person(d, px, ground_y + 230, 360 - (i % 2) * 30, PEOPLE_COLOURS[i])


def scene_consult(d, rng, ground_y):
    building(d, 80, ground_y, 520, 760, BUILDING_COLOURS[1], rng)
    building(d, 1820, ground_y, 500, 680, BUILDING_COLOURS[3], rng)
    tree(d, 720, ground_y + 30, 300, rng)
    tree(d, 1660, ground_y + 30, 280, rng)
    # an awning over a consultation desk
    d.polygon([(s(760), s(ground_y - 330)), (s(1640), s(ground_y - 330)),
               (s(1700), s(ground_y - 250)), (s(700), s(ground_y - 250))], fill=(176, 96, 84))
    for px in (780, 1620):
        d.rectangle([s(px - 8), s(ground_y - 250), s(px + 8), s(ground_y + 200)], fill=(120, 110, 100))
    person(d, 930, ground_y + 190, 400, PEOPLE_COLOURS[0], seated=True)      # volunteer
    person(d, 1460, ground_y + 190, 430, PEOPLE_COLOURS[3], seated=True)     # resident
    table(d, 1000, 1400, ground_y + 40)
    # a walking stick for the older resident
    d.line([s(1360), s(ground_y - 20), s(1340), s(ground_y + 200)], fill=(96, 80, 70), width=s(10))


def scene_meeting(d, rng, ground_y):
    # indoors: a wall with a banner and windows, a long table, people around it
    d.rectangle([0, 0, s(W), s(ground_y)], fill=(214, 208, 196))
    d.rectangle([s(520), s(140), s(1880), s(300)], fill=(168, 70, 62))      # banner, left blank
    for wx in (160, 1960):
        d.rectangle([s(wx), s(380), s(wx + 280), s(860)], fill=(196, 214, 222))
        d.line([s(wx + 140), s(380), s(wx + 140), s(860)], fill=(170, 164, 154), width=s(10))
    xs = [640, 860, 1080, 1320, 1540, 1760]
    for i, px in enumerate(xs):
        person(d, px, ground_y + 120, rng.randint(400, 440), PEOPLE_COLOURS[i % 5], seated=True)
    table(d, 480, 1920, ground_y - 40)


SCENES = {"estate": scene_estate, "consult": scene_consult, "meeting": scene_meeting}


def centred(d, y, text, fnt, fill):
    box = d.textbbox((0, 0), text, font=fnt)
    x = (W * SS - (box[2] - box[0])) // 2 - box[0]
    d.text((x, y), text, font=fnt, fill=fill)
    return box


def draw_picture(caption: str, scene: str, seed: int, palette: dict) -> Image.Image:
    rng = random.Random(seed)
    img = gradient(*palette["sky"])
    d = ImageDraw.Draw(img)
    ground_y = 1060
    d.rectangle([0, s(ground_y), s(W), s(H)], fill=palette["ground"])
    SCENES[scene](d, rng, ground_y)

    # translucent label band, label, note and caption
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    o = ImageDraw.Draw(overlay)
    o.rounded_rectangle([s(330), s(420), s(W - 330), s(790)], radius=s(40),
                        fill=(255, 255, 255, 178), outline=(90, 90, 90, 200), width=s(6))
    o.rectangle([0, s(H - 250), s(W), s(H)], fill=(40, 44, 52, 200))
    img = Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")
    d = ImageDraw.Draw(img)
    centred(d, s(450), LABEL, font(170), (70, 70, 76))
    centred(d, s(675), NOTE, font(60), (96, 96, 100))
    centred(d, s(H - 205), caption, font(110), (246, 244, 238))

    # a dashed frame so nobody mistakes it for a photograph
    dash, gap, m = 60, 36, 24
    for x in range(m, W - m, dash + gap):
        for y in (m, H - m):
            d.line([s(x), s(y), s(min(x + dash, W - m)), s(y)], fill=(120, 120, 120), width=s(6))
    for y in range(m, H - m, dash + gap):
        for x in (m, W - m):
            d.line([s(x), s(y), s(x), s(min(y + dash, H - m))], fill=(120, 120, 120), width=s(6))

    return img.resize((W, H), Image.Resampling.LANCZOS).filter(ImageFilter.SMOOTH)


def srgb_profile() -> bytes:
    """lcms's built-in sRGB profile, with its creation date pinned.

    The ICC header stamps the time of creation (bytes 24-35: year, month, day,
    hour, minute, second as big-endian uint16); fix it so the JPEGs are
    byte-for-byte reproducible. The profile ID (bytes 84-99) is left as lcms
    writes it (all zero, i.e. not computed), so no checksum needs updating.
    """
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[24:36] = struct.pack(">6H", 2020, 12, 15, 0, 0, 0)
    return bytes(icc)


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[1]
    out = Path(argv[1]) if len(argv) > 1 else root / "issues" / "images"
    out.mkdir(parents=True, exist_ok=True)
    icc = srgb_profile()
    for name, caption, scene, seed, palette in PICTURES:
        img = draw_picture(caption, scene, seed, palette)
        path = out / name
        img.save(path, "JPEG", quality=85, icc_profile=icc, dpi=(300, 300),
                 optimize=True, subsampling="4:2:0")
        print(f"{path}: {img.size[0]}x{img.size[1]}, {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
