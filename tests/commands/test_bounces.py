"""``bulletin bounces`` end to end: the corpus read from mbox, Maildir and a real
Dovecot over IMAP, matched to a real send journal, acted on once."""

from __future__ import annotations

import mailbox
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.commands.bounces import bounces
from bulletin.errors import SendError
from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import SuppressionList
from bulletin.sending.bouncelog import bounce_log_path, edition_bounces
from bulletin.sending.journal import Fingerprint, Journal, journal_path
from tests.imapserver import PASSWORD, USER, ImapServer

CORPUS = Path(__file__).parents[1] / "mail" / "bounces"
LIST_ID = "bounces-test.example.org"
READERS = {
    "1": "ann@example.org",
    "2": "bob@example.org",
    "3": "carol@example.org",
    "4": "dave@example.org",
    "5": "erin@example.org",
    "6": "frank@example.org",
    "7": "grace@example.org",
    "9": "nina@example.org",
    "c": "leo@example.org",
    "d": "jack@example.org",
    "e": "mia@example.org",
}


def _mid(n: str, slug: str = "partnership-news-january-2025") -> str:
    return f"<{'0' * 31}{n}.{slug}@example.org>"


def _journal(folder: Path, name: str, slug: str, subject: str) -> Path:
    """A send journal in which every reader was sent ``slug``, with known Message-IDs."""
    edition = folder / f"{name}.md"
    edition.write_text("---\ntitle: x\n---\n")
    path = journal_path(LIST_ID, edition)
    recipients = [Recipient(address) for address in READERS.values()]
    with Journal.open(path) as journal:
        journal.begin(
            Fingerprint(str(edition), subject, "e" * 64, "readers.csv", "l" * 64),
            recipients,
        )
        for n, recipient in zip(READERS, recipients, strict=True):
            journal.sending(recipient.key, _mid(n, slug), time.time())
            journal.sent(recipient.key, "250 2.0.0 OK")
    return path


