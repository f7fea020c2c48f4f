"""The preview's HTTP side: what each page serves, to this machine only, and live reload.

:func:`respond` answers a route from the last good build (a :class:`Snapshot`)
and the last error: ``/`` (:func:`index_page`: the email at desktop and
mobile width and its plain text, reloaded on each ``reload`` event, showing
each ``error``), ``/email.html``, ``/web.html``, ``/text.txt`` and
``/assets/<name>``. :class:`LocalServer` serves those, and ``/events`` from
an :class:`EventHub`, each request in its own daemon thread. It refuses
requests whose ``Host`` is not a local name (another website reaching it
through DNS rebinding), and ``stop()`` ends every open connection, event
streams included, at once. :mod:`bulletin.preview.server` builds and watches.
"""

from __future__ import annotations

import contextlib
import errno
import html
import queue
import socket
import socketserver
import string
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bulletin.errors import PreviewError

if TYPE_CHECKING:
    from bulletin.model.rendered import Asset

__all__ = [
    "LOCAL_HOSTS",
    "EventHub",
    "LocalServer",
    "Response",
    "Snapshot",
    "check_host",
    "index_page",
    "respond",
]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
"""The host names the preview may be served on."""

Response = tuple[int, str, bytes]
"""An HTTP status, a content type and a body."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A successful build, as the pages serve it."""

    title: str
    """The edition's title."""
    slug: str
    """The file-name form of the title."""
    email_html: str
    """The email, fields filled as in a preview copy, images at ``/assets/``."""
    web_html: str
    """The web copy."""
    text: str
    """The plain-text alternative, fields filled."""
    assets: Mapping[str, Asset]
    """The images, by file name."""
    build_ms: float
    """How long the build took."""


def respond(
    route: str, snapshot: Snapshot | None, error: str | None, title: str
) -> Response | None:
    """What ``route`` serves (None: not found); ``title`` names a failed first build."""
    if route == "/":
        if snapshot is not None:
            title = snapshot.title
        ms, text = (snapshot.build_ms, snapshot.text) if snapshot else (None, "")
        return 200, "text/html; charset=utf-8", index_page(title, ms, error, text)
    if snapshot is None:
        return 503, "text/plain; charset=utf-8", (error or "building").encode()
    pages = {
        "/email.html": ("text/html", snapshot.email_html),
        "/web.html": ("text/html", snapshot.web_html),
        "/text.txt": ("text/plain", snapshot.text),
    }
    if route in pages:
        kind, body = pages[route]
        return 200, f"{kind}; charset=utf-8", body.encode("utf-8")
    if route.startswith("/assets/"):
        asset = snapshot.assets.get(route.removeprefix("/assets/"))
        if asset is not None:  # the build's own images only, never a path on disk
            return 200, asset.content_type, asset.data
    return None


def check_host(host: str) -> None:
    """Refuse to serve anywhere but this machine.

    Raises:
        PreviewError: ``host`` is not 127.0.0.1, localhost or ::1.
    """
    if host not in LOCAL_HOSTS:
        raise PreviewError(
            "the preview is served only to this machine: host must be "
            f"127.0.0.1, localhost or ::1, not {host!r}"
        )


