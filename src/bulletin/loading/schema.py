"""Check the keys and value types of an editor's settings (front matter, bulletin.toml).

YAML and TOML hand back plain dicts; this module checks them against a table of
known keys, so that every problem is reported with its place and what would
work: an unknown key gets the nearest valid one, a wrong type says what was
expected and shows an example.

>>> values, errors = check_table({"titel": "News"}, {"title": TEXT}, lambda path: Location())
>>> str(errors[0])
"unknown key 'titel'; did you mean 'title'?"
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bulletin.errors import ContentError, Location
from bulletin.loading.datewords import parse_date

__all__ = [
    "COLOURS",
    "DATE",
    "FLAG",
    "NUMBER",
    "STRINGS",
    "TEXT",
    "TEXTS",
    "Kind",
    "Locate",
    "Table",
    "check_table",
    "describe",
]

Locate = Callable[[tuple[str, ...]], Location]
"""Where the value at a key path (``("logo", "alt")``) was written."""


class Kind:
    """A type of value: converts what YAML or TOML gave, or says what was expected."""

    expected = "a value"

    def convert(self, value: object) -> object:  # pragma: no cover - overridden
        raise NotImplementedError


class _Text(Kind):
    expected = "text"

    def convert(self, value: object) -> object:
        if isinstance(value, str):
            return value
        raise TypeError


class _Flag(Kind):
    expected = "true or false"

    def convert(self, value: object) -> object:
        if isinstance(value, bool):
            return value
        raise TypeError


class _Number(Kind):
    expected = "a whole number"

    def convert(self, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError


class _Date(Kind):
    expected = "a date like 2025-01-15 or 15 January 2025"

    def convert(self, value: object) -> object:
        if isinstance(value, dt.datetime):
            raise TypeError
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return parse_date(value)
            except ValueError:
                raise TypeError from None
        raise TypeError


class _Texts(Kind):
    expected = 'a list of texts, e.g. ["one", "two"]'

    def convert(self, value: object) -> object:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise TypeError


class _Strings(Kind):
    expected = 'a table of texts, e.g. brand = "#1d4f91"'

    def convert(self, value: object) -> object:
        if isinstance(value, dict) and all(
            isinstance(key, str) and isinstance(item, str)
            for key, item in value.items()
        ):
            return dict(value)
        raise TypeError


TEXT = _Text()
FLAG = _Flag()
NUMBER = _Number()
DATE = _Date()
TEXTS = _Texts()
STRINGS = _Strings()
COLOURS = STRINGS


@dataclass(frozen=True)
class Table(Kind):
    """A nested table of known keys (``[logo]``, ``[contact]``)."""

    keys: Mapping[str, Kind]
    """The keys it may hold."""

    expected = "a table of keys"


def describe(value: object) -> str:
    """Name what an editor wrote, YAML's and TOML's guesses included."""
    if value is None:
        # In YAML an unquoted value starting with # is a comment: brand: #1d4f91.
        return 'nothing (if you wrote a # colour, put it in quotes: "#1d4f91")'
    if isinstance(value, bool):
        # YAML 1.1 reads yes/no/on/off as booleans: say so, it surprises everyone.
        return f"{str(value).lower()} (yes, no, on and off are read as true or false)"
    if isinstance(value, dt.datetime):
        return f"a date and time ({value.isoformat()})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def check_table(
    data: Mapping[Any, object],
    keys: Mapping[str, Kind],
    locate: Locate,
    *,
    path: tuple[str, ...] = (),
) -> tuple[dict[str, object], list[ContentError]]:
    """Check ``data`` against ``keys``; return the converted values and every problem.

    A nested :class:`Table` comes back as a dict of its converted values.
    """
    values: dict[str, object] = {}
    errors: list[ContentError] = []
    dotted = ".".join(path)
    for key, value in data.items():
        here = (*path, str(key))
        kind = keys.get(key) if isinstance(key, str) else None
        if kind is None:
            near = difflib.get_close_matches(str(key), list(keys), n=1, cutoff=0.6)
            hint = (
                f"did you mean {near[0]!r}?"
                if near
                else "known keys: " + ", ".join(sorted(keys))
            )
            where = f" in {dotted}" if dotted else ""
            errors.append(
                ContentError(f"unknown key {key!r}{where}; {hint}").at(locate(here))
            )
            continue
        name = ".".join(here)
        if isinstance(kind, Table):
            if not isinstance(value, dict):
                errors.append(
                    ContentError(
                        f"{name} must be a table of keys ({', '.join(kind.keys)}), "
                        f"not {describe(value)}"
                    ).at(locate(here))
                )
                continue
            inner, problems = check_table(value, kind.keys, locate, path=here)
            values[str(key)] = inner
            errors.extend(problems)
            continue
        if kind is STRINGS and isinstance(value, dict):
            # Name the entry that is wrong, not the whole table.
            inner_values, problems = check_table(
                value, {str(item): TEXT for item in value}, locate, path=here
            )
            values[str(key)] = inner_values
            errors.extend(problems)
            continue
        try:
            values[str(key)] = kind.convert(value)
        except TypeError:
            errors.append(
                ContentError(
                    f"{name} must be {kind.expected}, not {describe(value)}"
                    + (
                        f'; put it in quotes: "{_as_written(value)}"'
                        if kind is TEXT
                        and isinstance(value, bool | int | float | dt.date)
                        else ""
                    )
                ).at(locate(here))
            )
    return values, errors


def _as_written(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