@pytest.fixture
def bulletin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bulletin folder whose list has had the January edition sent."""
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(tmp_path / "state"))
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "bulletin.toml").write_text(
        "schema = 1\n"
        'publisher = "Example Partnership"\n'
        f'list_id = "{LIST_ID}"\n'
        'unsubscribe_mailto = "unsubscribe@example.org"\n'
    )
    _journal(
        folder,
        "january",
        "partnership-news-january-2025",
        "Partnership News - January 2025",
    )
    return folder


def _mbox(path: Path, names: list[str]) -> Path:
    box = mailbox.mbox(path)
    for name in names:
        box.add((CORPUS / name).read_bytes())
    box.close()
    return path


def _all() -> list[str]:
    return sorted(path.name for path in CORPUS.glob("*.eml"))


def test_the_corpus_from_an_mbox(bulletin: Path, tmp_path: Path) -> None:
    report = bounces(bulletin, mbox=_mbox(tmp_path / "in.mbox", _all()))
    suppressed = SuppressionList.load(bulletin / "suppressed.csv")
    assert {entry.address: entry.reason for entry in suppressed} == {
        "ann@example.org": "bounced",
        "bob@example.org": "bounced",
        "carol@example.org": "bounced",
        "dave@example.org": "bounced",
        "henry@example.org": "unsubscribed",
        "ivy@example.org": "unsubscribed",
    }
    ann = suppressed.get("ann@example.org")
    assert ann is not None
    assert "5.1.10" in ann.note
    assert "15 Jan 2025" in ann.note
    assert report.kinds["soft"] == 3
    assert report.kinds["auto-reply"] == 3
    assert report.kinds["other"] == 1
    # Each bad mail in one line, and the rest processed.
    assert len(report.problems) == 4, report.problems
    assert any(
        "stranger@example.net" in line and "no list" in line for line in report.problems
    )
    assert any("not a mail" in line for line in report.problems)
    journal = journal_path(LIST_ID, bulletin / "january.md")
    assert edition_bounces(journal) == {
        "blocked": 1,
        "delayed": 1,
        "hard": 4,
        "soft": 3,
    }


def test_a_rerun_counts_nothing_twice(bulletin: Path, tmp_path: Path) -> None:
    source = _mbox(tmp_path / "in.mbox", _all())
    bounces(bulletin, mbox=source)
    again = bounces(bulletin, mbox=source)
    assert again.suppressed == []
    assert again.already == 15
    assert not any(line.startswith("counted") for line in again.actions)


def test_a_dry_run_changes_nothing(bulletin: Path, tmp_path: Path) -> None:
    report = bounces(bulletin, mbox=_mbox(tmp_path / "in.mbox", _all()), dry_run=True)
    assert len(report.suppressed) == 6
    assert any(
        line.startswith("would suppress ann@example.org") for line in report.actions
    )
    assert not (bulletin / "suppressed.csv").exists()
    assert not bounce_log_path(LIST_ID).exists()


def test_soft_bounces_are_counted_once_per_edition(
    bulletin: Path, tmp_path: Path
) -> None:
    raw = (CORPUS / "m365-5.2.2-mailbox-full.eml").read_bytes()
    for month in ("february", "march"):
        _journal(bulletin, month, f"partnership-news-{month}-2025", f"News - {month}")
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    for number, month in enumerate(("january", "february", "march")):
        maildir.add(
            raw.replace(b"january", month.encode()).replace(
                b"a1b2c3d4-m365-0005", f"soft-{number}".encode()
            )
        )
    maildir.close()
    first = bounces(bulletin, maildir=tmp_path / "Maildir", soft_limit=4)
    assert first.suppressed == []
    assert any(
        "erin@example.org" in line and "3 of 4" in line for line in first.actions
    )
    report = bounces(bulletin, maildir=tmp_path / "Maildir", dry_run=True)
    assert report.suppressed == []  # all seen already
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(raw.replace(b"a1b2c3d4-m365-0005", b"soft-again"))
    maildir.close()
    # The same edition again does not make a fourth.
    assert (
        bounces(bulletin, maildir=tmp_path / "Maildir", soft_limit=4).suppressed == []
    )
    last = bounces(bulletin, maildir=tmp_path / "Maildir", soft_limit=3)
    assert last.suppressed == []  # nothing new: counts grow only with new mails


def test_the_third_edition_suppresses_at_the_default_limit(
    bulletin: Path, tmp_path: Path
) -> None:
    raw = (CORPUS / "postfix-4.4.1-gave-up.eml").read_bytes()
    for month in ("february", "march"):
        _journal(bulletin, month, f"partnership-news-{month}-2025", f"News - {month}")
    names = []
    for number, month in enumerate(("january", "february", "march")):
        path = tmp_path / f"{month}.eml"
        path.write_bytes(
            raw.replace(b"january", month.encode()).replace(
                b"0006@relay", f"{number}@relay".encode()
            )
        )
        names.append(path)
    box = mailbox.mbox(tmp_path / "soft.mbox")
    for path in names:
        box.add(path.read_bytes())
    box.close()
    report = bounces(bulletin, mbox=tmp_path / "soft.mbox")
    assert [entry.address for entry in report.suppressed] == ["frank@example.org"]
    assert "3 editions" in report.suppressed[0].note


def test_no_bulletin_toml(tmp_path: Path) -> None:
    with pytest.raises(SendError, match=r"no bulletin\.toml"):
        bounces(tmp_path, mbox=tmp_path / "x.mbox")


def test_no_imap_table(bulletin: Path) -> None:
    with pytest.raises(SendError, match=r"add \[imap\]"):
        bounces(bulletin)


def test_the_command_line(bulletin: Path, tmp_path: Path) -> None:
    source = _mbox(tmp_path / "in.mbox", _all())
    result = CliRunner().invoke(
        app, ["bounces", str(bulletin), "--mbox", str(source), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "would suppress ann@example.org" in result.output
    assert "Would suppress 6 addresses." in result.output
    assert "Dry run" in result.output


# -- a real IMAP server -----------------------------------------------------------


@pytest.fixture
def dovecot() -> Iterator[ImapServer]:
    with ImapServer() as server:
        yield server


def _imap(bulletin: Path, server: ImapServer, *, port: int, security: str) -> None:
    with (bulletin / "bulletin.toml").open("a") as file:
        file.write(
            "\n[imap]\n"
            f'host = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
            f'username = "{USER}"\nprocessed_folder = "Processed"\n'
            f'ca_file = "{server.ca_file}"\n'
        )


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_imap_with_dovecot(
    bulletin: Path,
    dovecot: ImapServer,
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    _imap(
        bulletin,
        dovecot,
        port=dovecot.tls_port if security == "tls" else dovecot.port,
        security=security,
    )
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", PASSWORD)
    for name in _all():
        dovecot.deliver((CORPUS / name).read_bytes())
    report = bounces(bulletin)
    assert len(report.suppressed) == 6
    # The reply from a reader and the unreadable ones stay for a person.
    assert dovecot.count() == 4
    assert dovecot.count("Processed") == 15
    assert report.moved == 15
    again = bounces(bulletin)
    assert again.mails == 4
    assert again.suppressed == []


def test_imap_certificate_from_an_unknown_authority(
    bulletin: Path, dovecot: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (bulletin / "bulletin.toml").open("a") as file:
        file.write(
            f'\n[imap]\nhost = "127.0.0.1"\nport = {dovecot.tls_port}\n'
            f'username = "{USER}"\n'
        )
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", PASSWORD)
    with pytest.raises(SendError, match="could not be verified"):
        bounces(bulletin)


def test_imap_wrong_password(
    bulletin: Path, dovecot: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _imap(bulletin, dovecot, port=dovecot.tls_port, security="tls")
    monkeypatch.setenv("BULLETIN_IMAP_PASSWORD", "wrong")
    with pytest.raises(SendError, match="refused the login"):
        bounces(bulletin)


def test_imap_no_password(
    bulletin: Path, dovecot: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _imap(bulletin, dovecot, port=dovecot.tls_port, security="tls")
    monkeypatch.delenv("BULLETIN_IMAP_PASSWORD", raising=False)
    with pytest.raises(SendError, match="BULLETIN_IMAP_PASSWORD"):
        bounces(bulletin, environ=dict(os.environ))


def test_status_shows_the_bounces_of_its_edition(
    bulletin: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from bulletin.cli import app
    from bulletin.commands.status import status

    bounces(bulletin, mbox=_mbox(tmp_path / "in.mbox", _all()))
    journal = journal_path(LIST_ID, bulletin / "january.md")

    found = status(bulletin / "january.md", journal)
    result = CliRunner().invoke(
        app, ["status", str(bulletin / "january.md"), "--journal", str(journal)]
    )

    assert found.bounces == {"blocked": 1, "delayed": 1, "hard": 4, "soft": 3}
    assert found.as_dict()["bounces"] == found.bounces
    assert "Bounces found later by bulletin bounces: " in result.output
    assert "4 gone (suppressed)" in result.output


def test_a_bounce_naming_no_message_sent_from_here_suppresses_nobody(
    bulletin: Path, tmp_path: Path
) -> None:
    """Anyone can write a bounce: one without our Message-ID could be made up."""
    real = (CORPUS / "postfix-5.1.1-user-unknown.eml").read_bytes()
    forged = real.replace(
        b"00000000000000000000000000000003.partnership-news", b"forged.elsewhere"
    )
    assert forged != real
    box = mailbox.mbox(tmp_path / "forged.mbox")
    box.add(forged)
    box.close()

    report = bounces(bulletin, mbox=tmp_path / "forged.mbox")

    assert len(SuppressionList.load(bulletin / "suppressed.csv")) == 0
    assert any(
        "carol@example.org that names no message sent from here" in line
        for line in report.problems
    ), report.problems


def test_a_mail_nested_past_the_parser_is_one_problem_and_the_rest_go_on(
    bulletin: Path, tmp_path: Path
) -> None:
    nested = b"From: x@example.org\r\nSubject: deep\r\n"
    depth = 2000
    for level in range(depth):
        nested += (
            f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'
        ).encode()
    box = mailbox.mbox(tmp_path / "deep.mbox")
    box.add(nested)
    box.add((CORPUS / "postfix-5.1.1-user-unknown.eml").read_bytes())
    box.close()

    report = bounces(bulletin, mbox=tmp_path / "deep.mbox")

    assert report.mails == 2
    assert any("cannot be read" in line for line in report.problems), report.problems
    assert "carol@example.org" in SuppressionList.load(bulletin / "suppressed.csv")


@pytest.mark.parametrize("timeout", [0, -5, 10_000])
def test_an_imap_timeout_out_of_range_is_refused(timeout: float) -> None:
    from bulletin.sending.mailbox import ImapSettings

    with pytest.raises(SendError, match="is not a number of seconds from 1 to 3600"):
        ImapSettings("imap.example.org", "news@example.org", timeout=timeout)
