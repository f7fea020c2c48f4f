"""Issue 14, several connections: one journal, one set of caps, nobody twice.

Against the real test server (tests/smtpserver.py), with one
:class:`~bulletin.sending.smtp.SmtpConnection` per connection handed to
:func:`~bulletin.sending.delivery.deliver`; and with
:class:`~bulletin.sending.transport.MemoryTransport` where only the pace matters.
"""

# Fixtures are imported from the neighbouring test module, and named as
# parameters of the tests that use them (pytest's way): not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin import Edition, MessageTemplate, Sender, Settings, render
from bulletin.commands.smtpconfig import outgoing
from bulletin.errors import SendError
from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import SuppressionList
from bulletin.sending.delivery import Delivery, DeliveryOptions, deliver
from bulletin.sending.journal import Journal, State
from bulletin.sending.ratelimit import Cap
from bulletin.sending.transport import Envelope, MemoryTransport
from tests.sending.test_delivery import (  # noqa: F401 (make_bench: a fixture)
    FAST,
    Bench,
    begin_for,
    make_bench,
)
from tests.sending.test_send_smtp import (  # noqa: F401 (environment, server: fixtures)
    TO_SEND,
    counts,
    environment,
    send_to_list,
    server,
)
from tests.smtpserver import Fault, SmtpServer

TWENTY = tuple(f"reader{n:02d}@example.org" for n in range(1, 21))


def run_with(bench: Bench, count: int, options: DeliveryOptions = FAST) -> Delivery:
    """One run of ``bench`` over ``count`` connections."""
    mailing = bench.mailing()
    with Journal.open(bench.journal) as journal:
        begin_for(journal, mailing)
        return deliver(
            mailing.template,
            mailing.to_send,
            [bench.connection() for _ in range(count)],
            journal,
            suppressions=SuppressionList.load(mailing.suppressions),
            options=options,
        )


def test_four_connections_send_everyone_once(make_bench: Callable[..., Bench]) -> None:
    bench = make_bench(TWENTY, pipelining=True)

    result = run_with(bench, 4)

    assert result.sent == 20
    assert bench.delivered() == Counter(dict.fromkeys(TWENTY, 1))
    assert set(bench.states().values()) == {State.SENT}
    for address in TWENTY:
        assert bench.message_ids(address) == [bench.expected_id(address)]
    assert len(bench.server.sessions) == 4
    used = [s for s in bench.server.sessions if any("RCPT" in c for c in s.commands)]
    assert len(used) >= 2  # the work was shared


def test_a_server_refusing_one_more_connection_leaves_the_others_to_go_on(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(TWENTY)
    fault = bench.server.add_fault(
        Fault("greeting", "421 4.7.0 Too many connections", session=3)
    )

    result = run_with(bench, 3)

    assert fault.used == 1
    assert result.sent == 20
    assert result.stopped is None
    assert bench.delivered() == Counter(dict.fromkeys(TWENTY, 1))
    # The refused connection is given up, not tried again: three sessions in all.
    assert len(bench.server.sessions) == 3


def test_a_refusal_about_the_message_stops_every_connection(
    make_bench: Callable[..., Bench],
) -> None:
    bench = make_bench(TWENTY)
    fault = bench.server.add_fault(
        Fault("data", "554 5.7.1 Message rejected as spam", address=TWENTY[5])
    )

    result = run_with(bench, 4)

    assert result.stopped is not None
    assert result.stop_reply == "554 5.7.1 Message rejected as spam"
    states = bench.states()
    assert states[TWENTY[5]] is State.PENDING
    delivered = bench.delivered()
    assert all(n == 1 for n in delivered.values())
    assert {a for a, s in states.items() if s is State.SENT} == set(delivered)
    assert len(delivered) < 20

    fault.times = fault.used
    again = run_with(bench, 4)

    assert again.stopped is None
    assert bench.delivered() == Counter(dict.fromkeys(TWENTY, 1))


def test_a_cap_is_a_cap_across_all_connections() -> None:
    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("Training").paragraph("Book now.")
    settings = Settings(sender=Sender("News", "news@example.org"))
    template = MessageTemplate(render(edition, settings), settings, edition.date)
    readers = [Recipient.of(f"r{n}@example.org") for n in range(12)]
    lock = threading.Lock()
    seen: list[str] = []

    def note(envelope: Envelope) -> None:
        with lock:
            seen.append(envelope.recipient)

    transports = [MemoryTransport(note) for _ in range(4)]

    result = deliver(
        template,
        readers,
        transports,
        options=DeliveryOptions(caps=(Cap(3, 60.0),), longest_pause=1.0),
    )

    assert result.sent == 3
    assert result.stopped is not None
    assert "limit of 3" in result.stopped
    assert len(seen) == 3
    assert sum(len(t.sent) for t in transports) == 3


# The setting and the option -----------------------------------------------------


def test_connections_come_from_smtp_or_the_option() -> None:
    assert outgoing(None, options={"host": "smtp.example.org"}).connections == 1
    given = outgoing(None, options={"host": "smtp.example.org", "connections": "4"})
    assert given.connections == 4
    for wrong in (0, 33, "many", True):
        with pytest.raises(SendError, match="connections"):
            outgoing(None, options={"host": "smtp.example.org", "connections": wrong})


def test_send_with_the_connections_option_uses_them_all(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    sent = send_to_list(server, edition, recipients, "--connections", "3")

    assert sent.exit_code == 0, sent.output
    assert "Sending through 3 connections at once" in sent.stderr
    assert counts(sent.stdout)["sent"] == len(TO_SEND)
    assert server.delivered_to() == Counter(dict.fromkeys(TO_SEND, 1))
    assert len(server.sessions) == 3


def test_a_dry_run_names_the_connections(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    shown = send_to_list(server, edition, recipients, "--connections", "4", "--dry-run")

    assert shown.exit_code == 0, shown.output
    assert "4 connections" in shown.output
    assert server.sessions == []


def test_connections_in_bulletin_toml_are_used(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    toml = edition.parent / "bulletin.toml"
    toml.write_text(toml.read_text() + "\n[smtp]\nconnections = 2\n")

    sent = send_to_list(server, edition, recipients)

    assert sent.exit_code == 0, sent.output
    assert "Sending through 2 connections at once" in sent.stderr
    assert server.delivered_to() == Counter(dict.fromkeys(TO_SEND, 1))


def test_a_wrong_connections_in_bulletin_toml_is_shown_at_its_line(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    toml = edition.parent / "bulletin.toml"
    toml.write_text(toml.read_text() + "\n[smtp]\nconnections = 0\n")

    sent = send_to_list(server, edition, recipients)

    assert sent.exit_code == 1
    assert "bulletin.toml" in sent.stderr
    assert "connections 0 is not a whole number from 1 to 32" in sent.stderr
    assert server.sessions == []
