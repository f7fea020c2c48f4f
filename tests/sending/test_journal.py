"""The send journal, on real SQLite files: its schema, its lock and every state.

Each test makes its own journal in ``tmp_path`` and looks at it the way a later
run would: through :class:`~bulletin.sending.journal.Journal`, and where it matters
through a plain ``sqlite3`` connection of its own, so what is checked is what
is on the disk.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from bulletin.errors import JournalConflictError, SendError
from bulletin.files import user_state_root
from bulletin.mail.recipients import Recipient
from bulletin.sending import journal as journal_module
from bulletin.sending.journal import (
    SCHEMA_VERSION,
    Entry,
    Fingerprint,
    Journal,
    State,
    journal_path,
    list_digest,
)

ANN = Recipient("ann@example.org", {"first_name": "Ann"}, row=2)
BOB = Recipient("Bob@example.org", {"first_name": "Bob"}, row=3)
CAT = Recipient("cat@example.org", {"first_name": "Cat"}, row=4)
DAN = Recipient("dan@example.org", {"first_name": "Dan"}, row=5)
EVE = Recipient("eve@example.org", {"first_name": "Eve"}, row=6)
EVERYONE = (ANN, BOB, CAT, DAN)


# Helpers ----------------------------------------------------------------------


def fingerprint(
    recipients: Sequence[Recipient] = EVERYONE,
    *,
    subject: str = "News - January 2025",
    edition_digest: str = "edition-1",
) -> Fingerprint:
    return Fingerprint(
        edition="edition.md",
        subject=subject,
        edition_digest=edition_digest,
        list="readers.csv",
        list_digest=list_digest(recipients),
    )


def states(journal: Journal) -> dict[str, State]:
    return {entry.key: entry.state for entry in journal.entries()}


def entry(journal: Journal, key: str) -> Entry:
    found = [each for each in journal.entries() if each.key == key]
    assert len(found) == 1, f"{key} is not in the journal once"
    return found[0]


def pragma(path: Path, name: str) -> object:
    """A PRAGMA as another process would see it (a connection of its own)."""
    with sqlite3.connect(path) as db:
        value = db.execute(f"PRAGMA {name}").fetchone()[0]
    db.close()
    return value


def lock_is_free(path: Path) -> bool:
    lock = FileLock(str(path) + ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return False
    lock.release()
    return True


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "journals" / "news" / "january.sqlite3"


@pytest.fixture
def journal(path: Path) -> Iterator[Journal]:
    """A journal begun for EVERYONE, with CAT suppressed."""
    with Journal.open(path) as opened:
        opened.begin(fingerprint(), EVERYONE, [CAT.key])
        yield opened


# The file: schema version, WAL, refusals --------------------------------------------


def test_a_new_journal_has_the_schema_version_and_is_in_wal_mode(path: Path) -> None:
    with Journal.open(path) as journal:
        assert path.is_file()
        assert pragma(path, "user_version") == SCHEMA_VERSION
        assert pragma(path, "journal_mode") == "wal"
        # synchronous is a setting of the connection, so ask the journal's own.
        synchronous = journal._db.execute("PRAGMA synchronous").fetchone()[0]
        # NORMAL: a commit survives a killed process; "sending" alone waits
        # for the disk, and takes every earlier commit with it.
        assert synchronous == 1
        assert journal.fingerprint is None
        assert journal.entries() == []


def test_only_sending_and_the_end_of_a_run_wait_for_the_disk(journal: Journal) -> None:
    statements: list[str] = []
    journal._db.set_trace_callback(statements.append)
    run = journal.start_run()
    journal.sending(ANN.key, "<1@example.org>", 1.0)
    journal.sent(ANN.key, "250 OK")
    journal.end_run(run, "finished")
    journal._db.set_trace_callback(None)
    shown = [
        "FULL"
        if "synchronous = FULL" in s
        else "NORMAL"
        if "synchronous = NORMAL" in s
        else s.split()[0] + (" sending" if "'sending'" in s else "")
        for s in statements
    ]
    assert shown == [
        "INSERT",
        "FULL",
        "UPDATE sending",
        "NORMAL",
        "UPDATE",
        "FULL",
        "UPDATE",
        "NORMAL",
    ]
    synchronous = journal._db.execute("PRAGMA synchronous").fetchone()[0]
    assert synchronous == 1


def test_reopening_an_existing_journal_keeps_it(journal: Journal, path: Path) -> None:
    before = journal.entries()
    journal.close()
    with Journal.open(path) as again:
        assert again.entries() == before
        assert again.fingerprint is not None
        assert again.fingerprint.list_digest == list_digest(EVERYONE)
    assert pragma(path, "user_version") == SCHEMA_VERSION


def test_a_journal_from_a_newer_bulletin_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SendError, match="newer bulletin") as opening:
        Journal.open(path)
    assert str(path) in str(opening.value)
    assert f"schema {SCHEMA_VERSION + 1}" in str(opening.value)
    with pytest.raises(SendError, match="newer bulletin"):
        Journal.read(path)
    assert pragma(path, "user_version") == SCHEMA_VERSION + 1
    assert lock_is_free(path), "a refused open must let go of the lock"


def test_an_sqlite_file_that_is_not_a_journal_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE contacts (email TEXT)")
        db.execute("INSERT INTO contacts VALUES ('ann@example.org')")
    db.close()
    with pytest.raises(SendError, match="is not a bulletin journal"):
        Journal.open(path)
    with pytest.raises(SendError, match="is not a bulletin journal"):
        Journal.read(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT email FROM contacts").fetchall() == [
            ("ann@example.org",)
        ]
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_schema")}
    db.close()
    assert tables == {"contacts"}
    assert pragma(path, "user_version") == 0
    assert lock_is_free(path)


def test_refusing_a_foreign_sqlite_file_leaves_its_journal_mode_alone(
    path: Path,
) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE contacts (email TEXT)")
    db.close()
    assert pragma(path, "journal_mode") == "delete"
    with pytest.raises(SendError, match="is not a bulletin journal"):
        Journal.open(path)
    assert pragma(path, "journal_mode") == "delete"


def test_a_text_file_is_refused_and_left_as_it_was(path: Path) -> None:
    path.parent.mkdir(parents=True)
    text = "email,first_name\nann@example.org,Ann\n" * 40
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SendError, match="cannot be used as a journal") as opening:
        Journal.open(path)
    assert str(path) in str(opening.value)
    with pytest.raises(SendError, match="cannot be used as a journal"):
        Journal.read(path)
    assert path.read_text(encoding="utf-8") == text
    assert lock_is_free(path)


def test_reading_a_missing_journal_says_so_and_makes_nothing(path: Path) -> None:
    with pytest.raises(SendError, match="no journal at") as reading:
        Journal.read(path)
    assert str(path) in str(reading.value)
    assert not path.exists()
    assert not path.parent.exists()


# The lock ---------------------------------------------------------------------------


def test_a_second_open_of_the_same_journal_is_refused_until_the_first_closes(
    journal: Journal, path: Path
) -> None:
    before = journal.entries()
    with pytest.raises(SendError, match="another bulletin send is using") as second:
        Journal.open(path)
    assert str(path) in str(second.value)
    journal.sent(ANN.key, "250 2.0.0 OK")  # the first is not disturbed
    assert entry(journal, ANN.key).state is State.SENT
    journal.close()
    with Journal.open(path) as third:
        assert [e.key for e in third.entries()] == [e.key for e in before]
        assert entry(third, ANN.key).state is State.SENT


def test_a_lock_held_by_something_else_refuses_the_journal(path: Path) -> None:
    path.parent.mkdir(parents=True)
    other = FileLock(str(path) + ".lock", timeout=0)
    other.acquire()
    try:
        with pytest.raises(SendError, match="another bulletin send"):
            Journal.open(path)
        assert not path.exists(), "nothing is created while another run holds it"
    finally:
        other.release()
    with Journal.open(path) as journal:
        assert journal.entries() == []


def test_read_works_while_a_send_holds_the_journal(
    journal: Journal, path: Path
) -> None:
    with Journal.read(path) as reader:
        assert states(reader) == states(journal)
        journal.sending(ANN.key, "<1@example.org>", 1000.0)
        journal.sent(ANN.key, "250 2.0.0 OK")
        assert entry(reader, ANN.key).state is State.SENT
        assert reader.counts()[State.SENT] == 1
        # A transaction the writer has not committed is not seen.
        journal._db.execute("BEGIN IMMEDIATE")
        journal._db.execute("UPDATE recipients SET state = 'failed'")
        assert entry(reader, BOB.key).state is State.PENDING
        journal._db.execute("ROLLBACK")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader._db.execute("UPDATE recipients SET state = 'failed'")
    assert entry(journal, BOB.key).state is State.PENDING
    with pytest.raises(SendError, match="another bulletin send"):
        Journal.open(path)  # reading never took the lock from the writer


# begin: the first run, and the same run again ---------------------------------------


def test_begin_records_everyone_pending_and_the_suppressed_as_such(
    path: Path,
) -> None:
    with Journal.open(path) as journal:
        changes = journal.begin(fingerprint(), EVERYONE, [CAT.key])
        assert changes == []
        assert states(journal) == {
            "ann@example.org": State.PENDING,
            "bob@example.org": State.PENDING,
            "cat@example.org": State.SUPPRESSED,
            "dan@example.org": State.PENDING,
        }
        bob = entry(journal, "bob@example.org")
        assert (bob.address, bob.row, bob.attempts, bob.reply) == (
            "Bob@example.org",
            3,
            0,
            "",
        )
        assert (bob.next_attempt, bob.message_id, bob.sent_at) == (None, None, None)
        assert [e.row for e in journal.entries()] == [2, 3, 4, 5]
        stored = journal.fingerprint
        assert stored is not None
        assert stored.edition_digest == "edition-1"
        assert stored.subject == "News - January 2025"
        assert stored.list_digest == list_digest(EVERYONE)
        assert stored.started  # ISO 8601, when it began
        counted = journal.counts()
        assert counted[State.PENDING] == 3
        assert counted[State.SUPPRESSED] == 1
        assert set(counted) == set(State)
        assert sum(counted.values()) == 4


def test_beginning_again_with_the_same_fingerprint_changes_nothing(
    journal: Journal,
) -> None:
    journal.sending(ANN.key, "<a@example.org>", 1000.0)
    journal.sent(ANN.key, "250 2.0.0 OK")
    journal.deferred(BOB.key, "451 4.3.0 later", 2000.0, tried=True)
    before = journal.entries()
    stored = journal.fingerprint
    assert journal.begin(fingerprint(), EVERYONE, [CAT.key]) == []
    assert journal.entries() == before
    assert journal.fingerprint == stored


def test_list_digest_ignores_order_but_not_merge_fields() -> None:
    assert list_digest([ANN, BOB]) == list_digest([BOB, ANN])
    renamed = Recipient("ann@example.org", {"first_name": "Annie"}, row=2)
    assert list_digest([renamed, BOB]) != list_digest([ANN, BOB])
    assert list_digest([ANN]) != list_digest([ANN, BOB])


# begin: a changed edition or list -----------------------------------------------------


def _send_ann(journal: Journal) -> None:
    """Ann has the edition: a change is now a change for her."""
    journal.sending(ANN.key, "<a@example.org>", 1000.0)
    journal.sent(ANN.key, "250 2.0.0 OK")


def test_a_changed_subject_is_refused_saying_what_it_was_and_is(
    journal: Journal,
) -> None:
    _send_ann(journal)
    before, stored = journal.entries(), journal.fingerprint
    changed = fingerprint(subject="News - February 2025", edition_digest="edition-2")
    with pytest.raises(JournalConflictError) as refusal:
        journal.begin(changed, EVERYONE, [CAT.key])
    message = str(refusal.value)
    assert "subject was 'News - January 2025', now 'News - February 2025'" in message
    assert refusal.value.changes == (
        "the edition changed (its subject was 'News - January 2025', now "
        "'News - February 2025')",
    )
    assert "--" not in message  # the library names no command-line option
    assert "Nothing was sent" in message
    assert "\n" not in message
    assert journal.entries() == before
    assert journal.fingerprint == stored


def test_changed_content_under_the_same_subject_is_refused(journal: Journal) -> None:
    _send_ann(journal)
    before = journal.entries()
    with pytest.raises(
        JournalConflictError, match="the edition's content changed"
    ) as refusal:
        journal.begin(fingerprint(edition_digest="edition-2"), EVERYONE, [CAT.key])
    assert refusal.value.earlier is None
    assert "recipient list" not in str(refusal.value)
    assert journal.entries() == before


def test_a_change_nobody_has_yet_is_no_change(journal: Journal) -> None:
    """Before anyone was sent the edition, a corrected one simply goes."""
    journal.deferred(BOB.key, "451 4.3.0 later", 2000.0, tried=True)
    changes = journal.begin(
        fingerprint(edition_digest="edition-2"), EVERYONE, [CAT.key]
    )
    assert changes == []
    assert journal.fingerprint is not None
    assert journal.fingerprint.edition_digest == "edition-2"


def test_a_changed_list_is_refused_saying_how_many_were_added_removed_and_edited(
    journal: Journal,
) -> None:
    before, stored = journal.entries(), journal.fingerprint
    new_bob = Recipient("Bob@example.org", {"first_name": "Robert"}, row=3)
    # DAN removed, EVE added, BOB's first name changed.
    now = (ANN, new_bob, CAT, EVE)
    with pytest.raises(JournalConflictError) as refusal:
        journal.begin(fingerprint(now), now, [CAT.key])
    message = str(refusal.value)
    assert (
        "the recipient list changed (1 added, 1 removed, 1 with changed merge fields)"
        in message
    )
    assert "edition" not in message.split("since")[0]
    assert len(refusal.value.changes) == 1
    assert journal.entries() == before
    assert journal.fingerprint == stored


def test_only_the_kinds_of_list_change_that_happened_are_named(
    journal: Journal,
) -> None:
    now = (*EVERYONE, EVE)
    with pytest.raises(SendError, match=r"the recipient list changed \(1 added\)"):
        journal.begin(fingerprint(now), now, [CAT.key])


def test_an_edition_and_a_list_both_changed_name_both(journal: Journal) -> None:
    _send_ann(journal)
    now = (ANN, BOB, CAT)
    with pytest.raises(SendError) as refusal:
        journal.begin(fingerprint(now, edition_digest="edition-2"), now, [CAT.key])
    message = str(refusal.value)
    assert "the edition's content changed" in message
    assert "the recipient list changed (1 removed)" in message


def test_allow_changed_carries_on_and_brings_the_journal_up_to_date(
    journal: Journal,
) -> None:
    journal.sending(ANN.key, "<a@example.org>", 1000.0)
    journal.sent(ANN.key, "250 2.0.0 OK")
    journal.deferred(BOB.key, "451 4.3.0 later", 2000.0, tried=True)
    started = journal.fingerprint.started if journal.fingerprint else ""
    # ANN (sent), BOB (deferred) and DAN (pending) are removed; EVE is added.
    now = (CAT, EVE)
    new = fingerprint(now, edition_digest="edition-2")
    changes = journal.begin(new, now, [CAT.key], allow_changed=True)
    assert changes == [
        "the edition's content changed",
        "the recipient list changed (1 added, 3 removed)",
    ]
    assert states(journal) == {
        "ann@example.org": State.SENT,  # kept: it was sent
        "cat@example.org": State.SUPPRESSED,
        "eve@example.org": State.PENDING,
    }
    assert entry(journal, ANN.key).reply == "250 2.0.0 OK"
    stored = journal.fingerprint
    assert stored is not None
    assert stored.edition_digest == "edition-2"
    assert stored.list_digest == list_digest(now)
    assert stored.started == started, "the first run's date is kept"
    # The new state is the one compared with next time.
    assert journal.begin(new, now, [CAT.key]) == []


def test_allow_changed_keeps_failed_and_in_doubt_recipients_who_were_removed(
    journal: Journal,
) -> None:
    journal.failed(ANN.key, "550 5.1.1 no such user")
    journal.sending(BOB.key, "<b@example.org>", 1000.0)
    journal.in_doubt(BOB.key, "connection lost after the dot")
    now = (CAT, DAN)
    journal.begin(fingerprint(now), now, [CAT.key], allow_changed=True)
    assert states(journal) == {
        "ann@example.org": State.FAILED,
        "bob@example.org": State.IN_DOUBT,
        "cat@example.org": State.SUPPRESSED,
        "dan@example.org": State.PENDING,
    }


def test_changed_merge_fields_of_a_pending_recipient_are_taken_on(
    journal: Journal,
) -> None:
    new_dan = Recipient("dan@example.org", {"first_name": "Daniel"}, row=9)
    now = (ANN, BOB, CAT, new_dan)
    changes = journal.begin(fingerprint(now), now, [CAT.key], allow_changed=True)
    assert changes == ["the recipient list changed (1 with changed merge fields)"]
    dan = entry(journal, DAN.key)
    assert (dan.state, dan.row) == (State.PENDING, 9)
    # The stored fields are the new ones: the same list again is no change.
    assert journal.begin(fingerprint(now), now, [CAT.key]) == []


def test_a_recipient_taken_off_the_suppression_list_becomes_pending(
    journal: Journal,
) -> None:
    assert entry(journal, CAT.key).state is State.SUPPRESSED
    # The suppression list is not the recipient list: no change to allow.
    assert journal.begin(fingerprint(), EVERYONE, []) == []
    assert entry(journal, CAT.key).state is State.PENDING


def test_a_newly_suppressed_recipient_is_not_sent_unless_already_sent(
    journal: Journal,
) -> None:
    journal.sending(ANN.key, "<a@example.org>", 1000.0)
    journal.sent(ANN.key, "250 2.0.0 OK")
    journal.deferred(BOB.key, "451 4.3.0 later", 2000.0, tried=True)
    journal.begin(fingerprint(), EVERYONE, [ANN.key, BOB.key, CAT.key, DAN.key])
    assert states(journal) == {
        "ann@example.org": State.SENT,
        "bob@example.org": State.SUPPRESSED,
        "cat@example.org": State.SUPPRESSED,
        "dan@example.org": State.SUPPRESSED,
    }


# States --------------------------------------------------------------------------------


def test_sending_then_sent_records_the_attempt_message_id_and_reply(
    journal: Journal,
) -> None:
    journal.sending(ANN.key, "<ann@example.org>", 1736931600.5)
    ann = entry(journal, ANN.key)
    assert ann.state is State.SENDING
    assert (ann.attempts, ann.message_id, ann.sent_at) == (
        1,
        "<ann@example.org>",
        1736931600.5,
    )
    journal.sent(ANN.key, "250 2.0.0 Ok: queued as 1234")
    ann = entry(journal, ANN.key)
    assert (ann.state, ann.reply, ann.attempts) == (
        State.SENT,
        "250 2.0.0 Ok: queued as 1234",
        1,
    )
    assert ann.message_id == "<ann@example.org>"
    assert journal.entries(State.SENT) == [ann]
    waiting = journal.entries(State.PENDING, State.SENDING)
    assert [e.key for e in waiting] == [BOB.key, DAN.key]


def test_deferred_counts_an_attempt_only_when_tried(journal: Journal) -> None:
    journal.deferred(BOB.key, "450 4.2.0 mailbox busy", 5000.0, tried=True)
    bob = entry(journal, BOB.key)
    assert (bob.state, bob.reply, bob.next_attempt, bob.attempts) == (
        State.DEFERRED,
        "450 4.2.0 mailbox busy",
        5000.0,
        1,
    )
    journal.deferred(BOB.key, "421 4.3.2 closing", 6000.0, tried=False)
    bob = entry(journal, BOB.key)
    assert (bob.reply, bob.next_attempt, bob.attempts) == (
        "421 4.3.2 closing",
        6000.0,
        1,
    )
    # Trying again clears the time of the next attempt.
    journal.sending(BOB.key, "<bob@example.org>", 7000.0)
    bob = entry(journal, BOB.key)
    assert (bob.state, bob.next_attempt, bob.attempts) == (State.SENDING, None, 2)


def test_failed_counts_an_attempt_unless_told_and_clears_the_next_attempt(
    journal: Journal,
) -> None:
    journal.deferred(BOB.key, "450 4.2.0 busy", 5000.0, tried=True)
    journal.failed(BOB.key, "550 5.1.1 no such user")
    bob = entry(journal, BOB.key)
    assert (bob.state, bob.reply, bob.next_attempt, bob.attempts) == (
        State.FAILED,
        "550 5.1.1 no such user",
        None,
        2,
    )
    journal.failed(DAN.key, "cannot deliver (no SMTPUTF8)", tried=False)
    assert entry(journal, DAN.key).attempts == 0


def test_in_doubt_then_pending_for_a_resend(journal: Journal) -> None:
    journal.sending(DAN.key, "<dan@example.org>", 3000.0)
    journal.in_doubt(DAN.key, "connection lost after the final dot")
    dan = entry(journal, DAN.key)
    assert (dan.state, dan.reply, dan.attempts) == (
        State.IN_DOUBT,
        "connection lost after the final dot",
        1,
    )
    journal.pending(DAN.key)
    dan = entry(journal, DAN.key)
    assert (dan.state, dan.next_attempt) == (State.PENDING, None)
    assert dan.message_id == "<dan@example.org>", "a resend keeps its Message-ID"


def test_pending_clears_the_next_attempt_of_a_deferred_recipient(
    journal: Journal,
) -> None:
    journal.deferred(BOB.key, "451 4.3.0 later", 5000.0, tried=True)
    journal.pending(BOB.key)
    bob = entry(journal, BOB.key)
    assert (bob.state, bob.next_attempt, bob.attempts) == (State.PENDING, None, 1)


def test_every_change_of_state_is_on_the_disk_at_once(
    journal: Journal, path: Path
) -> None:
    journal.sending(ANN.key, "<a@example.org>", 1000.0)
    journal.sent(ANN.key, "250 OK")
    journal.failed(BOB.key, "550 5.1.1 no such user")
    with sqlite3.connect(path) as db:
        found = dict(db.execute("SELECT key, state FROM recipients"))
    db.close()
    assert found == {
        "ann@example.org": "sent",
        "bob@example.org": "failed",
        "cat@example.org": "suppressed",
        "dan@example.org": "pending",
    }


def test_a_key_not_in_the_journal_is_an_error(journal: Journal) -> None:
    with pytest.raises(SendError, match=r"eve@example\.org is not in this journal"):
        journal.sent(EVE.key, "250 OK")
    assert EVE.key not in states(journal)


def test_the_state_changed_time_is_recorded(journal: Journal) -> None:
    journal.sent(ANN.key, "250 OK")
    changed = entry(journal, ANN.key).changed
    assert changed[:4].isdigit()
    assert "T" in changed


def test_a_row_left_sending_is_in_doubt_when_the_journal_is_next_opened(
    journal: Journal, path: Path
) -> None:
    journal.sending(ANN.key, "<a@example.org>", 1000.0)
    journal.sending(BOB.key, "<b@example.org>", 1001.0)
    journal.sent(BOB.key, "250 OK")
    journal.close()  # as if the process had died after ANN's final dot
    with Journal.read(path) as reader:
        assert entry(reader, ANN.key).state is State.SENDING  # reading changes nothing
    with Journal.open(path) as again:
        ann = entry(again, ANN.key)
        assert ann.state is State.IN_DOUBT
        assert "before its answer was recorded" in ann.reply
        assert (ann.message_id, ann.sent_at, ann.attempts) == (
            "<a@example.org>",
            1000.0,
            1,
        )
        assert entry(again, BOB.key).state is State.SENT
        assert again.counts()[State.SENDING] == 0
    with Journal.read(path) as reader:
        assert entry(reader, ANN.key).state is State.IN_DOUBT


def test_sent_times_are_those_after_the_given_moment(journal: Journal) -> None:
    assert journal.sent_times(0.0) == []
    journal.sending(ANN.key, "<a@example.org>", 1000.0)
    journal.sent(ANN.key, "250 OK")
    journal.sending(BOB.key, "<b@example.org>", 2000.0)
    journal.in_doubt(BOB.key, "lost")
    journal.deferred(DAN.key, "450 later", 9000.0, tried=True)  # no dot: no time
    assert sorted(journal.sent_times(0.0)) == [1000.0, 2000.0]
    assert journal.sent_times(1000.0) == [2000.0]
    assert journal.sent_times(2000.0) == []


# Where journals live --------------------------------------------------------------------


def test_journal_path_is_by_list_and_edition_file_under_the_state_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(tmp_path / "state"))
    edition = tmp_path / "news-january-2025.md"
    path = journal_path("newsletter.example.org", edition)
    assert path.parent == tmp_path / "state" / "journals" / "newsletter.example.org"
    assert path.name.startswith("news-january-2025-")
    assert path.suffix == ".sqlite3"
    assert journal_path(None, edition).parent.name == "no-list-id"
    assert journal_path("list", tmp_path / "---.md").name.startswith("edition-")


def test_the_same_file_has_the_same_journal_however_it_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert journal_path("l", Path("../edition.md")) == journal_path(
        "l", tmp_path / "edition.md"
    )


@pytest.mark.parametrize(
    ("list_id", "stem"),
    [
        ("../../etc", "passwd"),
        ("news/letter", "outside"),
        ("news\\letter", "C:\\Windows\\x"),
        ("Ünïcode list", 'Ça va? *yes* <no> | "quoted"'),
        ("news:letter", "a b"),
        ("news letter", "." * 5 + "hidden"),
        ("x" * 300, "y" * 200),
        ("..", "january"),
    ],
)
def test_odd_characters_in_the_list_id_or_file_name_are_made_safe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, list_id: str, stem: str
) -> None:
    root = tmp_path / "state"
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(root))
    path = journal_path(list_id, tmp_path / f"{stem}.md")
    assert path.parent.parent == root / "journals"
    assert path.suffix == ".sqlite3"
    for name in (path.parent.name, path.name):
        assert name
        assert not name.startswith(".")
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name), name
        assert len(name) <= 80 + len("-0123456789.sqlite3")
    # The path works: a journal can be made there.
    with Journal.open(path) as journal:
        assert journal.path == path
    assert path.is_file()
    assert path.resolve().is_relative_to(root.resolve())


def test_different_lists_and_editions_get_different_journals(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(tmp_path))
    (tmp_path / "elsewhere").mkdir()
    paths = {
        journal_path("news.example.org", tmp_path / "january.md"),
        journal_path("news.example.org", tmp_path / "february.md"),
        journal_path("news.example.org", tmp_path / "elsewhere" / "january.md"),
        journal_path("staff.example.org", tmp_path / "january.md"),
    }
    assert len(paths) == 4


def test_user_state_root_honours_bulletin_state_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert user_state_root() == tmp_path / "mine"
    assert journal_module.journal_path("l", Path("s.md")).is_relative_to(
        tmp_path / "mine"
    )


@pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="XDG applies on Linux and other Unix"
)
def test_user_state_root_follows_xdg_state_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BULLETIN_STATE_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert user_state_root() == tmp_path / "xdg" / "bulletin"
    # An empty BULLETIN_STATE_DIR is as good as none.
    monkeypatch.setenv("BULLETIN_STATE_DIR", "")
    assert user_state_root() == tmp_path / "xdg" / "bulletin"


@pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="XDG applies on Linux and other Unix"
)
def test_user_state_root_defaults_to_local_state_in_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BULLETIN_STATE_DIR", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_state_root() == tmp_path / ".local" / "state" / "bulletin"
