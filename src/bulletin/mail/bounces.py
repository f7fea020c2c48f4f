"""What a mail in the sending mailbox says: a bounce, an auto-reply, an unsubscribe.

Pure: a mail in, a :class:`Finding` out, no network and no files. The order
of the questions matters:

1. A delivery status notification (RFC 3464, ``multipart/report;
   report-type=delivery-status``) is read field by field: each recipient's
   ``Action``, ``Status`` (an RFC 3463 code) and ``Diagnostic-Code``.
2. Any other mail that looks like a bounce (from a mailer daemon, an empty
   return path, ``X-Failed-Recipients``, a subject such as "Undeliverable")
   is given to flufl.bounce, Mailman's detectors, which know the older
   formats of Exim, Postfix, Exchange and others; a status code in its text
   is read if there is one.
3. An auto-reply or out-of-office (``Auto-Submitted``, ``X-Autoreply``,
   ``Precedence: auto_reply``, "Automatic reply:" and such subjects) is
   ignored: it says nothing about the address.
4. A mail to the list's unsubscribe address, or whose subject is
   "unsubscribe", is a request to be taken off the list, from its sender.

Everything else (a reader's reply, say) is :attr:`Kind.OTHER`: left alone.

A status code decides how hard a bounce is (:func:`severity`): the mailbox
does not exist (5.1.1, 5.1.2, 5.1.3, 5.1.6, 5.1.10) is hard; 4.x.x and a full
mailbox (5.2.2) are soft; a refusal of the sender or the message (5.1.7,
5.1.8, 5.2.3, 5.3.4, 5.6.x, 5.7.x, a spam block) blames the message, not the
reader: nothing is counted against them. A permanent failure without a code
is hard only when its words say the mailbox does not exist.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import enum
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from typing import Any

from flufl.bounce import all_failures

from bulletin.mail.dsn import (
    MAX_TEXT,
    address_field,
    clean,
    header_text,
    message_ids,
    status_groups,
)

__all__ = [
    "HARD_CODES",
    "Bounce",
    "Finding",
    "Kind",
    "classify",
    "mail_id",
    "parse",
    "severity",
]

HARD_CODES = frozenset({"1.1", "1.2", "1.3", "1.6", "1.10"})
"""The subject.detail of an RFC 3463 code that says the mailbox is not there:
bad mailbox, bad domain, bad address syntax, moved with no forwarding address,
recipient address has a null MX (RFC 7505)."""

_BLOCKED_CODES = frozenset({"1.7", "1.8", "2.3", "3.4"})
"""About the sender or the message: bad sender address or domain, too big."""

_CODE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_GONE_WORDS = re.compile(
    r"user unknown|unknown user|no such (?:user|mailbox|recipient)|"
    r"does not exist|doesn'?t exist|mailbox unavailable|invalid (?:recipient|mailbox)|"
    r"recipient not found|address rejected|account (?:has been )?disabled|"
    r"not a valid mailbox|unrouteable address|no mailbox here",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (?:status|failure|has failed|failed|notification)|"
    r"returned mail|mail delivery (?:failed|system)|failure notice|"
    r"non[- ]?delivery|nicht zustellbar|unzustellbar|non remis",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mdaemon)@", re.I)
_AUTO_SUBJECT = re.compile(
    r"^(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|"
    r"out of (?:the )?office|ooo\b|away from (?:the )?office|on (?:annual )?leave|"
    r"vacation|abwesenheit|r[ée]ponse automatique|absence)",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fwd?|aw|wg|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_UNSUBSCRIBE = re.compile(
    r"^\W*(?:please\s+)?(?:unsubscribe|remove)(?:\s+me)?(?:\s+from.*)?\W*$",
    re.IGNORECASE,
)


class Kind(enum.StrEnum):
    """What a mail is, as far as the list is concerned."""

    HARD = "hard"
    """The mailbox does not exist: suppress the reader now."""
    SOFT = "soft"
    """For now or for a reason that may pass (full, down, delayed for good):
    counted, and suppressed after bounces in several editions."""
    BLOCKED = "blocked"
    """Refused for the sender or the message (policy, spam, size): not the
    reader's doing, so nothing is counted against them."""
    DELAYED = "delayed"
    """A warning that delivery is still being tried: nothing to do yet."""
    AUTO_REPLY = "auto-reply"
    """An out-of-office or other automatic answer: ignored."""
    UNSUBSCRIBE = "unsubscribe"
    """Someone asks by mail to be taken off the list."""
    MALFORMED = "malformed"
    """Says it is a bounce but names no recipient that can be read."""
    OTHER = "other"
    """Not for bulletin: a person's reply, say. Left where it is."""


