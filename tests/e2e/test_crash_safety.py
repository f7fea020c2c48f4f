"""Crash safety: ``bulletin send`` killed with SIGKILL, then run again, repeats nobody.

The SMTP server (:mod:`tests.smtpserver`) runs in the test process and keeps
running across every run of a test; ``bulletin send`` runs in a real child
process against it, with its journal in ``tmp_path``. The child is killed the
hard way (SIGKILL: no ``finally``, no flush), either by itself at a named
checkpoint of :class:`bulletin.sending.smtp.SmtpConnection` (``tests/e2e/crashing_send.py``)
or by the test at random moments of a 1,000-message send (over one
connection, and over four to a server offering PIPELINING, where up to four
readers may be left in doubt per kill, one per connection). Then the same
command is run again to the end, and the server's log and the journal must
agree: every address delivered exactly once, except those the journal reports
"in doubt", which were delivered at most once; ``--resend-in-doubt`` then
sends those again with the same Message-ID.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.sending.journal import Entry, Journal, State
from tests.conftest import EXAMPLES
from tests.e2e.crashing_send import POINTS
from tests.smtpserver import SmtpServer

SECRET = "a-long-random-test-secret-0123456789"
DRIVER = Path(__file__).with_name("crashing_send.py")
KILLED = -signal.SIGKILL
RUN_TIMEOUT = 60.0
"""Seconds any one child process may take before the test gives up on it."""
READERS = [f"reader{number:04d}@example.org" for number in range(1, 7)]
NTH = 3
"""The deterministic runs die in the transaction of the third of the six readers."""
VICTIM = READERS[NTH - 1]

runner = CliRunner()


@dataclass
class Sender:
    """``bulletin send`` of a copy of the January example to a list, as a child process."""

    server: SmtpServer
    edition: Path
    recipients: Path
    journal: Path
    state_dir: Path
    logs: Path
    runs: int = 0

    def write_list(self, addresses: Sequence[str]) -> None:
        lines = [f"{address},Reader {n}" for n, address in enumerate(addresses, 1)]
        self.recipients.write_text("email,first_name\n" + "\n".join(lines) + "\n")

    def arguments(self, *extra: str) -> list[str]:
        return [
            "send",
            str(self.edition),
            "--recipients",
            str(self.recipients),
            "--journal",
            str(self.journal),
            "--smtp-host",
            self.server.host,
            "--smtp-port",
            str(self.server.port),
            "--username",
            self.server.username,
            "--ca-file",
            str(self.server.ca_file),
            *extra,
        ]

    def environment(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("BULLETIN_SMTP_")
        }
        env.update(
            BULLETIN_SMTP_PASSWORD=self.server.password,
            BULLETIN_UNSUBSCRIBE_SECRET=SECRET,
            BULLETIN_STATE_DIR=str(self.state_dir),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def command(self, *extra: str, crash: tuple[str, int] | None = None) -> list[str]:
        if crash is None:
            return [sys.executable, "-m", "bulletin", *self.arguments(*extra)]
        point, nth = crash
        return [
            sys.executable,
            str(DRIVER),
            point,
            str(nth),
            "--",
            *self.arguments(*extra),
        ]

    def run(
        self, *extra: str, crash: tuple[str, int] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run to the end (or to the crash) and return what it said."""
        return subprocess.run(
            self.command(*extra, crash=crash),
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    def start(self, *extra: str) -> subprocess.Popen[bytes]:
        """Start a run in the background, its output going to files in ``logs``."""
        self.runs += 1
        with (
            (self.logs / f"run-{self.runs}.out").open("wb") as out,
            (self.logs / f"run-{self.runs}.err").open("wb") as err,
        ):
            return subprocess.Popen(
                self.command(*extra), env=self.environment(), stdout=out, stderr=err
            )

    def entries(self) -> dict[str, Entry]:
        """Each address's journal row (read-only, as ``bulletin status`` does)."""
        with Journal.read(self.journal) as journal:
            return {entry.address: entry for entry in journal.entries()}

    def status(self) -> dict[str, Any]:
        """``bulletin status --format json`` for this journal."""
        result = runner.invoke(
            app,
            [
                "status",
                str(self.edition),
                "--journal",
                str(self.journal),
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        status: dict[str, Any] = json.loads(result.stdout)
        return status


@pytest.fixture
def sender(tmp_path: Path, smtp_server: SmtpServer) -> Sender:
    return make_sender(tmp_path, smtp_server)


def make_sender(tmp_path: Path, smtp_server: SmtpServer) -> Sender:
    """A copy of the January example, the six readers and a journal in ``tmp_path``."""
    folder = tmp_path / "dscp"
    shutil.copytree(EXAMPLES / "dscp-2025-01", folder)
    logs = tmp_path / "logs"
    logs.mkdir()
    made = Sender(
        smtp_server,
        folder / "edition.md",
        tmp_path / "readers.csv",
        tmp_path / "journal" / "send.sqlite3",
        tmp_path / "state",
        logs,
    )
    made.write_list(READERS)
    return made


def message_ids(server: SmtpServer, address: str) -> list[str | None]:
    return [delivery.message_id for delivery in server.messages_for(address)]


def check_nobody_twice(
    server: SmtpServer, entries: dict[str, Entry], addresses: Sequence[str]
) -> set[str]:
    """The crash-safety rule; returns those in doubt.

    Every address on the list has ended sent or in doubt; the sent ones were
    delivered exactly once, the ones in doubt at most once; nothing went to
    anyone else; and each copy carries the Message-ID the journal recorded.
    """
    assert set(entries) == set(addresses)
    states = Counter(entry.state for entry in entries.values())
    assert set(states) <= {State.SENT, State.IN_DOUBT}, states
    delivered = server.delivered_to()
    assert set(delivered) <= set(addresses), set(delivered) - set(addresses)
    twice = {address: n for address, n in delivered.items() if n > 1}
    assert not twice, f"delivered more than once: {twice}"
    never = [
        address
        for address, entry in entries.items()
        if entry.state is State.SENT and delivered[address] != 1
    ]
    assert not never, f"marked sent, never delivered: {never}"
    for address in delivered:
        assert message_ids(server, address) == [entries[address].message_id]
    return {a for a, entry in entries.items() if entry.state is State.IN_DOUBT}


# Deterministic: killed at each checkpoint --------------------------------------


@pytest.mark.parametrize(
    ("point", "copies_at_crash", "in_doubt"),
    [
        # The process dies with half the body sent: the server discards it.
        ("mid-data", 0, False),
        # The whole body sent but not the dot, and "sending" not yet written.
        ("before-sending", 0, False),
        # "sending" written, the dot never sent: the journal cannot know that.
        ("after-sending", 0, True),
        # The server said 250, "sent" never written: it has the message.
        ("after-reply", 1, True),
    ],
)
def test_killed_at_a_checkpoint_the_next_run_repeats_nobody(
    sender: Sender, point: str, copies_at_crash: int, in_doubt: bool
) -> None:
    server = sender.server
    assert point in POINTS

    crashed = sender.run(crash=(point, NTH))

    assert crashed.returncode == KILLED, crashed.stderr
    assert f"Journal: {sender.journal}" in crashed.stderr
    first = server.sessions[0]
    assert first.closed.wait(5), "the server never saw the killed connection go"
    commands = [command.casefold() for command in first.commands]
    assert commands[-2:] == [f"rcpt to:<{VICTIM}>", "data"], "not killed in DATA"
    assert server.delivered_to() == Counter(
        {READERS[0]: 1, READERS[1]: 1} | ({VICTIM: 1} if copies_at_crash else {})
    )
    # The journal as the dead process left it.
    left = sender.entries()
    assert [left[a].state for a in READERS] == [
        State.SENT,
        State.SENT,
        State.SENDING if in_doubt else State.PENDING,
        State.PENDING,
        State.PENDING,
        State.PENDING,
    ]
    status = sender.status()
    assert [(p["address"], p["state"]) for p in status["problems"]] == (
        [(VICTIM, "sending")] if in_doubt else []
    )

    rerun = sender.run()

    entries = sender.entries()
    doubted = check_nobody_twice(server, entries, READERS)
    assert doubted == ({VICTIM} if in_doubt else set())
    assert len(server.messages_for(VICTIM)) == copies_at_crash + (not in_doubt)
    # Exit 1 while anyone is in doubt: the editor has something to decide.
    assert rerun.returncode == int(in_doubt), rerun.stderr
    assert "Traceback" not in rerun.stderr
    if in_doubt:
        assert "--resend-in-doubt" in rerun.stderr
        assert entries[VICTIM].message_id is not None
        assert entries[VICTIM].attempts == 1
    status = sender.status()
    expected_counts = {"sent": 6 - in_doubt} | ({"in doubt": 1} if in_doubt else {})
    assert {k: v for k, v in status["counts"].items() if v} == expected_counts
    assert [
        (p["address"], p["state"], p["message_id"]) for p in status["problems"]
    ] == ([(VICTIM, "in doubt", entries[VICTIM].message_id)] if in_doubt else [])

    resent = sender.run("--resend-in-doubt")

    assert resent.returncode == 0, resent.stderr
    final = sender.entries()
    assert {entry.state for entry in final.values()} == {State.SENT}
    delivered = server.delivered_to()
    assert delivered == Counter(
        dict.fromkeys(READERS, 1) | {VICTIM: copies_at_crash + 1}
    )
    # The copy sent again is the same message: the Message-ID the journal kept.
    victim_ids = message_ids(server, VICTIM)
    assert victim_ids == [entries[VICTIM].message_id] * len(victim_ids)
    assert final[VICTIM].message_id == entries[VICTIM].message_id
    assert len({message_ids(server, a)[0] for a in READERS}) == len(READERS)


def test_a_run_killed_twice_in_a_row_still_repeats_nobody(sender: Sender) -> None:
    """A crash during the run that recovers from a crash loses nothing either."""
    server = sender.server

    first = sender.run(crash=("after-reply", 2))
    second = sender.run(crash=("after-sending", 2))

    assert (first.returncode, second.returncode) == (KILLED, KILLED)
    # The second run found READERS[1] "sending", made it in doubt, sent
    # READERS[2] and died before the dot of READERS[3].
    assert server.delivered_to() == Counter(dict.fromkeys(READERS[:3], 1))
    left = sender.entries()
    assert [left[a].state for a in READERS] == [
        State.SENT,
        State.IN_DOUBT,
        State.SENT,
        State.SENDING,
        State.PENDING,
        State.PENDING,
    ]

    sender.run()

    doubted = check_nobody_twice(server, sender.entries(), READERS)
    assert doubted == {READERS[1], READERS[3]}
    assert server.delivered_to() == Counter({a: 1 for a in READERS if a != READERS[3]})


# Random: a 1,000-message send killed from outside ------------------------------


def wait_for_deliveries(
    server: SmtpServer, child: subprocess.Popen[bytes], target: int, what: str
) -> None:
    """Poll the server's log until it has ``target`` deliveries; fail if the child
    ends first or it takes too long."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while len(server.deliveries) < target:
        if child.poll() is not None:
            pytest.fail(f"the send ended (exit {child.returncode}) before {what}")
        if time.monotonic() > deadline:
            child.kill()
            child.wait()
            pytest.fail(f"not {what} within {RUN_TIMEOUT:.0f} s")
        time.sleep(0.002)


@pytest.mark.slow
def test_a_thousand_messages_killed_at_random_then_resumed(sender: Sender) -> None:
    killed_at_random_then_resumed(sender, connections=1, seed=20250115)


@pytest.mark.slow
def test_four_connections_killed_at_random_then_resumed(
    tmp_path: Path, smtp_server_factory: Callable[..., SmtpServer]
) -> None:
    """The same with ``--connections 4`` to a server offering PIPELINING: at most
    four readers in doubt per kill, one per connection."""
    sender = make_sender(tmp_path, smtp_server_factory(pipelining=True))
    killed_at_random_then_resumed(sender, connections=4, seed=20251203)


def killed_at_random_then_resumed(
    sender: Sender, *, connections: int, seed: int
) -> None:
    """Kill a 1,000-reader send a few times at random, then run it to the end."""
    server = sender.server
    rng = random.Random(seed)
    readers = [f"reader{number:04d}@example.org" for number in range(1, 1001)]
    sender.write_list(readers)
    extra = ("--connections", str(connections)) if connections > 1 else ()

    kills = rng.randint(3, 5)
    for kill in range(1, kills + 1):
        target = len(server.deliveries) + rng.randint(20, 120)
        child = sender.start(*extra)
        wait_for_deliveries(
            server, child, target, f"{target} delivered (kill {kill} of {kills})"
        )
        # Somewhere within the next few transactions, wherever that falls.
        time.sleep(rng.uniform(0.0, 0.01))
        assert child.poll() is None, "the send ended before it could be killed"
        child.send_signal(signal.SIGKILL)
        assert child.wait(RUN_TIMEOUT) == KILLED
        # As the dead process left things: nobody delivered twice; at most one
        # "sending"; everyone the server has was marked "sending" (or beyond)
        # before the dot went; everyone marked sent is on the server.
        delivered = server.delivered_to()
        assert max(delivered.values()) == 1
        entries = sender.entries()
        sending = [a for a, e in entries.items() if e.state is State.SENDING]
        assert len(sending) <= connections, sending
        unmarked = {
            a: str(entries[a].state)
            for a in delivered
            if entries[a].state not in (State.SENT, State.SENDING, State.IN_DOUBT)
        }
        assert not unmarked, f"delivered, yet still to send: {unmarked}"
        lost = [
            a
            for a, e in entries.items()
            if e.state is State.SENT and a not in delivered
        ]
        assert not lost, f"marked sent, never delivered: {lost}"
    assert len(server.deliveries) < len(readers), "the kills came too late"

    final = sender.run(*extra)

    entries = sender.entries()
    doubted = check_nobody_twice(server, entries, readers)
    assert len(doubted) <= kills * connections, doubted
    assert final.returncode == (1 if doubted else 0), final.stderr
    delivered = server.delivered_to()
    with Journal.read(sender.journal) as journal:
        counts = journal.counts()
    # No address is both delivered and still to send; the journal's "sent" is
    # the server's unique deliveries but the in-doubt ones that did arrive.
    assert counts[State.PENDING] == counts[State.SENDING] == 0
    assert counts[State.SENT] + counts[State.IN_DOUBT] == len(readers)
    assert counts[State.SENT] == len(delivered) - len(doubted & set(delivered))
    assert len(server.sessions) >= kills + 1

    resent = sender.run("--resend-in-doubt", *extra)

    assert resent.returncode == 0, resent.stderr
    after = server.delivered_to()
    assert set(after) == set(readers)
    assert {a: n for a, n in after.items() if n != 1} == {
        a: 2 for a in doubted if a in delivered
    }
    for address in doubted:
        assert set(message_ids(server, address)) == {entries[address].message_id}
    with Journal.read(sender.journal) as journal:
        assert journal.counts()[State.SENT] == len(readers)