class EventHub:
    """Server-Sent Events, fanned out to every open ``/events`` stream."""

    def __init__(self, keepalive: float = 15.0) -> None:
        self.keepalive = keepalive
        """Seconds between keep-alive comments on an idle stream."""
        self._lock = threading.Lock()
        self._clients: set[queue.Queue[bytes | None]] = set()
        self._closed = False

    def send(self, event: str, data: str) -> None:
        """Queue ``event`` for every stream; each line of ``data`` is a ``data:`` line."""
        lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
        message = f"event: {event}\n{lines}\n".encode()
        with self._lock:
            for client in self._clients:
                client.put(message)

    def stream(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one ``/events`` request until the hub closes or the page goes."""
        client: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:
            if self._closed:
                handler.send_error(503, "the preview is stopping")
                return
            self._clients.add(client)
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
            handler.send_header("Cache-Control", "no-store")
            handler.end_headers()
            # Sent once the stream is registered: from here no event is missed.
            handler.wfile.write(b"retry: 1000\n: connected\n\n")
            while True:
                try:
                    message = client.get(timeout=self.keepalive)
                except queue.Empty:
                    message = b": keep-alive\n\n"
                if message is None:
                    return
                handler.wfile.write(message)
        except OSError:
            pass  # the page was closed or reloaded
        finally:
            with self._lock:
                self._clients.discard(client)

    def close(self) -> None:
        """End every stream; refuse new ones."""
        with self._lock:
            self._closed = True
            for client in self._clients:
                client.put(None)


class LocalServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1, localhost or ::1, serving ``pages`` and ``hub``.

    Raises:
        PreviewError: the host is not this machine, or the port is in use.
    """

    daemon_threads = True
    # On Windows SO_REUSEADDR would let a second server share a port in use.
    allow_reuse_address = sys.platform != "win32"

    def __init__(
        self,
        host: str,
        port: int,
        pages: Callable[[str], Response | None],
        hub: EventHub,
    ) -> None:
        check_host(host)
        self.pages = pages
        self.hub = hub
        self.address_family = socket.AF_INET6 if host == "::1" else socket.AF_INET
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        try:
            super().__init__(
                ("127.0.0.1" if host == "localhost" else host, port), _Handler
            )
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PreviewError(
                    f"port {port} on {host} is in use (another preview?); "
                    f"choose another with --port, e.g. --port {port + 1}"
                ) from None
            raise PreviewError(
                f"cannot serve on {host}:{port}: {error.strerror or error}"
            ) from None

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (getfqdn): seconds, at worst.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="bulletin-preview-http",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; end every open connection and stream; close the socket."""
        self.hub.close()
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:  # e.g. a browser's idle pre-connection
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()  # joins the request threads

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exception(), ConnectionError):  # a frame reloaded
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer
    server_version = "bulletin-preview"
    timeout = 30

    def do_GET(self) -> None:
        try:
            hostname = urlsplit(f"//{self.headers.get('Host', '')}").hostname
        except ValueError:
            hostname = None
        route = urlsplit(self.path).path
        if hostname not in LOCAL_HOSTS:
            response = (403, "text/plain", b"forbidden: not a local host name")
        elif route == "/events":
            self.server.hub.stream(self)
            return
        else:
            response = self.server.pages(route) or (404, "text/plain", b"not found")
        status, kind, body = response
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the CLI says what matters."""


def index_page(
    title: str, build_ms: float | None, error: str | None, text: str
) -> bytes:
    """The page an editor keeps open: desktop, mobile and plain text side by side.

    Self-contained (no external resources); ``error``, if any, is shown in a
    banner. Its script reloads the views on each ``reload`` event.
    """
    page = _INDEX.substitute(
        title=html.escape(title),
        ms="-" if build_ms is None else f"{build_ms:.0f}",
        error=html.escape(error or ""),
        hidden="" if error else " hidden",
        text=html.escape(text),
    )
    return page.encode("utf-8")


_INDEX = string.Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title - bulletin preview</title>
<style>
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #eef0f3; color: #1b1f24; }
header { display: flex; flex-wrap: wrap; gap: 0 1.5em; align-items: baseline; padding: .6em 1em; background: #fff; border-bottom: 1px solid #d0d5dc; }
h1 { font-size: 1.1em; margin: 0; }
#error { margin: 0; padding: .6em 1em; background: #fde8e8; color: #8a1010; white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; }
#error[hidden] { display: none; }
main { display: flex; flex-wrap: wrap; gap: 1em; padding: 1em; align-items: flex-start; }
h2 { font-size: .8em; margin: 0 0 .4em; text-transform: uppercase; letter-spacing: .05em; color: #56606b; }
iframe, pre { height: 85vh; border: 1px solid #c4cad2; background: #fff; display: block; box-sizing: border-box; }
#desktop { width: 680px; } #mobile { width: 375px; }
pre { width: 76ch; max-width: 100%; margin: 0; padding: .8em; overflow: auto; white-space: pre-wrap; font: 13px/1.45 ui-monospace, monospace; }
</style></head><body>
<header><h1 id="title">$title</h1><span>built in <span id="ms">$ms</span> ms</span>
<a href="/web.html" target="_blank">web copy</a></header>
<p id="error" role="alert"$hidden>$error</p>
<main>
<section><h2>Desktop</h2><iframe id="desktop" name="desktop" src="/email.html" title="The email at desktop width"></iframe></section>
<section><h2>Mobile</h2><iframe id="mobile" name="mobile" src="/email.html" title="The email at mobile width"></iframe></section>
<section><h2>Plain text</h2><pre id="text">$text</pre></section>
</main>
<script>
const banner = document.getElementById('error');
function reloadFrame(frame) {
  const y = frame.contentWindow.scrollY;
  frame.onload = () => frame.contentWindow.scrollTo(0, y);
  frame.contentWindow.location.reload();
}
const events = new EventSource('/events');
events.addEventListener('reload', (event) => {
  const data = JSON.parse(event.data);
  document.getElementById('ms').textContent = data.build_ms.toFixed(0);
  document.getElementById('title').textContent = data.title;
  document.title = data.title + ' - bulletin preview';
  banner.hidden = true;
  reloadFrame(document.getElementById('desktop'));
  reloadFrame(document.getElementById('mobile'));
  fetch('/text.txt', {cache: 'no-store'}).then((response) => response.text())
    .then((text) => { document.getElementById('text').textContent = text; });
});
events.addEventListener('error', (event) => {
  if (!(event instanceof MessageEvent)) return;  // the connection dropped: it retries
  banner.textContent = event.data;
  banner.hidden = false;
});
</script></body></html>
""")
