"""The send journal: who has been sent an edition, kept safe through any crash.

One SQLite database per edition (WAL), by default in the per-user state
folder (:func:`journal_path`). Each recipient has a row
whose state moves like this::

    pending ──▶ sending ──▶ sent
       ▲           │  └───▶ in doubt   (the connection went after the final dot)
       │           ▼
       └──── deferred                  (a 4xx, or the connection went before the dot)
                   failed              (a 5xx about the mailbox)
    suppressed                         (on the suppression list: not sent)

"sending" is written, durably, just before the final dot of DATA: the one
moment after which the server may have the message. A run that finds a
"sending" row (the process died there) makes it "in doubt", which is never
sent again unless asked. Anything before that point is safe to repeat, since
a server discards a transaction whose dot never came.

Durability costs one ``fsync`` per message, not one per write. Every write
is committed at once (so a killed process loses none: the operating system
has it), but only "sending" is committed with ``synchronous=FULL``; the
others ("sent", "deferred", "failed" ...) with ``synchronous=NORMAL``, which
does not wait for the disk. That is enough for a power cut too, because the
write-ahead log is one file written in commit order: the ``fsync`` of the
next "sending" (and of the end of the run, and of each checkpoint) makes
every earlier write durable with it. A power cut can lose only the writes
after the last "sending" of each connection: a connection's "sent" mark for
the message it last handed over (the reader is then found "sending", so in
doubt: a message in flight, as with a kill just after the server's reply),
or a "deferred"/"failed" mark (the reader is tried again: nothing was
delivered). The "sending" mark itself is never lost once its dot is sent, so
nobody is ever sent twice unasked, and at most one reader per connection is
in doubt after any crash.

A journal may be shared by the threads of several connections: every use of
the database holds one lock (SQLite has one writer anyway).

The journal also keeps a fingerprint of the edition and of the recipient
list; a later run with either changed is refused unless allowed, saying what
changed. Only one run may use a journal at a time (a lock file beside it,
which works on Windows too).

Each run is kept too (:class:`Run`): when it started and ended, how it ended
(finished, stopped, interrupted, killed), why, and on which reader and reply.
A reader the run stopped on stays "pending" with the reply noted, so
``status`` can say why.

Each reader's row also keeps the variant of the edition they get (or got),
its digest and their audiences: an edition changed since a reader was sent
it is a change for that reader only (:meth:`Journal.begin`).

The file's schema and its migrations are in :mod:`bulletin.sending.journaldb`.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import JournalConflictError, SendError
from bulletin.files import user_state_root
from bulletin.mail.recipients import Recipient
from bulletin.model.audiences import describe
from bulletin.sending.journaldb import SCHEMA_VERSION, connect
from bulletin.sending.replies import printable

__all__ = [
    "OUTCOMES",
    "SCHEMA_VERSION",
    "Entry",
    "Fingerprint",
    "Journal",
    "Run",
    "State",
    "Variant",
    "earlier_journal",
    "journal_path",
    "list_digest",
]


class State(enum.StrEnum):
    """Where a recipient stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    IN_DOUBT = "in doubt"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True, slots=True)
class Entry:
    """One recipient's row."""

    key: str
    address: str
    row: int
    state: State
    attempts: int
    reply: str
    """The server's last reply, or why the state was reached."""
    next_attempt: float | None
    """When a deferred recipient is next tried (seconds since the epoch)."""
    message_id: str | None
    sent_at: float | None
    """When the final dot went (seconds since the epoch)."""
    changed: str
    """When the state last changed (ISO 8601, local time)."""


