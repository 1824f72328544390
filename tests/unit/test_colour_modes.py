"""Every Pillow mode a picture file can open in is converted for print without clipping (issue 10, item 6).

A stepped grey ramp is written in each mode as a real file, converted by
`kanwu.colour.convert` and read back: greyscale pictures must land on the
black plate only with K = 100 % − lightness; colour pictures go through the
output profile and must come back (through the same profile) as the grey
they were; transparent parts are paper (no ink). A 16-bit greyscale PNG once
came out 99.6 % white.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from kanwu.colour import CONDITIONS, DATA, PROFILES, OutputProfile, convert
from kanwu.images import inspect

LEVELS = (0, 64, 128, 192, 255)
"""The ramp: 8-bit grey levels, one step each."""
STEP = 24
"""Pixels per step (the samples are taken in the middle of a step, away from JPEG edges)."""
SIZE = (STEP * len(LEVELS), STEP)


def profile(name: str = "coated") -> OutputProfile:
    return OutputProfile(DATA / PROFILES[name], name, name, CONDITIONS[name])


def ramp(scale: float = 1.0) -> list[float]:
    """The ramp's pixel values, row by row, as `scale` × the 8-bit level."""
    row = [lvl * scale for lvl in LEVELS for _ in range(STEP)]
    return row * STEP


