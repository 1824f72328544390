"""Layout folders: ``layouts/<name>/layout.yaml`` plus templates and CSS.

A layout may say ``extends: <parent>``; its settings are merged over the
parent's (mappings deeply, everything else replaced) and a template it lacks
is taken from the parent. An office copies a folder and changes it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..errors import KanwuError, Pos
from ..profiles import PROFILES
from ..schema import MAX_VALUES
from ..sources import read_source
from ..units import to_pt
from .check import check_grid, check_layout, check_name, layout_files

BUILTIN = Path(__file__).resolve().parents[3] / "layouts"


def search_path(issue_dir: Path | None = None) -> list[Path]:
    """Where layout folders are looked for, first match wins.

    The issue's own ``layouts/`` (and its parent's, for the usual
    ``issues/`` + ``layouts/`` checkout), ``$KANWU_LAYOUTS``, the working
    directory's ``layouts/``, then the layouts that ship with kanwu.
    """
    dirs: list[Path] = []
    if issue_dir is not None:
        dirs += [issue_dir / "layouts", issue_dir.parent / "layouts"]
    dirs += [Path(p) for p in os.environ.get("KANWU_LAYOUTS", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "layouts", BUILTIN]
    seen, out = set(), []
    for d in dirs:
        r = d.resolve()
        if r not in seen and r.is_dir():
            seen.add(r)
            out.append(r)
    return out


@dataclass(frozen=True)
class FontRole:
    """A font role (body, headline, kai...): families in order of preference."""

    families: tuple[str, ...]
    """Family names; the first found (in ``fonts/`` or on the system) is used."""
    weight: int = 400
    """CSS weight: 400 regular, 700 bold."""


@dataclass(frozen=True)
class Layout:
    """A resolved layout: merged settings and the chain of folders for templates."""

    name: str
    """The folder name."""
    folders: tuple[Path, ...]
    """This layout's folder, then its parents' (template fallback order)."""
    settings: Mapping[str, Any]
    """``layout.yaml`` merged over its parents."""
    fonts: Mapping[str, FontRole] = field(default_factory=dict)
    """Font roles by name."""
    files: Mapping[str, Path] = field(default_factory=dict)
    """Files the settings name (``print.profile``), by dotted key, resolved inside the layout's folders."""

    def get(self, dotted: str, default: Any = None) -> Any:
        """A setting by dotted path, e.g. ``page.bleed``."""
        cur: Any = self.settings
        for part in dotted.split("."):
            if not isinstance(cur, Mapping) or part not in cur:
                return default
            cur = cur[part]
        return cur

    def length(self, dotted: str, default: object = 0) -> float:
        """A length setting in points."""
        return to_pt(self.get(dotted, default))

    @property
    def page_size(self) -> tuple[float, float]:
        """Trim size in points (width, height)."""
        return self.length("page.width"), self.length("page.height")

    @property
    def type_area(self) -> tuple[float, float]:
        """Width and height of the type area (版心) in points."""
        w, h = self.page_size
        return (w - self.length("page.margin.left") - self.length("page.margin.right"),
                h - self.length("page.margin.top") - self.length("page.margin.bottom"))

    @property
    def body_size(self) -> float:
        """Body text size in points."""
        return self.length("body.size", "10.5pt")

    @property
    def leading(self) -> float:
        """Body line pitch in points (the baseline grid)."""
        return self.length("body.leading", "17pt")

    def grid(self) -> tuple[int, float, float]:
        """Columns, column width and gutter in points.

        The column width is rounded down to whole body characters so that a
        line of pure Han text fills it exactly; what is left widens the gutters.
        """
        cols = int(self.get("grid.columns", 1))
        width = self.type_area[0]
        gutter = self.length("grid.gutter", "5mm") if cols > 1 else 0.0
        size = self.body_size
        cw = int((width - gutter * (cols - 1)) / cols / size) * size
        if cols > 1:
            gutter = (width - cw * cols) / (cols - 1)
        return cols, cw, gutter

    def span_width(self, columns: int) -> float:
        """Width in points of a block spanning `columns` grid columns."""
        _, cw, gutter = self.grid()
        return columns * cw + (columns - 1) * gutter


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) else v
    return out


LAYOUT_DEPTH = 32
"""Levels a layout.yaml may nest (a shipped one has four); its values are bounded like an issue's (`MAX_VALUES`)."""


