"""A rendered edition as email messages: built once, then filled in per recipient.

``multipart/alternative`` with the plain text first and the HTML last (mail
clients show the last part they can), wrapped in ``multipart/related`` with
the images when they are embedded (``cid:``). Lines end in CRLF and none is
longer than 76 octets in the bodies (quoted-printable and base64) or 998 in
the headers; non-ASCII names and subjects are RFC 2047 encoded.

Building an ``email.message.EmailMessage`` per recipient costs milliseconds,
so a :class:`MessageTemplate` builds the message once, with the email
package, and keeps its bytes in pieces: the quoted-printable body is encoded
once around each personal field marker, each piece ending in a soft line
break. Filling a recipient in encodes only their values and joins the pieces.
The same edition, date and recipient always give the same bytes.

A recipient's values come from a spreadsheet someone exported, so they are
checked as they are filled in (:meth:`MessageTemplate.problems`): a field
that is a whole link must be an https, http, mailto or tel link, and a field
in the subject must hold no line break or control character. A recipient
whose values fail gets no message: :meth:`~MessageTemplate.personal` raises.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from bulletin.errors import ContentError, RecipientError
from bulletin.mail.mime import (
    MAX_LINE,
    QuotedPrintable,
    address_header,
    check_header,
    subject_header,
)
from bulletin.mail.unsubscribe import unsubscribe_link, unsubscribe_token
from bulletin.model.audiences import variant_key
from bulletin.model.fields import UNSUBSCRIBE_URL, field_names, fill_text, link_fields
from bulletin.model.headers import is_header_safe
from bulletin.model.links import check_link
from bulletin.model.rendered import Rendered
from bulletin.model.settings import Settings
from bulletin.model.slugs import slugify

if TYPE_CHECKING:
    from bulletin.mail.recipients import Recipient

__all__ = [
    "FALLBACK_DOMAIN",
    "PREVIEW_TOKEN",
    "MessageTemplate",
    "Messages",
    "PersonalMessage",
    "edition_message",
    "list_id",
    "message_id",
    "personal_values",
    "preview_values",
]

FALLBACK_DOMAIN = "bulletin.invalid"
"""The Message-ID domain when no sender is set (``.invalid`` is reserved: RFC 2606)."""

PREVIEW_TOKEN = "preview"
"""The unsubscribe token in copies made without the secret (build, preview)."""

EMAIL = "email"
"""The field that holds the recipient's own address."""

_TEXT = b"bulletin-text-part-placeholder"
_HTML = b"bulletin-html-part-placeholder"
_PRINTABLE = "".join(chr(code) for code in range(0x20, 0x7F)) + "\r\n"


def list_id(settings: Settings) -> str | None:
    """The list's id: ``list_id`` as set, else made from the publisher and sender.

    Example:
        >>> from bulletin.model.settings import Sender
        >>> list_id(Settings(publisher="Example Partnership", sender=Sender("E", "news@example.org")))
        'example-partnership.example.org'
    """
    if settings.list_id:
        return settings.list_id
    if settings.sender is None:
        return None
    label = slugify(settings.publisher) if settings.publisher else "bulletin"
    return f"{label}.{settings.sender.domain}"


def message_id(rendered: Rendered, domain: str, *, salt: str = "") -> str:
    """A Message-ID that is the same for the same content (and ``salt``).

    Never the host name: it would leak the editor's machine.
    """
    return _message_id(_digest(rendered, salt), rendered.slug, domain)


def _message_id(hexdigest: str, slug: str, domain: str) -> str:
    return f"<{hexdigest[:32]}.{slug[:40] or 'edition'}@{domain}>"


def preview_values(settings: Settings) -> dict[str, str]:
    """Field values for a preview copy: defaults everywhere, a sample unsubscribe link."""
    return personal_values(settings, None, None)


def personal_values(
    settings: Settings, recipient: Recipient | None, secret: str | None
) -> dict[str, str]:
    """The field values for ``recipient``: their columns, address and unsubscribe link.

    Without a recipient, only the unsubscribe link, for a sample reader; without
    a ``secret``, its token is ``preview``.
    """
    values = {} if recipient is None else dict(recipient.fields)
    address = "reader@example.org" if recipient is None else recipient.address
    if recipient is not None:
        values[EMAIL] = address
    template = settings.unsubscribe_url
    if template is not None:
        token = PREVIEW_TOKEN
        if secret is not None and recipient is not None and "{token}" in template:
            token = unsubscribe_token(address, list_id(settings) or "", secret)
        values[UNSUBSCRIBE_URL] = unsubscribe_link(template, address, token)
    return values


