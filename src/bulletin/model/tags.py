"""Audience tags: the names a section, article or box is tagged with.

Kept apart from :mod:`bulletin.model.audiences` (what a reader sees) because
the blocks themselves take tags, and that module walks blocks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bulletin.errors import ContentError

__all__ = ["MAX_AUDIENCES", "audience_names", "tags_of"]

MAX_AUDIENCES = 64
"""The most audiences an organisation may declare: 64 readers' groups is a
mailing list of its own, and the variants of a list grow with their number."""

_NAME = re.compile(r"[^\W_](?:[\w '&.-]{0,38}[^\W_])?")
_SPACES = re.compile(r"\s+")
_SEPARATOR = re.compile(r"[,;]")


def audience_names(
    value: str | Iterable[str], *, what: str = "audience"
) -> frozenset[str]:
    """The audience names ``value`` gives, each in its one canonical form.

    ``value`` is a cell or tag as written (``"Schools; Social Care"``, names
    split at ``,`` or ``;``) or a collection of names. A name is compared
    without case and with runs of spaces as one: ``Social  care`` is
    ``social care``.

    Raises:
        ContentError: a name is not a word or a few (letters, digits, spaces,
            ``-``, ``'``, ``&``, ``.``; at most 40 characters).

    Example:
        >>> sorted(audience_names("Schools; social  Care"))
        ['schools', 'social care']
    """
    parts = _SEPARATOR.split(value) if isinstance(value, str) else list(value)
    names: set[str] = set()
    for part in parts:
        if not isinstance(part, str):
            raise ContentError(
                f"{what} {part!r} is a {type(part).__name__}; write the audience's name"
            )
        name = _SPACES.sub(" ", _plain(part)).strip().casefold()
        if not name and isinstance(value, str):
            continue  # "schools;" or an empty cell: nothing more
        if not _NAME.fullmatch(name):
            odd = next((c for c in name if not (c.isalnum() or c in " '&.-")), None)
            which = (
                f" (it holds {unicodedata.name(odd, repr(odd)).lower()}, {odd!r})"
                if odd is not None
                else ""
            )
            raise ContentError(
                f"{what} {part.strip()!r} is not an audience name{which}; write a "
                "word or a few, e.g. schools or social care (letters, digits, "
                "spaces, - ' & and .; at most 40 characters; separated by , or ;)"
            )
        names.add(name)
    return frozenset(names)


def _plain(name: str) -> str:
    """``name`` as typed anywhere: one form of each accented letter (NFC), and a
    straight apostrophe for a curly one (word processors write ’)."""
    return unicodedata.normalize("NFC", name).replace("\u2019", "'")


def tags_of(part: object) -> frozenset[str]:
    """The audiences ``part`` (a section, article or block) is tagged for; empty for all."""
    tags = getattr(part, "audiences", None)
    return tags if isinstance(tags, frozenset) else frozenset()
