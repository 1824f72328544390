"""Issue 3's bar, on built issues: the seed and ``issues/mixed-text.yaml``, A3 and A4.

Each issue is built once per session (no PNGs) and its print PDF is measured

* with the measuring tool ``../shared/tools/cjk-metrics`` (imported from its
  path; skipped when it is not there): ragged, bad_start, bad_end, orphans,
  halfwidth, autospace, squeeze, gap_p95, gap_max;
* structurally with pdfplumber, for the paragraph habits the composer tests
  (``tests/unit/test_compose.py``, ``tests/test_compose_render.py``) cannot see
  because WeasyPrint places the paragraphs: the 2 em first-line indent, no
  space between paragraphs (one line pitch across a paragraph boundary),
  subheads on the baseline grid and never at a column's foot, and headlines
  broken at phrase boundaries.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from bar import CJK_METRICS, assert_meets_bar, load_cjk_metrics

pytest.importorskip("weasyprint")
pdfplumber = pytest.importorskip("pdfplumber")

from kanwu.build import build  # noqa: E402
from kanwu.layout.spec import Layout, load_layout  # noqa: E402
from kanwu.load import load_issue  # noqa: E402
from kanwu.model import Issue  # noqa: E402
from kanwu.text import headline as headline_mod  # noqa: E402
from kanwu.text.prepare import prepare  # noqa: E402
from paths import ROOT, SEED  # noqa: E402

MIXED = ROOT / "issues" / "mixed-text.yaml"
CASES = {
    "seed-a3": (SEED, "tabloid-a3"),
    "seed-a4": (SEED, "bulletin-a4"),
    "mixed-a3": (MIXED, "tabloid-a3"),
    "mixed-a4": (MIXED, "bulletin-a4"),
}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass
class Built:
    pdf: Path
    issue: Issue
    layout: Layout


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Built]:
    """The four print PDFs, built once per session."""
    out: dict[str, Built] = {}
    for name, (path, layout) in CASES.items():
        result = build(path, tmp_path_factory.mktemp(name), layout=layout, png=False)
        assert result.exit_code == 0, [f.message for f in result.report.findings if f.level == "error"]
        issue, _ = prepare(load_issue(path, layout))
        out[name] = Built(result.written["print"], issue, load_layout(layout, issue.root))
    return out


@pytest.fixture(scope="session")
def cjk_metrics():
    module = load_cjk_metrics()
    if module is None:
        pytest.skip(f"the measuring tool is not at {CJK_METRICS} (../shared next to the repository)")
    return module


# -- the measuring tool's bar -----------------------------------------------------------

def misread_pages(cjk_metrics, b: Built) -> dict[int, int]:
    """Pages where the tool finds more columns than the layout has, and its ragged count there.

    The tool takes the x where most lines start as a column's edge; on a page
    with as many paragraph-first lines (2 em in) as full lines (short notice
    paragraphs, list items, a subhead) it takes the indent for a second column
    and calls every first line "ragged".  Such pages are checked with the real
    grid instead (test_justified_on_the_real_grid).
    """
    out = {}
    size = b.layout.body_size
    with pdfplumber.open(b.pdf) as doc:
        for pno, page in enumerate(doc.pages, 1):
            cols = cjk_metrics.column_edges(cjk_metrics.lines_of(page, size), size)
            if len(cols) > b.layout.grid()[0]:
                out[pno] = cjk_metrics.measure(str(b.pdf), pages=str(pno), body_size=size)[0]["ragged"]
    return out


@pytest.mark.parametrize("case", CASES)
def test_meets_every_threshold(built, cjk_metrics, case: str) -> None:
    result, ex = cjk_metrics.measure(str(built[case].pdf))
    assert result["body_size_pt"] == built[case].layout.body_size
    assert result["lines"] > 50
    misread = misread_pages(cjk_metrics, built[case])
    assert len(misread) <= 1, misread
    ragged = result["ragged"] - sum(misread.values())
    assert_meets_bar(result, ex, ragged)


def test_mixed_text_stresses_what_it_should(built, cjk_metrics) -> None:
    """The extra text really has Latin, digits, addresses and mark pairs to set."""
    result, _ = cjk_metrics.measure(str(built["mixed-a3"].pdf))
    assert int(result["autospace"].split("/")[1]) >= 80
    assert int(result["squeeze"].split("/")[1]) >= 15
    text = "".join(c["text"] for page in pdfplumber.open(built["mixed-a3"].pdf).pages for c in page.chars)
    for needle in ("recycle.siping@example.org.cn", "https://lvse.example.org.cn/siping", "PM2.5",
                   "99.6%", "1,286", "Wi-Fi", "‘绿色’", "《四平简报》", "喆", "堃", "镕"):
        assert needle in text, needle


# -- structure read from the PDF ---------------------------------------------------------

@dataclass
class Row:
    """One line of text at one size in one column: its glyphs left to right.

    ``top`` is the baseline's distance from the top of the page (glyph tops
    depend on the face: 楷体 lines would seem offset from 宋体 ones).
    """

    page: int
    top: float
    chars: list

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)


def baseline(page, c: dict) -> float:
    """A glyph's baseline, measured like pdfplumber's ``top`` (from the top of the page)."""
    return page.bbox[3] - c["matrix"][5]


def rows(pdf: Path, size: float, sans_bold: bool | None = None) -> list[Row]:
    """Rows of glyphs at `size` (optionally only / never the bold sans face), split at wide gaps."""
    out = []
    with pdfplumber.open(pdf) as doc:
        for pno, page in enumerate(doc.pages, 1):
            by_top = defaultdict(list)
            for c in page.chars:
                if not c["text"].strip() or abs(c["size"] - size) > 0.1:
                    continue
                sb = "Sans" in c["fontname"] and "Bold" in c["fontname"]
                if sans_bold is None or sb == sans_bold:
                    by_top[round(baseline(page, c), 1)].append(c)
            for top, chars in by_top.items():
                chars.sort(key=lambda c: c["x0"])
                cur = [chars[0]]
                for c in chars[1:]:
                    if c["x0"] - cur[-1]["x1"] > 0.8 * size:   # the gutter (2 em) minus halt effects
                        out.append(Row(pno, top, cur))
                        cur = [c]
                    else:
                        cur.append(c)
                out.append(Row(pno, top, cur))
    return sorted(out, key=lambda r: (r.page, r.x0, r.top))


def column_lefts(body: list[Row], size: float) -> list[float]:
    """The left edges of the columns: where most lines start (over the whole document)."""
    lefts = Counter(round(r.x0) for r in body)
    out: list[float] = []
    for x, n in lefts.most_common():
        # not an indented first line or a halted opening mark of a column already found
        if n >= 3 and all(abs(x - o) >= 2.6 * size for o in out):
            out.append(x)
    return sorted(out)


def column_of(x: float, lefts: list[float], size: float) -> float:
    return max([c for c in lefts if c <= x + 0.6 * size] or [lefts[0]])


@pytest.fixture(scope="session")
def geometry(built):
    """Per case: body rows, subhead rows, column lefts, sizes."""
    out = {}
    for name, b in built.items():
        size, lead = b.layout.body_size, b.layout.leading
        hsize = b.layout.length("heading.size", size)
        body = rows(b.pdf, size, sans_bold=False)
        lefts = column_lefts(body, size)
        subs = rows(b.pdf, hsize, sans_bold=True)
        texts = ["".join(blk.text.split()) for s in b.issue.stories for blk in s.blocks if blk.kind in ("h2", "h3")]
        subs = [r for r in subs if any(r.text in t for t in texts)]
        out[name] = dict(body=body, lefts=lefts, subs=subs, size=size, lead=lead, built=b)
    return out


@pytest.mark.parametrize("case", CASES)
def test_first_line_indent_is_two_em(geometry, case: str) -> None:
    g = geometry[case]
    size, body, lefts = g["size"], g["body"], g["lefts"]
    heads = {}
    for story in g["built"].issue.stories:
        for blk in story.blocks:
            if blk.kind == "p" and len(blk.text) > 12:
                heads[blk.text[:8]] = blk.text
    found = 0
    for r in body:
        for start in heads:
            if r.text.startswith(start):
                col = column_of(r.x0, lefts, size)
                assert r.x0 - col == pytest.approx(2 * size, abs=0.5), (case, r.text)
                found += 1
    assert found >= 0.9 * len(heads)


@pytest.mark.parametrize("case", CASES)
def test_no_space_between_paragraphs(geometry, case: str) -> None:
    """Within a column, consecutive body lines with nothing between them are one pitch apart."""
    g = geometry[case]
    size, lead, lefts = g["size"], g["lead"], g["lefts"]
    b = g["built"]
    # everything that is not a body line (headlines, subheads, captions, bylines…)
    others = defaultdict(list)
    with pdfplumber.open(b.pdf) as doc:
        for pno, page in enumerate(doc.pages, 1):
            for c in page.chars:
                body_glyph = abs(c["size"] - size) <= 0.1 and not ("Sans" in c["fontname"] and "Bold" in c["fontname"])
                if c["text"].strip() and not body_glyph:
                    others[pno].append({**c, "top": baseline(page, c)})
            others[pno] += [{"x0": i["x0"], "x1": i["x1"], "top": i["bottom"]} for i in page.images]
    cols = defaultdict(list)
    for r in g["body"]:
        cols[(r.page, column_of(r.x0, lefts, size))].append(r)
    boundaries = 0
    for (page, col), lines in cols.items():
        lines.sort(key=lambda r: r.top)
        right = col + max(r.chars[-1]["x1"] for r in lines) - col
        for a, nxt in zip(lines, lines[1:]):
            between = [c for c in others[page] if a.top < c["top"] < nxt.top
                       and c["x1"] > col and c["x0"] < right]
            if between or nxt.top - a.top > 3 * lead or nxt.top - a.top < 0.5 * lead:
                continue                 # something set between them; or two items on one line (masthead)
            assert nxt.top - a.top == pytest.approx(lead, abs=0.3), (case, page, a.text, nxt.text)
            if nxt.x0 - col > 1.5 * size:
                boundaries += 1          # nxt starts a paragraph: still one pitch below
    assert boundaries >= 10


@pytest.mark.parametrize("case", CASES)
def test_subheads_sit_on_the_grid_and_never_end_a_column(geometry, case: str) -> None:
    g = geometry[case]
    size, lead, lefts, body = g["size"], g["lead"], g["lefts"], g["body"]
    subs = g["subs"]
    texts = [blk for s in g["built"].issue.stories for blk in s.blocks if blk.kind in ("h2", "h3")]
    assert len(subs) >= len(texts), [r.text for r in subs]
    cw = g["built"].layout.grid()[1]
    for s in subs:
        centre = (s.x0 + s.chars[-1]["x1"]) / 2
        col = column_of(centre - cw / 2 + size, lefts, size) if len(lefts) > 1 else lefts[0]
        same = sorted((r for r in body if r.page == s.page and column_of(r.x0, lefts, size) == col),
                      key=lambda r: r.top)
        below = [r for r in same if r.top > s.top]
        above = [r for r in same if r.top < s.top]
        # never the last thing of a column: the text goes on directly below, in the same column
        assert below, (case, s.page, s.text, "a subhead ends the column")
        nxt_sub = [t for t in subs if t.page == s.page and t.top > s.top and abs(t.x0 - s.x0) < cw]
        first_below = below[0].top
        if nxt_sub and nxt_sub[0].top < first_below:
            continue                     # the subhead's own second line comes first
        assert first_below - s.top < 2 * lead, (case, s.text, "the next body line is not directly below")
        # whole body lines: the lines after the subhead are on the grid of those before
        if above:
            steps = (first_below - above[-1].top) / lead
            assert steps == pytest.approx(round(steps), abs=0.02), (case, s.text, steps)


def _budoux_boundaries(text: str) -> set[int]:
    """Offsets where budoux (or a pause mark, or U+3000) allows a headline break."""
    out, pos = set(), 0
    for ph in headline_mod._parser().parse(text):
        pos += len(ph)
        out.add(pos)
    out |= {i + 1 for i, ch in enumerate(text) if ch in "，、：；\u3000"}
    out |= {i for i, ch in enumerate(text) if ch == "\u3000"}
    return out


@pytest.mark.parametrize("case", ["seed-a3", "seed-a4", "mixed-a3", "mixed-a4"])
def test_headlines_break_at_phrase_boundaries(built, case: str) -> None:
    b = built[case]
    multi = 0
    checked: list[str] = []
    with pdfplumber.open(b.pdf) as doc:
        chars = [(pno, c) for pno, page in enumerate(doc.pages, 1) for c in page.chars if c["text"].strip()]
    sizes = Counter(round(c["size"], 1) for _, c in chars)
    for story in b.issue.stories:
        text = story.headline.value
        flat = "".join(text.split())
        # the headline's glyphs: the biggest size whose rows spell a piece of the headline
        by_row = defaultdict(list)
        for pno, c in chars:
            if round(c["size"], 1) >= 18:
                by_row[(pno, round(c["size"], 1), round(c["top"]))].append(c)
        lines = []
        for key in sorted(by_row, key=lambda k: (k[0], k[2])):
            t = "".join(c["text"] for c in sorted(by_row[key], key=lambda c: c["x0"]))
            if len(t) >= 2 and t in flat and HAN.search(t):
                lines.append(t)
        joined = "".join(lines)
        if flat not in joined:
            continue
        start = joined.index(flat)
        lines_here, pos = [], 0
        for t in lines:
            if start <= pos < start + len(flat):
                lines_here.append(t)
            pos += len(t)
        assert "".join(lines_here) == flat, (story.id, lines_here)
        checked.append(story.id)
        if len(lines_here) < 2:
            continue
        multi += 1
        ok = _budoux_boundaries(text)
        at = 0
        for t in lines_here[:-1]:
            at = text.index(t, at) + len(t)
            assert at in ok, (case, story.id, t, "the line ends inside a phrase")
    assert sizes  # the PDF has text
    # every headline was found and checked: a headline not found in the PDF used to be skipped
    # silently, so the test could pass having checked none
    assert checked == [s.id for s in b.issue.stories], (case, checked)
    if case != "seed-a3":                # the seed's A3 headlines all fit on one line
        assert multi >= 1


@pytest.mark.parametrize("case", CASES)
def test_justified_on_the_real_grid(geometry, case: str) -> None:
    """Every line followed by a flush line one pitch below in its column reaches the right edge."""
    g = geometry[case]
    size, lead, lefts = g["size"], g["lead"], g["lefts"]
    cw = g["built"].layout.grid()[1]
    cols = defaultdict(list)
    for r in g["body"]:
        cols[(r.page, column_of(r.x0, lefts, size))].append(r)
    checked = 0
    for (page, col), lines in cols.items():
        lines.sort(key=lambda r: r.top)
        for a, nxt in zip(lines, lines[1:]):
            if abs(nxt.top - a.top - lead) > 0.3 or nxt.x0 - col > 1.5 * size or a.x0 - col > 2.6 * size:
                continue                 # a paragraph's last line, or not body text
            if a.chars[-1]["x1"] < col + cw / 2:
                continue                 # two items on one line (masthead)
            # pdfplumber reports a half-width mark at the line end 1 em wide (楷体 has no halt)
            end = a.chars[-1]["x1"]
            if a.text[-1] in "，。、；：！？”’）》」』】" and end > col + cw + 1:
                end -= 0.5 * size
            assert end == pytest.approx(col + cw, abs=0.2 * size), (case, page, a.text)
            checked += 1
    assert checked > 20