def read_settings(layout_yaml: Path) -> Any:
    """The data of a layout.yaml, read as an issue file is: size-bounded, a syntax error at its line, and at
    most `MAX_VALUES` values once aliases are expanded, `LAYOUT_DEPTH` deep (`KanwuError`, exit 2).

    Its settings are copied for the templates with the aliases expanded: a 700-byte file of nested
    aliases took minutes and gigabytes, one nested thousands deep was an internal error.
    """
    shown = str(layout_yaml)
    source = read_source(layout_yaml, shown)
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except RecursionError:
        raise KanwuError(f"{shown}: error: 嵌套层数太多 / the document is nested too deeply") from None
    except yaml.YAMLError as exc:
        raise _syntax(exc, shown) from None
    if root is None:
        return {}
    heights: dict[int, tuple[int, int]] = {}  # node → (values below it, its depth), each node counted once

    def size(node: yaml.Node, depth: int) -> tuple[int, int]:
        where = f"{shown}:{node.start_mark.line + 1}:{node.start_mark.column + 1}: error: "
        known = heights.get(id(node))
        if depth + (known[1] if known else 0) > LAYOUT_DEPTH:  # an alias of itself is never known: it ends here
            raise KanwuError(f"{where}嵌套层数太多（超过 {LAYOUT_DEPTH} 层）/ the document is nested too deeply "
                             f"(more than {LAYOUT_DEPTH} levels)")
        if known:
            return known
        kids = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else \
            node.value if isinstance(node, yaml.SequenceNode) else []
        below = [size(kid, depth + 1) for kid in kids]
        found = (1 + sum(n for n, _ in below), 1 + max((h for _, h in below), default=0))
        if found[0] > MAX_VALUES:
            raise KanwuError(f"{where}文件的内容太多（展开别名后超过 {MAX_VALUES} 个值）/ the document is too large: "
                             f"more than {MAX_VALUES} values once YAML aliases are expanded")
        heights[id(node)] = found
        return found

    size(root, 0)
    try:
        return yaml.safe_load(source)
    except yaml.YAMLError as exc:  # a tag PyYAML will not construct (``!!python/object``)
        raise _syntax(exc, shown) from None


def _syntax(exc: yaml.YAMLError, shown: str) -> KanwuError:
    mark = getattr(exc, "problem_mark", None)
    at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
    return KanwuError(f"{shown}{at}: error: YAML 语法错误 / YAML syntax error: {getattr(exc, 'problem', '') or exc}")


def _abstract(layout_yaml: Path) -> bool | None:
    """Whether a layout.yaml declares ``abstract: true`` (None when it cannot be read)."""
    try:
        data = read_settings(layout_yaml) or {}
    except KanwuError:
        return None
    return bool(data.get("abstract")) if isinstance(data, Mapping) else None


def is_abstract(name: str, issue_dir: Path | None = None) -> bool:
    """Whether the layout ``name`` resolves to is abstract (only for ``extends:``, like `base`)."""
    folder = next((d / name for d in search_path(issue_dir) if (d / name / "layout.yaml").is_file()), None)
    return folder is not None and bool(_abstract(folder / "layout.yaml"))


def available(issue_dir: Path | None = None) -> list[str]:
    """Names of all layouts that can be used (for messages and ``kanwu layouts``)."""
    names = set()
    for d in search_path(issue_dir):
        for p in d.glob("*/layout.yaml"):
            # a parent such as `base` declares itself abstract: it is only extended
            if _abstract(p) is False:
                names.add(p.parent.name)
    return sorted(n for n in names if not n.startswith("_"))


def load_layout(name: str, issue_dir: Path | None = None, pos: Pos | None = None) -> Layout:
    """Find and resolve a layout by name, following ``extends:``."""
    folders: list[Path] = []
    settings: list[Mapping[str, Any]] = []
    current: str | None = name
    while current:
        folder = next((d / current for d in search_path(issue_dir) if (d / current / "layout.yaml").is_file()), None)
        if folder is None:
            where = f"{pos}: " if pos else ""
            raise KanwuError(f"{where}error: 找不到版式 “{current}”；可用的版式：{'、'.join(available(issue_dir))} / "
                             f"unknown layout `{current}`; available: {', '.join(available(issue_dir))}")
        if folder in folders:
            raise KanwuError(f"{folder / 'layout.yaml'}: error: extends 形成循环 / `extends:` loops back to {current}")
        data = read_settings(folder / "layout.yaml") or {}
        if not isinstance(data, Mapping):
            raise KanwuError(f"{folder / 'layout.yaml'}: error: 应为键值映射 / expected a mapping")
        folders.append(folder)
        settings.append(data)
        current = data.get("extends")
        if current is not None:
            current = check_name(current, f"{folder / 'layout.yaml'}: extends")
    merged: dict[str, Any] = {}
    for data in reversed(settings):
        merged = _merge(merged, data)
    merged.pop("abstract", None)
    check_layout(merged, folders[0] / "layout.yaml")
    fonts = {role: FontRole(tuple([spec["family"]] if isinstance(spec["family"], str) else spec["family"]),
                            int(spec.get("weight", 400)))
             for role, spec in (merged.get("fonts") or {}).items()}

    files = layout_files(list(zip(folders, settings)), {"print.profile": tuple(PROFILES)})
    layout = Layout(name, tuple(folders), merged, fonts, files)
    check_grid(layout, folders[0] / "layout.yaml")
    return layout
