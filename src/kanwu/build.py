"""The orchestrator: one build is this list of stages.

load → text → makeup → pictures → render → typeset → preflight → press/proof → output.
Nothing here prints; `cli.py` reports what came back, and shows the `Progress` a build reports
while it runs. How pages are drawn, finished and previewed is a `Stages` object: this module's
draws everything afresh; `kanwu.session` passes one that keeps unchanged pages between builds.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple

from .colour import OutputProfile, output_profile, prepare_images, profile_css
from .drawn import Expected
from .errors import Finding, KanwuError, Pos
from .files import utf8_name
from .fonts import ResolvedFont, font_dirs, issue_text, resolve_fonts
from .imagecache import ImageCache
from .images import ImageInfo, inspect_issue
from .layout.html import date_cn, render_html
from .layout.lines import DrawnPiece, DrawnText
from .layout.spec import Layout, load_layout
from .load import load_issue
from .makeup import Plan, make_plan
from .model import Issue
from .output import OutputSet, ensure_dir, remove_stale
from .preflight import Report, assess, order
from .proof import ProofInfo, source_epoch
from .rounds import compare, read_snapshot, same_issue, snapshot, story_pages
from .previews import PREVIEW_DPI, PreviewJob, Previews
from .progress import NO_PROGRESS, Progress
from .text.prepare import prepare
from .text.setter import TextSetter
from .wpext import Root, locator


@dataclass
class BuildResult:
    """What a build or check produced."""

    report: Report
    """The preflight report."""
    written: dict[str, Path] = field(default_factory=dict)
    """Output kind (print, proof, report) → path."""
    removed_stale_print: bool = False
    """True when an older print PDF was removed because this build has errors."""
    removed: list[Path] = field(default_factory=list)
    """Older printer's files removed and not written again (they would not match this build's report)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage."""
    plan: Plan | None = None
    """The makeup plan: where every story, block and picture is on its page (``kanwu serve`` marks findings)."""

    @property
    def exit_code(self) -> int:
        """0 clean (or warnings only), 1 preflight errors."""
        return 0 if self.report.ok else 1


STAGES = ("load", "makeup", "render", "typeset", "pdf+press", "proof", "previews", "write")
"""A build's stages in order, as `BuildResult.timings` and `Progress.stage` name them."""


class _Clock:
    """Times each stage as it ends and tells `progress` that the next one starts."""

    def __init__(self, progress: Progress = NO_PROGRESS) -> None:
        self.t, self.times, self.progress = time.perf_counter(), {}, progress
        progress.stage(STAGES[0])

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.times[stage] = round(now - self.t, 3)
        self.t = now
        following = STAGES[STAGES.index(stage) + 1:]
        if following:
            self.progress.stage(following[0])


