"""Dates as editors write them: ``2025-02-06``, ``6 Feb 2025``, ``3–9 February 2025``.

Used for the front matter's ``date``, event boxes, and by ``bulletin check``
to find deadlines in text. English month names, in full or shortened.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["DATE_IN_TEXT", "parse_date", "parse_dates"]

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WORDY_DATE = re.compile(
    r"(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})"
)

DATE_IN_TEXT = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\s+\d{4}\b",
    re.IGNORECASE,
)
"""A date written out in running text, e.g. "1st March 2025"."""


def parse_date(text: str) -> dt.date:
    """Read ``2025-02-06`` or ``6 February 2025`` (``Thursday 6th February 2025``).

    >>> parse_date("Thursday 6th February 2025")
    datetime.date(2025, 2, 6)
    """
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = _WORDY_DATE.fullmatch(text)
    month = _month(match.group(2)) if match else None
    if match and month:
        try:
            return dt.date(int(match.group(3)), month, int(match.group(1)))
        except ValueError:
            raise ValueError(
                f"{text!r} is not a date: {match.group(2)} has no day {match.group(1)}"
            ) from None
    raise ValueError(f"{text!r} is not a date; write 2025-02-06 or 6 February 2025")


def _month(word: str) -> int | None:
    """1 to 12 for ``February``, ``Feb`` or ``Feb.``; None for anything else."""
    word = word.lower().rstrip(".")
    for number, name in enumerate(_MONTHS, start=1):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return number
    return None


_SHORT_RANGE = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|–|—|to)\s*(\d{1,2})(?:st|nd|rd|th)?\s+"
    r"([A-Za-z]+\s+\d{4})"
)


def parse_dates(text: str) -> tuple[dt.date, dt.date | None]:
    """Read a date or a range: ``2025-02-03 to 2025-02-09``, ``3-9 February 2025``.

    >>> parse_dates("3–9 February 2025")
    (datetime.date(2025, 2, 3), datetime.date(2025, 2, 9))
    """
    text = text.strip().removeprefix("from ").strip()
    short = _SHORT_RANGE.fullmatch(text)
    if short:
        month_year = short.group(3)
        return (
            parse_date(f"{short.group(1)} {month_year}"),
            parse_date(f"{short.group(2)} {month_year}"),
        )
    start, _, finish = text.partition(" to ")
    if finish and not re.search(r"\d{4}", start):
        # 28 February to 2 March 2025: the year is written once, at the end.
        start = f"{start.strip()} {finish.strip()[-4:]}"
    return parse_date(start), parse_date(finish) if finish else None
