"""``kanwu serve``: the latest build in the browser, rebuilt whenever a source is saved.

A `Desk` is an HTTP server on 127.0.0.1 (a thread; one more per request)
and the state the builds update. The builds run in the calling (main)
thread, through `watch` and a resident `kanwu.session.Session` like ``kanwu
watch`` (a save redraws only the pages it changed): a build forks its drawing and
preview workers, and forking from the main thread is what the build expects.
The page (``static/``) follows the state through Server-Sent Events, so a
save shows up by itself; a build that fails on bad input leaves the last good
pages on the page with the error above them. A rebuild's new pages and findings
are shown as soon as the session has them (`kanwu.desk.view.preview_view`, the
previews served from memory), about a quarter of a second before its files are
written; the downloads follow with the files.

What the server sends is fixed by allowlists: its own static files, the
state as JSON, the files of the latest good build by name (`View.files`,
checked again to be regular files inside the output folder) and the source
lines of a finding in the issue's folder (`kanwu.desk.source`). There is no
path in a URL that it joins to a folder, and nothing it writes.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..build import BuildResult
from ..errors import Finding, KanwuError
from ..files import problem
from ..layout.spec import load_layout
from ..session import PreviewsReady, Session
from ..watch import watch
from .source import NotShown, excerpt, position
from .view import View, finding_json, make_view, preview_view

LOOPBACK = "127.0.0.1"
"""The only address the desk listens on: nobody else on the network can see the proofs."""
STATIC = {"index.html": "text/html; charset=utf-8", "desk.js": "text/javascript; charset=utf-8",
          "desk.css": "text/css; charset=utf-8"}
"""The page's own files (``static/``) and their types: the only static files served."""
TYPES = {".png": "image/png", ".pdf": "application/pdf", ".json": "application/json; charset=utf-8",
         ".zip": "application/zip"}
"""Types of a build's files by suffix."""
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
           "Content-Security-Policy": "default-src 'self'; img-src 'self'; object-src 'none'; frame-ancestors 'none'"}
"""Sent with every answer: the page loads nothing from elsewhere and is never framed."""
PING = 15.0
"""Seconds between keep-alive comments on an idle event stream."""


class State:
    """What the page shows, updated by the builds and read by the request threads."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.version = 0
        """Counts the changes; the page asks again when it grows."""
        self.view: View | None = None
        """The latest good build (one that wrote its files)."""
        self.view_json: dict[str, Any] | None = None
        """`view` as JSON, made once."""
        self.failed: tuple[Finding, ...] = ()
        """Why the latest build failed (input errors), or nothing when it did not."""
        self.building = False
        """A build is running."""
        self.closed = False
        """The desk is stopping: event streams end."""

    def update(self, **changes: Any) -> None:
        """Change some of the fields above and wake the event streams."""
        with self._changed:
            for name, value in changes.items():
                setattr(self, name, value)
            if "view" in changes:
                self.view_json = self.view.as_json() if self.view else None
            self.version += 1
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """The version once it is past `seen` (or `timeout` seconds have passed, or the desk closes)."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version

    def as_json(self, issue: str) -> dict[str, Any]:
        """The state for the page's script."""
        with self._changed:
            return {"version": self.version, "issue": issue, "building": self.building,
                    "failed": [finding_json(i, f, None, (1, 1)) for i, f in enumerate(self.failed)],
                    "view": self.view_json}


