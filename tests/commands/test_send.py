"""Sending: ``bulletin send`` into an outbox, ``bulletin suppress``, ``build --as``.

The editor's path from a recipient list to one message file per reader:
:mod:`bulletin.commands.mailing` prepares the edition for the list,
:mod:`bulletin.sending.outbox` writes each message once, and the commands put the
two together. Every test works on a copy of ``examples/dscp-2025-01`` in
``tmp_path``, because bulletin.toml and suppressed.csv are found beside the
edition.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from html import escape
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from bulletin.cli import app
from bulletin.commands.mailing import (
    TEST_SALT,
    Mailing,
    find_recipient,
    prepare,
    secret_for,
    suppressions_path,
)
from bulletin.errors import RecipientError, SendError
from bulletin.loading.config import find_config
from bulletin.loading.source import load
from bulletin.mail.message import MessageTemplate, PersonalMessage, list_id
from bulletin.mail.recipients import Recipient, read_recipients
from bulletin.mail.unsubscribe import SECRET_ENV, verify_unsubscribe_token
from bulletin.sending.outbox import outbox_name, write_new, write_outbox
from tests.conftest import EXAMPLES

runner = CliRunner()

EXAMPLE = EXAMPLES / "dscp-2025-01"
SLUG = "dscp-newsletter-january-2025"
SUBJECT = "DSCP Newsletter - January 2025"
SECRET = "a-long-random-test-secret-0123456789"
DATE = dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.UTC)

GREETED = {
    "j.hughes@example.org": "Jenny",
    "Sam.Patel@example.org": "Sam",
    "r.owen@example.org": "Rhys",
    "m.nowak@example.org": "Małgorzata",
    "s.patel@example.org": "Sam",
    "k.brown@example.org": "colleague",
}
"""Who the example list sends to, and how each is greeted: row 7 has no first
name (the default), a.taylor is suppressed and sam.patel@ repeats Sam.Patel@."""

NEVER_SENT = ("a.taylor@example.org", "Samuel")
"""The suppressed address, and the first name of the duplicate row."""

CLEAN_COUNTS = {"suppressed": 1, "invalid": 0, "duplicate": 1}
"""The example list's counts besides what was written."""

BAD_ROWS = "not-an-address,Bob,Nowhere\n,Nobody,Nowhere\nbob@@example.org,Bob,Nowhere\n"
"""Rows 10, 11 and 12 when appended to the example list: all three set aside."""


# Fixtures and helpers -------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the machine running the tests has set, start without the secret."""
    monkeypatch.delenv(SECRET_ENV, raising=False)


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


def send(*args: str | Path) -> Result:
    return runner.invoke(app, ["send", *map(str, args)])


def build(*args: str | Path) -> Result:
    return runner.invoke(app, ["build", *map(str, args)])


def suppress(*args: str | Path) -> Result:
    return runner.invoke(app, ["suppress", *map(str, args)])


def parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def read_eml(path: Path) -> EmailMessage:
    return parsed(path.read_bytes())


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


def greeting(document: str) -> str:
    """Whom the edition's opening line greets (``Dear {{ first_name | colleague }},``)."""
    found = re.search(r"Dear ([^,<\n]*),", document)
    assert found is not None, "no greeting"
    return found.group(1)


def token_of(message: EmailMessage) -> str:
    found = re.fullmatch(
        r"<https://www\.durham-scp\.org\.uk/unsubscribe\?token=([\w.-]+)>",
        str(message["List-Unsubscribe"]),
    )
    assert found is not None, message["List-Unsubscribe"]
    return found.group(1)


def counts(stdout: str) -> dict[str, int]:
    """The summary table: ``6  written`` per line, as {"written": 6}."""
    return {
        label: int(number.replace(",", ""))
        for number, label in re.findall(r"(?m)^\s*([\d,]+)  (\S.*?)\s*$", stdout)
    }


def message_id(recipient: Recipient) -> str:
    """The Message-ID the stand-in messages of the write_outbox tests carry."""
    return "<id@x>"


def emls(outbox: Path) -> list[Path]:
    return sorted(outbox.glob("*.eml"))


def list_id_of(edition: Path) -> str:
    found = list_id(load(edition).settings)
    assert found is not None
    return found


def cut_sender(folder: Path) -> None:
    """Take [sender] (the last table) out of the copy's bulletin.toml."""
    path = folder / "bulletin.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("[sender]")], encoding="utf-8")


def set_unsubscribe_url(folder: Path, url: str) -> None:
    path = folder / "bulletin.toml"
    text, replaced = re.subn(
        r"(?m)^unsubscribe_url = .*$",
        f'unsubscribe_url = "{url}"',
        path.read_text(encoding="utf-8"),
    )
    assert replaced == 1
    path.write_text(text, encoding="utf-8")


def no_temporary_files(folder: Path) -> bool:
    return not [path for path in folder.iterdir() if path.name.startswith(".")]


# send --outbox ----------------------------------------------------------------------


@pytest.fixture
def sent(secret: str, edition: Path, recipients: Path, outbox: Path) -> Result:
    """The example list sent into the outbox once."""
    result = send(edition, "--recipients", recipients, "--outbox", outbox)
    assert result.exit_code == 0, result.output
    return result


def test_send_writes_one_message_file_per_recipient_to_send(
    sent: Result, outbox: Path
) -> None:
    assert [path.name for path in emls(outbox)] == sorted(
        f"{SLUG}--{address.casefold()}.eml" for address in GREETED
    )
    assert sorted(outbox.iterdir()) == emls(outbox), "nothing else, no temporary files"
    assert counts(sent.stdout) == {
        "written": 6,
        "already in the outbox": 0,
        **CLEAN_COUNTS,
    }
    assert sent.stdout.rstrip().endswith(f"Messages are in {outbox}/")
    assert sent.stderr == ""