class Messages(Protocol):
    """An edition's messages, each reader's from their variant: what a send takes.

    A :class:`MessageTemplate` (one variant for all) or an
    :class:`~bulletin.mail.variants.EditionMessages` (one per audience group).
    """

    settings: Settings
    date: dt.date | dt.datetime
    secret: str | None
    salt: str

    @property
    def rendered(self) -> Rendered:
        """The email of a reader in no audience: its subject and slug are everyone's."""

    @property
    def fingerprint(self) -> str:
        """A digest of every variant, for the journal."""

    @property
    def variants(self) -> Mapping[str, str]:
        """Each variant's fingerprint by name (``""``: the untagged parts alone)."""

    @property
    def templates(self) -> Mapping[str, MessageTemplate]:
        """Each variant's message by name."""

    def template(self, recipient: Recipient | None) -> MessageTemplate:
        """The message of ``recipient``'s variant."""

    def variant(self, recipient: Recipient | None) -> str:
        """The name of ``recipient``'s variant."""

    def personal(self, recipient: Recipient | None = None) -> PersonalMessage:
        """``recipient``'s message."""

    def message_id(self, recipient: Recipient | None) -> str:
        """The Message-ID of ``recipient``'s message."""

    def values(self, recipient: Recipient | None) -> dict[str, str]:
        """``recipient``'s field values."""

    def problems(self, recipient: Recipient | None) -> list[str]:
        """Why ``recipient``'s values cannot be sent; empty when they can."""


@dataclass(frozen=True, slots=True)
class PersonalMessage:
    """One recipient's message, ready for the wire or a file."""

    recipient: Recipient | None
    message_id: str
    data: bytes
    """The whole message, CRLF line endings."""
    smtputf8: bool
    """True when it must be sent with the SMTPUTF8 extension (a non-ASCII address)."""


