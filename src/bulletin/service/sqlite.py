"""The service's store in one SQLite file (WAL), the default."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

from bulletin.errors import ServiceError
from bulletin.mail.recipients import address_key
from bulletin.mail.syncing import EventKind, SubscriptionEvent

__all__ = ["SQLiteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS readers (
    key TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    unsubscribed INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('unsubscribed', 'resubscribed')),
    at TEXT NOT NULL
);
"""

# An unsubscribe makes the reader's row or flips it; a repeated one changes nothing.
_UNSUBSCRIBE = """
INSERT INTO readers (key, address, unsubscribed, changed_at) VALUES (?, ?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
    unsubscribed = 1, address = excluded.address, changed_at = excluded.changed_at
WHERE readers.unsubscribed = 0
"""
# A resubscribe only undoes an unsubscribe: an unknown address stays unknown.
_RESUBSCRIBE = """
UPDATE readers SET unsubscribed = 0, address = ?, changed_at = ?
WHERE key = ? AND unsubscribed = 1
"""


class SQLiteStore:
    """Readers' states and events in one SQLite file.

    Each thread has its own connection; a change is one ``BEGIN IMMEDIATE``
    transaction, so changes from threads, or from several worker processes
    sharing the file, take turns and each address is recorded once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            self._connection().executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise ServiceError(
                f"{path}: cannot open it as the service's SQLite database: {error}"
            ) from None

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
            connection.execute("PRAGMA journal_mode=WAL")
            # Each commit reaches the disk before the reader is told "done".
            connection.execute("PRAGMA synchronous=FULL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def record(self, address: str, kind: EventKind, at: dt.datetime) -> bool:
        connection = self._connection()
        when = at.astimezone(dt.UTC).isoformat()
        key = address_key(address)
        connection.execute("BEGIN IMMEDIATE")
        try:
            if kind == "unsubscribed":
                changed = connection.execute(_UNSUBSCRIBE, (key, address, when))
            else:
                changed = connection.execute(_RESUBSCRIBE, (address, when, key))
            if changed.rowcount > 0:
                connection.execute(
                    "INSERT INTO events (address, kind, at) VALUES (?, ?, ?)",
                    (address, kind, when),
                )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:  # SQLite may have rolled back already
                connection.execute("ROLLBACK")
            raise
        return changed.rowcount > 0

    def is_unsubscribed(self, address: str) -> bool:
        row = (
            self._connection()
            .execute(
                "SELECT unsubscribed FROM readers WHERE key = ?",
                (address_key(address),),
            )
            .fetchone()
        )
        return bool(row and row[0])

    def events_since(self, cursor: int, limit: int) -> list[SubscriptionEvent]:
        rows = self._connection().execute(
            "SELECT id, kind, address, at FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (cursor, limit),
        )
        return [
            SubscriptionEvent(id_, kind, address, dt.datetime.fromisoformat(at))
            for id_, kind, address, at in rows
        ]

    def check(self) -> None:
        self._connection().execute("SELECT 1 FROM events LIMIT 1").fetchall()

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()
