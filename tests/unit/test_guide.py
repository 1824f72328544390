"""The editors' guide documents every key of the schema."""
from __future__ import annotations

from kanwu.schema import ISSUE, Field
from paths import ROOT


def keys(field: Field) -> set[str]:
    out = set(field.fields)
    for f in field.fields.values():
        out |= keys(f)
        if f.item is not None:
            out |= keys(f.item)
    return out


def test_every_schema_key_is_in_the_guide():
    guide = (ROOT / "docs" / "guide.zh.md").read_text(encoding="utf-8")
    missing = sorted(k for k in keys(ISSUE) if f"`{k}`" not in guide)
    assert not missing, f"document these keys in docs/guide.zh.md: {missing}"
