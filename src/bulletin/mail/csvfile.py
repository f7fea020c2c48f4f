"""Read a spreadsheet's CSV export as it really comes: any of Excel's encodings, streamed.

Exports from Excel, Outlook and mailing tools differ: UTF-8 with or without a
byte-order mark, Windows-1252 from an older Excel's "CSV (Comma delimited)",
UTF-16 from "Unicode Text", commas, semicolons (European Excel) or tabs, CRLF
line endings. :func:`open_table` works out the encoding and the delimiter,
then yields one row at a time, numbered as a spreadsheet numbers them (the
header is row 1), so a file of any length is read in constant memory.

Safety limits keep a broken or hostile file from taking the machine: NUL
bytes are refused (an ``.xlsx`` is named as such), and a row may hold at
most :data:`MAX_ROW_CHARS` characters, which also catches a quote left open.

Every cell bulletin writes to a CSV goes through :func:`formula_safe`, so a
spreadsheet never runs it as a formula (``=cmd|' /C calc'!A0@x`` is a valid
address), and bulletin reads its own files back with :func:`formula_cell`.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bulletin.errors import RecipientError

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_ROW_CHARS",
    "Table",
    "formula_cell",
    "formula_safe",
    "open_table",
]

MAX_ROW_CHARS = 65_536
"""The most characters one row may hold, line breaks in quoted cells included."""

MAX_FIELD_CHARS = 4_096
"""The most characters one cell may hold."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What a spreadsheet takes a cell beginning with to be a formula (OWASP, CSV injection)."""

