"""Font roles: which font file sets body text, headlines, 楷体 captions...

A layout names families per role in order of preference. A font file an
office drops into a ``fonts/`` folder (its licensed 方正小标宋, 仿宋) wins over
the system fonts when its family is named; otherwise fontconfig finds the
family. Resolution is exact: the same file is measured by the composer and
embedded by WeasyPrint, and a character the role's font lacks is a finding,
never a silent fallback to whatever Pango finds.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from .errors import KanwuError
from .files import problem
from .layout.spec import FontRole, Layout

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
MAX_FONT_BYTES = 256_000_000
"""Font files over this are refused (the largest CJK collections, all weights in one file, are ~130 MB)."""
MAX_FONT_FILES = 200
"""Font files one ``fonts/`` folder may hold (an office has a handful)."""
BUILTIN_FONTS = Path(__file__).resolve().parents[2] / "fonts"
# fontconfig weights: regular 80, medium 100, semibold 180, bold 200
_FC_WEIGHT = {100: 0, 200: 40, 300: 50, 400: 80, 500: 100, 600: 180, 700: 200, 800: 205, 900: 210}


@dataclass(frozen=True)
class ResolvedFont:
    """The one face a role uses."""

    role: str
    """Role name in the layout (body, headline, kai...)."""
    family: str
    """The family name CSS uses for it."""
    path: str
    """The font file."""
    index: int
    """The face index in a collection (.ttc)."""
    weight: int
    """CSS weight."""
    office: bool
    """True when it comes from a ``fonts/`` folder (needs an @font-face rule)."""


def font_dirs(issue_dir: Path | None) -> list[Path]:
    """``fonts/`` folders that may hold an office's own fonts, first wins."""
    dirs = []
    if issue_dir is not None:
        dirs += [issue_dir / "fonts", issue_dir.parent / "fonts"]
    dirs += [Path.cwd() / "fonts", BUILTIN_FONTS]
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in out:
            out.append(d.resolve())
    return out


def _run_fc(args: list[str]) -> list[list[str]]:
    try:
        res = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        raise KanwuError("error: 找不到 fontconfig（fc-list）：请运行 make demo 安装依赖 / fontconfig is missing") from None
    return [line.split("\t") for line in res.stdout.splitlines() if line.strip()]


@lru_cache(maxsize=64)
def _scan_dir(folder: str) -> tuple[tuple[str, int, tuple[str, ...], int], ...]:
    """(file, index, families, fc weight) for every face in a fonts/ folder."""
    files = sorted(f for f in Path(folder).iterdir() if f.suffix.lower() in FONT_SUFFIXES)
    if len(files) > MAX_FONT_FILES:  # each costs a fc-scan process
        raise KanwuError(f"{folder}: error: 字体文件太多（{len(files)} 个，最多 {MAX_FONT_FILES} 个）/ too many font files "
                         f"({len(files)}; the limit is {MAX_FONT_FILES}): keep the fonts the layouts use")
    out = []
    for f in files:
        why = problem(f, MAX_FONT_BYTES)  # fc-scan would block on a FIFO, read a device forever
        if why:
            raise KanwuError(f"{f}: error: 字体文件无法使用 / unusable font file: {why}")
        for row in _run_fc(["fc-scan", "--format", "%{file}\t%{index}\t%{family}\t%{weight}\n", str(f)]):
            try:  # a family name with a tab or a line break in it (a broken font) spoils its row
                file, index, family, weight = row
                out.append((file, int(index), tuple(x.strip() for x in family.split(",")), int(float(weight))))
            except ValueError:
                continue
    return tuple(out)


@lru_cache(maxsize=64)
def _system(family: str) -> tuple[tuple[str, int, int], ...]:
    rows = _run_fc(["fc-list", "--format", "%{file}\t%{index}\t%{weight}\n", f":family={family}"])
    return tuple((file, int(index), int(float(weight))) for file, index, weight in rows)


def _closest(cands: list[tuple[str, int, int]], weight: int) -> tuple[str, int, int] | None:
    want = _FC_WEIGHT.get(weight, 80)
    return min(cands, key=lambda c: (abs(c[2] - want), c[0], c[1])) if cands else None


def resolve_role(role: str, spec: FontRole, issue_dir: Path | None) -> ResolvedFont | None:
    """The face for one role, or None when no named family is installed."""
    for family in spec.families:
        office = [(f, i, w) for d in font_dirs(issue_dir) for f, i, fams, w in _scan_dir(str(d))
                  if family.lower() in (x.lower() for x in fams)]
        hit = _closest(office, spec.weight)
        if hit:
            return ResolvedFont(role, family, hit[0], hit[1], spec.weight, True)
        hit = _closest(list(_system(family)), spec.weight)
        if hit:
            return ResolvedFont(role, family, hit[0], hit[1], spec.weight, False)
    return None


def resolve_fonts(layout: Layout, issue_dir: Path | None) -> dict[str, ResolvedFont]:
    """Every role of the layout; a role with no installed family is an error."""
    out, missing = {}, []
    for role, spec in layout.fonts.items():
        found = resolve_role(role, spec, issue_dir)
        if found is None:
            missing.append(f"{role}（{'、'.join(spec.families)}）")
        else:
            out[role] = found
    if missing:
        raise KanwuError(f"{layout.folders[0] / 'layout.yaml'}: error: 找不到字体 / no installed font for role(s): "
                         f"{'; '.join(missing)}. 把字体文件放进 fonts/ 或运行 make demo 安装 Noto CJK / "
                         "put the font file in fonts/ or install fonts-noto-cjk")
    return out


def font_face_css(fonts: Mapping[str, ResolvedFont], url: Callable[[Path], str] = Path.as_uri) -> str:
    """@font-face rules for the roles whose face comes from a fonts/ folder (`url` names the file)."""
    rules = []
    for f in fonts.values():
        if f.office:
            rules.append(f'@font-face {{ font-family: "{f.family}"; src: url("{url(Path(f.path))}"); '
                         f"font-weight: {f.weight}; }}")
    return "\n".join(dict.fromkeys(rules))
