"""Text of the generated office issues: placeholders filled, bodies composed to a length,
and the Notepad / WeChat habits offices' text comes with. Deterministic for a given
`random.Random`. No kanwu code.
"""
from __future__ import annotations

import random
import re
import string

import office_bank as bank

CN_DIGITS = "零一二三四五六七八九十"
ZWSP = "\u200b"
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


class Filler:
    """Fills the bank's placeholders for one issue: its 街道, estates and date."""

    def __init__(self, rng: random.Random, street: tuple[str, str], estates: list[str], year: int, month: int):
        self.rng, self.street, self.estates, self.year, self.month = rng, street, estates, year, month

    def name(self) -> str:
        """A person's name; about one in four has a rare character (喆 堃 镕 犇 淼 燚 昇…)."""
        given = self.rng.choice(bank.RARE_GIVEN if self.rng.random() < 0.25 else bank.GIVEN)
        return self.rng.choice(bank.SURNAMES) + given

    def value(self, key: str) -> str:
        """One placeholder's text."""
        r = self.rng
        if key == "jd":
            return self.street[0]
        if key == "jds":
            return self.street[1]
        if key == "jmq":
            return r.choice(self.estates)
        if key == "name":
            return self.name()
        if key == "road":
            return r.choice(bank.ROADS)
        if key == "age":
            return str(r.randint(62, 99))
        if key == "n2":
            return str(r.randint(12, 98))
        if key == "n3":
            return str(r.randint(12, 98) * 10 if r.random() < 0.7 else r.randint(101, 999))
        if key == "n4":
            n = r.randint(1000, 9999)
            return f"{n:,}" if r.random() < 0.4 else str(n)  # offices write both 1,286 and 1286
        if key == "k":
            return str(r.randint(2, 9))
        if key == "cn":
            return CN_DIGITS[r.randint(3, 10)]
        if key == "pct":
            return f"{r.randint(80, 99)}%" if r.random() < 0.6 else f"{r.randint(60, 99)}.{r.randint(1, 9)}%"
        if key == "wan":
            return f"{r.randint(1, 9)}.{r.randint(1, 9)}" if r.random() < 0.6 else str(r.randint(12, 380))
        if key == "md":
            return f"{max(1, self.month - r.randint(0, 1))}月{r.randint(1, 28)}日"
        if key == "ym":
            return f"{self.year}年{max(1, self.month - r.randint(0, 2))}月"
        if key == "y":
            return str(self.year)
        if key == "hm":
            return f"{r.randint(8, 20)}:{r.choice(['00', '30'])}"
        if key == "phone":
            return r.choice(["021-", "", "021 "]) + f"{r.choice('56')}{r.randint(5000000, 9999999)}"
        if key == "mobile":
            return f"1{r.choice('3589')}{r.randint(0, 9)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}"
        if key == "book":
            return r.choice(bank.BOOKS)
        raise KeyError(key)

    def fill(self, template: str) -> str:
        """The template with every {key} replaced (each occurrence drawn anew)."""
        return re.sub(r"\{(\w+)\}", lambda m: self.value(m.group(1)), template)


def sentences(topic: str) -> list[str]:
    """The bank's sentences of one topic."""
    return bank.SENTENCES[topic].strip().splitlines()


TOPICS = [t for t in bank.SENTENCES if t != "general"]


def count_chars(markdown: str) -> int:
    """Characters a reader counts (字数): no whitespace, no Markdown markers."""
    text = re.sub(r"(?m)^\s*(#+|>|-|\d+\.)\s", "", markdown).replace("**", "")
    return sum(1 for ch in text if not ch.isspace() and ch != ZWSP and ch != "\ufeff")