def test_each_message_is_addressed_to_and_greets_its_own_recipient(
    sent: Result, outbox: Path
) -> None:
    seen = {}
    for path in emls(outbox):
        message = read_eml(path)
        text, html = bodies(message)
        seen[str(message["To"])] = (greeting(text), greeting(html))
        assert "{{" not in text
        assert "{{" not in html
        assert message["Subject"] == SUBJECT
        assert message["From"] == (
            "Durham Safeguarding Children Partnership <dscpsecure@durham.gov.uk>"
        )
    assert seen == {address: (name, name) for address, name in GREETED.items()}
    everything = b"".join(path.read_bytes() for path in emls(outbox))
    for never in NEVER_SENT:
        assert never.encode() not in everything


def test_each_unsubscribe_link_carries_a_token_for_its_own_recipient(
    sent: Result, edition: Path, outbox: Path
) -> None:
    wanted = list_id_of(edition)
    for path in emls(outbox):
        message = read_eml(path)
        token = token_of(message)
        assert (
            verify_unsubscribe_token(token, list_id=wanted, secrets=[SECRET])
            == message["To"]
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text, html = bodies(message)
        assert f"unsubscribe?token={token}" in text
        assert f"unsubscribe?token={token}" in html
        # Another secret, or another list, does not accept it.
        assert (
            verify_unsubscribe_token(token, list_id=wanted, secrets=["x" * 32]) is None
        )
        assert (
            verify_unsubscribe_token(
                token, list_id="other.example.org", secrets=[SECRET]
            )
            is None
        )


def test_each_message_has_its_own_message_id(sent: Result, outbox: Path) -> None:
    ids = [str(read_eml(path)["Message-ID"]) for path in emls(outbox)]

    assert len(set(ids)) == len(ids) == 6
    assert all(
        re.fullmatch(rf"<[0-9a-f]{{32}}\.{SLUG}@durham\.gov\.uk>", each) for each in ids
    )


def test_running_send_again_writes_nothing_twice(
    sent: Result, edition: Path, recipients: Path, outbox: Path
) -> None:
    long_ago = 1_000_000_000
    for path in emls(outbox):
        os.utime(path, ns=(long_ago, long_ago))
    before = {path.name: path.read_bytes() for path in emls(outbox)}

    again = send(edition, "-r", recipients, "--outbox", outbox)

    assert again.exit_code == 0, again.output
    assert counts(again.stdout) == {
        "written": 0,
        "already in the outbox": 6,
        **CLEAN_COUNTS,
    }
    assert {path.name: path.read_bytes() for path in emls(outbox)} == before
    assert {path.stat().st_mtime_ns for path in emls(outbox)} == {long_ago}


def test_a_row_added_to_the_list_is_the_only_message_written_next_time(
    sent: Result, edition: Path, recipients: Path, outbox: Path
) -> None:
    before = {path.name: path.stat().st_mtime_ns for path in emls(outbox)}
    with recipients.open("a", encoding="utf-8") as file:
        file.write("new.reader@example.org,Nia,Durham County Council\n")

    again = send(edition, "-r", recipients, "--outbox", outbox)

    assert again.exit_code == 0, again.output
    assert counts(again.stdout)["written"] == 1
    assert counts(again.stdout)["already in the outbox"] == 6
    [new] = [path for path in emls(outbox) if path.name not in before]
    assert new.name == f"{SLUG}--new.reader@example.org.eml"
    assert greeting(bodies(read_eml(new))[0]) == "Nia"
    assert {name: (outbox / name).stat().st_mtime_ns for name in before} == before


def test_invalid_rows_are_reported_and_the_valid_ones_still_written(
    secret: str, edition: Path, recipients: Path, outbox: Path
) -> None:
    with recipients.open("a", encoding="utf-8") as file:
        file.write(BAD_ROWS)

    result = send(edition, "-r", recipients, "--outbox", outbox)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{recipients}: row 10: 'not-an-address' is not a valid address: An email "
        "address must have an @-sign.",
        f"{recipients}: row 11: no email address",
        f"{recipients}: row 12: 'bob@@example.org' is not a valid address: The part "
        "after the @-sign contains invalid characters: '@'.",
    ]
    assert len(emls(outbox)) == 6
    assert counts(result.stdout) == {
        "written": 6,
        "already in the outbox": 0,
        "suppressed": 1,
        "invalid": 3,
        "duplicate": 1,
    }


def test_many_invalid_rows_show_the_first_twenty_and_count_the_rest(
    secret: str, edition: Path, tmp_path: Path, outbox: Path
) -> None:
    listed = tmp_path / "readers.csv"
    listed.write_text(
        "email\nann@example.org\n" + "".join(f"nobody{n}\n" for n in range(25)),
        encoding="utf-8",
    )

    result = send(edition, "-r", listed, "--outbox", outbox)

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    rows = [line for line in lines if line.startswith(f"{listed}: row ")]
    assert len(rows) == 20
    assert rows[0].startswith(f"{listed}: row 3: 'nobody0' is not a valid address")
    assert "... and 5 more rows rejected" in lines
    assert counts(result.stdout)["invalid"] == 25
    assert len(emls(outbox)) == 1


def test_reject_invalid_writes_nothing_when_any_row_is_invalid(
    secret: str, edition: Path, recipients: Path, outbox: Path
) -> None:
    with recipients.open("a", encoding="utf-8") as file:
        file.write(BAD_ROWS)

    result = send(edition, "-r", recipients, "--outbox", outbox, "--reject-invalid")

    assert result.exit_code == 1
    assert f"{recipients}: row 11: no email address" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "error: 3 rows rejected and --reject-invalid given; nothing was written"
    )
    assert not outbox.exists()


def test_reject_invalid_lets_a_clean_list_through(
    secret: str, edition: Path, recipients: Path, outbox: Path
) -> None:
    result = send(edition, "-r", recipients, "--outbox", outbox, "--reject-invalid")

    assert result.exit_code == 0, result.output
    assert len(emls(outbox)) == 6


