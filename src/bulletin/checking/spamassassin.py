"""SpamAssassin's score for a message, from its local rules only: for ``check --spam``.

:func:`spamassassin` runs ``spamassassin -L -t`` (local tests, no network) on the
message, given on standard input to the program itself (no shell), with a
timeout, and reads the score and each rule hit from the report it appends.
It reads an empty preferences file of its own (``-p``, and ``-x`` not to create
one), so the user's SpamAssassin preferences count for nothing; local tests use
no network, and Bayes is turned off (it would learn from what it scores). SpamAssassin still makes its
(empty) state folder ``~/.spamassassin``, from the account's home, as any run
does. It is not a Python package: Debian and Ubuntu have it as ``spamassassin``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import BulletinError

__all__ = [
    "CLEAN_SCORE",
    "SPAMASSASSIN",
    "Hit",
    "SpamReport",
    "parse_report",
    "require_spamassassin",
    "spamassassin",
]

SPAMASSASSIN = "spamassassin"
"""The program run, looked up on ``PATH``."""

CLEAN_SCORE = 0.1
"""The most a clean email scores, and the most any one rule may add to it: rules
up to this are informational (``HTML_MESSAGE`` adds 0.001)."""

TIMEOUT = 120.0
"""Seconds SpamAssassin may take (it takes 2-5 with local rules)."""

_SUMMARY = re.compile(
    r"^Content analysis details:\s+\((-?\d+(?:\.\d+)?) points, "
    r"(-?\d+(?:\.\d+)?) required\)",
    re.MULTILINE,
)
_HIT = re.compile(r" ?(-?\d+(?:\.\d+)?) +([A-Za-z0-9_]+) *(.*)")
"""A rule's line: at most one space before its points; a description's next line
is indented further."""


_NO_LEARNING = ("--cf=use_bayes 0", "--cf=bayes_auto_learn 0")
"""No Bayes database: it would learn from each message scored (so scores drift)
and write it to ``~/.spamassassin``."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One SpamAssassin rule that matched the message."""

    rule: str
    """Its name, e.g. ``MISSING_HEADERS``."""
    score: float
    """What it adds to the score, as printed (one decimal; may be negative; -0.0 is 0.0)."""
    description: str
    """SpamAssassin's description, e.g. ``Missing To: header``."""

    def __str__(self) -> str:
        return f"{self.rule} {self.score:+.1f} ({self.description})"


@dataclass(frozen=True, slots=True)
class SpamReport:
    """What SpamAssassin made of a message."""

    score: float
    """The total, as printed (one decimal)."""
    required: float
    """The score at which SpamAssassin marks a message as spam (5.0 by default)."""
    hits: tuple[Hit, ...]
    """Every rule that matched, informational ones included, in report order."""

    @property
    def scoring(self) -> tuple[Hit, ...]:
        """The rules that add more than :data:`CLEAN_SCORE`: more than information."""
        return tuple(hit for hit in self.hits if hit.score > CLEAN_SCORE)

    @property
    def clean(self) -> bool:
        """A score of at most :data:`CLEAN_SCORE` and no rule adding more."""
        return self.score <= CLEAN_SCORE and not self.scoring


def require_spamassassin(executable: str = SPAMASSASSIN) -> str:
    """The path of SpamAssassin's program.

    Raises:
        BulletinError: it is not installed; says how to get it.
    """
    found = shutil.which(executable)
    if found is None:
        raise BulletinError(
            f"SpamAssassin is not installed (no {executable!r} program found); "
            "on Debian or Ubuntu: sudo apt-get install spamassassin"
        )
    return found


def spamassassin(
    message: bytes, *, executable: str = SPAMASSASSIN, timeout: float = TIMEOUT
) -> SpamReport:
    """Score ``message`` (a whole ``.eml``) with SpamAssassin's local rules.

    Args:
        message: the message, as sent or written to a ``.eml``.
        executable: the program, a name looked up on ``PATH`` or a path.
        timeout: seconds to wait for it.

    Raises:
        BulletinError: SpamAssassin is not installed, fails, takes too long or
            prints no report.
    """
    # Imported here: only `check --spam` runs a program, and every build checks.
    import subprocess
    import tempfile

    program = require_spamassassin(executable)
    with tempfile.TemporaryDirectory(prefix="bulletin-spamassassin-") as folder:
        prefs = Path(folder) / "user_prefs"
        prefs.write_bytes(b"")
        try:
            # A fixed program and arguments, no shell; the message goes on stdin.
            result = subprocess.run(
                [program, "-L", "-t", "-x", "-p", str(prefs), *_NO_LEARNING],
                input=message,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BulletinError(
                f"SpamAssassin took more than {timeout:g} s to score the email"
            ) from None
        except OSError as error:
            raise BulletinError(
                f"SpamAssassin ({program}) could not be run: {error.strerror or error}"
            ) from None
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BulletinError(
            f"SpamAssassin failed (exit status {result.returncode})"
            + (f": {said[-1]}" if said else "")
        )
    try:
        return parse_report(result.stdout.decode("utf-8", "replace"))
    except ValueError as error:
        raise BulletinError(
            f"SpamAssassin's output was not understood: {error}"
        ) from None


def parse_report(output: str) -> SpamReport:
    """The score and rules hit, from the report ``spamassassin -t`` adds to a message.

    The report is the last ``Content analysis details:`` in ``output`` (the
    message itself comes first and may quote one), then a table of points,
    rule names and descriptions; a long description goes on over indented lines.

    Raises:
        ValueError: there is no report.

    Example:
        >>> parse_report(
        ...     "Content analysis details:   (0.9 points, 5.0 required)\\n\\n"
        ...     " pts rule name              description\\n"
        ...     "---- ---------------------- ------------------\\n"
        ...     " 0.9 MISSING_HEADERS        Missing To: header\\n"
        ...     " 0.0 HTML_MESSAGE           BODY: HTML included in message\\n"
        ... ).scoring
        (Hit(rule='MISSING_HEADERS', score=0.9, description='Missing To: header'),)
    """
    summaries = list(_SUMMARY.finditer(output))
    if not summaries:
        raise ValueError("no 'Content analysis details' report")
    summary = summaries[-1]
    lines = output[summary.end() :].splitlines()
    start = next(
        (number + 1 for number, line in enumerate(lines) if line.startswith("----")),
        len(lines),
    )
    hits: list[Hit] = []
    for line in lines[start:]:
        if not line.strip():
            break
        matched = _HIT.fullmatch(line.rstrip())
        if matched is not None:
            hits.append(Hit(matched[2], _points(matched[1]), matched[3]))
        elif hits:  # a long description goes on, indented, on the next line
            last = hits[-1]
            hits[-1] = Hit(last.rule, last.score, f"{last.description} {line.strip()}")
    return SpamReport(_points(summary[1]), _points(summary[2]), tuple(hits))


def _points(printed: str) -> float:
    """``-0.0`` (a tiny negative, rounded) as 0.0, which reads better."""
    return float(printed) + 0.0
