"""The 四平简报 sample issue is a faithful transcription of the seed text.

The seed (shared/seed/siping-bulletin.txt, text extracted from the real
bulletin's PDF) is the source; issues/siping-2020-12*.yaml and
issues/siping/*.md are the transcription. The transcription keeps the seed's
mistakes and ASCII punctuation on purpose (kanwu's normaliser and lint are
meant to find them), so these checks read plain files and never use kanwu's
own code: a bug in kanwu must not be able to hide a transcription error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared/seed/siping-bulletin.txt"
ISSUES = ROOT / "issues"
ISSUE = ISSUES / "siping-2020-12.yaml"
PLACEHOLDERS = ISSUES / "siping-2020-12-placeholders.yaml"
STORY_IDS = ["lead", "frontline", "npc"]

# The ASCII marks the seed uses where print has full-width ones; both sides
# are mapped the same way before comparing, so the comparison is about words.
ASCII_TO_FULL = str.maketrans({",": "，", "(": "（", ")": "）"})
# A paragraph ending in one of these is complete; anything else was broken in
# two by the PDF extraction and continues in the next paragraph.
FINAL = set("。！？!?”’）)」』…")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
ID_RE = re.compile(r"[a-z0-9-]+")

needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"seed text not found: {SEED}")


def squash(text: str) -> str:
    """Drop all whitespace (including U+3000) and map ASCII ,() to full width."""
    return re.sub(r"\s+", "", text).translate(ASCII_TO_FULL)


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


# --- reading the seed -------------------------------------------------------

def parse_seed() -> list[dict]:
    """Split the seed into stories: column, headline, body paragraphs, byline, captions.

    Seed structure: a column label (`【…】` or `## X` between stories), a headline
    (`# X` or `### X`), body paragraphs (with `## ` subheads inside), a byline
    `(…)` on its own line, then for the lead the photo captions.
    """
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln and ln != "HEADLINE"]
    stories: list[dict] = []
    cur: dict | None = None
    state = "between"                  # between -> body -> after-byline -> between
    for ln in lines:
        if state != "body" and (ln.startswith("【") or ln.startswith("## ")):
            cur = {"column": ln.strip("【】") if ln.startswith("【") else ln[3:],
                   "headline": None, "body": [], "byline": None, "captions": []}
            stories.append(cur)
            state = "between"
        elif re.match(r"(#|###) ", ln) and state == "between":
            cur["headline"] = ln.split(" ", 1)[1]
            state = "body"
        elif state == "body" and re.fullmatch(r"\(.*\)", ln):
            cur["byline"] = ln[1:-1]
            state = "after-byline"
        elif state == "body":
            cur["body"].append(ln)
        elif state == "after-byline":
            cur["captions"].append(ln)
        else:  # pragma: no cover - the seed changed shape
            raise AssertionError(f"unexpected seed line in state {state}: {ln!r}")
    return stories


def rejoin(paragraphs: list[str]) -> list[str]:
    """Rejoin paragraphs the PDF extraction broke mid-sentence."""
    out: list[str] = []
    carry = ""
    for p in paragraphs:
        p = carry + p
        carry = ""
        if not p.startswith("#") and p[-1] not in FINAL:
            carry = p
            continue
        out.append(p)
    assert not carry, f"the seed ends mid-sentence: {carry[-20:]!r}"
    return out


def markdown_paragraphs(story_id: str) -> list[str]:
    text = (ISSUES / "siping" / f"{story_id}.md").read_text(encoding="utf-8")
    return [re.sub(r"\n", "", p).strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


# --- the seed is in the Markdown --------------------------------------------

@needs_seed
def test_seed_has_the_expected_shape():
    stories = parse_seed()
    assert len(stories) == 3
    assert [len(s["captions"]) for s in stories] == [3, 0, 0]
    assert all(s["byline"] and s["headline"] and s["body"] for s in stories)


@needs_seed
@pytest.mark.parametrize("index, story_id", list(enumerate(STORY_IDS)))
def test_every_han_run_of_the_seed_is_in_the_markdown(index, story_id):
    seed_story = parse_seed()[index]
    md = squash("".join(markdown_paragraphs(story_id)))
    missing = [run for p in seed_story["body"] for run in HAN_RUN.findall(squash(p))
               if run not in md]
    assert not missing, f"{story_id}.md lacks: {missing}"


@needs_seed
@pytest.mark.parametrize("index, story_id", list(enumerate(STORY_IDS)))
def test_markdown_is_the_seed_word_for_word_in_order(index, story_id):
    seed_story = parse_seed()[index]
    seed = squash("".join(seed_story["body"]).replace("## ", ""))
    md = squash("".join(p.removeprefix("## ") for p in markdown_paragraphs(story_id)))
    assert md == seed


@needs_seed
@pytest.mark.parametrize("index, story_id", list(enumerate(STORY_IDS)))
def test_paragraphs_are_the_seed_paragraphs_with_breaks_rejoined(index, story_id):
    """Exact text, ASCII punctuation and odd quotes included; only the PDF's
    mid-sentence breaks are rejoined and the subheads get an ideographic space."""
    expected = ["## " + p[3:].replace(" ", "\u3000") if p.startswith("## ") else p
                for p in rejoin(parse_seed()[index]["body"])]
    assert markdown_paragraphs(story_id) == expected


def test_markdown_keeps_the_seed_typography():
    lead = (ISSUES / "siping/lead.md").read_text(encoding="utf-8")
    assert lead.startswith("“自开展“四史”")
    assert lead.split("\n\n")[0].endswith("。”")
    assert "鞍一(2)" in lead and "," in lead
    assert "，" not in lead, "the seed's ASCII commas must stay ASCII"
    subheads = [ln for ln in lead.splitlines() if ln.startswith("#")]
    assert subheads == ["## 以学促干\u3000“边走边看”察民情",
                        "## 知行合一\u3000“边听边问”问需求",
                        "## 真抓实干\u3000“边析边办”解民忧"]
    for sid in ("frontline", "npc"):
        text = (ISSUES / "siping" / f"{sid}.md").read_text(encoding="utf-8")
        assert not [ln for ln in text.splitlines() if ln.startswith("#")]
        assert not re.search(r"^\(.*\)$", text, re.M), "bylines belong in the YAML"


# --- the YAML ----------------------------------------------------------------

@pytest.mark.parametrize("path", [ISSUE, PLACEHOLDERS], ids=lambda p: p.name)
def test_issue_has_the_spec_keys(path):
    data = load(path)
    assert data["kanwu"] == 1
    assert data["publication"]["name"] == "四平简报"
    assert data["issue"]["number"] == 12
    assert data["issue"]["total"] == 231
    assert str(data["issue"]["date"]) == "2020-12-15"
    assert data["layout"] == "tabloid-a3"
    stories = data["stories"]
    ids = [s["id"] for s in stories]
    assert ids == STORY_IDS and len(set(ids)) == len(ids)
    assert all(ID_RE.fullmatch(i) for i in ids)
    for s in stories:
        assert s["headline"]
        assert "body" not in s
        body = path.parent / s["body_file"]
        assert body.is_file(), body
        assert body.resolve().is_relative_to(path.parent.resolve())
    paged = [sid for page in data["pages"] for sid in page["stories"]]
    assert sorted(paged) == sorted(ids)
    assert all(page["title"] for page in data["pages"])


def test_placeholders_differ_only_in_image_files():
    full, ph = load(ISSUE), load(PLACEHOLDERS)
    for img in ph["stories"][0]["images"]:
        assert "src" not in img
    strip = lambda d: [{k: v for k, v in s.items() if k != "images"} for s in d["stories"]]
    assert strip(full) == strip(ph)
    assert [i["caption"] for i in full["stories"][0]["images"]] == \
           [i["caption"] for i in ph["stories"][0]["images"]]
    assert {k: v for k, v in full.items() if k != "stories"} == \
           {k: v for k, v in ph.items() if k != "stories"}


def test_image_files_exist_and_are_press_sized():
    from PIL import Image

    for img in load(ISSUE)["stories"][0]["images"]:
        path = ISSUE.parent / img["src"]
        assert path.is_file(), f"{path}: run scripts/make-standin-photos.py"
        with Image.open(path) as im:
            assert im.size == (2400, 1600) and im.mode == "RGB"
            assert im.info.get("icc_profile")
        assert img["credit"] == "示意图片（非实拍）"


@needs_seed
@pytest.mark.parametrize("path", [ISSUE, PLACEHOLDERS], ids=lambda p: p.name)
def test_bylines_captions_headlines_and_columns_match_the_seed(path):
    seed = parse_seed()
    data = load(path)
    raw = path.read_text(encoding="utf-8")
    for seed_story, story in zip(seed, data["stories"], strict=True):
        assert story["byline"] == seed_story["byline"]
        assert story["byline"] in raw
        assert story["headline"] == seed_story["headline"]
        assert story["column"] == seed_story["column"]
        captions = [i["caption"] for i in story.get("images", [])]
        assert captions == seed_story["captions"]
        for c in captions:
            assert c in raw


def test_bylines_and_captions_are_in_the_yaml_without_the_seed():
    """The same facts, spelled out, for when shared/ is not beside the repo."""
    for path in (ISSUE, PLACEHOLDERS):
        raw = path.read_text(encoding="utf-8")
        for text in ("社区宣文办", "街道党政办、街道人大工委", "街道人大工委",
                     "深入调研“美丽家园”建设", "面对面咨询老年人需求", "业委会合并互动"):
            assert text in raw, f"{path.name} lacks {text}"
        assert "(社区宣文办)" not in raw and "（社区宣文办）" not in raw
