"""Sending a mailing over SMTP, one recipient at a time, with the journal keeping count.

:func:`deliver` takes a prepared :class:`~bulletin.commands.mailing.Mailing`, an open
:class:`~bulletin.sending.journal.Journal` and an
:class:`~bulletin.sending.smtp.SmtpConnection`, and sends each pending recipient
their own message:

- in list order, keeping to the rate caps (a short wait is a pause; a wait
  longer than ``longest_pause``, such as a daily cap, stops the run, and the
  same command carries on later);
- a temporary refusal (4xx) or a lost connection before the final dot defers
  the recipient, who is tried again after a back-off, a bounded number of
  times, then left deferred for the next run;
- a refusal of the mailbox fails the recipient, and one that does not exist
  goes on the suppression list;
- a connection lost after the final dot leaves the recipient "in doubt":
  not sent again unless ``resend_in_doubt``;
- a refusal that concerns the run (the login, the sender, a policy block, the
  message itself) stops it at once and blames nobody, as does a run of
  ``max_failures`` failures in a row.

The journal is written before each final dot and after each reply, so a run
killed at any point can be run again: it sends everyone not yet sent and
nobody twice.
"""

from __future__ import annotations

import datetime as dt
import heapq
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from bulletin.commands.mailing import Mailing
from bulletin.errors import SendError
from bulletin.mail.recipients import Recipient
from bulletin.mail.suppression import Suppression, SuppressionList
from bulletin.sending.journal import (
    Fingerprint,
    Journal,
    State,
    earlier_journal,
    list_digest,
)
from bulletin.sending.ratelimit import Cap, RateLimiter
from bulletin.sending.replies import Attempt, SendStoppedError, Verdict
from bulletin.sending.smtp import SmtpConnection

__all__ = [
    "Delivery",
    "DeliveryOptions",
    "Progress",
    "begin",
    "deliver",
    "send_tests",
]


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

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise SendError("max_failures must be at least 1")


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


class _Quiet:
    def attempted(self, recipient: Recipient, attempt: Attempt) -> None:
        pass

    def paused(self, seconds: float, reason: str) -> None:
        pass

    def resumed(self) -> None:
        pass


def begin(
    journal: Journal,
    mailing: Mailing,
    *,
    allow_changed: bool = False,
    look_beside: bool = False,
) -> list[str]:
    """Record ``mailing`` in ``journal`` before :func:`deliver`; return what changed.

    The first run records the edition and the list; a later one checks they
    are the same (see :meth:`Journal.begin`). With ``look_beside`` (for the
    default journals, named after the edition file), a new journal beside one
    already started for this edition (the file was moved) is refused too.

    Raises:
        SendError: the edition or the list changed, or the edition has another
            journal, and ``allow_changed`` is false.
    """
    recipients = [*mailing.to_send, *mailing.suppressed]
    fingerprint = Fingerprint(
        edition=str(mailing.source.path.resolve()),
        subject=mailing.rendered.subject,
        edition_digest=mailing.template.fingerprint,
        list=str(mailing.recipients.path.resolve()),
        list_digest=list_digest(recipients),
    )
    if look_beside and journal.fingerprint is None and not allow_changed:
        earlier = earlier_journal(journal.path, fingerprint)
        if earlier is not None:
            raise SendError(
                f"this edition was already sent with the journal {earlier} (was the "
                f"file moved?); to carry on with it, add --journal {earlier}; to "
                "send it again to everyone, add --allow-changed"
            )
    return journal.begin(
        fingerprint,
        recipients,
        (recipient.key for recipient in mailing.suppressed),
        allow_changed=allow_changed,
    )


def deliver(
    mailing: Mailing,
    journal: Journal,
    connection: SmtpConnection,
    options: DeliveryOptions | None = None,
    *,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.time,
) -> Delivery:
    """Send every pending recipient of ``mailing`` their message.

    The journal must have been begun for this mailing (:func:`begin`). ``stop`` ends the run between messages (and
    during a pause), e.g. on Ctrl-C.

    Raises:
        SendError: the mailing has no sender, or the journal cannot be written.
    """
    return _Run(
        mailing,
        journal,
        connection,
        options or DeliveryOptions(),
        progress or _Quiet(),
        stop or threading.Event(),
        clock,
    ).run()


