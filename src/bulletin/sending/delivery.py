"""Sending one edition to many readers, one at a time, with the journal keeping count.

:func:`deliver` takes a :class:`~bulletin.mail.message.MessageTemplate` (the
edition's message, built once), the recipients, a
:class:`~bulletin.sending.transport.Transport` (an SMTP connection, or a
:class:`~bulletin.sending.transport.MemoryTransport` in tests) and a
:class:`~bulletin.sending.journal.Journal`, and sends each pending recipient
their own message:

- in list order, keeping to the rate caps (a short wait is a pause; a wait
  longer than ``longest_pause``, such as a daily cap, stops the run, and the
  same command carries on later);
- a temporary refusal (4xx) or a lost connection before the final dot defers
  the recipient, who is tried again after a back-off, a bounded number of
  times, then left deferred for the next run; a wait longer than
  ``idle_close`` closes the connection first (servers drop idle ones), and
  the progress display is told, to count down;
- a mailbox that does not exist (5.1.1, 5.1.2, 5.1.6, 5.1.10) fails the
  recipient and goes on the suppression list; a full or disabled one (5.2.x)
  fails it; a refusal that does not say the mailbox is gone (a bare 550, a
  policy 5.7.x) leaves it for the next run (see
  :func:`~bulletin.sending.replies.judge`);
- refusals at RCPT are believed only once the server has accepted someone
  after them: until then they are held (deferred in the journal). When the
  first ``relay_check`` readers of a run are all refused at RCPT, it is the
  relay refusing, not the readers: the run stops and nobody is suppressed or
  failed. A run stopped by ``max_failures`` refusals in a row suppresses none
  of that streak either;
- a connection lost after the final dot leaves the recipient "in doubt":
  not sent again unless ``resend_in_doubt``;
- a refusal that concerns the run (the login, the sender, a policy block, the
  message itself) stops it at once and blames nobody, naming the reader in
  hand and the reply, as does a run of ``max_failures`` failures in a row.

Each run's outcome (finished, stopped and why, interrupted) is kept in the
journal (:meth:`Journal.end_run`); readers it suppresses carry the run's tag
in their note, so that ``bulletin suppress undo-run`` can take them off again.

Given several transports, the run sends through them all at once, one
thread per connection, sharing the journal and the caps
(:mod:`bulletin.sending.parallel`).

The journal is written before each final dot and after each reply, so a run
killed at any point can be run again: it sends everyone not yet sent and
nobody twice. It knows nothing of edition files or of the renderer.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bulletin.errors import (
    ContentError,
    JournalConflictError,
    RecipientError,
    SendError,
    SendStoppedError,
)
from bulletin.mail.message import Messages, PersonalMessage
from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import Suppression, SuppressionList, run_note
from bulletin.mail.variants import reader_audiences
from bulletin.sending.journal import (
    Fingerprint,
    Journal,
    Run,
    State,
    Variant,
    earlier_journal,
    list_digest,
)
from bulletin.sending.ratelimit import Cap, RateLimiter
from bulletin.sending.replies import Attempt, ServerRefusalError, Verdict
from bulletin.sending.transport import Transport

__all__ = [
    "INTERRUPTED",
    "Delivery",
    "DeliveryOptions",
    "Progress",
    "begin",
    "deliver",
    "send_tests",
    "sender_of",
]

INTERRUPTED = "stopped at your request; run the same command to carry on"
""":attr:`Delivery.stopped` when the run was asked to stop (Ctrl-C)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """How a run behaves; the defaults suit a few hundred to a few thousand readers."""

    caps: tuple[Cap, ...] = ()
    """Rate caps to keep to (see :data:`bulletin.sending.ratelimit.PRESETS`)."""
    retry_delays: tuple[float, ...] = (60.0, 300.0)
    """Seconds to wait before each further try of a deferred recipient within a run."""
    reconnect_delay: float = 2.0
    """Seconds to wait before connecting again after a failed connection; doubles
    with each failure in a row, up to a minute."""
    max_failures: int = 10
    """Stop after this many recipients in a row were not sent."""
    max_connect_failures: int = 3
    """Stop after failing to connect this many times in a row."""
    longest_pause: float = 15 * 60.0
    """A cap that asks for a longer wait than this stops the run instead."""
    resend_in_doubt: bool = False
    """Send again to recipients left in doubt (same Message-ID)."""
    relay_check: int = 5
    """Stop, suppressing nobody, when this many readers in a row are refused at
    RCPT before the server has accepted any in this run: it is the relay."""
    idle_close: float = 10.0
    """A wait longer than this (seconds) closes the connection first, and the
    next message opens it again: servers drop connections left idle."""

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise SendError("max_failures must be at least 1")
        if self.relay_check < 1:
            raise SendError("relay_check must be at least 1")


