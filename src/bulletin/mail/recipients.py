"""A recipient list: a CSV of addresses and merge fields, checked and de-duplicated.

The email column is found by its header (``email``, ``Email Address``,
``E-mail``... in any case) or named with ``email_column``. Every other column
becomes a merge field under a field name made from its header
(``First Name`` → ``first_name``), filled into ``{{ first_name }}`` in the
edition. Each address is checked with email-validator, without DNS, and
normalised (the domain in lower case); a row whose address is already listed,
in any case, is a duplicate. Problems with one row never stop the others:
the row is set aside with its number and the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from bulletin.errors import RecipientError
from bulletin.mail.csvfile import Table, open_table
from bulletin.model.fields import FIELD_NAME

__all__ = [
    "EMAIL_HEADERS",
    "RESERVED_FIELDS",
    "Duplicate",
    "Recipient",
    "RecipientList",
    "Rejection",
    "address_key",
    "check_address",
    "field_name",
    "read_recipients",
]

EMAIL_HEADERS = frozenset(
    {"email", "emailaddress", "mail", "emailaddr", "mailaddress", "primaryemail"}
)
"""Column headers taken for the email column, compared without case, spaces or
punctuation (so ``E-mail Address`` is ``emailaddress``)."""

RESERVED_FIELDS = frozenset({"email", "unsubscribe_url"})
"""Fields bulletin fills for every recipient: their address and unsubscribe link."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person to send to."""

    address: str
    """The address, normalised: as the reader wrote it, with the domain in lower case."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """Merge field values by field name, whitespace collapsed."""
    row: int = 0
    """The row in the CSV file (the header is row 1); 0 when not from a file."""
    ascii_address: str | None = None
    """The address with an internationalised domain in ASCII (IDNA), or None
    when the part before the @ is not ASCII and needs SMTPUTF8."""

    @property
    def key(self) -> str:
        """The address as compared for duplicates and suppression."""
        return address_key(self.address)

    @property
    def envelope(self) -> str:
        """The address to give the mail server: ASCII whenever it can be."""
        return self.ascii_address or self.address

    @property
    def smtputf8(self) -> bool:
        """True when the address needs the SMTPUTF8 extension to be delivered."""
        return self.ascii_address is None

    @classmethod
    def of(cls, address: str, fields: Mapping[str, str] | None = None) -> Recipient:
        """A recipient from an address typed in (e.g. ``--as``, ``--test-to``).

        Raises:
            RecipientError: the address is not valid.
        """
        try:
            return check_address(address, fields or {})
        except ValueError as error:
            raise RecipientError(f"{address!r}: {error}") from None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row set aside: its number, what was in the email column, and why."""

    row: int
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A row whose address an earlier row already gave."""

    row: int
    first_row: int
    address: str
    fields: Mapping[str, str] = field(default_factory=dict, compare=False)
    """The row's own merge fields (those of ``first_row`` are the ones used)."""

    def __str__(self) -> str:
        return f"row {self.row}: {self.address} is already on row {self.first_row}"


@dataclass(frozen=True, slots=True)
class RecipientList:
    """A recipient list, read: the recipients, and the rows that were set aside."""

    path: Path
    recipients: tuple[Recipient, ...]
    """Valid, distinct recipients in file order."""
    rejected: tuple[Rejection, ...] = ()
    """Rows with a missing or invalid address, or unusable cells."""
    duplicates: tuple[Duplicate, ...] = ()
    """Rows repeating an earlier address; the first row is the one used."""
    email_column: str = "email"
    """The header of the email column, as written."""
    fields: tuple[str, ...] = ()
    """The merge field names the other columns give."""
    warnings: tuple[str, ...] = ()
    """How the file was read when that needs saying (encoding, ignored columns)."""

    def find(self, address: str) -> Recipient | None:
        """The recipient with ``address`` (in any case or form), or None."""
        try:
            key = check_address(address.strip(), {}).key
        except ValueError:
            key = address_key(unicodedata.normalize("NFC", address.strip()))
        return next((each for each in self.recipients if each.key == key), None)

    def __len__(self) -> int:
        return len(self.recipients)

    def __iter__(self) -> Iterator[Recipient]:
        return iter(self.recipients)


def address_key(address: str) -> str:
    """The form addresses are compared in: case-folded, so Ann@X.org is ann@x.org.

    Strictly the part before the @ may be case-sensitive, but no mail system in
    use treats it so, and sending one person two copies is the worse mistake.
    """
    return address.casefold()


def field_name(header: str) -> str:
    """The merge field name for a column header: ``First Name`` → ``first_name``.

    Accents are dropped (``Prénom`` → ``prenom``), since field names are ASCII.

    Example:
        >>> field_name("First Name"), field_name(" Organisation (team) "), field_name("Prénom")
        ('first_name', 'organisation_team', 'prenom')
    """
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return _NOT_WORD.sub("_", plain.strip().lower()).strip("_")


