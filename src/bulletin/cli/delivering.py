"""``bulletin send`` by SMTP: the progress bar, Ctrl-C and the final count.

:mod:`bulletin.commands.send` does the work (the server and login, the
journal, the delivery); this module asks for a password when one is needed,
draws the progress bar with its pauses (counting down: "retrying 1 reader in
42 s"), and prints the counts, the reader and the reply a run stopped on. The
first Ctrl-C stops after the message in hand, calmly, with exit code 130 (as
a shell reports a command stopped by Ctrl-C); the journal keeps everyone's
place for the next run.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

import typer

from bulletin.cli.base import count, reported, secret_prompt, shown
from bulletin.cli.sending import table
from bulletin.errors import JournalConflictError

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn, Task, TaskID
    from rich.text import Text

    from bulletin.commands.mailing import Mailing
    from bulletin.commands.send import SendOptions, SendReport, SmtpSend
    from bulletin.mail.recipients import Recipient
    from bulletin.sending.replies import Attempt

__all__ = ["INTERRUPTED_EXIT", "send_by_smtp", "send_test_copies"]

INTERRUPTED_EXIT = 130
"""The exit code after Ctrl-C: 128 + SIGINT, as shells report it."""

_SHOWN = 20
"""Recipients listed one by one in each group of the final report."""


def send_by_smtp(mailing: Mailing, options: SendOptions) -> None:
    """Send ``mailing`` by SMTP; exit 1 when anything is left."""
    from bulletin.commands.send import open_send

    with reported():
        try:
            begun = open_send(mailing, options, secret_prompt())
        except JournalConflictError as conflict:
            raise JournalConflictError(
                f"{conflict}. {_what_to_do(conflict)}",
                changes=conflict.changes,
                earlier=conflict.earlier,
            ) from None
    with begun:
        typer.echo(f"Journal: {begun.journal.path}", err=True)
        for change in begun.changes:
            typer.echo(f"warning: {change}; carrying on (--allow-changed)", err=True)
        for cap in begun.caps:
            typer.echo(f"Keeping to {cap}", err=True)
        if len(begun.connections) > 1:
            typer.echo(
                f"Sending through {len(begun.connections)} connections at once",
                err=True,
            )
        with reported():
            report = _deliver(begun)
    _final_report(report)
    if report.delivery.interrupted:
        raise typer.Exit(INTERRUPTED_EXIT)
    if report.unfinished:
        raise typer.Exit(1)


def _what_to_do(conflict: JournalConflictError) -> str:
    """The options that resolve a journal conflict."""
    if conflict.earlier is not None:
        return (
            f"To carry on with it, add --journal {conflict.earlier}; to send it again "
            "to everyone, add --allow-changed"
        )
    return (
        "To send the rest as they are now, run again with --allow-changed; to "
        "start afresh, give a new --journal"
    )


def send_test_copies(mailing: Mailing, options: SendOptions, tests: list[str]) -> None:
    """Send a test copy to each of ``tests``; exit 1 when one was not taken."""
    from bulletin.commands import send
    from bulletin.sending.replies import Verdict

    with reported():
        results = send.send_test_copies(mailing, tests, options, secret_prompt())
    failed = False
    for address, attempt in results:
        if attempt.verdict is Verdict.SENT:
            typer.echo(f"test copy sent to {address} ({attempt.detail})")
        else:
            failed = True
            typer.echo(
                f"error: test copy to {address} {attempt.verdict.value}: "
                f"{attempt.detail}",
                err=True,
            )
    typer.echo("The journal was not touched: the list has not been sent to.")
    if failed:
        raise typer.Exit(1)


def _deliver(begun: SmtpSend) -> SendReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    stop = threading.Event()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _status_column(),
    )
    console = Console(stderr=True, highlight=False)
    with (
        _stop_on_ctrl_c(stop),
        Progress(*columns, console=console, transient=False) as bar,
    ):
        task = bar.add_task(
            "Sending", total=begun.total, completed=begun.done, status=""
        )
        return begun.deliver(progress=_ProgressView(bar, task), stop=stop)


def _status_column() -> ProgressColumn:
    """A column with the task's status; a pause counts down as the bar refreshes."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class StatusColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(status_text(task.fields, time.time()))

    return StatusColumn()