OUTCOMES = ("finished", "stopped", "interrupted", "killed")
"""How a run ended: everyone tried; stopped before the end (a refusal, a limit,
too many failures); at the editor's request (Ctrl-C); or never said (killed)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a send, as the journal keeps it."""

    id: int
    tag: str
    """A name for the run, unique, as in the suppression list's notes."""
    started: str
    """When it started (ISO 8601, local time)."""
    ended: str | None
    """When it ended; None while it runs (or if it was killed and not yet found)."""
    outcome: str | None
    """One of :data:`OUTCOMES`; None while it runs."""
    reason: str
    """Why it stopped, as told to the editor; empty when it finished."""
    address: str | None
    """The reader it stopped on, if a reply about that reader's message stopped it."""
    reply: str
    """The server's reply it stopped on, if any."""
    sent: int
    """Messages sent in the run."""


@dataclass(frozen=True, slots=True)
class Variant:
    """The variant of the edition a reader gets, as the journal keeps it."""

    name: str
    """The variant's name: its audiences joined by ``+``; empty for the untagged
    parts alone (and for an edition that tags nothing)."""
    digest: str
    """The variant's fingerprint: a reader already sent a variant whose digest
    has since changed was sent an earlier version."""
    audiences: str = ""
    """The reader's own audiences, ``; ``-separated (for ``status``)."""


_RECEIVED = "('sent', 'sending', 'in doubt')"
"""The states, as SQL, of readers who have (or may have) an edition's message."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a journal was started for: the edition and the list, as digests."""

    edition: str
    """The edition file, as given."""
    subject: str
    edition_digest: str
    list: str
    """The recipient list file, as given."""
    list_digest: str
    started: str = ""
    """When the journal was started (ISO 8601)."""


def list_digest(recipients: Iterable[Recipient]) -> str:
    """A digest of addresses and merge fields, whatever the file's order or encoding."""
    hasher = hashlib.sha256()
    for line in sorted(f"{r.key}\0{_fields_digest(r)}\n" for r in recipients):
        hasher.update(line.encode("utf-8"))
    return hasher.hexdigest()


def journal_path(list_id: str | None, edition: Path) -> Path:
    """The default journal of an edition file: in the state folder, by list and file.

    It is named after the file (its name, and a digest of where it is), not its
    title, so that correcting the title finds the same journal, which then
    says the edition changed.
    """
    folder = _safe(list_id or "") or "no-list-id"
    where = hashlib.sha256(str(edition.resolve()).encode("utf-8")).hexdigest()[:10]
    name = f"{_safe(edition.stem) or 'edition'}-{where}.sqlite3"
    return user_state_root() / "journals" / folder / name


def earlier_journal(path: Path, fingerprint: Fingerprint) -> Path | None:
    """Another journal beside ``path`` that was started for the same edition.

    The same edition means the same content, or the same subject from a file
    of the same name: what a moved edition file looks like.
    """
    name = Path(fingerprint.edition).name
    for other in sorted(path.parent.glob("*.sqlite3")):
        if other == path:
            continue
        try:
            with Journal.read(other) as journal:
                found = journal.fingerprint
        except SendError:
            continue
        if found is not None and (
            found.edition_digest == fingerprint.edition_digest
            or (
                found.subject == fingerprint.subject
                and Path(found.edition).name == name
            )
        ):
            return other
    return None


