"""Live preview latency: from saving the edition to the page's reload message.

Copies ``examples/dscp-2025-01/`` to a temporary folder, starts a
:class:`bulletin.preview.server.PreviewServer`, connects to ``/events`` as the index
page does, then 20 times appends one line to the edition and measures:

- the time from the write to the ``reload`` message arriving at the client;
- the server's time from watchfiles yielding the change to the message being
  queued (``PreviewServer.last_latency_ms``; the rebuild is most of it);
- the rebuild itself (``PreviewServer.last_rebuild_ms``).

If the example has no ``edition.md`` (only its ``edition.py``), a tiny edition
is written instead, and the output says so.
"""

from __future__ import annotations

import http.client
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bulletin.preview.server import _DEBOUNCE_MS, _STEP_MS, PreviewServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "dscp-2025-01"
SAVES = 20
TIMEOUT = 5.0
TARGET_MS = 50

TINY = """---
title: Preview Test
date: 2025-01-15
---
# News

Hello world.
"""


class Events:
    """Reads ``/events`` as the index page's EventSource does."""

    def __init__(self, server: PreviewServer) -> None:
        port = int(server.url.rsplit(":", 1)[1].strip("/"))
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.connection.request("GET", "/events")
        self.response = self.connection.getresponse()
        while self.response.readline() != b": connected\n":
            pass

    def next_event(self) -> str:
        """Wait for the next event; return its name."""
        name = ""
        while True:
            line = self.response.readline()
            if not line:
                raise RuntimeError("the event stream ended")
            if line.startswith(b"event: "):
                name = line[7:].strip().decode()
            elif line == b"\n" and name:
                return name

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def get(server: PreviewServer, route: str) -> str:
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", route)
        return connection.getresponse().read().decode("utf-8")
    finally:
        connection.close()


def measure(
    path: Path, line: Callable[[int], str], shows: Callable[[int], str], route: str
) -> tuple[list[float], list[float], list[float]]:
    """Append ``line(n)`` to ``path`` SAVES times; time each save's reload.

    A reload counts only once ``route`` shows ``shows(n)``: a late second event
    from an earlier save is never taken for this one.
    """
    received, queued, rebuilt = [], [], []
    with PreviewServer(path) as server:
        events = Events(server)
        try:
            for n in range(SAVES):
                time.sleep(0.1)  # apart from the previous save's events
                start = time.perf_counter()
                with path.open("a", encoding="utf-8") as file:
                    file.write(line(n))
                while True:
                    if events.next_event() != "reload":
                        continue
                    end = time.perf_counter()
                    if shows(n) in get(server, route):
                        break
                received.append((end - start) * 1000)
                queued.append(server.last_latency_ms or 0.0)
                rebuilt.append(server.last_rebuild_ms or 0.0)
        finally:
            events.close()
    return received, queued, rebuilt


def report(title: str, times: tuple[list[float], list[float], list[float]]) -> None:
    received, queued, rebuilt = times
    print(f"{title}, {SAVES} saves:")
    print(
        f"  save -> reload received by the page: {statistics.median(received):5.1f} ms "
        f"median, {max(received):5.1f} ms max  [target <= {TARGET_MS} ms]"
    )
    print(
        f"  watchfiles event -> reload queued:   {statistics.median(queued):5.1f} ms "
        f"median, {max(queued):5.1f} ms max"
    )
    print(
        f"  rebuild:                             {statistics.median(rebuilt):5.1f} ms median"
    )


def main() -> None:
    print(
        f"watchfiles debounce {_DEBOUNCE_MS} ms, step {_STEP_MS} ms; "
        f"Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / EXAMPLE.name
        shutil.copytree(EXAMPLE, folder)
        markdown = folder / "edition.md"
        if markdown.exists():
            title = f"{EXAMPLE.name}/edition.md"
        else:
            title = f"tiny edition.md ({EXAMPLE.name} has no edition.md yet)"
            (folder / "bulletin.toml").write_text(
                'schema = 1\npublisher = "Test"\n', encoding="utf-8"
            )
            markdown.write_text(TINY, encoding="utf-8")
        report(
            title,
            measure(
                markdown,
                lambda n: f"\nLine {n}.\n",
                lambda n: f"Line {n}.",
                "/text.txt",
            ),
        )


if __name__ == "__main__":
    main()
