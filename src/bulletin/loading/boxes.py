"""Boxes: the blocks plain Markdown has no syntax for, written between ``:::`` lines.

::

    ::: button
    [Book your place](https://example.org/training/)
    :::

    ::: event
    title: Time to Talk Day
    date: 2025-02-06
    time: all day
    location: Everywhere
    link: https://timetotalkday.co.uk/
    :::

    ::: callout More information
    Read the [guidance](https://example.org/guidance/).
    :::

    ::: contact Contact us
    phone: 03000 265770
    email: news@example.org
    :::

A box opens with ``:::`` and its kind (``button``, ``event``, ``callout``,
``contact``), optionally followed by a title and an audience tag (``{for
schools}``, see :mod:`bulletin.loading.audiencetags`), and closes with a
``:::`` line.
Events and contacts hold ``key: value`` lines; a callout holds Markdown text;
a button holds one link.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bulletin.errors import ContentError
from bulletin.loading.audiencetags import split_tag
from bulletin.loading.datewords import parse_dates
from bulletin.model.blocks import Block, Button, Callout, Contact, Event

if TYPE_CHECKING:
    from markdown_it.rules_block import StateBlock

__all__ = ["BOX_KINDS", "Box", "box_rule", "box_start", "closes_box", "make_block"]

_OPEN = re.compile(r":::[ \t]*([A-Za-z]+)[ \t]*(.*?)[ \t]*$")
_CLOSE = re.compile(r":::[ \t]*$")
_PAIR = re.compile(r"([A-Za-z_]+)[ \t]*:[ \t]*(.*?)[ \t]*$")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_BUTTON = re.compile(r"\[([^\]]+)\]\(\s*(\S+)\s*\)")


def box_start(line: str) -> bool:
    """True when ``line`` (without its indent) opens a box: ``::: kind``."""
    return _OPEN.match(line) is not None


def closes_box(line: str) -> bool:
    """True when ``line`` (without its indent) closes a box: ``:::`` alone."""
    return _CLOSE.match(line) is not None


@dataclass(frozen=True, slots=True)
class Box:
    """A ``:::`` box as written: its kind, title and the lines inside."""

    kind: str
    """``button``, ``event``, ``callout`` or ``contact`` (lower case)."""
    title: str
    """What follows the kind on the opening line."""
    lines: tuple[str, ...]
    """The lines between the opening and closing ``:::``."""
    first_line: int
    """The 0-based line of the first line inside, in the Markdown body."""
    closed: bool
    """False when the file ended before a closing ``:::``."""
    audiences: frozenset[str] = frozenset()
    """The audiences the box is for (``{for ...}`` ending its opening line)."""


def box_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it block rule: a ``:::`` box becomes one ``box`` token."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    opening = _OPEN.match(first)
    if opening is None:
        return False
    if silent:
        return True
    lines: list[str] = []
    line = start + 1
    closed = False
    while line < end:
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if _CLOSE.match(text):
            closed = True
            break
        lines.append(state.src[state.bMarks[line] : state.eMarks[line]])
        line += 1
    token = state.push("box", "", 0)
    token.map = [start, min(line + 1, end)]
    token.meta = {
        "box": Box(
            opening.group(1).lower(),
            opening.group(2),
            tuple(lines),
            start + 1,
            closed,
        )
    }
    state.line = min(line + 1, end)
    return True


class BoxError(ContentError):
    """A problem on one line of a box (``line`` is 0-based within the body)."""

    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.body_line = line
        self.body_column = column


def _button(box: Box) -> Block:
    text = " ".join(line.strip() for line in box.lines if line.strip())
    match = _BUTTON.fullmatch(text)
    if match is None:
        raise BoxError(
            "a button box holds one link: [Book your place](https://example.org/)",
            box.first_line,
        )
    try:
        return Button(match.group(1).strip(), match.group(2), audiences=box.audiences)
    except ContentError as error:
        for number, line in enumerate(box.lines, start=box.first_line):
            column = line.find(match.group(2))
            if column >= 0:
                raise BoxError(error.message, number, column + 1) from None
        raise


def _callout(box: Box) -> Block:
    paragraphs = "\n".join(box.lines).strip().split("\n\n")
    text = "\\\n".join(part.strip() for part in paragraphs if part.strip())
    if not text:
        raise BoxError(
            "the callout box is empty; write its text between the ::: lines",
            box.first_line,
        )
    return Callout(text, title=box.title or None, audiences=box.audiences)


def _pairs(box: Box, keys: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(box.lines, start=box.first_line):
        if not line.strip():
            continue
        match = _PAIR.match(line.strip())
        if match is None:
            raise BoxError(
                f"write one detail per line as key: value, e.g. {keys[0]}: ...; "
                f"this box takes {', '.join(keys)}",
                number,
                len(line) - len(line.lstrip()) + 1,
            )
        key = match.group(1).lower()
        if key not in keys:
            near = difflib.get_close_matches(key, keys, n=1)
            hint = f"did you mean {near[0]!r}?" if near else "use " + ", ".join(keys)
            raise BoxError(
                f"{_a(box.kind)} box has no {key!r}; {hint}",
                number,
                len(line) - len(line.lstrip()) + 1,
            )
        if key in found:
            raise BoxError(f"{key} is given twice in this {box.kind} box", number)
        found[key] = (match.group(2), number)
    return found


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _event(box: Box) -> Block:
    keys = ("title", "date", "time", "location", "link", "details")
    pairs = _pairs(box, keys)
    title = pairs.get("title", (box.title, box.first_line))[0]
    if not title:
        raise BoxError(
            "the event has no title; write title: ... inside the box", box.first_line
        )
    if "date" not in pairs:
        raise BoxError(
            "the event has no date; write date: 2025-02-06 (or from 2025-02-03 to "
            "2025-02-09)",
            box.first_line,
        )
    written, line = pairs["date"]
    try:
        date, end_date = parse_dates(written)
    except ValueError as error:
        raise BoxError(str(error), line) from None
    return _located(
        box,
        pairs,
        lambda: Event(
            title,
            date,
            end_date=end_date,
            time=_get(pairs, "time"),
            location=_get(pairs, "location"),
            details=_get(pairs, "details"),
            link=_get(pairs, "link"),
            audiences=box.audiences,
        ),
    )


def _contact(box: Box) -> Block:
    pairs = _pairs(box, ("name", "address", "phone", "email", "website"))
    return _located(
        box,
        pairs,
        lambda: Contact(
            heading=box.title or None,
            name=_get(pairs, "name"),
            address=_get(pairs, "address") or (),
            phone=_get(pairs, "phone"),
            email=_get(pairs, "email"),
            website=_get(pairs, "website"),
            audiences=box.audiences,
        ),
    )


def _get(pairs: dict[str, tuple[str, int]], key: str) -> str | None:
    return pairs[key][0] if key in pairs else None


_BOX_KEYS = {"end_date": "date"}
"""Model fields a box writes under another key: ``date: from ... to ...``."""


def _located(
    box: Box, pairs: dict[str, tuple[str, int]], make: Callable[[], Block]
) -> Block:
    """Make the block; a value it refuses is blamed on the line that gave it.

    The model tags the error with the field at fault (its key); the column is
    where the offending fragment starts on that line, when it says which.
    """
    try:
        return make()
    except ContentError as error:
        field = error.key[0] if error.key else ""
        written = _BOX_KEYS.get(field, field)
        if written in pairs:
            line = pairs[written][1]
            text = box.lines[line - box.first_line]
            column = text.find(error.fragment) + 1 if error.fragment else 0
            raise BoxError(error.message, line, max(column, 1)) from None
        raise


BOX_KINDS: dict[str, Callable[[Box], Block]] = {
    "button": _button,
    "callout": _callout,
    "contact": _contact,
    "event": _event,
}
"""What each kind of box becomes."""


def make_block(box: Box, *, strict: bool = True) -> Block:
    """Turn a box into its block (``strict``: the edition has audiences, see
    :func:`~bulletin.loading.audiencetags.split_tag`).

    Raises:
        BoxError: a line of the box is wrong (the error knows which).
        ContentError: the block itself refused a value.
    """
    if not box.closed:
        raise BoxError(
            f"the {box.kind} box is never closed; end it with a line holding only :::",
            box.first_line - 1,
        )
    make = BOX_KINDS.get(box.kind)
    if make is None:
        near = difflib.get_close_matches(box.kind, list(BOX_KINDS), n=1)
        hint = (
            f"did you mean ::: {near[0]}?"
            if near
            else "use " + ", ".join(f"::: {kind}" for kind in BOX_KINDS)
        )
        raise BoxError(f"there is no ::: {box.kind} box; {hint}", box.first_line - 1)
    for number, line in enumerate(box.lines, start=box.first_line):
        if box_start(line.lstrip()):
            raise BoxError(
                f"a box cannot hold another box: end this {box.kind} box with a line "
                "holding only ::: before opening the next",
                number,
            )
        if _HEADING.match(line):
            raise BoxError(
                f"a heading cannot go inside a box: end this {box.kind} box with a "
                "line holding only ::: above the heading",
                number,
            )
    try:
        title, audiences = split_tag(box.title, strict=strict)
    except ContentError as error:
        raise BoxError(error.message, box.first_line - 1) from None
    return make(dataclasses.replace(box, title=title, audiences=audiences))
