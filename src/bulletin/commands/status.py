"""``bulletin status``: where the sending of an edition stands, read from its journal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from bulletin.loading.source import load
from bulletin.mail.message import list_id
from bulletin.sending.bouncelog import edition_bounces
from bulletin.sending.journal import (
    Entry,
    Fingerprint,
    Journal,
    Run,
    State,
    journal_path,
)

__all__ = ["PROBLEMS", "Status", "running", "status", "when"]

PROBLEMS = (State.FAILED, State.DEFERRED, State.IN_DOUBT, State.SENDING)
"""The states worth listing reader by reader (and a pending reader with a
reply: the one a run stopped on)."""


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
    """Readers failed, deferred, in doubt or mid-send, with the server's reply,
    and a reader still to send that a run stopped on."""
    runs: list[Run] = field(default_factory=list)
    """Every run, oldest first, with how it ended."""
    running: bool = False
    """True while a send is using the journal."""
    bounces: dict[str, int] = field(default_factory=dict)
    """Readers of this edition by kind of bounce found by ``bulletin bounces``
    (``hard``, ``soft``, ``blocked``, ``delayed``, ``unsubscribe``)."""
    audiences: dict[str, dict[State, int]] = field(default_factory=dict)
    """Readers in each state by audience (``""``: in no audience), when the
    list has an audiences column; a reader in two is counted in both."""

    @property
    def last_run(self) -> Run | None:
        """The latest run, if the journal keeps runs."""
        return self.runs[-1] if self.runs else None

    def next_try(self, entry: Entry) -> str | None:
        """When a deferred reader is tried again within the run under way; None
        when no run is under way (the next run tries it)."""
        return when(entry.next_attempt) if self.running else None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (``status --format json``)."""
        fingerprint = self.fingerprint
        return {
            "journal": str(self.journal),
            "edition": fingerprint.edition if fingerprint else None,
            "subject": fingerprint.subject if fingerprint else None,
            "recipients": fingerprint.list if fingerprint else None,
            "started": fingerprint.started if fingerprint else None,
            "running": self.running,
            "counts": {str(state): number for state, number in self.counts.items()},
            "problems": [
                {
                    "address": entry.address,
                    "state": str(entry.state),
                    "reply": entry.reply,
                    "attempts": entry.attempts,
                    "next_attempt": self.next_try(entry),
                    "changed": entry.changed,
                    "message_id": entry.message_id,
                }
                for entry in self.problems
            ],
            "runs": [
                {
                    "run": run.tag,
                    "started": run.started,
                    "ended": run.ended,
                    "outcome": run.outcome,
                    "reason": run.reason,
                    "stopped_at": run.address,
                    "reply": run.reply,
                    "sent": run.sent,
                }
                for run in self.runs
            ],
            "bounces": dict(self.bounces),
            "audiences": {
                audience: {str(state): number for state, number in counts.items()}
                for audience, counts in self.audiences.items()
            },
        }


def status(edition: Path, journal: Path | None = None) -> Status:
    """Read the journal of ``edition`` (or ``journal``) while a send may be running.

    Raises:
        SendError: there is no journal, or it is not one.
        ContentError: the edition cannot be read to find its journal.
    """
    path = journal or journal_path(list_id(load(edition).settings), edition)
    with Journal.read(path) as opened:
        problems = [
            entry
            for entry in opened.entries()
            if entry.state in PROBLEMS or (entry.state is State.PENDING and entry.reply)
        ]
        runs = opened.runs()
        return Status(
            path,
            opened.fingerprint,
            opened.counts(),
            problems,
            runs,
            running=bool(runs) and runs[-1].ended is None and running(path),
            bounces=edition_bounces(path),
            audiences=_audiences(opened),
        )


def _audiences(journal: Journal) -> dict[str, dict[State, int]]:
    """The counts by audience, when any reader is in one."""
    found = journal.audience_counts()
    return found if set(found) - {""} else {}


def running(path: Path) -> bool:
    """True when a send holds the journal at ``path`` (its lock file is taken)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(path) + ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:  # a read-only folder: nobody can be sending there
        return False
    lock.release()
    return False


def when(moment: float | None) -> str | None:
    """A journal's time (seconds since the epoch) as local ISO 8601, or None."""
    if moment is None:
        return None
    return dt.datetime.fromtimestamp(moment).astimezone().isoformat(timespec="seconds")
