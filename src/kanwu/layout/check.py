"""Validation of a merged ``layout.yaml``: an office edits these files by hand.

Every problem is collected and reported at once, naming the layout file and
the key, so a typo in a copied layout is an input error (exit 2), never a
crash deep inside the renderer.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence

from ..errors import Finding, KanwuError, Pos
from ..units import MM, to_pt
from ..userpath import LAYOUT_FOLDER, Refused, resolve_inside

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SIZE = (4.0, 300.0)
LENGTHS: dict[str, tuple[float, float]] = {
    "page.width": (20 * MM, 1500 * MM), "page.height": (20 * MM, 1500 * MM), "page.bleed": (0.0, 20 * MM),
    "page.margin.top": (0.0, 1500 * MM), "page.margin.bottom": (0.0, 1500 * MM),
    "page.margin.left": (0.0, 1500 * MM), "page.margin.right": (0.0, 1500 * MM), "grid.gutter": (0.0, 1500 * MM),
    "body.size": (4.0, 72.0), "body.leading": (4.0, 200.0), "heading.size": _SIZE, "headline.size": _SIZE,
    "headline.lead_size": _SIZE, "kicker.size": _SIZE, "subheadline.size": _SIZE, "tag.size": _SIZE,
    "tag.gap": (0.0, 100 * MM), "headline.gap": (0.0, 100 * MM)}
"""Lengths a layout may set, with their range in pt (a page up to 1.5 m, text from 4 pt)."""
WHOLE: dict[str, tuple[int, int]] = {
    "makeup.module_gap": (0, 10), "makeup.min_jump_lines": (0, 200), "makeup.keep_lines": (0, 20),
    "makeup.page_multiple": (1, 16), "masthead.lines": (0, 200), "headline.max_lines": (1, 10),
    "photos.columns": (1, 12)}
"""Whole-number settings of page makeup and their ranges (masthead.lines is further bounded by the grid)."""
NUMBERS: dict[str, tuple[float, float]] = {
    "makeup.min_fill": (0, 1), "headline.line_height": (0.5, 5), "kicker.line_height": (0.5, 5),
    "subheadline.line_height": (0.5, 5), "tag.line_height": (0.5, 5), "photos.crop": (0, 0.9),
    "photos.max_share": (0, 1), "photos.aspect": (0.1, 10), "print.min_ppi": (1, 2400), "print.max_ppi": (1, 4800),
    "print.ink_limit": (100, 400), "body.indent": (0, 4), "body.quote_indent": (0, 10), "heading.indent": (0, 10)}
"""Numbers (shares, line heights, indents in characters, resolutions, ink) and their ranges."""
COST = ("fill", "order", "shape", "pictures", "headlines", "copyfit", "breaks", "balance")
"""The terms of ``makeup.cost`` (`kanwu.makeup.grid.CostWeights`), each weighted 0–100."""
VARIANTS = {"x-4": "pdf/x-4", "x-1a": "pdf/x-1a", "pdf/x-4": "pdf/x-4", "pdf/x-1a": "pdf/x-1a"}
"""``print.variant`` (and ``--pdfx``) as written → the PDF/X variant."""
CHOICES: dict[str, tuple[object, ...]] = {
    "makeup.builder": ("flow", "modular"), "heading.align": ("center", "left"), "print.variant": tuple(VARIANTS),
    "grid.rules": (True, False), "print.marks": (True, False)}
"""Settings that take one of a few values."""
MIN_CHARS = 4
"""A grid column holds at least this many body characters (a heading or quotation indent leaves two)."""
MAX_LINES = 300
"""Grid lines a page may have at most (page makeup's work grows with the square of them)."""
PATH_KEYS = ("print.profile",)
"""Settings that may name a file in the layout's folder (a value among the key's built-in names is not a path)."""


def _get(data: Mapping[str, Any], dotted: str) -> Any:
    cur: Any = data
    for part in dotted.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:30] + "…"