class Journal:
    """An open journal. Use :meth:`open` to send with it, :meth:`read` to look.

    Raises:
        SendError: the file is not a journal, is from a newer bulletin, or is
            in use by another run.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock: object | None = None
        self._mutex = threading.RLock()
        """Held for every use of the database: threads may share a journal."""
        self._durable = False
        """Whether the connection now commits with ``synchronous=FULL``."""

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Open ``path`` for a send, creating it if missing; locks out other runs."""
        from filelock import FileLock, Timeout

        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = FileLock(str(path) + ".lock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise SendError(
                f"another bulletin send is using the journal {path}; wait for it "
                "to finish (or stop it) before running this again"
            ) from None
        try:
            journal = cls(path, connect(path, create=True))
        except BaseException:
            lock.release()
            raise
        journal._lock = lock
        journal._recover()
        return journal

    @classmethod
    def in_memory(cls) -> Journal:
        """A journal kept in memory for one run: nothing to resume after a crash."""
        path = Path(":memory:")
        return cls(path, connect(path, create=True))

    @classmethod
    def read(cls, path: Path) -> Journal:
        """Open ``path`` to read while a send may be running.

        Raises:
            SendError: there is no journal at ``path``.
        """
        if not path.is_file():
            raise SendError(
                f"no journal at {path}: this edition has not been sent to a list yet"
            )
        return cls(path, connect(path, create=False))

    def close(self) -> None:
        """Close the database (a checkpoint: every write durable) and let other runs in."""
        with self._mutex:
            self._db.close()
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()  # type: ignore[attr-defined]  # a filelock.FileLock

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the journal was started for ---------------------------------

    @property
    def fingerprint(self) -> Fingerprint | None:
        """The edition and list this journal was started for; None when new."""
        row = self._db.execute(
            "SELECT edition, subject, edition_digest, list, list_digest, started "
            "FROM edition"
        ).fetchone()
        return None if row is None else Fingerprint(*row)

    def begin(
        self,
        fingerprint: Fingerprint,
        recipients: Sequence[Recipient],
        suppressed: Iterable[str] = (),
        *,
        allow_changed: bool = False,
        variants: Mapping[str, Variant] | None = None,
    ) -> list[str]:
        """Record the run's edition and list; return what changed since the last run.

        The edition has changed for a reader already sent it (or in doubt)
        whose variant's digest is not the one they were sent; a change to a
        variant nobody has yet is no change.

        Args:
            fingerprint: this run's edition and list.
            recipients: every valid recipient on the list, suppressed or not.
            suppressed: keys of the recipients on the suppression list.
            allow_changed: carry on with a changed edition or list.
            variants: each recipient's variant, by key; None: one variant for
                all, the edition's (``fingerprint.edition_digest``).

        Raises:
            JournalConflictError: the edition or the list changed and
                ``allow_changed`` is false; says what changed.
        """
        now = _now()
        suppressed = frozenset(suppressed)
        if variants is None:
            variants = {}
        whole = Variant("", fingerprint.edition_digest)
        stored = self.fingerprint
        changes: list[str] = []
        if stored is not None:
            changes = self._changes(stored, fingerprint, recipients, variants)
            if changes and not allow_changed:
                raise JournalConflictError(
                    f"{'; '.join(changes)}, since this edition was first sent on "
                    f"{stored.started[:16].replace('T', ' ')}. Nothing was sent",
                    changes=changes,
                )
        with self._transaction():
            db = self._db
            db.execute(
                "INSERT OR REPLACE INTO edition VALUES (1, ?, ?, ?, ?, ?, ?)",
                (
                    fingerprint.edition,
                    fingerprint.subject,
                    fingerprint.edition_digest,
                    fingerprint.list,
                    fingerprint.list_digest,
                    stored.started if stored else now,
                ),
            )
            keys = {r.key for r in recipients}
            for (key,) in db.execute(
                "SELECT key FROM recipients WHERE state IN "
                "('pending', 'deferred', 'suppressed')"
            ).fetchall():
                if key not in keys:
                    db.execute("DELETE FROM recipients WHERE key = ?", (key,))
            # A reader who has the message keeps the variant they were sent,
            # unless a changed edition was allowed (then the change is theirs).
            kept = (
                "excluded.{0}"
                if allow_changed
                else f"CASE WHEN state IN {_RECEIVED} THEN {{0}} ELSE excluded.{{0}} END"
            )
            db.executemany(
                "INSERT INTO recipients (key, address, row, fields, state, changed, "
                "variant, variant_digest, audiences) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "address = excluded.address, row = excluded.row, "
                "fields = excluded.fields, audiences = excluded.audiences, "
                + ", ".join(
                    f"{column} = {kept.format(column)}"
                    for column in ("variant", "variant_digest")
                ),
                (
                    (
                        r.key,
                        r.address,
                        r.row,
                        _fields_digest(r),
                        State.SUPPRESSED if r.key in suppressed else State.PENDING,
                        now,
                        (variant := variants.get(r.key, whole)).name,
                        variant.digest,
                        variant.audiences,
                    )
                    for r in recipients
                ),
            )
            for key in suppressed & keys:
                db.execute(
                    "UPDATE recipients SET state = 'suppressed', changed = ? "
                    "WHERE key = ? AND state IN ('pending', 'deferred')",
                    (now, key),
                )
            db.executemany(
                "UPDATE recipients SET state = 'pending', changed = ? "
                "WHERE key = ? AND state = 'suppressed'",
                ((now, key) for key in keys - suppressed),
            )
        return changes

    def _changes(
        self,
        stored: Fingerprint,
        new: Fingerprint,
        recipients: Sequence[Recipient],
        variants: Mapping[str, Variant],
    ) -> list[str]:
        changes = []
        if stored.edition_digest != new.edition_digest:
            changed = self._changed_variants(stored, new, variants)
            if not changed:
                pass  # nobody has a version that changed: nothing to say
            elif stored.subject != new.subject:
                changes.append(
                    f"the edition changed (its subject was {stored.subject!r}, "
                    f"now {new.subject!r})"
                )
            elif set(changed) == {""}:
                changes.append("the edition's content changed")
            else:
                changes.append(
                    "the edition's content changed for "
                    + ", ".join(
                        f"readers in {describe(name)} ({count:,} sent the earlier "
                        "version)"
                        for name, count in sorted(changed.items())
                    )
                )
        if stored.list_digest != new.list_digest:
            before = dict(
                self._db.execute("SELECT key, fields FROM recipients").fetchall()
            )
            now = {r.key: _fields_digest(r) for r in recipients}
            added = len(now.keys() - before.keys())
            removed = len(before.keys() - now.keys())
            edited = sum(
                1 for key in now.keys() & before.keys() if now[key] != before[key]
            )
            parts = [
                f"{number:,} {what}"
                for number, what in (
                    (added, "added"),
                    (removed, "removed"),
                    (edited, "with changed merge fields"),
                )
                if number
            ]
            changes.append(
                f"the recipient list changed ({', '.join(parts) or 'reordered'})"
            )
        return changes

    def _changed_variants(
        self, stored: Fingerprint, new: Fingerprint, variants: Mapping[str, Variant]
    ) -> dict[str, int]:
        """How many readers who have the message were sent another version, by
        the variant they would get now."""
        whole = Variant("", new.edition_digest)
        changed: dict[str, int] = {}
        with self._mutex:
            rows = self._db.execute(
                f"SELECT key, variant_digest FROM recipients WHERE state IN {_RECEIVED}"
            ).fetchall()
        for key, digest in rows:
            now = variants.get(key, whole)
            if (digest or stored.edition_digest) != now.digest:
                changed[now.name] = changed.get(now.name, 0) + 1
        return changed

    def audience_counts(self) -> dict[str, dict[State, int]]:
        """How many readers in each audience are in each state (``""``: in no audience).

        A reader in two audiences is counted in both.
        """
        with self._mutex:
            if not self._has_column("audiences"):
                return {}
            rows = self._db.execute(
                "SELECT audiences, state, count(*) FROM recipients "
                "GROUP BY audiences, state"
            ).fetchall()
        found: dict[str, dict[State, int]] = {}
        for audiences, state, count in rows:
            for name in audiences.split("; ") if audiences else [""]:
                counts = found.setdefault(name, dict.fromkeys(State, 0))
                counts[State(state)] += count
        return dict(sorted(found.items()))

    def variant_of(self, key: str) -> str | None:
        """The name of the variant the reader with ``key`` got (or gets); None: not listed."""
        with self._mutex:
            column = "variant" if self._has_column("variant") else "''"
            row = self._db.execute(
                f"SELECT {column} FROM recipients WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else str(row[0])

    def _has_column(self, name: str) -> bool:
        """Whether the recipients table has ``name`` (not in a journal of schema 2 read as it is)."""
        columns = self._db.execute("PRAGMA table_info(recipients)").fetchall()
        return any(column[1] == name for column in columns)

    # -- states ------------------------------------------------------------

    def entries(self, *states: State) -> list[Entry]:
        """The recipients in ``states`` (all when none given), in list order."""
        query = f"SELECT {_ENTRY_COLUMNS} FROM recipients"
        if states:
            query += f" WHERE state IN ({', '.join('?' * len(states))})"
        query += " ORDER BY row, key"
        with self._mutex:
            rows = self._db.execute(query, [str(s) for s in states]).fetchall()
        return [_entry(row) for row in rows]

    def keys(self, *states: State) -> list[str]:
        """The keys of the recipients in ``states``, in list order (less to hold
        than :meth:`entries` for a list of 100,000)."""
        query = (
            f"SELECT key FROM recipients WHERE state IN ({', '.join('?' * len(states))})"
            " ORDER BY row, key"
        )
        with self._mutex:
            return [key for (key,) in self._db.execute(query, [str(s) for s in states])]

    def counts(self) -> dict[State, int]:
        """How many recipients are in each state."""
        with self._mutex:
            found = dict(
                self._db.execute(
                    "SELECT state, count(*) FROM recipients GROUP BY state"
                ).fetchall()
            )
        return {state: found.get(str(state), 0) for state in State}

    def sent_times(self, since: float) -> list[float]:
        """When messages went (final dot sent) after ``since``, for rate limits."""
        return [
            when
            for (when,) in self._db.execute(
                "SELECT sent_at FROM recipients WHERE sent_at > ?", (since,)
            )
        ]

    def sending(self, key: str, message_id: str, when: float) -> None:
        """Just before the final dot: from here the server may have the message.

        The one durable write per message (``synchronous=FULL``): it also makes
        every earlier write durable (see the module's notes).
        """
        with self._mutex:
            self._sync(durable=True)
            try:
                self._set(
                    key,
                    "state = 'sending', attempts = attempts + 1, message_id = ?, "
                    "sent_at = ?, next_attempt = NULL",
                    message_id,
                    when,
                )
            finally:
                self._sync(durable=False)

    def _sync(self, *, durable: bool) -> None:
        """Commit the next writes with ``fsync`` (``durable``) or without."""
        if durable != self._durable and self.path != Path(":memory:"):
            mode = "FULL" if durable else "NORMAL"
            self._db.execute(f"PRAGMA synchronous = {mode}")
        self._durable = durable

    # -- runs ----------------------------------------------------------------

    def start_run(self) -> Run:
        """Record that a run starts now; return it (its tag names it)."""
        import secrets

        now = _now()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        tag = f"{stamp}-{secrets.token_hex(2)}"
        cursor = self._db.execute(
            "INSERT INTO runs (tag, started) VALUES (?, ?)", (tag, now)
        )
        assert cursor.lastrowid is not None
        return Run(cursor.lastrowid, tag, now, None, None, "", None, "", 0)

    def end_run(
        self,
        run: Run,
        outcome: str,
        *,
        reason: str = "",
        address: str | None = None,
        reply: str = "",
        sent: int = 0,
    ) -> None:
        """Record how ``run`` ended (``outcome`` is one of :data:`OUTCOMES`)."""
        if outcome not in OUTCOMES:
            raise SendError(f"unknown run outcome {outcome!r}")
        with self._mutex:
            self._sync(durable=True)  # and with it every write of the run
            try:
                self._db.execute(
                    "UPDATE runs SET ended = ?, outcome = ?, reason = ?, address = ?, "
                    "reply = ?, sent = ? WHERE id = ?",
                    (
                        _now(),
                        outcome,
                        printable(reason),
                        address,
                        printable(reply),
                        sent,
                        run.id,
                    ),
                )
            finally:
                self._sync(durable=False)

    def runs(self) -> list[Run]:
        """Every run, oldest first (none in a journal of schema 1, read-only)."""
        if not self._has_runs():
            return []
        return [
            Run(*row)
            for row in self._db.execute(
                "SELECT id, tag, started, ended, outcome, reason, address, reply, sent "
                "FROM runs ORDER BY id"
            )
        ]

    def _has_runs(self) -> bool:
        found = self._db.execute(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'runs'"
        ).fetchone()[0]
        return bool(found)

    def sent(self, key: str, reply: str) -> None:
        """The server took the message."""
        self._set(key, "state = 'sent', reply = ?", printable(reply))

    def in_doubt(self, key: str, reason: str) -> None:
        """The connection went after the final dot: never sent again unasked."""
        self._set(key, "state = 'in doubt', reply = ?", printable(reason))

    def deferred(
        self, key: str, reply: str, next_attempt: float | None, *, tried: bool
    ) -> None:
        """Refused for now; try again at ``next_attempt`` (None: in the next run).

        ``tried`` counts an attempt that stopped before the final dot.
        """
        self._set(
            key,
            "state = 'deferred', reply = ?, next_attempt = ?"
            + (", attempts = attempts + 1" if tried else ""),
            printable(reply),
            next_attempt,
        )

    def failed(self, key: str, reply: str, *, tried: bool = True) -> None:
        """Refused for good."""
        self._set(
            key,
            "state = 'failed', reply = ?, next_attempt = NULL"
            + (", attempts = attempts + 1" if tried else ""),
            printable(reply),
        )

    def pending(self, key: str, reply: str = "") -> None:
        """Back to the queue (e.g. an in-doubt recipient the editor chose to resend).

        ``reply`` says why, e.g. the reply a run stopped on at this reader.
        """
        self._set(
            key, "state = 'pending', next_attempt = NULL, reply = ?", printable(reply)
        )

    def note(self, key: str, reply: str) -> None:
        """Keep ``reply`` as why this reader stands where it does; the state stays."""
        self._set(key, "reply = ?", printable(reply))

    def _set(self, key: str, assignments: str, *values: object) -> None:
        with self._mutex:
            cursor = self._db.execute(
                f"UPDATE recipients SET {assignments}, changed = ? WHERE key = ?",
                (*values, _now(), key),
            )
        if cursor.rowcount != 1:
            raise SendError(f"{self.path}: {key} is not in this journal")

    # -- internals -----------------------------------------------------------

    def _recover(self) -> None:
        """A "sending" row means a run died after the final dot: in doubt; a
        run that never ended was killed."""
        self._db.execute(
            "UPDATE runs SET ended = ?, outcome = 'killed', reason = ? "
            "WHERE ended IS NULL",
            (
                _now(),
                "the run ended without a word (killed, or the computer stopped); "
                "the journal kept everyone's place",
            ),
        )
        self._db.execute(
            "UPDATE recipients SET state = 'in doubt', reply = ?, changed = ? "
            "WHERE state = 'sending'",
            (
                "the run stopped after the message was handed to the server, before "
                "its answer was recorded",
                _now(),
            ),
        )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


_ENTRY_COLUMNS = "key, address, row, state, attempts, reply, next_attempt, message_id, sent_at, changed"


def _entry(row: Sequence[object]) -> Entry:
    values = list(row)
    values[3] = State(str(values[3]))
    if isinstance(values[5], str):  # a reply stored by an older bulletin, unclean
        values[5] = printable(values[5])
    return Entry(*values)  # type: ignore[arg-type]  # the columns' types, in order


def _fields_digest(recipient: Recipient) -> str:
    fields: Mapping[str, str] = recipient.fields
    text = json.dumps(sorted(fields.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:80]


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
