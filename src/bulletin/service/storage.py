"""Where the service keeps who unsubscribed: one small interface, two stores.

:class:`~bulletin.service.sqlite.SQLiteStore` (one file, the default) and
:class:`~bulletin.service.postgres.PostgresStore` (a PostgreSQL database, for
a service run on more than one machine) keep the same two things:

- each reader's state (unsubscribed or not), keyed by the case-folded address,
  so that repeated or concurrent requests for one address record it once;
- the events (``unsubscribed``, ``resubscribed``) with their times, numbered
  in the order they were recorded, which the editor's machine syncs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol

from bulletin.errors import ServiceError
from bulletin.mail.syncing import EventKind, SubscriptionEvent

__all__ = ["Store", "open_store"]


class Store(Protocol):
    """What the service needs from its database. Every method may be called
    from several threads at once."""

    def record(self, address: str, kind: EventKind, at: dt.datetime) -> bool:
        """Record that ``address`` unsubscribed or resubscribed at ``at``.

        Returns True when that changed its state (and an event was recorded),
        False when it was already so: an unsubscribe for an address already
        unsubscribed, or a resubscribe for one that never unsubscribed.
        """
        ...

    def is_unsubscribed(self, address: str) -> bool:
        """True when ``address`` is unsubscribed now."""
        ...

    def events_since(self, cursor: int, limit: int) -> list[SubscriptionEvent]:
        """Up to ``limit`` events after ``cursor``, oldest first."""
        ...

    def check(self) -> None:
        """Raise when the database cannot be used (for the health endpoint)."""
        ...

    def close(self) -> None:
        """Close every connection."""
        ...


def open_store(database: str | Path) -> Store:
    """The store for ``database``: a ``postgresql://`` URL, or an SQLite file's path.

    Raises:
        ServiceError: the database cannot be opened or set up.
    """
    text = str(database)
    if text.startswith(("postgresql://", "postgres://")):
        from bulletin.service.postgres import PostgresStore

        return PostgresStore(text)
    if "://" in text:
        raise ServiceError(
            f"the database {text.partition('://')[0]}://... is neither an SQLite "
            "file nor a postgresql:// URL; give a file name such as "
            "unsubscribes.sqlite3, or postgresql://user@host/dbname"
        )
    from bulletin.service.sqlite import SQLiteStore

    return SQLiteStore(Path(text))
