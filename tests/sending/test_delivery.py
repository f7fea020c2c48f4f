"""The delivery engine against a real SMTP server with scripted faults.

Each test sends a copy of ``examples/dscp-2025-01`` to a few example.org
addresses through :func:`bulletin.sending.delivery.deliver`, an
:class:`~bulletin.sending.smtp.SmtpConnection` (STARTTLS, AUTH) and a
:class:`~bulletin.sending.journal.Journal`, with one fault scripted on the test server
(tests/smtpserver.py). Every test ends by checking every recipient twice: in
the journal (its state, reply, attempts, Message-ID) and in the server's log
(what it delivered, to whom, in which session). Retries and reconnections
wait a few hundredths of a second and the stall tests give up after half a
second, so the whole file is quick. Nothing sleeps to synchronise: the tests
wait on the server's events (a fault happened, a session closed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import select
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bulletin.commands.mailing import Mailing, prepare
from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import SuppressionList, run_note
from bulletin.sending.credentials import PasswordLogin
from bulletin.sending.delivery import (
    INTERRUPTED,
    Delivery,
    DeliveryOptions,
    begin,
    deliver,
    send_tests,
    sender_of,
)
from bulletin.sending.journal import Entry, Journal, State
from bulletin.sending.ratelimit import Cap
from bulletin.sending.smtp import Attempt, SmtpConnection, SmtpSettings, Verdict
from tests.conftest import EXAMPLES
from tests.smtpserver import Fault, SmtpServer

SECRET = "a-long-random-test-secret-0123456789"
ENVIRON = {"BULLETIN_UNSUBSCRIBE_SECRET": SECRET}

ANN = "ann@example.org"
BOB = "bob@example.org"
CAT = "cat@example.org"
DAN = "dan@example.org"
EVE = "eve@example.org"
JOSE = "josé@example.org"
THREE = (ANN, BOB, CAT)
FIVE = (ANN, BOB, CAT, DAN, EVE)

FAST = DeliveryOptions(retry_delays=(0.05, 0.1), reconnect_delay=0.05)
"""Two quick retries within a run (three tries in all), and quick reconnections."""
WAIT = 5.0
"""The longest a test waits for the server to notice something."""


# Fixtures and helpers -------------------------------------------------------------


class Recorder:
    """A Progress that notes every call, in order, and may act on each attempt."""

    def __init__(
        self,
        on_attempt: Callable[[Recipient, Attempt], None] | None = None,
        on_pause: Callable[[], None] | None = None,
    ) -> None:
        self.attempts: list[tuple[str, Attempt, float]] = []
        """(address, attempt, when) for each transaction."""
        self.pauses: list[tuple[float, str]] = []
        self.events: list[str] = []
        """"attempted", "paused" and "resumed", in the order called."""
        self.on_attempt = on_attempt
        self.on_pause = on_pause

    def attempted(self, recipient: Recipient, attempt: Attempt) -> None:
        self.attempts.append((recipient.address, attempt, time.time()))
        self.events.append("attempted")
        if self.on_attempt is not None:
            self.on_attempt(recipient, attempt)

    def paused(self, seconds: float, reason: str) -> None:
        self.pauses.append((seconds, reason))
        self.events.append("paused")
        if self.on_pause is not None:
            self.on_pause()

    def resumed(self) -> None:
        self.events.append("resumed")

    def verdicts(self, address: str) -> list[Verdict]:
        return [a.verdict for who, a, _ in self.attempts if who == address]


def begin_for(journal: Journal, mailing: Mailing) -> list[str]:
    """Begin ``journal`` as ``bulletin send`` does: named after the files."""
    return begin(
        journal,
        mailing.template,
        mailing.to_send,
        suppressed=mailing.suppressed,
        edition_name=str(mailing.source.path.resolve()),
        list_name=str(mailing.recipients.path.resolve()),
    )


@dataclass
class Bench:
    """One bulletin folder, one recipient list, one journal and one SMTP server."""

    server: SmtpServer
    folder: Path
    recipients: Path
    journal: Path
    suppressed_before: bytes = field(init=False)
    """suppressed.csv as it was before any send."""

    def __post_init__(self) -> None:
        self.suppressed_before = self.suppressions.read_bytes()

    @property
    def edition(self) -> Path:
        return self.folder / "edition.md"

    @property
    def suppressions(self) -> Path:
        return self.folder / "suppressed.csv"

    def mailing(self) -> Mailing:
        """The mailing as ``bulletin send`` prepares it (afresh for each run)."""
        mailing = prepare(self.edition, self.recipients, environ=ENVIRON)
        assert mailing.ready, mailing.problems
        return mailing

    def connection(
        self,
        *,
        timeout: float = WAIT,
        checkpoint: Callable[[str], None] | None = None,
    ) -> SmtpConnection:
        server = self.server
        settings = SmtpSettings(
            server.host,
            server.port,
            security="starttls",
            username=server.username,
            ca_file=server.ca_file,
            timeout=timeout,
            local_hostname="localhost",
        )
        login = PasswordLogin(server.username, server.password)
        return SmtpConnection(settings, login, checkpoint=checkpoint)

    def run(
        self,
        options: DeliveryOptions = FAST,
        *,
        connection: SmtpConnection | None = None,
        progress: Recorder | None = None,
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Delivery:
        """One run of ``bulletin send``: open the journal, begin it, deliver."""
        mailing = self.mailing()
        with Journal.open(self.journal) as journal:
            begin_for(journal, mailing)
            return deliver(
                mailing.template,
                mailing.to_send,
                connection or self.connection(),
                journal,
                suppressions=SuppressionList.load(mailing.suppressions),
                options=options,
                progress=progress,
                stop=stop,
                clock=clock,
            )

    def entries(self) -> dict[str, Entry]:
        """The journal's rows by address, read as ``bulletin status`` does."""
        with Journal.read(self.journal) as journal:
            return {entry.address: entry for entry in journal.entries()}

    def states(self) -> dict[str, State]:
        return {address: entry.state for address, entry in self.entries().items()}

    def counts(self) -> dict[State, int]:
        with Journal.read(self.journal) as journal:
            return {state: n for state, n in journal.counts().items() if n}

    def delivered(self) -> Counter[str]:
        """How many messages the server delivered to each address."""
        return self.server.delivered_to()

    def message_ids(self, address: str) -> list[str | None]:
        return [d.message_id for d in self.server.messages_for(address)]

    def expected_id(self, address: str) -> str:
        """The Message-ID the template gives ``address``."""
        mailing = self.mailing()
        recipient = mailing.recipients.find(address)
        assert recipient is not None
        return mailing.template.personal(recipient).message_id

    def rcpts(self, address: str) -> int:
        """How many times the client said RCPT TO for ``address``, in all sessions."""
        wanted = f"<{address}>".casefold()
        return sum(
            1
            for session in self.server.sessions
            for command in session.commands
            if command.upper().startswith("RCPT TO:") and wanted in command.casefold()
        )

    def suppression_untouched(self) -> bool:
        return self.suppressions.read_bytes() == self.suppressed_before


