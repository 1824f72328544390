"""Font roles: which font file sets body text, headlines, 楷体 captions...

A layout names families per role in order of preference. A font file an
office drops into a ``fonts/`` folder (its licensed 方正小标宋, 仿宋) wins over
the system fonts when its family is named; otherwise fontconfig finds the
family. Resolution is exact: the same file is measured by the composer and
embedded by WeasyPrint, and a character the role's font lacks is a finding,
never a silent fallback to whatever Pango finds.

An office's font file is checked before it is used (`check_font`): a file
that cannot be read, or whose glyphs for the issue's characters draw no
outline (damaged glyph data), is refused naming the file; it would otherwise
print as invisible text.
"""
from __future__ import annotations

import dataclasses
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from .errors import KanwuError
from .files import MAX_FONT_BYTES, problem
from .layout.spec import FontRole, Layout
from .model import Block, Text

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
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
        faces = []
        for row in _run_fc(["fc-scan", "--format", "%{file}\t%{index}\t%{family}\t%{weight}\n", str(f)]):
            try:  # a family name with a tab or a line break in it (a broken font) spoils its row
                file, index, family, weight = row
                faces.append((file, int(index), tuple(x.strip() for x in family.split(",")), int(float(weight))))
            except ValueError:
                continue
        if not faces:  # the office meant it to be used: falling back to another face silently is worse
            raise _unreadable(str(f))
        out += faces
    return tuple(out)


def forget_folders() -> None:
    """Scan the ``fonts/`` folders again on next use (a resident session saw a font file change)."""
    _scan_dir.cache_clear()


def _unreadable(path: str) -> KanwuError:
    return KanwuError(f"{path}: error: 不是可用的字体文件（文件损坏或不完整）：请换一份完好的字体，或把它移出 fonts/ / "
                      "not a readable font file (damaged or cut short): replace it or move it out of fonts/")


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


def resolve_fonts(layout: Layout, issue_dir: Path | None, text: str = "") -> dict[str, ResolvedFont]:
    """Every role of the layout; a role with no installed family is an error.

    Faces from a ``fonts/`` folder are checked (`check_font`) with `text`, the characters the issue sets.
    """
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
    for face in dict.fromkeys((f.path, f.index) for f in out.values() if f.office):
        check_font(next(f for f in out.values() if (f.path, f.index) == face), text)
    return out


PROBE = "国永中文的一是，。ABCabc0123"
"""Characters every office font for Chinese text draws, checked beside the issue's own."""
MAX_CHECKED = 200
"""At most this many characters are drawn per font (a few milliseconds)."""


def check_font(font: ResolvedFont, text: str = "") -> None:
    """Refuse a font file that cannot be read, has no character map or draws nothing.

    The characters of `text` (then `PROBE`) that the font maps are drawn with
    HarfBuzz; a visible character whose glyph has no outline would print as
    a blank (zeroed or damaged ``glyf``/``CFF`` data keeps the metrics, so
    layout looks right and nothing else notices).
    """
    import uharfbuzz as hb
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    try:
        with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
            cmap = tt.getBestCmap() or {}
    except Exception:  # noqa: BLE001 (fontTools raises any kind of error on damaged data)
        raise _unreadable(font.path) from None
    if not cmap:
        raise KanwuError(f"{font.path}: error: 字体没有字符映射表（cmap），无法使用 / the font has no character map")
    inked = [c for c in dict.fromkeys(text + PROBE) if ord(c) in cmap and unicodedata.category(c)[0] not in "ZC"]
    hbfont = hb.Font(hb.Face(hb.Blob.from_file_path(font.path), font.index))
    blank = []
    for ch in inked[:MAX_CHECKED]:
        pen = BoundsPen(None)
        gid = hbfont.get_nominal_glyph(ord(ch))
        if gid:
            hbfont.draw_glyph_with_pen(gid, pen)
        if pen.bounds is None or pen.bounds[2] <= pen.bounds[0] or pen.bounds[3] <= pen.bounds[1]:
            blank.append(ch)
    if blank:
        shown = " ".join(blank[:8]) + (" …" if len(blank) > 8 else "")
        raise KanwuError(f"{font.path}: error: 字体文件损坏：字符 {shown} 画不出字形，印出来会是空白；请换一份完好的字体文件 / "
                         f"the font's glyphs draw nothing for {shown} (damaged glyph data): the text would print "
                         "invisible; replace the font file")


def issue_text(node: Any) -> str:
    """Every character the issue (or a part of it) sets, each once, in order of first use."""
    return "".join(dict.fromkeys("".join(_strings(node))))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, Text):
        yield node.value
    elif isinstance(node, Block):
        yield node.text
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from _strings(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _strings(getattr(node, f.name))


def font_face_css(fonts: Mapping[str, ResolvedFont], url: Callable[[Path], str] = Path.as_uri) -> str:
    """@font-face rules for the roles whose face comes from a fonts/ folder (`url` names the file)."""
    rules = []
    for f in fonts.values():
        if f.office:
            rules.append(f'@font-face {{ font-family: "{f.family}"; src: url("{url(Path(f.path))}"); '
                         f"font-weight: {f.weight}; }}")
    return "\n".join(dict.fromkeys(rules))
