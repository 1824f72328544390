#!/usr/bin/env python3
"""Set an A3 issue's text with plain WeasyPrint and CSS multicol: the reference kanwu must beat.

No kanwu code: the HTML is written directly from the YAML (headline as <h1>, body
paragraphs as <p>, pictures as <img> at column width), with CSS `@page` at A3 and
tabloid-a3's margins, the body in five `columns`, Noto Serif CJK SC 12pt/20pt,
headlines `column-span: all`, and each planned page starting a new page. Body
Markdown is read with markdown-it-py (the same parser library kanwu uses, not kanwu).
No checks, no colour conversion, no proof: WeasyPrint's `write_pdf()` only.

    .venv/bin/python bench/plain_multicol.py ISSUE.yaml -o OUT.pdf [--html OUT.html]
"""
from __future__ import annotations

import argparse
import re
from html import escape
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

# tabloid-a3's page (layouts/tabloid-a3/layout.yaml): A3, margins top 22, right 15, bottom 24, left 15 mm
CSS = """
@page { size: A3; margin: 22mm 15mm 24mm 15mm; }
html { font-family: "Noto Serif CJK SC"; font-size: 12pt; line-height: 20pt; }
body { margin: 0; }
section.page { columns: 5; column-gap: 6mm; column-fill: balance; }
section.page + section.page { break-before: page; }
.masthead, header.head { column-span: all; }
.masthead { font-size: 72pt; line-height: 1.1; font-weight: 700; color: #c00; margin: 0 0 6mm;
            border-bottom: 3pt solid #c00; }
.masthead small { font-size: 9pt; line-height: 13pt; font-weight: 400; color: #000; margin-left: 8mm; }
header.head { margin-bottom: 3mm; }
h1 { font-size: 26pt; line-height: 1.3; font-weight: 700; margin: 0; text-align: center; }
section.page > header.head:nth-child(2) h1 { font-size: 32pt; }
.column { font-family: "Noto Sans CJK SC"; font-size: 10pt; font-weight: 700; color: #fff; background: #c00;
          display: inline-block; padding: 0 2mm; margin: 0; line-height: 15pt; }
.kicker, .lead, figcaption, .byline { font-family: "LXGW WenKai"; }
.kicker { text-align: center; margin: 0; }
.subheadline { font-family: "Noto Sans CJK SC"; font-weight: 700; font-size: 14pt; text-align: center; margin: 0; }
.lead { margin: 2mm 0 0; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.byline { text-align: right; text-indent: 0; font-size: 10.8pt; }
h2 { font-family: "Noto Sans CJK SC"; font-size: 13pt; line-height: 20pt; font-weight: 700; margin: 10pt 0;
     text-align: center; break-after: avoid; }
blockquote { margin: 0; font-family: "LXGW WenKai"; }
ul, ol { margin: 0; padding-left: 2em; }
figure { margin: 0 0 10pt; break-inside: avoid; }
figure img { display: block; width: 100%; }
figcaption { font-size: 10pt; line-height: 15pt; }
header.head { margin-top: 20pt; border-top: 0.5pt solid #000; padding-top: 4mm; }
.masthead + header.head { border-top: 0; margin-top: 0; }
"""


BLOCK_START = re.compile(r"\s*(#|>|[-*+]\s|\d+[.)]\s)")


def md_html(markdown: str) -> str:
    """Body Markdown to HTML; raw HTML stays text; the lines of a paragraph join without a space."""
    out: list[str] = []
    for line in markdown.replace("\r\n", "\n").split("\n"):
        if line.strip() and out and out[-1].strip() and not BLOCK_START.match(line):
            out[-1] += line.strip()
        else:
            out.append(line)
    return MarkdownIt("commonmark", {"html": False}).render("\n".join(out))


def story_html(story: dict, root: Path) -> str:
    """One story: its head across the page, then body and pictures in the columns."""
    if story.get("body_file"):
        body = (root / story["body_file"]).read_text(encoding="utf-8-sig")
    else:
        body = story.get("body") or ""
    head = []
    for key, tag in (("column", "p"), ("kicker", "p"), ("headline", "h1"), ("subheadline", "p"), ("lead", "p")):
        if story.get(key):
            head.append(f'<{tag} class="{key}">{escape(str(story[key]))}</{tag}>')
    figures = []
    for im in story.get("images") or []:
        if not im.get("src"):
            continue
        cap = escape(" ".join(str(im[k]) for k in ("caption", "credit") if im.get(k)))
        figures.append(f'<figure><img src="{escape(im["src"])}" alt=""><figcaption>{cap}</figcaption></figure>')
    byline = f'<p class="byline">（{escape(str(story["byline"]))}）</p>' if story.get("byline") else ""
    # no wrapper: WeasyPrint spans only the multicol container's own children across the columns
    return f'<header class="head">{"".join(head)}</header>{"".join(figures)}{md_html(body)}{byline}'


def issue_html(doc: dict, root: Path) -> str:
    """The whole issue: one multicol section per planned page (or one for all without a plan)."""
    stories = {s["id"]: s for s in doc["stories"]}
    if doc.get("pages"):
        groups = [list(p.get("stories") or []) for p in doc["pages"]]
        placed = {i for g in groups for i in g}
        groups[-1] += [i for i in stories if i not in placed]
    else:
        groups = [list(stories)]
    pub, iss = doc["publication"], doc["issue"]
    mast = (f'<div class="masthead">{escape(str(pub["name"]))}<small>第{iss["number"]}期　'
            f'{escape(str(iss["date"]))}　{escape(str(pub.get("publisher", "")))}</small></div>')
    pages = []
    for n, ids in enumerate(groups):
        arts = "".join(story_html(stories[i], root) for i in ids if i in stories)
        pages.append(f'<section class="page">{mast if n == 0 else ""}{arts}</section>')
    return (f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{escape(str(pub["name"]))}</title>'
            f"<style>{CSS}</style></head><body>{''.join(pages)}</body></html>")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("issue", type=Path)
    ap.add_argument("-o", "--out", type=Path, required=True, help="the PDF to write")
    ap.add_argument("--html", type=Path, help="also write the HTML here")
    a = ap.parse_args()
    doc = yaml.safe_load(a.issue.read_text(encoding="utf-8-sig"))
    root = a.issue.resolve().parent
    html = issue_html(doc, root)
    if a.html:
        a.html.write_text(html, encoding="utf-8")
    from weasyprint import HTML  # after the HTML is written: a failure to import shows it was not the HTML

    HTML(string=html, base_url=str(root) + "/").write_pdf(str(a.out))


if __name__ == "__main__":
    main()