class MessageTemplate:
    """An edition's message, built once, that :meth:`personal` fills in per recipient.

    Args:
        rendered: the rendered edition.
        settings: the sender (From, Message-ID domain), list id and
            unsubscribe addresses.
        date: the Date header; a date means midnight UTC.
        secret: the unsubscribe secret that signs each recipient's token; None
            gives every copy the token ``preview`` (for previews only).
        salt: mixed into every Message-ID, so that e.g. a test send and the
            real one differ.

    Raises:
        ContentError: a header value holds a line break or control character.
    """

    def __init__(
        self,
        rendered: Rendered,
        settings: Settings,
        date: dt.date | dt.datetime,
        *,
        secret: str | None = None,
        salt: str = "",
    ) -> None:
        self.rendered = rendered
        self.settings = settings
        self.date = date
        self.secret = secret
        self.salt = salt
        self.list_id = list_id(settings)
        self.domain = settings.sender.domain if settings.sender else FALLBACK_DOMAIN
        self._digest = _digest(rendered, salt)
        self._text = QuotedPrintable(rendered.text, str)
        self._html = QuotedPrintable(rendered.html, html.escape)
        sender = settings.sender
        self._from = (
            address_header("From", sender.name, sender.address) if sender else b""
        )
        # A copy for nobody in particular (build's .eml, a preview) is addressed to
        # the sender, as a test sent to oneself is: honest, and SpamAssassin scores
        # it 0, where a message with no To scores +0.9 (MISSING_HEADERS). The other
        # honest choice, "undisclosed-recipients:;", also scores 0 alone, but several
        # SpamAssassin rules (UNDISC_FREEM, UNDISC_MONEY) read it as a sign of bulk
        # spam, so it is only the fallback when there is no sender (and no From).
        self._nobody = (
            address_header("To", sender.name, sender.address)
            if sender
            else b"To: undisclosed-recipients:;\r\n"
        )
        # The subject as written, fields and all: the fingerprint's, and the
        # header itself when it has no field to fill in.
        self._subject = subject_header(rendered.subject)
        self._subject_fields = field_names(rendered.subject)
        self._link_fields = link_fields(rendered.html)
        self._list_id = (
            address_header("List-Id", settings.publisher, self.list_id)
            if self.list_id
            else b""
        )
        self._archive = _archive_headers(settings.archive_url, rendered.slug)
        skeleton = _skeleton(rendered, settings, date, self._digest)
        head, rest = skeleton.split(b"\r\n\r\n", 1)
        date_line, others = head.split(b"\r\n", 1)
        assert date_line.startswith(b"Date: ")
        self._heads = (date_line + b"\r\n", others)
        before_text, rest = rest.split(_TEXT, 1)
        between, after_html = rest.split(_HTML, 1)
        self._pieces = (b"\r\n\r\n" + before_text, between, after_html)

    def template(self, recipient: Recipient | None) -> MessageTemplate:
        """The message ``recipient`` gets: this one (see :class:`Messages`)."""
        return self

    def variant(self, recipient: Recipient | None) -> str:
        """The name of the variant every reader gets of this message (see :class:`Messages`)."""
        return variant_key(self.rendered.variant)

    @property
    def variants(self) -> Mapping[str, str]:
        """This message's one variant and its fingerprint (see :class:`Messages`)."""
        return {variant_key(self.rendered.variant): self.fingerprint}

    @property
    def templates(self) -> Mapping[str, MessageTemplate]:
        """This message, as its one variant's (see :class:`Messages`)."""
        return {variant_key(self.rendered.variant): self}

    @property
    def fingerprint(self) -> str:
        """A digest of everything sent but the date and each recipient's values.

        The send journal keeps it, to notice an edition changed between runs.
        """
        hasher = hashlib.sha256(self._digest.encode("ascii"))
        settings = self.settings
        for part in (
            self._from,
            self._subject,
            self._list_id,
            self._archive,
            self._heads[1],
            (settings.unsubscribe_url or "").encode(),
            (settings.unsubscribe_mailto or "").encode(),
        ):
            hasher.update(part)
            hasher.update(b"\0")
        return hasher.hexdigest()

    def message_id(self, recipient: Recipient | None) -> str:
        """The Message-ID of ``recipient``'s copy: one per edition, recipient and salt."""
        slug = self.rendered.slug
        if recipient is None:
            return _message_id(self._digest, slug, self.domain)
        mixed = hashlib.sha256(f"{self._digest}\0{recipient.key}".encode()).hexdigest()
        return _message_id(mixed, slug, self.domain)

    def values(self, recipient: Recipient | None) -> dict[str, str]:
        """The field values for ``recipient``: their columns, address and unsubscribe link."""
        return personal_values(self.settings, recipient, self.secret)

    def problems(self, recipient: Recipient | None) -> list[str]:
        """Why ``recipient``'s values cannot be sent; empty when they can.

        A field that is a whole link (``[our site]({{ website }})``, a button,
        a picture's link) must hold an https, http, mailto or tel link; a
        field in the subject must hold no line break or control character.
        """
        if not self._link_fields and not self._subject_fields:
            return []
        return self._problems(self.values(recipient))

    def _problems(self, values: Mapping[str, str]) -> list[str]:
        problems = []
        for name, default in sorted(self._link_fields):
            value = values.get(name) or html.unescape(default)
            if not value:
                continue  # an empty href, as the list left it
            try:
                allowed = "{{" not in value and (
                    check_link(value, what=f"the {name} field") == value
                )
            except ContentError as error:
                problems.append(error.message)
                continue
            except ValueError as error:  # urlsplit's, e.g. "Invalid IPv6 URL"
                problems.append(f"the {name} field {value!r} is not a link: {error}")
                continue
            if not allowed:
                problems.append(
                    f"the {name} field is {value!r}, which is not a link; write "
                    "https://..."
                )
        for name in sorted(self._subject_fields):
            value = values.get(name, "")
            if not is_header_safe(value):
                problems.append(
                    f"the {name} field cannot go in the subject: it holds a line "
                    "break or control character"
                )
        return problems

    def personal(self, recipient: Recipient | None = None) -> PersonalMessage:
        """The message for ``recipient``; without one, a copy to the sender, field defaults.

        Raises:
            RecipientError: the recipient's values cannot be sent (see
                :meth:`problems`).
            ContentError: the recipient's address cannot go in a header.
        """
        values = self.values(recipient)
        problems = (
            self._problems(values) if self._link_fields or self._subject_fields else []
        )
        if problems:
            who = "the sample reader" if recipient is None else recipient.address
            if recipient is not None and recipient.row:
                who = f"row {recipient.row} ({who})"
            raise RecipientError(f"{who}: {'; '.join(problems)}; nothing was sent")
        subject = self._subject
        if self._subject_fields:
            subject = subject_header(fill_text(self.rendered.subject, values))
        to = self._nobody
        if recipient is not None:
            check_header("To", recipient.address)
            if len(recipient.envelope) > MAX_LINE - 6:
                raise ContentError(
                    f"To header: the address {recipient.address[:60]!r}... is too long"
                )
            # The ASCII (IDNA) form whenever there is one: only SMTPUTF8 mail may
            # carry UTF-8 in its headers.
            to = b"To: " + recipient.envelope.encode("utf-8") + b"\r\n"
        message_id = self.message_id(recipient)
        unsubscribe = self._list_unsubscribe(values.get(UNSUBSCRIBE_URL))
        data = b"".join(
            (
                self._from,
                to,
                subject,
                self._heads[0],
                b"Message-ID: ",
                message_id.encode("ascii"),
                b"\r\n",
                self._list_id,
                b"List-Unsubscribe: " + unsubscribe + b"\r\n" if unsubscribe else b"",
                self._archive,
                self._heads[1],
                self._pieces[0],
                self._text.fill(values),
                self._pieces[1],
                self._html.fill(values),
                self._pieces[2],
            )
        )
        return PersonalMessage(
            recipient,
            message_id,
            data,
            smtputf8=recipient is not None and recipient.smtputf8,
        )

    def _list_unsubscribe(self, link: str | None) -> bytes:
        links = []
        if link is not None:
            links.append(f"<{link}>")
        mailto = self.settings.unsubscribe_mailto
        if mailto and not (link or "").startswith("mailto:"):
            links.append(f"<mailto:{mailto}?subject=unsubscribe>")
        # An address with non-ASCII letters is sent percent-encoded (RFC 3987);
        # whitespace inside the angle brackets is ignored (RFC 2369), so a link
        # too long for a header line is folded inside them.
        return ",\r\n ".join(
            _fold_link(quote(link, safe=_PRINTABLE)) for link in links
        ).encode("ascii")


