"""Paths and texts shared by the tests."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "issues" / "siping-2020-12.yaml"
SEED_PLACEHOLDERS = ROOT / "issues" / "siping-2020-12-placeholders.yaml"
FIXTURES = ROOT / "tests" / "fixtures"

MINIMAL = """\
kanwu: 1
publication:
  name: 测试简报
issue:
  number: 1
  date: 2024-05-01
layout: bulletin-a4
stories:
  - id: one
    headline: 测试标题
    body: |
      第一段文字，这是一个测试段落。
"""
