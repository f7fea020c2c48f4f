"""``bulletin send`` by SMTP: the journal, the progress bar and the final count.

The send command prepares the mailing; this module finds the server and the
login (:mod:`bulletin.commands.smtpconfig`, :mod:`bulletin.sending.credentials`), opens the
edition's journal, and runs :func:`bulletin.sending.delivery.deliver` with a progress
bar that shows pauses. The first Ctrl-C stops after the message in hand; the
journal keeps everyone's place for the next run.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer

from bulletin.cli.base import count, reported, shown
from bulletin.cli.sending import counts, table

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from bulletin.commands.mailing import Mailing
    from bulletin.commands.smtpconfig import Outgoing
    from bulletin.mail.recipients import Recipient
    from bulletin.sending.delivery import Delivery, DeliveryOptions
    from bulletin.sending.journal import Journal, State
    from bulletin.sending.smtp import Attempt, Login, SmtpConnection

__all__ = ["SendOptions", "send_by_smtp"]

_SHOWN = 20
"""Recipients listed one by one in each group of the final report."""


@dataclass(frozen=True, slots=True)
class SendOptions:
    """The send command's options that concern SMTP."""

    tests: list[str] = field(default_factory=list)
    journal: Path | None = None
    allow_changed: bool = False
    resend_in_doubt: bool = False
    rates: tuple[str, ...] = ()
    preset: str | None = None
    smtp: Mapping[str, object] = field(default_factory=dict)


def send_by_smtp(mailing: Mailing, options: SendOptions) -> None:
    """Send ``mailing`` (or test copies) by SMTP; exit 1 when anything is left."""
    from bulletin.commands.smtpconfig import outgoing
    from bulletin.loading.config import load_config
    from bulletin.sending.smtp import SmtpConnection

    with reported():
        source = mailing.source
        config = load_config(source.config) if source.config is not None else None
        out = outgoing(
            config, options=options.smtp, rates=options.rates, preset=options.preset
        )
        login = _login(out)
        connection = SmtpConnection(out.smtp, login)
    if options.tests:
        _send_tests(mailing, connection, options.tests)
        return
    with reported():
        journal = _open_journal(mailing, options)
    with journal:
        typer.echo(f"Journal: {journal.path}", err=True)
        with reported():
            _begin(mailing, journal, options)
        from bulletin.sending.delivery import DeliveryOptions

        delivery_options = DeliveryOptions(
            caps=out.caps, resend_in_doubt=options.resend_in_doubt
        )
        for cap in out.caps:
            typer.echo(f"Keeping to {cap}", err=True)
        with reported():
            result = _deliver(mailing, journal, connection, delivery_options)
        _final_report(mailing, journal, result)
        unfinished = _unfinished(mailing, journal, result)
    if unfinished:
        raise typer.Exit(1)


def _login(out: Outgoing) -> Login | None:
    from bulletin.sending.credentials import login_for

    prompt = None
    if sys.stdin.isatty():

        def prompt(question: str) -> str:
            answer: str = typer.prompt(question, hide_input=True)
            return answer

    return login_for(out.smtp, token_command=out.token_command, prompt=prompt)


def _send_tests(mailing: Mailing, connection: SmtpConnection, tests: list[str]) -> None:
    from bulletin.sending.delivery import send_tests
    from bulletin.sending.smtp import Verdict

    with reported(), connection:
        results = send_tests(mailing, connection, tests)
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


def _open_journal(mailing: Mailing, options: SendOptions) -> Journal:
    from bulletin.mail.message import list_id
    from bulletin.sending.journal import Journal, journal_path

    path = options.journal or journal_path(
        list_id(mailing.source.settings), mailing.source.path
    )
    return Journal.open(path)


def _begin(mailing: Mailing, journal: Journal, options: SendOptions) -> None:
    from bulletin.sending.delivery import begin

    changes = begin(
        journal,
        mailing,
        allow_changed=options.allow_changed,
        look_beside=options.journal is None,
    )
    for change in changes:
        typer.echo(f"warning: {change}; carrying on (--allow-changed)", err=True)


