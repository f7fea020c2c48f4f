"""Issue 14, replies: what each reply of a real server does to a reader and a run.

Against the real test server (tests/smtpserver.py), through the same bench as
tests/sending/test_delivery.py: only an unambiguous mailbox verdict suppresses;
a relay refusing everyone is caught after the first readers and suppresses
nobody; per-reader replies after the data let the run go on; the journal keeps
each run's outcome; long waits close the connection and keep the real reply;
a login that never answers times out once.
"""

# Fixtures are imported from the neighbouring test module, and named as
# parameters of the tests that use them (pytest's way): not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import SuppressionList, run_of
from bulletin.sending.journal import SCHEMA_VERSION, Journal, State
from bulletin.sending.replies import Attempt, Reply, Verdict, judge
from tests.sending.test_delivery import (  # noqa: F401 (bench, make_bench: fixtures)
    ANN,
    BOB,
    CAT,
    DAN,
    EVE,
    FAST,
    FIVE,
    THREE,
    WAIT,
    Bench,
    Recorder,
    bench,
    make_bench,
    no_sessions_open,
)

EIGHT = (*FIVE, "fay@example.org", "gus@example.org", "hal@example.org")


# 1. Only an unambiguous mailbox verdict suppresses ---------------------------------


@pytest.mark.parametrize(
    ("stage", "reply", "verdict"),
    [
        ("rcpt", "550 5.1.1 No such user", Verdict.BOUNCED),
        ("rcpt", "550 5.1.2 Bad destination system", Verdict.BOUNCED),
        ("rcpt", "550 5.1.10 Null MX", Verdict.BOUNCED),
        ("rcpt", "550 5.1.6 Mailbox moved", Verdict.BOUNCED),
        ("rcpt", "550 relay not permitted", Verdict.REFUSED),
        ("rcpt", "553 sorry, that domain isn't in my list", Verdict.REFUSED),
        ("rcpt", "550 5.7.1 Delivery not authorized", Verdict.REFUSED),
        ("rcpt", "550 5.1.0 Address rejected", Verdict.REFUSED),
        ("rcpt", "550 5.2.1 Mailbox disabled", Verdict.FAILED),
        ("rcpt", "550 5.1.8 Sender address rejected", None),
        ("rcpt", "553 5.1.7 Bad sender address syntax", None),
        ("rcpt", "554 5.7.1 Relay access denied", None),
        ("end", "552 5.2.2 Mailbox full", Verdict.FAILED),
        ("end", "452 4.2.2 Mailbox full", Verdict.DEFERRED),
        ("end", "550 5.1.1 No such user", Verdict.BOUNCED),
        ("end", "552 5.3.4 Message too big", None),
        ("end", "554 5.7.1 Message refused as spam", None),
        ("mail", "550 5.1.1 No such user", None),
    ],
)
def test_judge_suppresses_only_on_a_mailbox_verdict(
    stage: str, reply: str, verdict: Verdict | None
) -> None:
    code, text = reply.split(" ", 1)
    assert judge(stage, Reply(int(code), text)) is verdict  # type: ignore[arg-type]  # a Stage


@pytest.mark.parametrize(
    "reply",
    [
        "550 relay not permitted",
        "553 sorry, that domain isn't in my list of allowed rcpthosts",
        "550 5.7.1 Unable to relay",
        "550 5.1.1 No such user here",
    ],
)
def test_a_relay_refusing_everyone_stops_after_five_suppressing_nobody(
    make_bench: Callable[..., Bench], reply: str
) -> None:
    bench = make_bench(EIGHT)
    bench.server.at_rcpt(None, reply)

    result = bench.run()

    assert result.stopped is not None
    assert "refused each of the first 5 readers" in result.stopped
    assert "It is the server refusing, not 5 readers gone" in result.stopped
    assert "nobody was suppressed or marked failed" in result.stopped
    assert reply in result.stopped
    assert result.stopped_at == EVE
    assert result.stop_reply == reply
    assert result.failed == []
    assert result.bounced == []
    assert [address for address, _ in result.held_back] == list(FIVE)
    assert bench.suppression_untouched()
    states = bench.states()
    assert [states[a] for a in FIVE] == [State.DEFERRED] * 5
    assert [states[a] for a in EIGHT[5:]] == [State.PENDING] * 3
    assert [bench.rcpts(a) for a in EIGHT] == [1] * 5 + [0] * 3
    assert bench.delivered() == Counter()
    with Journal.read(bench.journal) as journal:
        (run,) = journal.runs()
    assert run.outcome == "stopped"
    assert run.address == EVE
    assert run.reply == reply

    # The relay put right, the same command sends everyone.
    bench.server._faults.clear()
    again = bench.run()
    assert again.stopped is None
    assert again.sent == 8
    assert bench.delivered() == Counter(dict.fromkeys(EIGHT, 1))


