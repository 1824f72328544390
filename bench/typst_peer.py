#!/usr/bin/env python3
"""Set the seed issue with Typst (the peer) in the same geometry, for cjk-metrics.

Reads the issue with kanwu's loader but does NOT normalise the text (Typst
gets what the editor typed, as an office would give it), writes a .typ file
with the layout's page size, margins, columns, font and size, compiles it
with the `typst` Python package (pip install typst) and prints the path.

    .venv/bin/python bench/typst_peer.py [--layout tabloid-a3] [-o /tmp/peer]
    .venv/bin/python ../shared/tools/cjk-metrics /tmp/peer/seed-tabloid-a3.typst.pdf
"""
from __future__ import annotations

import argparse
from pathlib import Path

from kanwu.layout.spec import load_layout
from kanwu.load import load_issue
from kanwu.text.body import parse_body

ROOT = Path(__file__).resolve().parents[1]


def esc(s: str) -> str:
    """Escape Typst markup characters in plain text."""
    for ch in "\\#*_`$<>@[]~/\"'=-+":
        s = s.replace(ch, "\\" + ch)
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--issue", default=str(ROOT / "issues" / "siping-2020-12.yaml"))
    ap.add_argument("--layout", default="tabloid-a3")
    ap.add_argument("-o", "--out", default="/tmp/kanwu-peer")
    a = ap.parse_args()
    import typst

    issue = load_issue(a.issue)
    lay = load_layout(a.layout, issue.root)
    cols, cw, gutter = lay.grid()
    w, h = lay.page_size
    m = {k: lay.length(f"page.margin.{k}") for k in ("top", "bottom", "left", "right")}
    body = lay.fonts["body"].families[-1]
    out = [f'#set page(width: {w}pt, height: {h}pt, margin: (top: {m["top"]}pt, bottom: {m["bottom"]}pt, '
           f'left: {m["left"]}pt, right: {m["right"]}pt), columns: {cols})',
           f'#set columns(gutter: {gutter}pt)',
           f'#set text(font: "{body}", size: {lay.body_size}pt, lang: "zh", region: "cn")',
           f'#set par(justify: true, first-line-indent: (amount: 2em, all: true), spacing: 0pt, '
           f'leading: {lay.leading - lay.body_size}pt)',
           '#show heading: set text(size: 1em, font: "Noto Sans CJK SC")',
           '#show heading: set block(above: 1em, below: 1em)']
    for st in issue.stories:
        out.append(f"= {esc(st.headline.value)}\n")
        for b in parse_body(st.body) if st.body else ():
            text = esc(b.text)
            out.append(f"== {text}\n" if b.kind in ("h2", "h3") else text + "\n")
        if st.byline:
            out.append(f"#align(right)[（{esc(st.byline.value)}）]\n")
    dest = Path(a.out)
    dest.mkdir(parents=True, exist_ok=True)
    src = dest / f"seed-{a.layout}.typ"
    src.write_text("\n".join(out), encoding="utf-8")
    pdf = dest / f"seed-{a.layout}.typst.pdf"
    typst.compile(str(src), output=str(pdf))
    print(pdf)


if __name__ == "__main__":
    main()
