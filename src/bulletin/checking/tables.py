"""Rules on tables: what a phone can show."""

from __future__ import annotations

from collections.abc import Iterator

from bulletin.checking.base import Context, Found
from bulletin.model.blocks import Table

__all__ = ["PHONE_COLUMNS", "wide_table"]

PHONE_COLUMNS = 4
"""The most columns a table shows readably on a phone.

Measured in Chromium at 375 px with the classic layout (15 px Arial, 8 px of
padding each side of a cell, 24 px gutters), a one-word cell in each column:
with four columns each is about 80 px wide and "February", "Location" and
"Training" stay whole; with five (about 65 px) every one of them breaks, and
"Durham" too.
"""


def wide_table(context: Context) -> Iterator[Found]:
    """A table with more columns than a phone shows without breaking words."""
    for block, path in context.blocks:
        if isinstance(block, Table) and block.columns > PHONE_COLUMNS:
            first = str(block.header[0]).strip()
            yield (
                f"this table has {block.columns} columns; on a phone more than "
                f"{PHONE_COLUMNS} break words across lines. Leave out a column, split "
                "it into two tables, or link to the web copy, where a wide table "
                "scrolls sideways",
                context.where(block, path, first or "|"),
            )