class Stages:
    """How a build draws its pages, finishes them for the press and previews them: all afresh.

    `kanwu.session` passes its own (`kanwu.pagecache.CachedStages`), which
    keeps each page's drawing, ink, checks and preview between builds and
    redoes only the pages whose HTML changed; what a build returns is the same.
    """

    warm: Any = None
    """The drawing process started with the build (`kanwu.typeset.Warm`), when `start` started one."""
    shots: Any = None
    """The previews being rendered (`kanwu.previews.PreviewJob`), once the press stage started them."""

    def __init__(self, png: bool = True) -> None:
        self.png = png
        """Whether the build writes previews."""

    def start(self) -> None:
        """Called as the build starts: fork the process that will draw, so that it imports WeasyPrint while
        the issue is read and made up (`kanwu.typeset.Warm`)."""
        from . import typeset

        self.warm = typeset.Warm()

    def chunks(self, pages: int) -> int:
        """Into how many HTML documents (runs of whole pages) `pages` pages are cut: one per drawing process."""
        from . import typeset

        return typeset.workers(pages)

    def image_cache(self, write: bool, use_cache: bool) -> ImageCache:
        """Where converted pictures are looked up (and kept when `write`)."""
        return ImageCache.open(write, use_cache)

    def draw(self, html: list[str], base: Path, roots: dict[str, Root], spec: Layout, options: Any,
             drawn: Callable[[int], None], text: DrawnText) -> Any:
        """The pages drawn by WeasyPrint (`kanwu.typeset.Drawn`), with the composed lines the HTML names
        (`text`); `drawn` is told how many are done so far."""
        from . import typeset

        warm, self.warm = self.warm, None
        return typeset.draw(html, base, roots, spec, options, drawn, text, warm)

    def press(self, pdf: bytes, spec: Layout, press: Any, issue: Issue, info: ProofInfo, plan: Plan,
              report: Report) -> tuple[bytes, list[Any]]:
        """The press-ready PDF and the ink per page (`press_stage`).

        The previews start first, rendered by forked processes from the drawn pages while Ghostscript
        measures the ink: inside the trim a drawn page is its finished page (the finishing adds only
        boxes and marks outside the bleed), and each render, shrunk to `kanwu.drawn.DPI`, is what the
        blank-place check looks at: every page is rendered once. Without previews, they are rendered
        at the check's resolution only, by a forked process all the same."""
        from . import typeset
        from .drawn import DPI, blank_in

        # without previews one process renders the pages for the check: it is done before the ink
        # measurement beside it (Ghostscript, then the finishing, wait for it), which a second would slow
        shots = PreviewJob(pdf, typeset.workers(report.pages), reduce=PREVIEW_DPI // DPI) if self.png \
            else PreviewJob(pdf, 1, dpi=DPI, reduce=1, shoot=False)
        self.shots = shots if self.png else None

        def blank(_: bytes, __: Any, expected: list[Expected]) -> Any:
            def looked() -> list[Expected]:  # once the pages are rendered (the PDF is finished meanwhile)
                from PIL import Image

                return blank_in({n: Image.frombytes("RGB", *r) for n, r in enumerate(shots.rasters(), 1) if r},
                                expected)
            return looked

        return press_stage(pdf, spec, press, issue, info, plan, report, blank)

    def previews(self, pdf: bytes, report: Report) -> Any:
        """Page previews (an object whose ``result()`` gives `Previews`): those the press stage started, else
        started now from `pdf`, rendered by forked processes while the proof is made."""
        from . import typeset

        return self.shots if self.shots is not None else PreviewJob(pdf, typeset.workers(report.pages))


def build(issue_file: str | Path, out_dir: str | Path | None = "out", layout: str | None = None,
          write: bool = True, proof_round: int | None = None, keep_html: bool = False,
          since: str | Path | None = None, show_normalized: bool = False, png: bool = True,
          pdfx: str | None = None, marks: bool | None = None, impose: bool = False,
          package: bool = False, show_grid: bool = False, use_cache: bool = True,
          progress: Progress = NO_PROGRESS, stages: Stages | None = None) -> BuildResult:
    """Build one issue; with ``write=False`` (``kanwu check``) nothing is written.

    ``since`` names an earlier proof to compare with (its embedded snapshot);
    ``show_normalized`` marks normalised punctuation on the proof; ``png``
    writes page previews and a contact sheet.

    ``keep_html`` also writes the HTML given to WeasyPrint (for layout authors
    and the benchmark).

    ``pdfx`` (``x-4``/``x-1a``) and ``marks`` override the layout's ``print:``
    settings; ``impose`` also writes ``<stem>.imposed.pdf`` (printer's sheets),
    ``package`` a ``<stem>.press.zip`` for the printer; ``show_grid`` draws the baseline grid and every
    story's module on the proof.

    Converted pictures are kept in the picture cache (`kanwu.imagecache`) when
    writing and ``use_cache``; a check only reads it.

    ``progress`` is told each stage as it starts and pages as they are drawn;
    ``stages`` draws, finishes and previews the pages (default: `Stages`, all afresh).
    """
    clock = _Clock(progress)
    stages = stages or Stages(png)
    stages.start()  # an unused drawing process (the input has errors) stops when `stages` is dropped
    if write:  # its name goes into the report: refuse it before the work, not after
        utf8_name(Path(out_dir or "out"), str(out_dir or "out"))
        source_epoch()  # a wrong SOURCE_DATE_EPOCH too
    issue, spec, findings = load_stage(issue_file, layout)
    earlier = read_snapshot(since) if since else None
    findings += same_issue(earlier, issue, str(since)) if earlier is not None else []
    clock("load")
    made = makeup_stage(issue, spec)
    clock("makeup")
    from . import typeset

    chunks = stages.chunks(len(made.plan.pages))
    drawable = render_stage(issue, spec, made, stages.image_cache(write, use_cache), chunks)
    clock("render")
    from .pressflight import variant

    options = typeset.PdfOptions(variant(spec, pdfx), identifier(issue, spec.name), metadata(issue)) if write else None
    roots = named_roots(issue, spec, drawable.pictures, drawable.profile.root)
    drawn = stages.draw(drawable.html, issue.root, roots, spec, options,
                        lambda done: progress.pages(done, len(made.plan.pages)), DrawnText(made.fonts, drawable.pieces))
    clock("typeset")
    report = assess(issue, spec, made.plan, made.images,
                    findings + made.findings + made.setter.findings + drawable.findings + drawn.findings
                    + check_pages(made.plan, len(drawn.page_sizes), spec))
    report.pages = len(drawn.page_sizes)
    info = ProofInfo(f"{issue.publication.name.value} 第{issue.number}期", date_cn(issue.date),
                     proof_round or issue.proof_round,
                     (made.fonts["sans"], *(f for role, f in made.fonts.items() if role != "sans")))
    snap = snapshot(issue, story_pages(made.plan), info.round, info.built)
    changes = compare(earlier, snap, str(since)) if earlier is not None else None
    report.changes = changes.as_json() if changes else None
    result = BuildResult(report, timings=clock.times, plan=made.plan)
    if not write:
        return result
    from .pressflight import settings
    from .proof import make_proof

    press = settings(spec, drawable.profile, made.fonts, pdfx, marks)
    assert drawn.pdf is not None
    pdf, inks = stages.press(drawn.pdf, spec, press, issue, info, made.plan, report)
    clock("pdf+press")
    shots = stages.previews(pdf, report) if png else None  # rendered while the proof is made
    proof = make_proof(pdf, report, made.plan, issue, info, snap, changes, show_normalized, show_grid)
    clock("proof")
    previews = shots.result() if shots is not None else None
    clock("previews")
    files: dict[str, bytes] = {}
    if report.ok:
        files["print.pdf"] = pdf
        if impose:
            from .impose import impose_pdf

            files["imposed.pdf"] = impose_pdf(pdf, press, info.title, info.date)
        if package:
            from .package import press_package

            files["press.zip"] = press_package(Path(issue.source_name).stem, pdf, report, spec, drawable.profile, press,
                                               inks, issue.date, files.get("imposed.pdf"))
    files["proof.pdf"] = proof
    if keep_html:
        whole = drawable.html[0] if len(drawable.html) == 1 else render_stage(issue, spec, made).html[0]
        files["html"] = whole.encode()
    write_stage(result, Path(out_dir or "out"), Path(issue.source_name).stem, files, previews)
    clock("write")
    return result


def press_stage(pdf: bytes, spec: Layout, press: Any, issue: Issue, info: ProofInfo, plan: Plan,
                report: Report, blank: Any = None) -> tuple[bytes, list[Any]]:
    """The press-ready PDF (PDF/X, boxes, marks) from WeasyPrint's; its findings join the report. `blank`
    finds the blank places (`kanwu.pressflight.Blank`; default: `kanwu.pressflight.blank_on_trim`)."""
    from .pressflight import blank_on_trim, prepress

    pdf, findings, inks = prepress(pdf, spec, press, identifier(issue, spec.name), info.title, info.date, plan,
                                   report.findings, blank=blank or blank_on_trim)
    report.findings = order(report.findings + findings)
    return pdf, inks


KINDS = {"print.pdf": "print", "imposed.pdf": "imposed", "press.zip": "package", "proof.pdf": "proof",
         "html": "html"}
"""Output file suffix → its name in `BuildResult.written`."""
PRINTER = ("print.pdf", "imposed.pdf", "press.zip")
"""Suffixes of the files for the printer: only ever beside the report of the build that made them."""


def write_stage(result: BuildResult, out: Path, stem: str, files: dict[str, bytes],
                previews: Previews | None) -> None:
    """Write every output all or nothing; the report, renamed last, lists the SHA-256 of the others.

    The old report and the older printer's files are removed before anything
    new is renamed into place (`OutputSet.commit`): an old print PDF, imposed
    sheet or package never sits beside this build's report, even when the
    build is killed half way. A print PDF this build writes again is renamed
    over the old one instead (a good print PDF is never missing), and first:
    the imposed sheets and the package, which hold it, only follow it.
    """
    ensure_dir(out)
    report = result.report
    with OutputSet() as staged:  # every file complete, then all renamed together
        for suffix, data in files.items():
            result.written[KINDS[suffix]] = staged.add(out / f"{stem}.{suffix}", data)
        if previews is not None:
            result.written.update(stage_previews(staged, previews, out, stem))
        report.outputs = {k: str(v) for k, v in result.written.items()}
        report.outputs["preflight"] = str(out / f"{stem}.preflight.json")
        report.sha256 = {k: staged.sha256[v] for k, v in result.written.items()}
        report.build = hashlib.sha256("".join(sorted(report.sha256.values())).encode()).hexdigest()[:16]
        result.written["report"] = staged.add(out / f"{stem}.preflight.json", json.dumps(
            report.as_json(), ensure_ascii=False, indent=2).encode())
        again = "print.pdf" in files  # renamed over the old one, first of all (files has it first)
        removed = staged.commit(withdraw=[out / f"{stem}.{suffix}" for suffix in PRINTER
                                          if not (again and suffix == "print.pdf")],
                                seal=result.written["report"])
    result.removed = [p for p in removed if p not in result.written.values()]
    result.removed_stale_print = out / f"{stem}.print.pdf" in result.removed


class Loaded(NamedTuple):
    """What the load stage hands on."""

    issue: Issue
    """The issue, its text normalised and its bodies parsed."""
    layout: Layout
    """Its layout."""
    findings: list[Finding]
    """Loading's warnings (a story placed twice, on no page) and the text's (normalised, linted)."""


def load_stage(issue_file: str | Path, layout: str | None) -> Loaded:
    """Load, validate and normalise the issue; find its layout."""
    issue = load_issue(issue_file, layout)
    if not issue.layout:
        raise KanwuError(f"{issue.source_name}: error: 没有指定版式：请在文件中写 layout:，或用 --layout / no layout given")
    spec = load_layout(issue.layout, issue.root)
    issue, findings = prepare(issue)
    return Loaded(issue, spec, [*issue.warnings, *findings])


@dataclass(frozen=True)
class MadeUp:
    """What the makeup stage hands on: fonts, pictures, the plan, the text setter."""

    fonts: dict[str, ResolvedFont]
    """The face of every font role."""
    images: dict[Path, ImageInfo]
    """The usable pictures (the others are placeholders)."""
    plan: Plan
    """Pages → modules → blocks."""
    setter: TextSetter
    """The text setter (masthead texts are set with it; it holds the glyph findings)."""
    findings: list[Finding]
    """Findings about the pictures' files."""


def makeup_stage(issue: Issue, spec: Layout) -> MadeUp:
    """Fonts, pictures (checked from their headers) and the makeup plan."""
    fonts = resolve_fonts(spec, issue.root, issue_text(issue))
    images, image_findings = inspect_issue(issue)
    plan, setter = make_plan(issue, spec, fonts, images)
    return MadeUp(fonts, images, plan, setter, image_findings)


class Drawable(NamedTuple):
    """What the render stage hands to WeasyPrint."""

    html: list[str]
    """The issue as HTML documents of runs of whole pages (one per process that draws them)."""
    profile: OutputProfile
    """The press profile (the output intent)."""
    pictures: dict[str, bytes]
    """The converted pictures by name (the fetcher's ``cache`` root)."""
    findings: list[Finding]
    """Pictures that could not be converted, an unusable cache."""
    pieces: dict[str, DrawnPiece]
    """The composed lines the HTML names, which kanwu draws itself (`kanwu.layout.lines.composed_html`)."""


def render_stage(issue: Issue, spec: Layout, made: MadeUp, cache: ImageCache | None = None,
                 chunks: int = 1) -> Drawable:
    """Pictures converted to the press profile (looked up in `cache`, by default only read), then the plan
    as HTML, in `chunks` runs of whole pages."""
    profile = output_profile(spec)
    urls, findings, copies = prepare_images(made.plan.pictures, made.images, spec, profile,
                                            cache or ImageCache.open(write=False))
    url = locator(named_roots(issue, spec, copies, profile.root))
    numbers = [p.number for p in made.plan.pages]
    size = -(-len(numbers) // max(1, chunks))
    pieces: dict[str, DrawnPiece] = {}
    html = [render_html(issue, spec, made.fonts, made.plan, made.setter,
                        lambda src: urls[src] if src in urls else url(src), url, profile_css(profile, url),
                        numbers[i:i + size], pieces) for i in range(0, max(1, len(numbers)), size)]
    return Drawable(html, profile, copies, findings, pieces)


def check_pages(plan: Plan, drawn: int, spec: Layout) -> list[Finding]:
    """WeasyPrint draws what makeup placed: more or fewer pages mean the layout's templates put
    something outside the blocks makeup placed."""
    if drawn == len(plan.pages):
        return []
    return [Finding("error", "layout-pages", f"版式 {spec.name} 的模板排出了 {drawn} 页，组版安排的是 {len(plan.pages)} 页："
                    f"模板在组版安排的位置之外加了内容 / the layout's templates drew {drawn} pages where page makeup "
                    f"placed {len(plan.pages)}: they add content outside the placed blocks", Pos(str(spec.folders[0])))]


def stage_previews(files: OutputSet, shots: Previews, out: Path, stem: str) -> dict[str, Path]:
    """``<stem>.page-N.png`` per page and ``<stem>.contact.png`` (named in the result as ``png``);
    older page images beyond the page count are removed."""
    pages = [out / f"{stem}.page-{n}.png" for n in range(1, len(shots.pages) + 1)]
    for path, data in zip(pages, shots.pages):
        files.add(path, data)
    for old in out.glob(f"{stem}.page-*.png"):
        if old not in pages:
            remove_stale(old)
    return {"png": files.add(out / f"{stem}.contact.png", shots.contact)}


def named_roots(issue: Issue, spec: Layout, cache: dict[str, bytes], profiles: Path) -> dict[str, Root]:
    """Every folder WeasyPrint may read, by a location-free name (see `wpext.VIRTUAL`), and the
    converted pictures (``cache``, in memory)."""
    roots: dict[str, Root] = {"issue": issue.root, "cache": cache, "profiles": profiles}
    roots.update({f"layout{i}": f for i, f in enumerate(spec.folders)})
    roots.update({f"fonts{i}": f for i, f in enumerate(font_dirs(issue.root))})
    return roots


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
    epoch = source_epoch()
    return epoch.isoformat(timespec="seconds") if epoch else None