def _number(value: object) -> float | None:
    """A finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _length_error(key: str, value: object, lo: float, hi: float) -> str | None:
    try:
        pt = to_pt(value)
    except ValueError:
        pt = math.nan
    if math.isfinite(pt) and lo <= pt <= hi:
        return None
    return (f"{key}: “{_shown(value)}” 应为 {lo:g}–{hi:g}pt 之间的长度，写如 297mm、10.5pt / must be a length from "
            f"{lo:g} to {hi:g} pt (e.g. 297mm, 10.5pt)")


def _settings_errors(merged: Mapping[str, Any]) -> list[str]:
    """Every out-of-range or mistyped setting page makeup, the text and the press stage read."""
    errors: list[str] = []
    for key, (lo, hi) in LENGTHS.items():
        value = _get(merged, key)
        error = _length_error(key, value, lo, hi) if value is not None else None
        errors += [error] if error else []
    scale = _get(merged, "headline.scale")
    if scale is not None and not (isinstance(scale, list) and 1 <= len(scale) <= 20
                                  and not any(_length_error("", s, *_SIZE) for s in scale)):
        errors.append(f"headline.scale: “{_shown(scale)}” 应为字号列表，每个 {_SIZE[0]:g}–{_SIZE[1]:g}pt，如 [30pt, 26pt, "
                      f"22pt] / must be a list of sizes from {_SIZE[0]:g} to {_SIZE[1]:g} pt")
    for key, (lo, hi) in WHOLE.items():
        value = _get(merged, key)
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi):
            errors.append(f"{key}: “{_shown(value)}” 应为 {lo}–{hi} 的整数 / must be a whole number from {lo} to {hi}")
    for key, (lo, hi) in NUMBERS.items():
        value = _get(merged, key)
        number = _number(value)
        if value is not None and (number is None or not lo <= number <= hi):
            errors.append(f"{key}: “{_shown(value)}” 应为 {lo:g}–{hi:g} 之间的数 / must be a number from {lo:g} to {hi:g}")
    cost = _get(merged, "makeup.cost")
    if cost is not None and not isinstance(cost, Mapping):
        errors.append(f"makeup.cost: 应为各项权重的映射，如 {{fill: 0.25}} / must be a mapping of weights: "
                      f"{', '.join(COST)}")
    for term, value in (cost.items() if isinstance(cost, Mapping) else ()):
        number = _number(value)
        if term not in COST:
            errors.append(f"makeup.cost.{_shown(term)}: 不认识的权重，可用 {'、'.join(COST)} / unknown weight; the "
                          f"weights are {', '.join(COST)}")
        elif number is None or not 0 <= number <= 100:
            errors.append(f"makeup.cost.{term}: “{_shown(value)}” 应为 0–100 之间的数 / must be a number from 0 to 100")
    for key, choices in CHOICES.items():
        value = _get(merged, key)
        if value is not None and (isinstance(value, (int, float)) and not isinstance(value, bool)
                                  or value not in choices):
            shown = "、".join(str(c).lower() for c in choices)
            errors.append(f"{key}: “{_shown(value)}” 应为 {shown} 之一 / must be one of: {shown.replace('、', ', ')}")
    return errors


def check_layout(merged: Mapping[str, Any], file: Path) -> None:
    """Raise `KanwuError` listing every invalid setting of a layout."""
    errors = _settings_errors(merged)
    for key in ("page.width", "page.height", "body.size", "body.leading"):
        if _get(merged, key) is None:
            errors.append(f"{key}: 缺少 / missing")
    cols = _get(merged, "grid.columns")
    if cols is not None and (isinstance(cols, bool) or not isinstance(cols, int) or not 1 <= cols <= 12):
        errors.append(f"grid.columns: “{cols}” 应为 1–12 的整数 / must be a whole number from 1 to 12")
    palette = merged.get("palette") or {}
    if not isinstance(palette, Mapping):
        errors.append("palette: 应为颜色名到 [C, M, Y, K] 的映射 / must map colour names to [C, M, Y, K]")
        palette = {}
    for name, value in palette.items():
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


def check_grid(layout: Any, file: Path) -> None:
    """Raise `KanwuError` when a layout's page (a `kanwu.layout.spec.Layout`, which imports this module) has
    no room for its grid: every column at least `MIN_CHARS` body characters wide (with the heading's and
    quotation's indents inside it), between 4 and `MAX_LINES` grid lines, the masthead at most half of them."""
    errors: list[str] = []
    width, height = layout.type_area
    size = layout.body_size
    if width <= 0 or height <= 0:
        errors.append(f"page.margin: 页边距大于页面，版心为 {width:.0f}×{height:.0f}pt / the margins leave no type area")
    else:
        cols, cw, _ = layout.grid()
        chars = round(cw / size)
        lines = int(height / layout.leading + 1e-6)
        if chars < MIN_CHARS:
            errors.append(f"grid.columns、grid.gutter、page.margin、body.size: 每栏只容 {chars} 个正文字，至少要 {MIN_CHARS} 个 / "
                          f"a column of the {cols}-column grid holds {chars} body characters; it must hold {MIN_CHARS}")
        else:
            heading = float(layout.get("heading.indent", 0)) * layout.length("heading.size", size)
            if float(layout.get("body.quote_indent", 2)) > chars - 2:
                errors.append(f"body.quote_indent: 引文缩进后每栏不足两字（每栏 {chars} 字）/ leaves less than two "
                              f"characters of a {chars}-character column")
            if heading > cw - 2 * layout.length("heading.size", size):
                errors.append(f"heading.indent: 小标题缩进后每栏不足两字（每栏 {chars} 字）/ leaves less than two "
                              f"heading characters of a {chars}-character column")
        if not 4 <= lines <= MAX_LINES:
            errors.append(f"body.leading、page.height: 版心有 {lines} 行，应为 4–{MAX_LINES} 行 / the type area holds "
                          f"{lines} grid lines; it must hold 4 to {MAX_LINES}")
        masthead = layout.get("masthead.lines")
        if isinstance(masthead, int) and masthead > lines // 2:
            errors.append(f"masthead.lines: 报头占 {masthead} 行，超过版心 {lines} 行的一半 / the masthead may take at most "
                          f"half of the {lines} grid lines")
    if errors:
        raise KanwuError([Finding("error", "bad-layout", e, Pos(str(file))) for e in errors])


def layout_files(chain: Sequence[tuple[Path, Mapping[str, Any]]],
                 builtin: Mapping[str, Collection[str]]) -> dict[str, Path]:
    """The files the `PATH_KEYS` settings name, by key; raise `KanwuError` naming the layout.yaml and the key.

    `chain` is (folder, its own layout.yaml data), the layout first, then
    its parents. The nearest layout.yaml that sets a key wins (as in the
    merge); its path is resolved in that layout's folder or, failing that,
    its parents' (as a missing template is), and never leads out of it:
    the same rules as for an issue's paths (`kanwu.userpath`).
    """
    files: dict[str, Path] = {}
    errors: list[Finding] = []
    for key in PATH_KEYS:
        at = next((i for i, (_, data) in enumerate(chain) if _get(data, key) is not None), None)
        if at is None:
            continue
        value, where = _get(chain[at][1], key), Pos(str(chain[at][0] / "layout.yaml"))
        names = tuple(builtin.get(key, ()))
        if isinstance(value, str) and value in names:
            continue
        hint = (f"{key} 可写 {'、'.join(names)} 或版式文件夹里的文件 / {key} may be {', '.join(names)} or a file "
                "in the layout's folder" if names else f"{key} 应为版式文件夹里的文件 / {key} names a file in the "
                "layout's folder")
        if not isinstance(value, str) or not value.strip():
            errors.append(Finding("error", "bad-layout", f"{key}: “{value}” 不是文件名 / not a file name. {hint}", where))
            continue
        first: Refused | None = None
        for folder, _ in chain[at:]:
            try:
                path = resolve_inside(value, folder.resolve(), LAYOUT_FOLDER)
            except Refused as exc:
                first = first or exc
                if exc.code != "missing-file":
                    break  # outside the folder: never look further
                continue
            if path is not None:
                files[key] = path
                break
        if key not in files and first is not None:
            errors.append(Finding("error", "bad-layout", f"{key}: {first.message}"
                                  f"{'. ' + hint if first.code == 'missing-file' else ''}", where))
    if errors:
        raise KanwuError(errors)
    return files


def check_name(name: object, where: str) -> str:
    """A layout name as written in ``extends:`` or ``layout:``: a folder name, never a path."""
    if not isinstance(name, str) or not NAME.match(name):
        raise KanwuError(f"{where}: error: 版式名 “{name}” 应为文件夹名（字母、数字、-、_），不能是路径 / "
                         "a layout is named by its folder name, not by a path")
    return name