def png16(colour_type: int, channels: int, pixel) -> bytes:  # type: ignore[no-untyped-def]
    """A 16-bit PNG (Pillow cannot write 16-bit RGB) whose pixel at x is ``pixel(level16)``."""
    rows = []
    for _ in range(STEP):
        row = b"".join(struct.pack(">" + "H" * channels, *pixel(lvl * 257)) for lvl in LEVELS for _ in range(STEP))
        rows.append(b"\0" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = struct.pack(">IIBBBBB", SIZE[0], SIZE[1], 16, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def grey_file(tmp: Path, mode: str) -> Path:
    """The ramp saved in `mode` the way a picture file holds it."""
    if mode == "I;16 PNG":
        path = tmp / "grey16.png"
        im = Image.new("I;16", SIZE)
        im.putdata([round(v) for v in ramp(257)])
        im.save(path)
    elif mode == "I;16B TIFF":
        path = tmp / "grey16b.tif"
        im = Image.new("I;16", SIZE)
        im.putdata([round(v) for v in ramp(257)])
        Image.frombytes("I;16B", SIZE, im.tobytes("raw", "I;16B")).save(path)
    elif mode == "I TIFF":  # 32-bit integer TIFF holding 16-bit values (old Pillow opened 16-bit PNG so)
        path = tmp / "grey32.tif"
        im = Image.new("I", SIZE)
        im.putdata([round(v) for v in ramp(257)])
        im.save(path)
    elif mode == "F TIFF":  # float TIFF, 0 … 1 (what scientific and HDR tools write)
        path = tmp / "greyf.tif"
        im = Image.new("F", SIZE)
        im.putdata(ramp(1 / 255))
        im.save(path)
    elif mode == "L PNG":
        path = tmp / "grey8.png"
        im = Image.new("L", SIZE)
        im.putdata([round(v) for v in ramp()])
        im.save(path)
    elif mode == "LA PNG":  # opaque grey with alpha
        path = tmp / "greyla.png"
        grey = Image.new("L", SIZE)
        grey.putdata([round(v) for v in ramp()])
        Image.merge("LA", [grey, Image.new("L", SIZE, 255)]).save(path)
    else:
        raise AssertionError(mode)
    assert inspect(path).mode == mode.split()[0], inspect(path)
    return path


def plates(path: Path) -> list[tuple[float, ...]]:
    """C, M, Y, K in percent in the middle of each step of the converted picture."""
    with Image.open(path) as im:
        assert im.mode == "CMYK" and im.size == SIZE
        return [tuple(round(v / 2.55, 1) for v in im.getpixel((i * STEP + STEP // 2, STEP // 2)))
                for i in range(len(LEVELS))]


def back_to_srgb(path: Path, prof: OutputProfile) -> list[int]:
    """The grey (mean of R, G, B) of each step after converting the CMYK copy back through the profile."""
    with Image.open(path) as im:
        rgb = ImageCms.profileToProfile(im, str(prof.path), ImageCms.createProfile("sRGB"), outputMode="RGB",
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    return [round(sum(rgb.getpixel((i * STEP + STEP // 2, STEP // 2))) / 3) for i in range(len(LEVELS))]


def run(src: Path, prof: OutputProfile, tmp: Path) -> Path:
    info = inspect(src)
    assert not isinstance(info, str), info
    from kanwu.imagecache import ImageCache

    name, data = convert(src, info, prof, None, ImageCache(None, False))
    out = tmp / name
    out.write_bytes(data)
    return out


@pytest.mark.parametrize("mode", ["L PNG", "I;16 PNG", "I;16B TIFF", "I TIFF", "F TIFF", "LA PNG"])
def test_greyscale_of_any_depth_goes_on_the_black_plate_unclipped(tmp_path, mode):
    out = run(grey_file(tmp_path, mode), profile(), tmp_path)
    for level, (c, m, y, k) in zip(LEVELS, plates(out)):
        assert c + m + y <= 1.5, (mode, level, c, m, y, k)
        assert abs(k - (100 - level / 2.55)) <= 3, (mode, level, k)  # mid-grey stays mid-grey


def test_one_bit_line_art_is_solid_black_and_paper(tmp_path):
    im = Image.new("1", SIZE, 1)
    im.paste(0, (0, 0, SIZE[0] // 2, SIZE[1]))
    im.save(tmp_path / "line.png")
    got = plates(run(tmp_path / "line.png", profile(), tmp_path))
    assert got[0][:3] == (0, 0, 0) and got[0][3] >= 98  # black is K100, not four-colour black
    assert max(got[-1]) <= 1  # white is paper


def test_grey_with_transparency_is_paper_where_transparent(tmp_path):
    """16-bit grey PNG with alpha (opens as RGBA) and 8-bit LA: transparent is paper, opaque keeps its grey."""
    half = SIZE[0] // 2
    grey = Image.new("L", SIZE, 128)
    alpha = Image.new("L", SIZE, 255)
    alpha.paste(0, (half, 0, SIZE[0], SIZE[1]))
    Image.merge("LA", [grey, alpha]).save(tmp_path / "la.png")
    got = plates(run(tmp_path / "la.png", profile(), tmp_path))
    assert abs(got[0][3] - 49.8) <= 3 and sum(got[0][:3]) <= 1.5 and max(got[-1]) <= 1, got
    (tmp_path / "la16.png").write_bytes(png16(4, 2, lambda v: (32896, 65535 if v < 32896 else 0)))
    out = run(tmp_path / "la16.png", profile(), tmp_path)
    got16 = plates(out)
    assert max(got16[-1]) <= 1, got16  # the transparent steps are paper
    assert abs(back_to_srgb(out, profile())[0] - 128) <= 10, got16
    key = Image.new("I;16", SIZE)  # 16-bit grey with one transparent value (PNG tRNS)
    key.putdata([32896 if i % SIZE[0] < half else 1000 for i in range(SIZE[0] * SIZE[1])])
    key.save(tmp_path / "key16.png", transparency=1000)
    got_key = plates(run(tmp_path / "key16.png", profile(), tmp_path))
    assert abs(got_key[0][3] - 49.8) <= 3 and sum(got_key[0][:3]) <= 1.5 and max(got_key[-1]) <= 1, got_key


@pytest.mark.parametrize("name", ["coated", "newsprint"])
def test_sixteen_bit_colour_pngs_keep_their_tones(tmp_path, name):
    prof = profile(name)
    (tmp_path / "rgb16.png").write_bytes(png16(2, 3, lambda v: (v, v, v)))
    (tmp_path / "rgba16.png").write_bytes(png16(6, 4, lambda v: (v, v, v, 65535)))
    for src in ("rgb16.png", "rgba16.png"):
        back = back_to_srgb(run(tmp_path / src, prof, tmp_path), prof)
        assert all(abs(b - lvl) <= 12 for b, lvl in zip(back[1:-1], LEVELS[1:-1])), (src, back)
        assert back[-1] >= 245, (src, back)


def test_palette_picture_with_a_transparent_entry(tmp_path):
    im = Image.new("P", SIZE, 1)
    im.putpalette([0, 0, 0, 128, 128, 128, 255, 0, 0])
    im.paste(0, (SIZE[0] // 2, 0, SIZE[0], SIZE[1]))
    im.save(tmp_path / "pal.png", transparency=0)
    out = run(tmp_path / "pal.png", profile(), tmp_path)
    got = plates(out)
    assert max(got[-1]) <= 1, got  # the transparent (black) entry is paper, not black
    assert abs(back_to_srgb(out, profile())[0] - 128) <= 10, got


def test_cmyk_without_a_profile_or_in_the_press_profile_is_left_as_separated(tmp_path):
    ramp_k = Image.new("L", SIZE)
    ramp_k.putdata([round(255 - v) for v in ramp()])
    cmyk = Image.merge("CMYK", [Image.new("L", SIZE, 0)] * 3 + [ramp_k])
    cmyk.save(tmp_path / "plain.tif")
    cmyk.save(tmp_path / "tagged.tif", icc_profile=profile().data)
    for src in ("plain.tif", "tagged.tif"):
        for level, (c, m, y, k) in zip(LEVELS, plates(run(tmp_path / src, profile(), tmp_path))):
            assert c + m + y <= 1.5 and abs(k - (100 - level / 2.55)) <= 3, (src, level, c, m, y, k)


def test_cmyk_in_another_profile_is_converted_to_the_press_profile(tmp_path):
    """A picture separated for coated paper, printed on newsprint: re-separated, same tones."""
    coated, news = profile("coated"), profile("newsprint")
    grey = Image.new("RGB", SIZE)
    grey.putdata([(round(v),) * 3 for v in ramp()])
    cmyk = ImageCms.profileToProfile(grey, ImageCms.createProfile("sRGB"), str(coated.path), outputMode="CMYK")
    cmyk.save(tmp_path / "coated.tif", icc_profile=coated.data)
    back = back_to_srgb(run(tmp_path / "coated.tif", news, tmp_path), news)
    assert all(abs(b - lvl) <= 12 for b, lvl in zip(back[1:-1], LEVELS[1:-1])), back


def test_every_mode_the_image_check_lets_through_converts(tmp_path):
    """No mode a supported file can open in is an exception in conversion."""
    made = {"lab.tif": Image.new("LAB", SIZE, (128, 128, 128)), "rgba.webp": Image.new("RGBA", SIZE, (90, 90, 90, 200)),
            "grey.gif": Image.new("L", SIZE, 128), "grey.bmp": Image.new("L", SIZE, 128)}
    for name, im in made.items():
        im.save(tmp_path / name)
        out = run(tmp_path / name, profile(), tmp_path)
        back = back_to_srgb(out, profile())
        assert all(80 <= b <= 175 for b in back), (name, back)  # a mid tone stays a mid tone
