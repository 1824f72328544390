"""The command line: ``kanwu build``, ``kanwu check``, ``kanwu layouts``, ``kanwu new``, ``kanwu schema``,
``kanwu import``.

The only module that prints, and everything it prints goes through `visible`
(control characters escaped); libraries' log records are shown only with
``--debug``. Exit status: 0 fine (warnings allowed), 1 the
typeset result has errors (for build: proof and report written, print PDF
not), 2 invalid input (nothing written). ``--debug`` shows a traceback for
bugs; expected failures never do.
"""
from __future__ import annotations

import argparse
import datetime
import logging
import os
import re
import sys
import threading
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Sequence, TextIO

from . import __version__
from .errors import Finding, KanwuError
from .progress import Progress

QUIET_CODES = {"normalized-punctuation"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kanwu", description="刊物排版：把期刊 YAML 排成印刷 PDF 和校样 PDF / "
                                "typeset a Chinese bulletin issue into a press PDF and a proof")
    p.add_argument("--version", action="version", version=f"kanwu {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("issue", metavar="ISSUE.yaml", help="期刊文件 / the issue file")
        sp.add_argument("--layout", metavar="NAME", help="用这个版式代替文件里的 layout / override the layout")
        sp.add_argument("-v", "--verbose", action="store_true", help="列出每一处标点改动 / list every normalisation")
        sp.add_argument("--debug", action="store_true", help="出错时显示 Python 调用栈 / show tracebacks")

    b = sub.add_parser("build", help="排版并写出 PDF / build the print PDF, the proof and the report",
                       description="写出 DIR/<stem>.print.pdf、<stem>.proof.pdf、<stem>.preflight.json")
    common(b)
    b.add_argument("-o", "--output", metavar="DIR", default="out", help="输出文件夹（默认 out/）/ output folder")
    b.add_argument("--round", type=_proof_round, metavar="N", help="校次：1 一校，2 二校…… / proof round")
    b.add_argument("--since", metavar="OLD.proof.pdf",
                   help="与上一校的校样比较，标出改动 / compare with an earlier proof and mark what changed")
    b.add_argument("--show-normalized", action="store_true",
                   help="在校样上浅色标出规范化的标点 / mark normalised punctuation on the proof")
    b.add_argument("--show-grid", action="store_true",
                   help="在校样上画出基线网格和每篇稿件的版块 / draw the baseline grid and every story's module on the proof")
    b.add_argument("--png", action=argparse.BooleanOptionalAction, default=True,
                   help="写出页面 PNG 与缩略总览（默认写）/ write page PNGs and a contact sheet (default: yes)")
    b.add_argument("--html", action="store_true", help="同时写出交给 WeasyPrint 的 HTML（调版式用）/ also write the HTML")
    press_options(b)
    cache_option(b)
    b.add_argument("--impose", action="store_true", help="同时写出骑马订拼版 <stem>.imposed.pdf / also write imposed sheets")
    b.add_argument("--package", action="store_true",
                   help="同时写出给印厂的压缩包 <stem>.press.zip / also write the printer's zip (PDF, report, README, SHA-256)")
    i = sub.add_parser("impose", help="排版并拼版（骑马订对开）/ build and impose pages 2-up for saddle stitching",
                       description="写出 build 的全部文件和 DIR/<stem>.imposed.pdf：A4 拼在 A3 上，A3 拼在 A2 上")
    common(i)
    i.add_argument("-o", "--output", metavar="DIR", default="out", help="输出文件夹（默认 out/）/ output folder")
    press_options(i)
    cache_option(i)
    c = sub.add_parser("check", help="检查并试排，不写 PDF / validate, typeset and preflight without writing",
                       description="打印 file:line:col: level: message 形式的问题清单")
    common(c)
    w = sub.add_parser("watch", help="文件一改就重新生成 / rebuild whenever a source file changes",
                       description="常驻运行：期刊文件、正文、图片或版式一有改动就重新生成校样（Ctrl+C 退出）")
    common(w)
    w.add_argument("-o", "--output", metavar="DIR", default="out", help="输出文件夹（默认 out/）/ output folder")
    w.add_argument("--png", action=argparse.BooleanOptionalAction, default=True,
                   help="写出页面 PNG 与缩略总览（默认写）/ write page PNGs and a contact sheet (default: yes)")
    cache_option(w)
    sv = sub.add_parser("serve", help="在浏览器里看校样，保存即重排 / show the latest build in the browser, rebuilt on save",
                        description="常驻运行：在本机浏览器里并排显示最新的版面和问题清单，文件一保存就重新排版并自动更新"
                        "（只监听 127.0.0.1；Ctrl+C 退出）")
    common(sv)
    sv.add_argument("-o", "--output", metavar="DIR", default="out", help="输出文件夹（默认 out/）/ output folder")
    sv.add_argument("--port", type=_port, default=0, metavar="N", help="端口（默认随机选一个空闲的）/ port (default: any free one)")
    sv.add_argument("--no-open", action="store_true", help="不自动打开浏览器 / do not open the browser")
    cache_option(sv)
    sub.add_parser("layouts", help="列出可用版式 / list the available layouts")
    n = sub.add_parser("new", help="开始新的一期 / start the next number from the previous one",
                       description="照上一期的报头、版面安排和栏目生成下一期的期刊文件，稿件位待填；不给上一期时写出带说明的起步文件")
    n.add_argument("previous", metavar="PREVIOUS.yaml", nargs="?", help="上一期的期刊文件 / the previous number's file")
    n.add_argument("-o", "--output", metavar="NEW.yaml",
                   help="新文件名（默认按上一期的文件名把期号加一）/ the new file (default: the previous name, number + 1)")
    n.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                   help="出版日期（默认在终端上询问，否则为今天）/ the date (default: asked on a terminal, else today)")
    n.add_argument("--force", action="store_true", help="覆盖已有的文件 / replace an existing file")
    n.add_argument("--debug", action="store_true", help="出错时显示 Python 调用栈 / show tracebacks")
    sc = sub.add_parser("schema", help="写出期刊文件的 JSON Schema（编辑器提示键名）/ write the issue format as a JSON Schema",
                       description="把期刊文件的格式写成 JSON Schema（draft 2020-12），供编辑器补全键名、标出拼错的键")
    sc.add_argument("-o", "--output", metavar="FILE", help="写到文件（默认打印出来）/ write to FILE (default: print it)")
    m = sub.add_parser("import", help="把 Word/WPS 稿件（.docx）导入为一篇稿件 / turn a .docx into a story",
                       description="正文写成 text/<id>.md，图片存进 images/；有 --into 时把稿件加到期刊文件末尾，否则打印出来")
    m.add_argument("docx", metavar="FILE.docx", help="通讯员的 Word 或 WPS 文档（.docx）/ the correspondent's .docx")
    m.add_argument("--into", metavar="ISSUE.yaml", help="把稿件加到这个期刊文件的 stories: 末尾 / append the story to "
                   "this issue file")
    m.add_argument("--id", metavar="ID", help="稿件 id（默认自动选一个没用过的）；kanwu new 留下的稿件位的 id：填进这个位子 / "
                   "the story id (default: a free one); the id of a slot kanwu new left: fill that slot")
    m.add_argument("--debug", action="store_true", help="出错时显示 Python 调用栈 / show tracebacks")
    return p