class Desk:
    """The desk of one issue: a server on 127.0.0.1 and the builds behind it (a context manager)."""

    def __init__(self, issue_file: str | Path, out_dir: str | Path = "out", layout: str | None = None,
                 port: int = 0, use_cache: bool = True) -> None:
        self.issue_file = Path(issue_file)
        why = problem(self.issue_file)
        if why:  # a mistyped name is said at once, not on a page that never shows anything
            raise KanwuError(f"{issue_file}: error: {why}")
        self.root = self.issue_file.resolve().parent
        self.cwd = Path.cwd()  # findings name files relative to it
        self.out_dir, self.layout = Path(out_dir), layout
        # resident: fonts, pictures and every unchanged page are kept; a save redraws only the pages it changed
        self.session = Session(self.issue_file, self.out_dir, layout, png=True, use_cache=use_cache)
        self.ready: float | None = None
        """Seconds the latest build took to have every page's preview (before its proof and files)."""
        self.good: View | None = None
        """The latest good build's view (the page shows it again when a build fails after its previews)."""
        self.state = State()
        self._stop = threading.Event()
        try:
            self.httpd = _Server((LOOPBACK, port), _Handler)
        except OSError as exc:
            reason = "端口已被占用 / the port is in use" if exc.errno == errno.EADDRINUSE else str(exc.strerror or exc)
            raise KanwuError(f"{LOOPBACK}:{port}: error: 无法在这个端口上启动 / cannot listen there: {reason}；"
                             "换一个 --port，或不写 --port 让 kanwu 自选 / choose another --port, or leave it out") from None
        self.httpd.desk = self
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="kanwu-serve", daemon=True)
        self._restore: Callable[[], None] = lambda: None

    @property
    def port(self) -> int:
        """The port listened on (chosen by the system unless given)."""
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://{LOOPBACK}:{self.port}/"

    def __enter__(self) -> "Desk":
        self._thread.start()
        if threading.current_thread() is threading.main_thread():
            self._restore = stop_on_signals(self._stop)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the builds (after the current one), the event streams and the server."""
        self._stop.set()
        self.state.update(closed=True)
        if self._thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()
        self._restore()
        self._restore = lambda: None

    def builds(self) -> Iterator[BuildResult | Exception]:
        """Build now and after every save, until closed; each outcome updates the page and is yielded:
        a `BuildResult`, the `KanwuError` of bad input, or another exception (a bug: the desk goes on)."""
        for outcome in watch(self.issue_file, self.layout, self.rebuild, stop=self._stop.is_set):
            if isinstance(outcome, BuildResult):
                try:
                    trim = load_layout(outcome.report.layout, self.root).page_size
                    self.good = make_view(outcome, trim)
                    self.state.update(view=self.good, failed=(), building=False)
                except Exception as exc:  # noqa: BLE001 - a bug making the view: reported like a failed build
                    self.state.update(view=self.good, failed=(_bug(exc),), building=False)
                    outcome = exc
            elif isinstance(outcome, KanwuError):  # the last good pages (its previews may have been shown)
                self.state.update(view=self.good, failed=outcome.findings, building=False)
            else:
                self.state.update(view=self.good, failed=(_bug(outcome),), building=False)
            yield outcome

    def rebuild(self) -> BuildResult:
        """One build for the desk, page previews included, through the desk's resident session."""
        self.state.update(building=True)
        self.ready, started = None, time.monotonic()

        def ready(shown: PreviewsReady) -> None:
            self.ready = time.monotonic() - started
            if self.good is None:  # the first build: its downloads come with its pages
                return
            try:
                trim = load_layout(shown.report.layout, self.root).page_size
                view = preview_view(shown, trim, self.good, self.ready)
            except Exception:  # noqa: BLE001 - the pages come with the files instead; the build goes on
                return
            if view is not None:
                self.state.update(view=view, failed=())

        return self.session.build(on_previews=ready)

    def preview(self, name: str) -> bytes | None:
        """The page preview `name` of the build being finished, served from memory (`View.memory`)."""
        view = self.state.view
        return view.memory.get(name) if view is not None else None

    def file(self, name: str) -> Path | None:
        """The file of the latest good build called `name`, when it is one and still a regular file inside
        the output folder (a symbolic link out of it is not)."""
        view = self.state.view
        if view is None or name not in view.files:
            return None
        path = view.files[name]
        try:
            inside = path.resolve().is_relative_to(self.out_dir.resolve())
        except (OSError, RuntimeError):
            return None
        return path if inside and problem(path) is None else None


def _bug(exc: BaseException) -> Finding:
    return Finding("error", "internal", f"内部错误（这是 kanwu 的缺陷，请用 kanwu build --debug 重新运行并报告）/ internal error: "
                   f"this is a bug in kanwu ({type(exc).__name__}); run kanwu build --debug and report it")


def stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Ctrl+C and SIGTERM stop this process: they set `stop` and raise KeyboardInterrupt. Returns what puts
    the previous handlers back.

    The event is for when the exception is lost: raised while a finalizer runs
    (``__del__`` of a library's object, collected at that moment), Python
    would print it as "ignored" and go on; it is dropped without a word and
    the event ends the builds at their next look at the files. A build's
    forked workers inherit the handler: they leave Ctrl+C to their parent,
    which ends them, instead of each printing a traceback, and die of SIGTERM
    as usual.
    """
    import sys

    owner = os.getpid()
    unraisable = sys.unraisablehook

    def handle(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == owner:
            stop.set()
            raise KeyboardInterrupt
        if signum == signal.SIGTERM:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    def lost(info: Any) -> None:
        if not (stop.is_set() and issubclass(info.exc_type, KeyboardInterrupt)):
            unraisable(info)

    handlers = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    sys.unraisablehook = lost

    def restore() -> None:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        sys.unraisablehook = unraisable

    return restore


def open_in_browser(url: str) -> bool:
    """Open `url` in the desktop's browser; False where there is none to open (a server, SSH without a
    display), rather than starting a text browser in the terminal kanwu is printing to."""
    import sys
    import webbrowser

    desktop = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("BROWSER")
    if not desktop and sys.platform not in ("darwin", "win32"):
        return False
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never keeps the process alive
    block_on_close = False
    request_queue_size = 32  # a page asks for its previews all at once
    desk: Desk

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that goes away mid-answer is normal; nothing is printed (`cli` is the only printer)."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def version_string(self) -> str:
        """The ``Server`` header: no Python version."""
        return "kanwu"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Requests are not logged: the terminal shows the builds."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        desk = self.server.desk
        # a page elsewhere that gets its name resolved to 127.0.0.1 (DNS rebinding) says so in Host
        if self.headers.get("Host", "") not in (f"{LOOPBACK}:{desk.port}", f"localhost:{desk.port}"):
            return self._send(403, b"forbidden: unknown Host\n", "text/plain; charset=utf-8", body)
        url = urlsplit(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        try:
            if path in ("/", "/index.html"):
                return self._static("index.html", body)
            if path.startswith("/static/"):
                return self._static(path.removeprefix("/static/"), body)
            if path == "/api/state":
                return self._json(desk.state.as_json(desk.issue_file.name), body)
            if path == "/api/events":
                return self._events()
            if path == "/api/source":
                return self._source(query, body)
            if path.startswith("/files/"):
                return self._file(path.removeprefix("/files/"), body)
            if path == "/favicon.ico":  # browsers ask for it; there is none
                return self._send(204, b"", "image/x-icon", body)
            return self._send(404, b"not found\n", "text/plain; charset=utf-8", body)
        except (BrokenPipeError, ConnectionResetError):
            return None

    def _send(self, status: int, data: bytes, kind: str, body: bool, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "private, max-age=3600" if cache else "no-store")
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _json(self, doc: Any, body: bool, status: int = 200) -> None:
        self._send(status, json.dumps(doc, ensure_ascii=False).encode(), "application/json; charset=utf-8", body)

    def _static(self, name: str, body: bool) -> None:
        if name not in STATIC:
            return self._send(404, b"not found\n", "text/plain; charset=utf-8", body)
        data = resources.files(__package__).joinpath("static", name).read_bytes()
        self._send(200, data, STATIC[name], body)

    def _file(self, name: str, body: bool) -> None:
        shown = self.server.desk.preview(name)
        if shown is not None:  # the build's name is in the address: a new build has new addresses
            return self._send(200, shown, TYPES[".png"], body, cache=True)
        path = self.server.desk.file(name)
        if path is None:
            return self._send(404, b"not a file of this build\n", "text/plain; charset=utf-8", body)
        try:  # not through a link put in its place since it was checked, and a regular file still
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return self._send(404, b"not a file of this build\n", "text/plain; charset=utf-8", body)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return self._send(404, b"not a file of this build\n", "text/plain; charset=utf-8", body)
            size = st.st_size
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(path.suffix, "application/octet-stream"))
            self.send_header("Content-Length", str(size))
            # the build's name is in the address: a new build has new addresses
            self.send_header("Cache-Control", "private, max-age=3600")
            for header, value in HEADERS.items():
                self.send_header(header, value)
            self.end_headers()
            if body:
                shutil.copyfileobj(fh, self.wfile)

    def _source(self, query: dict[str, list[str]], body: bool) -> None:
        desk = self.server.desk
        view, failed = desk.state.view, desk.state.failed
        number = query.get("finding", query.get("failed", [""]))[0]
        if "failed" in query:
            findings = failed
        elif view is not None and query.get("build", [""])[0] == view.build:
            findings = view.findings
        else:  # a newer build has other findings: the page asks again
            return self._json({"error": "stale"}, body, 409)
        if not number.isdigit() or int(number) >= len(findings):
            return self._json({"error": "no such finding"}, body, 404)
        pos = position(findings[int(number)])
        try:
            if pos is None:
                raise NotShown("这条问题不在哪个文件里 / this finding names no file")
            doc = excerpt(pos, desk.root, desk.cwd).as_json()
        except NotShown as exc:
            doc = {"file": pos.file if pos else "", "line": pos.line if pos else 0, "error": str(exc)}
        self._json(doc, body)

    def _events(self) -> None:
        """Server-Sent Events: ``state`` with the version whenever it changes, until the desk closes."""
        state = self.server.desk.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        seen = -1
        while not state.closed:
            version = state.wait(seen, PING) if seen >= 0 else state.version
            if state.closed:
                break
            self.wfile.write(f"event: state\ndata: {version}\n\n".encode() if version != seen else b": ping\n\n")
            self.wfile.flush()
            seen = version
        self.close_connection = True

