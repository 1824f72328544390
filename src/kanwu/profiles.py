"""The press profiles kanwu ships, by paper name (see data/icc/README.md for their origin).

Apart from `kanwu.colour`, which uses them, so that the layout loader can tell a shipped name from a
file a layout brings without importing the colour machinery.
"""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "icc"
"""Where the shipped profiles are."""
PROFILES = {"coated": "kanwu-coated-fogra39.icc", "newsprint": "kanwu-newsprint-tr002.icc"}
"""Shipped profiles by paper name."""
CONDITIONS = {"coated": "FOGRA39", "newsprint": "CGATS TR 002"}
"""The characterisation each shipped profile was made from (OutputCondition)."""
