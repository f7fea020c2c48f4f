"""The suppression list: reading, adding, removing, and addresses to suppress from a file."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from pathlib import Path

import pytest

from bulletin.errors import RecipientError
from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import (
    REASONS,
    Suppression,
    SuppressionList,
    read_addresses,
)

HEADER = b"\xef\xbb\xbfemail,reason,date,note\r\n"

ANN = Suppression("Ann@Example.org", "unsubscribed", dt.date(2025, 1, 20), "website")
BOB = Suppression(
    "bob@example.org", "bounced", dt.date(2025, 1, 21), "550 no such user"
)
SIAN = Suppression("Siân@exämple.cymru", "complained", None, 'said "stop", twice')


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "suppressed.csv"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


# Reading ---------------------------------------------------------------------


def test_missing_file_is_an_empty_list(path: Path) -> None:
    suppressions = SuppressionList.load(path)

    assert len(suppressions) == 0
    assert list(suppressions) == []
    assert "ann@example.org" not in suppressions
    assert not path.exists()


def test_file_with_only_the_header_is_an_empty_list(path: Path) -> None:
    path.write_bytes(HEADER)

    assert list(SuppressionList.load(path)) == []


def test_entries_are_read_with_reason_date_and_note(path: Path) -> None:
    write(
        path,
        "email,reason,date,note\n"
        "ann@example.org,unsubscribed,2025-01-20,website\n"
        "bob@example.org,bounced,,\n"
        "\n"
        'carol@example.org,complained,2025-02-01,"said ""stop"", twice"\n',
    )

    assert list(SuppressionList.load(path)) == [
        Suppression("ann@example.org", "unsubscribed", dt.date(2025, 1, 20), "website"),
        Suppression("bob@example.org", "bounced", None, ""),
        Suppression(
            "carol@example.org", "complained", dt.date(2025, 2, 1), 'said "stop", twice'
        ),
    ]


def test_hand_written_file_with_only_an_email_column_is_suppressed_manually(
    path: Path,
) -> None:
    write(path, "Email\n ann@example.org \nbob@example.org\n")

    assert list(SuppressionList.load(path)) == [
        Suppression("ann@example.org", "manual"),
        Suppression("bob@example.org", "manual"),
    ]


def test_file_edited_in_excel_and_saved_as_windows_1252_still_loads(
    path: Path,
) -> None:
    write(
        path,
        "email,reason,date,note\n"
        "josé@exämple.org,bounced,2025-01-20,café – “mailbox full”\n"
        "ann@example.org,unsubscribed,2025-01-21,\n",
        encoding="cp1252",
    )
    assert "é".encode("cp1252") in path.read_bytes()  # really not UTF-8

    suppressions = SuppressionList.load(path)

    assert list(suppressions) == [
        Suppression(
            "josé@exämple.org", "bounced", dt.date(2025, 1, 20), "café – “mailbox full”"
        ),
        Suppression("ann@example.org", "unsubscribed", dt.date(2025, 1, 21)),
    ]
    assert "JOSÉ@EXÄMPLE.ORG" in suppressions


def test_windows_1252_file_is_rewritten_as_utf8_keeping_its_entries(
    path: Path,
) -> None:
    write(
        path,
        "email;reason;date;note\njosé@exämple.org;bounced;2025-01-20;café\n",
        encoding="cp1252",
    )

    SuppressionList.load(path).add([BOB])

    assert path.read_bytes() == (
        HEADER
        + "josé@exämple.org,bounced,2025-01-20,café\r\n".encode()
        + b"bob@example.org,bounced,2025-01-21,550 no such user\r\n"
    )


def test_bad_date_in_the_file_names_the_row(path: Path) -> None:
    write(
        path,
        "email,reason,date,note\n"
        "ann@example.org,unsubscribed,2025-01-20,\n"
        "bob@example.org,bounced,last week,\n",
    )

    with pytest.raises(RecipientError) as caught:
        SuppressionList.load(path)

    assert str(caught.value) == (
        f"{path}: row 3: date 'last week' is not a date like 2025-01-31"
    )


def test_a_date_as_excel_saves_it_in_the_uk_is_read(path: Path) -> None:
    write(path, "email,reason,date,note\nbob@example.org,bounced,20/01/2025,\n")

    entry = SuppressionList.load(path).get("bob@example.org")

    assert entry is not None
    assert entry.date == dt.date(2025, 1, 20)


def test_bad_reason_in_the_file_names_the_row_and_the_reasons(path: Path) -> None:
    write(path, "email,reason\nann@example.org,unsubscribed\nbob@example.org,spam\n")

    with pytest.raises(RecipientError) as caught:
        SuppressionList.load(path)

    assert str(caught.value) == (
        f"{path}: row 3: reason 'spam' is not one of "
        "unsubscribed, bounced, complained, manual"
    )


def test_file_without_an_email_column_is_refused_showing_the_header(
    path: Path,
) -> None:
    write(path, "address,reason\nann@example.org,unsubscribed\n")

    with pytest.raises(RecipientError) as caught:
        SuppressionList.load(path)

    assert str(caught.value) == (
        f"{path}: the first row should be email,reason,date,note; it is address,reason"
    )


def test_an_empty_file_is_an_empty_list(path: Path) -> None:
    path.write_bytes(b"")

    assert len(SuppressionList.load(path)) == 0


def test_bad_reason_is_refused_when_an_entry_is_made() -> None:
    with pytest.raises(RecipientError) as caught:
        Suppression("ann@example.org", "spam")

    assert str(caught.value) == (
        "suppression reason 'spam' is not one of "
        "unsubscribed, bounced, complained, manual"
    )


@pytest.mark.parametrize("reason", REASONS)
def test_every_listed_reason_is_accepted(reason: str) -> None:
    assert Suppression("ann@example.org", reason).reason == reason


# Looking up ------------------------------------------------------------------


def test_lookup_ignores_case_and_surrounding_space() -> None:
    suppressions = SuppressionList(Path("unused.csv"), [ANN, SIAN])

    assert "ann@example.org" in suppressions
    assert "ANN@EXAMPLE.ORG" in suppressions
    assert " Ann@Example.org\t" in suppressions
    assert "SIÂN@EXÄMPLE.CYMRU" in suppressions
    assert "bob@example.org" not in suppressions
    assert "ann@example.org.uk" not in suppressions
    assert 42 not in suppressions


def test_lookup_matches_a_decomposed_address_to_a_composed_one() -> None:
    suppressions = SuppressionList(Path("unused.csv"), [SIAN])
    decomposed = unicodedata.normalize("NFD", "siân@exämple.cymru")
    assert decomposed != "siân@exämple.cymru"

    assert decomposed in suppressions
    assert suppressions.get(decomposed) == SIAN


def test_get_returns_the_entry_in_any_case() -> None:
    suppressions = SuppressionList(Path("unused.csv"), [ANN, BOB])

    assert suppressions.get("ann@EXAMPLE.org") == ANN
    assert suppressions.get("BOB@example.org") == BOB
    assert suppressions.get("carol@example.org") is None


def test_has_key_takes_a_recipients_key() -> None:
    suppressions = SuppressionList(Path("unused.csv"), [ANN, SIAN])

    assert suppressions.has_key(Recipient.of("ANN@example.ORG").key)
    assert suppressions.has_key(Recipient.of("siân@EXÄMPLE.cymru").key)
    assert not suppressions.has_key(Recipient.of("bob@example.org").key)
    assert suppressions.has_key("ann@example.org")


def test_first_entry_for_an_address_is_kept() -> None:
    later = Suppression("ann@example.org", "bounced")

    suppressions = SuppressionList(Path("unused.csv"), [ANN, later])

    assert list(suppressions) == [ANN]


# Adding ----------------------------------------------------------------------


def test_add_writes_a_utf8_csv_with_a_bom_crlf_and_the_header(path: Path) -> None:
    SuppressionList.load(path).add([ANN, BOB, SIAN])

    assert path.read_bytes() == (
        b"\xef\xbb\xbfemail,reason,date,note\r\n"
        b"Ann@Example.org,unsubscribed,2025-01-20,website\r\n"
        b"bob@example.org,bounced,2025-01-21,550 no such user\r\n"
        + 'Siân@exämple.cymru,complained,,"said ""stop"", twice"\r\n'.encode()
    )


def test_added_entries_read_back_unchanged(path: Path) -> None:
    SuppressionList.load(path).add([ANN, BOB, SIAN])

    assert list(SuppressionList.load(path)) == [ANN, BOB, SIAN]


def test_add_returns_only_entries_not_already_listed(path: Path) -> None:
    suppressions = SuppressionList.load(path)
    assert suppressions.add([ANN]) == [ANN]

    again = Suppression("ann@example.org", "bounced", note="later bounce")
    added = suppressions.add([again, BOB, Suppression("BOB@EXAMPLE.ORG")])

    assert added == [BOB]
    assert list(suppressions) == [ANN, BOB]
    assert suppressions.get("ann@example.org") == ANN


def test_add_is_case_insensitive_against_the_file(path: Path) -> None:
    write(path, "email,reason,date,note\nAnn@Example.org,unsubscribed,,\n")
    before = path.read_bytes()

    added = SuppressionList.load(path).add([Suppression("ann@example.org")])

    assert added == []
    assert path.read_bytes() == before


def test_add_keeps_entries_another_list_added_to_the_file_meanwhile(
    path: Path,
) -> None:
    first = SuppressionList.load(path)
    second = SuppressionList.load(path)

    first.add([ANN])
    added = second.add([BOB, Suppression("ann@example.org", "bounced")])

    assert added == [BOB]
    assert list(SuppressionList.load(path)) == [ANN, BOB]
    assert "ann@example.org" in second


def test_add_of_nothing_new_leaves_a_missing_file_missing(path: Path) -> None:
    assert SuppressionList.load(path).add([]) == []
    assert not path.exists()


def test_add_to_an_unreadable_file_raises_and_leaves_it_alone(path: Path) -> None:
    write(path, "email,reason,date,note\nann@example.org,unsubscribed,someday,\n")
    before = path.read_bytes()
    suppressions = SuppressionList(path)

    with pytest.raises(RecipientError, match="row 2"):
        suppressions.add([BOB])

    assert path.read_bytes() == before


# Removing --------------------------------------------------------------------


def test_remove_takes_entries_off_in_any_case_and_saves(path: Path) -> None:
    suppressions = SuppressionList.load(path)
    suppressions.add([ANN, BOB, SIAN])

    removed = suppressions.remove(
        ["ANN@example.org", "nobody@example.org", "SIÂN@exämple.cymru"]
    )

    assert removed == [ANN, SIAN]
    assert list(suppressions) == [BOB]
    assert "ann@example.org" not in suppressions
    assert list(SuppressionList.load(path)) == [BOB]


def test_remove_of_an_unlisted_address_leaves_the_file_alone(path: Path) -> None:
    SuppressionList.load(path).add([ANN])
    before = path.read_bytes()

    assert SuppressionList.load(path).remove(["bob@example.org"]) == []
    assert path.read_bytes() == before


def test_remove_keeps_entries_another_list_added_meanwhile(path: Path) -> None:
    first = SuppressionList.load(path)
    second = SuppressionList.load(path)
    first.add([ANN, BOB])

    assert second.remove(["ann@example.org"]) == [ANN]

    assert list(SuppressionList.load(path)) == [BOB]


def test_remove_from_a_missing_file_does_not_create_it(path: Path) -> None:
    assert SuppressionList.load(path).remove(["ann@example.org"]) == []
    assert not path.exists()


# Writing atomically ------------------------------------------------------------


def test_add_and_remove_leave_no_temporary_files_behind(tmp_path: Path) -> None:
    path = tmp_path / "suppressed.csv"
    suppressions = SuppressionList.load(path)

    suppressions.add([ANN])
    suppressions.add([BOB, SIAN])
    suppressions.remove(["bob@example.org"])

    assert [each.name for each in tmp_path.iterdir()] == ["suppressed.csv"]
    assert list(SuppressionList.load(path)) == [ANN, SIAN]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "suppressed.csv"
    SuppressionList.load(path).add([ANN])
    before = path.read_bytes()

    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        SuppressionList.load(path).add([BOB])
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert [each.name for each in tmp_path.iterdir()] == ["suppressed.csv"]


# Addresses to suppress from a file ------------------------------------------


def test_addresses_are_read_from_a_csv_by_its_email_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "export.csv",
        "First Name,Email Address,Organisation\n"
        "Ann,Ann@EXAMPLE.org,Durham\n"
        "Siân,siân@EXÄMPLE.cymru,Caerdydd\n",
    )

    assert read_addresses(path) == (
        ["Ann@example.org", "siân@exämple.cymru"],
        [],
    )


@pytest.mark.parametrize("header", ["email", "E-mail", "EMAIL ADDRESS", "Mail"])
def test_usual_email_headers_are_recognised(tmp_path: Path, header: str) -> None:
    path = write(tmp_path / "export.csv", f"Name,{header}\nAnn,ann@example.org\n")

    assert read_addresses(path) == (["ann@example.org"], [])


def test_email_column_can_be_named(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", "Name,Contact\nAnn,ann@example.org\n")

    assert read_addresses(path, email_column="contact") == (["ann@example.org"], [])
    with pytest.raises(RecipientError, match="no email column"):
        read_addresses(path)


def test_csv_rows_set_aside_are_reported_with_their_row_numbers(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "export.csv",
        "name,email\n"
        "Ann,ann@example.org\n"
        "Bob,bob at example.org\n"
        "Carol,\n"
        "Dan,DAN@Example.ORG\n",
    )

    addresses, problems = read_addresses(path)

    assert addresses == ["ann@example.org", "DAN@example.org"]
    assert problems == [
        f"{path}: row 3: 'bob at example.org' is not a valid address: "
        "An email address must have an @-sign.",
        f"{path}: row 4: no email address",
    ]


def test_one_address_per_line_includes_the_first_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bounces.txt",
        "ann@example.org\n  Bob@EXAMPLE.org  \n\nsiân@exämple.cymru\n",
    )

    assert read_addresses(path) == (
        ["ann@example.org", "Bob@example.org", "siân@exämple.cymru"],
        [],
    )


def test_one_address_per_line_reports_invalid_rows_with_their_numbers(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "bounces.txt",
        "ann@example.org\nnot-an-address@\nann@@example.org\nbob@example.org\n",
    )

    addresses, problems = read_addresses(path)

    assert addresses == ["ann@example.org", "bob@example.org"]
    assert [problem.split(" skipped: ")[0] for problem in problems] == [
        f"{path}: row 2: 'not-an-address@'",
        f"{path}: row 3: 'ann@@example.org'",
    ]


def test_invalid_first_line_of_a_headerless_file_is_reported_as_row_one(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "bounces.txt", "ann@\nbob@example.org\n")

    addresses, problems = read_addresses(path)

    assert addresses == ["bob@example.org"]
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: row 1: 'ann@' skipped: ")


def test_headerless_lines_with_a_name_beside_the_address_use_the_address(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "bounces.csv", "Ann,ann@example.org\nBob,bob@example.org\n")

    assert read_addresses(path) == (["ann@example.org", "bob@example.org"], [])


def test_headerless_windows_1252_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bounces.txt", "josé@example.org\nann@example.org\n", "cp1252"
    )

    assert read_addresses(path) == (["josé@example.org", "ann@example.org"], [])


def test_headerless_row_without_an_at_sign_is_reported_with_its_text(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "bounces.txt", "ann@example.org\nbob at example.org\n")

    addresses, problems = read_addresses(path)

    assert addresses == ["ann@example.org"]
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: row 2: 'bob at example.org' skipped: ")


def test_headerless_file_starting_with_a_blank_line_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "bounces.txt", "\nann@example.org\nbob@example.org\n")

    assert read_addresses(path) == (["ann@example.org", "bob@example.org"], [])


def test_read_addresses_feed_the_suppression_list(tmp_path: Path, path: Path) -> None:
    bounces = write(tmp_path / "bounces.txt", "Ann@Example.org\nbob@example.org\n")
    addresses, _ = read_addresses(bounces)
    suppressions = SuppressionList.load(path)
    suppressions.add([ANN])

    added = suppressions.add(
        Suppression(address, "bounced", dt.date(2025, 3, 1)) for address in addresses
    )

    assert added == [Suppression("bob@example.org", "bounced", dt.date(2025, 3, 1))]
    assert [entry.address for entry in SuppressionList.load(path)] == [
        "Ann@Example.org",
        "bob@example.org",
    ]


def test_a_removal_is_not_undone_by_a_list_loaded_before_it(path: Path) -> None:
    SuppressionList.load(path).add([ANN, BOB])
    sending = SuppressionList.load(path)  # e.g. a long send, loaded first
    SuppressionList.load(path).remove(["ann@example.org"])

    sending.add([SIAN])  # the send suppresses a bounce later

    again = SuppressionList.load(path)
    assert "ann@example.org" not in again
    assert {entry.address for entry in again} == {BOB.address, SIAN.address}


def test_a_note_that_looks_like_a_formula_is_written_as_text(path: Path) -> None:
    risky = Suppression("eve@example.org", "bounced", None, "=HYPERLINK(1)")

    SuppressionList.load(path).add([risky])

    assert b"'=HYPERLINK(1)" in path.read_bytes()
