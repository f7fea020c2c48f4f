"""The unsubscribe service's speed (``make benchmark``).

Prints one-click unsubscribe POSTs handled per second by ``bulletin serve`` on
SQLite with one worker [target >= 1,000/s], each a new address recorded and
committed to disk, sent by four keep-alive clients; and the time ``suppress
sync`` takes to bring 100,000 unsubscribes from the service into an empty
suppression list [target <= 5 s].

Beside each wall-clock figure it prints the CPU time spent, which a machine
busy with other work changes far less: the POSTs one worker's process could
handle per second of its own CPU, and the CPU the sync took on this side.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bulletin.commands.sync import sync
from bulletin.mail.suppression import SuppressionList
from bulletin.mail.unsubscribe import unsubscribe_token
from bulletin.service.storage import open_store

SECRET = "benchmark-secret-not-for-real-use"
LIST_ID = "news.example.org"
CLIENTS = 4
POSTS = 6_000
SYNCED = 100_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_service(folder: Path, database: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``bulletin serve`` in its own process, as it is deployed."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "serve", "--port", str(port),
         "--database", str(database), "--list-id", LIST_ID],
        cwd=folder,
        env={**os.environ, "BULLETIN_UNSUBSCRIBE_SECRET": SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("bulletin serve did not start") from None
            time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time process ``pid`` has used (Linux), or 0."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_click_rate(port: int) -> float:
    """POSTs per second from ``CLIENTS`` keep-alive connections, each sending the
    next request when it has the answer to the last.

    The requests are made in advance and the answers read with as little parsing
    as will do (the status line and Content-Length), so that the clients, on the
    same machine, take as little of its CPU from the server as they can.
    """
    requests = [
        (
            f"POST /unsubscribe?token="
            f"{unsubscribe_token(f'reader{number}@example.org', LIST_ID, SECRET)} "
            "HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 26\r\n\r\nList-Unsubscribe=One-Click"
        ).encode("ascii")
        for number in range(POSTS)
    ]
    failures: list[bytes] = []

    def client(share: list[bytes]) -> None:
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = b""
            for request in share:
                connection.sendall(request)
                while b"\r\n\r\n" not in buffer:
                    buffer += connection.recv(65536)
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = int(
                    head.lower().split(b"content-length:")[1].split(b"\r\n")[0]
                )
                while len(buffer) < length:
                    buffer += connection.recv(65536)
                buffer = buffer[length:]
                if not head.startswith(b"HTTP/1.1 200"):
                    failures.append(head.split(b"\r\n")[0])

    threads = [
        threading.Thread(target=client, args=(requests[index::CLIENTS],))
        for index in range(CLIENTS)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} POSTs failed: {failures[:5]}")
    return POSTS / elapsed


def fill(database: Path, count: int) -> None:
    """``count`` unsubscribes recorded, written straight into the service's file."""
    open_store(database).close()
    at = dt.datetime(2025, 1, 20, tzinfo=dt.UTC).isoformat()
    rows = [(f"synced{number}@example.org",) for number in range(count)]
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO readers VALUES (?1, ?1, 1, '" + at + "')", rows
        )
        connection.executemany(
            "INSERT INTO events (address, kind, at) VALUES (?, 'unsubscribed', '"
            + at
            + "')",
            rows,
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / "bulletin.toml").write_text(
            f'schema = 1\nlist_id = "{LIST_ID}"\n', encoding="utf-8"
        )
        server, port = start_service(folder, folder / "posts.sqlite3")
        try:
            one_click_rate(port)  # warm up: imports, first connections
            server.terminate()
            server.wait()
            (folder / "posts.sqlite3").unlink()
            server, port = start_service(folder, folder / "posts.sqlite3")
            before = cpu_seconds(server.pid)
            rate = one_click_rate(port)
            server_cpu = cpu_seconds(server.pid) - before
        finally:
            server.terminate()
            server.wait()
        print(
            f"one-click POSTs, SQLite, 1 worker:  {rate:8,.0f}/s  "
            f"({POSTS:,} new addresses, {CLIENTS} clients) [target >= 1,000/s]"
        )
        if server_cpu:
            print(
                f"  per second of the worker's own CPU:  {POSTS / server_cpu:8,.0f}/s  "
                f"({server_cpu * 1e6 / POSTS:,.0f} us of CPU each)"
            )

        fill(folder / "synced.sqlite3", SYNCED)
        server, port = start_service(folder, folder / "synced.sqlite3")
        try:
            path = folder / "suppressed.csv"
            start, cpu = time.perf_counter(), time.process_time()
            result = sync(
                f"http://127.0.0.1:{port}",
                path,
                environ={"BULLETIN_UNSUBSCRIBE_SECRET": SECRET},
            )
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu
        finally:
            server.terminate()
            server.wait()
        assert len(SuppressionList.load(path)) == SYNCED == result.events
        print(
            f"suppress sync of {SYNCED:,} unsubscribes:  {elapsed:6.2f} s "
            f"(into an empty suppressed.csv; {cpu:.2f} s of CPU here) [target <= 5 s]"
        )


if __name__ == "__main__":
    main()
