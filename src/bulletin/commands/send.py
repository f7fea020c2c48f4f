"""``bulletin send``: a prepared mailing to its readers, by SMTP or into an outbox.

The command line's ``send`` prepares the mailing (:func:`~bulletin.commands.mailing.prepare`),
then calls one of these and prints what they return:

- :func:`open_send` finds the server and the login, opens the edition's
  journal and begins it; :meth:`SmtpSend.deliver` then sends and returns a
  :class:`SendReport` with every count the editor is shown;
- :func:`send_test_copies` sends test copies, touching no journal;
- :func:`write_to_outbox` writes one ``.eml`` per reader instead;
- :func:`server_description` names the server a send would use, for a dry run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bulletin.commands.mailing import Mailing
from bulletin.commands.smtpconfig import Outgoing, outgoing
from bulletin.errors import BulletinError
from bulletin.mail.message import list_id
from bulletin.mail.suppression import SuppressionList
from bulletin.sending.credentials import login_for
from bulletin.sending.delivery import (
    Delivery,
    DeliveryOptions,
    Progress,
    begin,
    deliver,
    send_tests,
    sender_of,
)
from bulletin.sending.journal import Journal, State, journal_path
from bulletin.sending.outbox import OutboxResult, write_outbox
from bulletin.sending.ratelimit import Cap
from bulletin.sending.replies import Attempt
from bulletin.sending.smtp import SmtpConnection

__all__ = [
    "LABELS",
    "SendOptions",
    "SendReport",
    "SmtpSend",
    "left_out",
    "more_connections",
    "open_send",
    "send_test_copies",
    "server_description",
    "write_to_outbox",
]

LABELS = {
    State.PENDING: "not yet sent",
    State.SENDING: "being sent now",
    State.SENT: "sent",
    State.DEFERRED: "deferred (tried again next run)",
    State.FAILED: "failed",
    State.IN_DOUBT: "in doubt",
    State.SUPPRESSED: "suppressed",
}
"""The words ``send`` and ``status`` both use for each state of the journal."""

Prompt = Callable[[str], str]
"""Asks the user for a secret (the CLI hides what is typed); None when nobody is there."""


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How ``send`` reaches the server and keeps its journal."""

    journal: Path | None = None
    """The journal's file; by default one per edition in bulletin's state folder."""
    allow_changed: bool = False
    """Carry on although the edition or the list changed since the first run."""
    resend_in_doubt: bool = False
    """Send again to readers whose message may or may not have arrived."""
    rates: tuple[str, ...] = ()
    """Rate caps, e.g. ``30/min``, replacing bulletin.toml's."""
    preset: str | None = None
    """A provider's caps, e.g. ``m365``; ``"none"`` (or ``""``) for none."""
    smtp: Mapping[str, object] = field(default_factory=dict)
    """``[smtp]`` keys given on the command line (host, port, security, ...)."""


def left_out(mailing: Mailing) -> list[tuple[str, int]]:
    """Readers of the list not sent to: suppressed, invalid and duplicate."""
    listed = mailing.recipients
    found = [
        ("suppressed", len(mailing.suppressed)),
        ("invalid", len(listed.rejected)),
        ("duplicate", len(listed.duplicates)),
    ]
    if mailing.chosen:
        found.append(
            (f"not in {mailing.chosen}", len(mailing.on_list) - len(mailing.to_send))
        )
    return found


def server_description(mailing: Mailing, options: SendOptions) -> str:
    """The server a send would use (``host:port (security, as user)``), or what is wrong."""
    try:
        out = outgoing(mailing.source.config, options=options.smtp)
    except BulletinError as error:
        return f"(not ready: {error})"
    smtp = out.smtp
    login = f", as {smtp.username}" if smtp.username else ""
    several = f", {out.connections} connections" if out.connections > 1 else ""
    return f"{smtp.address} ({smtp.security}{login}{several})"


