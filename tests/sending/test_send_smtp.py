"""``bulletin send`` and ``bulletin status`` over SMTP, against the real test server.

Each test sends a copy of ``examples/dscp-2025-01`` (bulletin.toml, the edition
and its list, copied into ``tmp_path``) through the STARTTLS server of
tests/smtpserver.py with ``typer.testing.CliRunner``, then checks what the
server received, the journal and the command's output and exit code.

The example list sends to six addresses; a.taylor@ is suppressed and
sam.patel@ repeats Sam.Patel@ (see tests/test_send.py). Every test has a state
folder of its own, so each edition's default journal starts afresh.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bulletin.cli import app
from bulletin.commands import send as send_command
from bulletin.commands.smtpconfig import ENVIRONMENT
from bulletin.loading.source import load
from bulletin.mail.message import list_id
from bulletin.mail.unsubscribe import SECRET_ENV
from bulletin.sending.credentials import PASSWORD_ENV, TOKEN_ENV
from bulletin.sending.delivery import DeliveryOptions
from bulletin.sending.journal import Journal, State, journal_path
from tests.conftest import EXAMPLES
from tests.smtpserver import SmtpServer

runner = CliRunner()

EXAMPLE = EXAMPLES / "dscp-2025-01"
SUBJECT = "DSCP Newsletter - January 2025"
SECRET = "a-long-random-test-secret-0123456789"

TO_SEND = (
    "j.hughes@example.org",
    "Sam.Patel@example.org",
    "r.owen@example.org",
    "m.nowak@example.org",
    "s.patel@example.org",
    "k.brown@example.org",
)
"""The example list's addresses as given in RCPT TO, in list order."""
SUPPRESSED = "a.taylor@example.org"
BOUNCED = "r.owen@example.org"
BUSY = "m.nowak@example.org"


# Fixtures and helpers -------------------------------------------------------------


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The unsubscribe secret set, no SMTP settings or secrets from the machine,
    and a state folder (journals) for this test alone."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    for name in (*ENVIRONMENT.values(), PASSWORD_ENV, TOKEN_ENV):
        monkeypatch.delenv(name, raising=False)
    state = tmp_path / "state"
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(state))
    return state


@pytest.fixture
def server(smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The STARTTLS + AUTH server, its password in the environment."""
    monkeypatch.setenv(PASSWORD_ENV, smtp_server.password)
    return smtp_server


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deferred recipients are retried at once (twice), not after 60 and 300 s."""
    monkeypatch.setattr(
        send_command,
        "DeliveryOptions",
        functools.partial(DeliveryOptions, retry_delays=(0.0, 0.0)),
    )


def send(*args: str | Path) -> Result:
    return runner.invoke(app, ["send", *map(str, args)])


def send_to_list(
    server: SmtpServer, edition: Path, recipients: Path, *args: str | Path
) -> Result:
    return send(edition, "--recipients", recipients, *server.cli_options(), *args)


def status(*args: str | Path) -> Result:
    return runner.invoke(app, ["status", *map(str, args)])


def counts(stdout: str) -> dict[str, int]:
    """The final table: ``6  sent`` per line, as {"sent": 6}."""
    return {
        label: int(number.replace(",", ""))
        for number, label in re.findall(r"(?m)^\s*([\d,]+)  (\S.*?)\s*$", stdout)
    }


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def default_journal(edition: Path) -> Path:
    """Where the journal of ``edition`` goes: by list id and the edition file."""
    return journal_path(list_id(load(edition).settings), edition)


def journal_states(path: Path) -> dict[str, State]:
    with Journal.read(path) as journal:
        return {entry.address: entry.state for entry in journal.entries()}


def suppressions(folder: Path) -> dict[str, str]:
    """The suppression list: address -> reason."""
    text = (folder / "suppressed.csv").read_text(encoding="utf-8-sig")
    return {row["email"]: row["reason"] for row in csv.DictReader(text.splitlines())}


def no_journals(state: Path) -> bool:
    return not list(state.rglob("*.sqlite3")) if state.exists() else True


def everyone_once() -> Counter[str]:
    return Counter(dict.fromkeys(TO_SEND, 1))


def add_smtp_table(folder: Path, lines: str) -> Path:
    path = folder / "bulletin.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n[smtp]\n" + lines, encoding="utf-8")
    return path


