"""The press package: one zip for the printer, the same bytes for the same input.

It holds the print PDF (and the imposed sheets when built), the preflight
report in Chinese as Markdown, a README for the printer (trim, bleed, paper
and profile, colours, page count, ink) and ``SHA256SUMS`` over all of them.
Zip entries are sorted and dated with the issue date, so two builds give
byte-identical packages that printers and editors can compare by checksum.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Sequence

from .colour import OutputProfile
from .inkcov import PageInk
from .layout.spec import Layout
from .preflight import Report
from .press import PressSettings
from .units import mm

LEVELS = {"error": "错误", "warning": "提示"}


def report_md(report: Report) -> str:
    """The preflight report for people, in Chinese."""
    errors = sum(f.level == "error" for f in report.findings)
    lines = [f"# 印前检查报告：{report.issue}", "",
             f"- 版式：{report.layout}", f"- 页数：{report.pages}",
             f"- 结论：{'通过，可以印刷' if report.ok else f'有 {errors} 个错误，不能印刷'}", "", "## 检查结果", ""]
    if not report.findings:
        lines.append("没有发现问题。")
    for f in report.findings:
        where = str(f.pos) if f.pos else (f"第{f.page}页" if f.page else "")
        text = f.message.split(" / ")[0]
        lines.append(f"- **{LEVELS.get(f.level, f.level)}**（{f.code}）{where}：{text}")
    lines += ["", "## 稿件", "", "| 稿件 | 版面 | 字数 | 超出行数 |", "|---|---|---|---|"]
    for s in report.stories:
        lines.append(f"| {s['headline']} | {s.get('page') or '—'} | {s['characters']} | {s['overset_lines']} |")
    return "\n".join(lines) + "\n"


def readme(stem: str, report: Report, layout: Layout, profile: OutputProfile, press: PressSettings,
           inks: Sequence[PageInk], imposed: bool) -> str:
    """What the printer needs to know, without a phone call."""
    w, h = layout.page_size
    plates = sorted({p for ink in inks for p in ink.plates}, key="CMYK".index) or list("CMYK")
    variant = press.variant.upper().replace("PDF/X-1A", "PDF/X-1a")
    lines = [
        f"# 印刷说明 / For the printer: {stem}", "",
        f"- 文件 / file: `{stem}.print.pdf`（{variant}）",
        f"- 页数 / pages: {report.pages}",
        f"- 成品尺寸 / trim: {mm(w):.0f} × {mm(h):.0f} mm（TrimBox）",
        f"- 出血 / bleed: {mm(press.bleed):.0f} mm（BleedBox = 成品 + {mm(press.bleed):.0f} mm）",
        f"- 纸张 / paper: {profile.paper}；色彩特性 / output profile: {profile.description}"
        f"（{profile.condition}，已嵌入为 OutputIntent）",
        f"- 颜色 / colours: 四色印刷 CMYK，用到的色版 / plates used: {' '.join(plates)}；正文单黑 K100；"
        "无 RGB、无专色 / no RGB, no spot colours",
        f"- 总墨量上限 / ink limit: {layout.get('print.ink_limit', 300)}%；实测每页最高 / measured maximum per page: "
        + ("、".join(f"第{i.page}页 {i.max_tac:.0f}%" for i in inks) or "未测 / not measured")
        + "（图片与色块；文字为其填色）",
        f"- 图片最低分辨率 / minimum image resolution: {layout.get('print.min_ppi', 300)} ppi（按版面尺寸）",
        "- 字体 / fonts: 全部嵌入并子集化 / all embedded and subset",
        "- 裁切标记 / marks: " + ("角线、套准标记、色标与页脚信息在出血之外（套准色 /All）"
                                 if press.marks else "无（请印厂自加）/ none, add your own"),
    ]
    if imposed:
        lines.append(f"- 拼版 / imposition: `{stem}.imposed.pdf`，骑马订对开（页数补足为 4 的倍数）/ saddle-stitch "
                     "2-up sheets, page count padded to a multiple of 4")
    lines += ["", "`SHA256SUMS` 列出每个文件的校验和：`sha256sum -c SHA256SUMS`。",
              "Check the files with `sha256sum -c SHA256SUMS`.", ""]
    return "\n".join(lines)


def press_package(stem: str, pdf: bytes, report: Report, layout: Layout, profile: OutputProfile,
                  press: PressSettings, inks: Sequence[PageInk], date: dt.date, imposed: bytes | None) -> bytes:
    """The zip's bytes (`imposed`: the imposed sheets of this same build, if made)."""
    files: dict[str, bytes] = {f"{stem}.print.pdf": pdf}
    if imposed is not None:
        files[f"{stem}.imposed.pdf"] = imposed
    files[f"{stem}.印前检查报告.md"] = report_md(report).encode()
    files["README-印刷说明.md"] = readme(stem, report, layout, profile, press, inks, imposed is not None).encode()
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()))
    files["SHA256SUMS"] = sums.encode()
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            entry = zipfile.ZipInfo(f"{stem}/{name}", date_time=stamp)
            entry.external_attr = 0o644 << 16
            entry.flag_bits |= 0x800  # UTF-8 names (Chinese file names)
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, files[name])
    return buf.getvalue()
