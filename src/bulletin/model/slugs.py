"""File-name and anchor forms of titles and headings."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["slugify"]


SLUG_LENGTH = 60
"""The longest a slug grows; it ends at a word's end within it."""


def slugify(value: str) -> str:
    """``"What's New"`` -> ``"whats-new"``: ASCII, lower case, hyphens."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    words = re.findall(
        r"[a-z0-9]+", ascii_only.lower().replace("'", "").replace("’", "")
    )
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > SLUG_LENGTH:
            break
        slug = longer
    # Cut at a word's end; a first word longer than that is all there is to cut.
    return slug or "-".join(words)[:SLUG_LENGTH].strip("-") or "section"