def test_email_column_names_a_header_bulletin_does_not_know(
    secret: str, edition: Path, tmp_path: Path, outbox: Path
) -> None:
    listed = tmp_path / "readers.csv"
    listed.write_text("Work Email,First Name\nann@example.org,Ann\n", encoding="utf-8")

    unnamed = send(edition, "-r", listed, "--outbox", outbox)
    named = send(
        edition, "-r", listed, "--outbox", outbox, "--email-column", "work email"
    )

    assert unnamed.exit_code == 1
    assert unnamed.stderr.startswith(f"error: {listed}: no email column")
    assert unnamed.stderr.rstrip().endswith("name it with --email-column")
    assert named.exit_code == 0, named.output
    [path] = emls(outbox)
    message = read_eml(path)
    assert message["To"] == "ann@example.org"
    assert greeting(bodies(message)[0]) == "Ann"


def test_an_address_with_letters_beyond_ascii_gets_a_safe_file_and_a_warning(
    secret: str, edition: Path, tmp_path: Path, outbox: Path
) -> None:
    listed = tmp_path / "readers.csv"
    listed.write_text("email,first_name\njosé@example.org,José\n", encoding="utf-8")

    result = send(edition, "-r", listed, "--outbox", outbox)

    assert result.exit_code == 0, result.output
    assert "1 address has non-ASCII letters before the @" in result.stderr
    assert "SMTPUTF8" in result.stderr
    [path] = emls(outbox)
    assert re.fullmatch(rf"{SLUG}--jos_@example\.org-[0-9a-f]{{10}}\.eml", path.name)
    message = read_eml(path)
    assert message["To"] == "josé@example.org"
    assert greeting(bodies(message)[0]) == "José"


def test_a_name_with_html_characters_stays_text(
    secret: str, edition: Path, tmp_path: Path, outbox: Path
) -> None:
    listed = tmp_path / "readers.csv"
    listed.write_text(
        'email,first_name\ntom@example.org,"Tom & ""Jerry"" <b>"\n', encoding="utf-8"
    )

    result = send(edition, "-r", listed, "--outbox", outbox)

    assert result.exit_code == 0, result.output
    [path] = emls(outbox)
    text, html = bodies(read_eml(path))
    assert 'Dear Tom & "Jerry" <b>,' in text
    assert "Dear Tom &amp; &quot;Jerry&quot; &lt;b&gt;," in html
    assert "<b>" not in html


def test_an_outbox_that_is_a_file_is_one_line(
    secret: str, edition: Path, recipients: Path, tmp_path: Path
) -> None:
    taken = tmp_path / "outbox"
    taken.write_text("not a folder", encoding="utf-8")

    result = send(edition, "-r", recipients, "--outbox", taken)

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: --outbox {taken} is a file; give a folder (it is made if missing)\n"
    )
    assert taken.read_text(encoding="utf-8") == "not a folder"


def test_sending_an_edited_edition_into_the_same_outbox_says_it_is_out_of_date(
    sent: Result, edition: Path, recipients: Path, outbox: Path
) -> None:
    text = edition.read_text(encoding="utf-8")
    edited = text.replace("Welcome to the latest edition", "Welcome to this edition")
    assert edited != text
    edition.write_text(edited, encoding="utf-8")

    again = send(edition, "-r", recipients, "--outbox", outbox)

    assert again.exit_code != 0 or "warning" in again.stderr


# send --dry-run and what stops a send ------------------------------------------------


def test_dry_run_says_what_it_would_send_and_writes_nothing(
    secret: str, edition: Path, recipients: Path, outbox: Path
) -> None:
    result = send(edition, "-r", recipients, "--outbox", outbox, "--dry-run")

    assert result.exit_code == 0, result.output
    assert not outbox.exists()
    lines = result.stdout.splitlines()
    assert lines[0] == "Dry run: nothing was written or sent."
    assert f"  Subject       {SUBJECT}" in lines
    assert "  Unsubscribe   one click (https)" in lines
    [first] = [line for line in lines if line.startswith("  First ")]
    assert first.split(None, 1)[1] == (
        "j.hughes@example.org, Sam.Patel@example.org, r.owen@example.org, "
        "m.nowak@example.org, s.patel@example.org ..."
    )
    assert counts(result.stdout) == {"would be written": 6, **CLEAN_COUNTS}
    assert result.stderr == ""


def test_dry_run_without_the_secret_says_so_and_fails(
    edition: Path, recipients: Path, outbox: Path
) -> None:
    result = send(edition, "-r", recipients, "--outbox", outbox, "--dry-run")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: unsubscribe_url has {{token}} but {SECRET_ENV} is not set; "
    )
    assert "Dry run" in result.stdout, "still says what it would do"
    assert not outbox.exists()


def test_send_without_the_secret_writes_nothing(
    edition: Path, recipients: Path, outbox: Path
) -> None:
    result = send(edition, "-r", recipients, "--outbox", outbox)

    assert result.exit_code == 1
    assert SECRET_ENV in result.stderr
    assert result.stderr.splitlines()[-1] == "nothing was written or sent"
    assert not outbox.exists()


def test_a_secret_too_short_is_refused(
    monkeypatch: pytest.MonkeyPatch, edition: Path, recipients: Path, outbox: Path
) -> None:
    monkeypatch.setenv(SECRET_ENV, "short")

    result = send(edition, "-r", recipients, "--outbox", outbox)

    assert result.exit_code == 1
    assert f"{SECRET_ENV}: secret 1 is shorter than 16 characters" in result.stderr
    assert not outbox.exists()


def test_send_without_a_server_or_outbox_says_what_to_give(
    secret: str, edition: Path, recipients: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BULLETIN_SMTP_HOST", raising=False)

    result = send(edition, "-r", recipients)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        'error: no SMTP server: add [smtp] with e.g. host = "smtp.office365.com" to '
        "bulletin.toml (or set BULLETIN_SMTP_HOST), or write the messages with "
        "--outbox FOLDER"
    )


def test_send_without_recipients_or_test_to_says_what_to_give(
    secret: str, edition: Path, outbox: Path
) -> None:
    result = send(edition, "--outbox", outbox)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: no recipients: give --recipients ")
    assert "--test-to" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not outbox.exists()


