"""The fields of a delivery report (RFC 3464, RFC 6533), and header text made safe.

A report's machine-readable part holds one group of ``Name: value`` fields
for the message, then one per recipient; its header values, like any a
stranger's mail brings, are decoded and cut to one printable line before
anything shows or stores them.
"""

from __future__ import annotations

import email.message
import re
from collections.abc import Iterator
from email.header import decode_header, make_header

__all__ = [
    "MAX_TEXT",
    "address_field",
    "clean",
    "header_text",
    "message_ids",
    "status_groups",
]

MAX_TEXT = 500
"""The most characters of a reply or diagnostic kept."""


def status_groups(part: email.message.Message) -> Iterator[dict[str, str]]:
    """The per-recipient field groups of a message/delivery-status part.

    compat32 reads message/delivery-status as header blocks, the first per
    message; message/global-delivery-status (RFC 6533, for addresses in other
    letters) as one attached message: its headers are the per-message block
    and its body the per-recipient ones, as text.
    """
    payload = part.get_payload()
    if isinstance(payload, list):
        messages = [
            block for block in payload if isinstance(block, email.message.Message)
        ]
        blocks = [
            {key.lower(): header_text(value) for key, value in block.items()}
            for block in messages
        ]
        rest = messages[0].get_payload(decode=True) if len(messages) == 1 else None
        if isinstance(rest, bytes) and rest.strip():
            text = rest.decode("utf-8", "replace")  # RFC 6533: UTF-8 throughout
            yield from _text_groups(text, skip_first=False)
            return
        yield from blocks[1:] if len(blocks) > 1 else blocks
        return
    yield from _text_groups(payload if isinstance(payload, str) else "")


def _text_groups(text: str, *, skip_first: bool = True) -> Iterator[dict[str, str]]:
    """Field groups written as text, separated by blank lines (the first per
    message, unless ``skip_first`` is False)."""
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    for block in (blocks[1:] if skip_first else blocks) or [text]:
        fields: dict[str, str] = {}
        name = ""
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and name:
                fields[name] += " " + line.strip()
            elif ":" in line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                fields[name] = value.strip()
        yield {name: clean(value, limit=1000) for name, value in fields.items()}


def address_field(value: str) -> str:
    """``rfc822; ann@example.org`` -> ``ann@example.org``."""
    kind, _, address = value.partition(";")
    address = (address if address else kind).strip().strip("<>").strip()
    return address if len(address) <= 320 else ""


def message_ids(text: str) -> list[str]:
    return re.findall(r"<[^<>\s@]+@[^<>\s]+>", text)


def header_text(value: object) -> str:
    """A header's value as text: encoded words decoded, never an exception."""
    if value is None:
        return ""
    try:
        text = str(make_header(decode_header(str(value))))
    except (LookupError, ValueError, UnicodeError, TypeError):
        text = str(value)
    return clean(text, limit=2_000)


def clean(text: str, *, limit: int = MAX_TEXT) -> str:
    """One line of printable text, at most ``limit`` characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit]