class Pool:
    """Sentences of a story's topic first, then general ones, then other topics; refilled when used up."""

    def __init__(self, rng: random.Random, filler: Filler, topic: str):
        self.rng, self.filler, self.topic = rng, filler, topic
        self.queue: list[str] = []

    def _refill(self) -> None:
        own, general = sentences(self.topic), sentences("general")
        self.rng.shuffle(own)
        self.rng.shuffle(general)
        other = sentences(self.rng.choice([t for t in TOPICS if t != self.topic]))
        self.rng.shuffle(other)
        self.queue = own + general[:4] + other[:5]

    def take(self, quote: bool | None = None) -> str:
        """The next sentence, filled; with `quote`, one that opens with a quotation (for a block quote)."""
        if not self.queue:
            self._refill()
        if quote:
            for i, s in enumerate(self.queue):
                if s.startswith("“"):
                    return self.filler.fill(self.queue.pop(i))
        return self.filler.fill(self.queue.pop(0))


def _paragraph(rng: random.Random, pool: Pool, budget: int) -> str:
    """One paragraph of 1-5 sentences, stopping near `budget` characters."""
    n = rng.choices([1, 2, 3, 4, 5], weights=[2, 4, 4, 3, 1])[0]
    out = ""
    for _ in range(n):
        out += pool.take()
        if len(out) >= budget:
            break
    return out


