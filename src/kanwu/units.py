"""Lengths as editors and printers write them: ``297mm``, ``10.5pt``, ``2em``."""
from __future__ import annotations

import re

_LEN = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(mm|cm|pt|pc|in|px|q)?\s*$")
_PER = {"mm": 72 / 25.4, "cm": 720 / 25.4, "pt": 1.0, "pc": 12.0, "in": 72.0, "px": 0.75, "q": 72 / 25.4 / 4, None: 1.0}


def to_pt(value: object) -> float:
    """A length in points; a bare number is points. Raises ValueError on anything else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    m = _LEN.match(str(value))
    if not m:
        raise ValueError(f"not a length: {value!r} (expected e.g. 297mm, 10.5pt)")
    return float(m.group(1)) * _PER[m.group(2)]


MM = _PER["mm"]
"""Points in a millimetre."""


def mm(pt: float) -> float:
    """Points to millimetres."""
    return pt * 25.4 / 72