def write_list(path: Path, addresses: Sequence[str]) -> Path:
    lines = ["email,first_name"]
    lines += [f"{a},{a.split('@')[0].title()}" for a in addresses]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def make_bench(
    tmp_path: Path, smtp_server_factory: Callable[..., SmtpServer]
) -> Callable[..., Bench]:
    """Make a bench: a copy of the example, a list of ``addresses``, a server."""
    made = 0

    def make(addresses: Sequence[str] = THREE, **server_options: object) -> Bench:
        nonlocal made
        made += 1
        folder = tmp_path / f"dscp-{made}"
        shutil.copytree(EXAMPLES / "dscp-2025-01", folder)
        return Bench(
            server=smtp_server_factory(**server_options),
            folder=folder,
            recipients=write_list(tmp_path / f"list-{made}.csv", addresses),
            journal=tmp_path / f"journals-{made}" / "edition.sqlite3",
        )

    return make


@pytest.fixture
def bench(make_bench: Callable[..., Bench]) -> Bench:
    """Three recipients (ann, bob, cat) and a server requiring STARTTLS and AUTH."""
    return make_bench()


def exhaust(fault: Fault) -> None:
    """Let a fault scripted for ever happen no more (for the next run)."""
    fault.times = max(fault.used, 1)


def in_first_try_of(server: SmtpServer, address: str) -> bool:
    """Whether the transaction under way (by the server's log) is the first to
    ``address``: the latest RCPT TO names it, and no earlier one did."""
    rcpts = [
        command
        for session in server.sessions
        for command in session.commands
        if command.lower().startswith("rcpt")
    ]
    return (
        bool(rcpts)
        and f"<{address}>" in rcpts[-1]
        and sum(f"<{address}>" in rcpt for rcpt in rcpts) == 1
    )


def no_sessions_open(server: SmtpServer) -> None:
    """Wait until the server has seen every connection close."""
    for session in server.sessions:
        assert session.closed.wait(WAIT), f"session {session.number} still open"


# All sent -------------------------------------------------------------------------