def test_a_bare_550_for_one_reader_fails_them_for_this_run_only(
    bench: Bench,
) -> None:
    reply = "550 Requested action not taken: mailbox unavailable"
    fault = bench.server.at_rcpt(BOB, reply, times=1)

    result = bench.run()

    assert fault.used == 1
    assert result.stopped is None
    assert result.sent == 2
    assert result.failed == []
    assert result.bounced == []
    assert result.deferred == [(BOB, reply)]
    assert bench.states() == {ANN: State.SENT, BOB: State.DEFERRED, CAT: State.SENT}
    assert bench.entries()[BOB].next_attempt is None
    assert bench.rcpts(BOB) == 1  # not tried again in this run
    assert bench.suppression_untouched()

    again = bench.run()
    assert again.sent == 1
    assert bench.rcpts(BOB) == 2
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))


@pytest.mark.parametrize(
    "reply", ["550 5.1.8 Sender address rejected", "553 5.1.7 Bad sender syntax"]
)
def test_a_sender_side_code_at_rcpt_stops_the_run_suppressing_nobody(
    bench: Bench, reply: str
) -> None:
    bench.server.at_rcpt(BOB, reply)

    result = bench.run()

    assert result.stopped is not None
    assert "sender" in result.stopped
    assert result.stopped_at == BOB
    assert result.stop_reply == reply
    assert result.failed == []
    assert result.bounced == []
    assert bench.states() == {ANN: State.SENT, BOB: State.PENDING, CAT: State.PENDING}
    assert bench.entries()[BOB].reply == f"the run stopped here: {reply}"
    assert bench.suppression_untouched()


@pytest.mark.parametrize(
    "reply",
    [
        "550 5.1.1 No such user",
        "550 5.1.2 Bad destination system address",
        "550 5.1.10 Recipient address has null MX",
    ],
)
def test_a_mailbox_verdict_suppresses_once_the_server_accepts_another(
    bench: Bench, reply: str
) -> None:
    bench.server.at_rcpt(ANN, reply)

    result = bench.run()

    assert result.stopped is None
    assert result.bounced == [ANN]
    assert result.failed == [(ANN, reply)]
    assert bench.states() == {ANN: State.FAILED, BOB: State.SENT, CAT: State.SENT}
    entry = SuppressionList.load(bench.suppressions).get(ANN)
    assert entry is not None
    assert entry.reason == "bounced"
    assert run_of(entry) == result.run


def test_readers_refused_while_nobody_is_accepted_are_not_suppressed(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench((ANN, BOB))
    bench.server.at_rcpt(None, "550 5.1.1 No such user")

    result = bench.run()

    assert result.stopped is None
    assert result.failed == []
    assert result.bounced == []
    assert [address for address, _ in result.held_back] == [ANN, BOB]
    assert bench.states() == {ANN: State.DEFERRED, BOB: State.DEFERRED}
    assert bench.suppression_untouched()


# 2. Per-reader replies after the data --------------------------------------------


def test_a_full_mailbox_after_the_data_fails_that_reader_and_the_run_goes_on(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE)
    reply = "552 5.2.2 Mailbox full"
    bench.server.after_data(BOB, reply)

    result = bench.run()

    assert result.stopped is None
    assert result.sent == 4
    assert result.failed == [(BOB, reply)]
    assert result.bounced == []
    assert bench.states()[BOB] is State.FAILED
    assert bench.delivered() == Counter({a: 1 for a in FIVE if a != BOB})
    assert bench.suppression_untouched()

    again = bench.run()  # nobody stopped on, nothing left
    assert again.sent == 0
    assert again.stopped is None


def test_a_temporary_full_mailbox_after_the_data_defers_that_reader(
    bench: Bench,
) -> None:
    bench.server.after_data(BOB, "452 4.2.2 Mailbox full", times=1)

    result = bench.run()

    assert result.stopped is None
    assert result.sent == 3
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))


def test_content_refused_after_the_data_stops_naming_the_reader_and_reply(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE)
    reply = "554 5.7.1 Message rejected as spam"
    bench.server.after_data(CAT, reply)

    result = bench.run()

    assert result.stopped is not None
    assert result.stopped_at == CAT
    assert result.stop_reply == reply
    entries = bench.entries()
    assert entries[CAT].state is State.PENDING
    assert entries[CAT].reply == f"the run stopped here: {reply}"
    with Journal.read(bench.journal) as journal:
        (run,) = journal.runs()
    assert run.outcome == "stopped"
    assert run.address == CAT
    assert run.reply == reply
    assert run.sent == 2
    assert reply in run.reason


# 3. The journal keeps each run ----------------------------------------------------

_SCHEMA_1 = """
CREATE TABLE edition (
    id INTEGER PRIMARY KEY CHECK (id = 1), edition TEXT NOT NULL,
    subject TEXT NOT NULL, edition_digest TEXT NOT NULL, list TEXT NOT NULL,
    list_digest TEXT NOT NULL, started TEXT NOT NULL
);
CREATE TABLE recipients (
    key TEXT PRIMARY KEY, address TEXT NOT NULL, row INTEGER NOT NULL,
    fields TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('pending', 'sending', 'sent', 'deferred', 'failed', 'in doubt', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0, reply TEXT NOT NULL DEFAULT '',
    next_attempt REAL, message_id TEXT, sent_at REAL, changed TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX recipients_by_state ON recipients (state, row);
PRAGMA user_version = 1;
"""


