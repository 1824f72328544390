"""The fonts embedded in a PDF, by name (font subsets' names must differ when their glyphs do)."""
from __future__ import annotations

from pathlib import Path


def fonts_by_name(pdf: Path) -> dict[str, set[str]]:
    """Each embedded font's name → the SHA-256 of every font program embedded under that name."""
    import hashlib

    from pypdf import PdfReader

    out: dict[str, set[str]] = {}
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for desc in [font.get("/FontDescriptor")] + [d.get_object().get("/FontDescriptor")
                                                         for d in font.get("/DescendantFonts", [])]:
                if desc is None:
                    continue
                desc = desc.get_object()
                program = next(desc[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in desc)
                name = str(desc["/FontName"])
                out.setdefault(name, set()).add(hashlib.sha256(program.get_object().get_data()).hexdigest())
    return out