def test_a_missing_recipient_list_is_one_line(
    secret: str, edition: Path, tmp_path: Path, outbox: Path
) -> None:
    missing = tmp_path / "readers.csv"

    result = send(edition, "-r", missing, "--outbox", outbox)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {missing}: cannot read the file")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


# send --test-to ---------------------------------------------------------------------


def test_a_test_copy_has_a_name_and_message_id_of_its_own(
    sent: Result, edition: Path, recipients: Path, outbox: Path
) -> None:
    real_path = outbox / f"{SLUG}--j.hughes@example.org.eml"
    real = real_path.read_bytes()

    result = send(
        edition,
        "-r",
        recipients,
        "--test-to",
        "J.Hughes@example.org",
        "--outbox",
        outbox,
    )

    assert result.exit_code == 0, result.output
    assert counts(result.stdout)["test copy written"] == 1
    test_path = outbox / "test-copies" / f"{SLUG}--j.hughes@example.org.eml"
    copy = read_eml(test_path)
    assert copy["To"] == "j.hughes@example.org"
    assert greeting(bodies(copy)[0]) == "Jenny", "the row's first name"
    assert copy["Message-ID"] != read_eml(real_path)["Message-ID"]
    assert real_path.read_bytes() == real
    assert len(emls(outbox)) == 6, "test copies are kept apart from real ones"


def test_a_test_copy_to_an_address_off_the_list_greets_with_the_default(
    secret: str, edition: Path, recipients: Path, outbox: Path
) -> None:
    result = send(
        edition, "-r", recipients, "--test-to", "editor@example.org", "--outbox", outbox
    )

    assert result.exit_code == 0, result.output
    assert emls(outbox) == []
    [path] = emls(outbox / "test-copies")
    assert path.name == f"{SLUG}--editor@example.org.eml"
    message = read_eml(path)
    assert message["To"] == "editor@example.org"
    assert greeting(bodies(message)[0]) == "colleague"
    assert (
        verify_unsubscribe_token(
            token_of(message), list_id=list_id_of(edition), secrets=[SECRET]
        )
        == "editor@example.org"
    )


def test_test_copies_for_several_addresses(
    secret: str, edition: Path, recipients: Path, outbox: Path
) -> None:
    result = send(
        edition,
        "-r",
        recipients,
        "--test-to",
        "editor@example.org",
        "--test-to",
        "r.owen@example.org",
        "--outbox",
        outbox,
    )

    assert result.exit_code == 0, result.output
    assert counts(result.stdout)["test copies written"] == 2
    greeted = {
        str(message["To"]): greeting(bodies(message)[0])
        for message in map(read_eml, emls(outbox / "test-copies"))
    }
    assert greeted == {"editor@example.org": "colleague", "r.owen@example.org": "Rhys"}


def test_the_same_test_address_twice_is_counted_once(
    secret: str, edition: Path, outbox: Path
) -> None:
    result = send(
        edition,
        "--test-to",
        "editor@example.org",
        "--test-to",
        "Editor@example.org",
        "--outbox",
        outbox,
    )

    assert result.exit_code == 0, result.output
    assert len(emls(outbox / "test-copies")) == 1
    assert counts(result.stdout)["test copy written"] == 1


def test_an_invalid_test_address_is_refused_and_nothing_is_written(
    secret: str, edition: Path, outbox: Path
) -> None:
    result = send(edition, "--test-to", "editor@", "--outbox", outbox)

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: 'editor@': ")
    assert "Traceback" not in result.output
    assert not outbox.exists()


def test_a_test_copy_without_a_recipient_list_names_no_list(
    secret: str, edition: Path, outbox: Path
) -> None:
    result = send(edition, "--test-to", "editor@example.org", "--outbox", outbox)

    assert result.exit_code == 0, result.output
    assert len(emls(outbox / "test-copies")) == 1
    assert "(none)" not in result.stderr


# What a mailing warns about, and what stops it ---------------------------------------


def test_a_field_no_column_fills_is_a_warning_and_everyone_gets_its_default(
    secret: str, edition: Path, tmp_path: Path, outbox: Path
) -> None:
    listed = tmp_path / "addresses.csv"
    listed.write_text("email\nann@example.org\nbob@example.org\n", encoding="utf-8")

    result = send(edition, "-r", listed, "--outbox", outbox)

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: the edition uses {{ first_name }} but addresses.csv has no "
        "first_name column, so everyone gets the default 'colleague'\n"
    )
    greeted = [greeting(bodies(read_eml(path))[0]) for path in emls(outbox)]
    assert greeted == ["colleague", "colleague"]


def test_a_mailto_unsubscribe_warns_that_it_cannot_take_one_click(
    folder: Path, edition: Path, recipients: Path, outbox: Path
) -> None:
    set_unsubscribe_url(folder, "mailto:unsubscribe@durham-scp.org.uk")

    result = send(edition, "-r", recipients, "--outbox", outbox)

    assert result.exit_code == 0, result.output  # no token, so no secret needed
    [warning] = result.stderr.splitlines()
    assert warning.startswith(f"warning: {folder / 'bulletin.toml'}:19:1: ")
    assert "unsubscribing cannot take one click" in warning
    assert "Gmail and Yahoo" in warning
    assert len(emls(outbox)) == 6
    for path in emls(outbox):
        message = read_eml(path)
        assert message["List-Unsubscribe"] == "<mailto:unsubscribe@durham-scp.org.uk>"
        assert "List-Unsubscribe-Post" not in message


def test_no_sender_stops_the_send_and_writes_nothing(
    secret: str, folder: Path, edition: Path, recipients: Path, outbox: Path
) -> None:
    cut_sender(folder)

    result = send(edition, "-r", recipients, "--outbox", outbox)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {folder / 'bulletin.toml'}:1:1: no sender: add [sender] with name "
        "and address to bulletin.toml, e.g. "
        'name = "Example Partnership" and address = "news@example.org"',
        "nothing was written or sent",
    ]
    assert not outbox.exists()


