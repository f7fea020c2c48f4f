"""The suppression list: people never to send to again, whatever a recipient list says.

Someone who unsubscribed, or whose mailbox does not exist (a hard bounce),
is left out of every later send even when an old spreadsheet still lists
them. The list is a CSV file beside ``bulletin.toml`` (``suppressed.csv``
unless ``suppressions`` names another), so an editor can open it, and it
travels with the bulletin's folder::

    email,reason,date,note
    ann@example.org,unsubscribed,2025-01-20,website

Addresses are compared case-folded, like the recipient list's duplicates.
Entries are only ever added by bulletin (``bulletin suppress remove`` takes
one off on purpose), and every change rewrites the file atomically. Every
cell is written formula-safe (see :func:`~bulletin.mail.csvfile.formula_safe`),
since addresses and notes come from readers and mail servers. A file with
other columns (a recipient list given by mistake) is never rewritten: its
columns would be lost.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import RecipientError
from bulletin.files import write_atomic
from bulletin.mail.csvfile import formula_cell, formula_safe, open_table
from bulletin.mail.recipients import address_key, check_address, read_recipients

__all__ = [
    "COLUMNS",
    "REASONS",
    "Suppression",
    "SuppressionList",
    "foreign_columns",
    "read_addresses",
    "run_note",
    "run_of",
]

REASONS = ("unsubscribed", "bounced", "complained", "manual")
"""Why an address is suppressed."""

COLUMNS = ("email", "reason", "date", "note")
"""A suppression list's columns, in order."""

_HEADER = COLUMNS


@dataclass(frozen=True, slots=True)
class Suppression:
    """One suppressed address."""

    address: str
    reason: str = "unsubscribed"
    date: dt.date | None = None
    """When it was suppressed, if known."""
    note: str = ""
    """Where it came from, e.g. ``website`` or the mail server's reply."""

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise RecipientError(
                f"suppression reason {self.reason!r} is not one of {', '.join(REASONS)}"
            )

    @property
    def key(self) -> str:
        return _key(self.address)


def _key(address: str) -> str:
    """The key a recipient with this address has: the same in any case or form
    (``ann@xn--exmple-cua.org`` is ``ann@exämple.org``)."""
    address = address.strip()
    try:
        return check_address(address, {}).key
    except ValueError:
        # Kept even when not a valid address: suppressed exactly as written.
        return address_key(unicodedata.normalize("NFC", address))


class SuppressionList:
    """The suppressed addresses of one bulletin, read from and written to ``path``."""

    def __init__(self, path: Path, entries: Iterable[Suppression] = ()) -> None:
        self.path = path
        self._entries: dict[str, Suppression] = {}
        for entry in entries:
            self._entries.setdefault(entry.key, entry)

    @classmethod
    def load(cls, path: Path) -> SuppressionList:
        """Read the list at ``path``; a missing file is an empty list.

        Raises:
            RecipientError: the file exists but cannot be read as a suppression list.
        """
        if not path.exists():
            return cls(path)
        return cls(path, _read(path))

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and _key(address) in self._entries

    def get(self, address: str) -> Suppression | None:
        """The entry for ``address`` (in any case), or None."""
        return self._entries.get(_key(address))

    def has_key(self, key: str) -> bool:
        """True when the case-folded ``key`` (a :attr:`Recipient.key`) is suppressed."""
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Suppression]:
        return iter(self._entries.values())

    def add(self, entries: Iterable[Suppression]) -> list[Suppression]:
        """Add ``entries`` and save; return those that were not already listed.

        The file is read again first, so entries another run added meanwhile
        are kept.

        Raises:
            RecipientError: the file cannot be read.
            OSError: it cannot be written.
        """
        self._reload()
        added = []
        for entry in entries:
            key = entry.key  # normalised by email-validator: worth doing once
            if key not in self._entries:
                self._entries[key] = entry
                added.append(entry)
        if added:
            self._save()
        return added

    def remove(self, addresses: Iterable[str]) -> list[Suppression]:
        """Take ``addresses`` off the list and save; return the entries removed."""
        self._reload()
        removed = [
            entry
            for entry in (
                self._entries.pop(_key(address), None) for address in addresses
            )
            if entry is not None
        ]
        if removed:
            self._save()
        return removed

    def _reload(self) -> None:
        """Start from the file as it is now: other runs may have changed it.

        Raises:
            RecipientError: the file has columns a suppression list has not
                (it would be rewritten without them), or cannot be read.
        """
        if self.path.exists():
            foreign = foreign_columns(self.path)
            if foreign:
                raise RecipientError(
                    f"{self.path} is not a suppression list: it has the columns "
                    f"{', '.join(foreign)} besides {', '.join(COLUMNS)} (is it a "
                    "recipient list?); it was left as it is"
                )
        self._entries = {}
        for entry in _read(self.path) if self.path.exists() else ():
            self._entries.setdefault(entry.key, entry)

    def _save(self) -> None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(_HEADER)
        for entry in self._entries.values():
            writer.writerow(
                formula_safe(cell)
                for cell in (
                    entry.address,
                    entry.reason,
                    entry.date.isoformat() if entry.date else "",
                    entry.note,
                )
            )
        # With a BOM, so that Excel opens accented addresses as they are.
        write_atomic(self.path, buffer.getvalue().encode("utf-8-sig"))