def _date(text: str) -> datetime.date:
    """``--date``: 2021-01-15, 2021/1/15 or 2021年1月15日."""
    from .newissue import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，如 2021-01-15 / the date must be YYYY-MM-DD, "
                                         f"not “{text[:20]}”") from None


def _proof_round(text: str) -> int:
    """``--round``: a whole number within the rounds the issue file allows."""
    from .schema import ROUNDS

    lo, hi = ROUNDS
    digits = text.strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= len(str(hi)) and lo <= int(digits) <= hi:
        return int(digits)
    raise argparse.ArgumentTypeError(f"校次应为 {lo}–{hi} 的整数 / the proof round must be a whole number "
                                     f"{lo}–{hi}, not “{digits[:20]}”")


def _port(text: str) -> int:
    """``--port``: 1–65535, or 0 (the default): any free port."""
    digits = text.strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= 5 and int(digits) <= 65535:
        return int(digits)
    raise argparse.ArgumentTypeError(f"端口应为 0–65535 的整数（0：随便一个空闲端口）/ the port must be a whole number 0–65535 (0: any free one), not “{digits[:20]}”")


def press_options(sp: argparse.ArgumentParser) -> None:
    """Options of the press PDF shared by build and impose."""
    sp.add_argument("--pdfx", choices=("x-4", "x-1a"), help="PDF/X 版本（默认按版式，通常 x-4）/ PDF/X variant")
    sp.add_argument("--marks", action=argparse.BooleanOptionalAction, default=None,
                    help="角线、套准标记和页脚信息（默认按版式）/ crop and registration marks, slug line")


