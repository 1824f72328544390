#!/usr/bin/env python3
"""Benchmark: the seed issue built by kanwu beside WeasyPrint alone on the same HTML,
then a big A3 number (about 20 pages) built by kanwu beside plain WeasyPrint multicol.

"WeasyPrint alone" draws kanwu's HTML as it is: since kanwu draws the body lines itself
(`kanwu.layout.lines.composed_html`), that HTML holds empty blocks where the body goes, so
the row is what WeasyPrint costs for everything but the body text, not a fair peer; the
plain multicol row of the big number is (the same text, set by WeasyPrint alone).

cold = a new process each run (what an editor waits for at the command line);
warm = repeated in one process (imports done, fonts cached);
resident = `kanwu.session.Session` (what `kanwu watch` runs) rebuilding after one story's body
file was edited (a different edit each run, so no page is found in its cache; the edit adds text
only, so the page's ink is known from its pictures, see `kanwu.inkcov.graphics_keys`): the time
until the previews of the changed pages and the findings are ready (its ``on_previews``), and until
every file is written. Prints medians of several runs, the ratios and the machine's load average
(other processes on a shared machine slow every row). Not a test: no thresholds.

The big section writes `bench/big_issue.py`'s issue (36 stories from the seed's texts,
a 20-page plan, or none with --big-no-plan) to a temporary folder and times, each in a
new process, `kanwu build` (print + proof + report + previews), `kanwu build --no-png`,
and `bench/plain_multicol.py` (the same text in CSS multicol, plain WeasyPrint, no
kanwu code). One untimed run of each first fills the font and picture caches, then
--runs timed runs. Peak memory is the largest resident set of any one process of a run
(ru_maxrss of the command's rusage from wait4, which is getrusage(RUSAGE_CHILDREN) for that
one child and its reaped descendants, taken by a small launcher process), the most over the runs.

    .venv/bin/python bench/bench.py [--runs 5] [--issue issues/siping-2020-12.yaml] [--layout NAME]
                                    [--no-big] [--big-no-plan]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


VIRTUAL_URL = re.compile(r"kanwu:(\w+)/([^\"')\s]+)")


def plain_html(html: Path, issue: Path) -> Path:
    """kanwu's HTML with its location-free URLs (``kanwu:<root>/<path>``, read through kanwu's own
    fetcher) made file URLs, so WeasyPrint alone can read it: each root is the first folder that
    holds the file among the issue's, the picture cache, kanwu's profiles, the layouts and fonts/."""
    import kanwu

    cache = Path(os.environ["KANWU_CACHE"])
    folders = [issue.resolve().parent, cache, *sorted(p for p in cache.glob("*") if p.is_dir()),
               Path(kanwu.__file__).parent / "data" / "icc", *sorted((ROOT / "layouts").glob("*")), ROOT / "fonts"]
    text = html.read_text(encoding="utf-8")
    for name, rel in dict(VIRTUAL_URL.findall(text)).items():
        folder = next(f for f in folders if (f / unquote(rel)).is_file())
        text = text.replace(f"kanwu:{name}/", folder.resolve().as_uri() + "/")
    plain = html.with_suffix(".plain.html")
    plain.write_text(text, encoding="utf-8")
    return plain


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--issue", default=str(ROOT / "issues" / "siping-2020-12.yaml"))
    ap.add_argument("--layout")
    ap.add_argument("--no-big", action="store_true", help="skip the big A3 number")
    ap.add_argument("--big-no-plan", action="store_true", help="the big number without a pages: plan")
    a = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="kanwu-bench-"))
    os.environ.setdefault("KANWU_CACHE", str(out / "cache"))  # converted pictures: where plain_html finds them
    layout = ["--layout", a.layout] if a.layout else []
    kanwu = [PY, "-m", "kanwu.cli", "build", a.issue, "-o", str(out)] + layout
    subprocess.run(kanwu + ["--html"], check=False, capture_output=True)
    html = plain_html(next(out.glob("*.html")), Path(a.issue))
    wp_cold = [PY, "-c", "import sys; from weasyprint import HTML; "
               "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])", str(html), str(out / "wp.pdf")]
    subprocess.run(wp_cold, check=True, capture_output=True)  # a failing run must not be timed

    rows = {}
    rows["kanwu build, cold"] = [timed(lambda: subprocess.run(kanwu, capture_output=True)) for _ in range(a.runs)]
    rows["WeasyPrint alone, cold"] = [timed(lambda: subprocess.run(wp_cold, capture_output=True))
                                      for _ in range(a.runs)]
    from weasyprint import HTML

    # WeasyPrint alone first: a kanwu build installs its speed-ups of WeasyPrint (`kanwu.wpext`) in this process
    HTML(filename=str(html)).write_pdf(str(out / "wp.pdf"))  # warm-up
    wp_warm = [timed(lambda: HTML(filename=str(html)).write_pdf(str(out / "wp.pdf"))) for _ in range(a.runs)]
    from kanwu.build import build

    build(a.issue, out, a.layout)  # warm-up: imports, font caches
    rows["kanwu build, warm"] = [timed(lambda: build(a.issue, out, a.layout)) for _ in range(a.runs)]
    rows["WeasyPrint alone, warm"] = wp_warm
    stages = build(a.issue, out, a.layout).timings
    edited = resident(Path(a.issue), a.layout, a.runs, rows)
    med = {k: statistics.median(v) for k, v in rows.items()}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"issue {a.issue}  layout {a.layout or '(from file)'}  runs {a.runs}  cpus {os.cpu_count()}  load {load}")
    for k, v in med.items():
        print(f"  {k:26} {v:6.2f} s   (min {min(rows[k]):.2f}, max {max(rows[k]):.2f})")
    print(f"  ratio kanwu / WeasyPrint: cold {med['kanwu build, cold'] / med['WeasyPrint alone, cold']:.2f}, "
          f"warm {med['kanwu build, warm'] / med['WeasyPrint alone, warm']:.2f}")
    print("  warm build stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items()), flush=True)
    if edited:
        print(f"  resident rebuild: story `{edited[0]}` edited, pages redrawn {edited[1]}; stages: "
              + ", ".join(f"{k} {v:.2f}s" for k, v in edited[2].items()), flush=True)
    shutil.rmtree(out, ignore_errors=True)
    if not a.no_big:
        big(a.runs, a.big_no_plan)


def resident(issue: Path, layout: str | None, runs: int, rows: dict[str, list[float]]) -> tuple | None:
    """Time a resident session's rebuild after a one-story edit (a copy of the issue's folder is edited):
    adds the rows "resident, previews ready" and "resident, all written"; returns the story edited,
    the pages redrawn and the stages of the last run."""
    from kanwu.load import load_issue
    from kanwu.session import Session

    work = Path(tempfile.mkdtemp(prefix="kanwu-bench-session-"))
    shutil.copytree(issue.resolve().parent, work / "issue", ignore=shutil.ignore_patterns("out", ".*"))
    copy = work / "issue" / issue.name
    bodies = [s for s in load_issue(copy, layout).stories if s.body is not None and s.body.pos.file != str(copy)]
    if not bodies:
        return None  # every body is written in the issue file: no story file to edit
    story, body = bodies[-1].id, Path(bodies[-1].body.pos.file)
    text = body.read_text(encoding="utf-8")
    session = Session(copy, work / "out", layout)
    session.build()  # the first build draws every page (and warms this process)
    ready, done = [], []
    for n in range(runs + 1):
        # a different edit each time: one more sentence's worth of text in the story, as an editor types
        body.write_text(text.replace("。", f"。补充第{n + 1}句。", 1), encoding="utf-8")
        start = time.perf_counter()
        shown: list[float] = []
        result = session.build(on_previews=lambda _: shown.append(time.perf_counter() - start))
        if n:  # the first edit also warms what the first build did in forked workers only
            done.append(time.perf_counter() - start)
            ready.append(shown[0])
    rows["resident, previews ready"] = ready
    rows["resident, all written"] = done
    shutil.rmtree(work, ignore_errors=True)
    return story, session.changed, result.timings


# Starts the command and reports its time and rusage. A small process of its own, because a
# child's ru_maxrss starts at the resident size of the process it was forked from (the high-water
# mark survives exec), and this one has kanwu and WeasyPrint loaded by now.
LAUNCHER = """
import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(time.perf_counter() - t, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_measured(cmd: list[str], log: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Run `cmd` in a new process: (wall seconds, peak resident MB of its process tree, exit status)."""
    with open(log, "wb") as err:
        done = subprocess.run([PY, "-c", LAUNCHER, *cmd], stdout=subprocess.PIPE, stderr=err, env=env, check=True)
    elapsed, maxrss, status = done.stdout.split()
    return float(elapsed), int(maxrss) / 1024, int(status)  # ru_maxrss is in KiB on Linux


def pdf_pages(path: Path) -> int:
    """Pages of a PDF (0 when it was not written)."""
    from pypdf import PdfReader

    return len(PdfReader(path).pages) if path.exists() else 0


def big(runs: int, no_plan: bool) -> None:
    """Time kanwu and plain WeasyPrint multicol on the big A3 number; print medians and peak memory."""
    work = Path(tempfile.mkdtemp(prefix="kanwu-bench-big-"))
    made = subprocess.run([PY, str(ROOT / "bench" / "big_issue.py"), "-o", str(work / "issue")]
                          + (["--no-plan"] if no_plan else []), check=True, capture_output=True, text=True)
    issue = work / "issue" / "big.yaml"
    out = work / "out"
    env = dict(os.environ, KANWU_CACHE=str(work / "cache"))  # its own picture cache, filled by the warm-up
    cmds = {
        "kanwu build": [PY, "-m", "kanwu.cli", "build", str(issue), "-o", str(out)],
        "kanwu build --no-png": [PY, "-m", "kanwu.cli", "build", str(issue), "-o", str(out), "--no-png"],
        "plain WeasyPrint multicol": [PY, str(ROOT / "bench" / "plain_multicol.py"), str(issue),
                                      "-o", str(out / "plain.pdf")],
    }
    rows: dict[str, list[float]] = {}
    peak: dict[str, float] = {}
    status: dict[str, int] = {}
    for name, cmd in cmds.items():
        run_measured(cmd, work / "warm-up.log", env)  # fonts, converted pictures, .pyc
        times, mems = [], []
        for _ in range(runs):
            t, mb, rc = run_measured(cmd, work / f"{name.split()[0]}.log", env)
            times.append(t)
            mems.append(mb)
        rows[name], peak[name], status[name] = times, max(mems), rc
    report = json.loads((out / "big.preflight.json").read_text(encoding="utf-8"))
    pages = {"kanwu build": pdf_pages(out / "big.print.pdf") or report.get("pages", 0),
             "plain WeasyPrint multicol": pdf_pages(out / "plain.pdf")}
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"big A3 number: {made.stdout.strip().split('  ', 1)[1]}  runs {runs}  cold (new process each run)")
    for k, v in med.items():
        extra = f"   exit {status[k]}" if status[k] else ""
        shown = f"   {pages[k]} pages" if k in pages else ""
        print(f"  {k:26} {v:6.2f} s   (min {min(rows[k]):.2f}, max {max(rows[k]):.2f})   "
              f"peak {peak[k]:5.0f} MB{shown}{extra}")
    plain = med["plain WeasyPrint multicol"]
    print(f"  ratio kanwu / plain multicol: {med['kanwu build'] / plain:.2f}, "
          f"--no-png {med['kanwu build --no-png'] / plain:.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
