"""File-name and anchor forms of titles and headings."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["slugify"]


def slugify(value: str) -> str:
    """``"What's New"`` -> ``"whats-new"``: ASCII, lower case, hyphens."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    words = re.findall(
        r"[a-z0-9]+", ascii_only.lower().replace("'", "").replace("’", "")
    )
    return "-".join(words)[:60].strip("-") or "section"
