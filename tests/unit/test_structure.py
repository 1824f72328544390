"""The house rules that can be checked mechanically: no import cycles, a model and a plan free of
rendering imports, modules well under 600 lines."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from paths import ROOT

SRC = ROOT / "src"


def modules() -> dict[str, Path]:
    out = {}
    for p in (SRC / "kanwu").rglob("*.py"):
        name = ".".join(p.relative_to(SRC).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = p
    return out


def imports() -> dict[str, set[str]]:
    """kanwu module → the kanwu modules it imports, at the top or inside a function."""
    mods = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for cand in [target] + [f"{target}.{a.name}" for a in node.names]:
                    if cand in mods and cand != name:
                        graph[name].add(cand)
            elif isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in mods}
    return graph


def test_no_import_cycles() -> None:
    graph = imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in list(modules()):
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_model_and_the_plan_import_no_renderer() -> None:
    graph = imports()
    for name in ("kanwu.model", "kanwu.makeup.plan", "kanwu.makeup.modular", "kanwu.makeup.measure"):
        text = modules()[name].read_text(encoding="utf-8")
        assert "weasyprint" not in text and "jinja2" not in text, name
        assert not {m for m in graph[name] if m.startswith(("kanwu.typeset", "kanwu.layout.html"))}, name


def test_modules_are_well_under_600_lines() -> None:
    for name, path in modules().items():
        assert len(path.read_text(encoding="utf-8").splitlines()) < 600, name
