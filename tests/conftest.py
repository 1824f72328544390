"""Shared fixtures: a minimal valid issue writer."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from paths import MINIMAL


@pytest.fixture
def write_issue(tmp_path: Path):
    """Write an issue file (dedented) into a temporary folder and return its path."""

    def write(text: str = MINIMAL, name: str = "issue.yaml", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(textwrap.dedent(text).encode(encoding))
        return path

    return write