def send_tests(
    mailing: Mailing, connection: SmtpConnection, addresses: Iterable[str]
) -> list[tuple[str, Attempt]]:
    """Send a test copy to each of ``addresses``; no journal, no suppression.

    Raises:
        SendStoppedError: the server refused the session or the message.
        OSError: the server cannot be reached.
    """
    sender = _sender(mailing)
    results = []
    for copy in mailing.test_messages(addresses):
        assert copy.recipient is not None
        attempt = connection.send(
            sender, copy.recipient.envelope, copy.data, smtputf8=copy.smtputf8
        )
        results.append((copy.recipient.address, attempt))
    return results


def _sender(mailing: Mailing) -> str:
    sender = mailing.source.settings.sender
    if sender is None:
        raise SendError(
            "no sender: add [sender] with name and address to bulletin.toml"
        )
    return sender.address


class _Run:
    def __init__(
        self,
        mailing: Mailing,
        journal: Journal,
        connection: SmtpConnection,
        options: DeliveryOptions,
        progress: Progress,
        stop: threading.Event,
        clock: Callable[[], float],
    ) -> None:
        self.mailing = mailing
        self.journal = journal
        self.connection = connection
        self.options = options
        self.progress = progress
        self.stop = stop
        self.clock = clock
        self.sender = _sender(mailing)
        self.result = Delivery()
        self.recipients = {r.key: r for r in mailing.to_send}
        longest = max((cap.seconds for cap in options.caps), default=0.0)
        self.limiter = RateLimiter(
            options.caps, journal.sent_times(clock() - longest) if longest else ()
        )
        self.tries: dict[str, int] = {}
        self.retries: list[tuple[float, int, str]] = []
        """In-run retries: a heap of (when, order, key)."""
        self.failures = 0
        self.connect_failures = 0

    def run(self) -> Delivery:
        journal = self.journal
        if self.options.resend_in_doubt:
            for entry in journal.entries(State.IN_DOUBT):
                if entry.key in self.recipients:
                    journal.pending(entry.key)
        queue = deque(
            entry.key
            for entry in journal.entries(State.PENDING, State.DEFERRED)
            if entry.key in self.recipients
        )
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
            self._leave_deferred()
        finally:
            self.connection.close()
        return self.result

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
            self._sleep(self.retries[0][0] - now)
        self.result.stopped = self.result.stopped or "stopped on request"
        return None

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
            self.progress.paused(wait, f"limit of {cap}")
            self._sleep(wait)
            self.progress.resumed()
            if self.stop.is_set():
                self.result.stopped = "stopped on request"
                return False

    def _attempt(self, key: str) -> tuple[Attempt, bool] | None:
        """One transaction; the attempt, and whether "sending" was written for it."""
        recipient = self.recipients[key]
        message = self.mailing.template.personal(recipient)
        marked = False

        def before_dot() -> None:
            nonlocal marked
            self.journal.sending(key, message.message_id, self.clock())
            marked = True

        try:
            attempt = self.connection.send(
                self.sender,
                recipient.envelope,
                message.data,
                smtputf8=message.smtputf8,
                before_dot=before_dot,
            )
        except SendStoppedError as error:
            if marked:  # refused outright after the dot: not delivered
                self.journal.pending(key)
            self.result.stopped = str(error)
            return None
        self.connect_failures = 0
        if attempt.dot_sent:
            self.limiter.record(self.clock())
        self.progress.attempted(recipient, attempt)
        return attempt, marked

    def _record(self, key: str, attempt: Attempt, counted: bool) -> None:
        journal, result = self.journal, self.result
        recipient = self.recipients[key]
        verdict, detail = attempt.verdict, attempt.detail
        tried = not counted  # the "sending" write counted the attempt itself
        if verdict is Verdict.SENT:
            journal.sent(key, detail)
            result.sent += 1
            self.failures = 0
            return
        if verdict is Verdict.DEFERRED:
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

    def _connect_failed(self, error: OSError) -> None:
        """Wait and try again, doubling the wait, until too many in a row."""
        self.connect_failures += 1
        address = self.connection.settings.address
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
            self.result.stopped = (
                f"{self.failures} failures in a row, the last {what}; stopped so as "
                "not to fail everyone. Check the server and the list, then run the "
                "same command again to carry on"
            )

    def _suppress(self, recipient: Recipient, reply: str) -> None:
        suppressions = SuppressionList.load(self.mailing.suppressions)
        suppressions.add(
            [Suppression(recipient.address, "bounced", dt.date.today(), reply)]
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
