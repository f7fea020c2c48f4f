"""Where messages go: a :class:`Transport` takes one message for one recipient at a time.

:class:`~bulletin.sending.smtp.SmtpConnection` is the transport that talks to
a mail server. :class:`MemoryTransport` keeps the messages in a list, for a
developer's own tests (as httpx's ``MockTransport`` does for HTTP): it says
"250 accepted" to everything unless a ``reply`` function says otherwise::

    from bulletin.sending import Attempt, MemoryTransport, Verdict, deliver

    transport = MemoryTransport()
    deliver(template, recipients, transport)
    assert [envelope.recipient for envelope in transport.sent] == ["ann@example.org"]

    def full_mailbox(envelope):
        if envelope.recipient == "bob@example.org":
            return Attempt(Verdict.FAILED, "552 5.2.2 Mailbox full")
        return None   # the default: accepted

    deliver(template, recipients, MemoryTransport(full_mailbox))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bulletin.sending.replies import Attempt, Verdict

__all__ = ["Envelope", "MemoryTransport", "Transport"]


class Transport(Protocol):
    """Takes messages one recipient at a time; what :func:`~bulletin.sending.deliver` sends through."""

    @property
    def name(self) -> str:
        """How to name where messages go in messages to the user, e.g. ``smtp.example.org:587``."""
        ...

    def send(
        self,
        sender: str,
        recipient: str,
        data: bytes,
        *,
        smtputf8: bool = False,
        before_dot: Callable[[], None] | None = None,
    ) -> Attempt:
        """Offer ``data`` from ``sender`` to ``recipient``; say how it ended.

        ``before_dot`` runs at the last moment before the message is handed
        over for good (SMTP's final dot): the journal records "sending" there.

        Raises:
            SendStoppedError: a refusal that concerns the whole run.
            OSError: the destination cannot be reached; the run reconnects.
        """
        ...

    def close(self) -> None:
        """Let go of any connection; the next :meth:`send` opens one again."""
        ...


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message as a transport was given it."""

    sender: str
    """The envelope sender (SMTP ``MAIL FROM``)."""
    recipient: str
    """The envelope recipient (SMTP ``RCPT TO``)."""
    data: bytes
    """The whole message, CRLF line endings."""
    smtputf8: bool = False
    """True when it asked for the SMTPUTF8 extension."""


class MemoryTransport:
    """A transport that keeps every message it accepts in :attr:`sent`.

    Args:
        reply: decides each message's fate: return an :class:`Attempt` (e.g.
            ``Attempt(Verdict.DEFERRED, "451 4.3.0 try later")``) or raise
            :class:`~bulletin.errors.SendStoppedError` to stop the run; None
            (or no function) accepts it.
    """

    def __init__(
        self, reply: Callable[[Envelope], Attempt | None] | None = None
    ) -> None:
        self.reply = reply
        self.sent: list[Envelope] = []
        """The messages accepted, in order."""
        self.offered: list[Envelope] = []
        """Every message offered, accepted or not."""
        self.closed = 0
        """How many times :meth:`close` was called."""

    @property
    def name(self) -> str:
        """``memory``."""
        return "memory"

    def send(
        self,
        sender: str,
        recipient: str,
        data: bytes,
        *,
        smtputf8: bool = False,
        before_dot: Callable[[], None] | None = None,
    ) -> Attempt:
        """Accept the message (or do what :attr:`reply` says)."""
        envelope = Envelope(sender, recipient, data, smtputf8)
        self.offered.append(envelope)
        attempt = self.reply(envelope) if self.reply is not None else None
        if attempt is not None and attempt.verdict is not Verdict.SENT:
            if attempt.dot_sent and before_dot is not None:
                before_dot()
            return attempt
        if before_dot is not None:
            before_dot()
        self.sent.append(envelope)
        return attempt or Attempt(Verdict.SENT, "250 accepted", dot_sent=True)

    def close(self) -> None:
        """Nothing to let go of; counted in :attr:`closed`."""
        self.closed += 1