def test_everyone_is_sent_over_one_connection(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench(FIVE)
    connection = bench.connection()

    result = bench.run(connection=connection)

    assert result == Delivery(sent=5)
    assert connection.sessions == 1
    assert len(bench.server.sessions) == 1
    assert bench.server.sessions[0].authenticated
    assert bench.server.sessions[0].tls
    assert bench.delivered() == Counter(dict.fromkeys(FIVE, 1))
    entries = bench.entries()
    assert set(entries) == set(FIVE)
    deliveries = bench.server.deliveries
    for number, delivery in enumerate(deliveries, start=1):
        (address,) = delivery.rcpt_tos
        entry = entries[address]
        assert entry.state is State.SENT
        assert entry.attempts == 1
        assert entry.reply == f"250 2.0.0 OK: queued as {number}"
        assert entry.message_id == delivery.message_id == bench.expected_id(address)
        assert entry.sent_at is not None
        assert entry.next_attempt is None
        assert delivery.mail_from == "dscpsecure@durham.gov.uk"
    # In list order, each Message-ID distinct.
    assert [d.rcpt_tos[0] for d in deliveries] == list(FIVE)
    assert len({d.message_id for d in deliveries}) == 5
    assert bench.counts() == {State.SENT: 5}
    assert bench.suppression_untouched()
    # The run ends by saying goodbye.
    no_sessions_open(bench.server)
    assert bench.server.sessions[0].commands[-1].upper() == "QUIT"


# Temporary refusals ----------------------------------------------------------------


def test_421_at_rcpt_reconnects_and_retries(bench: Bench) -> None:
    bench.server.at_rcpt(BOB, "421 4.7.0 Too many connections, try later", times=1)
    progress = Recorder()
    connection = bench.connection()

    result = bench.run(connection=connection, progress=progress)

    assert result.sent == 3
    assert result.deferred == result.failed == result.in_doubt == []
    assert result.stopped is None
    assert progress.verdicts(BOB) == [Verdict.DEFERRED, Verdict.SENT]
    assert progress.verdicts(ANN) == progress.verdicts(CAT) == [Verdict.SENT]
    # The server hung up after its 421: the client opened a second connection.
    assert connection.sessions == 2
    assert len(bench.server.sessions) == 2
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    assert [d.session for d in bench.server.messages_for(BOB)] == [2]
    assert bench.rcpts(BOB) == 2
    entries = bench.entries()
    assert {a: e.state for a, e in entries.items()} == dict.fromkeys(THREE, State.SENT)
    assert entries[BOB].attempts == 2
    assert entries[ANN].attempts == entries[CAT].attempts == 1
    assert bench.rcpts(ANN) == bench.rcpts(CAT) == 1
    assert bench.message_ids(BOB) == [entries[BOB].message_id]


def test_4xx_at_mail_defers_the_recipient_in_hand(bench: Bench) -> None:
    fault = bench.server.at_mail("451 4.7.500 Server busy, try again later", times=1)
    progress = Recorder()

    result = bench.run(progress=progress)

    assert fault.used == 1
    assert progress.verdicts(ANN) == [Verdict.DEFERRED, Verdict.SENT]
    assert result.sent == 3
    assert result.stopped is None
    assert result.deferred == []
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.entries()[ANN].attempts == 2
    assert bench.rcpts(ANN) == 1  # refused at MAIL: never got as far as RCPT
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))


@pytest.mark.parametrize(
    "reply",
    [
        "450 4.2.1 Mailbox temporarily unavailable",
        "451 4.3.0 Local error in processing",
        "452 4.2.2 Insufficient system storage",
    ],
)
def test_4xx_at_rcpt_once_is_retried_in_the_same_run(bench: Bench, reply: str) -> None:
    bench.server.at_rcpt(BOB, reply, times=1)
    progress = Recorder()

    result = bench.run(progress=progress)

    assert result.sent == 3
    assert result.deferred == []
    assert result.stopped is None
    assert progress.verdicts(BOB) == [Verdict.DEFERRED, Verdict.SENT]
    assert progress.attempts[1][1].detail == reply
    assert bench.rcpts(BOB) == 2
    assert bench.rcpts(ANN) == bench.rcpts(CAT) == 1
    # A 4xx other than 421 keeps the connection (RSET, then the next message).
    assert len(bench.server.sessions) == 1
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    entries = bench.entries()
    assert {a: e.state for a, e in entries.items()} == dict.fromkeys(THREE, State.SENT)
    assert entries[BOB].attempts == 2
    assert entries[BOB].reply.startswith("250 ")
    assert bench.message_ids(BOB) == [entries[BOB].message_id]


@pytest.mark.parametrize(
    "reply",
    [
        "450 4.2.1 Mailbox temporarily unavailable",
        "451 4.3.0 Local error in processing",
        "452 4.2.2 Insufficient system storage",
    ],
)
def test_4xx_at_rcpt_always_is_left_deferred_for_the_next_run(
    bench: Bench, reply: str
) -> None:
    fault = bench.server.at_rcpt(BOB, reply)
    progress = Recorder()

    result = bench.run(progress=progress)

    tries = 1 + len(FAST.retry_delays)
    assert progress.verdicts(BOB) == [Verdict.DEFERRED] * tries
    assert bench.rcpts(BOB) == tries
    assert fault.used == tries
    assert result.sent == 2
    assert result.deferred == [(BOB, reply)]
    assert result.failed == result.in_doubt == []
    assert result.stopped is None
    entries = bench.entries()
    bob = entries[BOB]
    assert bob.state is State.DEFERRED
    assert bob.reply == reply
    assert bob.attempts == tries
    assert bob.message_id is None
    assert bob.sent_at is None
    last_try = max(when for who, _, when in progress.attempts if who == BOB)
    assert bob.next_attempt is not None
    assert bob.next_attempt >= last_try + FAST.retry_delays[-1] - 0.01
    assert entries[ANN].state is entries[CAT].state is State.SENT
    assert bench.delivered() == Counter({ANN: 1, CAT: 1})

    # The next run (a new journal session) tries bob again, and the fault is over.
    exhaust(fault)
    again = bench.run()

    assert again.sent == 1
    assert again.deferred == []
    assert bench.rcpts(BOB) == tries + 1
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    bob = bench.entries()[BOB]
    assert bob.next_attempt is None
    assert bench.message_ids(BOB) == [bob.message_id] == [bench.expected_id(BOB)]