def check_address(address: str, fields: Mapping[str, str], row: int = 0) -> Recipient:
    """Validate and normalise one address, without DNS.

    Raises:
        ValueError: why the address is not valid, in one sentence.
    """
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
    address = checked.normalized
    ascii_address = checked.ascii_email
    return Recipient(
        address=address,
        fields=fields,
        row=row,
        # One string, not two equal ones, for the usual all-ASCII address.
        ascii_address=address if ascii_address == address else ascii_address,
    )


def read_recipients(path: Path, *, email_column: str | None = None) -> RecipientList:
    """Read, check and de-duplicate the recipient list at ``path``.

    Args:
        path: a CSV file whose first row names the columns.
        email_column: the header of the email column, when it is not one of
            the usual names (:data:`EMAIL_HEADERS`).

    Raises:
        RecipientError: the file cannot be read as a CSV file, or has no
            email column. Bad rows do not raise: they are in ``rejected``.
    """
    with open_table(path) as table:
        email_index = _email_index(table, email_column)
        names, warnings = _field_names(table, email_index)
        if table.assumed_windows_1252:
            warnings.insert(
                0,
                f"{path} is not UTF-8, so it was read as Windows-1252 (Excel's "
                "default); if names look wrong, save it from Excel as 'CSV UTF-8'",
            )
        recipients: list[Recipient] = []
        rejected: list[Rejection] = []
        duplicates: list[Duplicate] = []
        seen: dict[str, int] = {}
        shared: dict[str, str] = {}
        for row, cells in table.rows:
            result = _recipient(row, cells, email_index, names, shared)
            if isinstance(result, Rejection):
                rejected.append(result)
                continue
            key = result.key
            first = seen.get(key)
            if first is not None:
                duplicates.append(Duplicate(row, first, result.address, result.fields))
                continue
            seen[key] = row
            recipients.append(result)
        return RecipientList(
            path=path,
            recipients=tuple(recipients),
            rejected=tuple(rejected),
            duplicates=tuple(duplicates),
            email_column=table.header[email_index],
            fields=tuple(name for name in names if name),
            warnings=tuple(warnings),
        )


def _recipient(
    row: int,
    cells: list[str],
    email_index: int,
    names: list[str],
    shared: dict[str, str],
) -> Recipient | Rejection:
    address = cells[email_index].strip() if email_index < len(cells) else ""
    if not address:
        return Rejection(row, "", "no email address")
    if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
        columns = f"{len(names)} column{'s' if len(names) != 1 else ''}"
        return Rejection(
            row,
            address,
            f"{len(cells)} cells but the header names {columns}; is there a comma "
            "that should be inside quotes?",
        )
    values: dict[str, str] = {}
    for name, cell in zip(names, cells, strict=False):
        if not name:
            continue
        if _CONTROL.search(cell):
            return Rejection(
                row, address, f"the {name} cell contains a control character"
            )
        value = " ".join(cell.split())
        # Values that repeat (an organisation, a team) are kept once in memory.
        values[name] = shared.setdefault(value, value) if len(value) < 64 else value
    try:
        return check_address(address, values, row)
    except ValueError as error:
        return Rejection(row, address, f"{address!r} is not a valid address: {error}")


def _email_index(table: Table, email_column: str | None) -> int:
    header = table.header
    shown = ", ".join(repr(cell) for cell in header)
    if email_column is not None:
        wanted = email_column.strip().casefold()
        for index, cell in enumerate(header):
            if cell.casefold() == wanted:
                return index
        raise RecipientError(
            f"{table.path}: no column is headed {email_column!r}; the columns are {shown}"
        )
    matches = [
        index
        for index, cell in enumerate(header)
        if _NOT_WORD.sub("", cell.lower()) in EMAIL_HEADERS
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        hint = (
            "; the first row should name the columns, e.g. email,first_name"
            if any("@" in cell for cell in header)
            else "; name it with --email-column"
        )
        raise RecipientError(
            f"{table.path}: no email column (the columns are {shown}, read as "
            f"separated by {table.delimiter_name}){hint}"
        )
    both = " and ".join(repr(header[index]) for index in matches)
    raise RecipientError(
        f"{table.path}: {both} could both be the email column; choose one with "
        f"--email-column {header[matches[0]]!r}"
    )


def _field_names(table: Table, email_index: int) -> tuple[list[str], list[str]]:
    """Each column's field name ('' for the email column and unusable headers)."""
    names: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(table.header):
        name = field_name(header)
        if index == email_index or not header:
            names.append("")
            continue
        problem = (
            "a merge field name is at most 64 characters"
            if len(name) > 64
            else f"bulletin fills {{{{ {name} }}}} itself"
            if name in RESERVED_FIELDS
            else None
            if FIELD_NAME.fullmatch(name)
            else "a merge field name starts with a letter and holds letters, "
            "digits and underscores"
        )
        if problem:
            warnings.append(f"{table.path}: column {header!r} is not used: {problem}")
            names.append("")
            continue
        if name in seen:
            raise RecipientError(
                f"{table.path}: two columns are both field {name!r}; rename one of "
                "them in the first row"
            )
        seen.add(name)
        names.append(name)
    return names, warnings