def _deliver(
    mailing: Mailing,
    journal: Journal,
    connection: SmtpConnection,
    options: DeliveryOptions,
) -> Delivery:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from bulletin.sending.delivery import deliver
    from bulletin.sending.journal import State

    # Done already: those on this list the run will not try again.
    finished = [State.SENT, State.FAILED]
    if not options.resend_in_doubt:
        finished.append(State.IN_DOUBT)
    total = len(mailing.to_send)
    done = sum(_on_list(mailing, journal, state) for state in finished)
    stop = threading.Event()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
    )
    console = Console(stderr=True, highlight=False)
    with (
        _stop_on_ctrl_c(stop),
        Progress(*columns, console=console, transient=False) as bar,
    ):
        task = bar.add_task("Sending", total=total, completed=done, status="")
        view = _ProgressView(bar, task)
        return deliver(mailing, journal, connection, options, progress=view, stop=stop)


class _ProgressView:
    """Shows each transaction and each pause on the progress bar."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self.bar = bar
        self.task = task

    def attempted(self, recipient: Recipient, attempt: Attempt) -> None:
        from bulletin.sending.smtp import Verdict

        if attempt.verdict is not Verdict.DEFERRED:
            self.bar.advance(self.task)
        if attempt.verdict is not Verdict.SENT:
            self.bar.console.print(
                f"{recipient.address}: {attempt.verdict.value}: {attempt.detail}",
                markup=False,
            )
        self.bar.update(self.task, status="")

    def paused(self, seconds: float, reason: str) -> None:
        until = time.strftime("%H:%M:%S", time.localtime(time.time() + seconds))
        self.bar.update(self.task, status=f"paused until {until} ({reason})")

    def resumed(self) -> None:
        self.bar.update(self.task, status="")


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


def _final_report(mailing: Mailing, journal: Journal, result: Delivery) -> None:
    from bulletin.sending.journal import State

    counted = journal.counts()
    already = counted[State.SENT] - result.sent
    rows = [
        ("sent", result.sent),
        ("sent in earlier runs", already),
        ("deferred (tried again next run)", len(result.deferred)),
        ("failed", len(result.failed)),
        ("in doubt", _in_doubt(mailing, journal)),
        ("not yet sent", _left(mailing, journal)),
    ]
    table(
        [
            (label, number)
            for label, number in [*rows, *counts(mailing)]
            if number or label == "sent"
        ]
    )
    for title, group in (
        ("failed", result.failed),
        ("deferred", result.deferred),
        ("in doubt", result.in_doubt),
    ):
        for address, reply in group[:_SHOWN]:
            typer.echo(f"  {title}: {address}: {reply}", err=True)
        if len(group) > _SHOWN:
            typer.echo(f"  ... and {count(len(group) - _SHOWN, 'more')}", err=True)
    if result.bounced:
        typer.echo(
            f"{count(len(result.bounced), 'address', 'addresses')} that "
            f"{'does' if len(result.bounced) == 1 else 'do'} not exist "
            f"{'was' if len(result.bounced) == 1 else 'were'} added to "
            f"{shown(mailing.suppressions)}",
            err=True,
        )
    in_doubt = _in_doubt(mailing, journal)
    if in_doubt:
        typer.echo(
            f"{count(in_doubt, 'recipient')} may or may not have had "
            "the message (the connection went before the server answered); check "
            "with the server's administrator, or send to them again with "
            "--resend-in-doubt",
            err=True,
        )
    if result.stopped:
        typer.echo(f"error: {result.stopped}", err=True)


def _left(mailing: Mailing, journal: Journal) -> int:
    """Readers on this list still waiting to be sent."""
    from bulletin.sending.journal import State

    return _on_list(mailing, journal, State.PENDING)


def _in_doubt(mailing: Mailing, journal: Journal) -> int:
    """Readers on this list whose message may or may not have arrived."""
    from bulletin.sending.journal import State

    return _on_list(mailing, journal, State.IN_DOUBT)


def _on_list(mailing: Mailing, journal: Journal, state: State) -> int:
    keys = {r.key for r in mailing.to_send}
    return sum(1 for entry in journal.entries(state) if entry.key in keys)


def _unfinished(mailing: Mailing, journal: Journal, result: Delivery) -> bool:
    return bool(
        result.stopped
        or result.failed
        or result.deferred
        or _in_doubt(mailing, journal)
        or mailing.recipients.rejected
        or _left(mailing, journal)
    )