@dataclass(frozen=True, slots=True)
class Bounce:
    """One recipient a notification is about."""

    address: str
    kind: Kind
    status: str = ""
    """The RFC 3463 code (``5.1.1``), or empty when none was given."""
    diagnostic: str = ""
    """The remote server's words, cleaned and shortened."""


@dataclass(frozen=True, slots=True)
class Finding:
    """What one mail says."""

    kind: Kind
    """The kind of the mail as a whole (the worst of its bounces)."""
    mail_id: str
    """Its Message-ID, or a digest of it when it has none: what a re-run
    recognises it by."""
    subject: str = ""
    sender: str = ""
    """Its From address (for an unsubscribe request: who asks)."""
    date: str = ""
    """Its Date header as written."""
    bounces: tuple[Bounce, ...] = ()
    original_ids: tuple[str, ...] = ()
    """Message-IDs of the message it is about (from the returned copy or its
    headers, ``In-Reply-To`` and ``References``), for the send journal."""
    problem: str = ""
    """Why a mail could not be read as what it claims to be."""
    detectors: tuple[str, ...] = field(default=(), compare=False)
    """How it was recognised: ``rfc3464``, ``flufl``, ``headers``, ``subject``."""


@dataclass(frozen=True, slots=True)
class _Head:
    """What every finding tells of its mail."""

    mail_id: str
    subject: str
    sender: str
    date: str


def _found(head: _Head, kind: Kind, **details: Any) -> Finding:
    return Finding(kind, head.mail_id, head.subject, head.sender, head.date, **details)


def parse(raw: bytes) -> email.message.Message:
    """The mail in ``raw`` bytes, parsed leniently (as flufl.bounce expects it)."""
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def mail_id(message: email.message.Message, raw: bytes) -> str:
    """A mail's Message-ID, or ``sha256:`` and a digest of its bytes."""
    found = message_ids(header_text(message.get("Message-ID")))
    if found:
        return found[0]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def severity(status: str, *, permanent: bool, text: str = "") -> Kind:
    """What an RFC 3463 ``status`` (or, without one, the failure's ``text``) means.

    >>> severity("5.1.1", permanent=True)
    <Kind.HARD: 'hard'>
    >>> severity("5.2.2", permanent=True)
    <Kind.SOFT: 'soft'>
    >>> severity("5.7.1", permanent=True)
    <Kind.BLOCKED: 'blocked'>
    >>> severity("", permanent=True, text="550 No such user here")
    <Kind.HARD: 'hard'>
    """
    found = _CODE.search(status or "")
    if found is None:
        if permanent and _GONE_WORDS.search(text):
            return Kind.HARD
        return Kind.SOFT
    klass, detail = found.group(1), f"{int(found.group(2))}.{int(found.group(3))}"
    subject = found.group(2)
    if klass == "4":
        return Kind.SOFT
    if detail in HARD_CODES:
        return Kind.HARD
    if detail in _BLOCKED_CODES or subject in ("6", "7"):
        return Kind.BLOCKED
    return Kind.SOFT