@pytest.mark.parametrize(
    ("reply", "sessions"),
    [("451 4.3.0 Try again later", 1), ("421 4.3.2 Shutting down", 2)],
    ids=["451", "421"],
)
def test_4xx_after_the_dot_is_retried_and_sent_once(
    bench: Bench, reply: str, sessions: int
) -> None:
    fault = bench.server.after_data(BOB, reply, times=1)
    progress = Recorder()

    result = bench.run(progress=progress)

    assert len(bench.server.sessions) == sessions

    assert fault.used == 1
    assert [
        (a.verdict, a.dot_sent) for who, a, _ in progress.attempts if who == BOB
    ] == [
        (Verdict.DEFERRED, True),
        (Verdict.SENT, True),
    ]
    assert result.sent == 3
    assert result.deferred == result.failed == result.in_doubt == []
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    entries = bench.entries()
    assert {a: e.state for a, e in entries.items()} == dict.fromkeys(THREE, State.SENT)
    assert entries[BOB].attempts == 2
    assert bench.message_ids(BOB) == [entries[BOB].message_id]


# Refusals of one mailbox ------------------------------------------------------------


def test_550_5_1_1_fails_and_suppresses_that_address(bench: Bench) -> None:
    reply = "550 5.1.1 The email account that you tried to reach does not exist"
    bench.server.at_rcpt(BOB, reply)

    result = bench.run()

    assert result.sent == 2
    assert result.failed == [(BOB, reply)]
    assert result.bounced == [BOB]
    assert result.deferred == result.in_doubt == []
    assert result.stopped is None
    entries = bench.entries()
    assert entries[BOB].state is State.FAILED
    assert entries[BOB].reply == reply
    assert entries[BOB].attempts == 1
    assert entries[ANN].state is entries[CAT].state is State.SENT
    assert bench.delivered() == Counter({ANN: 1, CAT: 1})
    assert bench.rcpts(BOB) == 1
    suppressions = SuppressionList.load(bench.suppressions)
    entry = suppressions.get(BOB)
    assert entry is not None
    assert entry.reason == "bounced"
    assert entry.note == run_note(reply, result.run or "")
    assert result.run
    assert result.run in entry.note
    assert entry.date == dt.date.today()
    assert suppressions.get("a.taylor@example.org") is not None  # kept
    # The next preparation leaves bob out.
    assert BOB in [r.address for r in bench.mailing().suppressed]


def test_552_5_2_2_mailbox_full_fails_without_suppressing(bench: Bench) -> None:
    reply = "552 5.2.2 Mailbox full"
    bench.server.at_rcpt(BOB, reply)

    result = bench.run()

    assert result.sent == 2
    assert result.failed == [(BOB, reply)]
    assert result.bounced == []
    assert result.stopped is None
    entries = bench.entries()
    assert entries[BOB].state is State.FAILED
    assert entries[BOB].reply == reply
    assert entries[ANN].state is entries[CAT].state is State.SENT
    assert bench.delivered() == Counter({ANN: 1, CAT: 1})
    assert bench.suppression_untouched()


# Refusals that stop the run ----------------------------------------------------------


STOPPERS = [
    pytest.param(
        "after_data", "552 5.3.4 Message size exceeds fixed limit", id="552-5.3.4-dot"
    ),
    pytest.param("at_rcpt", "554 Transaction failed", id="554-rcpt"),
    pytest.param("after_data", "554 Transaction failed", id="554-dot"),
    pytest.param("after_data", "554 5.6.0 Message rejected", id="554-5.6.0-dot"),
    pytest.param("at_rcpt", "554 5.7.1 Relay access denied", id="554-5.7.1-rcpt"),
]


@pytest.mark.parametrize(("where", "reply"), STOPPERS)
def test_a_refusal_of_the_message_stops_the_run_blaming_nobody(
    make_bench: Callable[..., Bench], where: str, reply: str
) -> None:
    bench = make_bench(FIVE)
    script = getattr(bench.server, where)
    fault = script(CAT, reply)

    result = bench.run()

    assert fault.used == 1
    assert result.stopped is not None
    assert reply in result.stopped
    assert "Nobody was marked failed" in result.stopped
    assert result.sent == 2
    assert result.failed == result.bounced == result.deferred == result.in_doubt == []
    assert bench.states() == {
        ANN: State.SENT,
        BOB: State.SENT,
        CAT: State.PENDING,
        DAN: State.PENDING,
        EVE: State.PENDING,
    }
    assert bench.delivered() == Counter({ANN: 1, BOB: 1})
    assert bench.rcpts(DAN) == bench.rcpts(EVE) == 0
    assert bench.suppression_untouched()

    # Once the cause is put right, the same command finishes: nobody twice.
    exhaust(fault)
    again = bench.run()
    assert again.stopped is None
    assert again.sent == 3
    assert bench.states() == dict.fromkeys(FIVE, State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys(FIVE, 1))