_CHUNK = 1 << 20
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_DELIMITERS = ",;\t"
_ENCODING_NAMES = {"utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "utf-16": "UTF-16"}
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file being read: its header, how it was read, and its rows to come."""

    path: Path
    header: tuple[str, ...]
    """The first row's cells, stripped."""
    encoding: str
    """The Python codec name the file was read with."""
    delimiter: str
    rows: Iterator[tuple[int, list[str]]]
    """``(row number, cells)`` for each row after the header; blank rows are skipped."""

    @property
    def assumed_windows_1252(self) -> bool:
        """True when the file was not UTF-8 and was read as Excel's Windows-1252."""
        return self.encoding == "cp1252"

    @property
    def delimiter_name(self) -> str:
        """The delimiter in words: ``commas``, ``semicolons`` or ``tabs``."""
        return _DELIMITER_NAMES[self.delimiter]


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open the CSV file at ``path`` for reading row by row.

    A row the CSV reader cannot make sense of (text after a closing quote)
    stops the file with its row number: guessing where its cells end could
    send to the wrong address.

    Raises:
        RecipientError: the file cannot be read, is not a CSV file (an
            ``.xlsx``, NUL bytes), has no header row, or a row breaks a safety
            limit (raised while iterating ``rows``).
    """
    encoding = _detect_encoding(path)
    try:
        handle = path.open(encoding=encoding, newline="", errors="strict")
    except OSError as error:
        raise RecipientError(
            f"{path}: cannot read the file: {error.strerror or error}"
        ) from None
    with handle:
        lines = _Lines(handle)
        skipped = 0
        try:
            first = next(lines, None)
            while first is not None and not first.strip():
                skipped += 1  # blank rows above the header still count as rows
                lines.start_row()
                first = next(lines, None)
        except UnicodeDecodeError as error:
            raise _decode_error(path, error) from None
        except _TooLong:
            raise _too_long(path, skipped + 1) from None
        if first is None:
            raise RecipientError(
                f"{path}: the file is empty; the first row should name the columns, "
                "e.g. email,first_name"
            )
        delimiter = _delimiter(first)
        reader = csv.reader(_chain(first, lines), delimiter=delimiter, strict=True)
        numbered = _rows(reader, lines, path, skipped)
        header = next(numbered, None)
        if header is None:
            raise RecipientError(
                f"{path}: no column names: the first row should name the columns, "
                "e.g. email,first_name"
            )
        yield Table(
            path=path,
            header=tuple(cell.strip() for cell in header[1]),
            encoding=encoding,
            delimiter=delimiter,
            rows=numbered,
        )


def _needs_quote(text: str) -> bool:
    """True when ``text`` would be a formula, or looks as if it had been quoted."""
    while text.startswith("'"):
        text = text[1:]
    return text.startswith(_FORMULA_STARTS)


def formula_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: ``'`` before a formula.

    A cell that already starts with ``'`` before such a character gets one more,
    so :func:`formula_cell` gives back exactly ``text``.

    Example:
        >>> formula_safe("=cmd|' /C calc'!A0@x"), formula_safe("ann@example.org")
        ("'=cmd|' /C calc'!A0@x", 'ann@example.org')
    """
    return "'" + text if _needs_quote(text) else text


def formula_cell(cell: str) -> str:
    """A cell of a CSV bulletin wrote, as the text it was made from.

    The inverse of :func:`formula_safe`; a cell from an older bulletin (which
    quoted only notes) or typed by hand reads the same way.

    Example:
        >>> formula_cell("'=cmd|' /C calc'!A0@x"), formula_cell("'quoted'")
        ("=cmd|' /C calc'!A0@x", "'quoted'")
    """
    return cell[1:] if cell.startswith("'") and _needs_quote(cell[1:]) else cell


def _delimiter(header: str) -> str:
    """The delimiter the header row uses most often outside quotes (a comma if none)."""
    outside = "".join(header.split('"')[::2])
    counts = {mark: outside.count(mark) for mark in _DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _chain(first: str, lines: _Lines) -> Iterator[str]:
    yield first
    yield from lines


def _rows(
    reader: Iterator[list[str]], lines: _Lines, path: Path, number: int
) -> Iterator[tuple[int, list[str]]]:
    while True:
        lines.start_row()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise _decode_error(path, error) from None
        except _TooLong:
            raise _too_long(path, number + 1) from None
        except csv.Error as error:
            raise RecipientError(
                f"{path}: row {number + 1}: cannot read the row ({error}); check the "
                "quotes on that row"
            ) from None
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        for cell in cells:
            if len(cell) > MAX_FIELD_CHARS:
                raise RecipientError(
                    f"{path}: row {number}: a cell holds {len(cell):,} characters, "
                    f"more than the {MAX_FIELD_CHARS:,} allowed; is a quote left open "
                    "on that row?"
                )
            if "\0" in cell:
                raise RecipientError(
                    f"{path}: row {number}: contains a NUL character; save the file "
                    "from the spreadsheet as 'CSV UTF-8'"
                )
        yield number, cells


class _TooLong(Exception):  # noqa: N818 - internal signal, turned into a RecipientError
    """A row ran past MAX_ROW_CHARS."""


def _too_long(path: Path, row: int) -> RecipientError:
    return RecipientError(
        f"{path}: row {row}: the row runs past {MAX_ROW_CHARS:,} characters; is a "
        'quote (") left open? A cell that holds a quote must be quoted and its '
        'quotes doubled: "say ""hello"""'
    )


class _Lines:
    """The file's lines, each read with a limit, so that no row grows without bound."""

    __slots__ = ("_handle", "_used")

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self._used = 0

    def start_row(self) -> None:
        self._used = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._handle.readline(MAX_ROW_CHARS + 1 - self._used)
        if not line:
            raise StopIteration
        self._used += len(line)
        if self._used > MAX_ROW_CHARS:
            raise _TooLong
        return line


def _detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, or else Windows-1252.

    The whole file is scanned (in chunks, in C) before any row is read, so a
    Windows-1252 character far down the file cannot surface after rows were used.
    """
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
            if start.startswith(codecs.BOM_UTF8):
                return "utf-8-sig"
            if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16"
            if start.startswith(b"PK\x03\x04"):
                raise RecipientError(
                    f"{path}: this is an Excel workbook (.xlsx), not a CSV file; in "
                    "Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'"
                )
            handle.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
            utf8 = True
            offset = 0
            undefined: int | None = None  # the first byte Windows-1252 lacks
            while chunk := handle.read(_CHUNK):
                if undefined is None and (found := _NOT_CP1252.search(chunk)):
                    undefined = offset + found.start()
                nul = chunk.find(b"\0")
                if nul >= 0:
                    handle.seek(0)
                    line = handle.read(offset + nul).count(b"\n") + 1
                    raise RecipientError(
                        f"{path}:{line}: the file holds NUL bytes, so it is not a CSV "
                        "text file; save it from the spreadsheet as 'CSV UTF-8'"
                    )
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
                offset += len(chunk)
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and undefined is not None:
                handle.seek(0)
                line = handle.read(undefined).count(b"\n") + 1
                byte = handle.read(1)
                raise RecipientError(
                    f"{path}:{line}: byte 0x{byte.hex()} is neither UTF-8 nor "
                    "Windows-1252 text; save the file from the spreadsheet as "
                    "'CSV UTF-8'"
                )
    except OSError as error:
        raise RecipientError(
            f"{path}: cannot read the file: {error.strerror or error}"
        ) from None
    return "utf-8" if utf8 else "cp1252"


def _decode_error(path: Path, error: UnicodeDecodeError) -> RecipientError:
    return RecipientError(
        f"{path}: byte {error.object[error.start : error.start + 1]!r} is not text in "
        f"{_ENCODING_NAMES.get(error.encoding, error.encoding)}; save the file from "
        "the spreadsheet as 'CSV UTF-8'"
    )
