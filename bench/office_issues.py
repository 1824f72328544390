#!/usr/bin/env python3
"""Generate unseen-style issue folders, written the way 街道 publicity offices write them.

Test material for page makeup: each folder holds issue.yaml, body .md files under
text/ (some stories have their body inline with `body: |`) and phone pictures under
images/. Across issues it varies the layout (tabloid-a3, bulletin-a4), the page plan
(A3: 2 or 4 planned pages, or none), how much text there is for the planned pages
(fits, 20-40 % over, half), 2-9 stories of 150-3,500 字, pictures of every shape with
and without `place` hints, and the habits of Notepad and WeChat (ASCII punctuation,
full-width and stray spaces, blank lines, CRLF, BOM, zero-width spaces).
Deterministic: the same --seed and --count give the same bytes. No kanwu code.

    .venv/bin/python bench/office_issues.py --seed 1 --count 12 -o out/office

Prints one line per issue: folder, layout, stories, characters, pictures, planned
pages, and the intended fit with the estimated fill of the planned pages.
"""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import office_bank as bank
import office_fit as fit
import office_photos as photos
import office_text as text

IDS = {"garbage": "lajifenlei", "elderly": "weilao", "canteen": "shitang", "party": "dangjian",
       "civility": "wenming", "flood": "fangxun", "fire": "xiaofang", "npc": "renda", "volunteer": "zhiyuan",
       "health": "jiankang", "culture": "wenhua", "lift": "dianti", "safety": "pingan", "youth": "shuqi"}
# (kind, planned pages) of successive A3 issues; A4 issues are sized for 1-4 pages and have no plan.
A3_PLANS = [("plan", 2), ("plan", 4), ("none", 2), ("plan", 2), ("none", 4), ("plan", 4)]
A4_PAGES = [1, 2, 3, 2, 4, 2]   # a one-page 简报 only when its text fits (slots 0, 6, 12 … are 'fit')
FITS = ["fit", "over", "fit", "under"]
PAGE_TITLES = {2: [["要闻", "社区"], ["要闻", "综合"], ["要闻", "民生"]],
               4: [["要闻", "综合", "社区", "文化"], ["要闻", "党建", "社区", "文化"], ["要闻", "综合", "民生", "副刊"]]}


@dataclass
class Picture:
    src: str
    shape: str
    caption: str | None
    credit: str | None
    hint: int | None


