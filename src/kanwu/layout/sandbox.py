"""The strict template sandbox: layout templates see plain data and nothing else.

A layout folder may come with an issue (``issues/x/layouts/``), so its
templates are untrusted code. Jinja's `SandboxedEnvironment` only hides
underscore attributes: any public method stays callable, and a
``pathlib.Path`` in the context reads and writes files
(``issue.path.joinpath('/etc/passwd').read_text()``). Here it is the other
way round: an attribute or a call is allowed only when it is on the
allowlist below —

* plain values (str, Markup, int, float, bool, None, dates) and the
  read-only methods of str, dict, list and tuple;
* Jinja's own template objects (macros, ``loop``, ``namespace()``...);
* **registered views** (`register`): plain classes, each with the fields
  and methods templates may use (kanwu registers none: it hands templates plain data, see `kanwu.layout.view`);
* functions a renderer hands to templates explicitly (`StrictEnvironment.functions`).

Everything else (paths, modules, functions that reach the file system,
mutating methods, ``__`` attributes) is refused with `SecurityError`, which
`template_error` turns into a layout error naming the template file and line.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import traceback
import types
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2
from jinja2.exceptions import SecurityError, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.loaders import split_template_path
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

from ..errors import Finding, KanwuError, Pos
from ..forked import Child, Died
from ..userpath import LAYOUT_FOLDER, Refused, resolve_inside

MAX_REPEAT = 100_000
"""Longest string or list a template may make with ``*`` (``'x' * 10**9`` would fill the memory)."""
KANWU = Path(__file__).resolve().parents[1]
"""kanwu's own code: an error raised there while rendering is a bug, not the template's fault."""
MAX_TEMPLATE = 1024 * 1024
"""Largest template file read (the shipped ones are a few kB)."""
MAX_INT_BITS = 4096
"""Largest whole number ``*`` and ``**`` may make (``(10 ** 100) ** 100 ** 100`` would never finish)."""
MAX_MEMORY = 512 * 1024 * 1024
"""Memory the templates may take beyond what kanwu holds (the seed's HTML is 26 kB, a 50-page number's 0.6 MB)."""
MAX_SECONDS = 20.0
"""Time the templates may run (the shipped ones take a few hundredths of a second for 50 pages)."""
MAX_HTML = 64 * 1024 * 1024
"""Largest HTML the templates may make (WeasyPrint would take minutes and gigabytes over it)."""


@dataclass(frozen=True)
class View:
    """What templates may use of one registered type."""

    fields: frozenset[str]
    """Attributes that may be read (data fields and properties)."""
    methods: frozenset[str]
    """Methods that may be called (and read, to be called)."""
    open: bool = False
    """Every public attribute may be read: Jinja's namespace objects, whose attributes are template values."""


VIEWS: dict[type, View] = {}
"""Registered types, by exact type (a subclass is not trusted because its parent is)."""


def register(cls: type, fields_: Iterable[str] = (), methods: Iterable[str] = (), *, open_: bool = False) -> type:
    """Let templates read `fields_` and call `methods` of instances of `cls` (exactly that type).

    A view type must hold plain data only: no paths, no file handles, no
    objects that reach the file system, whatever their attribute names.
    """
    VIEWS[cls] = View(frozenset(fields_), frozenset(methods), open_)
    return cls


def register_dataclass(cls: type, methods: Iterable[str] = (), exclude: Iterable[str] = (),
                       properties: Iterable[str] = ()) -> type:
    """`register` a dataclass with all its fields (but `exclude`), its `properties` and `methods`."""
    assert is_dataclass(cls)
    names = {f.name for f in fields(cls)} - set(exclude)
    return register(cls, names | set(properties), methods)


_STR = ("capitalize", "casefold", "center", "count", "endswith", "find", "format", "format_map", "index",
        "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle",
        "isupper", "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace",
        "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith",
        "strip", "swapcase", "title", "upper", "zfill")
register(str, methods=_STR)
register(Markup, methods=_STR + ("striptags", "unescape"))
for _number in (int, float, bool):
    register(_number)