def connect(
    mailing: Mailing, options: SendOptions, prompt: Prompt | None = None
) -> tuple[Outgoing, SmtpConnection]:
    """The server, caps and login for ``mailing``; nothing is opened yet.

    Raises:
        BulletinError: the settings are incomplete or wrong, or no password.
    """
    preset = options.preset
    if preset is not None and preset.strip().casefold() == "none":
        preset = ""  # no caps, as the help says
    out = outgoing(
        mailing.source.config,
        options=options.smtp,
        rates=options.rates,
        preset=preset,
    )
    login = login_for(out.smtp, token_command=out.token_command, prompt=prompt)
    return out, SmtpConnection(out.smtp, login)


def more_connections(out: Outgoing, first: SmtpConnection) -> list[SmtpConnection]:
    """``first`` and the others ``connections`` asks for, with the same login."""
    return [
        first,
        *(SmtpConnection(out.smtp, first.login) for _ in range(out.connections - 1)),
    ]


def send_test_copies(
    mailing: Mailing,
    addresses: list[str],
    options: SendOptions,
    prompt: Prompt | None = None,
) -> list[tuple[str, Attempt]]:
    """Send a test copy to each of ``addresses``; the journal is not touched.

    Raises:
        BulletinError: the settings are wrong, or the server stopped the run.
        OSError: the server cannot be reached.
    """
    _, connection = connect(mailing, options, prompt)
    with connection:
        return send_tests(
            mailing.test_messages(addresses), connection, sender_of(mailing.template)
        )


@dataclass(frozen=True, slots=True)
class SendReport:
    """What a send did, and what is left: everything ``send`` prints at the end."""

    delivery: Delivery
    """This run: sent, failed, deferred, bounced, and why it stopped."""
    sent_before: int
    """Readers sent to in earlier runs."""
    in_doubt: int
    """Readers on the list whose message may or may not have arrived."""
    left: int
    """Readers on the list still waiting to be sent."""
    left_out: list[tuple[str, int]]
    """Readers not sent to, by reason (see :func:`left_out`); a reader found gone
    in an earlier run is counted as failed then, not as suppressed, as
    ``status`` does."""
    rejected_rows: int
    """Rows of the list set aside as invalid."""
    suppressions: Path
    """The suppression list bounced readers were added to."""
    failed_before: int = 0
    """Readers of the list that failed in earlier runs (bounced ones included)."""

    @property
    def rows(self) -> list[tuple[str, int]]:
        """The counts to show, with their labels; zeros left out but "sent"."""
        delivery = self.delivery
        rows = [
            ("sent", delivery.sent),
            ("sent in earlier runs", self.sent_before),
            (LABELS[State.DEFERRED], len(delivery.deferred)),
            ("failed", len(delivery.failed)),
            ("failed in earlier runs", self.failed_before),
            ("in doubt", self.in_doubt),
            (LABELS[State.PENDING], self.left),
            *self.left_out,
        ]
        return [(label, number) for label, number in rows if number or label == "sent"]

    @property
    def unfinished(self) -> bool:
        """True when anyone is left to send, failed, is in doubt, or rows were rejected."""
        delivery = self.delivery
        return bool(
            delivery.stopped
            or delivery.failed
            or delivery.deferred
            or self.in_doubt
            or self.rejected_rows
            or self.left
        )


