"""Values that become email headers: one line, no control characters.

A subject or name holding CR or LF can end the header block and inject
headers (Python 3.11.7's email package lets it through), and NUL, NEL
(U+0085) and the Unicode line and paragraph separators are line breaks to
some parsers. Ordinary non-ASCII (é, ł, ŵ, emoji) is fine: it is encoded.
"""

from __future__ import annotations

import re

__all__ = ["HEADER_UNSAFE", "is_header_safe"]

HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
"""Characters refused in any header value."""


def is_header_safe(value: str) -> bool:
    """True when ``value`` can be used in an email header as it is."""
    return HEADER_UNSAFE.search(value) is None
