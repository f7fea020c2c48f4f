"""Recipient lists: a spreadsheet's CSV export read (csvfile), checked and de-duplicated.

Every file is written as bytes, so each encoding case is the real thing: a
Windows-1252 file holds Windows-1252 bytes, a UTF-16 one its byte-order mark.
Rows are numbered as a spreadsheet numbers them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bulletin.errors import BulletinError, RecipientError
from bulletin.mail.csvfile import MAX_FIELD_CHARS, MAX_ROW_CHARS, open_table
from bulletin.mail.recipients import (
    EMAIL_HEADERS,
    Duplicate,
    Recipient,
    RecipientList,
    Rejection,
    address_key,
    check_address,
    field_name,
    read_recipients,
)

SAVE_AS_UTF8 = "save it from the spreadsheet as 'CSV UTF-8'"


def write(folder: Path, data: bytes, name: str = "list.csv") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def refusal(path: Path, email_column: str | None = None) -> str:
    """The message of the RecipientError reading ``path`` raises."""
    with pytest.raises(RecipientError) as caught:
        read_recipients(path, email_column=email_column)
    message = str(caught.value)
    assert "\n" not in message
    return message


def read(path: Path) -> tuple[tuple[str, ...], list[tuple[int, list[str]]]]:
    """The header and the numbered rows ``open_table`` gives for ``path``."""
    with open_table(path) as table:
        return table.header, list(table.rows)


def addresses(listed: RecipientList) -> list[tuple[int, str]]:
    return [(recipient.row, recipient.address) for recipient in listed]


# Encodings ------------------------------------------------------------------------


def test_a_utf_8_file_is_read_without_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "email,name\nann@example.org,Zoë Siân Jones\n".encode())

    listed = read_recipients(path)

    assert listed.path == path
    assert listed.recipients == (
        Recipient("ann@example.org", {"name": "Zoë Siân Jones"}, 2, "ann@example.org"),
    )
    assert listed.warnings == ()
    with open_table(path) as table:
        assert table.encoding == "utf-8"
        assert not table.assumed_windows_1252


def test_a_utf_8_file_with_a_byte_order_mark_is_read_without_the_mark(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "email,name\r\nann@example.org,Zoë\r\n".encode("utf-8-sig"))

    listed = read_recipients(path)

    assert listed.email_column == "email"
    assert [dict(each.fields) for each in listed] == [{"name": "Zoë"}]
    assert listed.warnings == ()
    with open_table(path) as table:
        assert table.header == ("email", "name")
        assert table.encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        pytest.param(codecs.BOM_UTF16_LE, "utf-16-le", id="little-endian"),
        pytest.param(codecs.BOM_UTF16_BE, "utf-16-be", id="big-endian"),
    ],
)
def test_a_utf_16_file_from_excel_unicode_text_is_read(
    tmp_path: Path, bom: bytes, codec: str
) -> None:
    text = "Email\tFirst Name\r\nann@example.org\tSiân\r\nJosé@exämple.org\tJosé\r\n"
    path = write(tmp_path, bom + text.encode(codec), "list.txt")

    listed = read_recipients(path)

    assert [(each.address, dict(each.fields)) for each in listed] == [
        ("ann@example.org", {"first_name": "Siân"}),
        ("José@exämple.org", {"first_name": "José"}),
    ]
    assert listed.warnings == ()
    with open_table(path) as table:
        assert table.encoding == "utf-16"
        assert table.delimiter_name == "tabs"


def test_a_windows_1252_file_is_read_with_a_warning(tmp_path: Path) -> None:
    text = "email,name,note\r\nann@example.org,Zoë Siân,“Paid” €5\r\n"
    path = write(tmp_path, text.encode("cp1252"))

    listed = read_recipients(path)

    assert [dict(each.fields) for each in listed] == [
        {"name": "Zoë Siân", "note": "“Paid” €5"}
    ]
    assert listed.warnings == (
        f"{path} is not UTF-8, so it was read as Windows-1252 (Excel's default); if "
        "names look wrong, save it from Excel as 'CSV UTF-8'",
    )
    with open_table(path) as table:
        assert table.encoding == "cp1252"
        assert table.assumed_windows_1252


def test_a_windows_1252_byte_far_down_the_file_still_makes_it_windows_1252(
    tmp_path: Path,
) -> None:
    rows = b"".join(b"person%d@example.org,Ann\r\n" % n for n in range(60_000))
    path = write(tmp_path, b"email,name\r\n" + rows + b"last@example.org,Zo\xeb\r\n")

    listed = read_recipients(path)

    assert len(listed) == 60_001
    assert listed.recipients[-1].fields == {"name": "Zoë"}
    assert listed.recipients[-1].row == 60_002
    assert listed.warnings[0].startswith(f"{path} is not UTF-8")


def test_the_encoding_warning_comes_before_the_column_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, "email,2nd\r\nann@example.org,Zoë\r\n".encode("cp1252"))

    warnings = read_recipients(path).warnings

    assert len(warnings) == 2
    assert "read as Windows-1252" in warnings[0]
    assert "column '2nd' is not used" in warnings[1]


def test_a_utf_16_file_without_a_byte_order_mark_is_refused_for_its_nul_bytes(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "email\r\nann@example.org\r\n".encode("utf-16-le"))

    assert refusal(path) == (
        f"{path}:1: the file holds NUL bytes, so it is not a CSV text file; "
        f"{SAVE_AS_UTF8}"
    )


def test_a_byte_order_mark_with_windows_1252_text_after_it_is_refused(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, codecs.BOM_UTF8 + "email,name\r\nann@x.org,Zoë\r\n".encode("cp1252")
    )

    message = refusal(path)

    assert message.startswith(f"{path}: ")
    assert "b'\\xeb' is not text in utf-8" in message
    assert "save the file from the spreadsheet as 'CSV UTF-8'" in message


def test_a_byte_windows_1252_does_not_define_is_refused_in_words(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b"email,name\r\nann@example.org,Zo\x81\r\n")

    message = refusal(path)

    assert "byte 0x81" in message
    assert "charmap" not in message
    assert "Windows-1252" in message


# Delimiters and line endings ----------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(",", "commas"), (";", "semicolons"), ("\t", "tabs")],
)
def test_the_delimiter_is_found_from_the_header(
    tmp_path: Path, delimiter: str, name: str
) -> None:
    text = delimiter.join(["email", "first name", "town"]) + "\r\n"
    text += delimiter.join(["ann@example.org", '"Ann, Mary"', "Durham"]) + "\r\n"
    path = write(tmp_path, text.encode())

    listed = read_recipients(path)

    with open_table(path) as table:
        assert table.delimiter == delimiter
        assert table.delimiter_name == name
    assert [dict(each.fields) for each in listed] == [
        {"first_name": "Ann, Mary", "town": "Durham"}
    ]


def test_a_file_of_one_column_is_read_as_comma_separated(tmp_path: Path) -> None:
    path = write(tmp_path, b"Email\nann@example.org\nbob@example.org\n")

    listed = read_recipients(path)

    with open_table(path) as table:
        assert table.delimiter == ","
    assert addresses(listed) == [(2, "ann@example.org"), (3, "bob@example.org")]
    assert listed.fields == ()


def test_a_comma_inside_a_quoted_header_does_not_make_the_file_comma_separated(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b'email;"Last, First"\r\nann@example.org;"Smith, Ann"\r\n')

    listed = read_recipients(path)

    assert [dict(each.fields) for each in listed] == [{"last_first": "Smith, Ann"}]


@pytest.mark.parametrize(
    "newline",
    [
        pytest.param("\r\n", id="crlf"),
        pytest.param("\n", id="lf"),
        pytest.param("\r", id="cr"),
    ],
)
def test_any_line_ending_is_read(tmp_path: Path, newline: str) -> None:
    rows = ["email,name", "ann@example.org,Ann", '"bob@example.org","Bob\nSmith"']
    path = write(tmp_path, (newline.join(rows) + newline).encode())

    listed = read_recipients(path)

    assert [(each.row, each.address, dict(each.fields)) for each in listed] == [
        (2, "ann@example.org", {"name": "Ann"}),
        (3, "bob@example.org", {"name": "Bob Smith"}),
    ]


# Files that are not CSV, and the safety limits ------------------------------------


def test_an_excel_workbook_is_named_as_such(tmp_path: Path) -> None:
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    path = write(tmp_path, workbook.getvalue(), "list.csv")

    assert refusal(path) == (
        f"{path}: this is an Excel workbook (.xlsx), not a CSV file; in Excel choose "
        "File > Save As > 'CSV UTF-8 (Comma delimited)'"
    )


def test_nul_bytes_are_refused_with_their_line(tmp_path: Path) -> None:
    # Line 4 of the file is row 3: row 2 holds a line break in quotes.
    data = b'email,name\nann@example.org,"Ann\nSmith"\nbob@example.org,B\0b\n'
    path = write(tmp_path, data)

    assert refusal(path) == (
        f"{path}:4: the file holds NUL bytes, so it is not a CSV text file; "
        f"{SAVE_AS_UTF8}"
    )


def test_a_nul_character_in_a_utf_16_file_is_refused_with_its_row(
    tmp_path: Path,
) -> None:
    text = "email\tname\r\nann@example.org\tAnn\r\nbob@example.org\tB\0b\r\n"
    path = write(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

    assert refusal(path) == (
        f"{path}: row 3: contains a NUL character; save the file from the "
        "spreadsheet as 'CSV UTF-8'"
    )


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, b"   \r\n"])
def test_an_empty_file_is_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)

    assert refusal(path) == (
        f"{path}: the file is empty; the first row should name the columns, e.g. "
        "email,first_name"
    )


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "missing.csv"

    assert refusal(path) == f"{path}: cannot read the file: No such file or directory"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path) == f"{tmp_path}: cannot read the file: Is a directory"


def test_a_blank_first_line_is_skipped_like_a_row_of_empty_cells(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b"\r\nemail,name\r\nann@example.org,Ann\r\n")

    listed = read_recipients(path)

    assert addresses(listed) == [(3, "ann@example.org")]


def test_a_first_row_of_empty_cells_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, b",,\r\nemail,name\r\nann@example.org,Ann\r\n")

    listed = read_recipients(path)

    assert addresses(listed) == [(3, "ann@example.org")]
    assert listed.fields == ("name",)


@pytest.mark.parametrize("data", [b",\r\n", b",,\r\n\r\n , \r\n"])
def test_a_file_of_empty_cells_is_refused_as_empty(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)

    with pytest.raises(RecipientError, match="the first row should name the columns"):
        read_recipients(path)


def test_a_cell_over_the_limit_is_refused_with_its_row(tmp_path: Path) -> None:
    long = "x" * (MAX_FIELD_CHARS + 1)
    path = write(
        tmp_path,
        f'email,note\nann@example.org,Ann\nbob@example.org,"{long}"\n'.encode(),
    )

    assert refusal(path) == (
        f"{path}: row 3: a cell holds 4,097 characters, more than the 4,096 allowed; "
        "is a quote left open on that row?"
    )


def test_a_cell_at_the_limit_is_read(tmp_path: Path) -> None:
    full = "x" * MAX_FIELD_CHARS
    path = write(tmp_path, f"email,note\nann@example.org,{full}\n".encode())

    listed = read_recipients(path)

    assert listed.recipients[0].fields == {"note": full}


def test_a_quote_left_open_and_closed_rows_later_is_refused_at_its_row(
    tmp_path: Path,
) -> None:
    rows = b"carol@example.org,Carol\n" * 300
    data = b'email,name\nann@example.org,Ann\nbob@example.org,"Bob\n' + rows
    path = write(tmp_path, data + b'dan@example.org,"Dan"\n')

    message = refusal(path)

    assert message.startswith(f"{path}: row 3: ")
    assert "check the quotes on that row" in message


def test_a_quote_left_open_to_the_end_is_refused_at_its_row(tmp_path: Path) -> None:
    data = b'email,name\nann@example.org,Ann\nbob@example.org,"Bob\ncarol@example.org\n'
    path = write(tmp_path, data)

    assert refusal(path) == (
        f"{path}: row 3: cannot read the row (unexpected end of data); check the "
        "quotes on that row"
    )


def test_text_after_a_closing_quote_is_refused_at_its_row(tmp_path: Path) -> None:
    data = b'email,name\nann@example.org,Ann\nbob@example.org,"Bob" Smith\n'
    path = write(tmp_path, data)

    message = refusal(path)

    assert message.startswith(f"{path}: row 3: cannot read the row (")
    assert message.endswith("); check the quotes on that row")


def test_a_row_over_the_limit_is_refused(tmp_path: Path) -> None:
    rows = b"carol@example.org,Carol\n" * 5_000
    path = write(tmp_path, b'email,name\nbob@example.org,"Bob\n' + rows)

    message = refusal(path)

    assert message.startswith(f"{path}: row 2: the row runs past 65,536 characters; ")
    assert 'is a quote (") left open?' in message


def test_a_row_over_the_limit_is_refused_with_its_row(tmp_path: Path) -> None:
    rows = b"carol@example.org,Carol\n" * 5_000
    data = b'email,name\nann@example.org,Ann\nbob@example.org,"Bob\n' + rows
    path = write(tmp_path, data)

    assert refusal(path).startswith(f"{path}: row 3: ")


def test_a_wide_row_within_both_limits_is_read(tmp_path: Path) -> None:
    columns = 15
    cell = "y" * MAX_FIELD_CHARS
    header = ",".join(["email"] + [f"c{n}" for n in range(columns)])
    row = ",".join(["ann@example.org"] + [cell] * columns)
    assert MAX_FIELD_CHARS * columns < len(row) < MAX_ROW_CHARS
    path = write(tmp_path, f"{header}\n{row}\n".encode())

    listed = read_recipients(path)

    assert listed.recipients[0].fields == {f"c{n}": cell for n in range(columns)}


def test_a_long_line_is_refused_without_reading_it_into_memory(
    tmp_path: Path,
) -> None:
    size = 16 << 20
    path = write(tmp_path, b"email,note\nann@example.org," + b"y" * size + b"\n")

    tracemalloc.start()
    try:
        with pytest.raises(
            RecipientError, match="row 2: the row runs past 65,536 characters"
        ):
            read_recipients(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < size // 4, f"peak {peak:,} bytes"


# Rows ----------------------------------------------------------------------------


def test_rows_are_numbered_as_the_spreadsheet_numbers_them(tmp_path: Path) -> None:
    data = (
        b"email,name\r\n"
        b"ann@example.org,Ann\r\n"
        b"\r\n"
        b",\r\n"
        b'bob@example.org,"Bob\r\nSmith"\r\n'
        b"  ,  \r\n"
        b"carol@example.org,Carol\r\n"
    )
    path = write(tmp_path, data)

    header, rows = read(path)

    assert header == ("email", "name")
    assert rows == [
        (2, ["ann@example.org", "Ann"]),
        (5, ["bob@example.org", "Bob\r\nSmith"]),
        (7, ["carol@example.org", "Carol"]),
    ]
    assert addresses(read_recipients(path)) == [
        (2, "ann@example.org"),
        (5, "bob@example.org"),
        (7, "carol@example.org"),
    ]


def test_header_cells_are_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, b"  Email , First Name \nann@example.org,Ann\n")

    header, _ = read(path)
    listed = read_recipients(path)

    assert header == ("Email", "First Name")
    assert listed.email_column == "Email"
    assert listed.fields == ("first_name",)


def test_a_row_without_an_address_is_rejected_and_the_rest_are_read(
    tmp_path: Path,
) -> None:
    data = b"name,email\nAnn,\nBob\nCarol,carol@example.org\n"
    path = write(tmp_path, data)

    listed = read_recipients(path)

    assert listed.rejected == (
        Rejection(2, "", "no email address"),
        Rejection(3, "", "no email address"),
    )
    assert [str(each) for each in listed.rejected] == [
        "row 2: no email address",
        "row 3: no email address",
    ]
    assert addresses(listed) == [(4, "carol@example.org")]


def test_an_invalid_address_is_rejected_with_the_reason(tmp_path: Path) -> None:
    data = b"email\nann@example.org\nnot an address\nbob@example\ncarol@example.org\n"
    path = write(tmp_path, data)

    listed = read_recipients(path)

    assert addresses(listed) == [(2, "ann@example.org"), (5, "carol@example.org")]
    assert [(each.row, each.value) for each in listed.rejected] == [
        (3, "not an address"),
        (4, "bob@example"),
    ]
    first, second = listed.rejected
    assert first.reason == (
        "'not an address' is not a valid address: An email address must have an @-sign."
    )
    assert second.reason.startswith("'bob@example' is not a valid address: ")
    assert str(first).startswith("row 3: 'not an address' is not a valid address")


def test_a_row_with_more_cells_than_the_header_is_rejected(tmp_path: Path) -> None:
    data = b"email,name\nann@example.org,Smith, Ann\nbob@example.org,Bob,,\n"
    path = write(tmp_path, data)

    listed = read_recipients(path)

    assert listed.rejected == (
        Rejection(
            2,
            "ann@example.org",
            "3 cells but the header names 2 columns; is there a comma that should "
            "be inside quotes?",
        ),
    )
    # Empty cells past the header's columns are how spreadsheets pad rows.
    assert addresses(listed) == [(3, "bob@example.org")]


def test_the_extra_cells_reason_is_good_english_for_one_column(tmp_path: Path) -> None:
    path = write(tmp_path, b"email\nann@example.org,Ann\n")

    (rejection,) = read_recipients(path).rejected

    assert rejection.reason.startswith("2 cells but the header names 1 column;")


def test_a_row_with_fewer_cells_than_the_header_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, b"email,first_name,last_name\nann@example.org,Ann\n")

    (recipient,) = read_recipients(path)

    assert recipient.fields["first_name"] == "Ann"
    assert not recipient.fields.get("last_name")


@pytest.mark.parametrize(
    "character",
    [
        pytest.param("\x01", id="start-of-heading"),
        pytest.param("\x0b", id="vertical-tab"),
        pytest.param("\x1b", id="escape"),
        pytest.param("\x7f", id="delete"),
        pytest.param("\x85", id="next-line"),
        pytest.param("\u2028", id="line-separator"),
    ],
)
def test_a_control_character_in_a_cell_rejects_the_row(
    tmp_path: Path, character: str
) -> None:
    text = f"email,name,town\nann@example.org,Ann,Dur{character}ham\nbob@x.org,Bob,\n"
    path = write(tmp_path, text.encode())

    listed = read_recipients(path)

    assert listed.rejected == (
        Rejection(2, "ann@example.org", "the town cell contains a control character"),
    )
    assert addresses(listed) == [(3, "bob@x.org")]


def test_whitespace_in_cells_is_collapsed(tmp_path: Path) -> None:
    text = (
        'email,name,town\n  ann@example.org  ," Ann \t\r\n Smith ",\u00a0Durham\u00a0\n'
    )
    path = write(tmp_path, text.encode())

    (recipient,) = read_recipients(path)

    assert recipient.address == "ann@example.org"
    assert recipient.fields == {"name": "Ann Smith", "town": "Durham"}


# The email column ---------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "email",
        "EMAIL",
        "Email Address",
        "E-mail",
        "e_mail",
        "E-Mail Address",
        "Mail",
        "Email Addr",
        "Mail address",
        "Primary Email",
        " email: ",
    ],
)
def test_the_email_column_is_found_by_its_usual_headers(
    tmp_path: Path, header: str
) -> None:
    path = write(
        tmp_path, f"First Name,{header},Town\nAnn,ann@example.org,Durham\n".encode()
    )

    listed = read_recipients(path)

    assert listed.email_column == header.strip()
    assert listed.fields == ("first_name", "town")
    assert listed.recipients[0].fields == {"first_name": "Ann", "town": "Durham"}


def test_the_usual_headers_are_compared_without_case_or_punctuation() -> None:
    assert "emailaddress" in EMAIL_HEADERS
    assert all(header == header.lower().replace(" ", "") for header in EMAIL_HEADERS)


def test_the_email_column_can_be_named(tmp_path: Path) -> None:
    path = write(tmp_path, b"Name,Work Address\nAnn,ann@example.org\n")

    listed = read_recipients(path, email_column="  work address ")

    assert listed.email_column == "Work Address"
    assert [(each.address, dict(each.fields)) for each in listed] == [
        ("ann@example.org", {"name": "Ann"})
    ]


def test_a_named_email_column_that_is_not_there_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"Name,Work Address\nAnn,ann@example.org\n")

    assert refusal(path, email_column="Home") == (
        f"{path}: no column is headed 'Home'; the columns are 'Name', 'Work Address'"
    )


def test_a_file_without_an_email_column_is_refused_with_its_columns(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b"Name;Contact\nAnn;ann@example.org\n")

    assert refusal(path) == (
        f"{path}: no email column (the columns are 'Name', 'Contact', read as "
        "separated by semicolons); name it with --email-column"
    )


def test_a_file_without_a_header_row_is_told_to_add_one(tmp_path: Path) -> None:
    path = write(tmp_path, b"ann@example.org,Ann\nbob@example.org,Bob\n")

    assert refusal(path) == (
        f"{path}: no email column (the columns are 'ann@example.org', 'Ann', read as "
        "separated by commas); the first row should name the columns, e.g. "
        "email,first_name"
    )


def test_two_email_columns_are_refused_until_one_is_chosen(tmp_path: Path) -> None:
    path = write(
        tmp_path, b"Email,Name,E-mail Address\nann@example.org,Ann,ann@work.org\n"
    )

    assert refusal(path) == (
        f"{path}: 'Email' and 'E-mail Address' could both be the email column; "
        "choose one with --email-column 'Email'"
    )
    (recipient,) = read_recipients(path, email_column="E-mail Address")
    assert recipient.address == "ann@work.org"
    assert recipient.fields["name"] == "Ann"


# Merge fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("First Name", "first_name"),
        (" Organisation (team) ", "organisation_team"),
        ("first-name", "first_name"),
        ("ORG", "org"),
        ("Address Line 2", "address_line_2"),
        ("__x__", "x"),
        ("2nd", "2nd"),
        ("", ""),
    ],
)
def test_a_field_name_is_made_from_the_header(header: str, name: str) -> None:
    assert field_name(header) == name


def test_other_columns_become_merge_fields_in_order(tmp_path: Path) -> None:
    data = b"Last Name,Email Address,First Name,Organisation (team)\nJones,ann@example.org,Ann,Youth\n"
    path = write(tmp_path, data)

    listed = read_recipients(path)

    assert listed.fields == ("last_name", "first_name", "organisation_team")
    assert listed.recipients[0].fields == {
        "last_name": "Jones",
        "first_name": "Ann",
        "organisation_team": "Youth",
    }
    assert listed.warnings == ()


def test_a_column_that_cannot_be_a_field_is_ignored_with_a_warning(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, "email,2nd Address,名前,name\nann@x.org,Leeds,アン,Ann\n".encode()
    )

    listed = read_recipients(path)

    assert listed.fields == ("name",)
    assert listed.recipients[0].fields == {"name": "Ann"}
    assert listed.warnings == tuple(
        f"{path}: column {header!r} is not used: a merge field name starts with a "
        "letter and holds letters, digits and underscores"
        for header in ("2nd Address", "名前")
    )


def test_a_column_with_no_header_is_ignored_quietly(tmp_path: Path) -> None:
    path = write(tmp_path, b"email,,name,\nann@example.org,x,Ann,\n")

    listed = read_recipients(path)

    assert listed.fields == ("name",)
    assert listed.recipients[0].fields == {"name": "Ann"}
    assert listed.warnings == ()


def test_a_control_character_in_an_ignored_column_does_not_reject_the_row(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b"email,2nd,name\nann@example.org,\x01,Ann\n")

    listed = read_recipients(path)

    assert listed.rejected == ()
    assert listed.recipients[0].fields == {"name": "Ann"}


def test_two_columns_with_the_same_field_name_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"email,First Name,first_name\nann@example.org,Ann,A\n")

    assert refusal(path) == (
        f"{path}: two columns are both field 'first_name'; rename one of them in "
        "the first row"
    )


def test_a_header_too_long_for_a_field_name_is_warned_about_as_too_long(
    tmp_path: Path,
) -> None:
    question = "Which of our training courses would you like to hear about next year"
    path = write(tmp_path, f"email,{question}\nann@example.org,Safeguarding\n".encode())

    (warning,) = read_recipients(path).warnings

    assert repr(question) in warning
    assert "64 characters" in warning


def test_a_header_with_accented_letters_keeps_the_letters(tmp_path: Path) -> None:
    path = write(tmp_path, "email,Prénom,Cyfenw\nann@example.org,Anne,Jôns\n".encode())

    listed = read_recipients(path)

    assert listed.fields == ("prenom", "cyfenw")


@pytest.mark.parametrize(
    ("header", "email_column"),
    [
        pytest.param("Unsubscribe URL", None, id="unsubscribe_url"),
        pytest.param("Email", "Work Address", id="email"),
    ],
)
def test_a_column_named_like_a_field_bulletin_fills_is_not_used(
    tmp_path: Path, header: str, email_column: str | None
) -> None:
    data = f"Work Address,{header},Name\nann@example.org,x,Ann\n".encode()
    if email_column is None:
        data = data.replace(b"Work Address", b"Email")
    path = write(tmp_path, data)

    listed = read_recipients(path, email_column=email_column)

    assert listed.fields == ("name",)
    assert any(repr(header) in warning for warning in listed.warnings)


# Addresses ----------------------------------------------------------------------


def test_addresses_are_normalised_with_the_domain_in_lower_case(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b"email\nAnn.Smith@Example.ORG\n bob@EXAMPLE.org \n")

    listed = read_recipients(path)

    assert addresses(listed) == [
        (2, "Ann.Smith@example.org"),
        (3, "bob@example.org"),
    ]


def test_a_repeated_address_in_any_case_is_a_duplicate_of_the_first_row(
    tmp_path: Path,
) -> None:
    data = (
        b"email,name\n"
        b"ann@example.org,Ann\n"
        b"bob@example.org,Bob\n"
        b"ANN@Example.org,Annie\n"
        b"\n"
        b"Ann@example.ORG,A.\n"
    )
    path = write(tmp_path, data)

    listed = read_recipients(path)

    assert [(each.row, dict(each.fields)) for each in listed] == [
        (2, {"name": "Ann"}),
        (3, {"name": "Bob"}),
    ]
    assert listed.duplicates == (
        Duplicate(4, 2, "ANN@example.org"),
        Duplicate(6, 2, "Ann@example.org"),
    )
    assert [str(each) for each in listed.duplicates] == [
        "row 4: ANN@example.org is already on row 2",
        "row 6: Ann@example.org is already on row 2",
    ]


def test_an_address_in_another_unicode_form_or_in_idna_is_a_duplicate(
    tmp_path: Path,
) -> None:
    composed = "José@exämple.org"
    decomposed = unicodedata.normalize("NFD", composed)
    text = f"email\n{composed}\n{decomposed}\nann@ŵ.cymru\nANN@xn--9ga.cymru\n"
    path = write(tmp_path, text.encode())

    listed = read_recipients(path)

    assert addresses(listed) == [(2, composed), (4, "ann@ŵ.cymru")]
    assert [(each.row, each.first_row) for each in listed.duplicates] == [
        (3, 2),
        (5, 4),
    ]


def test_an_internationalised_address_needs_smtputf8_only_for_its_local_part() -> None:
    jose = Recipient.of("José@EXÄMPLE.org")
    ann = Recipient.of("ann@Ŵ.cymru")
    plain = Recipient.of("Ann@Example.org")

    assert (jose.address, jose.envelope, jose.smtputf8) == (
        "José@exämple.org",
        "José@exämple.org",
        True,
    )
    assert (ann.address, ann.envelope, ann.smtputf8) == (
        "ann@ŵ.cymru",
        "ann@xn--9ga.cymru",
        False,
    )
    assert (plain.address, plain.envelope, plain.smtputf8) == (
        "Ann@example.org",
        "Ann@example.org",
        False,
    )


def test_a_recipient_from_an_address_typed_in_has_no_row() -> None:
    recipient = Recipient.of("Ann@Example.org", {"first_name": "Ann"})

    assert recipient == Recipient(
        "Ann@example.org", {"first_name": "Ann"}, 0, "Ann@example.org"
    )
    assert recipient.key == "ann@example.org"
    assert Recipient.of("bob@example.org").fields == {}


def test_an_invalid_address_typed_in_is_refused_with_the_reason() -> None:
    with pytest.raises(RecipientError) as caught:
        Recipient.of("ann.example.org")

    assert str(caught.value) == (
        "'ann.example.org': An email address must have an @-sign."
    )
    assert isinstance(caught.value, BulletinError)


def test_check_address_raises_value_error_with_one_sentence() -> None:
    with pytest.raises(ValueError, match=r"^An email address must have an @-sign\.$"):
        check_address("nobody", {})
    assert check_address("Ann@Example.org", {"x": "1"}, 7).row == 7


def test_address_key_folds_case() -> None:
    assert address_key("Ann@Example.ORG") == "ann@example.org"
    assert address_key("STRASSE@example.org") == address_key("straße@example.org")


# Finding a recipient ----------------------------------------------------------------


@pytest.fixture
def listed(tmp_path: Path) -> RecipientList:
    text = "email,name\nAnn@Example.org,Ann\nJosé@exämple.org,José\nann@ŵ.cymru,Ŵ\n"
    return read_recipients(write(tmp_path, text.encode()))


def test_a_recipient_is_found_by_address_in_any_case(listed: RecipientList) -> None:
    found = listed.find("  ANN@example.ORG ")

    assert found is not None
    assert (found.row, found.address, dict(found.fields)) == (
        2,
        "Ann@example.org",
        {"name": "Ann"},
    )
    assert listed.find("JOSÉ@EXÄMPLE.ORG") == listed.recipients[1]
    assert listed.find("bob@example.org") is None


def test_a_list_has_a_length_and_iterates_in_file_order(listed: RecipientList) -> None:
    assert len(listed) == 3
    assert [each.row for each in listed] == [2, 3, 4]


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("ann@xn--9ga.cymru", id="idna"),
        pytest.param(unicodedata.normalize("NFD", "José@exämple.org"), id="nfd"),
    ],
)
def test_a_recipient_is_found_by_any_form_of_their_address(
    listed: RecipientList, typed: str
) -> None:
    assert listed.find(typed) is not None


# Any CSV at all -------------------------------------------------------------------

ADDRESSES = [
    "ann@example.org",
    "ANN@Example.ORG",
    " bob@example.org ",
    "José@exämple.org",
    "ann@ŵ.cymru",
    "ann@xn--9ga.cymru",
    "not an address",
    "bob@example",
    "",
    " ",
]
CELLS = st.text(max_size=10)
ROWS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(ADDRESSES), CELLS), st.lists(CELLS, max_size=4)
    ),
    max_size=10,
)


@pytest.fixture(scope="module")
def any_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("any") / "list.csv"


@settings(max_examples=150, deadline=None)
@given(header=st.lists(CELLS, max_size=3), rows=ROWS)
@example(
    header=["name"],
    rows=[("ann@example.org", ["Ann"]), ("", []), ("ANN@example.org", ["A"])],
)
@example(header=["a;b;c"], rows=[("ann@example.org", ["x"])])
@example(header=["x"], rows=[("ann@example.org", ["\x00"])])
def test_any_csv_is_read_with_every_row_accounted_for_or_refused(
    any_csv: Path, header: list[str], rows: list[tuple[str, list[str]]]
) -> None:
    """Written with Python's csv writer in UTF-8, each row is used or set aside."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["email", *header])
    for address, cells in rows:
        writer.writerow([address, *cells])
    any_csv.write_bytes(buffer.getvalue().encode("utf-8"))

    try:
        listed = read_recipients(any_csv)
    except RecipientError as error:
        refused = str(error)
    else:
        refused = ""
    if refused:
        assert refused.startswith(f"{any_csv}"), refused
        return

    keys = [each.key for each in listed]
    assert len(keys) == len(set(keys))
    for recipient in listed:
        assert check_address(recipient.address, {}).address == recipient.address
        assert set(recipient.fields) <= set(listed.fields)
    expected = [
        number
        for number, (address, cells) in enumerate(rows, start=2)
        if any(cell.strip() for cell in [address, *cells])
    ]
    accounted = sorted(
        [each.row for each in listed.recipients]
        + [each.row for each in listed.rejected]
        + [each.row for each in listed.duplicates]
    )
    assert accounted == expected
    for duplicate in listed.duplicates:
        first = next(each for each in listed if each.row == duplicate.first_row)
        assert first.key == address_key(duplicate.address)
