"""Sending over SMTP: the journal's cost, pipelining and several connections (``make benchmark``).

Three measurements, each against a local aiosmtpd sink (its own process, plain
SMTP on 127.0.0.1, taking every message of the January 2025 example; it offers
PIPELINING, as most relays and ESP endpoints do):

1. **The journal's cost.** The sink with no delay; bulletin over one
   connection (:func:`bulletin.sending.delivery.deliver`, a fresh SQLite
   journal on disk, each personal message built as it goes) against a bare
   ``smtplib`` loop (``sendmail`` of the same messages, prebuilt) over one
   connection. Neither pipelines, so that only the journal and the message
   building differ. They alternate for several rounds; the median ratio is
   printed [target >= 0.95x], and the same send with the journal in RAM
   (``/dev/shm``), whose difference is what durability costs [<= 5%].
2. **A relay 25 ms away.** The same sink behind a small TCP proxy (its own
   process) that holds every chunk 12.5 ms in each direction, as a network
   would: msg/s for one connection without pipelining, one with, and eight
   with [goal >= 100 msg/s with 8, and >= 0.8x linear from 1 to 8].
3. **A large list.** 100,000 readers (``--large``) to the sink with no delay,
   over four connections, in a child process: that it completes, its peak
   RSS [<= 300 MB] and the journal's size.

``--help`` lists the counts; smaller ones give a quicker, rougher run.
"""

from __future__ import annotations

