"""Footnotes in an edition file: ``[^1]`` in the text, ``[^1]: the note`` on a line.

mdit-py-plugins' footnote rule reads each definition (``footnote_reference_open``,
its paragraphs, ``footnote_reference_close``) wherever it is written: after the
paragraph, at the end of the article, or at the end of the file. Each note is
then filed under the one section or article whose text refers to it, and shown
at its end. A reference without a note, a note nothing refers to, a label
defined twice and a note referred to from two articles are each an error at
the place it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bulletin.errors import ContentError, Location
from bulletin.model.blocks import Block
from bulletin.model.text import Text
from bulletin.model.walk import footnote_labels

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["Notes", "Place"]


@dataclass
class _Note:
    text: Text
    line: int
    """The 0-based body line of its ``[^label]:``."""
    used: bool = False


@dataclass
class Place:
    """What may refer to notes: a section's own text, or an article."""

    heading: str
    line: int
    """The 0-based body line of its heading."""
    blocks: Sequence[Block]
    notes: dict[str, Text] | None
    """Where its notes are filed; None for the intro, which may have none."""


@dataclass
class Notes:
    """The footnote definitions of one file, as they are read."""

    defined: dict[str, _Note] = field(default_factory=dict)
    wrong: set[str] = field(default_factory=set)
    """Labels of definitions refused already: references to them are not reported."""

    def define(self, token: Token, inner: list[Token], offset: int) -> None:
        """Read one definition (``inner``: the tokens between its open and close).

        Raises:
            ContentError: the label is defined already, or the note is empty,
                holds more than text, or its text is wrong (placed by fragment).
        """
        label = str(token.meta["label"])
        line = token.map[0] if token.map else 0
        try:
            self.defined[label] = _Note(self._text(label, inner, offset), line)
        except ContentError:
            if label not in self.defined:
                self.wrong.add(label)
            raise

    def _text(self, label: str, inner: list[Token], offset: int) -> Text:
        if label in self.defined:
            raise ContentError(
                f"footnote [^{label}] is defined twice (also on line "
                f"{self.defined[label].line + offset + 1}); give this one another "
                "label, and refer to it by that",
                fragment=f"[^{label}]",
            )
        if any(
            item.type not in ("paragraph_open", "paragraph_close", "inline")
            for item in inner
        ):
            raise ContentError(
                "a footnote holds text only; put lists, pictures and boxes in the "
                "article instead",
                fragment=f"[^{label}]",
            )
        paragraphs = [item.content for item in inner if item.type == "inline"]
        text = Text.markdown("\\\n".join(part for part in paragraphs if part.strip()))
        if not text:
            raise ContentError(
                f"footnote [^{label}] is empty; write its text after [^{label}]:",
                fragment=f"[^{label}]",
            )
        if text.footnotes():
            raise ContentError(
                "a footnote cannot refer to another footnote; put both notes' "
                "references in the text",
                fragment="[^",
            )
        return text

    def file(
        self, places: list[Place], find: Callable[[str, int], Location]
    ) -> Iterator[ContentError]:
        """File each note under the place that first refers to it; yield the mistakes.

        ``find(needle, line)`` is where ``needle`` is first written from ``line`` on.
        """
        owners: dict[str, str] = {}
        for place in places:
            for label in footnote_labels(place.blocks):
                note = self.defined.get(label)
                if place.notes is None:
                    message = (
                        f"[^{label}] is in the introduction, which has no footnotes; "
                        "put the note's words in the text, or move it under a # section"
                    )
                elif note is None and label in self.wrong:
                    continue
                elif note is None:
                    message = (
                        f"[^{label}] refers to a footnote that is not written; add a "
                        f"line [^{label}]: and the note's text (after the paragraph, "
                        "or at the end of the file)"
                    )
                elif label in owners:
                    message = (
                        f"[^{label}] is already the note of '{owners[label]}'; a note "
                        "belongs to one article: give this one a note of its own, "
                        f"e.g. [^{label}b] and a line [^{label}b]: ..."
                    )
                else:
                    note.used = True
                    owners[label] = place.heading
                    place.notes[label] = note.text
                    continue
                yield ContentError(message, find(f"[^{label}]", place.line))
        for label, note in self.defined.items():
            if not note.used:
                yield ContentError(
                    f"footnote [^{label}] is never referred to; write [^{label}] in "
                    "the text where it belongs, or remove the note",
                    find(f"[^{label}]:", note.line),
                )
