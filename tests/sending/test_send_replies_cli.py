"""Issue 14, replies, as the editor sees them: ``send``, ``status`` and ``suppress``.

The same set-up as tests/sending/test_send_smtp.py (a copy of the January 2025
example, its six readers, the STARTTLS + AUTH test server): the reader and the
reply a run stopped on are named by both commands; a run's suppressions are
undone in one command; the counts agree; Ctrl-C ends calmly.
"""

# Fixtures are imported from the neighbouring test module, and named as
# parameters of the tests that use them (pytest's way): not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from typer.testing import Result

from bulletin.cli import app, delivering
from bulletin.mail.suppression import SuppressionList
from tests.sending.test_send_smtp import (  # noqa: F401 (environment, quick_retries, server: fixtures)
    BOUNCED,
    BUSY,
    SUPPRESSED,
    TO_SEND,
    counts,
    environment,
    errors,
    quick_retries,
    runner,
    send_to_list,
    server,
    status,
    suppressions,
)
from tests.smtpserver import SmtpServer

STOPPER = "k.brown@example.org"
"""The last reader of the list."""


def test_send_and_status_name_the_reader_and_reply_a_run_stopped_on(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    reply = "554 5.7.1 Message rejected as spam"
    server.after_data(STOPPER, reply)

    sent = send_to_list(server, edition, recipients)

    assert sent.exit_code == 1, sent.output
    assert (
        f"The run stopped at {STOPPER} (not sent; tried again next run) on the "
        f"reply: {reply}" in sent.stderr
    )
    (error,) = errors(sent.stderr)
    assert reply in error
    assert counts(sent.stdout)["not yet sent"] == 1

    shown = status(edition)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    (last,) = [line for line in lines if line.startswith("Last run: ")]
    assert f"stopped at {STOPPER}: {reply} (5 sent)" in last
    assert f"  not yet sent: {STOPPER}: the run stopped here: {reply}" in lines
    assert counts(shown.stdout)["not yet sent"] == 1


def test_a_relay_refusing_everyone_suppresses_nobody_and_says_why(
    server: SmtpServer, edition: Path, recipients: Path, folder: Path
) -> None:
    before = (folder / "suppressed.csv").read_bytes()
    server.at_rcpt(None, "550 relay not permitted")

    sent = send_to_list(server, edition, recipients)

    assert sent.exit_code == 1, sent.output
    (error,) = errors(sent.stderr)
    assert "refused each of the first 5 readers" in error
    assert "It is the server refusing, not 5 readers gone" in error
    assert "5 readers were refused while the server accepted nobody" in sent.stderr
    assert (folder / "suppressed.csv").read_bytes() == before
    assert counts(sent.stdout)["deferred (tried again next run)"] == 5


def test_suppress_undo_run_takes_off_what_one_run_added(
    server: SmtpServer,
    edition: Path,
    recipients: Path,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server.at_rcpt(BOUNCED, "550 5.1.1 No such user here")
    server.at_rcpt(BUSY, "550 5.1.1 No such user here")
    sent = send_to_list(server, edition, recipients)
    assert sent.exit_code == 1, sent.output
    assert set(suppressions(folder)) == {SUPPRESSED, BOUNCED, BUSY}
    hint = "bulletin suppress undo-run "
    assert hint in sent.stderr
    run = sent.stderr.split(hint, 1)[1].split(")", 1)[0]

    monkeypatch.chdir(folder)
    undone = runner.invoke(app, ["suppress", "undo-run"])

    assert undone.exit_code == 0, undone.output
    assert f"2 addresses added by the send run {run} removed from" in undone.stdout
    assert set(suppressions(folder)) == {SUPPRESSED}, "the others stay"
    again = runner.invoke(app, ["suppress", "undo-run", run])
    assert again.exit_code == 1
    assert "nothing to undo" in again.stderr


def test_send_and_status_count_a_bounced_reader_alike(
    server: SmtpServer, edition: Path, recipients: Path, quick_retries: None
) -> None:
    server.at_rcpt(BOUNCED, "550 5.1.1 No such user here")
    first = send_to_list(server, edition, recipients)
    assert first.exit_code == 1, first.output
    again = send_to_list(server, edition, recipients)
    assert again.exit_code == 0, again.output  # nothing new went wrong
    shown = status(edition)

    sent, listed = counts(again.stdout), counts(shown.stdout)
    assert sent["failed in earlier runs"] == listed["failed"] == 1
    assert sent["suppressed"] == listed["suppressed"] == 1
    assert sent["sent in earlier runs"] == listed["sent"] == len(TO_SEND) - 1
    assert BOUNCED in SuppressionList.load(Path(edition).parent / "suppressed.csv")


def test_preset_none_keeps_to_no_limit(
    server: SmtpServer, edition: Path, recipients: Path
) -> None:
    sent = send_to_list(server, edition, recipients, "--preset", "none")

    assert sent.exit_code == 0, sent.output
    assert "Keeping to" not in sent.stderr
    assert counts(sent.stdout)["sent"] == len(TO_SEND)


def test_ctrl_c_stops_calmly_with_exit_130(
    server: SmtpServer,
    edition: Path,
    recipients: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempted = delivering._ProgressView.attempted

    def then_ctrl_c(self: delivering._ProgressView, *args: object) -> None:
        attempted(self, *args)  # type: ignore[arg-type]  # passed through
        signal.raise_signal(signal.SIGINT)  # the real signal, to the real handler

    monkeypatch.setattr(delivering._ProgressView, "attempted", then_ctrl_c)

    sent: Result = send_to_list(server, edition, recipients)

    assert sent.exit_code == delivering.INTERRUPTED_EXIT == 130, sent.output
    assert "Stopped at your request; run the same command to carry on." in sent.stderr
    assert errors(sent.stderr) == []
    assert counts(sent.stdout)["sent"] == 1
    shown = status(edition)
    assert "stopped at your request (1 sent)" in shown.stdout