def test_no_sender_fails_a_dry_run_too(
    secret: str, folder: Path, edition: Path, recipients: Path
) -> None:
    cut_sender(folder)

    result = send(edition, "-r", recipients, "--dry-run")

    assert result.exit_code == 1
    assert "  From          (no sender)" in result.stdout.splitlines()
    assert result.stderr.startswith(
        f"error: {folder / 'bulletin.toml'}:1:1: no sender: "
    )


def test_an_email_gmail_would_clip_stops_the_send_and_writes_nothing(
    secret: str, edition: Path, recipients: Path, outbox: Path
) -> None:
    # Past the clip Gmail hides the rest of the email, the unsubscribe link too.
    paragraph = "The partnership met to discuss training places and safeguarding. " * 60
    with edition.open("a", encoding="utf-8") as file:
        file.write("\n\n# Minutes in full\n\n" + f"{paragraph}\n\n" * 40)

    result = send(edition, "-r", recipients, "--outbox", outbox)

    assert result.exit_code == 1
    [error, nothing] = result.stderr.splitlines()
    assert error.startswith(f"error: {edition}:1:1: the email is ")
    assert "Gmail clips messages over 102 KB" in error
    assert "Minutes in full" in error
    assert nothing == "nothing was written or sent"
    assert not outbox.exists()


# The suppression list ------------------------------------------------------------------


def test_an_address_suppressed_on_the_command_line_is_left_out_of_the_next_send(
    secret: str,
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    edition: Path,
    recipients: Path,
    outbox: Path,
) -> None:
    monkeypatch.chdir(folder)

    added = suppress("add", "R.Owen@Example.org", "--reason", "bounced")
    result = send(edition, "-r", recipients, "--outbox", outbox)

    assert added.exit_code == 0, added.output
    assert added.stdout == "1 address added to suppressed.csv\n"
    assert result.exit_code == 0, result.output
    assert counts(result.stdout)["suppressed"] == 2
    assert counts(result.stdout)["written"] == 5
    assert not (outbox / f"{SLUG}--r.owen@example.org.eml").exists()