class Progress(Protocol):
    """What a display is told as a run goes (every method optional to act on)."""

    def attempted(self, recipient: Recipient, attempt: Attempt) -> None:
        """One transaction ended."""

    def paused(self, seconds: float, reason: str) -> None:
        """Waiting ``seconds`` for ``reason``; :meth:`resumed` follows."""

    def resumed(self) -> None:
        """The wait is over."""


@dataclass(slots=True)
class Delivery:
    """What a run did."""

    sent: int = 0
    """Sent in this run."""
    deferred: list[tuple[str, str]] = field(default_factory=list)
    """``(address, reply)`` left deferred for the next run."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """``(address, reply)`` refused for good in this run."""
    bounced: list[str] = field(default_factory=list)
    """Addresses that do not exist, now on the suppression list."""
    in_doubt: list[tuple[str, str]] = field(default_factory=list)
    """``(address, reason)`` that may or may not have arrived."""
    stopped: str | None = None
    """Why the run stopped before the end, if it did."""
    resume_after: float | None = None
    """When a cap allows the next message, if a cap stopped the run."""
    stopped_at: str | None = None
    """The reader in hand when a reply about the message stopped the run (still
    to send), or the last of the readers a relay refused."""
    stop_reply: str | None = None
    """The server's reply the run stopped on, if a reply stopped it."""
    interrupted: bool = False
    """True when the run stopped on request (Ctrl-C); :attr:`stopped` is
    :data:`INTERRUPTED`."""
    held_back: list[tuple[str, str]] = field(default_factory=list)
    """``(address, reply)`` refused at RCPT while the server accepted nobody after
    them: neither suppressed nor failed, tried again next run."""
    run: str | None = field(default=None, compare=False)
    """The run's tag in the journal (and in the suppression notes it wrote)."""


class _Quiet:
    def attempted(self, recipient: Recipient, attempt: Attempt) -> None:
        pass

    def paused(self, seconds: float, reason: str) -> None:
        pass

    def resumed(self) -> None:
        pass


def begin(
    journal: Journal,
    template: Messages,
    recipients: Sequence[Recipient],
    *,
    suppressed: Sequence[Recipient] = (),
    edition_name: str | None = None,
    list_name: str = "",
    allow_changed: bool = False,
    look_beside: bool = False,
) -> list[str]:
    """Record the edition and its readers in ``journal`` before :func:`deliver`.

    The first run records them; a later one checks they are the same (see
    :meth:`Journal.begin`) and returns what changed when ``allow_changed``.

    Args:
        journal: the journal to send with.
        template: the edition's message.
        recipients: the readers to send to.
        suppressed: readers of the list left out (on the suppression list).
        edition_name: how the journal names the edition (the CLI gives the
            edition file's path); its slug when None.
        list_name: how the journal names the list (the CLI gives the file's path).
        allow_changed: carry on although the edition or the list changed.
        look_beside: refuse a new journal when another beside it was started
            for this edition (the CLI's default journals, named after the
            edition file: the file was moved).

    Raises:
        JournalConflictError: the edition or the list changed, or the edition
            has another journal, and ``allow_changed`` is false.
    """
    everyone = [*recipients, *suppressed]
    fingerprint = Fingerprint(
        edition=edition_name or template.rendered.slug,
        subject=template.rendered.subject,
        edition_digest=template.fingerprint,
        list=list_name,
        list_digest=list_digest(everyone),
    )
    if look_beside and journal.fingerprint is None and not allow_changed:
        earlier = earlier_journal(journal.path, fingerprint)
        if earlier is not None:
            raise JournalConflictError(
                f"this edition was already sent with the journal {earlier} (was the "
                "file moved?)",
                earlier=earlier,
            )
    return journal.begin(
        fingerprint,
        everyone,
        (recipient.key for recipient in suppressed),
        allow_changed=allow_changed,
        variants=reader_variants(template, everyone),
    )