def test_a_journal_of_schema_1_is_read_as_it_is_and_migrated_when_sent_with(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA_1)
    db.execute(
        "INSERT INTO recipients (key, address, row, fields, state, changed) "
        "VALUES ('ann@example.org', 'ann@example.org', 2, '', 'sent', 'x')"
    )
    db.commit()
    db.close()

    with Journal.read(path) as journal:
        assert journal.runs() == []
        assert journal.counts()[State.SENT] == 1
    with Journal.open(path) as journal:
        run = journal.start_run()
        journal.end_run(run, "finished", sent=0)
        assert [r.outcome for r in journal.runs()] == ["finished"]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    db.close()


def test_a_run_killed_is_recorded_as_such_by_the_next(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        journal.start_run()  # and never ended, as after a kill
    with Journal.open(path) as journal:
        (run,) = journal.runs()
    assert run.outcome == "killed"
    assert run.ended is not None


def test_a_run_stopped_on_request_is_recorded_as_interrupted(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE)
    event = threading.Event()
    progress = Recorder(on_attempt=lambda recipient, attempt: event.set())

    result = bench.run(progress=progress, stop=event)

    assert result.interrupted
    with Journal.read(bench.journal) as journal:
        (run,) = journal.runs()
    assert run.outcome == "interrupted"
    assert run.sent == 1


# 4. Long waits: a countdown, a fresh connection, the real reply -------------------


def test_a_long_retry_wait_closes_the_connection_and_says_so(
    bench: Bench,
) -> None:
    reply = "451 4.3.0 Try again later"
    bench.server.at_rcpt(BOB, reply, times=1)
    progress = Recorder()
    connection = bench.connection()
    options = dataclasses.replace(FAST, retry_delays=(0.3,), idle_close=0.1)

    result = bench.run(options, connection=connection, progress=progress)

    assert result.sent == 3
    (pause,) = progress.pauses
    assert pause[1] == "retrying 1 reader"
    assert 0 < pause[0] <= 0.3
    # Closed (QUIT) before the wait; the retry came on a new connection.
    sessions = bench.server.sessions
    assert len(sessions) == 2
    assert sessions[0].commands[-1].upper() == "QUIT"
    assert [d.session for d in bench.server.messages_for(BOB)] == [2]


def test_a_connection_dropped_while_idle_is_opened_again_keeping_the_real_reply(
    bench: Bench,
) -> None:
    reply = "451 4.3.0 Try again later"
    bench.server.at_rcpt(BOB, reply)
    server = bench.server

    def hang_up_after_bob(recipient: Recipient, attempt: Attempt) -> None:
        if recipient.address == BOB:
            server.hang_up()  # as a server does with a connection left idle

    progress = Recorder(on_attempt=hang_up_after_bob)
    options = dataclasses.replace(FAST, retry_delays=(0.1, 0.1), idle_close=WAIT)

    result = bench.run(options, progress=progress)

    # The next message found the connection gone at MAIL: opened again, and
    # nobody was deferred for it or lost their server's reply to it.
    assert result.sent == 2
    entries = bench.entries()
    assert entries[CAT].state is State.SENT
    assert entries[CAT].attempts == 1
    assert bench.rcpts(BOB) == 3
    assert result.deferred == [(BOB, reply)]
    assert entries[BOB].reply == reply
    assert progress.verdicts(BOB) == [Verdict.DEFERRED] * 3
    no_sessions_open(server)


def test_the_progress_bar_counts_a_retry_wait_down() -> None:
    from bulletin.cli.delivering import status_text

    now = time.time()
    fields = {"status": "", "until": now + 42.2, "reason": "retrying 1 reader"}
    assert status_text(fields, now) == "retrying 1 reader in 42 s"
    assert status_text(fields, now + 40) == "retrying 1 reader in 2 s"
    assert status_text({"status": "", "until": None, "reason": ""}, now) == ""


# 5. A login that never answers ----------------------------------------------------


def test_a_login_that_never_answers_times_out_once_clearly(bench: Bench) -> None:
    bench.server.stall_auth(3 * WAIT)
    began = time.monotonic()

    result = bench.run(connection=bench.connection(timeout=0.5))

    took = time.monotonic() - began
    assert result.stopped is not None
    assert "did not answer the login within 0.5 s" in result.stopped
    assert "nothing was sent" in result.stopped
    assert "cannot connect" not in result.stopped
    assert len(bench.server.sessions) == 1, "one try, not three"
    assert took < 2 * WAIT
    assert bench.states() == dict.fromkeys(THREE, State.PENDING)
    assert result.stopped_at is None
    assert DAN not in bench.states()