@pytest.mark.parametrize(
    ("where", "reply", "words"),
    [
        pytest.param(
            "at_auth",
            "535 5.7.30 Basic authentication is not supported for Client Submission",
            ("xoauth2", "Microsoft 365"),
            id="535-5.7.30-auth",
        ),
        pytest.param(
            "at_auth",
            "535 5.7.8 Authentication credentials invalid",
            ("refused the login",),
            id="535-5.7.8-auth",
        ),
        pytest.param(
            "at_mail",
            "550 5.7.60 Client does not have permissions to send as this sender",
            ("refused the sender",),
            id="550-5.7.60-mail",
        ),
        pytest.param(
            "at_greeting",
            "554 5.7.1 No SMTP service for you",
            ("refused the connection", "administrator"),
            id="554-5.7.1-greeting",
        ),
        pytest.param(
            "at_mail",
            "553 Sender address rejected",
            ("refused the sender",),
            id="553-mail",
        ),
    ],
)
def test_a_refusal_of_the_session_stops_the_run_before_anyone(
    bench: Bench, where: str, reply: str, words: tuple[str, ...]
) -> None:
    fault = getattr(bench.server, where)(reply)

    result = bench.run()

    assert fault.used == 1
    assert result.stopped is not None
    assert reply in result.stopped
    for word in words:
        assert word.casefold() in result.stopped.casefold()
    assert result.sent == 0
    assert result.failed == result.bounced == result.deferred == result.in_doubt == []
    entries = bench.entries()
    assert {a: e.state for a, e in entries.items()} == dict.fromkeys(
        THREE, State.PENDING
    )
    assert all(entry.message_id is None for entry in entries.values())
    assert bench.delivered() == Counter()
    assert bench.rcpts(ANN) == bench.rcpts(BOB) == bench.rcpts(CAT) == 0
    assert len(bench.server.sessions) == 1  # no retrying a refusal
    assert bench.suppression_untouched()


# The connection lost -----------------------------------------------------------------


def test_drop_after_the_dot_leaves_the_recipient_in_doubt(bench: Bench) -> None:
    bench.server.drop_after_data(BOB, times=1)

    result = bench.run()

    assert result.sent == 2
    assert [address for address, _ in result.in_doubt] == [BOB]
    assert result.deferred == result.failed == []
    entries = bench.entries()
    assert entries[BOB].state is State.IN_DOUBT
    assert entries[BOB].attempts == 1
    assert entries[ANN].state is entries[CAT].state is State.SENT
    # The server has it, once; the journal could not know.
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    first_id = entries[BOB].message_id
    assert bench.message_ids(BOB) == [first_id] == [bench.expected_id(BOB)]
    assert [d.session for d in bench.server.messages_for(CAT)] == [2]

    # A later run leaves it alone.
    later = bench.run()
    assert later.sent == 0
    assert later.in_doubt == []
    assert bench.states()[BOB] is State.IN_DOUBT
    assert bench.delivered()[BOB] == 1

    # Asked to, it sends again, with the same Message-ID.
    resent = bench.run(dataclasses.replace(FAST, resend_in_doubt=True))
    assert resent.sent == 1
    assert resent.in_doubt == []
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.entries()[BOB].attempts == 2
    assert bench.entries()[BOB].message_id == first_id
    assert bench.message_ids(BOB) == [first_id, first_id]
    assert bench.delivered() == Counter({ANN: 1, BOB: 2, CAT: 1})


def test_drop_mid_data_is_never_sent_without_delivery_nor_failed(
    bench: Bench,
) -> None:
    """The server hangs up at the first bytes of bob's message (tests/smtpserver.py:
    ``_Protocol.data_received`` aborts the transport), but its thread may only
    get to them once the whole message, dot and all, is in its socket: the
    client's writes all succeed, and the hang-up reaches it as it waits for
    the reply to its dot. It cannot tell that from a hang-up after the dot,
    so bob is in doubt (most runs, here). If the hang-up reaches the client
    while it is still writing, the write fails: deferred, and sent on the
    in-run retry. Either way it is never sent without a delivery, never
    failed, and the server delivered nothing in that session."""
    fault = bench.server.drop_mid_data(BOB, times=1)
    progress = Recorder()

    result = bench.run(progress=progress)

    assert fault.used == 1
    first = progress.verdicts(BOB)[0]
    assert first in (Verdict.DEFERRED, Verdict.IN_DOUBT)
    entries = bench.entries()
    assert entries[BOB].state in (State.SENT, State.IN_DOUBT)
    assert State.FAILED not in bench.states().values()
    assert result.failed == result.bounced == []
    assert entries[ANN].state is entries[CAT].state is State.SENT
    assert bench.delivered()[ANN] == bench.delivered()[CAT] == 1
    if entries[BOB].state is State.SENT:
        assert progress.verdicts(BOB) == [Verdict.DEFERRED, Verdict.SENT]
        assert bench.delivered()[BOB] == 1
    else:
        assert bench.delivered()[BOB] == 0
        assert result.in_doubt == [(BOB, entries[BOB].reply)]

    # Whichever it was, a run that resends in doubt ends with bob delivered once.
    bench.run(dataclasses.replace(FAST, resend_in_doubt=True))
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    assert bench.message_ids(BOB) == [bench.entries()[BOB].message_id]


def test_drop_mid_data_known_before_the_dot_is_deferred(bench: Bench) -> None:
    """Deterministic: the client is held half-way through bob's body (its
    "mid-data" checkpoint) until the server has hung up and the client's
    socket has heard of it. The rest of the message (some 60 kB, several TLS
    records) then cannot be written: bob is deferred, never in doubt, and sent
    on the in-run retry. (Should the first half already fail, the checkpoint
    is not reached for bob, and the outcome is the same.)"""
    fault = bench.server.drop_mid_data(BOB, times=1)
    progress = Recorder()
    waited: list[int] = []
    connection: SmtpConnection

    def checkpoint(name: str) -> None:
        if name != "mid-data" or waited or not in_first_try_of(bench.server, BOB):
            return
        session = bench.server.sessions[-1]
        waited.append(session.number)
        assert fault.happened.wait(WAIT)
        assert session.closed.wait(WAIT), "the server never hung up"
        smtp = connection._smtp
        assert smtp is not None
        assert smtp.sock is not None
        readable, _, _ = select.select([smtp.sock], [], [], WAIT)
        assert readable, "the client never heard of the hang-up"

    connection = bench.connection(checkpoint=checkpoint)
    result = bench.run(connection=connection, progress=progress)

    assert fault.used == 1
    assert [
        (a.verdict, a.dot_sent) for who, a, _ in progress.attempts if who == BOB
    ] == [(Verdict.DEFERRED, False), (Verdict.SENT, True)]
    assert result.sent == 3
    assert result.in_doubt == result.deferred == result.failed == []
    entries = bench.entries()
    assert {a: e.state for a, e in entries.items()} == dict.fromkeys(THREE, State.SENT)
    assert entries[BOB].attempts == 2
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    assert [d.session for d in bench.server.messages_for(BOB)] == [2]
    assert bench.message_ids(BOB) == [entries[BOB].message_id]