def compose_body(rng: random.Random, filler: Filler, topic: str, target: int, *, subheads: bool,
                 points: bool, listing: str | None, quote: bool, bold: bool) -> str:
    """A Markdown body of about `target` characters on `topic`.

    `subheads`: long bodies get ## sections on neighbouring topics (a 综述);
    `points`: 简报 paragraphs opening with **一是……。**; `listing`: a key of the bank's
    LISTS for a numbered / bulleted list; `quote`: one > block quote; `bold`: one **sentence**.
    """
    n_sections = min(4, 2 + target // 1400) if subheads and target > 1100 else 1
    topics = [topic] + rng.sample([t for t in TOPICS if t != topic], n_sections - 1)
    blocks: list[str] = []
    used = 0
    extras_at = rng.randint(1, 3)
    for si, t in enumerate(topics):
        pool = Pool(rng, filler, t)
        if n_sections > 1:
            head = rng.choice(bank.SUBHEADS[t])
            blocks.append("## " + filler.fill(head))
            used += len(head)
        goal = target * (si + 1) // n_sections
        paras = 0
        while used < goal - 25 or (si == n_sections - 1 and used < 150):
            left = goal - used
            if points and si == 0 and paras < 3 and left > 120:
                text = f"**{bank.POINTS[paras]}{rng.choice(bank.POINT_PHRASES)}**" + _paragraph(rng, pool, min(left, 120))
            elif quote and si == 0 and paras == extras_at:
                text = "> " + pool.take(quote=True)
                quote = False
            elif listing and si == 0 and paras == extras_at + 1 and left > 100:
                text = _listing(rng, filler, listing)
                listing = None
            else:
                text = _paragraph(rng, pool, min(left, rng.choice([90, 160, 240, 320])))
                if bold and paras == 1:
                    first, dot, rest = text.partition("。")
                    text, bold = (f"**{first}{dot}**{rest}", False) if dot and "**" not in first else (text, bold)
            blocks.append(text)
            used += count_chars(text)
            paras += 1
    if not blocks or blocks[-1].startswith("## "):  # never end on a subhead
        blocks.append(Pool(rng, filler, topic).take())
    return "\n\n".join(blocks) + "\n"


def _listing(rng: random.Random, filler: Filler, key: str) -> str:
    """An intro line and a numbered or bulleted list (one Markdown block)."""
    items = bank.LISTS[key][:]
    if key != "schedule":
        rng.shuffle(items)
    items = items[: rng.randint(3, len(items))]
    intro = {"schedule": "活动安排如下：", "garbage": "生活垃圾分为四类："}.get(key, "请广大居民做到以下几点：")
    if key == "schedule":
        times = sorted({f"{h}:{m}" for h, m in ((rng.randint(8, 11), rng.choice(["00", "30"])) for _ in items)},
                       key=lambda s: tuple(map(int, s.split(":"))))
        items = [f"{t}　{item.split('　', 1)[1]}" for t, item in zip(times, items)]
    numbered = key != "garbage" and rng.random() < 0.7
    lines = [f"{i + 1}. {filler.fill(x)}" if numbered else f"- {filler.fill(x)}" for i, x in enumerate(items)]
    return intro + "\n\n" + "\n".join(lines)


# --- Notepad / WeChat habits -------------------------------------------------

ASCII_FOR = {"，": ",", "。": ".", "：": ":", "；": ";", "？": "?", "！": "!", "（": "(", "）": ")",
             "“": '"', "”": '"'}


def ascii_punct(rng: random.Random, text: str, share: float) -> str:
    """Full-width punctuation typed as ASCII (as in English input mode), `share` of it, never in markers."""
    out = []
    for ch in text:
        out.append(ASCII_FOR[ch] if ch in ASCII_FOR and rng.random() < share else ch)
    return "".join(out)


def habits(rng: random.Random, body: str, level: int) -> str:
    """`body` as an office saves it. level 0: clean; 1: some ASCII punctuation and stray spaces;
    2: also full-width-space indents, blank lines, a zero-width space, hard-wrapped paragraphs."""
    if level == 0:
        return body
    paras = body.split("\n\n")
    out: list[str] = []
    for p in paras:
        plain = not re.match(r"(#+|>|-|\d+\.)\s", p) and "\n" not in p
        p = ascii_punct(rng, p, 0.5 if level == 2 else 0.15)
        p = _stray_spaces(rng, p, 1 if level == 1 else 3)
        if plain and level == 2:
            if rng.random() < 0.5:
                p = "\u3000\u3000" + p  # indented by hand with two full-width spaces
            if rng.random() < 0.15:
                i = _cjk_gap(rng, p)
                p = p[:i] + ZWSP + p[i:] if i else p  # pasted from WeChat
            if "**" not in p and len(p) > 80 and rng.random() < 0.3:
                p = _hard_wrap(rng, p)
        if rng.random() < 0.3:
            p += " " * rng.randint(1, 3)  # trailing spaces
        out.append(p)
    sep = ["\n\n"] * (len(out) - 1)
    if level == 2:
        sep = [rng.choice(["\n\n", "\n\n", "\n\n\n", "\n \n", "\n\u3000\n"]) for _ in sep]
    return "".join(p + s for p, s in zip(out, sep + [""])) + "\n"


def _cjk_gap(rng: random.Random, text: str) -> int:
    """A random index between two ideographs, or 0."""
    spots = [i for i in range(1, len(text)) if IDEOGRAPH.match(text[i - 1]) and IDEOGRAPH.match(text[i])]
    return rng.choice(spots) if spots else 0


def _stray_spaces(rng: random.Random, text: str, n: int) -> str:
    """Up to `n` spaces typed between Chinese characters (never at the start of a line)."""
    for _ in range(rng.randint(0, n)):
        i = _cjk_gap(rng, text)
        if i > 3:
            text = text[:i] + rng.choice([" ", " ", "  ", "\u3000"]) + text[i:]
    return text


def _hard_wrap(rng: random.Random, p: str) -> str:
    """A paragraph broken into lines as text copied out of a PDF is (joined again by the Markdown reader)."""
    lines, i = [], 0
    while len(p) - i > 45:
        j = i + rng.randint(30, 42)
        while j < len(p) and (p[j] in string.digits or p[j] in " -#>"):
            j += 1
        lines.append(p[i:j])
        i = j
    lines.append(p[i:])
    return "\n".join(lines)


def headline_habits(rng: random.Random, text: str) -> str:
    """A headline as typed: sometimes an ASCII comma, sometimes a full-width space for the comma."""
    r = rng.random()
    if r < 0.25:
        return text.replace("，", ",")
    if r < 0.35:
        return text.replace("，", "\u3000")
    return text
