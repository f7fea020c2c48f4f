"""The send journal's SQLite file: its schema, each older version's migration, opening it.

``PRAGMA user_version`` holds the schema version. 1 had no runs; 2 added them
(one row per run); 3 added each reader's variant, its digest and the reader's
audiences (see :mod:`bulletin.model.audiences`). A journal of an older version
is brought up to date when it is next opened to send; read-only, it is read as
it is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bulletin.errors import SendError

__all__ = ["SCHEMA_VERSION", "connect"]

SCHEMA_VERSION = 3
_RUNS = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    tag TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT,
    reason TEXT NOT NULL DEFAULT '',
    address TEXT,
    reply TEXT NOT NULL DEFAULT '',
    sent INTEGER NOT NULL DEFAULT 0
);
"""
"""Schema 2: one row per run (``ended`` is NULL while it runs, or if it was killed)."""
_VARIANTS = """
ALTER TABLE recipients ADD COLUMN variant TEXT NOT NULL DEFAULT '';
ALTER TABLE recipients ADD COLUMN variant_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE recipients ADD COLUMN audiences TEXT NOT NULL DEFAULT '';
"""
"""Schema 3: the variant each reader gets (or got), its digest, and the reader's
audiences. An empty digest (a journal of schema 2) stands for the edition's."""
_MIGRATIONS = {1: _RUNS, 2: _VARIANTS}
"""What brings a journal from each version to the next."""
_SCHEMA = (
    """
CREATE TABLE edition (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    edition TEXT NOT NULL,
    subject TEXT NOT NULL,
    edition_digest TEXT NOT NULL,
    list TEXT NOT NULL,
    list_digest TEXT NOT NULL,
    started TEXT NOT NULL
);
CREATE TABLE recipients (
    key TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    row INTEGER NOT NULL,
    fields TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('pending', 'sending', 'sent', 'deferred', 'failed', 'in doubt', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    reply TEXT NOT NULL DEFAULT '',
    next_attempt REAL,
    message_id TEXT,
    sent_at REAL,
    changed TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX recipients_by_state ON recipients (state, row);
"""
    + _RUNS
    + _VARIANTS
)


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open the journal at ``path``: to write (``create``: made or migrated to
    :data:`SCHEMA_VERSION`, WAL), or read-only as it is.

    Raises:
        SendError: the file is not a journal, is from a newer bulletin, or
            SQLite cannot use it.
    """
    try:
        if create:
            db = sqlite3.connect(
                path, isolation_level=None, timeout=10, check_same_thread=False
            )
        else:
            db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            db.close()
            raise SendError(
                f"{path} was written by a newer bulletin (journal schema {version}); "
                "upgrade bulletin to use it"
            )
        if create:
            if version == 0:
                has_tables = db.execute(
                    "SELECT count(*) FROM sqlite_schema"
                ).fetchone()[0]
                if has_tables:
                    db.close()
                    raise SendError(f"{path} is not a bulletin journal")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # FULL for "sending" only
            if version == 0:
                db.executescript(
                    f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                )
            _migrate(db, version or SCHEMA_VERSION)
        elif version == 0:
            db.close()
            raise SendError(f"{path} is not a bulletin journal")
    except sqlite3.DatabaseError as error:
        raise SendError(f"{path} cannot be used as a journal: {error}") from None
    return db


def _migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring a journal of an older schema ``version`` to :data:`SCHEMA_VERSION`."""
    while version < SCHEMA_VERSION:
        db.executescript(
            f"BEGIN; {_MIGRATIONS[version]} PRAGMA user_version = {version + 1}; "
            "COMMIT;"
        )
        version += 1