class SmtpSend:
    """A send by SMTP, begun: its journal open, what changed known, ready to deliver.

    Made by :func:`open_send`; use it as a context manager, so the journal is
    closed (and other runs let in) whatever happens.
    """

    def __init__(
        self,
        mailing: Mailing,
        options: SendOptions,
        out: Outgoing,
        connection: SmtpConnection,
        journal: Journal,
    ) -> None:
        self.mailing = mailing
        self.options = options
        self.connection = connection
        self.connections = more_connections(out, connection)
        """Every connection the send uses (``connections`` in ``[smtp]``)."""
        self.journal = journal
        self.caps: tuple[Cap, ...] = out.caps
        """The rate caps kept to."""
        self.changes: list[str] = []
        """What changed since the first run (only when ``allow_changed``)."""

    def __enter__(self) -> SmtpSend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.journal.close()

    def on_list(self, *states: State) -> int:
        """Readers of this list in the journal in any of ``states``."""
        keys = {recipient.key for recipient in self.mailing.to_send}
        return sum(1 for entry in self.journal.entries(*states) if entry.key in keys)

    @property
    def total(self) -> int:
        """Readers to send to, this run and earlier ones."""
        return len(self.mailing.to_send)

    @property
    def done(self) -> int:
        """Readers this run will not try again: sent, failed, or in doubt."""
        finished = [State.SENT, State.FAILED]
        if not self.options.resend_in_doubt:
            finished.append(State.IN_DOUBT)
        return self.on_list(*finished)

    def deliver(
        self, *, progress: Progress | None = None, stop: threading.Event | None = None
    ) -> SendReport:
        """Send to everyone not yet sent; return the counts.

        Raises:
            SendError: the journal cannot be written.
        """
        mailing = self.mailing
        delivery = deliver(
            mailing.template,
            mailing.to_send,
            self.connections,
            self.journal,
            suppressions=SuppressionList.load(mailing.suppressions),
            options=DeliveryOptions(
                caps=self.caps, resend_in_doubt=self.options.resend_in_doubt
            ),
            progress=progress,
            stop=stop,
        )
        # Readers found gone in an earlier run are on the suppression list now,
        # but the journal has them failed: counted as failed, as status does.
        failed_keys = {entry.key for entry in self.journal.entries(State.FAILED)}
        gone_before = sum(1 for r in mailing.suppressed if r.key in failed_keys)
        counted_out = [
            (label, number - gone_before if label == "suppressed" else number)
            for label, number in left_out(mailing)
        ]
        failed_on_list = self.on_list(State.FAILED) + gone_before
        return SendReport(
            delivery=delivery,
            sent_before=self.journal.counts()[State.SENT] - delivery.sent,
            in_doubt=self.on_list(State.IN_DOUBT),
            left=self.on_list(State.PENDING),
            left_out=counted_out,
            rejected_rows=len(mailing.recipients.rejected),
            suppressions=mailing.suppressions,
            failed_before=max(failed_on_list - len(delivery.failed), 0),
        )


def open_send(
    mailing: Mailing, options: SendOptions, prompt: Prompt | None = None
) -> SmtpSend:
    """Find the server and login, open the edition's journal and begin it.

    Raises:
        JournalConflictError: the edition or the list changed since the
            journal was started, or the edition has another journal.
        BulletinError: the settings are wrong, or the journal is in use.
    """
    out, connection = connect(mailing, options, prompt)
    source = mailing.source
    path = options.journal or journal_path(list_id(source.settings), source.path)
    journal = Journal.open(path)
    try:
        send = SmtpSend(mailing, options, out, connection, journal)
        send.changes = begin(
            journal,
            mailing.template,
            mailing.on_list,
            suppressed=mailing.suppressed,
            edition_name=str(source.path.resolve()),
            list_name=str(mailing.recipients.path.resolve()),
            allow_changed=options.allow_changed,
            look_beside=options.journal is None,
        )
    except BaseException:
        journal.close()
        raise
    return send


def write_to_outbox(
    mailing: Mailing, outbox: Path, tests: list[str] | None = None
) -> OutboxResult:
    """Write each reader's message (or test copies for ``tests``) into ``outbox``.

    Raises:
        BulletinError: a message cannot be made.
        OSError: the folder cannot be written.
    """
    slug = mailing.rendered.slug
    if tests:
        copies = {
            copy.recipient.key: copy
            for copy in mailing.test_messages(tests)
            if copy.recipient
        }
        return write_outbox(
            outbox,
            slug,
            [copy.recipient for copy in copies.values() if copy.recipient],
            lambda recipient: copies[recipient.key],
            lambda recipient: copies[recipient.key].message_id,
            test=True,
        )
    return write_outbox(
        outbox,
        slug,
        mailing.to_send,
        mailing.template.personal,
        mailing.template.message_id,
    )
