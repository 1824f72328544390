"""The orchestrator: one build is this list of stages.

load → text → layout → typeset → preflight → press/proof → output.
Nothing here prints; `cli.py` reports what came back.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from .colour import output_profile, prepare_images, with_profile
from .errors import KanwuError
from .fonts import font_dirs, resolve_fonts
from .images import inspect_issue
from .layout.html import Typesetter, date_cn, render_html
from .layout.spec import load_layout
from .load import load_issue
from .model import Issue
from .output import ensure_dir, remove_stale, write_atomic
from .preflight import Report, assess, order
from .proof import ProofInfo
from .rounds import compare, read_snapshot, snapshot, story_pages
from .text.prepare import prepare


@dataclass
class BuildResult:
    """What a build or check produced."""

    report: Report
    """The preflight report."""
    written: dict[str, Path] = field(default_factory=dict)
    """Output kind (print, proof, report) → path."""
    removed_stale_print: bool = False
    """True when an older print PDF was removed because this build has errors."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage."""

    @property
    def exit_code(self) -> int:
        """0 clean (or warnings only), 1 preflight errors."""
        return 0 if self.report.ok else 1


class _Clock:
    def __init__(self) -> None:
        self.t, self.times = time.perf_counter(), {}

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.times[stage] = round(now - self.t, 3)
        self.t = now


def build(issue_file: str | Path, out_dir: str | Path | None = "out", layout: str | None = None,
          write: bool = True, proof_round: int | None = None, keep_html: bool = False,
          since: str | Path | None = None, show_normalized: bool = False, png: bool = True,
          pdfx: str | None = None, marks: bool | None = None, impose: bool = False,
          package: bool = False) -> BuildResult:
    """Build one issue; with ``write=False`` (``kanwu check``) nothing is written.

    ``since`` names an earlier proof to compare with (its embedded snapshot);
    ``show_normalized`` marks normalised punctuation on the proof; ``png``
    writes page previews and a contact sheet.

    ``keep_html`` also writes the HTML given to WeasyPrint (for layout authors
    and the benchmark).

    ``pdfx`` (``x-4``/``x-1a``) and ``marks`` override the layout's ``print:``
    settings; ``impose`` also writes ``<stem>.imposed.pdf`` (printer's sheets),
    ``package`` a ``<stem>.press.zip`` for the printer.
    """
    clock = _Clock()
    issue = load_issue(issue_file, layout)
    if not issue.layout:
        raise KanwuError(f"{issue.source_name}: error: 没有指定版式：请在文件中写 layout:，或用 --layout / no layout given")
    spec = load_layout(issue.layout, issue.root)
    issue, findings = prepare(issue)
    findings = [*issue.warnings, *findings]  # placed twice, on no page
    earlier = read_snapshot(since) if since else None
    clock("load")
    fonts = resolve_fonts(spec, issue.root)
    images, image_findings = inspect_issue(issue)
    setter = Typesetter(spec, fonts, images)
    html = render_html(issue, spec, fonts, setter)
    clock("layout")
    profile = output_profile(spec)
    html, colour_findings, cache = prepare_images(html, setter.photos, images, spec, profile)
    html = with_profile(html, profile)
    clock("colour")
    from . import typeset

    rendered = typeset.render(html, issue.root, [*allowed_folders(issue, spec), cache, profile.path.parent])
    clock("typeset")
    report = assess(issue, spec, rendered.placement, setter.photos, images,
                    findings + image_findings + setter.findings + rendered.findings + colour_findings)
    info = ProofInfo(f"{issue.publication.name.value} 第{issue.number}期", date_cn(issue.date),
                     proof_round or issue.proof_round, fonts["sans"].family)
    snap = snapshot(issue, story_pages(issue), info.round, info.built)
    changes = compare(earlier, snap, str(since)) if earlier is not None else None
    report.changes = changes.as_json() if changes else None
    result = BuildResult(report)
    if not write:
        result.timings = clock.times
        return result
    out = Path(out_dir or "out")
    ensure_dir(out)
    stem = Path(issue.source_name).stem
    if keep_html:
        write_atomic(out / f"{stem}.html", html.encode())
    paths = {k: out / f"{stem}.{k}" for k in ("print.pdf", "proof.pdf", "preflight.json")}
    from .pressflight import prepress, settings, variant

    press = settings(spec, profile, fonts, pdfx, marks)
    pdf = typeset.write_pdf(rendered, variant(spec, pdfx), identifier(issue, spec.name), metadata(issue))
    clock("pdf")
    pdf, press_findings, inks = prepress(pdf, spec, press, identifier(issue, spec.name), info.title, info.date,
                                         rendered.placement, setter.photos)
    report.findings = order(report.findings + press_findings)
    clock("press")
    from .proof import make_proof

    proof = make_proof(pdf, report, rendered.placement, setter.photos, issue, info, snap, changes,
                       show_normalized)
    clock("proof")
    if report.ok:
        write_atomic(paths["print.pdf"], pdf)
        result.written["print"] = paths["print.pdf"]
        if impose:
            from .impose import impose_pdf

            result.written["imposed"] = out / f"{stem}.imposed.pdf"
            write_atomic(result.written["imposed"], impose_pdf(pdf, press, info.title, info.date))
        if package:
            from .package import press_package

            result.written["package"] = out / f"{stem}.press.zip"
            write_atomic(result.written["package"], press_package(stem, pdf, report, spec, profile, press, inks,
                                                                  issue.date, result.written.get("imposed")))
    else:
        result.removed_stale_print = remove_stale(paths["print.pdf"])
    write_atomic(paths["proof.pdf"], proof)
    result.written["proof"] = paths["proof.pdf"]
    if png:
        result.written.update(write_previews(pdf, out, stem))
        clock("previews")
    report.outputs = {k: str(v) for k, v in result.written.items()}
    report.outputs["preflight"] = str(paths["preflight.json"])
    import json

    write_atomic(paths["preflight.json"], json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode())
    result.written["report"] = paths["preflight.json"]
    clock("write")
    result.timings = clock.times
    return result


