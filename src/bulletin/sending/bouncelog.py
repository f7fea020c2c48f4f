"""What ``bulletin bounces`` has read, and which sent message each bounce is about.

Two things live beside a list's send journals (in the state folder, one
folder per list id):

- :class:`BounceLog`, a small SQLite database (``bounces.db``, not a journal:
  its own file, so the journals' schema can change without it) that keeps
  each mail processed, by Message-ID, so that a re-run never counts a mail
  twice, and each bounce with the reader and the edition it was about, for
  the soft-bounce count and for ``bulletin status``.
- :class:`SentIndex`, the send journals read: a Message-ID gives the reader
  and the edition exactly; an address gives the reader and the last edition
  sent to them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import SendError
from bulletin.mail.suppression import Suppression
from bulletin.sending.journal import Journal, journal_path
from bulletin.sending.replies import printable

__all__ = [
    "BOUNCES_NAME",
    "BounceLog",
    "Sent",
    "SentIndex",
    "bounce_log_path",
    "edition_bounces",
]

BOUNCES_NAME = "bounces.db"
"""The bounce log's file name, beside the list's journals."""

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE mails (
    mail_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    processed TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE bounces (
    id INTEGER PRIMARY KEY,
    mail_id TEXT NOT NULL,
    key TEXT NOT NULL,
    address TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    diagnostic TEXT NOT NULL DEFAULT '',
    journal TEXT,
    edition TEXT,
    processed TEXT NOT NULL
);
CREATE INDEX bounces_by_key ON bounces (key, kind);
CREATE INDEX bounces_by_journal ON bounces (journal);
"""


def bounce_log_path(list_id: str | None) -> Path:
    """The bounce log of a list: beside its send journals."""
    return journal_path(list_id, Path("edition.md")).parent / BOUNCES_NAME


@dataclass(frozen=True, slots=True)
class Sent:
    """One reader's copy of one edition, as a journal keeps it."""

    journal: str
    """The journal's file name: which edition, for the bounce log."""
    edition: str
    """The edition's subject, for people."""
    address: str
    key: str
    sent_at: float


class SentIndex:
    """The send journals of one list, read once, to match bounces to readers."""

    def __init__(self, folder: Path) -> None:
        self.by_id: dict[str, Sent] = {}
        self.by_key: dict[str, Sent] = {}
        self.problems: list[str] = []
        for path in sorted(folder.glob("*.sqlite3")) if folder.is_dir() else ():
            try:
                with Journal.read(path) as journal:
                    fingerprint = journal.fingerprint
                    entries = journal.entries()
            except (SendError, sqlite3.Error) as error:
                self.problems.append(f"{path}: skipped: {error}")
                continue
            subject = fingerprint.subject if fingerprint else path.stem
            for entry in entries:
                if not entry.message_id:
                    continue
                sent = Sent(
                    path.name, subject, entry.address, entry.key, entry.sent_at or 0.0
                )
                self.by_id[entry.message_id.strip().lower()] = sent
                latest = self.by_key.get(entry.key)
                if latest is None or sent.sent_at >= latest.sent_at:
                    self.by_key[entry.key] = sent

    def find(
        self, message_ids: Iterable[str], address: str
    ) -> tuple[Sent | None, bool]:
        """The copy a bounce is about, and whether a Message-ID named it.

        By Message-ID (any of ``message_ids`` naming ``address``'s copy, or
        any at all when the notification names a forwarded address), else the
        last edition sent to ``address`` (not named: False).
        """
        key = Suppression(address).key if address else ""
        by_id = [
            found
            for ident in message_ids
            if (found := self.by_id.get(ident.strip().lower())) is not None
        ]
        for found in by_id:
            if found.key == key:
                return found, True
        if by_id and len({found.key for found in by_id}) == 1:
            return by_id[0], True
        return self.by_key.get(key), False


class BounceLog:
    """The bounce log of one list (see the module's notes).

    Args:
        path: the database; ``:memory:`` for one that keeps nothing.
        read_only: only read (``bulletin status``).
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        try:
            if read_only:
                self._db = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
                )
            else:
                if str(path) != ":memory:":
                    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._db = sqlite3.connect(path, isolation_level=None, timeout=10)
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise SendError(
                    f"{path} was written by a newer bulletin (bounce log schema "
                    f"{version}); upgrade bulletin to use it"
                )
            if version == 0 and not read_only:
                self._db.executescript(
                    f"BEGIN; {_SCHEMA} PRAGMA user_version = {_SCHEMA_VERSION}; COMMIT;"
                )
        except sqlite3.DatabaseError as error:
            raise SendError(f"{path} cannot be used as a bounce log: {error}") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> BounceLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def batch(self, *, keep: bool = True) -> Iterator[None]:
        """Group writes in one transaction; with ``keep`` false, undo them after
        (a dry run counts as a real run would, and keeps nothing)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT" if keep else "ROLLBACK")

    def checkpoint(self) -> None:
        """Commit what the current batch holds and go on in a new one."""
        self._db.execute("COMMIT")
        self._db.execute("BEGIN IMMEDIATE")

    def seen(self, mail_id: str) -> bool:
        """True when the mail ``mail_id`` was processed by an earlier run."""
        row = self._db.execute(
            "SELECT 1 FROM mails WHERE mail_id = ?", (mail_id,)
        ).fetchone()
        return row is not None

    def record_mail(self, mail_id: str, kind: str, subject: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO mails (mail_id, kind, subject, processed) "
            "VALUES (?, ?, ?, ?)",
            (mail_id, kind, printable(subject)[:500], _now()),
        )

    def record_bounce(
        self,
        mail_id: str,
        address: str,
        kind: str,
        *,
        status: str = "",
        diagnostic: str = "",
        sent: Sent | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO bounces (mail_id, key, address, kind, status, diagnostic, "
            "journal, edition, processed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                mail_id,
                sent.key if sent else Suppression(address).key,
                address,
                kind,
                status,
                printable(diagnostic),
                sent.journal if sent else None,
                sent.edition if sent else None,
                _now(),
            ),
        )

    def soft_editions(self, key: str) -> int:
        """In how many different editions the reader ``key`` soft-bounced."""
        row = self._db.execute(
            "SELECT count(DISTINCT journal) FROM bounces "
            "WHERE key = ? AND kind = 'soft' AND journal IS NOT NULL",
            (key,),
        ).fetchone()
        return int(row[0])

    def counts(self, journal: str) -> dict[str, int]:
        """Readers by kind of bounce (hard, soft, blocked, unsubscribe) for the
        edition whose journal file is named ``journal``."""
        return {
            str(kind): int(number)
            for kind, number in self._db.execute(
                "SELECT kind, count(DISTINCT key) FROM bounces WHERE journal = ? "
                "GROUP BY kind ORDER BY kind",
                (journal,),
            )
        }


def edition_bounces(journal: Path) -> dict[str, int]:
    """Readers of the edition whose send journal is ``journal``, by kind of
    bounce: ``{"hard": 2, "soft": 1, "unsubscribe": 1}``; empty when
    ``bulletin bounces`` has found none (or never ran).

    For ``bulletin status``: the bounce log is beside the journal.
    """
    path = journal.parent / BOUNCES_NAME
    if not path.is_file():
        return {}
    try:
        with BounceLog(path, read_only=True) as log:
            return log.counts(journal.name)
    except (SendError, sqlite3.Error):
        return {}


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
