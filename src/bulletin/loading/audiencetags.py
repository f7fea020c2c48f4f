"""``{for schools, health}``: the audience tag at the end of a heading or a box's line.

::

    # Training {for schools}
    ## Safer recruitment {for schools, social care}
    ::: callout More information {for health}

The tag is the last thing on the line; names are separated by ``,`` or ``;``
and compared without case. Any other ``{...}`` at the end of a heading or a
box line, and a ``{for`` anywhere else on it, is refused rather than shown: a
mistyped or misplaced tag (``{fro schools}``, ``{for schools} (new)``) must
never send a part to everyone. A brace written ``\\{`` is the brace itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence, Set

from bulletin.errors import ContentError
from bulletin.model.tags import audience_names

__all__ = ["misplaced_tags", "split_tag"]

_END = re.compile(r"(?<![\\{])\{(?!\{)(?P<inside>[^{}]*)\}\s*$")
_FOR = re.compile(r"\s*for\b\s*:?(?P<names>.*)$", re.IGNORECASE | re.DOTALL)
_STRAY = re.compile(r"(?<!\\)\{\s*for\b", re.IGNORECASE)
_TAG_TEXT = re.compile(r"\{[^{}]*\}?")
_LOOKALIKE = re.compile(
    r"(?:\uff5b|\ufe5b|&#0*123;|&#x0*7b;|&lbrace;|&lcub;)\s*for\b", re.IGNORECASE
)
"""A tag written with a brace that only looks like one (full-width, an HTML
entity): never a tag, and never to be shown to everyone as if it were none."""


def misplaced_tags(
    lines: Sequence[str], tag_lines: Set[int], skipped: Set[int]
) -> Iterator[tuple[int, ContentError]]:
    """Each line (0-based) with a ``{for ...}`` where no tag can go, and why.

    Only a heading or a box's opening line (``tag_lines``, whose tags
    :func:`split_tag` reads) can be tagged; anywhere else, in a paragraph, a
    list, a table, a box's inside, or a line that only looks like a box, the
    words would go to every reader, "{for police}" and all. A tag written with
    a look-alike brace is refused everywhere. ``skipped`` lines (notes to
    oneself) are never shown, so not looked at.
    """
    for number, line in enumerate(lines):
        if number in skipped:
            continue
        found = _LOOKALIKE.search(line)
        if found is None and number not in tag_lines:
            found = _STRAY.search(line)
        if found is None:
            continue
        written = line[found.start() :].strip()
        if len(written) > 40:
            written = written[:37] + "..."
        yield (
            number,
            ContentError(
                f"{written!r} cannot tag this line: only a # section, a ## "
                "article or a ::: box can be for some audiences, with {for ...} (plain "
                "braces) ending its first line; put these words in a tagged box "
                "(::: callout Title {for police}) or article, or remove the braces",
                fragment=line[found.start() : found.end()],
            ),
        )


def split_tag(line: str) -> tuple[str, frozenset[str]]:
    """``line`` without its audience tag, and the audiences the tag names (empty: none).

    Raises:
        ContentError: the line ends in braces that are not a tag, or the tag
            names no audience or a name that cannot be one; its ``fragment``
            is the braces as written.
    """
    found = _END.search(line)
    before = line if found is None else line[: found.start()]
    stray = _STRAY.search(before)
    if stray is not None:
        misplaced = _TAG_TEXT.match(before, stray.start())
        assert misplaced is not None  # it matches whatever follows a brace
        raise ContentError(
            f"the audience tag {misplaced.group(0).strip()} must be the last thing "
            "on the line, written once; write e.g. Training {for schools, health}",
            fragment=misplaced.group(0),
        )
    if found is None:
        return line, frozenset()
    written = found.group(0).rstrip()
    tag = _FOR.match(found.group("inside"))
    if tag is None:
        raise ContentError(
            f"{written} at the end of the line is not an audience tag; write "
            "{for schools} to show this part to schools only, or leave out the "
            "braces",
            fragment=written,
        )
    try:
        names = audience_names(tag.group("names"))
    except ContentError as error:
        raise ContentError(error.message, fragment=written) from None
    if not names:
        raise ContentError(
            f"{written} names no audience; write e.g. {{for schools}} or "
            "{for schools, health}",
            fragment=written,
        )
    return line[: found.start()].rstrip(), names