@pytest.mark.parametrize("point", ["mid-data", "after-sending"])
def test_a_try_cut_short_before_the_dot_counts_once(bench: Bench, point: str) -> None:
    """The connection cut (on the client's side, so exactly there) at ``point``
    of bob's first try: the rest cannot be written, bob is deferred, then sent;
    two tries in all, whether or not "sending" had been written."""
    progress = Recorder()
    cut: list[str] = []
    connection: SmtpConnection

    def checkpoint(name: str) -> None:
        if name == point and not cut and in_first_try_of(bench.server, BOB):
            cut.append(name)
            smtp = connection._smtp
            assert smtp is not None
            assert smtp.sock is not None
            smtp.sock.shutdown(socket.SHUT_RDWR)

    connection = bench.connection(checkpoint=checkpoint)
    bench.run(connection=connection, progress=progress)

    assert cut == [point]
    assert [
        (a.verdict, a.dot_sent) for who, a, _ in progress.attempts if who == BOB
    ] == [(Verdict.DEFERRED, False), (Verdict.SENT, True)]
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    assert bench.entries()[BOB].attempts == 2  # one cut short, one sent


def test_stall_at_rcpt_past_the_timeout_is_deferred(bench: Bench) -> None:
    fault = bench.server.stall(BOB, stage="rcpt", seconds=3 * WAIT, times=1)
    progress = Recorder()

    result = bench.run(connection=bench.connection(timeout=0.5), progress=progress)

    assert fault.used == 1
    bob = [(a.verdict, a.dot_sent) for who, a, _ in progress.attempts if who == BOB]
    assert bob == [(Verdict.DEFERRED, False), (Verdict.SENT, True)]
    assert "timed out" in next(a for w, a, _ in progress.attempts if w == BOB).detail
    assert result.sent == 3
    assert result.in_doubt == result.deferred == []
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.entries()[BOB].attempts == 2
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    assert len(bench.server.sessions) == 2


def test_stall_after_the_dot_past_the_timeout_is_in_doubt(bench: Bench) -> None:
    fault = bench.server.stall(BOB, stage="data", seconds=3 * WAIT, times=1)

    result = bench.run(connection=bench.connection(timeout=0.5))

    assert fault.used == 1
    assert [address for address, _ in result.in_doubt] == [BOB]
    assert "timed out" in result.in_doubt[0][1]
    assert result.sent == 2
    entries = bench.entries()
    assert entries[BOB].state is State.IN_DOUBT
    assert entries[ANN].state is entries[CAT].state is State.SENT
    # The client hung up before the server answered, so it delivered nothing.
    no_sessions_open(bench.server)
    assert bench.delivered() == Counter({ANN: 1, CAT: 1})

    bench.run(dataclasses.replace(FAST, resend_in_doubt=True))
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    assert bench.message_ids(BOB) == [entries[BOB].message_id]


@pytest.mark.parametrize("refusals", [1, 2], ids=["once", "twice"])
def test_greeting_421_is_retried_until_the_server_answers(
    bench: Bench, refusals: int
) -> None:
    fault = bench.server.at_greeting("421 4.3.2 Service not available", times=refusals)
    connection = bench.connection()

    result = bench.run(connection=connection)

    assert fault.used == refusals
    assert result.stopped is None
    assert result.sent == 3
    assert connection.sessions == 1  # the refused ones never opened
    sessions = bench.server.sessions
    assert len(sessions) == refusals + 1
    assert all(not s.commands for s in sessions[:refusals])
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert all(e.attempts == 1 for e in bench.entries().values())
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))
    assert {d.session for d in bench.server.deliveries} == {refusals + 1}


def test_a_server_that_never_greets_stops_the_run_after_a_few_tries(
    bench: Bench,
) -> None:
    fault = bench.server.at_greeting("421 4.3.2 Service not available")

    result = bench.run()

    tries = FAST.max_connect_failures
    assert fault.used == tries
    assert len(bench.server.sessions) == tries
    assert result.stopped is not None
    assert f"cannot connect to {bench.server.host}:{bench.server.port}" in (
        result.stopped
    )
    assert f"({tries} tries)" in result.stopped
    assert "421 4.3.2 Service not available" in result.stopped
    assert result.sent == 0
    assert result.failed == result.deferred == result.in_doubt == []
    assert bench.states() == dict.fromkeys(THREE, State.PENDING)
    assert all(e.attempts == 0 for e in bench.entries().values())
    assert bench.delivered() == Counter()


