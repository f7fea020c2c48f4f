"""A hostile SMTP server's replies, and a hostile list, through a real send (issue 13).

The server of tests/smtpserver.py answers with terminal escape codes (clear the
screen, change the window title, a hyperlink, colours, a bell): none reaches the
editor's terminal, the journal or the suppression list, and the words stay
readable. A list whose link fields hold ``javascript:`` sends to the other
readers only, and the send fails naming the rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bulletin.cli import app
from bulletin.commands.smtpconfig import ENVIRONMENT
from bulletin.loading.source import load
from bulletin.mail.message import list_id
from bulletin.mail.unsubscribe import SECRET_ENV
from bulletin.sending.credentials import PASSWORD_ENV, TOKEN_ENV
from bulletin.sending.journal import Journal, journal_path
from bulletin.sending.replies import Attempt, Reply, Verdict, printable
from tests.conftest import EXAMPLES
from tests.smtpserver import SmtpServer

runner = CliRunner()

SECRET = "a-long-random-test-secret-0123456789"
BOUNCED = "r.owen@example.org"
HOSTILE_REPLY = (
    "550 5.1.1 \x1b[2J\x1b[H\x1b]0;owned\x07\x1b[31mno such user\x1b[0m "
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \x07\x08\x7f\u202eend"
)
CLEAN_REPLY = "550 5.1.1 no such user click end"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    for name in (*ENVIRONMENT.values(), PASSWORD_ENV, TOKEN_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def server(smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    monkeypatch.setenv(PASSWORD_ENV, smtp_server.password)
    return smtp_server


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "dscp"
    shutil.copytree(EXAMPLES / "dscp-2025-01", copy)
    return copy


def send(server: SmtpServer, edition: Path, recipients: Path) -> Result:
    return runner.invoke(
        app,
        [
            "send",
            str(edition),
            "--recipients",
            str(recipients),
            "--smtp-host",
            server.host,
            "--smtp-port",
            str(server.port),
            "--username",
            server.username,
            "--ca-file",
            str(server.ca_file),
        ],
    )


def replies_in_journal(edition: Path) -> list[str]:
    path = journal_path(list_id(load(edition).settings), edition)
    with Journal.read(path) as journal:
        return [entry.reply for entry in journal.entries()]


def test_escape_codes_in_a_reply_never_reach_the_terminal_journal_or_list(
    server: SmtpServer, folder: Path
) -> None:
    server.at_rcpt(BOUNCED, HOSTILE_REPLY)
    edition = folder / "edition.md"

    result = send(server, edition, folder / "recipients.csv")
    suppressed = (folder / "suppressed.csv").read_text("utf-8-sig")
    stored = replies_in_journal(edition)

    assert result.exit_code == 1  # one reader failed
    for text in (result.stdout, result.stderr, suppressed, *stored):
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "\u202e" not in text
    assert CLEAN_REPLY in result.output
    assert CLEAN_REPLY in stored
    assert f"{BOUNCED},bounced," in suppressed
    assert CLEAN_REPLY in suppressed


def test_escape_codes_in_a_refusal_that_stops_the_run_are_stripped(
    server: SmtpServer, folder: Path
) -> None:
    server.at_mail("554 5.7.1 \x1b[2J\x1b]0;owned\x07policy \x1b[5mblink\x1b[0m")

    result = send(server, folder / "edition.md", folder / "recipients.csv")

    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert "554 5.7.1 policy blink" in result.output


def test_a_hostile_link_row_is_not_sent_and_the_others_are(
    server: SmtpServer, folder: Path
) -> None:
    edition = folder / "linked.md"
    edition.write_text(
        "---\ntitle: News for {{ first_name | you }}\ndate: 2025-01-15\n---\n"
        "Dear {{ first_name | colleague }}, see [our site]({{ website }}).\n",
        "utf-8",
    )
    readers = folder / "readers.csv"
    readers.write_text(
        "email,first_name,website\n"
        "ann@example.org,Ann,javascript:alert(1)\n"
        "bob@example.org,Bob,https://example.org/bob\n",
        "utf-8",
    )

    result = send(server, edition, readers)

    assert result.exit_code == 1
    assert "readers.csv: row 2: the website field" in result.stderr
    assert list(server.delivered_to()) == ["bob@example.org"]
    (bob,) = server.messages_for("bob@example.org")
    assert bob.message["Subject"] == "News for Bob"
    assert b"javascript" not in bob.data


# The cleaning itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (HOSTILE_REPLY, CLEAN_REPLY),
        ("250 2.0.0 Ok: queued as ABC", "250 2.0.0 Ok: queued as ABC"),
        ("451 4.3.0 Try\r\n again\tlater", "451 4.3.0 Try again later"),
        ("550 5.1.1 Ûnknown üser", "550 5.1.1 Ûnknown üser"),
        ("550 \x9b31mC1 colours\x9b0m", "550 C1 colours"),
        ("550 \x00\x01\x1f", "550"),
    ],
)
def test_printable_keeps_the_words_and_drops_the_codes(raw: str, clean: str) -> None:
    assert printable(raw) == clean


def test_a_reply_and_an_attempt_are_clean_however_made() -> None:
    assert Reply(550, "\x1b[31m5.1.1 gone\x1b[0m").text == "5.1.1 gone"
    assert Reply(550, "\x1b[31m5.1.1 gone").enhanced == "5.1.1"
    assert Attempt(Verdict.FAILED, "\x1b]0;x\x07lost").detail == "lost"


def test_a_very_long_reply_is_cut() -> None:
    assert len(printable("5" * 100_000)) <= 2000
