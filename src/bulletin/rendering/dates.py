"""Dates in words, in the edition's language, without the C locale's help."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

__all__ = ["format_date", "format_range"]


def format_date(date: dt.date, pattern: str, months: Sequence[str]) -> str:
    """Write ``date`` by ``pattern``: ``{day}``, ``{month}`` and ``{year}`` are filled in.

    Example:
        >>> format_date(dt.date(2025, 2, 6), "{day} {month} {year}", ["January", "February"])
        '6 February 2025'
    """
    return pattern.format(day=date.day, month=months[date.month - 1], year=date.year)


def format_range(
    start: dt.date, end: dt.date | None, pattern: str, months: Sequence[str]
) -> str:
    """Write a date or a range, sharing the month and year where they agree.

    ``3 February 2025``, ``3–9 February 2025``, ``28 February – 2 March 2025``.
    """
    if end is None or end == start:
        return format_date(start, pattern, months)
    if pattern != "{day} {month} {year}":
        return f"{format_date(start, pattern, months)} – {format_date(end, pattern, months)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, pattern, months)}"
    if start.year == end.year:
        return f"{start.day} {months[start.month - 1]} – {format_date(end, pattern, months)}"
    return (
        f"{format_date(start, pattern, months)} – {format_date(end, pattern, months)}"
    )
