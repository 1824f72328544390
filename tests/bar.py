"""Issue #3's bar, measured with ../shared/tools/cjk-metrics (shared by the composition tests)."""
from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

CJK_METRICS = Path(__file__).resolve().parents[2] / "shared" / "tools" / "cjk-metrics"


def load_cjk_metrics() -> ModuleType | None:
    """The measuring tool as a module, or None when ../shared is not beside the repository."""
    if not CJK_METRICS.exists():
        return None
    loader = importlib.machinery.SourceFileLoader("cjk_metrics", str(CJK_METRICS))
    spec = importlib.util.spec_from_loader("cjk_metrics", loader)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    loader.exec_module(module)
    return module


def assert_meets_bar(result: dict[str, Any], examples: dict[str, list[str]], ragged: int | None = None) -> None:
    """ragged ≤ 0.5 % · bad_start 0 · bad_end 0 · orphans 0 · halfwidth 0 · autospace ≥ 95 % ·
    squeeze ≥ 90 % · gap p95 ≤ 0.12 em · gap max ≤ 0.30 em (`ragged` overrides the tool's count)."""
    ragged = result["ragged"] if ragged is None else ragged
    assert ragged <= 0.005 * result["lines"], examples.get("ragged")
    for key in ("bad_start", "bad_end", "orphans", "halfwidth"):
        assert result[key] == 0, examples.get(key)
    spaced, mixed = map(int, result["autospace"].split("/"))
    assert spaced >= 0.95 * mixed, examples.get("no_autospace")
    squeezed, pairs = map(int, result["squeeze"].split("/"))
    assert squeezed >= 0.9 * pairs, examples.get("unsqueezed")
    assert result["gap_p95_em"] <= 0.12
    assert result["gap_max_em"] <= 0.30
