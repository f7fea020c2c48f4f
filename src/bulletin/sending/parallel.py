"""Several connections at once: one thread per connection, one journal, one set of caps.

:func:`~bulletin.sending.delivery.deliver` given several transports runs a
:class:`ParallelRun`. Its own thread (the caller's) keeps everything a run
decides: the queue, the retries, the rate caps, the reply rules and the
journal's writes after each reply, exactly as over one connection. Each
connection has a worker thread that does one transaction at a time, so each
connection has at most one message in flight, and at most one reader in
doubt after a crash.

- The journal is shared: a worker writes "sending" (durably) just before its
  final dot, under the journal's lock; everything else is written by the
  run's thread once the worker hands back the reply. A connection's next
  message is handed out only after its last one is recorded.
- A cap is a cap across all connections: each message takes its place in
  the caps when it is handed to a connection (a message that then ends
  before its dot still counts, so the caps err on the slow side).
- A server that will not open one more connection (a limit on connections)
  leaves the others to go on: that worker retires. Only when no connection
  can be opened does the run count failed connections and stop, as over one.
- On a stop (a refusal about the run, a limit, Ctrl-C) no new message is
  handed out, and the messages in flight are finished and recorded.
"""

from __future__ import annotations

import heapq
import logging
import queue
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from bulletin.errors import RecipientError, SendStoppedError
from bulletin.mail.message import PersonalMessage
from bulletin.sending.delivery import _Run
from bulletin.sending.replies import Attempt
from bulletin.sending.transport import Transport

__all__ = ["ParallelRun"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Done:
    """What a worker hands back: the transaction's end, or what went wrong."""

    worker: _Worker
    key: str
    attempt: Attempt | None
    error: BaseException | None
    marked: bool
    """Whether "sending" was written for it (its final dot may have gone)."""


class _Worker:
    """One connection and the thread that uses it, one message at a time."""

    def __init__(self, number: int, transport: Transport, run: ParallelRun) -> None:
        self.number = number
        self.transport = transport
        self.run = run
        self.used = False
        """Whether a transaction on this connection has ended (it could be opened)."""
        self._work: queue.SimpleQueue[tuple[str, PersonalMessage] | None] = (
            queue.SimpleQueue()
        )
        self.thread = threading.Thread(
            target=self._loop, name=f"bulletin-connection-{number}", daemon=True
        )
        self.thread.start()

    def give(self, key: str, message: PersonalMessage) -> None:
        self._work.put((key, message))

    def finish(self) -> None:
        self._work.put(None)

    def _loop(self) -> None:
        try:
            while (job := self._work.get()) is not None:
                self.run.results.put(self._send(*job))
        finally:
            self.transport.close()

    def _send(self, key: str, message: PersonalMessage) -> _Done:
        run = self.run
        marked = False

        def before_dot() -> None:
            nonlocal marked
            run.journal.sending(key, message.message_id, run.clock())
            marked = True

        assert message.recipient is not None
        try:
            attempt = self.transport.send(
                run.sender,
                message.recipient.envelope,
                message.data,
                smtputf8=message.smtputf8,
                before_dot=before_dot,
            )
        except BaseException as error:  # handed to the run's thread to decide
            return _Done(self, key, None, error, marked)
        return _Done(self, key, attempt, None, marked)


class _Connections:
    """The run's ``transport`` for what concerns them all: the name, closing idle ones."""

    def __init__(self, transports: Sequence[Transport]) -> None:
        self._transports = tuple(transports)

    @property
    def name(self) -> str:
        return self._transports[0].name

    def close(self) -> None:
        # Called only while no message is in flight: the workers are idle.
        for transport in self._transports:
            transport.close()


class ParallelRun(_Run):
    """A run over several connections (see the module's notes)."""

    results: queue.SimpleQueue[_Done]

    def _run(self) -> None:
        self.results = queue.SimpleQueue()
        workers = [
            _Worker(number, transport, self)
            for number, transport in enumerate(self.transports, 1)
        ]
        self.transport = _Connections(self.transports)  # type: ignore[assignment]  # name and close only
        idle = deque(workers)
        live = set(workers)
        in_flight = 0
        try:
            pending = self._queue()
            while True:
                if self.stop.is_set():
                    self._interrupted()
                blocked = 0.0
                while idle and self.result.stopped is None:
                    key = self._due(pending)
                    if key is None:
                        break
                    wait, cap = self.limiter.wait(self.clock())
                    if wait > 0 and cap is not None:
                        pending.appendleft(key)
                        if in_flight:
                            blocked = wait  # collect replies meanwhile
                        elif not self._within_caps():
                            pass  # stopped (a long wait, or Ctrl-C)
                        break
                    message = self._personal(key)
                    if message is None:
                        continue
                    self.limiter.record(self.clock())
                    idle.popleft().give(key, message)
                    in_flight += 1
                if in_flight == 0:
                    if self.result.stopped is not None:
                        break
                    if not pending and not self.retries:
                        break
                    if not pending and self.retries:
                        waiting = len(self.retries)
                        self._wait(
                            self.retries[0][0] - self.clock(),
                            f"retrying {waiting} reader{'s' if waiting != 1 else ''}",
                        )
                    continue
                try:
                    done = self.results.get(timeout=blocked or 0.5)
                except queue.Empty:
                    continue
                in_flight -= 1
                if self._settle(done, pending, live):
                    idle.append(done.worker)
            self._settle_held()
            self._leave_deferred()
        finally:
            for worker in workers:
                worker.finish()
            for worker in workers:
                worker.thread.join(timeout=self.options.idle_close)

    def _due(self, pending: deque[str]) -> str | None:
        """The next key: a retry that is due, else the next of the list; no waiting."""
        if self.retries and self.retries[0][0] <= self.clock():
            return heapq.heappop(self.retries)[2]
        return pending.popleft() if pending else None

    def _personal(self, key: str) -> PersonalMessage | None:
        recipient = self.recipients[key]
        try:
            return self.template.personal(recipient)
        except RecipientError as error:
            log.info("not sent to %s: %s", recipient.address, error)
            self.journal.failed(key, str(error), tried=False)
            self.result.failed.append((recipient.address, str(error)))
            return None

    def _settle(self, done: _Done, pending: deque[str], live: set[_Worker]) -> bool:
        """Record one transaction's end; False when its worker is retired."""
        key, error, worker = done.key, done.error, done.worker
        if isinstance(error, SendStoppedError):
            self._stopped_by(key, error, marked=done.marked)
            return True
        if isinstance(error, OSError):
            pending.appendleft(key)
            others = [w for w in live if w is not worker and w.used]
            if others:
                # The server takes no more connections than it has: go on with them.
                log.info(
                    "connection %d could not be opened (%s); going on with %d",
                    worker.number,
                    error,
                    len(others),
                )
                live.discard(worker)
                return False
            self._connect_failed(error)
            return True
        if error is not None:
            raise error
        attempt = done.attempt
        assert attempt is not None
        worker.used = True
        self.connect_failures = 0
        self.progress.attempted(self.recipients[key], attempt)
        self._record(key, attempt, done.marked)
        return True