def reader_variants(
    template: Messages, recipients: Iterable[Recipient]
) -> dict[str, Variant]:
    """Each recipient's variant, by key, as the journal keeps it.

    A reader whose variant cannot be told (an unreadable audiences cell, set
    aside before a send) is left out: the journal gives them the edition's.
    """
    digests = template.variants
    found: dict[str, Variant] = {}
    for recipient in recipients:
        try:
            name = template.variant(recipient)
            audiences = "; ".join(sorted(reader_audiences(recipient)))
        except (RecipientError, ContentError):
            continue
        found[recipient.key] = Variant(name, digests[name], audiences)
    return found


def deliver(
    template: Messages,
    recipients: Sequence[Recipient],
    transport: Transport | Sequence[Transport],
    journal: Journal | None = None,
    *,
    suppressions: SuppressionList | None = None,
    options: DeliveryOptions | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.time,
) -> Delivery:
    """Send every pending recipient their own message through ``transport``.

    Args:
        template: the edition's message, filled in per recipient.
        recipients: who to send to, in order (leave suppressed readers out).
        transport: where messages go: an
            :class:`~bulletin.sending.smtp.SmtpConnection`, or a
            :class:`~bulletin.sending.transport.MemoryTransport`; or several
            (e.g. one ``SmtpConnection`` per connection to open), each used by
            a thread of its own, all sharing the journal and the caps (see
            :mod:`bulletin.sending.parallel`).
        journal: a journal begun for this edition and list (:func:`begin`);
            None keeps one in memory for this run only (nothing to resume).
        suppressions: where readers whose mailbox does not exist are added;
            None only reports them in :attr:`Delivery.bounced`.
        options: rate caps, retries and when to stop.
        progress: told of each transaction and pause, e.g. to draw a bar.
        stop: set it to end the run between messages (and during a pause),
            e.g. on Ctrl-C.
        clock: the time, in seconds since the epoch.

    Raises:
        SendError: the template has no sender, or the journal cannot be written.

    Example:
        >>> import datetime as dt
        >>> from bulletin import Edition, MessageTemplate, Recipient, Sender, Settings
        >>> from bulletin import render
        >>> from bulletin.sending import MemoryTransport
        >>> edition = Edition("News", dt.date(2025, 1, 15))
        >>> _ = edition.section("Training").paragraph("Book **now**.")
        >>> settings = Settings(sender=Sender("News", "news@example.org"))
        >>> template = MessageTemplate(render(edition, settings), settings, edition.date)
        >>> transport = MemoryTransport()
        >>> deliver(template, [Recipient.of("ann@example.org")], transport).sent
        1
    """
    own_journal = journal is None
    if journal is None:
        journal = Journal.in_memory()
        begin(journal, template, recipients)
    transports = list(transport) if isinstance(transport, Sequence) else [transport]
    if not transports:
        raise SendError("no transport to send through")
    engine: type[_Run] = _Run
    if len(transports) > 1:
        from bulletin.sending.parallel import ParallelRun

        engine = ParallelRun
    try:
        return engine(
            template,
            recipients,
            journal,
            transports,
            suppressions,
            options or DeliveryOptions(),
            progress or _Quiet(),
            stop or threading.Event(),
            clock,
        ).run()
    finally:
        if own_journal:
            journal.close()


def send_tests(
    messages: Iterable[PersonalMessage], transport: Transport, sender: str
) -> list[tuple[str, Attempt]]:
    """Send each of ``messages`` (test copies); no journal, no suppression.

    Raises:
        SendStoppedError: the server refused the session or the message.
        OSError: the server cannot be reached.
    """
    results = []
    for copy in messages:
        assert copy.recipient is not None
        attempt = transport.send(
            sender, copy.recipient.envelope, copy.data, smtputf8=copy.smtputf8
        )
        log.info("test copy to %s: %s", copy.recipient.address, attempt.verdict.value)
        results.append((copy.recipient.address, attempt))
    return results


def sender_of(template: Messages) -> str:
    """The envelope sender: the settings' sender address.

    Raises:
        SendError: the settings have no sender.
    """
    sender = template.settings.sender
    if sender is None:
        raise SendError(
            "no sender: add [sender] with name and address to bulletin.toml"
        )
    return sender.address


