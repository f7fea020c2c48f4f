"""``bulletin send``, ``build --as`` and ``suppress`` given hostile input (issue 13).

A recipient list whose link fields hold ``javascript:``, a suppression list
with formula-like addresses, a recipient list given as the suppression list.
Every test works on a copy of ``examples/dscp-2025-01`` (the ``folder`` fixture).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bulletin.cli import app
from bulletin.commands.mailing import prepare
from bulletin.mail.unsubscribe import SECRET_ENV

runner = CliRunner()

SECRET = "a-long-random-test-secret-0123456789"

EDITION = """\
---
title: "News for {{ first_name | you }}"
date: 2025-01-15
preheader: "Hello {{ first_name | colleague }}"
---
Dear {{ first_name | colleague }}, see [our site]({{ website }}).

# Training

::: button
[Book]({{website}})
:::

[![A picture](images/logo.png)]({{website}})
"""

READERS = (
    "email,first_name,website\n"
    "ann@example.org,Ann,javascript:alert(1)\n"
    "bob@example.org,Bob,https://example.org/bob\n"
    'cat@example.org,Cat,"data:text/html;base64,PHNjcmlwdD4="\n'
    "dan@example.org,Dan,VBScript:msgbox(1)\n"
)


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)


@pytest.fixture
def hostile(folder: Path) -> tuple[Path, Path]:
    edition = folder / "hostile.md"
    edition.write_text(EDITION, "utf-8")
    readers = folder / "readers.csv"
    readers.write_text(READERS, "utf-8")
    return edition, readers


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(arg) for arg in args])


# 1. Link fields are checked per recipient, before anything is written -------------


def test_prepare_sets_aside_the_rows_whose_link_fields_are_not_links(
    hostile: tuple[Path, Path],
) -> None:
    edition, readers = hostile

    mailing = prepare(edition, readers)

    assert [each.address for each in mailing.to_send] == ["bob@example.org"]
    assert [(each.row, each.value) for each in mailing.recipients.rejected] == [
        (2, "ann@example.org"),
        (4, "cat@example.org"),
        (5, "dan@example.org"),
    ]
    assert "website" in mailing.recipients.rejected[0].reason


def test_the_outbox_gets_no_hostile_link_and_the_rows_are_reported(
    hostile: tuple[Path, Path], tmp_path: Path
) -> None:
    edition, readers = hostile
    outbox = tmp_path / "outbox"

    result = run("send", edition, "-r", readers, "--outbox", outbox)
    written = sorted(outbox.glob("*.eml"))
    everything = b"".join(path.read_bytes() for path in written).lower()

    assert result.exit_code == 1
    assert [path.name.rpartition("--")[2] for path in written] == [
        "bob@example.org.eml"
    ]
    for scheme in (b"javascript:", b"data:text", b"vbscript:"):
        assert scheme not in everything
    for row in (2, 4, 5):
        assert f"readers.csv: row {row}: the website field" in result.stderr
    assert "3  invalid" in result.stdout


def test_a_dry_run_counts_the_rows_as_invalid_and_fails(
    hostile: tuple[Path, Path],
) -> None:
    edition, readers = hostile

    result = run("send", edition, "-r", readers, "--outbox", "out", "--dry-run")

    assert result.exit_code == 1
    assert "readers.csv: row 2: the website field" in result.stderr
    assert "3  invalid" in result.stdout


def test_build_as_a_hostile_row_is_one_line_and_writes_nothing(
    hostile: tuple[Path, Path], tmp_path: Path
) -> None:
    edition, readers = hostile
    out = tmp_path / "out"

    result = run(
        "build", edition, "--out", out, "-r", readers, "--as", "ann@example.org"
    )

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "row 2 (ann@example.org)" in result.output
    assert "javascript:alert(1)" in result.output  # named, so it can be fixed
    assert not any(
        b"javascript:" in path.read_bytes() for path in out.rglob("*") if path.is_file()
    )


def test_each_reader_gets_their_own_subject(
    hostile: tuple[Path, Path], tmp_path: Path
) -> None:
    edition, readers = hostile
    outbox = tmp_path / "outbox"

    run("send", edition, "-r", readers, "--outbox", outbox)
    (bob,) = outbox.glob("*.eml")

    assert b"\r\nSubject: News for Bob\r\n" in bob.read_bytes()


# 3 and 4. The suppression list ------------------------------------------------------


def test_suppress_add_never_rewrites_a_recipient_list(folder: Path) -> None:
    readers = folder / "recipients.csv"
    before = readers.read_bytes()

    result = run("suppress", "add", "new@example.org", "--file", readers)

    assert result.exit_code == 1
    assert "not a suppression list" in result.stderr
    assert "bulletin suppress import" in result.stderr
    assert readers.read_bytes() == before


def test_suppress_import_never_writes_its_own_input(folder: Path) -> None:
    plain = folder / "addresses.csv"
    plain.write_text("email\nann@example.org\n", "utf-8")
    before = plain.read_bytes()

    result = run("suppress", "import", plain, "--file", plain)

    assert result.exit_code == 1
    assert "both the file to read and the suppression list" in result.stderr
    assert plain.read_bytes() == before


def test_suppress_remove_never_rewrites_a_recipient_list(folder: Path) -> None:
    readers = folder / "recipients.csv"
    before = readers.read_bytes()

    result = run("suppress", "remove", "j.hughes@example.org", "--file", readers)

    assert result.exit_code == 1
    assert readers.read_bytes() == before


def test_formula_addresses_are_written_safe_and_still_suppress(
    folder: Path, tmp_path: Path
) -> None:
    hostile = "=cmd|'/Ccalc'!A0@example.org"  # valid: all of it is atext
    addresses = folder / "bounces.txt"
    addresses.write_text(f"{hostile}\n+1@example.org\n", "utf-8")

    imported = run("suppress", "import", addresses, "--file", folder / "suppressed.csv")
    text = (folder / "suppressed.csv").read_text("utf-8-sig")
    listed = run(
        "suppress", "list", "--format", "csv", "--file", folder / "suppressed.csv"
    )

    assert imported.exit_code == 0, imported.output
    assert f"\n'{hostile}," in text
    assert "\n'+1@example.org," in text
    assert all(
        not cell.startswith(("=", "+", "-", "@"))
        for line in listed.stdout.splitlines()
        for cell in line.split(",")
    )
    assert f"'{hostile}" in listed.stdout
    json_listed = run(
        "suppress", "list", "--format", "json", "--file", folder / "suppressed.csv"
    )
    assert f'"{hostile}"' in json_listed.stdout  # read back as it was