@dataclass
class StorySpec:
    id: str
    topic: str
    headline: str
    column: str | None = None
    kicker: str | None = None
    subheadline: str | None = None
    byline: str | None = None
    lead: str | None = None
    body: str = ""              # as the office saved it (habits applied)
    clean: str = ""             # the same text before the habits: what the fit model measures
    inline: bool = False
    bom: bool = False
    crlf: bool = False
    pictures: list[Picture] = field(default_factory=list)
    place: int | None = None

    def fixed_cost(self, geo: fit.Geometry, lead: bool, target: int) -> int:
        """Column-lines of everything but the body, for a body of about `target` characters."""
        span = self.place or fit.span_for(target // geo.chars, geo, lead)
        sizes = [(photos.SHAPES[p.shape][0], photos.SHAPES[p.shape][1], p.hint) for p in self.pictures]
        return (fit.head_lines(self.headline, span, geo, column=bool(self.column), kicker=bool(self.kicker),
                               subheadline=bool(self.subheadline), byline=bool(self.byline),
                               lead_chars=len(self.lead or "")) + fit.pictures_cost(sizes, geo, lead))


@dataclass
class IssueSpec:
    folder: str
    geo: fit.Geometry
    pages: int
    plan: list[tuple[str, list[str]]] | None
    fit_kind: str
    factor: float
    stories: list[StorySpec]
    head: dict
    mess: int
    people: tuple[tuple[str, str], list[str], int, int]   # street, estates, year, month: a `Filler`'s

    def estimated_fill(self) -> float:
        """Demand of all stories over the capacity of the planned pages (1.0 = just fits)."""
        cap = sum(self.geo.page_capacity(p + 1, p == self.pages - 1) for p in range(self.pages))
        firsts = {ids[0] for _, ids in self.plan} if self.plan else {self.stories[0].id}
        need = sum(_demand(s, self.geo, s.id in firsts) for s in self.stories)
        return need / cap


# --- choosing an issue ---------------------------------------------------------

def plan_issue(index: int, seed: int) -> IssueSpec:
    """Everything about issue `index` but the texts' lengths."""
    rng = random.Random(f"office:{seed}:{index}")
    a3 = index % 2 == 0
    geo = fit.A3 if a3 else fit.A4
    slot = index // 2
    kind, pages = A3_PLANS[slot % len(A3_PLANS)] if a3 else ("none", A4_PAGES[slot % len(A4_PAGES)])
    fit_kind = FITS[slot % len(FITS)]
    if pages == 1 and fit_kind != "fit":  # one A4 page holds no two stories at half or 1.3 times its size
        pages = 2
    factor = {"fit": rng.uniform(0.92, 0.98), "over": rng.uniform(1.2, 1.4), "under": rng.uniform(0.45, 0.55)}[fit_kind]
    cap = sum(geo.page_capacity(p + 1, p == pages - 1) for p in range(pages)) * factor
    biggest, smallest = (420, 45) if a3 else (130, 10)  # column-lines of a 3,500-字 story and of a 简讯
    low = max(2, pages if kind == "plan" else 2, -(-int(cap) // biggest))
    n = rng.randint(low, max(low, min(9, int(cap // smallest))))
    street = rng.choice(bank.STREETS)
    year, month = rng.choice([2023, 2024, 2025]), rng.randint(3, 12)
    filler = text.Filler(rng, street, rng.sample(bank.ESTATES, 5), year, month)
    mess = rng.choices([0, 1, 2], weights=[3, 4, 4])[0]
    topics = rng.sample(text.TOPICS, n)
    stories = [_story(rng, filler, t, i, geo, mess) for i, t in enumerate(topics)]
    if rng.random() < 0.5:
        stories[0].id = "lead"
    plan = None
    if kind == "plan":
        counts = [1] * pages
        for _ in range(n - pages):
            counts[rng.choice([p for p in range(pages) if p > 0 or counts[0] < 3])] += 1
        titles = rng.choice(PAGE_TITLES[pages])
        it = iter(s.id for s in stories)
        plan = [(titles[p], [next(it) for _ in range(counts[p])]) for p in range(pages)]
    folder = f"{index + 1:02d}-{'a3' if a3 else 'a4'}-{'plan' if plan else 'noplan'}{pages}-{fit_kind}"
    return IssueSpec(folder, geo, pages, plan, fit_kind, factor, stories, _head(rng, filler, street, a3, year, month),
                     mess, (street, filler.estates, year, month))


def _story(rng: random.Random, f: text.Filler, topic: str, i: int, geo: fit.Geometry, mess: int) -> StorySpec:
    """A story's head, pictures and hints (its body comes later, once its length is known)."""
    r = rng.random()
    long_ok = [h for h in map(f.fill, bank.LONG_HEADLINES) if 30 <= len(h) <= 40]
    if r < 0.08 and long_ok:
        headline = rng.choice(long_ok)
    elif r < 0.14:
        headline = rng.choice(bank.SHORT_HEADLINES)
    else:
        headline = f.fill(rng.choice(bank.HEADLINES[topic]))
    if mess:
        headline = text.headline_habits(rng, headline)
    s = StorySpec(IDS[topic], topic, headline)
    s.column = bank.COLUMNS[topic] if rng.random() < 0.6 else None
    s.kicker = f.fill(rng.choice(bank.KICKERS)) if rng.random() < 0.15 else None
    s.subheadline = f.fill(rng.choice(bank.SUBHEADLINES)) if rng.random() < 0.12 else None
    s.byline = f.fill(rng.choice(bank.BYLINES)) if rng.random() < 0.8 else None
    s.inline = rng.random() < 0.4
    s.bom = rng.random() < 0.15 * (1 + mess)
    s.crlf = rng.random() < 0.2 * (1 + mess)
    weights = [3, 4, 2, 1, 0.5] if geo.columns > 1 else [5, 4, 1.5, 0.5, 0.2]  # a 简报 is mostly text
    count = rng.choices([0, 1, 2, 3, 4], weights=weights)[0]
    if i == 0 and count == 0 and (geo.columns > 1 or rng.random() < 0.7):  # a paper's lead has a picture
        count = rng.randint(1, 3)
    for _ in range(count):
        shape = photos.pick_shape(rng)
        hint = None
        if rng.random() < 0.2:  # a hint that suits the picture's shape, as an editor gives one
            w, h, _, _ = photos.SHAPES[shape]
            if geo.columns == 1:
                hint = rng.choice([2, 3]) if h > w else rng.choice([2, 3, 3, 4, 6])
            else:
                hint = rng.choice([1, 2]) if h > w else rng.choice([2, 3, 3, 4, 5] if w < 2 * h else [3, 4, 5])
        caption = f.fill(rng.choice(bank.CAPTIONS[topic])) if rng.random() < 0.85 else None
        credit = f.fill(rng.choice(bank.CREDITS)) if rng.random() < 0.35 else None
        s.pictures.append(Picture(_photo_name(rng, shape, f.year, f.month), shape, caption, credit, hint))
    if geo.columns > 1 and rng.random() < 0.1:
        s.place = rng.choice([2, 3, 4, 5])
    return s


def _photo_name(rng: random.Random, shape: str, year: int, month: int) -> str:
    """A file name as phones and WeChat give them."""
    d = f"{year}{month:02d}{rng.randint(1, 28):02d}"
    t = f"{rng.randint(8, 20):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
    if photos.SHAPES[shape][2] == "PNG":
        return f"images/Screenshot_{d}_{t}_com.tencent.mm.png"
    return "images/" + rng.choice([f"IMG_{d}_{t}.jpg", f"mmexport{rng.randint(1700000000000, 1739999999999)}.jpg",
                                   f"微信图片_{d}{t}.jpg", f"IMG_{rng.randint(1000, 9999)}.JPG",
                                   f"DSC_{rng.randint(1, 9999):04d}.JPG", f"{d}_{t}.jpeg"])


def _head(rng: random.Random, f: text.Filler, street: tuple[str, str], a3: bool, year: int, month: int) -> dict:
    """publication:, issue:, distribution: of one issue."""
    jd, short = street
    name = f"{short}简报" if not a3 else rng.choice([f"{short}社区报", f"{short}", f"{short}家园"])
    pub = {"name": name, "publisher": rng.choice([f"中共{jd}工作委员会", f"{jd}办事处"]),
           "editor": rng.choice([f"{jd}社区宣文办", f"{jd}党群办公室", f"{jd}党政办公室"])}
    if rng.random() < 0.6:
        pub["permit"] = f"沪（杨）内资准字（{year}）第0{rng.randint(10, 99)}号"
    if rng.random() < 0.5:
        pub["contact"] = f"地址：{rng.choice(bank.ROADS)}{rng.randint(10, 999)}号　电话：{f.value('phone')}"
    pub["print_run"] = rng.choice([1000, 1500, 2000, 3000, 5000, 8000])
    number = rng.randint(1, 24)
    head = {"publication": pub,
            "issue": {"number": number, "total": number + rng.randint(80, 400), "date": f"{year}-{month:02d}-{rng.randint(1, 28):02d}"}}
    if not a3 or rng.random() < 0.2:
        head["distribution"] = {"send_to": rng.choice(["区委宣传部、区文明办", "区委组织部、区委宣传部、区民政局", "区委办、区府办"]),
                                "copy_to": "街道党工委、办事处领导，各科室、各居民区党组织"}
    return head


# --- sizing the texts ------------------------------------------------------------

def size_texts(spec: IssueSpec, seed: int, index: int) -> None:
    """Write every story's body so the issue fills `factor` of its planned pages."""
    rng = random.Random(f"office-text:{seed}:{index}")
    geo = spec.geo
    groups = ([[s for s in spec.stories if s.id in ids] for _, ids in spec.plan] if spec.plan
              else [spec.stories])
    caps = [geo.page_capacity(p + 1, p == spec.pages - 1) for p in range(spec.pages)]
    budgets = [caps[i] for i in range(len(groups))] if spec.plan else [sum(caps)]
    filler = text.Filler(rng, *spec.people)
    for group, cap in zip(groups, budgets):
        weights = [rng.uniform(1.6, 2.4) if j == 0 else rng.uniform(0.6, 1.4) for j in range(len(group))]
        guess = [cap * spec.factor * w / sum(weights) for w in weights]
        targets = [fit.chars_for(g * 0.7, geo) for g in guess]
        fixed = [s.fixed_cost(geo, j == 0, t) for j, (s, t) in enumerate(zip(group, targets))]
        # pictures go first when the page cannot hold them and a minimal text
        least = -(-250 // geo.chars)  # column-lines of a short story's text
        keep = 1 if geo.columns > 1 else 0  # a page of a paper keeps one picture
        while sum(fixed) + least * len(group) > cap * spec.factor and sum(len(s.pictures) for s in group) > keep:
            _drop_biggest_picture(group, geo)
            fixed = [s.fixed_cost(geo, j == 0, t) for j, (s, t) in enumerate(zip(group, targets))]
        left = max(0.0, cap * spec.factor - sum(fixed))
        for j, s in enumerate(group):
            chars = max(170, min(3400, fit.chars_for(left * weights[j] / sum(weights), geo)))
            _write_body(rng, filler, s, chars, geo, spec.mess)
        for _ in range(3):  # the model's estimate of what was written, corrected on the longest story
            need = sum(_demand(s, geo, j == 0) for j, s in enumerate(group))
            gap = cap * spec.factor - need
            if abs(gap) < 0.02 * cap:
                break
            s = max(group, key=lambda s: text.count_chars(s.clean))
            chars = max(170, min(3400, text.count_chars(s.clean) + len(s.lead or "") + fit.chars_for(gap, geo)))
            _write_body(rng, filler, s, chars, geo, spec.mess)


def _drop_biggest_picture(group: list[StorySpec], geo: fit.Geometry) -> None:
    """Remove the picture that takes most of the page from a group of stories."""
    def cost(j: int, s: StorySpec, k: int) -> int:
        w, h, _, _ = photos.SHAPES[s.pictures[k].shape]
        return fit.picture_lines(w, h, geo, s.pictures[k].hint, j == 0 and k == 0)[0]
    _, j, k = max((cost(j, s, k), j, k) for j, s in enumerate(group) for k in range(len(s.pictures)))
    del group[j].pictures[k]


def _demand(s: StorySpec, geo: fit.Geometry, lead: bool) -> int:
    """Column-lines a written story takes in the model."""
    return s.fixed_cost(geo, lead, text.count_chars(s.clean)) + fit.body_lines(s.clean, geo)


def _write_body(rng: random.Random, f: text.Filler, s: StorySpec, chars: int, geo: fit.Geometry, mess: int) -> None:
    """Compose a body of about `chars` characters, with a lead (导语) for some longer stories."""
    s.lead = None
    if chars > 700 and rng.random() < 0.25:
        pool = text.Pool(rng, f, s.topic)
        s.lead = pool.take() + (pool.take() if rng.random() < 0.5 else "")
        chars -= len(s.lead)
    listing = None
    if s.topic in bank.LISTS and rng.random() < 0.5:
        listing = s.topic
    elif s.topic in ("culture", "health", "volunteer") and rng.random() < 0.3:
        listing = "schedule"
    s.clean = text.compose_body(rng, f, s.topic, chars, subheads=chars > 1100 and rng.random() < 0.75,
                                points=rng.random() < (0.35 if geo.columns == 1 else 0.08), listing=listing,
                                quote=rng.random() < 0.25, bold=rng.random() < 0.3)
    level = max(0, min(2, mess + rng.choice([-1, 0, 0, 1])))
    s.body = text.habits(rng, s.clean, level)


# --- writing ------------------------------------------------------------------------

def q(value: object) -> str:
    """A YAML scalar: plain when it reads back unchanged, else double-quoted."""
    s = str(value)
    try:
        plain_ok = yaml.safe_load(f"k: {s}") == {"k": value}
    except yaml.YAMLError:
        plain_ok = False
    return s if plain_ok and s.strip() == s else json.dumps(s, ensure_ascii=False)


def issue_yaml(spec: IssueSpec) -> str:
    """The issue file as an office writes it: comments, Chinese, flow maps for hints."""
    h = spec.head
    pub, iss = h["publication"], h["issue"]
    out = [f"# {pub['name']} {iss['date'][:4]}年第{iss['number']}期", "kanwu: 1", "publication:"]
    out += [f"  {k}: {q(v)}" for k, v in pub.items()]
    out += ["issue:", f"  number: {iss['number']}", f"  total: {iss['total']}", f"  date: {iss['date']}",
            f"layout: {spec.geo.name}"]
    if spec.plan:
        out.append("pages:")
        for title, ids in spec.plan:
            out += [f"  - title: {q(title)}", f"    stories: [{', '.join(ids)}]"]
    if "distribution" in h:
        out += ["distribution:"] + [f"  {k}: {q(v)}" for k, v in h["distribution"].items()]
    out.append("stories:")
    for s in spec.stories:
        out.append(f"  - id: {s.id}")
        for key in ("column", "kicker", "headline", "subheadline", "byline", "lead"):
            if getattr(s, key):
                out.append(f"    {key}: {q(getattr(s, key))}")
        if s.inline:
            out.append("    body: |")
            out += [("      " + line) if line else "" for line in s.body.rstrip("\n").split("\n")]
        else:
            out.append(f"    body_file: text/{s.id}.md")
        if s.pictures:
            out.append("    images:")
            for p in s.pictures:
                out.append(f"      - src: {q(p.src)}")
                for key in ("caption", "credit"):
                    if getattr(p, key):
                        out.append(f"        {key}: {q(getattr(p, key))}")
                if p.hint:
                    out.append(f"        place: {{columns: {p.hint}}}")
        if s.place:
            out.append(f"    place: {{columns: {s.place}}}")
    return "\n".join(out) + "\n"


def _encode(text_: str, bom: bool, crlf: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + (text_.replace("\n", "\r\n") if crlf else text_).encode("utf-8")


def write_issue(spec: IssueSpec, out: Path, seed: int, index: int) -> Path:
    """Write the folder: issue.yaml, text/*.md, images/*; check that the YAML reads back as meant."""
    folder = out / spec.folder
    (folder / "text").mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    rng = random.Random(f"office-files:{seed}:{index}")
    source = issue_yaml(spec)
    path = folder / "issue.yaml"
    path.write_bytes(_encode(source, rng.random() < 0.25 + 0.1 * spec.mess, rng.random() < 0.2 + 0.15 * spec.mess))
    _check_reads_back(spec, source)
    for s in spec.stories:
        if not s.inline:
            (folder / "text" / f"{s.id}.md").write_bytes(_encode(s.body, s.bom, s.crlf))
        for p in s.pictures:
            photos.make_photo(p.shape, folder / p.src, f"{seed}:{index}:{p.src}")
    return path


def _check_reads_back(spec: IssueSpec, source: str) -> None:
    """A generator bug (quoting, indentation) must not pass as an office's mistake."""
    doc = yaml.safe_load(source)
    for s, d in zip(spec.stories, doc["stories"], strict=True):
        assert d["id"] == s.id and d["headline"] == s.headline, (s.id, d["headline"], s.headline)
        if s.inline:
            assert d["body"].rstrip() == s.body.rstrip(), s.id
        for p, dp in zip(s.pictures, d.get("images", []), strict=True):
            assert dp["src"] == p.src and dp.get("caption") == p.caption, p.src


def generate(seed: int, count: int, out: Path) -> list[tuple[Path, IssueSpec]]:
    """Plan, size and write `count` issues under `out`."""
    done = []
    for i in range(count):
        spec = plan_issue(i, seed)
        size_texts(spec, seed, i)
        done.append((write_issue(spec, out, seed, i), spec))
    return done


def describe(path: Path, spec: IssueSpec) -> str:
    """One line: folder, layout, stories, characters, pictures, planned pages, fit."""
    chars = sum(text.count_chars(s.clean) + len(s.lead or "") for s in spec.stories)
    pics = sum(len(s.pictures) for s in spec.stories)
    pages = f"plan {spec.pages} pages" if spec.plan else f"no plan, sized for {spec.pages} page{'s' * (spec.pages > 1)}"
    return (f"{path.parent}  {spec.geo.name}  stories {len(spec.stories)}  字 {chars}  pictures {pics}  "
            f"{pages}  {spec.fit_kind} (estimated {spec.estimated_fill():.0%} of the planned pages)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("-o", "--out", type=Path, required=True, help="folder to write the issue folders into")
    a = ap.parse_args()
    for path, spec in generate(a.seed, a.count, a.out):
        print(describe(path, spec), flush=True)


if __name__ == "__main__":
    main()
