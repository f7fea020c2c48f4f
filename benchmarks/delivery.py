"""Sending over SMTP with the journal on, against a bare smtplib loop (``make benchmark``).

A local aiosmtpd sink (its own process, plain SMTP on 127.0.0.1, taking every
message) receives 2,000 messages of the January 2025 example in each round,
sent two ways over one connection:

- bulletin: :func:`bulletin.sending.delivery.deliver` with a fresh SQLite journal
  (WAL, ``synchronous=FULL``: two durable writes per message), building each
  personal message as it goes;
- baseline: ``smtplib.SMTP(host, port)`` opened once, then
  ``sendmail(from, [to], data)`` for each of the same messages, prebuilt.

The two alternate for several rounds; each round's rates and the median ratio
are printed [target >= 0.8x].
"""

from __future__ import annotations

import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bulletin.commands.mailing import Mailing, prepare
from bulletin.mail.recipients import Recipient, RecipientList
from bulletin.sending.delivery import begin, deliver
from bulletin.sending.journal import Journal
from bulletin.sending.smtp import SmtpConnection, SmtpSettings

ROOT = Path(__file__).resolve().parents[1]
EDITION = ROOT / "examples" / "dscp-2025-01" / "edition.md"
MESSAGES = 2000
ROUNDS = 5
SECRET = "benchmark-secret-not-for-real-use"
_SINK = textwrap.dedent(
    """
    import sys, time
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 2.0.0 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()
    """
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_sink(port: int) -> subprocess.Popen[str]:
    sink = subprocess.Popen(
        [sys.executable, "-c", _SINK, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None
    if sink.stdout.readline().strip() != "ready":
        raise SystemExit("the aiosmtpd sink did not start")
    return sink


def mailing() -> Mailing:
    people = [
        Recipient(
            f"reader{n}@example.org",
            {"first_name": f"Reader {n}"},
            row=n + 2,
            ascii_address=f"reader{n}@example.org",
        )
        for n in range(MESSAGES)
    ]
    listed = RecipientList(Path("benchmark.csv"), tuple(people))
    return prepare(EDITION, listed, environ={"BULLETIN_UNSUBSCRIBE_SECRET": SECRET})


def ours(ready: Mailing, port: int, folder: Path, round_number: int) -> float:
    path = folder / f"journal-{round_number}.sqlite3"
    settings = SmtpSettings("127.0.0.1", port, security="none")
    start = time.perf_counter()
    with Journal.open(path) as journal:
        begin(journal, ready.template, ready.to_send)
        result = deliver(
            ready.template, ready.to_send, SmtpConnection(settings), journal
        )
    elapsed = time.perf_counter() - start
    if result.sent != MESSAGES or result.stopped:
        raise SystemExit(f"bulletin sent {result.sent}: {result.stopped}")
    return MESSAGES / elapsed


def baseline(ready: Mailing, port: int, prebuilt: list[tuple[str, bytes]]) -> float:
    sender = ready.source.settings.sender
    assert sender is not None
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for address, data in prebuilt:
        smtp.sendmail(sender.address, [address], data)
    smtp.quit()
    return MESSAGES / (time.perf_counter() - start)


def main() -> None:
    ready = mailing()
    prebuilt = [
        (message.recipient.envelope, message.data)
        for message in ready.messages()
        if message.recipient is not None
    ]
    size = len(prebuilt[0][1]) / 1024
    port = free_port()
    sink = start_sink(port)
    ratios = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for number in range(1, ROUNDS + 1):
                base = baseline(ready, port, prebuilt)
                mine = ours(ready, port, Path(folder), number)
                ratios.append(mine / base)
                print(
                    f"  round {number}: bulletin {mine:,.0f}/s, "
                    f"smtplib loop {base:,.0f}/s ({mine / base:.2f}x)"
                )
    finally:
        assert sink.stdin is not None
        sink.stdin.close()
        sink.wait(timeout=10)
    print(
        f"SMTP to a local aiosmtpd sink, {MESSAGES:,} messages of {size:.0f} KB, "
        f"journal on: median {statistics.median(ratios):.2f}x the bare smtplib "
        f"loop  [target >= 0.8x]"
    )


if __name__ == "__main__":
    os.environ.setdefault("BULLETIN_CACHE_DIR", tempfile.mkdtemp())
    main()
