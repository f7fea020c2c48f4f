"""Campaign (UTM) parameters on the email's links, when the settings ask for them.

Applied to the finished HTML and text, so every link is covered, whichever
template or block wrote it. Links to personal fields (the unsubscribe link),
mailto and tel links, and links that already carry a ``utm_`` parameter are
left alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["tag_html", "tag_text", "tag_url"]

_HREF = re.compile(r'href="(https?://[^"]*)"', re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]", re.IGNORECASE)


def tag_url(url: str, parameters: Mapping[str, str], domains: tuple[str, ...]) -> str:
    """``url`` with ``utm_<name>=<value>`` added, if its host is one of ``domains``.

    >>> tag_url("https://example.org/a?x=1", {"source": "bulletin"}, ())
    'https://example.org/a?x=1&utm_source=bulletin'
    >>> tag_url("https://other.org/", {"source": "bulletin"}, ("example.org",))
    'https://other.org/'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if domains and not any(host == d or host.endswith("." + d) for d in domains):
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.startswith("utm_") for key, _ in query):
        return url
    query.extend((f"utm_{name}", value) for name, value in parameters.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def tag_html(
    document: str, parameters: Mapping[str, str], domains: tuple[str, ...]
) -> str:
    """Tag every http(s) ``href`` in ``document``."""
    if not parameters:
        return document

    def replace(match: re.Match[str]) -> str:
        url = tag_url(html.unescape(match.group(1)), parameters, domains)
        return f'href="{html.escape(url)}"'

    return _HREF.sub(replace, document)


def tag_text(text: str, parameters: Mapping[str, str], domains: tuple[str, ...]) -> str:
    """Tag every http(s) address written out in the plain text."""
    if not parameters:
        return text
    return _URL.sub(lambda match: tag_url(match.group(0), parameters, domains), text)
