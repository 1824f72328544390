#!/usr/bin/env python3
"""Write the benchmark's big A3 number: 36 stories made from the seed's texts on about 20 pages.

The bodies are the seed's six texts (issues/siping/*.md, issues/mixed/*.md), each
story one text followed by part of another, so lengths vary (about 350-2,800 字);
headlines are varied per story; the three seed pictures (issues/images/lead-*.jpg)
are reused on some stories. With a `pages:` plan of 20 pages (one or two stories a
page), or with --no-plan none (the stories flow). Deterministic; no kanwu code.

    .venv/bin/python bench/big_issue.py -o /tmp/big [--no-plan]

Writes DIR/big.yaml, DIR/text/*.md and DIR/images/*.jpg; prints one line.
"""
from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "issues"
PAGES = 20
# stories on each planned page: four pages hold one long story, the others two (4 + 16 x 2 = 36)
PER_PAGE = [1, 2, 2, 2, 2, 1, 2, 2, 2, 2, 1, 2, 2, 2, 2, 1, 2, 2, 2, 2]
TITLES = ["要闻", "要闻", "综合", "综合", "社区", "社区", "民生", "民生", "党建", "党建",
          "人大", "人大", "平安", "平安", "健康", "健康", "文化", "文化", "副刊", "副刊"]

# seed text: (file, 栏目, byline, six headlines)
TEXTS = [
    ("siping/lead.md", "“四史”学习教育", "社区宣文办",
     ["以学促干,服务群众有“热度”", "“边听边问”问需求，“边学边干”解难题", "学“四史”、办实事，党员干部走进居民区",
      "“美丽家园”建设中的党员身影", "把学习成果转化为为民服务的实效", "四平路街道“四史”学习教育走深走实"]),
    ("siping/frontline.md", "一线工作法", "街道党政办、街道人大工委",
     ["四平路街道开展市、区人大代表集中联系基层活动", "代表走进社区，倾听居民心声", "“家门口”的代表联络站热闹起来了",
      "人大代表与居民面对面", "收集意见建议，推动问题解决", "代表联系群众“零距离”"]),
    ("siping/npc.md", "人大动态", "街道人大工委",
     ["四平路街道完成杨浦区第十六届人大代表补选工作", "区人大代表补选工作顺利完成", "依法有序做好代表补选",
      "选民踊跃参加投票", "补选工作圆满结束", "公平公正公开，补选依法进行"]),
    ("mixed/health.md", "健康杨浦", "社区卫生服务中心、社区宣文办",
     ["5G远程会诊进社区，“健康社区日”服务居民", "家门口“看专家”，1,286人次受益", "“健康小屋”开进居民区",
      "健康社区日：把医院搬到家门口", "家庭医生签约率达86.4%", "慢病管理科普走进广场"]),
    ("mixed/recycle.md", "绿色生活", "街道生态办",
     ["“绿色账户”回收季：386.5吨可回收物“变废为宝”", "可回收物回收量创新高", "绿色账户积分兑换热",
      "垃圾分类，从“新时尚”到“好习惯”", "扫一扫，回收员上门", "“变废为宝”的社区实践"]),
    ("mixed/notice.md", "通知公告", "四平路街道防汛指挥部",
     ["关于做好2024年汛期社区防汛防台工作的通知", "防汛防台，居民须知", "汛期安全提示",
      "街道部署汛期防汛防台工作", "关于开展防汛应急演练的通知", "防汛物资储备到位"]),
]
CAPTIONS = {"lead-1.jpg": "深入调研“美丽家园”建设", "lead-2.jpg": "面对面咨询老年人需求", "lead-3.jpg": "业委会合并互动"}


def paragraphs(rel: str) -> list[str]:
    """The seed text's blocks (paragraphs, subheads, lists) in order."""
    source = (SEED / rel).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return [b.strip() for b in re.split(r"\n\s*\n", source) if b.strip()]


def story_body(i: int, long: bool) -> str:
    """Story `i`: seed text i mod 6, then the first third (a long story: all) of another text."""
    own = paragraphs(TEXTS[i % 6][0])
    more = paragraphs(TEXTS[(i + 1 + i // 6) % 6][0])
    more = [b for b in more if not b.startswith("特此")]
    take = more if long else more[: max(1, len(more) // 3)]
    if take and take[0].startswith("#"):
        take = take[1:]
    body = own + take
    while body and body[-1].startswith("## "):  # never end on a subhead
        body.pop()
    return "\n\n".join(body) + "\n"


def build(out: Path, plan: bool) -> tuple[Path, int, int, int]:
    """Write the issue under `out`; returns (issue file, stories, characters, pictures)."""
    (out / "text").mkdir(parents=True, exist_ok=True)
    (out / "images").mkdir(exist_ok=True)
    for name in CAPTIONS:
        shutil.copyfile(SEED / "images" / name, out / "images" / name)
    firsts = {sum(PER_PAGE[:p]) for p in range(PAGES)}
    longs = {sum(PER_PAGE[:p]) for p in range(PAGES) if PER_PAGE[p] == 1}
    lines = ["# 基准测试用的大号报纸：36 篇稿件取自样刊正文 / benchmark issue made from the seed's texts",
             "kanwu: 1", "publication:", "  name: 四平简报", "  publisher: 中共四平路街道工作委员会",
             "  editor: 四平路街道社区宣文办", "  permit: 沪（杨）内资准字（2024）第000号", "  print_run: 3000",
             "issue:", "  number: 6", "  total: 249", "  date: 2024-06-28", "layout: tabloid-a3"]
    ids = [f"s{i + 1:02d}" for i in range(36)]
    if plan:
        lines.append("pages:")
        k = 0
        for p, n in enumerate(PER_PAGE):
            lines += [f"  - title: {TITLES[p]}", f"    stories: [{', '.join(ids[k:k + n])}]"]
            k += n
    lines.append("stories:")
    chars = pictures = 0
    for i, sid in enumerate(ids):
        rel, column, byline, heads = TEXTS[i % 6]
        body = story_body(i, i in longs)
        chars += sum(1 for ch in body if not ch.isspace())
        lines += [f"  - id: {sid}", f"    column: {column}", f"    headline: {heads[(i // 6 + i) % 6]}",
                  f"    byline: {byline}"]
        if i % 4 == 3:  # some bodies inline, as offices paste them
            lines.append("    body: |")
            lines += [("      " + ln) if ln else "" for ln in body.rstrip("\n").split("\n")]
        else:
            (out / "text" / f"{sid}.md").write_text(body, encoding="utf-8")
            lines.append(f"    body_file: text/{sid}.md")
        n_pics = 2 if i in longs else (1 if i in firsts or i % 5 == 2 else 0)
        if n_pics:
            lines.append("    images:")
            for j in range(n_pics):
                name = list(CAPTIONS)[(i + j) % 3]
                lines += [f"      - src: images/{name}", f"        caption: {CAPTIONS[name]}",
                          "        credit: 示意图片（非实拍）"]
            pictures += n_pics
    path = out / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(ids), chars, pictures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out", type=Path, required=True, help="folder to write the issue into")
    ap.add_argument("--no-plan", action="store_true", help="no pages: plan; the stories flow")
    a = ap.parse_args()
    path, stories, chars, pictures = build(a.out, not a.no_plan)
    plan = "no plan" if a.no_plan else f"plan {PAGES} pages"
    print(f"{path}  tabloid-a3  stories {stories}  字 {chars}  pictures {pictures}  {plan}")


if __name__ == "__main__":
    main()
