"""Rules on dates: events already over, deadlines already past, on the edition's date."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulletin.checking.base import Context, Found
from bulletin.loading.datewords import DATE_IN_TEXT, parse_date
from bulletin.model.blocks import Event

__all__ = ["past_deadline", "past_event"]

_DEADLINE = re.compile(
    r"\b(deadlines?|closing date|closes|close on|(apply|book|register|respond|"
    r"submit|reply|return it) by|no later than)\b",
    re.IGNORECASE,
)


def past_event(context: Context) -> Iterator[Found]:
    """An event that ends before the edition's date."""
    today = context.edition.date
    for block, path in context.blocks:
        if not isinstance(block, Event):
            continue
        last = block.end_date or block.date
        if last < today:
            yield (
                f"event '{block.title}' ({last.isoformat()}) is over by the edition's "
                f"date ({today.isoformat()}); remove it or check the date",
                context.where(block, path, "date:"),
            )


def past_deadline(context: Context) -> Iterator[Found]:
    """A sentence about a deadline whose date is before the edition's."""
    today = context.edition.date
    for block, text, path in context.texts():
        words = str(text)
        if not _DEADLINE.search(words):
            continue
        for match in DATE_IN_TEXT.finditer(words):
            try:
                when = parse_date(match.group(0))
            except ValueError:
                continue
            if when < today:
                yield (
                    f"'{match.group(0)}' is before the edition's date "
                    f"({today.isoformat()}); is this deadline still right?",
                    context.where(block, path, match.group(0)),
                )
