"""The ink of a page from its separations (inkcov.page_ink): total area coverage, plates, where it is too much."""
from __future__ import annotations

import numpy as np
import pytest

from kanwu.inkcov import page_ink


def test_a_rich_black_square_is_found_where_it_is() -> None:
    plates = np.zeros((100, 80, 4), dtype=np.uint8)  # 50 dpi: 2 in by 1.6 in
    plates[10:30, 20:40] = (191, 166, 166, 255)       # 75/65/65/100 %: 305 % on 20 × 20 pixels
    plates[60:70, 0:80, 3] = 255                      # a K100 band, 100 %
    ink = page_ink(3, plates, threshold=round(302 * 2.55), dpi=50, bleed_pt=8.5)
    assert ink.page == 3 and ink.plates == ["C", "M", "Y", "K"]
    assert ink.max_tac == pytest.approx(304.3, abs=0.5)  # a quarter of the sum, in bytes: what is kept
    assert ink.over_area_mm2 == pytest.approx(400 * (25.4 / 50) ** 2, abs=0.1)
    assert ink.over_box == pytest.approx((20 * 72 / 50 - 8.5, 10 * 72 / 50 - 8.5, 20 * 72 / 50, 20 * 72 / 50))
    assert ink.coverage[3] == pytest.approx((400 + 800) * 100 / 8000, abs=0.01)


def test_a_page_within_the_limit_has_no_place_over_it() -> None:
    plates = np.zeros((50, 40, 4), dtype=np.uint8)
    plates[:, :, 1] = 128
    ink = page_ink(1, plates, threshold=round(302 * 2.55), dpi=50, bleed_pt=8.5)
    assert ink.plates == ["M"] and ink.over_box is None and ink.over_area_mm2 == 0.0