def test_4xx_at_auth_is_retried_not_a_stop(bench: Bench) -> None:
    fault = bench.server.at_auth("454 4.7.0 Temporary authentication failure", times=1)
    connection = bench.connection()

    result = bench.run(connection=connection)

    assert fault.used == 1
    assert result.stopped is None
    assert result.sent == 3
    assert len(bench.server.sessions) == 2
    assert bench.states() == dict.fromkeys(THREE, State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys(THREE, 1))


# Many failures in a row -------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    ["550 5.1.1 No such user here", "450 4.2.1 Mailbox busy"],
)
def test_consecutive_failures_stop_the_run(
    make_bench: Callable[..., Bench], reply: str
) -> None:
    bench = make_bench(FIVE)
    bench.server.at_rcpt(None, reply)
    # Retries not due before the third failure, so the first three are tried once.
    options = dataclasses.replace(FAST, retry_delays=(WAIT,), max_failures=3)

    result = bench.run(options)

    assert result.stopped is not None
    assert "3 failures in a row" in result.stopped
    assert reply in result.stopped
    assert result.sent == 0
    # Refused in a streak that stopped the run: nobody suppressed nor failed;
    # all three are tried again next run.
    assert bench.states() == {
        ANN: State.DEFERRED,
        BOB: State.DEFERRED,
        CAT: State.DEFERRED,
        DAN: State.PENDING,
        EVE: State.PENDING,
    }
    assert [bench.rcpts(a) for a in FIVE] == [1, 1, 1, 0, 0]
    assert bench.delivered() == Counter()
    assert result.deferred == [(a, reply) for a in (ANN, BOB, CAT)]
    assert result.failed == result.bounced == []
    assert bench.suppression_untouched()
    if reply.startswith("5"):
        assert result.held_back == [(a, reply) for a in (ANN, BOB, CAT)]
        assert "neither suppressed nor marked failed" in result.stopped


# Rate caps --------------------------------------------------------------------------


