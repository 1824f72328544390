"""Validation of a merged ``layout.yaml``: an office edits these files by hand.

Every problem is collected and reported at once, naming the layout file and
the key, so a typo in a copied layout is an input error (exit 2), never a
crash deep inside the renderer.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence

from ..errors import Finding, KanwuError, Pos
from ..units import to_pt
from ..userpath import LAYOUT_FOLDER, Refused, resolve_inside

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
LENGTHS = ("page.width", "page.height", "page.bleed", "page.margin.top", "page.margin.bottom",
           "page.margin.left", "page.margin.right", "grid.gutter", "body.size", "body.leading",
           "heading.size", "headline.size", "headline.lead_size")
PATH_KEYS = ("print.profile",)
"""Settings that may name a file in the layout's folder (a value among the key's built-in names is not a path)."""


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
