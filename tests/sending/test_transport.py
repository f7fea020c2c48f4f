"""Sending an edition built in Python: no edition file, no list file, no journal file.

:func:`bulletin.deliver` takes a message template, the recipients and a
transport: the test SMTP server on 127.0.0.1, or the public in-memory
transport that developers use in their own tests.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from bulletin import (
    Edition,
    MemoryTransport,
    MessageTemplate,
    PasswordLogin,
    Recipient,
    Sender,
    SendStoppedError,
    Settings,
    SmtpConnection,
    SmtpSettings,
    deliver,
    render,
)
from bulletin.sending import (
    Attempt,
    DeliveryOptions,
    Envelope,
    Journal,
    State,
    Verdict,
    begin,
)
from tests.smtpserver import SmtpServer

ANN = Recipient("ann@example.org", {"first_name": "Ann"}, row=2)
BOB = Recipient("bob@example.org", {"first_name": "Bob"}, row=3)
CAT = Recipient("cat@example.org", {}, row=4)


def template() -> MessageTemplate:
    """An edition built in Python, rendered, as a message template."""
    edition = Edition("Partnership News - March 2025", dt.date(2025, 3, 12))
    edition.add_intro("Dear {{ first_name | colleague }}, welcome.")
    edition.section("Training").paragraph("Places are left on **Neglect Basics**.")
    settings = Settings(
        publisher="Example Partnership",
        sender=Sender("Example Partnership", "news@example.org"),
        unsubscribe_url="https://example.org/unsubscribe?token={token}",
    )
    rendered = render(edition, settings)
    return MessageTemplate(rendered, settings, edition.date, secret="s" * 32)


def parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_an_edition_built_in_python_is_delivered_to_an_smtp_server(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    state = Path(os.environ["BULLETIN_STATE_DIR"])
    state_before = sorted(state.rglob("*")) if state.exists() else []
    files_before = sorted(tmp_path.rglob("*"))
    settings = SmtpSettings(
        smtp_server.host,
        smtp_server.port,
        username=smtp_server.username,
        ca_file=smtp_server.ca_file,
        local_hostname="localhost",
    )
    login = PasswordLogin(smtp_server.username, smtp_server.password)

    result = deliver(template(), [ANN, BOB], SmtpConnection(settings, login))

    assert result.sent == 2
    assert result.stopped is None
    (ann,) = smtp_server.messages_for(ANN.address)
    message = parsed(ann.data)
    assert message["Subject"] == "Partnership News - March 2025"
    assert message["To"] == "ann@example.org"
    body = message.get_body(("plain",))
    assert body is not None
    assert "Dear Ann, welcome." in body.get_content()
    assert "Neglect Basics" in body.get_content()
    assert len(smtp_server.messages_for(BOB.address)) == 1
    # Nothing was written: no journal, no suppression list, no edition file.
    assert sorted(tmp_path.rglob("*")) == files_before
    assert (sorted(state.rglob("*")) if state.exists() else []) == state_before


def test_memory_transport_keeps_each_readers_own_message() -> None:
    transport = MemoryTransport()

    result = deliver(template(), [ANN, BOB, CAT], transport)

    assert result.sent == 3
    assert [envelope.recipient for envelope in transport.sent] == [
        ANN.address,
        BOB.address,
        CAT.address,
    ]
    assert {envelope.sender for envelope in transport.sent} == {"news@example.org"}
    greetings = [
        parsed(envelope.data).get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for envelope in transport.sent
    ]
    assert "Dear Ann," in greetings[0]
    assert "Dear Bob," in greetings[1]
    assert "Dear colleague," in greetings[2]
    assert transport.closed == 1


def test_memory_transport_replies_are_judged_like_a_servers() -> None:
    def reply(envelope: Envelope) -> Attempt | None:
        if envelope.recipient == BOB.address:
            return Attempt(Verdict.BOUNCED, "550 5.1.1 no such user")
        if envelope.recipient == CAT.address:
            return Attempt(Verdict.FAILED, "552 5.2.2 mailbox full")
        return None

    transport = MemoryTransport(reply)

    result = deliver(template(), [ANN, BOB, CAT], transport)

    assert result.sent == 1
    assert result.bounced == [BOB.address]
    assert result.failed == [
        (BOB.address, "550 5.1.1 no such user"),
        (CAT.address, "552 5.2.2 mailbox full"),
    ]
    assert [envelope.recipient for envelope in transport.offered] == [
        ANN.address,
        BOB.address,
        CAT.address,
    ]
    assert [envelope.recipient for envelope in transport.sent] == [ANN.address]


def test_a_run_stopped_by_the_transport_blames_nobody_and_resumes() -> None:
    def refuse_bob(envelope: Envelope) -> Attempt | None:
        if envelope.recipient == BOB.address:
            raise SendStoppedError("the server refused the message")
        return None

    message = template()
    with Journal.in_memory() as journal:
        begin(journal, message, [ANN, BOB, CAT])
        first = deliver(message, [ANN, BOB, CAT], MemoryTransport(refuse_bob), journal)
        assert first.sent == 1
        assert first.stopped == "the server refused the message"
        assert first.failed == []
        states = {entry.address: entry.state for entry in journal.entries()}
        assert states == {
            ANN.address: State.SENT,
            BOB.address: State.PENDING,
            CAT.address: State.PENDING,
        }

        transport = MemoryTransport()
        second = deliver(message, [ANN, BOB, CAT], transport, journal)

    assert second.sent == 2
    assert [envelope.recipient for envelope in transport.sent] == [
        BOB.address,
        CAT.address,
    ]


def test_importing_sending_loads_no_renderer_loader_or_judge() -> None:
    code = (
        "import sys, bulletin.sending\n"
        "heavy = {'jinja2', 'mjml', 'premailer', 'yaml', 'markdown_it', 'PIL'}\n"
        "stages = {'bulletin.loading', 'bulletin.rendering', 'bulletin.checking',"
        " 'bulletin.commands'}\n"
        "found = (heavy | stages) & set(sys.modules)\n"
        "assert not found, sorted(found)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("reply", ["550 5.1.1 no such user", "451 4.3.0 try later"])
def test_the_journal_records_the_transports_reply(reply: str) -> None:
    verdict = Verdict.BOUNCED if reply.startswith("5") else Verdict.DEFERRED
    transport = MemoryTransport(lambda envelope: Attempt(verdict, reply))
    message = template()
    with Journal.in_memory() as journal:
        begin(journal, message, [ANN])
        # No retries within the run: a deferred reader is left for the next one.
        deliver(
            message, [ANN], transport, journal, options=DeliveryOptions(retry_delays=())
        )
        (entry,) = journal.entries()
    assert entry.reply == reply
    assert entry.state is (
        State.FAILED if verdict is Verdict.BOUNCED else State.DEFERRED
    )