def classify(
    raw: bytes,
    *,
    unsubscribe_addresses: Collection[str] = (),
    message: email.message.Message | None = None,
) -> Finding:
    """Read one mail of the sending mailbox.

    Args:
        raw: the mail as received.
        unsubscribe_addresses: the list's unsubscribe mailbox(es), case-folded.
        message: ``raw`` already parsed, if it was.
    """
    message = parse(raw) if message is None else message
    ident = mail_id(message, raw)
    subject = header_text(message.get("Subject"))
    sender = parseaddr(header_text(message.get("From")))[1]
    base = _Head(ident, subject, sender, header_text(message.get("Date")))
    if not message.keys():
        return _found(base, Kind.MALFORMED, problem="not a mail: it has no headers")
    references = tuple(
        message_ids(
            " ".join(
                header_text(message.get(name)) for name in ("In-Reply-To", "References")
            )
        )
    )
    if _is_report(message, "delivery-status") or _is_report(
        message, "global-delivery-status"
    ):
        return _from_dsn(message, references, base)
    if _looks_bounced(message, subject, sender):
        finding = _from_flufl(message, references, base)
        if finding is not None:
            return finding
    if _is_auto_reply(message, subject):
        return _found(base, Kind.AUTO_REPLY, detectors=("headers",))
    if _asks_to_unsubscribe(message, subject, unsubscribe_addresses):
        return _found(
            base,
            Kind.UNSUBSCRIBE,
            bounces=(Bounce(sender, Kind.UNSUBSCRIBE, diagnostic=subject[:MAX_TEXT]),)
            if sender
            else (),
            original_ids=references,
            problem="" if sender else "an unsubscribe request with no From address",
            detectors=("subject",),
        )
    if _looks_bounced(message, subject, sender):
        return _found(
            base,
            Kind.MALFORMED,
            original_ids=references,
            problem="looks like a bounce, but names no recipient that can be read",
        )
    return _found(base, Kind.OTHER, original_ids=references)


# -- RFC 3464 -----------------------------------------------------------------


def _from_dsn(
    message: email.message.Message,
    references: tuple[str, ...],
    base: _Head,
) -> Finding:
    status_part = next(
        (
            part
            for part in message.walk()
            if part.get_content_type()
            in ("message/delivery-status", "message/global-delivery-status")
        ),
        None,
    )
    originals = references + _returned_ids(message)
    if status_part is None:
        return _found(
            base,
            Kind.MALFORMED,
            original_ids=originals,
            problem="a delivery report with no message/delivery-status part",
            detectors=("rfc3464",),
        )
    bounces: list[Bounce] = []
    for fields in status_groups(status_part):
        recipient = address_field(
            fields.get("original-recipient") or fields.get("final-recipient", "")
        )
        if not recipient or "@" not in recipient:
            continue
        action = fields.get("action", "").strip().lower()
        status = _CODE.search(fields.get("status", ""))
        code = status.group(0) if status else ""
        diagnostic = clean(fields.get("diagnostic-code", "").partition(";")[2])
        if action in ("delivered", "relayed", "expanded"):
            continue
        if action == "delayed":
            kind = Kind.DELAYED
        elif action == "failed" or code.startswith("5"):
            kind = severity(code, permanent=True, text=diagnostic)
        else:
            kind = Kind.SOFT if code.startswith("4") else Kind.DELAYED
        bounces.append(Bounce(recipient, kind, code, diagnostic))
    if not bounces:
        return _found(
            base,
            Kind.MALFORMED,
            original_ids=originals,
            problem="a delivery report whose recipients cannot be read "
            "(no Final-Recipient with an address)",
            detectors=("rfc3464",),
        )
    return _found(
        base,
        _worst(bounces),
        bounces=tuple(bounces),
        original_ids=originals,
        detectors=("rfc3464",),
    )


def _returned_ids(message: email.message.Message) -> tuple[str, ...]:
    """Message-IDs of the returned message (message/rfc822 or text/rfc822-headers)."""
    found: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                first = inner[0]
                if isinstance(first, email.message.Message):
                    found += message_ids(header_text(first.get("Message-ID")))
        elif kind in ("text/rfc822-headers", "message/global-headers"):
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                headers = email.message_from_bytes(text, policy=email.policy.compat32)
                found += message_ids(header_text(headers.get("Message-ID")))
    return tuple(found)


# -- other bounces (flufl.bounce) ----------------------------------------------