class _Run:
    """One run over one connection (several: :class:`~bulletin.sending.parallel.ParallelRun`)."""

    def __init__(
        self,
        template: Messages,
        recipients: Sequence[Recipient],
        journal: Journal,
        transports: Sequence[Transport],
        suppressions: SuppressionList | None,
        options: DeliveryOptions,
        progress: Progress,
        stop: threading.Event,
        clock: Callable[[], float],
    ) -> None:
        self.template = template
        self.journal = journal
        self.transports = tuple(transports)
        self.transport = transports[0]
        self.suppressions = suppressions
        self.options = options
        self.progress = progress
        self.stop = stop
        self.clock = clock
        self.sender = sender_of(template)
        self.result = Delivery()
        self.recipients = {r.key: r for r in recipients}
        longest = max((cap.seconds for cap in options.caps), default=0.0)
        self.limiter = RateLimiter(
            options.caps, journal.sent_times(clock() - longest) if longest else ()
        )
        self.tries: dict[str, int] = {}
        self.retries: list[tuple[float, int, str]] = []
        """In-run retries: a heap of (when, order, key)."""
        self.failures = 0
        self.connect_failures = 0
        self.accepted = False
        """Whether the server accepted any reader at RCPT in this run."""
        self.held: list[tuple[str, Attempt]] = []
        """Readers refused at RCPT since the last acceptance, not yet believed."""
        self.streak_stopped = False
        """Whether the run stopped on a streak of refusals (then none is believed)."""
        self.replies: dict[str, str] = {}
        """Each deferred reader's last reply from the server in this run."""
        self.tag = ""

    def run(self) -> Delivery:
        journal = self.journal
        record = journal.start_run()
        self.tag = self.result.run = record.tag
        try:
            self._run()
        except BaseException as error:
            self._end(
                record,
                "interrupted" if isinstance(error, KeyboardInterrupt) else "stopped",
                str(error) or type(error).__name__,
            )
            raise
        self._end(
            record,
            "interrupted"
            if self.result.interrupted
            else "stopped"
            if self.result.stopped
            else "finished",
            self.result.stopped or "",
        )
        return self.result

    def _queue(self) -> deque[str]:
        """The keys to send in this run, in list order (in-doubt ones if asked)."""
        journal = self.journal
        if self.options.resend_in_doubt:
            for entry in journal.entries(State.IN_DOUBT):
                if entry.key in self.recipients:
                    journal.pending(entry.key)
        return deque(
            key
            for key in journal.keys(State.PENDING, State.DEFERRED)
            if key in self.recipients
        )

    def _run(self) -> None:
        queue = self._queue()
        try:
            while (key := self._next(queue)) is not None:
                if not self._within_caps():
                    queue.appendleft(key)
                    break
                try:
                    outcome = self._attempt(key)
                except OSError as error:
                    queue.appendleft(key)
                    self._connect_failed(error)
                    if self.result.stopped is not None:
                        break
                    continue
                if outcome is not None:
                    self._record(key, *outcome)
                if self.result.stopped is not None:
                    break
            self._settle_held()
            self._leave_deferred()
        finally:
            self.transport.close()

    def _end(self, record: Run, outcome: str, reason: str) -> None:
        """Keep how the run ended; a journal that cannot be written says so elsewhere."""
        result = self.result
        try:
            self.journal.end_run(
                record,
                outcome,
                reason=reason,
                address=result.stopped_at,
                reply=result.stop_reply or "",
                sent=result.sent,
            )
        except Exception as error:  # SendError, or sqlite3's own: the run still ends
            log.warning("the run's outcome could not be kept: %s", error)

    def _next(self, queue: deque[str]) -> str | None:
        """The next key to try: due retries first, then the queue; waits for retries."""
        while not self.stop.is_set():
            now = self.clock()
            if self.retries and self.retries[0][0] <= now:
                return heapq.heappop(self.retries)[2]
            if queue:
                return queue.popleft()
            if not self.retries:
                return None
            waiting = len(self.retries)
            self._wait(
                self.retries[0][0] - now,
                f"retrying {waiting} reader{'s' if waiting != 1 else ''}",
            )
        self._interrupted()
        return None

    def _interrupted(self) -> None:
        if self.result.stopped is None:
            self.result.stopped = INTERRUPTED
            self.result.interrupted = True

    def _wait(self, seconds: float, reason: str) -> None:
        """Wait, telling the display; a long wait closes the connection first."""
        if seconds <= 0:
            return
        if seconds > self.options.idle_close:
            log.info("closing the connection for a wait of %.0f s", seconds)
            self.transport.close()
        self.progress.paused(seconds, reason)
        self._sleep(seconds)
        self.progress.resumed()

    def _within_caps(self) -> bool:
        """Wait for the caps to allow a message; False when the run must stop."""
        while True:
            wait, cap = self.limiter.wait(self.clock())
            if wait <= 0 or cap is None:
                return True
            if wait > self.options.longest_pause:
                self.result.resume_after = self.clock() + wait
                when = dt.datetime.fromtimestamp(self.result.resume_after).astimezone()
                self.result.stopped = (
                    f"the limit of {cap} is reached; run the same command "
                    f"after {when:%H:%M on %d %b} to carry on"
                )
                return False
            log.info("pausing %.1f s for the limit of %s", wait, cap)
            self._wait(wait, f"limit of {cap}")
            if self.stop.is_set():
                self._interrupted()
                return False

    def _attempt(self, key: str) -> tuple[Attempt, bool] | None:
        """One transaction; the attempt, and whether "sending" was written for it."""
        recipient = self.recipients[key]
        try:
            message = self.template.personal(recipient)
        except RecipientError as error:
            # Values that cannot be sent (a javascript: link): this reader
            # fails, nothing goes out, and the run goes on.
            log.info("not sent to %s: %s", recipient.address, error)
            self.journal.failed(key, str(error), tried=False)
            self.result.failed.append((recipient.address, str(error)))
            return None
        marked = False

        def before_dot() -> None:
            nonlocal marked
            self.journal.sending(key, message.message_id, self.clock())
            marked = True

        try:
            attempt = self.transport.send(
                self.sender,
                recipient.envelope,
                message.data,
                smtputf8=message.smtputf8,
                before_dot=before_dot,
            )
        except SendStoppedError as error:
            self._stopped_by(key, error, marked=marked)
            return None
        self.connect_failures = 0
        if attempt.dot_sent:
            self.limiter.record(self.clock())
        self.progress.attempted(recipient, attempt)
        return attempt, marked

    def _stopped_by(self, key: str, error: SendStoppedError, *, marked: bool) -> None:
        """A refusal about the run stopped it at ``key``'s transaction."""
        recipient = self.recipients[key]
        about_message = isinstance(error, ServerRefusalError) and error.stage in (
            "mail",
            "rcpt",
            "data",
            "end",
        )
        if isinstance(error, ServerRefusalError) and about_message:
            # The reader stays to send, with the reply the run stopped on.
            why = f"the run stopped here: {error.reply}"
            if marked:  # refused outright after the dot: not delivered
                self.journal.pending(key, why)
            else:
                self.journal.note(key, why)
            if self.result.stopped is None:
                self.result.stopped_at = recipient.address
                self.result.stop_reply = error.reply
        elif marked:
            self.journal.pending(key)
        if self.result.stopped is None:
            self.result.stopped = str(error)
        log.info("stopped at %s: %s", recipient.address, error)

    def _record(self, key: str, attempt: Attempt, counted: bool) -> None:
        journal, result = self.journal, self.result
        recipient = self.recipients[key]
        verdict, detail = attempt.verdict, attempt.detail
        log.debug("%s: %s: %s", recipient.address, verdict.value, detail)
        tried = not counted  # the "sending" write counted the attempt itself
        if attempt.accepted:
            self.accepted = True
            self._release_held()
        if verdict is Verdict.SENT:
            journal.sent(key, detail)
            result.sent += 1
            self.failures = 0
            return
        if attempt.refused_at_rcpt:
            # Held (deferred, for the next run) until the server accepts
            # someone after it: a relay refusing everyone suppresses nobody.
            journal.deferred(key, detail, None, tried=tried)
            self.held.append((key, attempt))
            self._failure(f"{recipient.address}: {detail}")
            if not self.accepted and len(self.held) >= self.options.relay_check:
                self._relay_refuses()
            return
        if verdict is Verdict.REFUSED:  # after the dot: this run only
            journal.deferred(key, detail, None, tried=tried)
        elif verdict is Verdict.DEFERRED:
            if attempt.lost and key in self.replies:
                # Keep what the server last said; the lost connection is news
                # about the connection, not about this reader.
                detail = f"{self.replies[key]} (then: {detail})"
            elif not attempt.lost:
                self.replies[key] = detail
            tries = self.tries[key] = self.tries.get(key, 0) + 1
            delays = self.options.retry_delays
            delay = delays[min(tries, len(delays)) - 1] if delays else 0.0
            journal.deferred(key, detail, self.clock() + delay, tried=tried)
            if tries <= len(delays):
                heapq.heappush(self.retries, (self.clock() + delay, tries, key))
        elif verdict is Verdict.IN_DOUBT:
            journal.in_doubt(key, detail)
            result.in_doubt.append((recipient.address, detail))
        else:
            # Suppressed first: killed in between, the reader is left out next
            # time either way.
            if verdict is Verdict.BOUNCED:
                self._suppress(recipient, detail)
            journal.failed(key, detail, tried=tried)
            result.failed.append((recipient.address, detail))
        self._failure(f"{recipient.address}: {detail}")

    def _release_held(self) -> None:
        """The server accepts others: the refusals held are about their readers."""
        for key, attempt in self.held:
            recipient = self.recipients[key]
            if attempt.verdict is Verdict.REFUSED:
                continue  # deferred already: tried again next run
            # Suppressed first: killed in between, the reader is left out next
            # time either way.
            if attempt.verdict is Verdict.BOUNCED:
                self._suppress(recipient, attempt.detail)
            self.journal.failed(key, attempt.detail, tried=False)
            self.result.failed.append((recipient.address, attempt.detail))
        self.held.clear()

    def _settle_held(self) -> None:
        """At the end: refusals held are believed if the server accepted someone in
        this run and did not stop on a streak of refusals; else left for next run."""
        if self.accepted and not self.streak_stopped:
            self._release_held()
            return
        self.result.held_back = [
            (self.recipients[key].address, attempt.detail) for key, attempt in self.held
        ]
        self.held.clear()

    def _relay_refuses(self) -> None:
        """The first readers of the run all refused: stop, blaming none of them."""
        count = len(self.held)
        first_key, first = self.held[0]
        last_key, last = self.held[-1]
        self.streak_stopped = True
        self.result.stopped_at = self.recipients[last_key].address
        self.result.stop_reply = last.detail
        self.result.stopped = (
            f"{self.transport.name} refused each of the first {count} readers of this "
            f"run at RCPT and accepted none (the first, "
            f"{self.recipients[first_key].address}: {first.detail}). It is the "
            f"server refusing, not {count} readers gone: nobody was suppressed or "
            "marked failed. Ask the server's administrator whether this account may "
            "send to these addresses (relaying), then run the same command again to "
            "carry on"
        )
        log.info("stopped: the first %d readers were all refused", count)

    def _connect_failed(self, error: OSError) -> None:
        """Wait and try again, doubling the wait, until too many in a row."""
        self.connect_failures += 1
        address = self.transport.name
        log.info(
            "cannot connect to %s (try %d): %s", address, self.connect_failures, error
        )
        if self.connect_failures >= self.options.max_connect_failures:
            self.result.stopped = (
                f"cannot connect to {address} ({self.connect_failures} tries): "
                f"{error}. Check the server's name and port, then run the same "
                "command again to carry on"
            )
            return
        delay = self.options.reconnect_delay * 2 ** (self.connect_failures - 1)
        self._sleep(min(delay, 60.0))

    def _failure(self, what: str) -> None:
        self.failures += 1
        if self.failures >= self.options.max_failures:
            self.streak_stopped = True
            held = (
                f" The {len(self.held)} refused at RCPT in this streak were neither "
                "suppressed nor marked failed: they are tried again next run."
                if self.held
                else ""
            )
            self.result.stopped = (
                f"{self.failures} failures in a row, the last {what}; stopped so as "
                f"not to fail everyone.{held} Check the server and the list, then "
                "run the same command again to carry on"
            )

    def _suppress(self, recipient: Recipient, reply: str) -> None:
        if self.suppressions is not None:
            note = run_note(reply, self.tag)
            self.suppressions.add(
                [Suppression(recipient.address, "bounced", dt.date.today(), note)]
            )
            log.info(
                "%s does not exist: added to %s",
                recipient.address,
                self.suppressions.path,
            )
        self.result.bounced.append(recipient.address)

    def _leave_deferred(self) -> None:
        """Those still deferred are left for the next run."""
        entries = self.journal.entries(State.DEFERRED)
        self.result.deferred = [
            (entry.address, entry.reply)
            for entry in entries
            if entry.key in self.recipients
        ]

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.stop.wait(seconds)
