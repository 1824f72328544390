"""Page previews are written as PNG by kanwu's own encoder (previews.png_bytes): what PIL reads back is the image."""
from __future__ import annotations

import io
import random

from PIL import Image, ImageChops

from kanwu.previews import png_bytes


def test_a_png_reads_back_as_the_image_it_was_made_of() -> None:
    rng = random.Random(7)
    image = Image.new("RGB", (61, 23), (255, 255, 255))
    for _ in range(300):
        image.putpixel((rng.randrange(61), rng.randrange(23)), tuple(rng.randrange(256) for _ in range(3)))
    data = png_bytes(image)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as back:
        back.load()
        assert back.mode == "RGB" and back.size == (61, 23)
        assert ImageChops.difference(back, image).getbbox() is None


def test_a_greyscale_image_is_written_in_rgb() -> None:
    data = png_bytes(Image.new("L", (5, 4), 128))
    with Image.open(io.BytesIO(data)) as back:
        assert back.mode == "RGB" and back.getpixel((2, 2)) == (128, 128, 128)
