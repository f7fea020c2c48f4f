"""What ``bulletin check`` found: findings, each an error or a warning, with where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bulletin.checking.limits import GMAIL_CLIP_BYTES
from bulletin.errors import BulletinError, ContentError, ContentErrorGroup, Location

__all__ = ["LOAD", "Finding", "Level", "Report"]

Level = Literal["error", "warning"]
"""``error``: do not send like this. ``warning``: worth fixing."""

LOAD = "load"
"""The code of a finding that the edition could not be loaded or rendered."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the editor should look at."""

    level: Level
    """``error`` (do not send like this) or ``warning`` (worth fixing)."""
    code: str
    """A stable name for the kind of finding, e.g. ``vague-link``."""
    message: str
    """What is wrong and what would work, in one line."""
    location: Location = field(default_factory=Location)
    """Where: file:line:col for an edition file, else the block path."""

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where + ': ' if where else ''}{self.level}: {self.message}"

    @property
    def placed(self) -> str:
        """The message after its place, without the level: ``file:line: message``."""
        where = str(self.location)
        return f"{where + ': ' if where else ''}{self.message}"


@dataclass(frozen=True, slots=True)
class Report:
    """The findings for one edition, and its size."""

    path: Path
    """The edition file."""
    findings: tuple[Finding, ...]
    """Everything found, errors first."""
    html_bytes: int | None = None
    """The email's HTML size (None when it could not be rendered)."""
    spam_score: float | None = None
    """SpamAssassin's score for the ``.eml`` (None unless the spam rules ran)."""
    variant_bytes: Mapping[str, int] = field(default_factory=dict)
    """For an edition with parts for some audiences only: each variant's HTML
    size, by who gets it (``no audience``, ``schools``, ``health and schools``)."""

    @classmethod
    def from_error(cls, path: Path | str, error: BulletinError) -> Report:
        """The report on an edition that failed to load or render: each problem an error.

        A :class:`~bulletin.errors.ContentErrorGroup` gives one finding per
        problem in it; any other error, one finding. Their code is ``load``.
        """
        problems = (
            [item for item in error.exceptions if isinstance(item, ContentError)]
            if isinstance(error, ContentErrorGroup)
            else [error]
        )
        return cls(Path(path), tuple(_failed(problem) for problem in problems))

    @property
    def errors(self) -> list[Finding]:
        """The errors."""
        return [item for item in self.findings if item.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The warnings."""
        return [item for item in self.findings if item.level == "warning"]

    def passed(self, *, strict: bool = False) -> bool:
        """True when there are no errors (and, if ``strict``, no warnings)."""
        return not self.errors and not (strict and self.warnings)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form: counts, size and every finding."""
        return {
            "path": str(self.path),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "html_bytes": self.html_bytes,
            "clip_bytes": GMAIL_CLIP_BYTES,
            "spam_score": self.spam_score,
            "variant_bytes": dict(self.variant_bytes),
            "findings": [
                {
                    "level": item.level,
                    "code": item.code,
                    "message": item.message,
                    "file": str(item.location.file) if item.location.file else None,
                    "line": item.location.line,
                    "column": item.location.column,
                    "block": item.location.block or None,
                }
                for item in self.findings
            ],
        }


def _failed(error: BulletinError) -> Finding:
    if isinstance(error, ContentError):
        return Finding("error", LOAD, error.message, error.location)
    return Finding("error", LOAD, str(error), Location())