def test_suppressing_an_address_twice_says_it_is_already_there(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    monkeypatch.chdir(folder)

    result = suppress("add", "A.Taylor@example.org", "new@example.org")

    assert result.exit_code == 0, result.output
    assert result.stdout == "1 address added to suppressed.csv (1 already there)\n"
    assert (folder / "suppressed.csv").read_text(encoding="utf-8-sig").count(
        "a.taylor@example.org"
    ) == 1


def test_an_invalid_address_is_not_suppressed(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    monkeypatch.chdir(folder)
    before = (folder / "suppressed.csv").read_bytes()

    result = suppress("add", "not-an-address")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: 'not-an-address': ")
    assert (folder / "suppressed.csv").read_bytes() == before


@pytest.fixture
def suppressed_two(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """The example's suppression list with a second, bounced, address."""
    monkeypatch.chdir(folder)
    added = suppress(
        "add", "r.owen@example.org", "--reason", "bounced", "--note", "mailbox, gone"
    )
    assert added.exit_code == 0, added.output
    return folder / "suppressed.csv"


def test_suppress_list_as_text(suppressed_two: Path) -> None:
    today = dt.date.today().isoformat()

    result = suppress("list")

    assert result.exit_code == 0, result.output
    assert [line.split(None, 3) for line in result.stdout.splitlines()] == [
        ["a.taylor@example.org", "unsubscribed", "2025-01-10", "website"],
        ["r.owen@example.org", "bounced", today, "mailbox, gone"],
    ]
    assert result.stderr == "2 addresses in suppressed.csv\n"


def test_suppress_list_as_csv(suppressed_two: Path) -> None:
    today = dt.date.today().isoformat()

    result = suppress("list", "--format", "csv")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "email,reason,date,note\n"
        "a.taylor@example.org,unsubscribed,2025-01-10,website\n"
        f'r.owen@example.org,bounced,{today},"mailbox, gone"\n'
    )


def test_suppress_list_as_json(suppressed_two: Path) -> None:
    result = suppress("list", "-f", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "email": "a.taylor@example.org",
            "reason": "unsubscribed",
            "date": "2025-01-10",
            "note": "website",
        },
        {
            "email": "r.owen@example.org",
            "reason": "bounced",
            "date": dt.date.today().isoformat(),
            "note": "mailbox, gone",
        },
    ]


def test_suppress_remove_puts_an_address_back_on_the_next_send(
    secret: str,
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    edition: Path,
    recipients: Path,
) -> None:
    monkeypatch.chdir(folder)

    removed = suppress("remove", "A.Taylor@Example.org")
    listed = suppress("list")
    dry = send(edition, "-r", recipients, "--dry-run")

    assert removed.exit_code == 0, removed.output
    assert removed.stdout == "1 address removed from suppressed.csv\n"
    assert listed.stdout == ""
    assert listed.stderr == "0 addresses in suppressed.csv\n"
    assert counts(dry.stdout)["would be sent"] == 7
    assert counts(dry.stdout)["suppressed"] == 0


def test_suppress_remove_of_an_address_not_listed_says_so_and_fails(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    monkeypatch.chdir(folder)

    result = suppress("remove", "a.taylor@example.org", "nobody@example.org")

    assert result.exit_code == 1
    assert result.stderr == "not on the list: nobody@example.org\n"
    assert suppress("list").stdout == ""


def test_suppress_import_of_a_file_of_one_address_per_line(
    monkeypatch: pytest.MonkeyPatch, folder: Path, tmp_path: Path
) -> None:
    bounces = tmp_path / "bounces.txt"
    bounces.write_text(
        "Bounced@Example.org\nnot an address\nother@example.org\n", encoding="utf-8"
    )
    monkeypatch.chdir(folder)

    result = suppress("import", bounces, "--reason", "bounced")
    listed = suppress("list", "--format", "json")

    assert result.exit_code == 0, result.output
    assert result.stdout == "2 addresses added to suppressed.csv\n"
    assert result.stderr.startswith(f"warning: {bounces}: row 2: ")
    entries = json.loads(listed.stdout)
    assert [(entry["email"], entry["reason"], entry["note"]) for entry in entries] == [
        ("a.taylor@example.org", "unsubscribed", "website"),
        ("Bounced@example.org", "bounced", "import bounces.txt"),
        ("other@example.org", "bounced", "import bounces.txt"),
    ]


def test_suppress_file_option_works_in_any_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    own = tmp_path / "own.csv"

    added = suppress("add", "ann@example.org", "--file", own, "--note", "phoned")
    listed = suppress("list", "--file", own, "--format", "csv")

    assert added.exit_code == 0, added.output
    assert added.stdout == f"1 address added to {own}\n"
    assert listed.stdout == (
        "email,reason,date,note\n"
        f"ann@example.org,unsubscribed,{dt.date.today().isoformat()},phoned\n"
    )


def test_suppress_without_a_bulletin_toml_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    if find_config(lonely) is not None:
        pytest.skip(f"{find_config(lonely)} is above the test's temporary folder")
    monkeypatch.chdir(lonely)

    result = suppress("list")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: no bulletin.toml in this folder or above, so no suppression list; "
        "run this in your bulletin's folder, or give --file suppressed.csv\n"
    )


def test_send_uses_the_suppression_file_given(
    secret: str, edition: Path, recipients: Path, tmp_path: Path
) -> None:
    own = tmp_path / "own.csv"
    own.write_text("email\nJ.HUGHES@example.org\n", encoding="utf-8")

    result = send(edition, "-r", recipients, "--dry-run", "--suppressions", own)

    assert result.exit_code == 0, result.output
    assert f"  Suppressions  {own}" in result.stdout.splitlines()
    assert counts(result.stdout)["suppressed"] == 1
    [first] = [line for line in result.stdout.splitlines() if "  First " in line]
    assert "j.hughes@" not in first
    # a.taylor (in suppressed.csv, not in own.csv) is sent to: 7 less Jenny.
    assert counts(result.stdout)["would be sent"] == 6


def test_a_suppression_file_given_but_missing_is_reported(
    secret: str, edition: Path, recipients: Path, tmp_path: Path
) -> None:
    typo = tmp_path / "supressed.csv"

    result = send(edition, "-r", recipients, "--dry-run", "--suppressions", typo)

    assert str(typo) in result.stderr


# build --recipients --as -------------------------------------------------------------


def test_build_as_a_recipient_writes_their_own_copy(
    secret: str, edition: Path, recipients: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = build(edition, "-o", out, "-r", recipients, "--as", "J.Hughes@Example.org")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    text = (out / f"{SLUG}.txt").read_text(encoding="utf-8")
    html = (out / f"{SLUG}.html").read_text(encoding="utf-8")
    for document in (text, html):
        assert greeting(document) == "Jenny"
        assert "{{" not in document
        [token] = set(re.findall(r"unsubscribe\?token=([\w.-]+)", document))
        assert (
            verify_unsubscribe_token(
                token, list_id=list_id_of(edition), secrets=[SECRET]
            )
            == "j.hughes@example.org"
        )
    message = read_eml(out / f"{SLUG}.eml")
    assert message["To"] == "j.hughes@example.org"
    assert greeting(bodies(message)[0]) == "Jenny"
    web = (out / f"{SLUG}.web.html").read_text(encoding="utf-8")
    assert "Jenny" not in web, "the public page stays everyone's"


def test_build_as_without_the_secret_warns_that_the_link_is_a_preview(
    edition: Path, recipients: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = build(edition, "-o", out, "-r", recipients, "--as", "r.owen@example.org")

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"warning: {SECRET_ENV} is not set, so the unsubscribe link says "
        "token=preview instead of r.owen@example.org's own token\n"
    )
    text = (out / f"{SLUG}.txt").read_text(encoding="utf-8")
    assert greeting(text) == "Rhys"
    assert "unsubscribe?token=preview" in text


def test_build_as_an_address_not_on_the_list_is_one_line_naming_the_file(
    secret: str, edition: Path, recipients: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = build(edition, "-o", out, "-r", recipients, "--as", "nobody@example.org")

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: nobody@example.org is not on {recipients} (7 recipients)\n"
    )
    assert not out.exists()


def test_build_as_a_row_set_aside_says_so(
    secret: str, edition: Path, recipients: Path, tmp_path: Path
) -> None:
    with recipients.open("a", encoding="utf-8") as file:
        file.write(BAD_ROWS)
    out = tmp_path / "out"

    result = build(edition, "-o", out, "-r", recipients, "--as", "bob@@example.org")

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {recipients}: row 12: bob@@example.org gets nothing, because the "
        "row was set aside: "
    )
    assert "is not a valid address" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not out.exists()


def test_build_with_recipients_but_no_as_is_an_error(
    edition: Path, recipients: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = build(edition, "-o", out, "-r", recipients)

    assert result.exit_code == 1
    assert result.stderr == (
        "error: --recipients needs --as ADDRESS here: whose copy to show\n"
    )
    assert not out.exists()


# bulletin.commands.mailing ---------------------------------------------------------------------


def test_prepare_sorts_the_list_into_to_send_suppressed_and_set_aside(
    edition: Path, recipients: Path
) -> None:
    mailing = prepare(edition, recipients, date=DATE, environ={SECRET_ENV: SECRET})

    assert [each.address for each in mailing.to_send] == list(GREETED)
    assert [each.address for each in mailing.suppressed] == ["a.taylor@example.org"]
    assert [str(each) for each in mailing.recipients.duplicates] == [
        "row 8: sam.patel@example.org is already on row 3"
    ]
    assert mailing.suppressions == edition.parent / "suppressed.csv"
    assert mailing.ready
    assert mailing.warnings == ()
    assert mailing.problems == ()
    assert mailing.template.secret == SECRET


def test_prepared_messages_are_the_same_bytes_each_time(
    edition: Path, recipients: Path
) -> None:
    first = prepare(edition, recipients, date=DATE, environ={SECRET_ENV: SECRET})
    second = prepare(edition, recipients, date=DATE, environ={SECRET_ENV: SECRET})

    one = [message.data for message in first.messages()]
    two = [message.data for message in second.messages()]

    assert one == two
    assert len(set(one)) == 6
    assert all(b"\r\nDate: Wed, 15 Jan 2025 09:00:00 +0000\r\n" in data for data in one)


def test_prepare_without_the_secret_is_a_problem_not_an_exception(
    edition: Path, recipients: Path
) -> None:
    mailing = prepare(edition, recipients, date=DATE, environ={})

    assert not mailing.ready
    [problem] = mailing.problems
    assert problem.startswith(f"unsubscribe_url has {{token}} but {SECRET_ENV} ")
    assert mailing.template.secret is None


def test_test_messages_differ_from_the_real_ones_by_the_test_salt(
    edition: Path, recipients: Path
) -> None:
    mailing = prepare(edition, recipients, date=DATE, environ={SECRET_ENV: SECRET})
    jenny = mailing.recipients.find("j.hughes@example.org")
    assert jenny is not None
    salted = MessageTemplate(
        mailing.rendered,
        mailing.source.settings,
        DATE,
        secret=SECRET,
        salt=TEST_SALT,
    )

    [copy, stranger] = mailing.test_messages(
        ["J.Hughes@example.org", "stranger@example.org"]
    )

    assert copy.recipient == jenny
    assert copy.message_id == salted.message_id(jenny)
    assert copy.message_id != mailing.template.personal(jenny).message_id
    assert stranger.recipient == Recipient.of("stranger@example.org")
    assert greeting(bodies(parsed(stranger.data))[0]) == "colleague"


def test_test_messages_refuse_an_invalid_address(
    edition: Path, recipients: Path
) -> None:
    mailing = prepare(edition, recipients, date=DATE, environ={SECRET_ENV: SECRET})

    with pytest.raises(RecipientError, match="'nobody@'"):
        mailing.test_messages(["nobody@"])


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory) -> Mailing:
    """The example prepared once, for tests that only fill messages in."""
    copy = tmp_path_factory.mktemp("prepared") / "dscp"
    shutil.copytree(EXAMPLE, copy)
    return prepare(
        copy / "edition.md",
        copy / "recipients.csv",
        date=DATE,
        environ={SECRET_ENV: SECRET},
    )


@given(
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=200,
    )
)
def test_any_first_name_is_filled_in_whole_within_the_line_limit(
    mailing: Mailing, name: str
) -> None:
    data = mailing.template.personal(
        Recipient.of("ann@example.org", {"first_name": name})
    ).data

    body = data.split(b"\r\n\r\n", 1)[1]
    assert max(map(len, body.split(b"\r\n"))) <= 76
    assert b"\n" not in body.replace(b"\r\n", b"")
    text, html = bodies(parsed(data))
    assert f"Dear {name}," in text
    assert f"Dear {escape(name)}," in html


