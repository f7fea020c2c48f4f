"""The sync between the unsubscribe service and the editor's suppression list.

The service (:mod:`bulletin.service`) records each unsubscribe and
resubscribe as an event with a number that only grows. The editor's machine
asks for the events after the last number it saw (the cursor)::

    GET /sync?since=41
    Authorization: Bearer <sync key>

    {"list_id": "news.example.org", "cursor": "43", "more": false,
     "events": [{"cursor": "42", "event": "unsubscribed",
                 "email": "ann@example.org", "at": "2025-01-20T09:12:03Z"},
                {"cursor": "43", "event": "resubscribed", ...}]}

The sync key is derived from the shared unsubscribe secret, so no second
secret has to be set up, and it cannot make unsubscribe tokens::

    key = base64url(HMAC-SHA256(secret, "bulletin-sync-v1"))

The service accepts the key of any secret in ``BULLETIN_UNSUBSCRIBE_SECRET``
(rotation, as :mod:`bulletin.mail.unsubscribe` says), compared in constant time.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "EVENTS",
    "SYNC_LABEL",
    "SubscriptionEvent",
    "event_from_json",
    "event_to_json",
    "sync_key",
    "sync_key_matches",
]

SYNC_LABEL = b"bulletin-sync-v1"
"""What the sync key is the HMAC of, under the unsubscribe secret."""

EVENTS = ("unsubscribed", "resubscribed")
"""The kinds of event the service records."""

EventKind = Literal["unsubscribed", "resubscribed"]


@dataclass(frozen=True, slots=True)
class SubscriptionEvent:
    """One reader's unsubscribe or resubscribe, as the service recorded it."""

    cursor: int
    """Its number: later events have larger ones."""
    kind: EventKind
    """``unsubscribed`` or ``resubscribed``."""
    address: str
    """The reader's address, as the token named it."""
    at: dt.datetime
    """When it was recorded (timezone-aware, UTC)."""


def sync_key(secret: str | bytes) -> str:
    """The key the editor's machine shows the service, made from one secret.

    Example:
        >>> sync_key("correct horse battery")
        'yRZjECdYSrZjWfk4KIpOt4airnC-3gcYOgthMfU3EMU'
    """
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.digest(key, SYNC_LABEL, hashlib.sha256)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sync_key_matches(given: str, secrets: Sequence[str | bytes]) -> bool:
    """True when ``given`` is the sync key of one of ``secrets``.

    Every secret's key is compared, in constant time, so the time taken says
    neither how much of the key was right nor which secret matched.
    """
    presented = given.encode("ascii", "replace")
    matched = False
    for secret in secrets:
        matched |= hmac.compare_digest(presented, sync_key(secret).encode("ascii"))
    return matched


def event_to_json(event: SubscriptionEvent) -> dict[str, str]:
    """``event`` as the sync answer carries it."""
    at = event.at.astimezone(dt.UTC).isoformat(timespec="seconds")
    return {
        "cursor": str(event.cursor),
        "event": event.kind,
        "email": event.address,
        "at": at.replace("+00:00", "Z"),
    }


def event_from_json(data: Any) -> SubscriptionEvent:
    """An event from the sync answer.

    Raises:
        ValueError: it is not an event as :func:`event_to_json` writes one.
    """
    if not isinstance(data, dict):
        raise ValueError("an event is not an object")
    cursor, kind, address, at = (
        data.get(name) for name in ("cursor", "event", "email", "at")
    )
    if not isinstance(cursor, str) or not cursor.isascii() or not cursor.isdigit():
        raise ValueError(f"cursor {cursor!r} is not a number")
    if kind not in EVENTS:
        raise ValueError(f"event {kind!r} is not one of {', '.join(EVENTS)}")
    if not isinstance(address, str) or not 0 < len(address) <= 320:
        raise ValueError("email is not an address")
    if not isinstance(at, str):
        raise ValueError("at is not a time")
    when = dt.datetime.fromisoformat(at)
    if when.tzinfo is None:
        raise ValueError(f"at {at!r} has no time zone")
    return SubscriptionEvent(int(cursor), kind, address, when.astimezone(dt.UTC))
