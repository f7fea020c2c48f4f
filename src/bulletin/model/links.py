"""Which links an edition may carry: https, http, mailto and tel, nothing else."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from bulletin.errors import ContentError
from bulletin.model.fields import FIELD_NAME, marker

__all__ = ["ALLOWED_SCHEMES", "check_link", "is_email_address", "split_url"]

ALLOWED_SCHEMES = ("https", "http", "mailto", "tel")
"""The URL schemes a link, button or image link may use."""

_EMAIL_ADDRESS = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
_UNSAFE = re.compile(r'[<>"`\\]')
"""Characters a URL holds only percent-encoded: one raw would end an HTML
attribute or the ``<...>`` of a List-Unsubscribe header."""
_FIELD_HREF = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def check_link(url: str, *, what: str = "link") -> str:
    """Return ``url`` if it is a link an email may carry, else raise.

    A link may also be exactly a personal field, e.g. ``{{ unsubscribe_url }}``,
    which is filled in per recipient; it is returned as its marker.

    Raises:
        ContentError: the URL is empty, relative, has a disallowed scheme or
            contains spaces or control characters.
    """
    field = _FIELD_HREF.fullmatch(url.strip())
    if field and FIELD_NAME.fullmatch(field.group(1)):
        return marker(field.group(1))
    if not url:
        raise ContentError(f"{what} has no URL; write https://... or mailto:...")
    if _CONTROL.search(url):
        raise ContentError(
            f"{what} URL {url!r} contains a space or control character; "
            "encode spaces as %20"
        )
    if unsafe := _UNSAFE.search(url):
        raise ContentError(
            f"{what} URL {url!r} contains {unsafe.group()!r}, which an "
            "address never holds as it is; encode it (e.g. %3C for <) or remove it"
        )
    parts = split_url(url, what=what)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        hint = (
            "an email has no base to resolve a relative link against; write the full "
            "https://... address"
            if not scheme
            else "use https://, http://, mailto: or tel:"
        )
        raise ContentError(f"{what} URL {url!r} is not allowed: {hint}")
    if scheme in ("mailto", "tel") and not url.split(":", 1)[1].strip():
        raise ContentError(f"{what} URL {url!r} has no address after {scheme}:")
    if scheme in ("http", "https") and not parts.netloc:
        raise ContentError(
            f"{what} URL {url!r} has no host; write https://example.org/..."
        )
    return url


def split_url(url: str, *, what: str = "link") -> SplitResult:
    """``urlsplit(url)``, with a malformed address (say ``https://[x/``) a ContentError.

    Raises:
        ContentError: Python cannot take the address apart.
    """
    try:
        return urlsplit(url)
    except ValueError as error:
        raise ContentError(
            f"{what} URL {url!r} is not a web address ({error}); check the "
            "characters after https://"
        ) from None


def is_email_address(value: str) -> bool:
    """True when ``value`` has the shape of an address (``name@domain.tld``).

    A shape check for the organisation's own addresses; recipients are checked
    properly with email-validator when a list is read.
    """
    return _EMAIL_ADDRESS.fullmatch(value) is not None
