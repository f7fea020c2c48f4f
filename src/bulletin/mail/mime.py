"""The encodings a message needs, done so that they can be done once.

Quoted-printable bodies in pieces that join with soft line breaks (so a
recipient's values are encoded alone and the rest once per edition), and
headers written so that any subject or name comes back exactly as given:
RFC 2047 encoded words of whole characters, names that can never be read
as addresses, lines folded near 78 octets and never longer than 998 (RFC 5322
2.1.1), whatever the input: a word too long for a line is sent as encoded
words, and what cannot be folded (an address) is refused.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping

from bulletin.errors import ContentError
from bulletin.model.fields import split_fields
from bulletin.model.headers import is_header_safe

__all__ = [
    "MAX_LINE",
    "QuotedPrintable",
    "address_header",
    "check_header",
    "quoted_printable",
    "subject_header",
]

MAX_LINE = 998
"""The most octets a header line may hold, CRLF apart (RFC 5322 2.1.1)."""

_QP_LINE = 76
_PLAIN_WORD = 75
"""The longest word of a display name sent as it is; longer ones are encoded."""
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
"""A word that may stand in a display name as it is (RFC 5322 atext)."""
_ENCODED_WORD_BYTES = 45
"""UTF-8 bytes per encoded word: base64 of 45 bytes keeps it within 75 characters."""


class QuotedPrintable:
    """A document encoded as quoted-printable once, in pieces around its field markers."""

    __slots__ = ("_escape", "_fields", "_texts")

    def __init__(self, document: str, escape: Callable[[str], str]) -> None:
        document = document.replace("\r\n", "\n").replace("\r", "\n")
        # The skeleton ends the part with its own line break.
        texts, self._fields = split_fields(document.removesuffix("\n"))
        self._texts = [quoted_printable(text) for text in texts]
        self._escape = escape

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The document with ``values`` filled in (escaped), as quoted-printable."""
        if not self._fields:
            return self._texts[0]
        pieces = [self._texts[0]]
        for (name, default), text in zip(self._fields, self._texts[1:], strict=True):
            value = values.get(name)
            pieces.append(
                quoted_printable(self._escape(value))
                if value
                else quoted_printable(default)
            )
            pieces.append(text)
        # Each piece ends its last line short, so a soft line break can join them.
        return b"=\r\n".join(piece for piece in pieces if piece)


def quoted_printable(text: str) -> bytes:
    """``text`` as quoted-printable with CRLF line breaks, every line within 76
    octets and the last within 75, so that a soft line break can follow it."""
    if not text:
        return b""
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    lines = encoded.split(b"\n")
    if max(map(len, lines)) >= _QP_LINE - 1:
        # b2a_qp lets a line ending in an encoded space (=20) reach 78 octets.
        last = len(lines) - 1
        lines = [
            _fit(line, _QP_LINE - 1 if index == last else _QP_LINE)
            for index, line in enumerate(lines)
        ]
    return b"\r\n".join(lines)


def _fit(line: bytes, limit: int) -> bytes:
    """Break ``line`` with soft line breaks into pieces of at most ``limit`` octets."""
    pieces = []
    while len(line) > limit:
        cut = limit - 1  # room for the "="
        # Never split an escape such as =C3.
        while line[cut - 1 : cut] == b"=" or line[cut - 2 : cut - 1] == b"=":
            cut -= 1
        pieces.append(line[:cut] + b"=")
        line = line[cut:]
    pieces.append(line)
    return b"\r\n".join(pieces)


def subject_header(subject: str) -> bytes:
    """The Subject header, written so that any subject comes back exactly.

    Plain ASCII is folded at its spaces. Anything else (non-ASCII, spaces at
    the ends or doubled, text that looks like ``=?utf-8?...``) is sent as
    base64 encoded words of whole characters (RFC 2047), whose joins a reader
    ignores.

    Raises:
        ContentError: the subject holds a line break or control character.
    """
    check_header("Subject", subject)
    words = subject.split(" ")
    plain = (
        subject.isascii()
        and "=?" not in subject
        and all(words)
        and max(map(len, words)) < 900
    )
    tokens = words if plain else _encoded_words(subject)
    return _folded("Subject", tokens)


def address_header(name: str, display: str, address: str) -> bytes:
    """A ``Name <address>`` header whose name can never be read as an address.

    Words of plain letters stay as they are; runs of words with other
    characters (accents, commas, angle brackets, quotes) become encoded words.
    """
    check_header(name, display)
    check_header(name, address)
    tokens: list[str] = []
    run: list[str] = []
    for word in display.split():
        if _ATOM.fullmatch(word) and "=?" not in word and len(word) <= _PLAIN_WORD:
            if run:
                tokens.extend(_encoded_words(" ".join(run)))
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens.extend(_encoded_words(" ".join(run)))
    tokens.append(f"<{address}>")
    return _folded(name, tokens)


def check_header(name: str, value: str) -> None:
    """Refuse a header value with a line break or control character.

    Raises:
        ContentError: it has one.
    """
    if not is_header_safe(value):
        raise ContentError(
            f"{name} header {value!r} contains a line break or control character"
        )


def _encoded_words(text: str) -> list[str]:
    """``text`` as base64 encoded words of whole characters, each within 75 characters."""
    chunks, chunk = [], b""
    for character in text:
        data = character.encode("utf-8")
        if len(chunk) + len(data) > _ENCODED_WORD_BYTES:
            chunks.append(chunk)
            chunk = b""
        chunk += data
    chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(piece).decode()}?=" for piece in chunks]


def _folded(name: str, tokens: list[str]) -> bytes:
    """``Name: token token...``, folded between tokens to keep lines near 78."""
    lines, line = [], f"{name}:"
    for token in tokens:
        if len(line) + 1 + len(token) > 78 and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + token
    lines.append(line)
    if max(map(len, lines)) > MAX_LINE:
        raise ContentError(
            f"{name} header cannot be written within {MAX_LINE} characters a line: "
            f"{max(tokens, key=len)[:60]!r}... is too long"
        )
    return "\r\n".join(lines).encode("ascii") + b"\r\n"
