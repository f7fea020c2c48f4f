"""Messages handed to a mail server (or an outbox folder), resumably, within rate caps.

Sending knows no edition file and no renderer: it takes a
:class:`~bulletin.mail.message.MessageTemplate` built from a rendered edition,
the recipients, and a :class:`Transport`::

    from bulletin.sending import MemoryTransport, SmtpConnection, SmtpSettings, deliver

    result = deliver(template, recipients, SmtpConnection(SmtpSettings("smtp.example.org")))

A :class:`Journal` (SQLite) makes a send resumable: :func:`begin` records the
edition and its readers, and a later run sends only to those not yet sent.
Given several transports (one ``SmtpConnection`` per connection), :func:`deliver`
sends through them all at once, sharing the journal and the caps.
"""

from bulletin.sending.delivery import (
    Delivery,
    DeliveryOptions,
    Progress,
    begin,
    deliver,
    send_tests,
    sender_of,
)
from bulletin.sending.journal import Journal, State
from bulletin.sending.ratelimit import Cap
from bulletin.sending.replies import Attempt, Reply, Verdict
from bulletin.sending.smtp import SmtpConnection, SmtpSettings
from bulletin.sending.transport import Envelope, MemoryTransport, Transport

__all__ = [
    "Attempt",
    "Cap",
    "Delivery",
    "DeliveryOptions",
    "Envelope",
    "Journal",
    "MemoryTransport",
    "Progress",
    "Reply",
    "SmtpConnection",
    "SmtpSettings",
    "State",
    "Transport",
    "Verdict",
    "begin",
    "deliver",
    "send_tests",
    "sender_of",
]
