"""``{for schools, health}``: the audience tag at the end of a heading or a box's line.

::

    # Training {for schools}
    ## Safer recruitment {for schools, social care}
    ::: callout More information {for health}

The tag is the last thing on the line; names are separated by ``,`` or ``;``
and compared without case. When the edition has audiences (some are
declared), any other ``{...}`` at the end of a heading or a box line, and a
``{for`` anywhere else (a paragraph, a list, a box's inside, across a line
break, with a look-alike brace), is refused rather than shown: a mistyped or
misplaced tag (``{fro schools}``, ``{for schools} (new)``) must never send a
part to everyone. A brace written ``\\{`` (an odd number of backslashes) is the
brace itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence, Set

from bulletin.errors import ContentError
from bulletin.model.tags import audience_names

__all__ = ["misplaced_tags", "split_tag"]

_GAP = r"[\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]*"
"""Space between a brace and ``for``, invisible characters included."""
_END = re.compile(r"(?<!\{)\{(?!\{)(?P<inside>[^{}]*)\}\s*$")
_FOR = re.compile(rf"{_GAP}for\b\s*:?(?P<names>.*)$", re.IGNORECASE | re.DOTALL)
_STRAY = re.compile(rf"\{{{_GAP}for\b", re.IGNORECASE)
_TAG_TEXT = re.compile(r"\{[^{}]*\}?")
_LOOKALIKE = re.compile(
    rf"(?:\uff5b|\ufe5b|&#0*123;|&#x0*7b;|&lbrace;|&lcub;){_GAP}for\b", re.IGNORECASE
)
"""A tag written with a brace that only looks like one (full-width, an HTML
entity): never a tag, and never to be shown to everyone as if it were none."""


def _escaped(text: str, index: int) -> bool:
    """True when the character at ``index`` follows an odd number of backslashes."""
    slashes = len(text[:index]) - len(text[:index].rstrip("\\"))
    return slashes % 2 == 1


def _strays(text: str) -> Iterator[re.Match[str]]:
    """Each unescaped ``{for`` in ``text``."""
    for found in _STRAY.finditer(text):
        if not _escaped(text, found.start()):
            yield found


def misplaced_tags(
    lines: Sequence[str], tag_lines: Set[int], skipped: Set[int]
) -> Iterator[tuple[int, ContentError]]:
    """Each line (0-based) with a ``{for ...}`` where no tag can go, and why.

    Only a heading or a box's opening line (``tag_lines``, whose tags
    :func:`split_tag` reads) can be tagged; anywhere else, in a paragraph, a
    list, a table, a box's inside, or a line that only looks like a box, the
    words would go to every reader, "{for police}" and all. A tag written with
    a look-alike brace, or broken across a line, is refused everywhere.
    ``skipped`` lines (notes to oneself) are never shown, so not looked at.
    """
    for number, line in enumerate(lines):
        if number in skipped:
            continue
        found = _LOOKALIKE.search(line)
        if found is None and number not in tag_lines:
            found = next(_strays(line), None)
        if found is None and line.rstrip().endswith("{"):
            after = lines[number + 1] if number + 1 < len(lines) else ""
            if _FOR.match(after) and not _escaped(line, len(line.rstrip()) - 1):
                found = re.search(r"\{\s*$", line)
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
                "braces, on one line) ending its first line; put these words in a "
                "tagged box (::: callout Title {for police}) or article, or remove the "
                "braces",
                fragment=line[found.start() : found.end()],
            ),
        )


def split_tag(line: str, *, strict: bool = True) -> tuple[str, frozenset[str]]:
    """``line`` without its audience tag, and the audiences the tag names (empty: none).

    ``strict`` (the edition has audiences): other braces ending the line are
    refused, as a mistyped tag; otherwise they are the line's own words.

    Raises:
        ContentError: the tag is not the last thing on the line, the line ends
            in braces that are not a tag (``strict``), or the tag names no
            audience or a name that cannot be one; its ``fragment`` is the
            braces as written.
    """
    found = _END.search(line)
    if found is not None and _escaped(line, found.start()):
        found = None
    before = line if found is None else line[: found.start()]
    stray = next(_strays(before), None)
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
        if not strict:
            return line, frozenset()
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