def _archive_headers(archive_url: str | None, slug: str) -> bytes:
    """``List-Archive`` and ``Archived-At`` (RFC 5064) for an archive at ``archive_url``.

    The URL was checked as a link when the settings were made (no raw ``<``,
    ``>``, space or control character); it is checked again as a header
    value, percent-encoded where it is not ASCII, and folded inside its
    angle brackets if it is longer than a line.
    """
    if archive_url is None:
        return b""
    lines = []
    for name, url in (
        ("List-Archive", archive_url),
        ("Archived-At", f"{archive_url}/{slug}.html"),
    ):
        check_header(name, url)
        link = _fold_link(f"<{quote(url, safe=_PRINTABLE)}>")
        lines.append(f"{name}: {link}\r\n".encode("ascii"))
    return b"".join(lines)


def _fold_link(link: str) -> str:
    """``<url>``, folded every 900 characters when it is longer than a line."""
    limit = MAX_LINE - 98  # room for "List-Unsubscribe: " and a comma
    if len(link) <= limit:
        return link
    return "\r\n ".join(
        link[start : start + limit] for start in range(0, len(link), limit)
    )


def _skeleton(
    rendered: Rendered, settings: Settings, date: dt.date | dt.datetime, digest: str
) -> bytes:
    """The message from Date on, with placeholders for the two bodies."""
    when = (
        date
        if isinstance(date, dt.datetime)
        else dt.datetime.combine(date, dt.time(), dt.UTC)
    )
    body = EmailMessage(policy=SMTP)
    body.set_content(_TEXT.decode(), cte="quoted-printable")
    body.add_alternative(_HTML.decode(), subtype="html", cte="quoted-printable")
    body.set_boundary(f"alt-{digest[:24]}")
    for part in (body, *body.iter_parts()):
        del part["MIME-Version"]  # only the message itself carries it
    message = EmailMessage(policy=SMTP)
    headers: dict[str, str | None] = {
        "Date": format_datetime(when),
        "List-Unsubscribe-Post": (
            "List-Unsubscribe=One-Click" if settings.one_click_unsubscribe else None
        ),
        "MIME-Version": "1.0",
    }
    for name, value in headers.items():
        if value is None:
            continue
        message[name] = value
    if rendered.embedded:
        message["Content-Type"] = "multipart/related"
        message.set_param("type", "multipart/alternative")
        message.set_boundary(f"rel-{digest[:24]}")
        message.attach(body)
        for asset in rendered.embedded:
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
    return message.as_bytes(policy=SMTP)


def edition_message(
    rendered: Rendered,
    settings: Settings,
    date: dt.date | dt.datetime,
    *,
    recipient: Recipient | None = None,
    secret: str | None = None,
    salt: str = "",
) -> EmailMessage:
    """One message as an ``EmailMessage``, e.g. to inspect or hand to another library.

    Sending many? Build a :class:`MessageTemplate` once and call its
    :meth:`~MessageTemplate.personal` per recipient: it is much faster.

    Raises:
        ContentError: a header value holds a line break or control character.
    """
    template = MessageTemplate(rendered, settings, date, secret=secret, salt=salt)
    message = message_from_bytes(template.personal(recipient).data, policy=SMTP)
    assert isinstance(message, EmailMessage)  # the SMTP policy's message class
    return message


def _digest(rendered: Rendered, salt: str) -> str:
    hasher = hashlib.sha256()
    for part in (rendered.subject, rendered.html, rendered.text, salt):
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\0")
    for asset in rendered.assets:
        hasher.update(asset.name.encode("ascii"))
    return hasher.hexdigest()
