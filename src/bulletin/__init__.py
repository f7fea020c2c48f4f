"""bulletin: build and send email bulletins.

Build an :class:`Edition` in Python (or load one an editor wrote), then
:func:`render` it through a layout into send-ready HTML, a plain-text
alternative and its images::

    from datetime import date
    from bulletin import Edition, Settings, render

    edition = Edition("News - January 2025", date(2025, 1, 15))
    edition.section("Training").paragraph("Book **now**.").bullets(["One", "Two"])
    rendered = render(edition, Settings(publisher="Example Partnership"))

An editor's Markdown file is read with :func:`load`. The renderer (Jinja2,
mjml-python, premailer, Pillow) and the loader (PyYAML, markdown-it-py) are
imported on first use of :func:`render` and :func:`load`, so ``import bulletin``
stays quick.

To send, read a recipient list with :func:`read_recipients`, build the
edition's message once as a :class:`MessageTemplate`, and :func:`deliver` it
through a transport: an :class:`SmtpConnection`, or a :class:`MemoryTransport`
in tests. No file is needed::

    from bulletin import MemoryTransport, MessageTemplate, Recipient, deliver

    template = MessageTemplate(rendered, settings, edition.date, secret=secret)
    result = deliver(template, [Recipient.of("ann@example.org")], MemoryTransport())

For an editor's files, :func:`prepare` loads and renders an edition, reads
its list and leaves out the suppressed; a :class:`Journal` makes the send
resumable (:func:`begin` records the edition and readers first)::

    import os
    from pathlib import Path
    from bulletin import Journal, PasswordLogin, SmtpConnection, SmtpSettings
    from bulletin import begin, deliver, prepare

    mailing = prepare(Path("edition.md"), Path("readers.csv"))
    server = SmtpSettings("smtp.example.org", username="news@example.org")
    login = PasswordLogin("news@example.org", os.environ["SMTP_PASSWORD"])
    with Journal.open(Path("edition.sqlite3")) as journal:
        begin(journal, mailing.template, mailing.on_list)
        result = deliver(
            mailing.template, mailing.to_send, SmtpConnection(server, login), journal
        )

Parts of an edition may be for some readers only (``Section("Training",
audiences={"schools"})``): :func:`render_variants` renders each group of
readers' variant once, and :class:`EditionMessages` gives each reader theirs;
:func:`prepare` does both from the list's ``audiences`` column.

An organisation's website checks unsubscribe links with
:func:`verify_unsubscribe_token`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bulletin._version import __version__
from bulletin.errors import (
    BulletinError,
    ContentError,
    ContentErrorGroup,
    JournalConflictError,
    LayoutError,
    Location,
    PreviewError,
    RecipientError,
    RenderError,
    SendError,
    SendStoppedError,
)
from bulletin.model.blocks import (
    Block,
    BulletList,
    Button,
    Callout,
    Contact,
    Divider,
    Event,
    Image,
    ListItem,
    Paragraph,
    Quote,
    Subheading,
    Table,
)
from bulletin.model.edition import Article, Edition, Section
from bulletin.model.fields import fill_html, fill_text
from bulletin.model.rendered import Asset, Rendered
from bulletin.model.settings import Sender, Settings
from bulletin.model.text import Text

if TYPE_CHECKING:
    from bulletin.checking import Finding, Report
    from bulletin.commands.check import check_file
    from bulletin.commands.mailing import Mailing, prepare
    from bulletin.loading.source import Source, load
    from bulletin.mail.message import MessageTemplate, PersonalMessage
    from bulletin.mail.recipients import Recipient, RecipientList, read_recipients
    from bulletin.mail.suppression import Suppression, SuppressionList
    from bulletin.mail.unsubscribe import unsubscribe_token, verify_unsubscribe_token
    from bulletin.mail.variants import EditionMessages
    from bulletin.rendering import render, render_variants
    from bulletin.rendering.layouts import Layout, available_layouts, load_layout
    from bulletin.sending.credentials import PasswordLogin, TokenLogin
    from bulletin.sending.delivery import Delivery, DeliveryOptions, begin, deliver
    from bulletin.sending.journal import Journal
    from bulletin.sending.ratelimit import Cap
    from bulletin.sending.smtp import SmtpConnection, SmtpSettings
    from bulletin.sending.transport import MemoryTransport, Transport

__all__ = [
    "Article",
    "Asset",
    "Block",
    "BulletList",
    "BulletinError",
    "Button",
    "Callout",
    "Cap",
    "Contact",
    "ContentError",
    "ContentErrorGroup",
    "Delivery",
    "DeliveryOptions",
    "Divider",
    "Edition",
    "EditionMessages",
    "Event",
    "Finding",
    "Image",
    "Journal",
    "JournalConflictError",
    "Layout",
    "LayoutError",
    "ListItem",
    "Location",
    "Mailing",
    "MemoryTransport",
    "MessageTemplate",
    "Paragraph",
    "PasswordLogin",
    "PersonalMessage",
    "PreviewError",
    "Quote",
    "Recipient",
    "RecipientError",
    "RecipientList",
    "RenderError",
    "Rendered",
    "Report",
    "Section",
    "SendError",
    "SendStoppedError",
    "Sender",
    "Settings",
    "SmtpConnection",
    "SmtpSettings",
    "Source",
    "Subheading",
    "Suppression",
    "SuppressionList",
    "Table",
    "Text",
    "TokenLogin",
    "Transport",
    "__version__",
    "available_layouts",
    "begin",
    "check_file",
    "deliver",
    "fill_html",
    "fill_text",
    "load",
    "load_layout",
    "prepare",
    "read_recipients",
    "render",
    "render_variants",
    "unsubscribe_token",
    "verify_unsubscribe_token",
]

_LAZY = {
    "Finding": "bulletin.checking",
    "Report": "bulletin.checking",
    "check_file": "bulletin.commands.check",
    "PasswordLogin": "bulletin.sending.credentials",
    "TokenLogin": "bulletin.sending.credentials",
    "Delivery": "bulletin.sending.delivery",
    "DeliveryOptions": "bulletin.sending.delivery",
    "begin": "bulletin.sending.delivery",
    "deliver": "bulletin.sending.delivery",
    "Journal": "bulletin.sending.journal",
    "MemoryTransport": "bulletin.sending.transport",
    "Transport": "bulletin.sending.transport",
    "Mailing": "bulletin.commands.mailing",
    "prepare": "bulletin.commands.mailing",
    "Cap": "bulletin.sending.ratelimit",
    "SmtpConnection": "bulletin.sending.smtp",
    "SmtpSettings": "bulletin.sending.smtp",
    "render": "bulletin.rendering",
    "render_variants": "bulletin.rendering",
    "EditionMessages": "bulletin.mail.variants",
    "Layout": "bulletin.rendering.layouts",
    "available_layouts": "bulletin.rendering.layouts",
    "load_layout": "bulletin.rendering.layouts",
    "Source": "bulletin.loading.source",
    "load": "bulletin.loading.source",
    "MessageTemplate": "bulletin.mail.message",
    "PersonalMessage": "bulletin.mail.message",
    "Recipient": "bulletin.mail.recipients",
    "RecipientList": "bulletin.mail.recipients",
    "read_recipients": "bulletin.mail.recipients",
    "Suppression": "bulletin.mail.suppression",
    "SuppressionList": "bulletin.mail.suppression",
    "unsubscribe_token": "bulletin.mail.unsubscribe",
    "verify_unsubscribe_token": "bulletin.mail.unsubscribe",
}


def __getattr__(name: str) -> Any:
    """Import the renderer and the file loader on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bulletin' has no attribute {name!r}")
