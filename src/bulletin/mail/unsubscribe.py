"""Personal unsubscribe links, and the check an organisation's website makes of them.

Each recipient's link carries a token that names them and proves the link
was made by whoever holds the secret, so nobody can unsubscribe someone else
by editing a URL. The token is::

    base64url(address) "." base64url(HMAC-SHA256(secret, message)[:16])

where ``message`` is ``b"bulletin-unsubscribe-v1\\n" + list_id + b"\\n" + address``
(UTF-8, base64url without ``=`` padding). The list id keeps a token from one
bulletin from unsubscribing its reader from another. Any website can check
one with those lines; a Python one calls :func:`verify_unsubscribe_token`.

The secret comes from the ``BULLETIN_UNSUBSCRIBE_SECRET`` environment
variable, never from a file that might be shared. It may list several
secrets, separated by spaces or commas: links are made with the first, and
the website accepts any, so a secret can be replaced without breaking the
links in bulletins already sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from bulletin.errors import SendError

__all__ = [
    "MIN_SECRET_LENGTH",
    "SECRET_ENV",
    "current_secret",
    "secrets_from_env",
    "unsubscribe_link",
    "unsubscribe_token",
    "verify_unsubscribe_token",
]

SECRET_ENV = "BULLETIN_UNSUBSCRIBE_SECRET"
"""The environment variable holding the secret (or secrets, newest first)."""

MIN_SECRET_LENGTH = 16
"""The shortest secret accepted, in characters."""

_CONTEXT = b"bulletin-unsubscribe-v1\n"
_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Decode base64url without padding, refusing every spelling but the one made."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _checked(secret: object, what: str = "secret") -> str | bytes:
    """``secret`` if it is a str or bytes of at least :data:`MIN_SECRET_LENGTH`.

    Raises:
        TypeError: it is neither str nor bytes.
        ValueError: it is shorter.
    """
    if not isinstance(secret, str | bytes):
        raise TypeError(f"{what} must be a str or bytes, not {type(secret).__name__}")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"{what} is {len(secret)} characters long; an unsubscribe secret must "
            f"be at least {MIN_SECRET_LENGTH}"
        )
    return secret


def _checked_secrets(secrets: object) -> tuple[str | bytes, ...]:
    """The secrets a token may be verified with: a non-empty sequence of long ones.

    A plain ``str`` is refused: iterating it would try each character as a
    secret, so a token signed with a one-character key would verify.

    Raises:
        TypeError: ``secrets`` is a str or bytes, not a sequence, or holds
            something other than str or bytes.
        ValueError: it is empty, or a secret is too short.
    """
    if isinstance(secrets, str | bytes | bytearray) or not isinstance(
        secrets, Sequence
    ):
        raise TypeError(
            "secrets must be a list or tuple of secrets, e.g. [current] or "
            f"[current, previous], not {type(secrets).__name__}"
        )
    if not secrets:
        raise ValueError("secrets is empty: give at least the current secret")
    return tuple(
        _checked(secret, f"secrets[{index}]") for index, secret in enumerate(secrets)
    )


def _mac(secret: str | bytes, list_id: str, address: str) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    message = _CONTEXT + list_id.encode("utf-8") + b"\n" + address.encode("utf-8")
    return hmac.digest(key, message, hashlib.sha256)[:_MAC_BYTES]


def unsubscribe_token(address: str, list_id: str, secret: str | bytes) -> str:
    """The token for ``address`` on list ``list_id``.

    Example:
        >>> unsubscribe_token("ann@example.org", "news.example.org", "correct horse battery")
        'YW5uQGV4YW1wbGUub3Jn.k1O8Jrv7OyE8x2COi5OuAg'

    Raises:
        TypeError: ``secret`` is not a str or bytes.
        ValueError: it is shorter than :data:`MIN_SECRET_LENGTH`.
    """
    secret = _checked(secret)
    return f"{_b64(address.encode('utf-8'))}.{_b64(_mac(secret, list_id, address))}"


def verify_unsubscribe_token(
    token: str, *, list_id: str, secrets: Sequence[str | bytes]
) -> str | None:
    """The address a token was made for, or None when it is not genuine.

    Args:
        token: the token from the link, as received.
        list_id: the bulletin's list id (``list_id`` in bulletin.toml).
        secrets: every secret still accepted, e.g. the current one and the
            one it replaced: a list or tuple (never a plain string), each at
            least :data:`MIN_SECRET_LENGTH` characters.

    Raises:
        TypeError: ``secrets`` is a str (each character would be tried as a
            secret), not a sequence, or holds something not str or bytes.
        ValueError: ``secrets`` is empty, or one is too short.

    Example:
        >>> token = unsubscribe_token("ann@example.org", "news.example.org", "s" * 32)
        >>> verify_unsubscribe_token(token, list_id="news.example.org", secrets=["s" * 32])
        'ann@example.org'
        >>> verify_unsubscribe_token(token, list_id="other.example.org", secrets=["s" * 32]) is None
        True
    """
    accepted = _checked_secrets(secrets)
    encoded, dot, mac = token.strip().partition(".")
    if not dot or not encoded or not mac or len(token) > 1024:
        return None
    try:
        address = _unb64(encoded).decode("utf-8")
        given = _unb64(mac)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    genuine = False
    for secret in accepted:
        # Every secret is tried, so the time taken does not say which matched.
        genuine |= hmac.compare_digest(given, _mac(secret, list_id, address))
    return address if genuine else None


def secrets_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The unsubscribe secrets from :data:`SECRET_ENV`, newest (the signing one) first.

    Raises:
        SendError: the variable is not set, or a secret is too short.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(SECRET_ENV, "")
    secrets = tuple(value.replace(",", " ").split())
    make = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
    if not secrets:
        raise SendError(
            f"unsubscribe_url has {{token}} but {SECRET_ENV} is not set; set it to a "
            f"long random secret, the one your website checks tokens with (make one "
            f"with: {make})"
        )
    short = [
        index
        for index, secret in enumerate(secrets, 1)
        if len(secret) < MIN_SECRET_LENGTH
    ]
    if short:
        raise SendError(
            f"{SECRET_ENV}: secret {short[0]} is shorter than {MIN_SECRET_LENGTH} "
            f"characters; use a long random one (make one with: {make})"
        )
    return secrets


def current_secret(environ: Mapping[str, str] | None = None) -> str | None:
    """The secret that signs new tokens, or None when :data:`SECRET_ENV` is not set.

    Raises:
        SendError: the variable is set but a secret in it is too short.
    """
    environ = os.environ if environ is None else environ
    if not environ.get(SECRET_ENV, "").replace(",", " ").split():
        return None
    return secrets_from_env(environ)[0]


def unsubscribe_link(template: str, address: str, token: str) -> str:
    """Fill an unsubscribe URL template's ``{token}`` and ``{address}``.

    Example:
        >>> unsubscribe_link("https://example.org/u?t={token}&e={address}", "a+b@x.org", "T")
        'https://example.org/u?t=T&e=a%2Bb%40x.org'
    """
    return template.replace("{token}", token).replace(
        "{address}", quote(address, safe="")
    )