def write_previews(pdf: bytes, out: Path, stem: str) -> dict[str, Path]:
    """``<stem>.page-N.png`` per page and ``<stem>.contact.png`` (named in the result as ``png``);
    older page images beyond the page count are removed."""
    from .previews import render_previews

    shots = render_previews(pdf)
    pages = [out / f"{stem}.page-{n}.png" for n in range(1, len(shots.pages) + 1)]
    for path, data in zip(pages, shots.pages):
        write_atomic(path, data)
    for old in out.glob(f"{stem}.page-*.png"):
        if old not in pages:
            remove_stale(old)
    write_atomic(out / f"{stem}.contact.png", shots.contact)
    return {"png": out / f"{stem}.contact.png"}


def allowed_folders(issue: Issue, spec) -> list[Path]:  # type: ignore[no-untyped-def]
    """The only folders WeasyPrint may read: the issue's, the layouts', the fonts'."""
    return [issue.root, *spec.folders, *font_dirs(issue.root)]


def identifier(issue: Issue, layout: str) -> bytes:
    """A stable PDF /ID: the same issue and layout give the same ID."""
    h = hashlib.sha256(f"{issue.path.name}|{issue.number}|{issue.date}|{layout}".encode())
    return h.hexdigest()[:32].encode()


def metadata(issue: Issue) -> dict[str, str]:
    """Document metadata; the date is the issue's, so builds are reproducible."""
    return {"title": f"{issue.publication.name.value} 第{issue.number}期",
            "author": issue.publication.editor.value if issue.publication.editor else "",
            "date": source_date() or f"{issue.date.isoformat()}T00:00:00+08:00"}


def source_date() -> str | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds convention) as an ISO date, when set."""
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat(timespec="seconds")
