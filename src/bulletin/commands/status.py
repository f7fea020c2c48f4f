"""``bulletin status``: where the sending of an edition stands, read from its journal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bulletin.loading.source import load
from bulletin.mail.message import list_id
from bulletin.sending.journal import Entry, Fingerprint, Journal, State, journal_path

__all__ = ["PROBLEMS", "Status", "status", "when"]

PROBLEMS = (State.FAILED, State.DEFERRED, State.IN_DOUBT, State.SENDING)
"""The states worth listing reader by reader."""


@dataclass(frozen=True, slots=True)
class Status:
    """A send's journal, read: what it was for, the counts, and who needs a look."""

    journal: Path
    """The journal's file."""
    fingerprint: Fingerprint | None
    """The edition and list it was started for; None if never begun."""
    counts: dict[State, int]
    """Readers in each state."""
    problems: list[Entry]
    """Readers failed, deferred, in doubt or mid-send, with the server's reply."""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (``status --format json``)."""
        fingerprint = self.fingerprint
        return {
            "journal": str(self.journal),
            "edition": fingerprint.edition if fingerprint else None,
            "subject": fingerprint.subject if fingerprint else None,
            "recipients": fingerprint.list if fingerprint else None,
            "started": fingerprint.started if fingerprint else None,
            "counts": {str(state): number for state, number in self.counts.items()},
            "problems": [
                {
                    "address": entry.address,
                    "state": str(entry.state),
                    "reply": entry.reply,
                    "attempts": entry.attempts,
                    "next_attempt": when(entry.next_attempt),
                    "changed": entry.changed,
                    "message_id": entry.message_id,
                }
                for entry in self.problems
            ],
        }


def status(edition: Path, journal: Path | None = None) -> Status:
    """Read the journal of ``edition`` (or ``journal``) while a send may be running.

    Raises:
        SendError: there is no journal, or it is not one.
        ContentError: the edition cannot be read to find its journal.
    """
    path = journal or journal_path(list_id(load(edition).settings), edition)
    with Journal.read(path) as opened:
        return Status(
            path, opened.fingerprint, opened.counts(), opened.entries(*PROBLEMS)
        )


def when(moment: float | None) -> str | None:
    """A journal's time (seconds since the epoch) as local ISO 8601, or None."""
    if moment is None:
        return None
    return dt.datetime.fromtimestamp(moment).astimezone().isoformat(timespec="seconds")
