"""Validation of a merged ``layout.yaml``: an office edits these files by hand.

Every problem is collected and reported at once, naming the layout file and
the key, so a typo in a copied layout is an input error (exit 2), never a
crash deep inside the renderer.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from ..errors import Finding, KanwuError, Pos
from ..units import to_pt

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
LENGTHS = ("page.width", "page.height", "page.bleed", "page.margin.top", "page.margin.bottom",
           "page.margin.left", "page.margin.right", "grid.gutter", "body.size", "body.leading",
           "heading.size", "headline.size", "headline.lead_size")


def _get(data: Mapping[str, Any], dotted: str) -> Any:
    cur: Any = data
    for part in dotted.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def check_layout(merged: Mapping[str, Any], file: Path) -> None:
    """Raise `KanwuError` listing every invalid setting of a layout."""
    errors: list[str] = []
    for key in LENGTHS:
        value = _get(merged, key)
        if value is None:
            continue
        try:
            if to_pt(value) < 0:
                raise ValueError
        except ValueError:
            errors.append(f"{key}: “{value}” 不是长度，应写如 297mm、10.5pt / not a length (e.g. 297mm, 10.5pt)")
    for key in ("page.width", "page.height", "body.size", "body.leading"):
        if _get(merged, key) is None:
            errors.append(f"{key}: 缺少 / missing")
    cols = _get(merged, "grid.columns")
    if cols is not None and (isinstance(cols, bool) or not isinstance(cols, int) or not 1 <= cols <= 12):
        errors.append(f"grid.columns: “{cols}” 应为 1–12 的整数 / must be a whole number from 1 to 12")
    for name, value in (merged.get("palette") or {}).items():
        if not (isinstance(value, list) and len(value) == 4
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100 for v in value)):
            errors.append(f"palette.{name}: 应为 [C, M, Y, K] 四个 0–100 的百分数 / must be [C, M, Y, K] in percent")
    fonts = merged.get("fonts") or {}
    if not isinstance(fonts, Mapping) or "body" not in fonts:
        errors.append("fonts.body: 缺少正文字体 / the body font role is missing")
    else:
        for role, spec in fonts.items():
            fam = spec.get("family") if isinstance(spec, Mapping) else None
            ok = isinstance(fam, str) or (isinstance(fam, list) and fam and all(isinstance(f, str) for f in fam))
            weight = spec.get("weight", 400) if isinstance(spec, Mapping) else None
            if not ok:
                errors.append(f"fonts.{role}.family: 应为字体名或字体名列表 / a family name or a list of them")
            if not isinstance(weight, int) or isinstance(weight, bool) or not 100 <= weight <= 900:
                errors.append(f"fonts.{role}.weight: 应为 100–900 的整数 / a weight from 100 to 900")
    if errors:
        raise KanwuError([Finding("error", "bad-layout", f"{e}", Pos(str(file))) for e in errors])


def check_name(name: object, where: str) -> str:
    """A layout name as written in ``extends:`` or ``layout:``: a folder name, never a path."""
    if not isinstance(name, str) or not NAME.match(name):
        raise KanwuError(f"{where}: error: 版式名 “{name}” 应为文件夹名（字母、数字、-、_），不能是路径 / "
                         "a layout is named by its folder name, not by a path")
    return name
