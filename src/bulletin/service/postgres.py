"""The service's store in PostgreSQL, for a service run on more than one machine.

Needs psycopg 3 (``pip install "bulletin[server]"``).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING

from bulletin.errors import ServiceError
from bulletin.mail.recipients import address_key
from bulletin.mail.syncing import EventKind, SubscriptionEvent

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bulletin_readers (
    key text PRIMARY KEY,
    address text NOT NULL,
    unsubscribed boolean NOT NULL,
    changed_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS bulletin_events (
    id bigserial PRIMARY KEY,
    address text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('unsubscribed', 'resubscribed')),
    at timestamptz NOT NULL
)
"""

# Every change takes this transaction lock first. Changes then commit in the
# order of their event numbers, so a sync that has read up to event n never
# misses an event numbered below n that committed after it read.
_LOCK = "SELECT pg_advisory_xact_lock(7305818250931925367)"

_UNSUBSCRIBE = """
INSERT INTO bulletin_readers (key, address, unsubscribed, changed_at)
VALUES (%s, %s, true, %s)
ON CONFLICT (key) DO UPDATE SET
    unsubscribed = true, address = excluded.address, changed_at = excluded.changed_at
WHERE bulletin_readers.unsubscribed = false
"""
_RESUBSCRIBE = """
UPDATE bulletin_readers SET unsubscribed = false, address = %s, changed_at = %s
WHERE key = %s AND unsubscribed = true
"""


class PostgresStore:
    """Readers' states and events in a PostgreSQL database named by a URL.

    Each thread has its own connection, opened again if the server dropped it.
    """

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise ServiceError(
                'a postgresql:// database needs psycopg; install bulletin with: pip install "bulletin[server]"'
            ) from None
        self._psycopg = psycopg
        self._url = url
        self._local = threading.local()
        self._connections: list[psycopg.Connection[tuple[object, ...]]] = []
        self._lock = threading.Lock()
        try:
            connection = self._connection()
            with connection.transaction():
                connection.execute(_LOCK)
                connection.execute(_SCHEMA)
        except psycopg.Error as error:
            # The URL may hold a password: it is not repeated.
            raise ServiceError(
                f"cannot use the PostgreSQL database given: {_first_line(error)}"
            ) from None

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        connection: psycopg.Connection[tuple[object, ...]] | None = getattr(
            self._local, "connection", None
        )
        if connection is not None and connection.closed:
            connection = None
        if connection is None:
            connection = self._psycopg.connect(
                self._url, autocommit=True, connect_timeout=10
            )
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def record(self, address: str, kind: EventKind, at: dt.datetime) -> bool:
        connection = self._connection()
        key = address_key(address)
        try:
            with connection.transaction():
                connection.execute(_LOCK)
                if kind == "unsubscribed":
                    changed = connection.execute(_UNSUBSCRIBE, (key, address, at))
                else:
                    changed = connection.execute(_RESUBSCRIBE, (address, at, key))
                if changed.rowcount > 0:
                    connection.execute(
                        "INSERT INTO bulletin_events (address, kind, at) "
                        "VALUES (%s, %s, %s)",
                        (address, kind, at),
                    )
        except self._psycopg.OperationalError:
            connection.close()  # opened again on the next call
            raise
        return changed.rowcount > 0

    def is_unsubscribed(self, address: str) -> bool:
        row = (
            self._connection()
            .execute(
                "SELECT unsubscribed FROM bulletin_readers WHERE key = %s",
                (address_key(address),),
            )
            .fetchone()
        )
        return bool(row and row[0])

    def events_since(self, cursor: int, limit: int) -> list[SubscriptionEvent]:
        rows = (
            self._connection()
            .execute(
                "SELECT id, kind, address, at FROM bulletin_events WHERE id > %s "
                "ORDER BY id LIMIT %s",
                (cursor, limit),
            )
            .fetchall()
        )
        events = []
        for id_, kind, address, at in rows:
            assert isinstance(id_, int)
            assert isinstance(at, dt.datetime)
            assert kind in ("unsubscribed", "resubscribed")
            events.append(SubscriptionEvent(id_, kind, str(address), at))
        return events

    def check(self) -> None:
        connection = self._connection()
        try:
            connection.execute("SELECT 1").fetchall()
        except self._psycopg.OperationalError:
            connection.close()  # the next use opens another
            raise

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
