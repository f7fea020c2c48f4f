"""A rendered edition as an email message (MIME), deterministic byte for byte.

``multipart/alternative`` with the plain text first and the HTML last (mail
clients show the last part they can), wrapped in ``multipart/related`` with
the images when they are embedded (``cid:``). The same edition always gives
the same bytes: the Date comes from the edition, the Message-ID and the MIME
boundaries are derived from its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from bulletin.errors import ContentError
from bulletin.fields import UNSUBSCRIBE_URL, fill_html, fill_text
from bulletin.headers import is_header_safe
from bulletin.rendering import Rendered
from bulletin.settings import Settings

__all__ = ["edition_message", "message_id", "preview_values"]

FALLBACK_DOMAIN = "bulletin.invalid"
"""The Message-ID domain when no sender is set (``.invalid`` is reserved: RFC 2606)."""


def message_id(rendered: Rendered, domain: str, *, salt: str = "") -> str:
    """A Message-ID that is the same for the same content (and ``salt``).

    Never the host name: it would leak the editor's machine.
    """
    digest = _digest(rendered, salt)[:32]
    return f"<{digest}.{rendered.slug[:40] or 'edition'}@{domain}>"


def preview_values(settings: Settings) -> dict[str, str]:
    """Field values for a preview copy: defaults everywhere, a sample unsubscribe link."""
    if settings.unsubscribe_url is None:
        return {}
    return {UNSUBSCRIBE_URL: settings.unsubscribe_url.replace("{token}", "preview")}


def edition_message(
    rendered: Rendered,
    settings: Settings,
    date: dt.date | dt.datetime,
    *,
    to: str | None = None,
    values: Mapping[str, str] | None = None,
    salt: str = "",
) -> EmailMessage:
    """Build the message for ``rendered``, its fields filled from ``values``.

    Args:
        rendered: the rendered edition.
        settings: gives the sender (From, and the Message-ID's domain).
        date: the Date header; a date means midnight UTC.
        to: the To address, if any.
        values: personal field values; a field without one shows its default.
        salt: mixed into the Message-ID, so that e.g. a test send differs from
            the real one.

    Raises:
        ContentError: a header value holds a line break or control character.
    """
    values = values or {}
    when = (
        date
        if isinstance(date, dt.datetime)
        else dt.datetime.combine(date, dt.time(), dt.UTC)
    )
    digest = _digest(rendered, salt)
    body = EmailMessage(policy=SMTP)
    body.set_content(fill_text(rendered.text, values), cte="quoted-printable")
    body.add_alternative(
        fill_html(rendered.html, values), subtype="html", cte="quoted-printable"
    )
    body.set_boundary(f"alt-{digest[:24]}")
    for part in (body, *body.iter_parts()):
        del part["MIME-Version"]  # only the message itself carries it
    message = EmailMessage(policy=SMTP)
    sender = settings.sender
    headers = {
        "From": formataddr((sender.name, sender.address)) if sender else None,
        "To": to,
        "Subject": rendered.subject,
        "Date": format_datetime(when),
        "Message-ID": message_id(
            rendered, sender.domain if sender else FALLBACK_DOMAIN, salt=salt
        ),
        "MIME-Version": "1.0",
    }
    for name, value in headers.items():
        if value is None:
            continue
        if not is_header_safe(value):
            raise ContentError(
                f"{name} header {value!r} contains a line break or control character"
            )
        message[name] = value
    if rendered.images_embedded and rendered.assets:
        message["Content-Type"] = "multipart/related"
        message.set_param("type", "multipart/alternative")
        message.set_boundary(f"rel-{digest[:24]}")
        message.attach(body)
        for asset in rendered.assets:
            maintype, _, subtype = asset.content_type.partition("/")
            image = EmailMessage(policy=SMTP)
            image.set_content(
                asset.data,
                maintype,
                subtype,
                cid=f"<{asset.name}>",
                filename=asset.name,
                disposition="inline",
            )
            del image["MIME-Version"]
            message.attach(image)
    else:
        for name, value in body.items():
            message[name] = value
        message.set_payload(body.get_payload())
    return message


def _digest(rendered: Rendered, salt: str) -> str:
    hasher = hashlib.sha256()
    for part in (rendered.subject, rendered.html, rendered.text, salt):
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\0")
    for asset in rendered.assets:
        hasher.update(asset.name.encode("ascii"))
    return hasher.hexdigest()