register(type(None))
register(dict, methods=("get", "items", "keys", "values"))      # never update, pop, clear, setdefault
register(list, methods=("count", "index"))                      # never append, sort, pop...
register(tuple, methods=("count", "index"))
register(dt.date, ("year", "month", "day"), ("isoformat", "weekday", "isoweekday"))
# Jinja's own objects: loops, macros, namespaces, imported template modules, {{ self }}, super()
register(LoopContext, ("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                       "depth0", "previtem", "nextitem"), ("cycle", "changed"))
register(Macro, ("name", "arguments"))
register(BlockReference, ("super",))
register(Cycler, ("current",), ("next", "reset"))
register(Joiner)
register(Namespace, open_=True)
register(jinja2.environment.TemplateModule, open_=True)
register(TemplateReference)

_CALLABLE_TYPES = (Macro, BlockReference, LoopContext, Joiner)
"""Template objects that are themselves callable (their bodies run in this sandbox)."""


def _view(obj: Any) -> View | None:
    return VIEWS.get(type(obj))


class StrictEnvironment(SandboxedEnvironment):
    """A Jinja sandbox that allows only plain data and registered views (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Jinja's globals (range, dict, namespace, cycler, joiner, lipsum) are plain helpers
        self._functions: set[Any] = set(self.globals.values())

    def functions(self, **named: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
        """Allow templates to call these functions (handed to them in the context); returns them."""
        self._functions.update(named.values())
        return named

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Only the fields and methods of plain types and registered views; never ``_`` names."""
        if not super().is_safe_attribute(obj, attr, value):
            return False
        view = _view(obj)
        return view is not None and (view.open or attr in view.fields or attr in view.methods)

    def is_safe_callable(self, obj: Any) -> bool:
        """Template objects, the allowed functions and the allowed methods of registered types."""
        if not super().is_safe_callable(obj):
            return False
        if isinstance(obj, _CALLABLE_TYPES):
            return True
        try:
            if obj in self._functions:
                return True
        except TypeError:  # unhashable
            pass
        wrapped = getattr(obj, "__wrapped__", None)
        if wrapped is not None and wrapped is not obj and getattr(wrapped, "__name__", "") in ("format", "format_map") \
                and isinstance(getattr(wrapped, "__self__", None), str):
            return True  # str.format, already routed through Jinja's sandboxed formatter (wrap_str_format)
        if isinstance(obj, (types.MethodType, types.BuiltinMethodType)):
            owner = obj.__self__
            view = None if isinstance(owner, (type, types.ModuleType)) else _view(owner)
            return view is not None and obj.__name__ in view.methods
        return False

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """``*`` and ``**``, bounded so that a template cannot exhaust memory or time."""
        if isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() * abs(right) if operator == "**" else left.bit_length() + right.bit_length()
            if bits > MAX_INT_BITS:
                raise SecurityError(f"the number would be too large (more than {MAX_INT_BITS} bits)")
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_INT_BITS:
            raise SecurityError(f"exponent {right} is too large")  # a float overflows quickly, but say so plainly
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"the result would be too long (at most {MAX_REPEAT} items)")
        return super().call_binop(context, operator, left, right)


class FolderLoader(jinja2.FileSystemLoader):
    """Templates from a layout's folders, first match wins, each read only if it is a regular file that
    resolves inside its folder: a template that is a symbolic link out of the folder is refused, not
    printed (the rules of `kanwu.userpath`, as for an issue's paths)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The template's text, its file and an up-to-date check."""
        pieces = split_template_path(template)  # refuses `..`
        for folder in self.searchpath:
            shown = os.path.join(folder, *pieces)
            try:
                path = resolve_inside("/".join(pieces), Path(folder).resolve(), LAYOUT_FOLDER)
            except Refused as exc:
                if exc.code == "missing-file":
                    continue  # not in this folder: the parent layout's
                raise KanwuError(Finding("error", "bad-template", exc.message, Pos(shown))) from None
            assert path is not None
            if path.stat().st_size > MAX_TEMPLATE:
                raise KanwuError(Finding("error", "bad-template", f"模板文件超过 {MAX_TEMPLATE // 1024} kB / the "
                                         f"template file is larger than {MAX_TEMPLATE // 1024} kB", Pos(shown)))
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise KanwuError(Finding("error", "bad-template", "模板文件应为 UTF-8 / the template file is not "
                                         "UTF-8", Pos(shown))) from None
            seen = _identity(path)
            return text, shown, lambda: _identity(path) == seen
        raise TemplateNotFound(template)


def _identity(path: Path) -> tuple[int, ...] | None:
    """What tells a template file's new version from the one read (not following a symbolic link put in
    its place: the template is read again, and checked, when anything changed)."""
    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_mode, st.st_ino, st.st_size, st.st_mtime_ns)


def is_template(filename: str | None, folders: Iterable[Path]) -> bool:
    """Whether `filename` is one of the layout's templates."""
    return bool(filename) and any(Path(str(filename)).is_relative_to(f) for f in folders)


def template_position(exc: BaseException, folders: Iterable[Path]) -> Pos | None:
    """Where in a layout's templates `exc` happened: the innermost template frame (or the syntax error)."""
    folders = [Path(f) for f in folders]
    if isinstance(exc, TemplateSyntaxError) and is_template(exc.filename, folders):
        return Pos(str(exc.filename), exc.lineno or 0)
    # Jinja rewrites the traceback so that template frames carry the template's file and line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if is_template(frame.filename, folders):
            return Pos(frame.filename, frame.lineno or 0)
    return None


