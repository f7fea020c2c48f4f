"""The edition as a tree: every container checked once, just before rendering.

An edition's containers are plain lists (see :mod:`bulletin.model.edition`).
What the builder methods add is checked at once; what is appended to a list
directly is checked here, so that a ``str`` or a stray object is never silently
left out of the email.
"""

from __future__ import annotations

from bulletin.errors import ContentError
from bulletin.model.blocks import BLOCK_NAMES, Block, ListItem, Subheading, type_words
from bulletin.model.edition import SUBHEADING_OUTSIDE, Article, Edition, Section
from bulletin.model.text import Text
from bulletin.model.walk import footnote_labels

__all__ = ["check_footnotes", "check_tree"]

_SHOWN = 40
"""The most characters of a ``str`` a hint repeats."""


def check_tree(edition: Edition) -> None:
    """Check that each list in ``edition`` holds only sections, articles or blocks.

    Args:
        edition: the edition about to be rendered.

    Raises:
        ContentError: something is not what its list holds. The message names
            where it is and what to use instead, e.g. ``section 2 'Training' >
            block 3: a str is not a block; wrap the text in Paragraph('...')``.
    """
    _check_blocks(edition.intro, "intro")
    for number, section in enumerate(_list(edition.sections, "sections", "edition")):
        place = f"section {number + 1}"
        if not isinstance(section, Section):
            raise ContentError(
                f"{type_words(section)} is not a Section; "
                f"add sections with edition.section({_heading(section)})"
            ).within(place)
        place = f"{place} {section.heading!r}"
        _check_blocks(section.blocks, place)
        _check_blocks(section.closing, f"{place} > closing")
        for index, article in enumerate(_list(section.articles, "articles", place)):
            where = f"{place} > article {index + 1}"
            if not isinstance(article, Article):
                raise ContentError(
                    f"{type_words(article)} is not an Article; "
                    f"add articles with section.article({_heading(article)})"
                ).within(where)
            _check_blocks(
                article.blocks, f"{where} {article.heading!r}", subheadings=True
            )
    check_footnotes(edition)


def check_footnotes(edition: Edition) -> None:
    """Check that each footnote reference has its note, in the same article or section.

    Raises:
        ContentError: a reference without a note, a note nothing refers to, a
            label given in two places, or a reference in the intro.
    """
    if footnote_labels(edition.intro):
        label = footnote_labels(edition.intro)[0]
        raise ContentError(
            f"[^{label}] is in the introduction, which has no footnotes; put the "
            "note's words in the text, or move it into a section"
        ).within("intro")
    owners: dict[str, str] = {}
    containers: list[tuple[str, list[str], dict[str, Text], str]] = []
    for section in edition.sections:
        where = f"section {section.heading!r}"
        labels = footnote_labels([*section.blocks, *section.closing])
        containers.append((where, labels, section.footnotes, "section"))
        for article in section.articles:
            labels = footnote_labels(article.blocks)
            containers.append(
                (
                    f"{where} > article {article.heading!r}",
                    labels,
                    article.footnotes,
                    "article",
                )
            )
    for where, _labels, notes, _kind in containers:
        for label in notes:
            if label in owners:
                raise ContentError(
                    f"footnote {label!r} is given twice (also in {owners[label]}); "
                    "a label is unique across the edition: give one another label"
                ).within(where)
            owners[label] = where
    for where, labels, notes, kind in containers:
        for label in labels:
            if label not in notes:
                elsewhere = (
                    f" (it is a note of {owners[label]}: a note belongs to the "
                    f"{kind} that refers to it)"
                    if label in owners
                    else ""
                )
                raise ContentError(
                    f"[^{label}] has no footnote{elsewhere}; add it with "
                    f"{kind}.footnote({label!r}, 'The note.')"
                ).within(where)
        for label in notes:
            if label not in labels:
                raise ContentError(
                    f"footnote {label!r} is never referred to; write [^{label}] in "
                    "the text where it belongs, or remove the note"
                ).within(where)


def _list(values: object, name: str, where: str) -> list[object]:
    """``values`` as a list, if it is a list or a tuple (not a ``str``)."""
    if not isinstance(values, list | tuple):
        raise ContentError(f"{name} must be a list, not {type_words(values)}").within(
            where
        )
    return list(values)


def _check_blocks(blocks: object, where: str, *, subheadings: bool = False) -> None:
    for number, block in enumerate(_list(blocks, "blocks", where), start=1):
        if not isinstance(block, Block):
            raise ContentError(
                f"{type_words(block)} is not a block; {_hint(block)}"
            ).within(f"{where} > block {number}")
        if isinstance(block, Subheading) and not subheadings:
            raise ContentError(SUBHEADING_OUTSIDE).within(f"{where} > block {number}")


def _hint(value: object) -> str:
    """What to write instead of ``value`` in a list of blocks."""
    if isinstance(value, str):
        return f"wrap the text in Paragraph({_shown(value)})"
    if isinstance(value, Text):
        return "wrap it in Paragraph(...)"
    if isinstance(value, ListItem):
        return "put list items in a BulletList([...])"
    if isinstance(value, list | tuple):
        return (
            "to add several blocks use extend() rather than append(); "
            "for a list of points write BulletList([...])"
        )
    if isinstance(value, Section):
        return "add sections with edition.section(...)"
    if isinstance(value, Article):
        return "add articles with section.article(...)"
    return f"use {BLOCK_NAMES}"


def _heading(value: object) -> str:
    """The argument a hint shows: the ``str`` given, or a placeholder."""
    return _shown(value) if isinstance(value, str) else "'Heading'"


def _shown(text: str) -> str:
    """``text`` as a short Python literal, on one line."""
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    return repr(text)