import argparse
import os
import resource
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
SECRET = "benchmark-secret-not-for-real-use"
DELAY = 0.0125
"""Seconds the proxy holds each chunk, each way: 25 ms a round trip."""
_SINK = textwrap.dedent(
    """
    import sys
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            responses.insert(-1, "250-PIPELINING")
            return responses

        async def handle_DATA(self, server, session, envelope):
            return "250 2.0.0 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()
    """
)
_PROXY = textwrap.dedent(
    """
    import asyncio, sys

    LISTEN, UPSTREAM, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

    async def carry(reader, writer):
        loop = asyncio.get_running_loop()
        held = asyncio.Queue()

        async def take():
            while True:
                data = await reader.read(65536)
                held.put_nowait((loop.time() + DELAY, data))
                if not data:
                    return

        async def give():
            while True:
                due, data = await held.get()
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()

        try:
            await asyncio.gather(take(), give())
        except (ConnectionError, OSError):
            writer.close()

    async def client(reader, writer):
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM)
        await asyncio.gather(carry(reader, up_writer), carry(up_reader, writer))

    async def main():
        server = await asyncio.start_server(client, "127.0.0.1", LISTEN)
        print("ready", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
    """
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(script: str, *arguments: object) -> subprocess.Popen[str]:
    """Run ``script`` in its own process; return once it says "ready"."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, arguments)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        raise SystemExit("a helper process (sink or proxy) did not start")
    return child


def stop(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def mailing(count: int) -> Mailing:
    people = [
        Recipient(
            f"reader{n}@example.org",
            {"first_name": f"Reader {n}"},
            row=n + 2,
            ascii_address=f"reader{n}@example.org",
        )
        for n in range(count)
    ]
    listed = RecipientList(Path("benchmark.csv"), tuple(people))
    return prepare(EDITION, listed, environ={"BULLETIN_UNSUBSCRIBE_SECRET": SECRET})


def ours(
    ready: Mailing,
    port: int,
    path: Path,
    *,
    connections: int = 1,
    pipelining: bool = False,
) -> float:
    """bulletin's rate (msg/s) to ``port``, journal at ``path``."""
    settings = SmtpSettings("127.0.0.1", port, security="none", pipelining=pipelining)
    count = len(ready.to_send)
    start_time = time.perf_counter()
    with Journal.open(path) as journal:
        begin(journal, ready.template, ready.to_send)
        result = deliver(
            ready.template,
            ready.to_send,
            [SmtpConnection(settings) for _ in range(connections)],
            journal,
        )
    elapsed = time.perf_counter() - start_time
    if result.sent != count or result.stopped:
        raise SystemExit(f"bulletin sent {result.sent} of {count}: {result.stopped}")
    return count / elapsed


def baseline(ready: Mailing, port: int, prebuilt: list[tuple[str, bytes]]) -> float:
    sender = ready.source.settings.sender
    assert sender is not None
    start_time = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for address, data in prebuilt:
        smtp.sendmail(sender.address, [address], data)
    smtp.quit()
    return len(prebuilt) / (time.perf_counter() - start_time)


def journal_cost(sink: int, folder: Path, messages: int, rounds: int) -> None:
    ready = mailing(messages)
    prebuilt = [
        (message.recipient.envelope, message.data)
        for message in ready.messages()
        if message.recipient is not None
    ]
    size = len(prebuilt[0][1]) / 1024
    ram = Path("/dev/shm")
    ratios, costs = [], []
    for number in range(1, rounds + 1):
        base = baseline(ready, sink, prebuilt)
        mine = ours(ready, sink, folder / f"journal-{number}.sqlite3")
        ratios.append(mine / base)
        line = (
            f"  round {number}: bulletin {mine:,.0f}/s, "
            f"smtplib loop {base:,.0f}/s ({mine / base:.2f}x)"
        )
        if ram.is_dir():
            with tempfile.TemporaryDirectory(dir=ram) as memory:
                fast = ours(ready, sink, Path(memory) / "journal.sqlite3")
            costs.append(1 - mine / fast)
            line += f"; journal in RAM {fast:,.0f}/s"
        print(line, flush=True)
    print(
        f"1. no delay, {messages:,} messages of {size:.0f} KB, one connection, "
        f"journal on disk: median {statistics.median(ratios):.2f}x the bare smtplib "
        "loop  [target >= 0.95x]"
        + (
            f"; durability costs {statistics.median(costs):.1%} (on disk against "
            "in RAM)  [<= 5%]"
            if costs
            else ""
        ),
        flush=True,
    )


def far_relay(sink: int, folder: Path, messages: int, single: int) -> None:
    proxy = start(_PROXY, port := free_port(), sink, DELAY)
    try:
        rates = {}
        for name, count, connections, pipelining in (
            ("1 connection, no pipelining", single, 1, False),
            ("1 connection, pipelining", single, 1, True),
            ("8 connections, pipelining", messages, 8, True),
        ):
            rate = ours(
                mailing(count),
                port,
                folder / f"far-{connections}-{pipelining}.sqlite3",
                connections=connections,
                pipelining=pipelining,
            )
            rates[name] = rate
            print(f"  {name}: {rate:,.1f} msg/s ({count:,} messages)", flush=True)
    finally:
        stop(proxy)
    one = rates["1 connection, pipelining"]
    eight = rates["8 connections, pipelining"]
    print(
        f"2. 25 ms away: {rates['1 connection, no pipelining']:.1f} / {one:.1f} / "
        f"{eight:.1f} msg/s (1 plain / 1 pipelining / 8 pipelining); 8 connections "
        f"are {eight / (8 * one):.2f}x linear  [goal >= 100 msg/s, >= 0.8x linear]",
        flush=True,
    )


def large(sink: int, folder: Path, readers: int) -> None:
    """Run the large send in a child process, for its own peak RSS."""
    path = folder / "large.sqlite3"
    start_time = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(readers), str(sink), str(path)],
        check=False,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start_time
    if done.returncode != 0:
        raise SystemExit(f"the large send failed (exit {done.returncode})")
    peak = int(done.stdout.split()[-1]) / 1024  # the child's own, in KB
    size = sum(p.stat().st_size for p in folder.glob("large.sqlite3*") if p.is_file())
    print(
        f"3. {readers:,} readers, no delay, 4 connections: completed in "
        f"{elapsed:,.0f} s ({readers / elapsed:,.0f} msg/s), peak RSS "
        f"{peak:,.0f} MB [<= 300 MB], journal {size / 1e6:,.1f} MB",
        flush=True,
    )


def child(readers: int, sink: int, path: Path) -> None:
    """The large send; prints this process's peak RSS (KB) last.

    ``VmHWM`` where there is one: on Linux ``ru_maxrss`` keeps the parent's
    peak across the fork and exec that started this process.
    """
    ours(mailing(readers), sink, path, connections=4, pipelining=True)
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                print(line.split()[1])
                return
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="per round of 1")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--far", type=int, default=10_000, help="messages over 8 connections, in 2"
    )
    parser.add_argument(
        "--far-single",
        type=int,
        default=1000,
        help="messages over 1 connection, in 2 (at 5-20 msg/s)",
    )
    parser.add_argument("--large", type=int, default=100_000, help="0 to skip 3")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        readers, sink_port, path = arguments.child
        child(int(readers), int(sink_port), Path(path))
        return
    sink = start(_SINK, port := free_port())
    try:
        with tempfile.TemporaryDirectory() as folder:
            if arguments.rounds:
                journal_cost(port, Path(folder), arguments.messages, arguments.rounds)
            if arguments.far:
                far_relay(port, Path(folder), arguments.far, arguments.far_single)
            if arguments.large:
                large(port, Path(folder), arguments.large)
    finally:
        stop(sink)


if __name__ == "__main__":
    os.environ.setdefault("BULLETIN_CACHE_DIR", tempfile.mkdtemp())
    main()
