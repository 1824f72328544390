"""Rendered-page comparisons: the seed's pages against reference images, with a tolerance.

The references are made with the fonts the set-up installs (Noto CJK, LXGW
WenKai from Debian). After an intended change of a layout, look at the new
pages, then refresh them with:

    KANWU_UPDATE_REFERENCES=1 .venv/bin/pytest tests/test_rendered_pages.py
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

REF = Path(__file__).parent / "reference"
DPI = 24
# mean absolute difference in grey levels (0-255) allowed over the page; a moved
# column or a lost picture costs far more, anti-aliasing noise far less
TOLERANCE = 3.0

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils needed")


def render(pdf: Path, page: int) -> Image.Image:
    png = subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", str(page), "-l", str(page),
                          "-cropbox", str(pdf)], capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("L")


@pytest.mark.parametrize("which, page", [("a3", 1), ("a3", 2), ("a4", 1)])
def test_page_matches_reference(request, which, page):
    pdf = request.getfixturevalue(f"seed_{which}").written["print"]
    got = render(pdf, page)
    ref_path = REF / f"seed-{which}-p{page}.png"
    if os.environ.get("KANWU_UPDATE_REFERENCES") or not ref_path.exists():
        REF.mkdir(exist_ok=True)
        got.save(ref_path, optimize=True)
        if not os.environ.get("KANWU_UPDATE_REFERENCES"):
            pytest.skip(f"reference {ref_path.name} was missing and has been made: look at it and commit it")
    ref = Image.open(ref_path).convert("L")
    assert got.size == ref.size, "page size changed"
    diff = ImageStat.Stat(ImageChops.difference(got, ref)).mean[0]
    assert diff <= TOLERANCE, f"page differs from {ref_path.name} by {diff:.2f} grey levels on average"
