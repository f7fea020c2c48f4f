"""What an SMTP server's reply means for a recipient, or for the whole run.

One recipient per transaction, so a refusal at RCPT (or, for servers that
check mailboxes late, after the final dot) may be about that recipient's
mailbox. Only an unambiguous verdict on the mailbox suppresses a reader: the
enhanced codes (RFC 3463) 5.1.1, 5.1.2, 5.1.6 and 5.1.10. A bare 550 or 553 is
often the relay refusing to relay, 5.7.x is policy and 5.1.7/5.1.8 are about
the sender: none says the reader is gone, so a reader refused that way is
:attr:`Verdict.REFUSED` for this run (tried again next run), or the run stops.
5.2.x is about one mailbox (full, disabled): that reader fails, unsuppressed.
A refusal of the login, the sender, or the message itself (554, 5.3.4 too big,
5.6.x, 5.7.x after the data) concerns every recipient alike: the run stops,
blaming nobody (:class:`ServerRefusalError`). 4xx replies are temporary everywhere.

A server's reply text is the server's to choose, and it is printed and kept
in the journal and the suppression list: :func:`printable` takes out terminal
escape sequences and control characters first, so a reply cannot recolour,
move or clear the editor's terminal, or hide text in a log.
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
    "ServerRefusalError",
    "Stage",
    "Verdict",
    "judge",
    "printable",
    "stopping",
]

Stage = Literal["connect", "starttls", "auth", "mail", "rcpt", "data", "end"]
"""Where in the conversation a reply came: ``end`` is the reply to the final dot."""

_ENHANCED = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})\b")
_MICROSOFT_BASIC_AUTH_OFF = ("5.7.30", "5.7.139")
"""Microsoft 365's replies when SMTP basic authentication is turned off."""
GONE = frozenset({"5.1.1", "5.1.2", "5.1.6", "5.1.10"})
"""The enhanced codes that say a mailbox does not exist (RFC 3463, RFC 7505):
bad destination mailbox, bad destination system, moved with no forwarding
address, null MX. The only replies that put a reader on the suppression list."""
_SENDER = frozenset({"5.1.7", "5.1.8"})
"""Enhanced codes about the sender's address, whatever stage they come at."""
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?   # CSI: colours, cursor moves
    | (?:\x1b[\]P^_X]|[\x90\x98\x9d-\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)  # OSC, DCS...: titles, links
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                         # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""Control characters (C0 but tab and line breaks, DEL, C1) and the Unicode
direction marks and overrides that reorder what a terminal shows."""
_MAX_TEXT = 2000
"""The most characters of a reply kept; servers' replies are a line or two."""


def printable(text: str) -> str:
    """``text`` without escape sequences or control characters, on one line.

    Line breaks and tabs become single spaces; the rest is kept as it is.

    Example:
        >>> printable("550 5.1.1 \\x1b[2J\\x1b[31mno such user\\x1b[0m\\r\\n\\x07")
        '550 5.1.1 no such user'
    """
    text = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


@dataclass(frozen=True, slots=True)
class Reply:
    """A server's reply: its code and text (lines joined with spaces)."""

    code: int
    text: str
    """Made :func:`printable` when the reply is made."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", printable(self.text))

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
    """Refused for good, for reasons of this mailbox (5.2.x: full, disabled); not
    suppressed."""
    BOUNCED = "bounced"
    """The mailbox does not exist (5.1.1, 5.1.2, 5.1.6, 5.1.10): failed, and to be
    suppressed."""
    REFUSED = "refused"
    """Refused for good by a reply that does not say the mailbox is gone (a bare
    550 or 553, a policy 5.7.x at RCPT): not suppressed, not tried again in this
    run, tried again by the next one."""
    IN_DOUBT = "in doubt"
    """The connection was lost after the final dot: the server may have the message."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one recipient's transaction ended."""

    verdict: Verdict
    detail: str
    """The server's reply, or what went wrong with the connection (:func:`printable`)."""
    dot_sent: bool = False
    """True when the final dot went out (the message counts against rate limits)."""
    stage: Stage | None = None
    """Where the transaction ended (the reply's stage), when known."""
    lost: bool = False
    """True when ``detail`` is a lost connection or a timeout, not a server's reply."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", printable(self.detail))

    @property
    def refused_at_rcpt(self) -> bool:
        """True when the server refused the recipient for good at RCPT."""
        return self.stage == "rcpt" and self.verdict in (
            Verdict.BOUNCED,
            Verdict.FAILED,
            Verdict.REFUSED,
        )

    @property
    def accepted(self) -> bool:
        """True when the server accepted the recipient at RCPT (whatever came after)."""
        return self.verdict in (Verdict.SENT, Verdict.IN_DOUBT) or self.stage in (
            "data",
            "end",
        )


class ServerRefusalError(SendStoppedError):
    """A server's reply that stops the run: it concerns every recipient alike."""

    def __init__(self, message: str, *, stage: Stage, reply: str) -> None:
        super().__init__(message)
        self.stage: Stage = stage
        """Where the reply came."""
        self.reply = reply
        """The server's reply, e.g. ``554 5.7.1 Message refused as spam``."""