def cache_option(sp: argparse.ArgumentParser) -> None:
    """``--no-cache``: keep no converted pictures in the picture cache (see README)."""
    sp.add_argument("--no-cache", action="store_true",
                    help="不在图片缓存（~/.cache/kanwu）里保存转换好的图片 / keep no converted pictures in the cache "
                    "($KANWU_CACHE, ~/.cache/kanwu)")


def _print_findings(findings: Sequence[Finding], verbose: bool) -> None:
    quiet: Counter[str] = Counter()
    for f in findings:
        if f.code in QUIET_CODES and not verbose:
            quiet[f.pos.file if f.pos else "?"] += 1
            continue
        print(str(f), file=sys.stderr)
    for file, n in quiet.items():
        print(f"{file}: note: 已规范化 {n} 处标点（-v 逐条列出；源文件未改动）/ {n} punctuation marks normalised "
              "(-v lists them; the source file is unchanged)", file=sys.stderr)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Characters a terminal acts on or that reorder what it shows (C0/C1 controls but newline and tab,
bidi marks and overrides), and lone surrogates, which cannot be written at all."""


def visible(text: str) -> str:
    """``text`` with the `_CONTROL` characters escaped so that they show: ESC as ``\\x1b``, RLO as ``\\u202e``.

    Messages quote what the user typed (a layout name, a path, a line of the
    issue file), which may hold an ESC sequence that clears the screen or a
    NUL; printed as it is, it would act on the terminal instead of being seen.
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


class _Visible:
    """A text stream writing everything with control characters escaped (see `visible`)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(visible(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def _terminal() -> Iterator[None]:
    """While kanwu runs, everything printed goes through `visible`; a character the terminal's encoding
    cannot hold (Chinese on ``LANG=C`` or ``PYTHONIOENCODING=ascii``) is printed escaped (``\\u9875``)
    instead of ending kanwu with an internal error after the work was done."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Visible(sys.stdout), _Visible(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = streams