def line_of(path: Path, start: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(start):
            return number
    raise AssertionError(f"no line starts with {start!r} in {path}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# A whole send ------------------------------------------------------------------


@pytest.fixture
def sent(server: SmtpServer, edition: Path, recipients: Path) -> Result:
    result = send_to_list(server, edition, recipients)
    assert result.exit_code == 0, result.output
    return result


def test_a_full_send_delivers_each_recipient_once_and_exits_0(
    sent: Result, server: SmtpServer, edition: Path
) -> None:
    assert server.delivered_to() == everyone_once()
    assert not server.messages_for(SUPPRESSED)
    # sam.patel@ is Sam.Patel@ again: one message, to the first row's address.
    (sam,) = server.messages_for("sam.patel@example.org")
    assert sam.rcpt_tos == ("Sam.Patel@example.org",)
    assert {d.mail_from for d in server.deliveries} == {"dscpsecure@durham.gov.uk"}
    assert all(session.tls and session.authenticated for session in server.sessions)
    assert len(server.sessions) == 1, "one connection carries every message"


def test_a_full_send_prints_the_journal_and_the_final_table(
    sent: Result, server: SmtpServer, edition: Path
) -> None:
    path = default_journal(edition)
    assert f"Journal: {path}" in sent.stderr.splitlines()
    assert path.is_file()
    assert counts(sent.stdout) == {"sent": 6, "suppressed": 1, "duplicate": 1}
    assert errors(sent.stderr) == []
    for text in (sent.stdout, sent.stderr):
        assert server.password not in text


@pytest.mark.parametrize(
    ("flag", "replies_shown"), [("-v", False), ("-vv", True), ("", False)]
)
def test_verbose_shows_the_trail_of_the_send_and_no_secret(
    flag: str, replies_shown: bool, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    options = [flag] if flag else []
    result = runner.invoke(
        app,
        [
            *options,
            "send",
            str(edition),
            "--recipients",
            str(recipients),
            *server.cli_options(),
        ],
    )

    assert result.exit_code == 0, result.output
    trail = [line for line in result.stderr.splitlines() if " bulletin." in line]
    assert bool(trail) is bool(flag)
    if flag:
        text = "\n".join(trail)
        assert f"connecting to {server.host}:{server.port} (starttls)" in text
        assert "certificate verified" in text
        assert f"as {server.username}" in text
        assert ("j.hughes@example.org: sent" in text) is replies_shown
    assert server.password not in result.stderr + result.stdout


def test_the_journal_records_each_message_id_the_server_got(
    sent: Result, server: SmtpServer, edition: Path
) -> None:
    with Journal.read(default_journal(edition)) as journal:
        entries = journal.entries()
        counted = journal.counts()
    assert counted[State.SENT] == 6
    assert counted[State.SUPPRESSED] == 1
    assert sum(counted.values()) == 7
    by_address = {e.address.casefold(): e for e in entries}
    for delivered in server.deliveries:
        (address,) = delivered.rcpt_tos
        entry = by_address[address.casefold()]
        assert entry.state is State.SENT
        assert entry.message_id == delivered.message_id
        assert entry.reply.startswith("250")
        assert entry.attempts == 1
    assert len({d.message_id for d in server.deliveries}) == 6


def test_running_the_same_send_again_sends_nothing_new(
    sent: Result, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    sessions = len(server.sessions)
    again = send_to_list(server, edition, recipients)
    assert again.exit_code == 0, again.output
    assert counts(again.stdout) == {
        "sent": 0,
        "sent in earlier runs": 6,
        "suppressed": 1,
        "duplicate": 1,
    }
    assert server.delivered_to() == everyone_once()
    assert len(server.sessions) == sessions, "nothing to send: no connection"
    assert f"Journal: {default_journal(edition)}" in again.stderr


# Refusals, status and the suppression list ------------------------------------------


@pytest.fixture
def troubled(
    server: SmtpServer, edition: Path, recipients: Path, quick_retries: None
) -> Result:
    """A send where r.owen@ does not exist (550) and m.nowak@ is always busy (450)."""
    server.at_rcpt(BOUNCED, "550 5.1.1 No such user here")
    server.at_rcpt(BUSY, "450 4.2.1 Mailbox busy, try later")
    return send_to_list(server, edition, recipients)


def test_a_send_with_a_bounce_and_a_deferral_exits_1_and_lists_them(
    troubled: Result, server: SmtpServer
) -> None:
    assert troubled.exit_code == 1, troubled.output
    assert counts(troubled.stdout) == {
        "sent": 4,
        "deferred (tried again next run)": 1,
        "failed": 1,
        "suppressed": 1,
        "duplicate": 1,
    }
    stderr = troubled.stderr
    assert f"  failed: {BOUNCED}: 550 5.1.1 No such user here" in stderr
    assert f"  deferred: {BUSY}: 450 4.2.1 Mailbox busy, try later" in stderr
    assert "does not exist was added to" in stderr
    assert server.delivered_to() == Counter(
        {a: 1 for a in TO_SEND if a not in (BOUNCED, BUSY)}
    )
    # The busy mailbox was tried three times (once, then two quick retries).
    tried = [c for s in server.sessions for c in s.commands if BUSY in c]
    assert len(tried) == 3


def test_a_bounced_address_goes_on_the_suppression_list(
    troubled: Result, folder: Path
) -> None:
    listed = suppressions(folder)
    assert listed[BOUNCED] == "bounced"
    assert listed[SUPPRESSED] == "unsubscribed"
    assert BUSY not in listed


def test_the_bounce_note_agrees_with_its_count(troubled: Result, folder: Path) -> None:
    assert (
        f"1 address that does not exist was added to {folder / 'suppressed.csv'}"
        in troubled.stderr
    )


def test_status_shows_counts_and_each_problem_with_its_reply(
    troubled: Result, edition: Path
) -> None:
    shown = status(edition)
    assert shown.exit_code == 0, shown.output
    assert f"Journal: {default_journal(edition)}" in shown.stdout
    assert f"Edition: {SUBJECT}" in shown.stdout
    # In the words send uses for the same readers.
    assert counts(shown.stdout) == {
        "sent": 4,
        "deferred (tried again next run)": 1,
        "failed": 1,
        "suppressed": 1,
    }
    lines = shown.stdout.splitlines()
    assert f"  failed: {BOUNCED}: 550 5.1.1 No such user here" in lines
    (busy,) = [line for line in lines if BUSY in line]
    assert busy.startswith(f"  deferred: {BUSY}: 450 4.2.1 Mailbox busy, try later")
    # The run has ended: no in-run retry is coming.
    assert "next try after" not in busy
    assert busy.endswith("tried again next run")


def test_status_as_json_has_the_counts_and_the_problems(
    troubled: Result, edition: Path, recipients: Path
) -> None:
    shown = status(edition, "--format", "json")
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    assert report["journal"] == str(default_journal(edition))
    assert report["subject"] == SUBJECT
    assert report["counts"] == {
        "pending": 0,
        "sending": 0,
        "sent": 4,
        "deferred": 1,
        "failed": 1,
        "in doubt": 0,
        "suppressed": 1,
    }
    problems = {p["address"]: p for p in report["problems"]}
    assert set(problems) == {BOUNCED, BUSY}
    assert problems[BOUNCED]["state"] == "failed"
    assert problems[BOUNCED]["reply"] == "550 5.1.1 No such user here"
    assert problems[BOUNCED]["attempts"] == 1
    assert problems[BOUNCED]["next_attempt"] is None
    assert problems[BUSY]["state"] == "deferred"
    assert problems[BUSY]["reply"] == "450 4.2.1 Mailbox busy, try later"
    assert problems[BUSY]["attempts"] == 3
    assert problems[BUSY]["next_attempt"] is None  # the run has ended
    assert report["running"] is False
    (run,) = report["runs"]
    assert run["outcome"] == "finished"
    assert run["sent"] == 4


def test_the_next_run_retries_only_the_deferred(
    troubled: Result, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    before = server.delivered_to()
    again = send_to_list(server, edition, recipients)
    assert again.exit_code == 1, again.output  # still busy
    assert server.delivered_to() == before
    tried = [c for s in server.sessions for c in s.commands if "RCPT" in c.upper()]
    assert sum(BUSY in c for c in tried) == 6
    assert sum(BOUNCED in c for c in tried) == 1, "a failed recipient is not retried"
    assert counts(again.stdout)["sent in earlier runs"] == 4
    assert journal_states(default_journal(edition))[BOUNCED] is State.FAILED
    # The bounced reader is now suppressed: 4 of the 5 left on the list are done.
    assert re.search(r"Sending .* 4/5", again.stderr), again.stderr


def test_status_without_a_journal_says_there_is_none(edition: Path) -> None:
    shown = status(edition)
    assert shown.exit_code == 1
    assert errors(shown.stderr) == [
        f"error: no journal at {default_journal(edition)}: this edition has not "
        "been sent to a list yet"
    ]


# A changed edition --------------------------------------------------------------------


@pytest.fixture
def half_sent(
    server: SmtpServer, edition: Path, recipients: Path, quick_retries: None
) -> Result:
    """A first run that leaves m.nowak@ deferred (busy three times, then not)."""
    server.at_rcpt(BUSY, "450 4.2.1 Mailbox busy", times=3)
    result = send_to_list(server, edition, recipients)
    assert result.exit_code == 1, result.output
    assert BUSY not in server.delivered_to()
    return result


def test_a_changed_paragraph_is_refused_saying_what_changed(
    half_sent: Result, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    edit(edition, "We hope you find it useful", "We hope you find it very useful")
    refused = send_to_list(server, edition, recipients)
    assert refused.exit_code == 1, refused.output
    (error,) = errors(refused.stderr)
    assert error.startswith("error: the edition's content changed, since this ")
    assert "--allow-changed" in error
    assert "Nothing was sent" in error
    assert BUSY not in server.delivered_to()
    assert journal_states(default_journal(edition))[BUSY] is State.DEFERRED


def test_allow_changed_sends_the_rest_and_warns(
    half_sent: Result, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    edit(edition, "We hope you find it useful", "We hope you find it very useful")
    carried = send_to_list(server, edition, recipients, "--allow-changed")
    assert carried.exit_code == 0, carried.output
    assert (
        "warning: the edition's content changed; carrying on (--allow-changed)"
        in carried.stderr.splitlines()
    )
    assert server.delivered_to() == everyone_once()
    (late,) = server.messages_for(BUSY)
    assert "very useful" in late.data.decode("utf-8", "replace")
    assert counts(carried.stdout)["sent"] == 1
    assert counts(carried.stdout)["sent in earlier runs"] == 5


def test_a_changed_title_is_refused_naming_the_old_and_new_subject(
    server: SmtpServer,
    edition: Path,
    recipients: Path,
    tmp_path: Path,
    quick_retries: None,
) -> None:
    path = tmp_path / "journal.sqlite3"
    server.at_rcpt(BUSY, "450 4.2.1 Mailbox busy", times=3)
    first = send_to_list(server, edition, recipients, "--journal", path)
    assert first.exit_code == 1, first.output
    edit(edition, "title: DSCP Newsletter - January 2025", "title: DSCP News - January")
    refused = send_to_list(server, edition, recipients, "--journal", path)
    assert refused.exit_code == 1, refused.output
    (error,) = errors(refused.stderr)
    assert (
        "the edition changed (its subject was 'DSCP Newsletter - January 2025', "
        "now 'DSCP News - January')" in error
    )
    assert "--allow-changed" in error
    assert len(server.deliveries) == 5


def test_a_changed_title_is_refused_with_the_default_journal_too(
    sent: Result, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    edit(edition, "title: DSCP Newsletter - January 2025", "title: DSCP News - January")
    again = send_to_list(server, edition, recipients)
    assert server.delivered_to() == everyone_once(), "nobody is sent twice"
    assert again.exit_code == 1
    (error,) = errors(again.stderr)
    assert "subject was 'DSCP Newsletter - January 2025'" in error


def test_a_changed_list_is_refused_saying_what_changed(
    sent: Result, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    with recipients.open("a", encoding="utf-8") as file:
        file.write("new.reader@example.org,New,Somewhere\n")
    refused = send_to_list(server, edition, recipients)
    assert refused.exit_code == 1, refused.output
    (error,) = errors(refused.stderr)
    assert "the recipient list changed (1 added)" in error
    assert "--allow-changed" in error
    carried = send_to_list(server, edition, recipients, "--allow-changed")
    assert carried.exit_code == 0, carried.output
    assert server.delivered_to() == everyone_once() + Counter(
        {"new.reader@example.org": 1}
    )


# Test copies and where the journal goes ----------------------------------------------


def test_test_to_sends_one_copy_and_makes_no_journal(
    server: SmtpServer, edition: Path, recipients: Path, environment: Path
) -> None:
    result = send_to_list(server, edition, recipients, "--test-to", "me@example.org")
    assert result.exit_code == 0, result.output
    assert server.delivered_to() == Counter({"me@example.org": 1})
    assert "test copy sent to me@example.org" in result.stdout
    assert "The journal was not touched" in result.stdout
    assert not default_journal(edition).exists()
    assert no_journals(environment)
    (copy,) = server.deliveries
    assert copy.message["To"] is not None
    assert "me@example.org" in str(copy.message["To"])


def test_test_to_without_a_list_sends_one_copy(
    server: SmtpServer, edition: Path, environment: Path
) -> None:
    result = send(edition, *server.cli_options(), "--test-to", "me@example.org")
    assert result.exit_code == 0, result.output
    assert server.delivered_to() == Counter({"me@example.org": 1})
    assert no_journals(environment)


def test_journal_option_puts_the_journal_there(
    server: SmtpServer, edition: Path, recipients: Path, tmp_path: Path
) -> None:
    path = tmp_path / "elsewhere" / "january.sqlite3"
    result = send_to_list(server, edition, recipients, "--journal", path)
    assert result.exit_code == 0, result.output
    assert f"Journal: {path}" in result.stderr.splitlines()
    assert path.is_file()
    assert not default_journal(edition).exists()
    assert set(journal_states(path).values()) == {State.SENT, State.SUPPRESSED}
    shown = status(edition, "--journal", path, "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["counts"]["sent"] == 6


# Where the server's settings come from -----------------------------------------------


def test_smtp_settings_in_bulletin_toml_need_no_options(
    server: SmtpServer, folder: Path, edition: Path, recipients: Path
) -> None:
    (folder / "certs").mkdir()
    shutil.copy(server.ca_file, folder / "certs" / "test-ca.pem")
    add_smtp_table(
        folder,
        f'host = "{server.host}"\nport = {server.port}\nsecurity = "starttls"\n'
        f'username = "{server.username}"\nca_file = "certs/test-ca.pem"\n',
    )
    result = send(edition, "--recipients", recipients)
    assert result.exit_code == 0, result.output
    assert server.delivered_to() == everyone_once()
    assert [a.username for a in server.auth_attempts] == [server.username]
    assert all(a.success and a.tls for a in server.auth_attempts)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('security = "ssl"', "security 'ssl' is not one of tls, starttls, none"),
        ('preset = "nope"', "preset 'nope' is unknown; known: m365"),
        ('rates = ["fast"]', "rate 'fast' is not COUNT/PERIOD"),
    ],
)
def test_a_bad_smtp_setting_is_one_line_at_its_place_in_bulletin_toml(
    server: SmtpServer,
    folder: Path,
    edition: Path,
    recipients: Path,
    environment: Path,
    setting: str,
    message: str,
) -> None:
    toml = add_smtp_table(
        folder,
        f'host = "{server.host}"\nport = {server.port}\n'
        f'username = "{server.username}"\n{setting}\n',
    )
    result = send(edition, "--recipients", recipients, "--ca-file", server.ca_file)
    assert result.exit_code == 1, result.output
    line = line_of(toml, setting.split(" ")[0])
    problems = [x for x in result.stderr.splitlines() if "bulletin.toml" in x]
    assert len(problems) == 1, result.stderr
    (problem,) = problems
    assert re.match(rf".*bulletin\.toml:{line}(:\d+)?: ", problem), problem
    assert message in problem
    assert server.sessions == []
    assert no_journals(environment)


def test_the_environment_gives_the_host_and_port(
    server: SmtpServer,
    edition: Path,
    recipients: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BULLETIN_SMTP_HOST", server.host)
    monkeypatch.setenv("BULLETIN_SMTP_PORT", str(server.port))
    result = send(
        edition,
        "--recipients",
        recipients,
        "--username",
        server.username,
        "--ca-file",
        server.ca_file,
    )
    assert result.exit_code == 0, result.output
    assert server.delivered_to() == everyone_once()


def test_a_bad_port_in_the_environment_is_named(
    server: SmtpServer,
    edition: Path,
    recipients: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BULLETIN_SMTP_HOST", server.host)
    monkeypatch.setenv("BULLETIN_SMTP_PORT", "five-eight-seven")
    result = send(edition, "--recipients", recipients)
    assert result.exit_code == 1
    assert errors(result.stderr) == [
        "error: BULLETIN_SMTP_PORT: SMTP port 'five-eight-seven' is not a number, "
        "e.g. 587"
    ]
    assert server.sessions == []


def test_no_server_anywhere_says_how_to_give_one(
    edition: Path, recipients: Path, environment: Path
) -> None:
    result = send(edition, "--recipients", recipients)
    assert result.exit_code == 1
    (error,) = errors(result.stderr)
    assert "no SMTP server" in error
    assert "[smtp]" in error
    assert "--outbox" in error
    assert no_journals(environment)


def test_preset_m365_says_it_keeps_to_30_a_minute(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    result = send_to_list(server, edition, recipients, "--preset", "m365")
    assert result.exit_code == 0, result.output
    assert "30 messages per minute" in result.stderr
    assert "10,000 messages per day" in result.stderr
    assert server.delivered_to() == everyone_once()


def test_preset_m365_line_reads_as_english(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    result = send_to_list(server, edition, recipients, "--preset", "m365")
    assert "Keeping to 30 messages per minute" in result.stderr


def test_an_unknown_preset_or_rate_option_is_refused_before_sending(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    unknown = send_to_list(server, edition, recipients, "--preset", "gmail")
    assert unknown.exit_code == 1
    assert errors(unknown.stderr) == ["error: preset 'gmail' is unknown; known: m365"]
    fast = send_to_list(server, edition, recipients, "--rate", "fast")
    assert fast.exit_code == 1
    (error,) = errors(fast.stderr)
    assert "rate 'fast' is not COUNT/PERIOD" in error
    assert server.sessions == []


# Refusals that stop the run ------------------------------------------------------------


def test_basic_auth_turned_off_stops_the_run_and_blames_nobody(
    server: SmtpServer, folder: Path, edition: Path, recipients: Path
) -> None:
    server.at_auth(
        "535 5.7.30 Authentication unsuccessful, basic authentication is disabled."
    )
    before = suppressions(folder)
    result = send_to_list(server, edition, recipients)
    assert result.exit_code == 1, result.output
    (error,) = errors(result.stderr)
    assert "xoauth2" in error
    assert "5.7.30" in error
    assert server.deliveries == []
    assert suppressions(folder) == before
    shown = status(edition, "--format", "json")
    report = json.loads(shown.stdout)
    assert report["counts"]["pending"] == 6
    assert report["counts"]["suppressed"] == 1
    assert report["counts"]["failed"] == 0
    assert report["problems"] == []
    assert server.password not in result.output


def test_a_second_send_while_the_journal_is_in_use_is_refused(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    path = default_journal(edition)
    with Journal.open(path):
        result = send_to_list(server, edition, recipients)
    assert result.exit_code == 1, result.output
    (error,) = errors(result.stderr)
    assert "another bulletin send" in error
    assert str(path) in error
    assert server.sessions == []
    with Journal.read(path) as journal:
        assert journal.entries() == [], "the refused run wrote nothing"


# The outbox and the dry run need no server ---------------------------------------------


def test_dry_run_needs_no_smtp_settings(
    edition: Path, recipients: Path, environment: Path
) -> None:
    result = send(edition, "--recipients", recipients, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written or sent." in result.stdout
    assert counts(result.stdout)["would be sent"] == 6
    assert no_journals(environment)


def test_outbox_needs_no_smtp_settings(
    edition: Path, recipients: Path, tmp_path: Path, environment: Path
) -> None:
    outbox = tmp_path / "outbox"
    result = send(edition, "--recipients", recipients, "--outbox", outbox)
    assert result.exit_code == 0, result.output
    assert len(list(outbox.glob("*.eml"))) == 6
    assert counts(result.stdout)["written"] == 6
    assert no_journals(environment)


def test_a_moved_edition_is_refused_pointing_at_its_journal(
    sent: Result, server: SmtpServer, folder: Path, edition: Path, recipients: Path
) -> None:
    moved = folder.parent / "moved"
    shutil.copytree(folder, moved)
    before = server.delivered_to()

    again = send_to_list(server, moved / edition.name, recipients)

    assert again.exit_code == 1
    [error] = errors(again.stderr)
    assert "already sent with the journal" in error
    assert f"--journal {default_journal(edition)}" in error
    assert server.delivered_to() == before

    carried_on = send_to_list(
        server, moved / edition.name, recipients, "--journal", default_journal(edition)
    )
    assert carried_on.exit_code == 0, carried_on.output
    assert counts(carried_on.stdout)["sent in earlier runs"] == 6
    assert server.delivered_to() == before


def test_a_new_journal_given_by_hand_starts_afresh_even_beside_the_old_one(
    sent: Result, server: SmtpServer, edition: Path, recipients: Path
) -> None:
    fresh = default_journal(edition).with_name("fresh.sqlite3")

    again = send_to_list(server, edition, recipients, "--journal", fresh)

    assert again.exit_code == 0, again.output
    assert counts(again.stdout)["sent"] == 6
    assert server.delivered_to() == Counter(dict.fromkeys(TO_SEND, 2))
