"""Findings and the one exception type for expected failures.

Every problem kanwu can name about a user's input or output is a `Finding`
with a source position; a run collects them all, then fails once with
`KanwuError` (bad input, exit 2) or reports them (preflight, exit 0/1).
Any other exception is a bug.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


FATAL = "fatal"
"""Code of a finding made from a preformatted message (``file:line: error: ...``)."""


@dataclass(frozen=True, order=True)
class Pos:
    """A place in a source file, 1-based like editors show it."""

    file: str
    """Path of the file as the user named it (relative when they gave it so)."""
    line: int = 0
    """Line number, 1-based; 0 when the finding concerns the whole file."""
    col: int = 0
    """Column number, 1-based, in characters; 0 when unknown."""

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Finding:
    """One problem or notice, in the preflight report's vocabulary."""

    level: str
    """``error`` or ``warning`` (``info`` for notices that never fail a build)."""
    code: str
    """Stable short name: ``overset``, ``missing-image``, ``missing-glyph``, ..."""
    message: str
    """What is wrong and what was expected, for an editor (Chinese / English)."""
    pos: Pos | None = None
    """Where in the sources it comes from, when known."""
    story: str | None = None
    """The id of the story concerned, when there is one."""
    page: int | None = None
    """The page (1-based) concerned, when known."""
    data: tuple[tuple[str, object], ...] = field(default=(), compare=False)
    """Extra machine-readable details (e.g. ``("ppi", 74)``)."""

    def __str__(self) -> str:
        if self.code == FATAL:
            return self.message  # already formatted as ``file:line:col: error: ...``
        where = f"{self.pos}: " if self.pos else ""
        return f"{where}{self.level}: {self.message}"

    def as_json(self) -> dict[str, object]:
        """The finding as it appears in ``<stem>.preflight.json``."""
        out: dict[str, object] = {"level": self.level, "code": self.code}
        if self.story:
            out["story"] = self.story
        if self.page:
            out["page"] = self.page
        if self.pos:
            out["file"] = self.pos.file
            if self.pos.line:
                out["line"] = self.pos.line
            if self.pos.col:
                out["column"] = self.pos.col
        out["message"] = self.message
        out.update(dict(self.data))
        return out


class KanwuError(Exception):
    """An expected failure: the input is invalid or an output cannot be written.

    Carries every finding collected before giving up, so one run reports all
    the problems it can find.
    """

    def __init__(self, findings: Iterable[Finding] | Finding | str, exit_code: int = 2) -> None:
        if isinstance(findings, str):
            findings = [Finding("error", FATAL, findings)]
        elif isinstance(findings, Finding):
            findings = [findings]
        self.findings: tuple[Finding, ...] = tuple(findings)
        self.exit_code = exit_code
        super().__init__("\n".join(str(f) for f in self.findings))


class Collector:
    """Gathers findings during a stage; `fail()` raises them all at once."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def error(self, code: str, message: str, pos: Pos | None = None, **kw: object) -> None:
        """Record an error."""
        self.findings.append(Finding("error", code, message, pos, **kw))  # type: ignore[arg-type]

    def warning(self, code: str, message: str, pos: Pos | None = None, **kw: object) -> None:
        """Record a warning."""
        self.findings.append(Finding("warning", code, message, pos, **kw))  # type: ignore[arg-type]

    @property
    def has_errors(self) -> bool:
        """True when at least one error was recorded."""
        return any(f.level == "error" for f in self.findings)

    def fail_if_errors(self) -> None:
        """Raise `KanwuError` with every finding when any of them is an error."""
        if self.has_errors:
            raise KanwuError(self.findings)