_RUN_NOTE = re.compile(r"\(bulletin send, run ([0-9A-Za-z-]+)\)$")


def run_note(reply: str, run: str) -> str:
    """The note of an address a send ``run`` found gone: the reply, and the run.

    >>> run_note("550 5.1.1 No such user", "20250115-090000-ab12")
    '550 5.1.1 No such user (bulletin send, run 20250115-090000-ab12)'
    """
    return f"{reply} (bulletin send, run {run})"


def run_of(entry: Suppression) -> str | None:
    """The send run that added ``entry`` (see :func:`run_note`), or None.

    >>> run_of(Suppression("a@example.org", "bounced", note=run_note("550 5.1.1", "r1")))
    'r1'
    """
    found = _RUN_NOTE.search(entry.note)
    return found.group(1) if found else None


def foreign_columns(path: Path) -> list[str]:
    """The columns of the CSV file at ``path`` that a suppression list has not.

    Raises:
        RecipientError: the file cannot be read as a CSV file.
    """
    if path.stat().st_size == 0:
        return []
    with open_table(path) as table:
        return [
            name for name in table.header if name and name.casefold() not in COLUMNS
        ]


def _date(text: str) -> dt.date:
    """ISO (2025-01-31), or as Excel re-saves it in the UK (31/01/2025)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()


def _read(path: Path) -> list[Suppression]:
    entries: list[Suppression] = []
    if path.stat().st_size == 0:
        return entries
    with open_table(path) as table:
        columns = {name.casefold(): index for index, name in enumerate(table.header)}
        if "email" not in columns:
            raise RecipientError(
                f"{path}: the first row should be {','.join(_HEADER)}; it is "
                f"{','.join(table.header)}"
            )
        for row, cells in table.rows:
            values = {
                name: formula_cell(cells[index].strip())
                for name, index in columns.items()
                if index < len(cells)
            }
            reason = values.get("reason") or "manual"
            if reason not in REASONS:
                raise RecipientError(
                    f"{path}: row {row}: reason {reason!r} is not one of "
                    + ", ".join(REASONS)
                )
            try:
                date = _date(values["date"]) if values.get("date") else None
            except ValueError:
                raise RecipientError(
                    f"{path}: row {row}: date {values['date']!r} is not a date like "
                    "2025-01-31"
                ) from None
            if values.get("email"):
                entries.append(
                    Suppression(values["email"], reason, date, values.get("note", ""))
                )
    return entries


def read_addresses(
    path: Path, *, email_column: str | None = None
) -> tuple[list[str], list[str]]:
    """Addresses to suppress from a file: a CSV with an email column, or one per line.

    Returns the valid addresses (normalised) and a message for each row set aside.

    Raises:
        RecipientError: the file cannot be read, or has no email column.
    """
    with open_table(path) as table:
        headerless = email_column is None and any("@" in cell for cell in table.header)
        if headerless:
            addresses, problems = [], []
            for row, cells in ((1, list(table.header)), *table.rows):
                value = next(
                    (cell.strip() for cell in cells if "@" in cell),
                    ",".join(cells).strip(),
                )
                try:
                    addresses.append(check_address(value, {}).address)
                except ValueError as error:
                    problems.append(f"{path}: row {row}: {value!r} skipped: {error}")
            return addresses, problems
    recipients = read_recipients(path, email_column=email_column)
    return (
        [each.address for each in recipients],
        [f"{path}: {rejection}" for rejection in recipients.rejected],
    )
