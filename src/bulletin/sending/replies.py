"""What an SMTP server's reply means for a recipient, or for the whole run.

One recipient per transaction, so a refusal at RCPT (or, for servers that
check mailboxes late, after the final dot) is about that recipient's
mailbox. Anything else refused for good (the login, the sender, a policy, the
message itself) concerns every recipient alike: the run stops, blaming
nobody. 4xx replies are temporary everywhere.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Literal

from bulletin.errors import SendStoppedError

__all__ = [
    "Attempt",
    "Reply",
    "SendStoppedError",
    "Stage",
    "Verdict",
    "judge",
    "stopping",
]

Stage = Literal["connect", "starttls", "auth", "mail", "rcpt", "data", "end"]
"""Where in the conversation a reply came: ``end`` is the reply to the final dot."""

_ENHANCED = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})\b")
_MICROSOFT_BASIC_AUTH_OFF = ("5.7.30", "5.7.139")
"""Microsoft 365's replies when SMTP basic authentication is turned off."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A server's reply: its code and text (lines joined with spaces)."""

    code: int
    text: str

    @property
    def enhanced(self) -> str | None:
        """The enhanced status code (RFC 3463) the text starts with, e.g. ``5.1.1``."""
        match = _ENHANCED.match(self.text)
        if match is None or match.group(1) != str(self.code)[0]:
            return None
        return match.group(0)

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


class Verdict(enum.Enum):
    """What an attempt means for its recipient."""

    SENT = "sent"
    """The server took the message (250 after the final dot)."""
    DEFERRED = "deferred"
    """A temporary refusal or a lost connection before the final dot: try again later."""
    FAILED = "failed"
    """Refused for good, for reasons of this mailbox (e.g. full); not suppressed."""
    BOUNCED = "bounced"
    """The mailbox does not exist or is disabled: failed, and to be suppressed."""
    IN_DOUBT = "in doubt"
    """The connection was lost after the final dot: the server may have the message."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one recipient's transaction ended."""

    verdict: Verdict
    detail: str
    """The server's reply, or what went wrong with the connection."""
    dot_sent: bool = False
    """True when the final dot went out (the message counts against rate limits)."""


def judge(stage: Stage, reply: Reply) -> Verdict | None:
    """What a refusal at ``stage`` means for the recipient; None when it stops the run.

    4xx anywhere is temporary. At RCPT (or after the dot, for servers that
    check mailboxes late) a 5xx about the mailbox fails that recipient; a
    mailbox that does not exist is also suppressed. Any other 5xx (policy
    5.7.x, the message refused with 552 or 554, the sender refused) concerns
    the whole run, so the run stops and nobody is blamed.

    >>> judge("rcpt", Reply(550, "5.1.1 No such user"))
    <Verdict.BOUNCED: 'bounced'>
    >>> judge("rcpt", Reply(452, "4.5.3 Too many recipients"))
    <Verdict.DEFERRED: 'deferred'>
    >>> judge("end", Reply(552, "5.3.4 Message too big")) is None
    True
    """
    if 400 <= reply.code < 500:
        return Verdict.DEFERRED
    if stage not in ("rcpt", "end"):
        return None
    enhanced = reply.enhanced
    if enhanced is not None:
        if enhanced.startswith("5.1.") or enhanced == "5.2.1":
            return Verdict.BOUNCED
        if enhanced == "5.2.2" and stage == "rcpt":
            return Verdict.FAILED
        return None
    if stage == "rcpt" and reply.code in (550, 551, 553):
        return Verdict.BOUNCED
    if stage == "rcpt" and reply.code == 552:
        return Verdict.FAILED
    return None


def stopping(stage: Stage, reply: Reply, host: str) -> SendStoppedError:
    """The error that stops the run for ``reply`` at ``stage``, naming the cause and what to do."""
    if reply.enhanced in _MICROSOFT_BASIC_AUTH_OFF:
        return SendStoppedError(
            f"{host} has turned off logging in with a password ({reply}); "
            'Microsoft 365 needs auth = "xoauth2" with a token, or send through a '
            "relay (see the README, Sending with Microsoft 365)"
        )
    what = {
        "connect": "refused the connection",
        "starttls": "refused to start TLS",
        "auth": "refused the login",
        "mail": "refused the sender",
        "rcpt": "refused the recipient for a reason that is not about the mailbox",
        "data": "refused to take a message",
        "end": "refused the message",
    }[stage]
    hint = {
        "auth": "; check the username and the password or token",
        "mail": "; check [sender] address in bulletin.toml is one this account may send as",
        "end": "; check the edition's size and content",
    }.get(stage, "")
    if reply.code == 530:
        hint = (
            "; it wants TLS or a login first: check security and username under [smtp]"
        )
    if stage != "auth" and reply.enhanced and reply.enhanced.startswith("5.7."):
        hint = "; it is a policy or permission refusal: ask the mail server's administrator"
    return SendStoppedError(
        f"{host} {what}: {reply}{hint}. Nobody was marked failed; run the same "
        "command again to carry on once this is put right"
    )
