#!/usr/bin/env python3
"""Benchmark: the seed issue built by kanwu beside WeasyPrint alone on the same HTML.

cold = a new process each run (what an editor waits for at the command line);
warm = repeated in one process (imports done, fonts cached: a watch mode).
Prints medians of several runs and the ratios. Not a test: no thresholds.

    .venv/bin/python bench/bench.py [--runs 5] [--issue issues/siping-2020-12.yaml] [--layout NAME]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--issue", default=str(ROOT / "issues" / "siping-2020-12.yaml"))
    ap.add_argument("--layout")
    a = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="kanwu-bench-"))
    layout = ["--layout", a.layout] if a.layout else []
    kanwu = [PY, "-m", "kanwu.cli", "build", a.issue, "-o", str(out)] + layout
    subprocess.run(kanwu + ["--html"], check=False, capture_output=True)
    html = next(out.glob("*.html"))
    wp_cold = [PY, "-c", "import sys; from weasyprint import HTML; "
               "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])", str(html), str(out / "wp.pdf")]

    rows = {}
    rows["kanwu build, cold"] = [timed(lambda: subprocess.run(kanwu, capture_output=True)) for _ in range(a.runs)]
    rows["WeasyPrint alone, cold"] = [timed(lambda: subprocess.run(wp_cold, capture_output=True))
                                      for _ in range(a.runs)]
    from weasyprint import HTML

    from kanwu.build import build

    build(a.issue, out, a.layout)  # warm-up: imports, font caches
    HTML(filename=str(html)).write_pdf(str(out / "wp.pdf"))
    rows["kanwu build, warm"] = [timed(lambda: build(a.issue, out, a.layout)) for _ in range(a.runs)]
    rows["WeasyPrint alone, warm"] = [timed(lambda: HTML(filename=str(html)).write_pdf(str(out / "wp.pdf")))
                                      for _ in range(a.runs)]
    stages = build(a.issue, out, a.layout).timings
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"issue {a.issue}  layout {a.layout or '(from file)'}  runs {a.runs}  cpus {os.cpu_count()}")
    for k, v in med.items():
        print(f"  {k:26} {v:6.2f} s   (min {min(rows[k]):.2f}, max {max(rows[k]):.2f})")
    print(f"  ratio kanwu / WeasyPrint: cold {med['kanwu build, cold'] / med['WeasyPrint alone, cold']:.2f}, "
          f"warm {med['kanwu build, warm'] / med['WeasyPrint alone, warm']:.2f}")
    print("  warm build stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items()))


if __name__ == "__main__":
    main()