def render(env: jinja2.Environment, name: str, context: dict[str, Any], folders: tuple[Path, ...]) -> str:
    """Render the template `name` in a forked child bounded in memory and time (`MAX_MEMORY`,
    `MAX_SECONDS`); a template that fails or goes past a bound is a layout error (`template_error`).

    The sandbox bounds what a template may reach, not how much it may do: a
    few characters of Jinja can ask for gigabytes (``'x'.ljust(2000000000)``,
    a string doubled in a loop) or run for ever (nested loops, a macro that
    calls itself twice), so the rendering runs where it can be stopped.
    """
    try:
        return Child(_bounded, env, name, context, folders, memory=MAX_MEMORY).result(MAX_SECONDS + 5)
    except Died as exc:  # stuck outside Python's reach (its own alarm did not ring), or killed
        raise KanwuError(Finding("error", "bad-template", f"版式模板没有运行完（{exc}）/ the layout's templates did not "
                                 f"finish ({exc})", Pos(str(folders[0])))) from None


class TooLong(Exception):
    """The templates ran longer than `MAX_SECONDS`."""


def _ring(signum: int, frame: Any) -> None:
    raise TooLong(f"版式模板运行超过 {MAX_SECONDS:g} 秒 / the templates ran for more than {MAX_SECONDS:g} s "
                  "(a loop that never ends?)")


def _bounded(env: jinja2.Environment, name: str, context: dict[str, Any], folders: tuple[Path, ...]) -> str:
    """`_render` with an alarm (in the forked child: its only thread is its main one) and a bound on the
    HTML; running out of memory, time or stack is the template's doing."""
    signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, MAX_SECONDS)
    try:
        html = _render(env, name, context, folders)
    except MemoryError as exc:
        raise template_error(exc, folders, f"版式模板需要超过 {MAX_MEMORY >> 20} MB 内存 / the templates need more than "
                             f"{MAX_MEMORY >> 20} MB of memory") from None
    except RecursionError as exc:
        raise template_error(exc, folders, "版式模板递归太深（宏或 include 调用自己？）/ the templates recurse too deep "
                             "(a macro or an include calling itself?)") from None
    except TooLong as exc:
        raise template_error(exc, folders, str(exc)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if len(html) > MAX_HTML:
        raise KanwuError(Finding("error", "bad-template", f"版式模板生成的 HTML 超过 {MAX_HTML >> 20} MB / the templates "
                                 f"made more than {MAX_HTML >> 20} MB of HTML", Pos(str(folders[0]))))
    return html


def _render(env: jinja2.Environment, name: str, context: dict[str, Any], folders: tuple[Path, ...]) -> str:
    """Render the template `name`; a template that fails is a layout error (`template_error`).

    Besides Jinja's own errors, a Python error raised by the template's own
    code (``{{ 1 / 0 }}``, ``{{ 'a' - 1 }}``, ``{{ issue|tojson }}``) is the
    template's fault: the innermost frame that is kanwu's or a template's is
    a template's. One raised inside kanwu's code stays a bug.
    """
    try:
        return env.get_template(name).render(**context)
    except TemplateError as exc:
        raise template_error(exc, folders) from None
    except (ArithmeticError, TypeError, ValueError, LookupError) as exc:
        ours = [f for f in traceback.extract_tb(exc.__traceback__)
                if Path(f.filename).is_relative_to(KANWU) or is_template(f.filename, folders)]
        if not ours or not is_template(ours[-1].filename, folders):
            raise
        raise template_error(exc, folders) from None


def template_error(exc: BaseException, folders: tuple[Path, ...], message: str = "") -> KanwuError:
    """A layout error (exit 2) for a template that failed, reached for something not allowed or went past
    a bound (`message`)."""
    pos = template_position(exc, folders) or Pos(str(folders[0]))
    if message:
        pass
    elif isinstance(exc, SecurityError):
        message = ("版式模板使用了不允许的内容：模板只能读取期刊的文字、数字和日期，不能访问文件或程序内部 / layout template "
                   f"error: templates may use only the issue's text, numbers and dates: {exc}")
    elif isinstance(exc, TemplateError):
        message = f"版式模板出错 / layout template error: {exc}"
    else:
        message = f"版式模板出错 / layout template error: {type(exc).__name__}: {exc}"
    return KanwuError(Finding("error", "bad-template", message, pos))


__all__ = ["FolderLoader", "StrictEnvironment", "View", "VIEWS", "register", "register_dataclass", "render", "template_error",
           "template_position"]