@contextmanager
def _library_logs(debug: bool) -> Iterator[None]:
    """Libraries' log records and pypdf's warnings reach the terminal only with ``--debug``.

    pypdf logs every repair it makes reading a damaged PDF (an earlier proof
    given to ``--since``: "incorrect startxref pointer") and Python prints
    such records raw when nobody handles them; kanwu reports a PDF it cannot
    use itself, in its own words.
    """
    handler = logging.StreamHandler() if debug else logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings():
            if not debug:
                warnings.filterwarnings("ignore", module="pypdf")
            yield
    finally:
        root.removeHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kanwu`` console script."""
    with _terminal():
        args = _parser().parse_args(argv)
        with _library_logs(getattr(args, "debug", False)):
            return _main(args)


def _main(args: argparse.Namespace) -> int:
    if args.command is None:
        _parser().print_help()
        return 0
    if sys.getfilesystemencoding().replace("-", "").lower() != "utf8":  # file and font names would fail anywhere
        print(f"kanwu: error: 系统的文件名编码是 {sys.getfilesystemencoding()}，kanwu 需要 UTF-8：请设置 LANG=C.UTF-8（或 "
              f"PYTHONUTF8=1）后重试 / the file system encoding is {sys.getfilesystemencoding()}; kanwu needs UTF-8: "
              "set LANG=C.UTF-8 (or PYTHONUTF8=1) and run again", file=sys.stderr)
        return 2
    try:
        return _run(args)
    except KanwuError as exc:
        for f in exc.findings:
            print(str(f), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kanwu: 已中断 / interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so, show the traceback only when asked
        _report_bug(exc, getattr(args, "debug", False))
        return 3


def _report_bug(exc: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(exc)
    else:
        print("kanwu: 内部错误（这是 kanwu 的缺陷，请用 --debug 重新运行并报告）/ internal error: "
              "this is a bug in kanwu; run again with --debug and report it", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    if args.command == "layouts":
        from .layout.spec import available, load_layout

        broken = 0
        for name in available():
            try:  # one broken layout folder does not hide the others
                print(f"{name}\t{load_layout(name).get('title', '')}")
            except KanwuError as exc:
                broken += 1
                for f in exc.findings:
                    print(str(f), file=sys.stderr)
        return 2 if broken else 0
    if args.command == "new":
        return _new(args)
    if args.command == "schema":
        return _schema(args)
    if args.command == "import":
        return _import(args)
    from .build import build

    if args.command == "check":
        with TerminalProgress(sys.stderr) as progress:
            result = build(args.issue, layout=args.layout, write=False, progress=progress)
        _print_findings(result.report.findings, args.verbose)
        errors = sum(f.level == "error" for f in result.report.findings)
        warnings = sum(f.level == "warning" for f in result.report.findings)
        print(f"{args.issue}: {result.report.pages} 页，{errors} 个错误，{warnings} 个提示 / "
              f"{result.report.pages} pages, {errors} errors, {warnings} warnings")
        return result.exit_code
    if args.command == "watch":
        return _watch(args)
    if args.command == "serve":
        return _serve(args)
    with TerminalProgress(sys.stderr) as progress:
        if args.command == "impose":
            result = build(args.issue, out_dir=args.output, layout=args.layout, png=False, pdfx=args.pdfx,
                           marks=args.marks, impose=True, use_cache=not args.no_cache, progress=progress)
        else:
            result = build(args.issue, out_dir=args.output, layout=args.layout, proof_round=args.round,
                           keep_html=args.html, since=args.since, show_normalized=args.show_normalized, png=args.png,
                           pdfx=args.pdfx, marks=args.marks, impose=args.impose, package=args.package,
                           show_grid=args.show_grid, use_cache=not args.no_cache, progress=progress)
    _print_findings(result.report.findings, args.verbose)
    for kind, path in result.written.items():
        print(f"{kind:7} {path}")
    for path in result.removed:
        print(f"removed {path}（过期，已删除 / stale: not from this build）")
    if result.report.changes is not None:
        changed = "、".join(result.report.changes["stories"]) or "无 / none"
        print(f"与 {args.since} 相比改动的稿件 / changed since: {changed}")
    if not result.report.ok:
        extra = "（已删除过期的印刷文件）/ (the stale print PDF was removed)" if result.removed_stale_print else ""
        print(f"预检有错误，未生成印刷文件；请看校样首页 {extra}/ preflight errors: no print PDF; "
              "see the proof's first page", file=sys.stderr)
    return result.exit_code


def _new(args: argparse.Namespace) -> int:
    from .newissue import finish, prepare

    draft = prepare(args.previous, args.output, args.force)
    date = args.date or (_ask_date(draft.number, draft.previous_date, datetime.date.today()) if sys.stdin.isatty()
                         else datetime.date.today())
    if draft.previous_date is not None and date <= draft.previous_date:
        print(f"{draft.output}: warning: 出版日期 {date} 不晚于上一期的 {draft.previous_date} / the date is not after the "
              "previous number's", file=sys.stderr)
    new = finish(draft, date, args.force)
    total = f"（总第{new.total}期）" if new.total else ""
    print(f"{new.path}\t第{new.number}期{total}，{new.date}；{new.to_fill} 处待填 / number {new.number}, "
          f"{new.date}: {new.to_fill} lines to fill")
    print(f"填好标有“待填”的行后运行 / fill the lines marked 待填, then run: kanwu check {new.path}")
    return 0


def _ask_date(number: int, previous: datetime.date | None, default: datetime.date) -> datetime.date:
    """Ask for the new number's date on the terminal; an empty answer is `default` (today)."""
    from .newissue import parse_date

    before = f"（上一期 {previous}）" if previous else ""
    for _ in range(3):
        try:
            answer = input(f"第{number}期的出版日期{before}，回车为今天 / date of number {number} [{default}]: ").strip()
        except EOFError:
            raise KanwuError("kanwu new: error: 没有输入日期，什么都没写 / no date given: nothing written") from None
        if not answer:
            return default
        try:
            return parse_date(answer)
        except ValueError:
            print("日期应写成 YYYY-MM-DD，如 2021-01-15 / the date must be YYYY-MM-DD", file=sys.stderr)
    raise KanwuError("kanwu new: error: 日期无效，什么都没写 / no valid date: nothing written")


