"""Personal fields: placeholders rendered once, filled in per recipient.

A personal field is written in content as ``{{ first_name }}`` or, with a
default for recipients who have no value, ``{{ first_name | colleague }}``.
The renderer leaves a marker of the same form (``{{first_name|colleague}}``)
in the finished HTML and text: it is plain ASCII that survives markdown-it,
Jinja2 autoescape, MJML, premailer and quoted-printable unchanged. Sending
fills each recipient's values in with :func:`fill_html` and :func:`fill_text`,
never re-rendering. A field left as the editor spelt it, with spaces
(``{{ first_name | colleague }}``, as in a title, subject or preheader), is
filled in the same way.

The layout itself uses one field, ``unsubscribe_url``, for the footer link.

A field that is a whole link (``[our site]({{ website }})``) is a
:func:`link field <link_fields>`: its value comes from a recipient list, so
sending checks it per recipient before it goes in an ``href``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

__all__ = [
    "FIELD_NAME",
    "UNSUBSCRIBE_URL",
    "field_names",
    "fill_html",
    "fill_text",
    "link_fields",
    "marker",
    "public_html",
    "split_fields",
]

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""A valid field name: lower case letters, digits and underscores."""

UNSUBSCRIBE_URL = "unsubscribe_url"
"""The field the layouts use for each recipient's unsubscribe link."""

_MARKER_PATTERN = (
    r"\{\{[ \t]*([a-z][a-z0-9_]{0,63})[ \t]*(?:\|[ \t]*([^{}|\r\n]*?)[ \t]*)?\}\}"
)
_MARKER = re.compile(_MARKER_PATTERN)
_LINK_MARKER = re.compile(
    r"""\b(?i:href|src|action|formaction|background|poster|cite|xlink:href)"""
    r"""[ \t\r\n]*=[ \t\r\n]*["']?[ \t\r\n]*""" + _MARKER_PATTERN
)


def marker(name: str, default: str = "") -> str:
    """Return the marker left in rendered output for field ``name``."""
    return f"{{{{{name}|{default}}}}}" if default else f"{{{{{name}}}}}"


def field_names(document: str) -> frozenset[str]:
    """Return the names of the fields a rendered document asks for."""
    return frozenset(match.group(1) for match in _MARKER.finditer(document))


def link_fields(document: str) -> frozenset[tuple[str, str]]:
    """The fields whose value is a whole link in rendered HTML: ``(name, default)``.

    A marker that begins an ``href`` (or ``src``...) attribute puts the
    recipient's value where a URL's scheme goes, so the value decides whether
    it is ``https:`` or ``javascript:``.

    Example:
        >>> sorted(link_fields('<a href="{{website}}">x</a> <p>{{first_name}}</p>'))
        [('website', '')]
    """
    return frozenset(
        (match.group(1), match.group(2) or "")
        for match in _LINK_MARKER.finditer(document)
    )


_LINK_ATTRIBUTE = re.compile(
    r"""[ \t\r\n]+(?i:href|src)[ \t\r\n]*=[ \t\r\n]*(["'])[ \t\r\n]*"""
    + _MARKER_PATTERN
    + r"""[^"']*\1"""
)


def public_html(document: str) -> str:
    """``document`` for everyone at once: no link to a field, each field its default.

    The web copy is one page for every reader, so a link whose address is a
    reader's field has no address: the attribute is left out and its words stay.
    Every other marker (in the title, the preheader, the text) shows its default.

    Example:
        >>> public_html('<h1>Hi {{name|all}}</h1><a href="{{website}}">Site</a>')
        '<h1>Hi all</h1><a>Site</a>'
    """
    return fill_html(_LINK_ATTRIBUTE.sub("", document), {})


def _fill(
    document: str, values: Mapping[str, str], escape: Callable[[str], str]
) -> str:
    def substitute(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        if value:
            return escape(value)
        # The default was escaped with the document it was rendered into.
        return match.group(2) or ""

    return _MARKER.sub(substitute, document)


def fill_html(document: str, values: Mapping[str, str]) -> str:
    """Fill the field markers of rendered HTML, escaping each value.

    Values are escaped for both text and attribute context (``<``, ``>``,
    ``&``, ``"`` and ``'``), so a name such as ``Tom & "Jerry" <x>`` stays text.
    A field with no value (missing or empty) takes the default it was written
    with, or nothing.

    Example:
        >>> fill_html("<p>Dear {{first_name|colleague}}</p>", {"first_name": "Ann"})
        '<p>Dear Ann</p>'
    """
    return _fill(document, values, html.escape)


def fill_text(document: str, values: Mapping[str, str]) -> str:
    """Fill the field markers of a rendered plain-text alternative."""
    return _fill(document, values, str)


def split_fields(document: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Split ``document`` around its markers: the texts between, and each field.

    There is always one more text than fields; a field is its name and its
    default (as rendered, so already escaped for HTML).

    Example:
        >>> split_fields("Dear {{first_name|colleague}}, hello")
        (['Dear ', ', hello'], [('first_name', 'colleague')])
    """
    parts = _MARKER.split(document)
    return parts[::3], [
        (name, default or "")
        for name, default in zip(parts[1::3], parts[2::3], strict=True)
    ]
