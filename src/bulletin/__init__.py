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

To send, read a recipient list with :func:`read_recipients` and fill each
recipient into a :class:`MessageTemplate` built once from the rendered
edition; an organisation's website checks unsubscribe links with
:func:`verify_unsubscribe_token`. :func:`prepare` does all of that for an
edition file and a list, and :func:`deliver` sends the result over an
:class:`SmtpConnection`, keeping count in a :class:`Journal`::

    import os
    from pathlib import Path
    from bulletin import (
        Journal, PasswordLogin, SmtpConnection, SmtpSettings, begin, deliver, prepare
    )

    mailing = prepare(Path("edition.md"), Path("readers.csv"))
    with Journal.open(Path("edition.sqlite3")) as journal:
        begin(journal, mailing)
        server = SmtpSettings("smtp.example.org", username="news@example.org")
        login = PasswordLogin("news@example.org", os.environ["SMTP_PASSWORD"])
        result = deliver(mailing, journal, SmtpConnection(server, login))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bulletin._version import __version__
from bulletin.errors import (
    BulletinError,
    ContentError,
    ContentErrorGroup,
    LayoutError,
    Location,
    PreviewError,
    RecipientError,
    RenderError,
    SendError,
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
)
from bulletin.model.edition import Article, Edition, Section
from bulletin.model.fields import fill_html, fill_text
from bulletin.model.rendered import Asset, Rendered
from bulletin.model.settings import Sender, Settings
from bulletin.model.text import Text
from bulletin.rendering.layouts import Layout, available_layouts, load_layout

if TYPE_CHECKING:
    from bulletin.commands.mailing import Mailing, prepare
    from bulletin.loading.source import Source, load
    from bulletin.mail.message import MessageTemplate, PersonalMessage
    from bulletin.mail.recipients import Recipient, RecipientList, read_recipients
    from bulletin.mail.suppression import Suppression, SuppressionList
    from bulletin.mail.unsubscribe import unsubscribe_token, verify_unsubscribe_token
    from bulletin.rendering import render
    from bulletin.sending.credentials import PasswordLogin, TokenLogin
    from bulletin.sending.delivery import Delivery, DeliveryOptions, begin, deliver
    from bulletin.sending.journal import Journal
    from bulletin.sending.ratelimit import Cap
    from bulletin.sending.smtp import SmtpConnection, SmtpSettings

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
    "Event",
    "Image",
    "Journal",
    "Layout",
    "LayoutError",
    "ListItem",
    "Location",
    "Mailing",
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
    "Section",
    "SendError",
    "Sender",
    "Settings",
    "SmtpConnection",
    "SmtpSettings",
    "Source",
    "Suppression",
    "SuppressionList",
    "Text",
    "TokenLogin",
    "__version__",
    "available_layouts",
    "begin",
    "deliver",
    "fill_html",
    "fill_text",
    "load",
    "load_layout",
    "prepare",
    "read_recipients",
    "render",
    "unsubscribe_token",
    "verify_unsubscribe_token",
]

_LAZY = {
    "PasswordLogin": "bulletin.sending.credentials",
    "TokenLogin": "bulletin.sending.credentials",
    "Delivery": "bulletin.sending.delivery",
    "DeliveryOptions": "bulletin.sending.delivery",
    "begin": "bulletin.sending.delivery",
    "deliver": "bulletin.sending.delivery",
    "Journal": "bulletin.sending.journal",
    "Mailing": "bulletin.commands.mailing",
    "prepare": "bulletin.commands.mailing",
    "Cap": "bulletin.sending.ratelimit",
    "SmtpConnection": "bulletin.sending.smtp",
    "SmtpSettings": "bulletin.sending.smtp",
    "render": "bulletin.rendering",
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