def test_a_short_cap_pauses_and_resumes(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench((ANN, BOB, CAT, DAN))
    cap = Cap(2, 0.5)
    progress = Recorder()

    result = bench.run(dataclasses.replace(FAST, caps=(cap,)), progress=progress)

    assert result.sent == 4
    assert result.stopped is None
    assert progress.pauses
    for seconds, reason in progress.pauses:
        assert 0 < seconds <= cap.seconds
        assert str(cap) in reason
    # Each pause is followed by its resume, before the next message.
    assert progress.events.count("resumed") == len(progress.pauses)
    pairs = "".join(
        "p" if e == "paused" else "r" if e == "resumed" else "" for e in progress.events
    )
    assert pairs == "pr" * len(progress.pauses)
    assert bench.states() == dict.fromkeys((ANN, BOB, CAT, DAN), State.SENT)
    # No more than 2 messages in any half second, by the server's clock too.
    times = [d.time for d in bench.server.deliveries]
    assert len(times) == 4
    for earlier, later in zip(times, times[2:], strict=False):
        assert (later - earlier).total_seconds() >= cap.seconds
    sent_at = sorted(e.sent_at or 0 for e in bench.entries().values())
    for earlier_at, later_at in zip(sent_at, sent_at[2:], strict=False):
        assert later_at - earlier_at >= cap.seconds


def test_a_long_cap_stops_the_run_and_a_later_run_keeps_to_it(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE)
    cap = Cap(2, 60)
    options = dataclasses.replace(FAST, caps=(cap,), longest_pause=1.0)
    progress = Recorder()
    before = time.time()

    result = bench.run(options, progress=progress)

    assert result.sent == 2
    assert progress.pauses == []
    assert result.stopped is not None
    assert str(cap) in result.stopped
    assert "run the same command" in result.stopped
    assert result.resume_after is not None
    assert before + cap.seconds - 1 <= result.resume_after <= time.time() + cap.seconds
    assert bench.states() == {
        ANN: State.SENT,
        BOB: State.SENT,
        CAT: State.PENDING,
        DAN: State.PENDING,
        EVE: State.PENDING,
    }
    assert bench.delivered() == Counter({ANN: 1, BOB: 1})

    # At once again: the journal's sent times fill the window, so nothing goes.
    again = bench.run(options)
    assert again.sent == 0
    assert again.stopped is not None
    assert again.resume_after is not None
    assert abs(again.resume_after - result.resume_after) < 1.0
    assert bench.delivered() == Counter({ANN: 1, BOB: 1})
    assert len(bench.server.sessions) == 1  # not even a connection

    # A minute later (by the clock given), two more go, and the cap binds again.
    later = bench.run(options, clock=lambda: time.time() + cap.seconds + 1)
    assert later.sent == 2
    assert later.stopped is not None
    assert bench.states() == {
        ANN: State.SENT,
        BOB: State.SENT,
        CAT: State.SENT,
        DAN: State.SENT,
        EVE: State.PENDING,
    }
    assert bench.delivered() == Counter(dict.fromkeys((ANN, BOB, CAT, DAN), 1))


# Stopping on request ---------------------------------------------------------------


def test_stop_on_request_leaves_the_rest_for_the_next_run(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE)
    stop = threading.Event()
    progress = Recorder(on_attempt=lambda recipient, attempt: stop.set())

    result = bench.run(progress=progress, stop=stop)

    assert result.stopped == INTERRUPTED
    assert result.interrupted
    assert result.sent == 1
    assert len(progress.attempts) == 1
    assert bench.states() == {
        ANN: State.SENT,
        BOB: State.PENDING,
        CAT: State.PENDING,
        DAN: State.PENDING,
        EVE: State.PENDING,
    }
    assert bench.delivered() == Counter({ANN: 1})

    again = bench.run()
    assert again.stopped is None
    assert again.sent == 4
    assert bench.states() == dict.fromkeys(FIVE, State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys(FIVE, 1))


def test_stop_during_a_pause_ends_the_run_at_once(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(FIVE)
    stop = threading.Event()
    progress = Recorder(on_pause=stop.set)
    cap = Cap(2, 3 * WAIT)  # a pause far longer than the test may take
    started = time.monotonic()

    result = bench.run(
        dataclasses.replace(FAST, caps=(cap,)), progress=progress, stop=stop
    )

    assert time.monotonic() - started < WAIT
    assert result.stopped == INTERRUPTED
    assert result.interrupted
    assert result.sent == 2
    assert bench.states() == {
        ANN: State.SENT,
        BOB: State.SENT,
        CAT: State.PENDING,
        DAN: State.PENDING,
        EVE: State.PENDING,
    }
    assert bench.delivered() == Counter({ANN: 1, BOB: 1})


# SMTPUTF8 ---------------------------------------------------------------------------


def test_a_non_ascii_mailbox_goes_with_smtputf8(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench((ANN, JOSE, CAT))

    result = bench.run()

    assert result.sent == 3
    assert bench.states() == dict.fromkeys((ANN, JOSE, CAT), State.SENT)
    assert bench.delivered() == Counter(dict.fromkeys((ANN, JOSE, CAT), 1))
    (jose,) = bench.server.messages_for(JOSE)
    assert jose.rcpt_tos == (JOSE,)
    assert "SMTPUTF8" in jose.mail_options
    assert jose.message_id == bench.entries()[JOSE].message_id
    for address in (ANN, CAT):
        (delivery,) = bench.server.messages_for(address)
        assert "SMTPUTF8" not in delivery.mail_options


def test_a_non_ascii_mailbox_fails_unsuppressed_without_smtputf8(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench((ANN, JOSE, CAT), smtputf8=False)

    result = bench.run()

    assert result.sent == 2
    assert [address for address, _ in result.failed] == [JOSE]
    assert "SMTPUTF8" in result.failed[0][1]
    assert result.bounced == []
    assert result.stopped is None
    entries = bench.entries()
    assert entries[JOSE].state is State.FAILED
    assert "SMTPUTF8" in entries[JOSE].reply
    assert entries[ANN].state is entries[CAT].state is State.SENT
    assert bench.delivered() == Counter({ANN: 1, CAT: 1})
    assert bench.rcpts(JOSE) == 0
    assert bench.suppression_untouched()


# Test copies ------------------------------------------------------------------------


def test_send_tests_sends_copies_and_writes_no_journal(bench: Bench) -> None:
    state = Path(os.environ["BULLETIN_STATE_DIR"])
    files_before = sorted(state.rglob("*"))
    mailing = bench.mailing()
    with Journal.open(bench.journal) as journal:
        begin_for(journal, mailing)
    journal_before = bench.entries()
    journal_bytes = bench.journal.read_bytes()

    with bench.connection() as connection:
        results = send_tests(
            mailing.test_messages([ANN, "zed@example.org"]),
            connection,
            sender_of(mailing.template),
        )

    assert [(address, a.verdict) for address, a in results] == [
        (ANN, Verdict.SENT),
        ("zed@example.org", Verdict.SENT),
    ]
    assert bench.delivered() == Counter({ANN: 1, "zed@example.org": 1})
    assert len(bench.server.sessions) == 1
    (copy,) = bench.server.messages_for(ANN)
    assert copy.message_id != bench.expected_id(ANN)  # a test copy's own
    assert sorted(state.rglob("*")) == files_before
    assert bench.entries() == journal_before
    assert bench.journal.read_bytes() == journal_bytes
    assert bench.suppression_untouched()

    # The real send still goes to ann, with the real Message-ID.
    result = bench.run()
    assert result.sent == 3
    assert bench.message_ids(ANN) == [copy.message_id, bench.expected_id(ANN)]


def test_an_internationalised_domain_goes_in_ascii_without_smtputf8(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench((ANN, "zoë@exämple.org", "bob@exämple.org"))

    result = bench.run()

    assert result.sent == 3
    assert result.failed == []
    states = bench.states()
    assert states[ANN] is states["bob@exämple.org"] is State.SENT
    # The non-ASCII mailbox needs SMTPUTF8, and goes with it, domain and all.
    assert states["zoë@exämple.org"] is State.SENT
    assert bench.delivered() == Counter(
        {ANN: 1, "bob@xn--exmple-cua.org": 1, "zoë@exämple.org": 1}
    )
    (zoe,) = bench.server.messages_for("zoë@exämple.org")
    assert "SMTPUTF8" in zoe.mail_options
    (bob,) = bench.server.messages_for("bob@xn--exmple-cua.org")
    assert "SMTPUTF8" not in bob.mail_options
    assert bob.message_id == bench.entries()["bob@exämple.org"].message_id