def _schema(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .jsonschema_export import schema_text
    from .output import ensure_dir, write_atomic

    text = schema_text()
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if not args.output.strip() or args.output.endswith(("/", os.sep)):
        raise KanwuError(f"{args.output or '-o'}: error: 请给出文件名，如 -o kanwu.schema.json / -o needs a file name, "
                         "such as -o kanwu.schema.json")
    ensure_dir(Path(args.output).parent)  # as kanwu new does: the folder is made when missing
    write_atomic(Path(args.output), text.encode("utf-8"))
    print(f"schema  {args.output}")
    return 0


def _import(args: argparse.Namespace) -> int:
    """``kanwu import``: findings on stderr; the story's YAML on stdout without ``--into``."""
    from pathlib import Path

    from .importer import import_docx

    with TerminalProgress(sys.stderr) as progress:  # a big file (photos of many MB) takes seconds
        result = import_docx(Path(args.docx), into=Path(args.into) if args.into else None, story_id=args.id,
                             progress=progress)
    for f in result.findings:
        print(str(f), file=sys.stderr)
    report = sys.stderr if args.into is None else sys.stdout
    for path in result.written:
        print(f"written {path}", file=report)
    if args.into is None:
        print(result.entry, end="")
        print("把上面几行粘贴到期刊文件的 stories: 下面 / paste these lines under stories: in the issue file",
              file=sys.stderr)
    else:
        print(f"已导入为稿件 {result.story_id} / imported as story `{result.story_id}`")
        if result.unplaced:
            print(f"请在 pages: 的某一版加上 {result.story_id}（现在接在最后一版）/ add `{result.story_id}` to a page in "
                  "pages: (it follows the last page for now)")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .session import Session
    from .watch import watch

    # resident: fonts, pictures and every unchanged page are kept, only the pages an edit changed are redrawn
    session = Session(args.issue, args.output, args.layout, png=args.png, use_cache=not args.no_cache)

    ready: list[float] = []

    def run() -> Any:
        ready.clear()
        started = time.monotonic()
        with TerminalProgress(sys.stderr) as progress:
            return session.build(progress=progress, on_previews=lambda _: ready.append(time.monotonic() - started))

    print(f"监视 {args.issue} 及其正文、图片、版式；Ctrl+C 退出 / watching {args.issue}; Ctrl+C to stop")
    for result in watch(Path(args.issue), args.layout, run):
        _rebuilt(result, args.debug, _redrawn(ready[0] if ready else None, session.changed))
    return 0


def _redrawn(ready: float | None, changed: list[int]) -> str:
    """What a resident session's rebuild adds to its line: when the previews were ready, the pages redrawn."""
    shown = f"（预览 {ready:.1f}s / previews）" if ready is not None else ""
    return f"{shown}  重排的页 / pages redrawn: {'、'.join(map(str, changed)) or '无 / none'}"


def _rebuilt(result: Any, debug: bool, detail: str = "") -> None:
    """One line per rebuild of ``watch`` and ``serve`` (and the errors): what the build or its failure says;
    `detail` (what a resident session redrew) goes after the time taken."""
    if isinstance(result, KanwuError):
        for f in result.findings:
            print(str(f), file=sys.stderr)
        return
    if isinstance(result, Exception):  # one build failed on a bug: say so, keep watching
        _report_bug(result, debug)
        return
    errors = [f for f in result.report.findings if f.level == "error"]
    for f in errors:
        print(str(f), file=sys.stderr)
    took = sum(result.timings.values())
    state = "印刷文件已更新 / print PDF written" if result.report.ok else f"{len(errors)} 个错误 / errors"
    print(f"[{time.strftime('%H:%M:%S')}] {took:.1f}s{detail}  {state}  {result.written.get('proof')}")


def _serve(args: argparse.Namespace) -> int:
    from .desk.server import Desk, open_in_browser

    try:
        with Desk(args.issue, args.output, args.layout, args.port, use_cache=not args.no_cache) as desk:
            print(f"校样在浏览器里：{desk.url}  （只有本机能打开；Ctrl+C 退出）/ the desk is at {desk.url} "
                  "(this computer only; Ctrl+C to stop)", flush=True)
            if not args.no_open and not open_in_browser(desk.url):
                print("没有找到可以打开的浏览器，请自己打开上面的地址 / no browser to open here: open the address above")
            for result in desk.builds():
                _rebuilt(result, args.debug, _redrawn(desk.ready, desk.session.changed))
                sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    print("kanwu serve 已停止 / stopped")
    return 0


STAGE_NAMES = {"load": "读取 load", "makeup": "组版 makeup", "render": "图片与 HTML render", "typeset": "排版 typeset",
               "pdf+press": "印前检查 press", "proof": "校样 proof", "previews": "预览 previews", "write": "写出 write"}
"""How the progress line names a build's stages (`kanwu.build.STAGES`); other names are shown as they are."""
IMPORT_STAGE_NAMES = {"open": "打开 Word 文件 open", "read": "读取正文 read", "story": "整理稿件 story",
                      "write": "写出 write"}
"""How the progress line names the stages of ``kanwu import`` (`kanwu.importer.STAGES`)."""

_FORK_GUARD = threading.Lock()
"""Held while the progress line is written, and by a process forking (a build's drawing workers): a
worker is never forked in the middle of a write, holding the terminal stream's lock."""
os.register_at_fork(before=_FORK_GUARD.acquire, after_in_parent=_FORK_GUARD.release,
                    after_in_child=_FORK_GUARD.release)


class TerminalProgress(Progress):
    """A long build's progress on a terminal: one line (stage, page n of N, seconds) on `stream`, shown once
    the build has taken `delay` seconds, rewritten in place, cleared at the end. Nothing at all when the
    stream is not a terminal (a pipe, a file, a test's capture). Use it as a context manager."""

    def __init__(self, stream: TextIO, delay: float = 2.0, tick: float = 0.5) -> None:
        self.stream = stream._stream if isinstance(stream, _Visible) else stream  # \r and ESC [K must act
        self.on = bool(getattr(self.stream, "isatty", lambda: False)())
        self.delay, self.tick = delay, tick
        self.start, self.what, self.count, self.shown = time.monotonic(), "", "", False
        self.stopped = threading.Event()

    def stage(self, name: str) -> None:
        """A stage starts."""
        self.what, self.count = visible(STAGE_NAMES.get(name) or IMPORT_STAGE_NAMES.get(name, name)), ""
        self._show()

    def pages(self, done: int, total: int) -> None:
        """Pages done in this stage."""
        self.count = f"  第 {done}/{total} 页 / page {done} of {total}"
        self._show()

    def _show(self) -> None:
        took = time.monotonic() - self.start
        if not self.on or took < self.delay or not self.what:
            return
        with _FORK_GUARD:
            self.stream.write(f"\rkanwu: {self.what}{self.count}  {took:.0f} s\x1b[K")
            self.stream.flush()
            self.shown = True

    def _ticking(self) -> None:
        while not self.stopped.wait(self.tick):  # the seconds go on while a long stage runs
            self._show()

    def __enter__(self) -> "TerminalProgress":
        if self.on:
            threading.Thread(target=self._ticking, name="kanwu-progress", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        if self.shown:
            with _FORK_GUARD:
                self.stream.write("\r\x1b[K")
                self.stream.flush()


if __name__ == "__main__":
    sys.exit(main())