def status_text(fields: dict[str, object], now: float) -> str:
    """The status shown beside the bar: a pause's countdown, or the status.

    >>> status_text({"status": "", "until": 142.0, "reason": "retrying 1 reader"}, 100.0)
    'retrying 1 reader in 42 s'
    >>> status_text({"status": "", "until": 130.0, "reason": "limit of 30/min"}, 100.0)
    'paused 30 s for the limit of 30/min'
    """
    until = fields.get("until")
    reason = str(fields.get("reason") or "")
    if isinstance(until, float | int) and reason:
        left = max(round(until - now), 0)
        if reason.startswith("retrying"):
            return f"{reason} in {left} s"
        return f"paused {left} s for the {reason}"
    return str(fields.get("status") or "")


class _ProgressView:
    """Shows each transaction and each pause on the progress bar."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self.bar = bar
        self.task = task

    def attempted(self, recipient: Recipient, attempt: Attempt) -> None:
        from bulletin.sending.replies import Verdict

        if attempt.verdict not in (Verdict.DEFERRED, Verdict.REFUSED):
            self.bar.advance(self.task)
        if attempt.verdict is not Verdict.SENT:
            # Refused at RCPT is believed later (a relay refusing everyone
            # suppresses nobody): say "refused" until then.
            word = "refused" if attempt.refused_at_rcpt else attempt.verdict.value
            self.bar.console.print(
                f"{recipient.address}: {word}: {attempt.detail}", markup=False
            )
        self.bar.update(self.task, status="")

    def paused(self, seconds: float, reason: str) -> None:
        self.bar.update(self.task, until=time.time() + seconds, reason=reason)

    def resumed(self) -> None:
        self.bar.update(self.task, status="", until=None, reason="")


@contextmanager
def _stop_on_ctrl_c(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C asks the run to stop after the current message."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()
        typer.echo(
            "\nStopping after this message (Ctrl-C again to stop at once; the "
            "journal keeps everyone's place)",
            err=True,
        )
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _final_report(report: SendReport) -> None:
    delivery = report.delivery
    table(report.rows)
    if delivery.held_back:
        held = len(delivery.held_back)
        typer.echo(
            f"{count(held, 'reader was', 'readers were')} refused while the server "
            "accepted nobody after them, so none was suppressed or marked failed; "
            "they are tried again next run",
            err=True,
        )
    for title, group in (
        ("failed", delivery.failed),
        ("deferred", delivery.deferred),
        ("in doubt", delivery.in_doubt),
    ):
        for address, reply in group[:_SHOWN]:
            typer.echo(f"  {title}: {address}: {reply}", err=True)
        if len(group) > _SHOWN:
            typer.echo(f"  ... and {count(len(group) - _SHOWN, 'more')}", err=True)
    bounced = len(delivery.bounced)
    if bounced:
        typer.echo(
            f"{count(bounced, 'address', 'addresses')} that "
            f"{'does' if bounced == 1 else 'do'} not exist "
            f"{'was' if bounced == 1 else 'were'} added to "
            f"{shown(report.suppressions)} (to take "
            f"{'it' if bounced == 1 else 'them'} off again: bulletin suppress "
            f"undo-run {delivery.run})",
            err=True,
        )
    if report.in_doubt:
        typer.echo(
            f"{count(report.in_doubt, 'recipient')} may or may not have had "
            "the message (the connection went before the server answered); check "
            "with the server's administrator, or send to them again with "
            "--resend-in-doubt",
            err=True,
        )
    if delivery.interrupted:
        typer.echo(
            "Stopped at your request; run the same command to carry on.", err=True
        )
        return
    if delivery.stopped_at:
        typer.echo(
            f"The run stopped at {delivery.stopped_at} (not sent; tried again next "
            f"run) on the reply: {delivery.stop_reply}",
            err=True,
        )
    if delivery.stopped:
        typer.echo(f"error: {delivery.stopped}", err=True)
