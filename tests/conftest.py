"""Shared fixtures: a minimal valid issue writer."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from paths import MINIMAL, SEED


@pytest.fixture
def write_issue(tmp_path: Path):
    """Write an issue file (dedented) into a temporary folder and return its path."""

    def write(text: str = MINIMAL, name: str = "issue.yaml", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(textwrap.dedent(text).encode(encoding))
        return path

    return write


@pytest.fixture(scope="session")
def seed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide cache for converted pictures (never the user's ~/.cache)."""
    root = tmp_path_factory.mktemp("seed")
    mp = pytest.MonkeyPatch()
    mp.setenv("KANWU_CACHE", str(root / "cache"))
    yield root
    mp.undo()


@pytest.fixture(scope="session")
def seed_a3(seed_cache: Path):
    """The seed issue built once as the A3 paper."""
    from kanwu.build import build

    return build(SEED, seed_cache / "a3", png=False)


@pytest.fixture(scope="session")
def seed_a4(seed_cache: Path):
    """The seed issue built once as the A4 bulletin (with imposed sheets)."""
    from kanwu.build import build

    return build(SEED, seed_cache / "a4", layout="bulletin-a4", png=False, impose=True)