def test_suppressions_are_beside_bulletin_toml_not_the_edition(folder: Path) -> None:
    issue = folder / "2025" / "edition.md"
    issue.parent.mkdir()
    shutil.copy(folder / "edition.md", issue)
    (issue.parent / "images").symlink_to(folder / "images")

    assert suppressions_path(load(issue)) == folder / "suppressed.csv"


def test_suppressions_can_be_named_in_bulletin_toml(
    folder: Path, edition: Path
) -> None:
    toml = folder / "bulletin.toml"
    toml.write_text(
        'suppressions = "lists/unsubscribed.csv"\n' + toml.read_text(encoding="utf-8"),
        encoding="utf-8",
    )

    assert suppressions_path(load(edition)) == folder / "lists" / "unsubscribed.csv"


def test_suppressions_without_bulletin_toml_are_beside_the_edition(
    tmp_path: Path,
) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    if find_config(lonely) is not None:
        pytest.skip(f"{find_config(lonely)} is above the test's temporary folder")
    issue = lonely / "edition.md"
    issue.write_text(
        "---\ntitle: News\ndate: 2025-01-15\n---\n# Hello\n\nText.\n",
        encoding="utf-8",
    )

    assert suppressions_path(load(issue)) == lonely / "suppressed.csv"


def test_secret_for_is_the_first_secret_when_the_link_has_a_token(
    edition: Path,
) -> None:
    source = load(edition)

    assert secret_for(source, {SECRET_ENV: f"{SECRET}, {'older' * 5}"}) == SECRET
    with pytest.raises(SendError, match=f"{SECRET_ENV} is not set"):
        secret_for(source, {})


def test_secret_for_is_none_when_the_link_needs_no_token(
    folder: Path, edition: Path
) -> None:
    set_unsubscribe_url(folder, "https://www.durham-scp.org.uk/unsubscribe")

    assert secret_for(load(edition), {}) is None


def test_find_recipient_in_any_case(recipients: Path) -> None:
    listed = read_recipients(recipients)

    found = find_recipient(listed, " SAM.PATEL@example.ORG ")

    assert found.address == "Sam.Patel@example.org"
    assert found.fields["first_name"] == "Sam", "the first row, not the duplicate"
    assert found.row == 3


def test_find_recipient_not_on_the_list(recipients: Path) -> None:
    with pytest.raises(RecipientError) as raised:
        find_recipient(read_recipients(recipients), "nobody@example.org")

    assert str(raised.value) == (
        f"nobody@example.org is not on {recipients} (7 recipients)"
    )


def test_find_recipient_of_a_row_set_aside(recipients: Path) -> None:
    with recipients.open("a", encoding="utf-8") as file:
        file.write("eve@example.org,Eve,Nowhere,one cell too many\n")

    with pytest.raises(RecipientError) as raised:
        find_recipient(read_recipients(recipients), "EVE@example.org")

    assert str(raised.value).startswith(
        f"{recipients}: row 10: EVE@example.org gets nothing, because the row was "
        "set aside: "
    )
    assert "4 cells but the header names 3 columns" in str(raised.value)


