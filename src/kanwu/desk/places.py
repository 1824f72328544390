"""Where a finding sits on its page, as the proof marks it: read from the makeup plan.

The proof frames an overset story where its text runs out and a picture's
problem on the picture's frame (`kanwu.proof`); the desk does the same and
goes down to the paragraph when a finding names a line of a body file. Every
box is in pt from the trim's top-left corner (the page previews are cropped to
the trim) and in per cent of the trim, for an overlay on a preview of any size.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..errors import Finding, Pos
from ..makeup.plan import Box, Plan
from ..proof import piece_boxes


@dataclass(frozen=True)
class Place:
    """A rectangle on one page."""

    page: int
    """The page (1-based)."""
    x: float
    """Left edge, pt from the trim's left edge."""
    y: float
    """Top edge, pt from the trim's top edge."""
    w: float
    """Width, pt."""
    h: float
    """Height, pt."""

    def as_json(self, trim: tuple[float, float]) -> dict[str, float]:
        """The place in pt and in per cent of the trim (`trim`: width, height in pt)."""
        tw, th = trim
        return {"page": self.page, "x": round(self.x, 2), "y": round(self.y, 2), "w": round(self.w, 2),
                "h": round(self.h, 2), "left": round(100 * self.x / tw, 3), "top": round(100 * self.y / th, 3),
                "width": round(100 * self.w / tw, 3), "height": round(100 * self.h / th, 3)}


class Locator:
    """Finds findings and stories on the pages of one plan."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # each story's paragraphs by where they are in the source: a finding on a line of the story's
        # text lies in the last paragraph starting at or before it
        self.paragraphs: dict[str, list[tuple[Pos, int, Box]]] = defaultdict(list)
        for (story, _), found in piece_boxes(plan).items():
            self.paragraphs[story] += [(piece.pos, page, box) for page, box, piece in found if piece.pos is not None]
        for pieces in self.paragraphs.values():
            pieces.sort(key=lambda piece: piece[0])

    def _on_trim(self, page: int, box: Box) -> Place:
        return Place(page, *self.plan.on_trim(box))

    def story(self, story_id: str) -> list[Place]:
        """Each module of a story (a story that jumps has one on each of its pages)."""
        return [self._on_trim(page, box) for page, box in self.plan.story_boxes(story_id)]

    def finding(self, f: Finding) -> Place | None:
        """Where `f` sits: a picture's frame, a paragraph, a story's module or a whole page; None when it
        is about no place on a page (a setting, a file)."""
        for placed in self.plan.pictures:  # low-resolution, missing or unusable pictures name the slot
            if f.pos is not None and placed.picture.image.pos == f.pos:
                return self._on_trim(placed.page, placed.picture.frame)
        if f.story:
            modules = [(page, box) for page, box in self.plan.story_boxes(f.story) if f.page in (None, page)]
            if f.code == "overset" and modules:  # framed where the text runs out, as on the proof
                return self._on_trim(*modules[-1])
            paragraph = self._paragraph(f.story, f.pos, f.page)
            if paragraph is not None:
                return paragraph
            if modules:
                return self._on_trim(*modules[0])
        if f.page and 1 <= f.page <= len(self.plan.pages):
            g = self.plan.grid
            return self._on_trim(f.page, Box(0, 0, g.width, g.height))
        return None

    def _paragraph(self, story: str, pos: Pos | None, page: int | None) -> Place | None:
        """The paragraph of `story` that holds `pos`: its piece on `page`, else its first printed piece."""
        if pos is None or not pos.line:
            return None
        before = [(p, pg, box) for p, pg, box in self.paragraphs.get(story, [])
                  if p.file == pos.file and (p.line, p.col) <= (pos.line, pos.col or 1)]
        if not before:
            return None
        start = before[-1][0]
        pieces = [(pg, box) for p, pg, box in before if p == start]
        pg, box = next(((pg, box) for pg, box in pieces if pg == page), pieces[0])
        return self._on_trim(pg, box)