def judge(stage: Stage, reply: Reply) -> Verdict | None:
    """What a refusal at ``stage`` means for the recipient; None when it stops the run.

    4xx anywhere is temporary. At RCPT, or after the dot (servers that check
    mailboxes late):

    - 5.1.1, 5.1.2, 5.1.6, 5.1.10: the mailbox does not exist (:data:`GONE`);
    - 5.2.x: this mailbox is full or disabled: that reader fails;
    - other 5.1.x and 5.4.x, and at RCPT a bare 550, 551, 552 or 553 or a
      policy 5.7.x (but with 554): refused for this run, nobody suppressed;
    - 5.1.7 and 5.1.8 (the sender), 554 at RCPT, and after the dot 5.3.x (too
      big), 5.6.x, 5.7.x (content, policy) and bare codes but 552: the run stops.

    Any 5xx at another stage (the login, the sender, DATA) stops the run.

    >>> judge("rcpt", Reply(550, "5.1.1 No such user"))
    <Verdict.BOUNCED: 'bounced'>
    >>> judge("rcpt", Reply(452, "4.5.3 Too many recipients"))
    <Verdict.DEFERRED: 'deferred'>
    >>> judge("rcpt", Reply(550, "relay not permitted"))
    <Verdict.REFUSED: 'refused'>
    >>> judge("end", Reply(552, "5.2.2 Mailbox full"))
    <Verdict.FAILED: 'failed'>
    >>> judge("end", Reply(552, "5.3.4 Message too big")) is None
    True
    """
    if 400 <= reply.code < 500:
        return Verdict.DEFERRED
    if stage not in ("rcpt", "end"):
        return None
    enhanced = reply.enhanced
    if enhanced is None:
        if stage == "rcpt" and reply.code in (550, 551, 552, 553):
            return Verdict.REFUSED
        if stage == "end" and reply.code == 552:  # "storage allocation": whose?
            return Verdict.REFUSED
        return None
    if enhanced in GONE:
        return Verdict.BOUNCED
    if enhanced in _SENDER:
        return None
    subject = enhanced.split(".")[1]
    if subject == "2":
        return Verdict.FAILED
    if subject in ("1", "4"):
        return Verdict.REFUSED
    if subject == "7" and stage == "rcpt" and reply.code != 554:
        return Verdict.REFUSED
    return None


def stopping(stage: Stage, reply: Reply, host: str) -> ServerRefusalError:
    """The error that stops the run for ``reply`` at ``stage``, naming the cause and what to do."""
    if reply.enhanced in _MICROSOFT_BASIC_AUTH_OFF:
        return ServerRefusalError(
            f"{host} has turned off logging in with a password ({reply}); "
            'Microsoft 365 needs auth = "xoauth2" with a token, or send through a '
            "relay (see the README, Sending with Microsoft 365)",
            stage=stage,
            reply=str(reply),
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
    if reply.enhanced in _SENDER:
        hint = (
            "; it is about the sender's address: check [sender] address in "
            "bulletin.toml"
        )
    elif reply.enhanced and reply.enhanced.startswith("5.3."):
        hint = "; the message is too big for this server: make the edition smaller"
    elif stage != "auth" and reply.enhanced and reply.enhanced.startswith("5.7."):
        hint = "; it is a policy or permission refusal: ask the mail server's administrator"
    return ServerRefusalError(
        f"{host} {what}: {reply}{hint}. Nobody was marked failed; run the same "
        "command again to carry on once this is put right",
        stage=stage,
        reply=str(reply),
    )