def test_a_suppressed_address_written_in_ascii_still_suppresses_it(
    edition: Path, tmp_path: Path
) -> None:
    listed = tmp_path / "readers.csv"
    listed.write_text("email\nann@exämple.org\n", encoding="utf-8")
    own = tmp_path / "own.csv"
    own.write_text("email\nann@xn--exmple-cua.org\n", encoding="utf-8")

    mailing = prepare(
        edition, listed, suppressions=own, date=DATE, environ={SECRET_ENV: SECRET}
    )

    assert mailing.to_send == ()


# bulletin.sending.outbox ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("ann@example.org", "news--ann@example.org.eml"),
        ("Ann@Example.org", "news--ann@example.org.eml"),
        ("o'neil+news@example.org", None),
        ("a/b@x.org", None),
        ("josé@x.org", None),
        ("..@x.org", "news--..@x.org.eml"),
    ],
)
def test_outbox_name_is_the_edition_then_a_safe_form_of_the_address(
    address: str, name: str | None
) -> None:
    made = outbox_name("news", Recipient(address))

    assert re.fullmatch(r"news--[a-z0-9@._+-]+\.eml", made)
    if name is not None:
        assert made == name
    else:
        assert re.fullmatch(r"news--[a-z0-9@._+-]+-[0-9a-f]{10}\.eml", made)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("a/b@x.org", "a_b@x.org"),
        ("a/b@x.org", "a\\b@x.org"),
        ("josé@x.org", "jos_@x.org"),
        ("josé@x.org", "josè@x.org"),
        ("x" * 150 + "1@x.org", "x" * 150 + "2@x.org"),
    ],
)
def test_outbox_names_of_different_addresses_differ(one: str, other: str) -> None:
    assert outbox_name("news", Recipient(one)) != outbox_name("news", Recipient(other))


def test_outbox_names_of_the_same_address_in_another_case_are_one() -> None:
    assert outbox_name("news", Recipient("A@x.org")) == outbox_name(
        "news", Recipient("a@x.org")
    )


def test_a_test_copy_never_takes_a_real_recipients_file(tmp_path: Path) -> None:
    ann, tricky = Recipient.of("ann@example.org"), Recipient.of("test--ann@example.org")

    def message_for(recipient: Recipient) -> PersonalMessage:
        return PersonalMessage(recipient, "<id@x>", recipient.address.encode(), False)

    real = write_outbox(tmp_path, "news", [tricky, ann], message_for, message_id)
    test = write_outbox(tmp_path, "news", [ann], message_for, message_id, test=True)

    [copy] = test.written
    assert copy.parent == tmp_path / "test-copies"
    assert copy not in real.written
    assert [path.read_bytes() for path in real.written] == [
        b"test--ann@example.org",
        b"ann@example.org",
    ]


@given(st.text(min_size=1, max_size=300), st.text(min_size=1, max_size=300))
def test_outbox_names_are_safe_short_and_one_per_address(one: str, other: str) -> None:
    first = outbox_name("news", Recipient(one))
    second = outbox_name("news", Recipient(other))

    for name in (first, second):
        assert re.fullmatch(r"news--[a-z0-9@._+-]+\.eml", name)
        assert len(name) <= len("news--") + 150 + 11 + len(".eml")
    assert (first == second) == (one.casefold() == other.casefold())


def test_write_new_writes_a_file_that_is_not_there(tmp_path: Path) -> None:
    path = tmp_path / "message.eml"

    assert write_new(path, b"first") is True
    assert path.read_bytes() == b"first"
    assert [each.name for each in tmp_path.iterdir()] == ["message.eml"]


def test_write_new_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "message.eml"
    path.write_bytes(b"first")

    assert write_new(path, b"second") is False
    assert path.read_bytes() == b"first"
    assert [each.name for each in tmp_path.iterdir()] == ["message.eml"]


@pytest.fixture
def no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)


@pytest.mark.usefixtures("no_hard_links")
def test_write_new_without_hard_links_still_writes_once(tmp_path: Path) -> None:
    path = tmp_path / "message.eml"

    assert write_new(path, b"first") is True
    assert write_new(path, b"second") is False
    assert path.read_bytes() == b"first"
    assert [each.name for each in tmp_path.iterdir()] == ["message.eml"]


def test_write_new_that_fails_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    path = tmp_path / "message.eml"

    with pytest.raises(OSError, match="No space left"):
        write_new(path, b"first")

    assert list(tmp_path.iterdir()) == []


def test_write_outbox_builds_only_the_messages_missing(tmp_path: Path) -> None:
    people = [Recipient.of(f"reader{n}@example.org") for n in range(3)]
    built: list[str] = []

    def message_for(recipient: Recipient) -> PersonalMessage:
        built.append(recipient.address)
        return PersonalMessage(recipient, "<id@x>", recipient.address.encode(), False)

    first = write_outbox(tmp_path / "out", "news", people[:2], message_for, message_id)
    second = write_outbox(tmp_path / "out", "news", people, message_for, message_id)

    assert built == [
        "reader0@example.org",
        "reader1@example.org",
        "reader2@example.org",
    ]
    assert [path.name for path in first.written] == [
        "news--reader0@example.org.eml",
        "news--reader1@example.org.eml",
    ]
    assert second.existing == first.written
    assert [path.name for path in second.written] == ["news--reader2@example.org.eml"]
    assert no_temporary_files(tmp_path / "out")


def test_write_outbox_rewrites_test_copies(tmp_path: Path) -> None:
    ann = Recipient.of("ann@example.org")
    versions: Iterator[bytes] = iter([b"one", b"two"])

    def message_for(recipient: Recipient) -> PersonalMessage:
        return PersonalMessage(recipient, "<id@x>", next(versions), False)

    write_outbox(tmp_path, "news", [ann], message_for, message_id, test=True)
    again = write_outbox(tmp_path, "news", [ann], message_for, message_id, test=True)

    [path] = again.written
    assert path == tmp_path / "test-copies" / "news--ann@example.org.eml"
    assert path.read_bytes() == b"two"
    assert again.existing == []
