"""The orchestrator: one build is this list of stages.

load → text → layout → typeset → preflight → press/proof → output.
Nothing here prints; `cli.py` reports what came back.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KanwuError
from .fonts import font_dirs, resolve_fonts
from .images import inspect_issue
from .layout.html import Typesetter, date_cn, render_html
from .layout.spec import load_layout
from .load import load_issue
from .model import Issue
from .output import ensure_dir, remove_stale, write_atomic
from .preflight import Report, assess
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
          write: bool = True, proof_round: int | None = None, keep_html: bool = False) -> BuildResult:
    """Build one issue; with ``write=False`` (``kanwu check``) nothing is written.

    ``keep_html`` also writes the HTML given to WeasyPrint (for layout authors
    and the benchmark).
    """
    clock = _Clock()
    issue = load_issue(issue_file, layout)
    if not issue.layout:
        raise KanwuError(f"{issue.source_name}: error: 没有指定版式：请在文件中写 layout:，或用 --layout / no layout given")
    spec = load_layout(issue.layout, issue.root)
    issue, findings = prepare(issue)
    clock("load")
    fonts = resolve_fonts(spec, issue.root)
    images, image_findings = inspect_issue(issue)
    setter = Typesetter(spec, fonts, images)
    html = render_html(issue, spec, fonts, setter)
    clock("layout")
    from . import typeset

    rendered = typeset.render(html, issue.root, allowed_folders(issue, spec))
    clock("typeset")
    report = assess(issue, spec, rendered.placement, setter.photos, images,
                    findings + image_findings + setter.findings + rendered.findings)
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
    pdf = typeset.write_pdf(rendered, spec.get("print.variant"), identifier(issue, spec.name),
                            metadata(issue))
    clock("pdf")
    from .proof import make_proof

    proof = make_proof(pdf, report, rendered.placement, setter.photos, rendered.page_sizes[0],
                       spec.length("page.bleed"), f"{issue.publication.name.value} 第{issue.number}期",
                       date_cn(issue.date), proof_round or issue.proof_round, fonts["sans"].family)
    clock("proof")
    if report.ok:
        write_atomic(paths["print.pdf"], pdf)
        result.written["print"] = paths["print.pdf"]
    else:
        result.removed_stale_print = remove_stale(paths["print.pdf"])
    write_atomic(paths["proof.pdf"], proof)
    result.written["proof"] = paths["proof.pdf"]
    report.outputs = {k: str(v) for k, v in result.written.items()}
    report.outputs["preflight"] = str(paths["preflight.json"])
    import json

    write_atomic(paths["preflight.json"], json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode())
    result.written["report"] = paths["preflight.json"]
    clock("write")
    result.timings = clock.times
    return result


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
            "date": f"{issue.date.isoformat()}T00:00:00+08:00"}