def _looks_bounced(message: email.message.Message, subject: str, sender: str) -> bool:
    return bool(
        "X-Failed-Recipients" in message
        or _DAEMON.match(sender)
        or message.get("Return-Path", "").strip() == "<>"
        or _BOUNCE_SUBJECT.search(subject)
    )


def _from_flufl(
    message: email.message.Message,
    references: tuple[str, ...],
    base: _Head,
) -> Finding | None:
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # its heuristics on a broken mail: treat as unreadable
        return None
    failed = sorted({*temporary, *permanent})
    if not failed and "X-Failed-Recipients" in message:
        permanent = frozenset(
            address.encode()
            for _, address in getaddresses(
                [header_text(message["X-Failed-Recipients"])]
            )
            if address
        )
        failed = sorted(permanent)
    if not failed:
        return None
    body = _bodyheader_text(message)
    bounces = []
    for each in failed:
        address = each.decode("utf-8", "replace").strip("<>")
        if "@" not in address:
            continue
        text = _near(body, address)
        found = _CODE.search(text)
        code = found.group(0) if found else ""
        kind = severity(code, permanent=each in permanent, text=text)
        bounces.append(Bounce(address, kind, code, clean(text)))
    if not bounces:
        return None
    return _found(
        base,
        _worst(bounces),
        bounces=tuple(bounces),
        original_ids=(*references, *_returned_ids(message), *_body_ids(body)),
        detectors=("flufl",),
    )


def _near(body: str, address: str) -> str:
    """The lines of ``body`` from the one naming ``address``: its failure's words."""
    lines = body.splitlines()
    for index, line in enumerate(lines):
        if address.lower() in line.lower():
            return " ".join(line.strip() for line in lines[index : index + 4])
    return " ".join(line.strip() for line in lines[:20])


def _bodyheader_text(message: email.message.Message) -> str:
    parts: list[str] = []
    for part in message.walk():
        if part.get_content_maintype() == "text" and len(parts) < 4:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                charset = part.get_content_charset() or "utf-8"
                try:
                    parts.append(payload.decode(charset, "replace")[:20_000])
                except (LookupError, UnicodeError):  # no such charset, or idna
                    parts.append(payload.decode("utf-8", "replace")[:20_000])
    return "\n".join(parts)


def _body_ids(body: str) -> list[str]:
    """Message-IDs a bounce quotes in its text (``Message-ID: <...>``)."""
    return message_ids(
        " ".join(re.findall(r"(?im)^\s*message-id:\s*(<[^>\s]+>)", body))
    )


# -- auto-replies and unsubscribe requests --------------------------------------


def _is_auto_reply(message: email.message.Message, subject: str) -> bool:
    auto = message.get("Auto-Submitted", "").strip().lower()
    precedence = message.get("Precedence", "").strip().lower()
    return bool(
        (auto and auto != "no")
        or "X-Autoreply" in message
        or "X-Autorespond" in message
        or precedence in ("auto_reply", "junk")
        or _is_report(message, "disposition-notification")
        or _AUTO_SUBJECT.match(_REPLY_PREFIX.sub("", subject))
    )


def _asks_to_unsubscribe(
    message: email.message.Message, subject: str, unsubscribe: Collection[str]
) -> bool:
    if _UNSUBSCRIBE.match(_REPLY_PREFIX.sub("", subject)):
        return True
    if not unsubscribe:
        return False
    delivered = " ".join(
        header_text(value)
        for name in ("To", "Cc", "Delivered-To", "X-Original-To")
        for value in message.get_all(name, [])
    )
    return any(
        address.lower() in unsubscribe for _, address in getaddresses([delivered])
    )


# -- small helpers ----------------------------------------------------------------


def _is_report(message: email.message.Message, report: str) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and (message.get_param("report-type") or "").__str__().lower() == report
    )


_ORDER = (Kind.HARD, Kind.SOFT, Kind.BLOCKED, Kind.DELAYED)


def _worst(bounces: list[Bounce]) -> Kind:
    kinds = {bounce.kind for bounce in bounces}
    return next(kind for kind in _ORDER if kind in kinds)
