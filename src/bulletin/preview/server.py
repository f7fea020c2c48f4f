"""Live preview: serve an edition on this machine and rebuild it on every save.

:class:`PreviewServer` renders the edition, serves it on 127.0.0.1 and watches
the edition's folder, its bulletin.toml's folder and its layout's folders
(watchfiles). Each change rebuilds the edition and tells the open pages over
Server-Sent Events, so the browser reloads within tens of milliseconds of a
save. A failed build is shown in a banner while the last good build stays on
screen::

    with PreviewServer(Path("edition.md")) as preview:
        print(preview.url)          # http://127.0.0.1:<port>/

The pages: ``/`` (desktop, mobile and plain text side by side), ``/email.html``
(fields filled as in a preview copy, ``cid:`` images served from ``/assets/``),
``/web.html``, ``/text.txt``, ``/assets/<name>`` and ``/events`` (``reload``
with ``{"build_ms", "changed", "title"}``, or ``error`` with the message).
:func:`screenshot` photographs the email in Debian's Chromium (Playwright).
The HTTP side is :mod:`bulletin.preview.http`.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from bulletin.errors import BulletinError, PreviewError
from bulletin.model.fields import fill_html, fill_text
from bulletin.preview.http import (
    EventHub,
    LocalServer,
    Response,
    Snapshot,
    check_host,
    respond,
)

if TYPE_CHECKING:
    from watchfiles import Change

    from bulletin.mail.recipients import Recipient

__all__ = ["PreviewServer", "screenshot"]

_DEBOUNCE_MS = 30
"""The longest watchfiles groups a burst of changes (one save) for."""
_STEP_MS = 5
"""A burst ends when no change has come for this long."""
_READY_MS = 50
"""watchfiles yields nothing after this long, which says it is watching."""
_CHROMIUM = Path("/usr/bin/chromium")
_CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
_SHOTS = (("desktop", 1024), ("mobile", 375))
"""Each screenshot's name and viewport width in CSS px."""


class PreviewServer:
    """Serve an edition on this machine; rebuild it whenever a file it uses changes.

    Args:
        path: the edition file (``.md`` or ``.py``).
        host: 127.0.0.1, localhost or ::1; the preview is never served to the network.
        port: the port; 0 picks a free one.
        layout: a layout name overriding the edition's and bulletin.toml's.

    Raises:
        PreviewError: ``host`` is not this machine.

    Example:
        >>> with PreviewServer(Path("edition.md")) as preview:  # doctest: +SKIP
        ...     preview.serve_forever()
    """

    def __init__(
        self,
        path: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        layout: str | None = None,
        recipient: Recipient | None = None,
        secret: str | None = None,
        audience: str | None = None,
    ) -> None:
        check_host(host)
        self.path = Path(path)
        self.host = host
        self.port = port
        self.layout = layout
        self.recipient = recipient
        """Show the edition as this recipient gets it (defaults when None)."""
        self.secret = secret
        self.audience = audience
        """Show the email a reader in this audience gets (see
        :func:`~bulletin.commands.build.reader_variant`)."""
        self.events = EventHub()
        """The ``/events`` streams (``events.keepalive``: seconds between comments)."""
        self.last_rebuild_ms: float | None = None
        """How long the last successful build took."""
        self.last_latency_ms: float | None = None
        """From watchfiles yielding the last change to its event being queued."""
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._folders_used: tuple[Path, ...] = ()
        self._error: str | None = None
        self._stopping = threading.Event()
        self._server: LocalServer | None = None
        self._watcher: threading.Thread | None = None
        self._watching = threading.Event()

    @property
    def url(self) -> str:
        """The index page, e.g. ``http://127.0.0.1:8123/``."""
        if self._server is None:
            raise PreviewError("the preview server is not running; call start()")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_port}/"

    def start(self, *, watch: bool = True) -> Self:
        """Build the edition and serve it (and watch its files) in daemon threads.

        A failed first build does not stop the preview: the page shows the
        error until the editor fixes it.

        Raises:
            PreviewError: the edition file is missing, the port is in use, or
                this preview was stopped.
        """
        if self._server is not None:
            return self
        if self._stopping.is_set():
            raise PreviewError("this preview was stopped; make a new PreviewServer")
        if not self.path.is_file():
            raise PreviewError(f"no edition file at {self.path}")
        server = LocalServer(self.host, self.port, self._page, self.events)
        try:
            if self._snapshot is None:
                with contextlib.suppress(BulletinError):  # shown on the page
                    self.rebuild()
        except BaseException:
            server.server_close()
            raise
        self._server = server
        server.start()
        if watch:
            self._watcher = threading.Thread(
                target=self._watch, name="bulletin-preview-watch", daemon=True
            )
            self._watcher.start()
            self._watching.wait(timeout=5)  # a save from now on is seen
        return self

    def stop(self) -> None:
        """Stop watching and serving, ending open ``/events`` streams at once."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()  # watchfiles sees the stop event within a step
            self._watcher = None
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def serve_forever(self) -> None:
        """Serve until Ctrl-C, then stop cleanly (what ``bulletin preview`` runs)."""
        self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def rebuild(self) -> float:
        """Build the edition now and tell the open pages; return the build's ms.

        Raises:
            BulletinError: the build failed; the pages show the error and keep
                the last good build.
        """
        return self._rebuild([], None)

    def _rebuild(self, changed: list[str], since: float | None) -> float:
        try:
            snapshot, folders = _build(
                self.path, self.layout, self.recipient, self.secret, self.audience
            )
        except Exception as error:
            message = str(error)
            if not isinstance(error, BulletinError):  # a bug, but keep previewing
                message = f"{type(error).__name__}: {message}"
            with self._lock:
                self._error = message
            self._send("error", message, since)
            raise
        with self._lock:
            self._snapshot, self._folders_used, self._error = snapshot, folders, None
        self.last_rebuild_ms = ms = snapshot.build_ms
        data = {"build_ms": round(ms, 1), "changed": changed, "title": snapshot.title}
        self._send("reload", json.dumps(data), since)
        return ms

    def _send(self, event: str, data: str, since: float | None) -> None:
        if since is not None:
            self.last_latency_ms = (time.perf_counter() - since) * 1000
        self.events.send(event, data)

    def _watch(self) -> None:
        import watchfiles

        base = self.path.parent.resolve()
        default = watchfiles.DefaultFilter()  # editors' swap and backup files, .git
        outputs: list[Path] = []

        def wanted(change: Change, name: str) -> bool:
            path = Path(name)
            return (
                default(change, name)
                and not path.name.endswith(".tmp")
                and not any(path.is_relative_to(out) for out in outputs)
            )

        while not self._stopping.is_set():
            folders = self._folders()
            outputs[:] = [folder / "out" for folder in (base, *folders)]
            watching = watchfiles.watch(
                *folders,
                watch_filter=wanted,
                debounce=_DEBOUNCE_MS,
                step=_STEP_MS,
                stop_event=self._stopping,
                rust_timeout=_READY_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
            )
            try:
                with contextlib.closing(watching):
                    for batch in watching:
                        self._watching.set()
                        if not batch:
                            continue
                        since = time.perf_counter()
                        shown = sorted({_shown(Path(name), base) for _, name in batch})
                        with contextlib.suppress(Exception):  # shown on the page
                            self._rebuild(shown, since)
                        if self._folders() != folders:
                            break  # another layout: watch its folders instead
            except Exception as error:  # e.g. the system's limit on watches
                message = f"stopped watching for changes: {error}; restart the preview"
                with self._lock:
                    self._error = message
                self._watching.set()
                self._send("error", message, None)
                return

    def _folders(self) -> tuple[Path, ...]:
        with self._lock:
            if self._folders_used:
                return self._folders_used
        from bulletin.loading.config import find_config

        config = find_config(self.path)
        return _outermost([self.path.parent, *([config.parent] if config else [])])

    def _page(self, route: str) -> Response | None:
        with self._lock:
            snapshot, error = self._snapshot, self._error
        return respond(route, snapshot, error, self.path.name)


def _build(
    path: Path,
    layout: str | None,
    recipient: Recipient | None = None,
    secret: str | None = None,
    audience: str | None = None,
) -> tuple[Snapshot, tuple[Path, ...]]:
    """Load and render the edition: what the pages serve, and the folders to watch."""
    from bulletin.commands.build import reader_variant, render_source
    from bulletin.loading.source import load
    from bulletin.mail.message import personal_values
    from bulletin.model.audiences import describe
    from bulletin.rendering.layouts import load_layout

    start = time.perf_counter()
    source = load(path)
    audiences = reader_variant(source, recipient, audience)
    rendered = render_source(source, layout=layout, audiences=audiences)
    values = personal_values(source.settings, recipient, secret)
    base_url = source.settings.image_base_url
    email, web = fill_html(rendered.html, values), rendered.web_html
    for asset in rendered.assets:
        # Images come from this server: the email's cid: parts, and the files as
        # built now rather than as last published at image_base_url.
        local = f"/assets/{asset.name}"
        email = email.replace(f"cid:{asset.name}", local)
        if base_url is not None:
            email = email.replace(f"{base_url}/{asset.path}", local)
            web = web.replace(f"{base_url}/{asset.path}", local)
    chosen = load_layout(layout or source.layout, source.settings.layout_paths)
    folder = source.config.folder
    config = [folder] if folder is not None else []
    snapshot = Snapshot(
        title=source.edition.title
        + (f" (for {describe(audiences)})" if audience is not None else ""),
        slug=rendered.slug,
        email_html=email,
        web_html=web,
        text=fill_text(rendered.text, values),
        assets={asset.name: asset for asset in rendered.assets},
        build_ms=(time.perf_counter() - start) * 1000,
    )
    return snapshot, _outermost([source.base_dir, *config, *chosen.folders])


def _outermost(folders: Sequence[Path]) -> tuple[Path, ...]:
    """The folders to watch: each once, none inside another (watching is recursive)."""
    kept: list[Path] = []
    for folder in sorted({f.resolve() for f in folders}, key=lambda f: len(f.parts)):
        if folder.is_dir() and not any(folder.is_relative_to(k) for k in kept):
            kept.append(folder)
    return tuple(kept)


def _shown(path: Path, base: Path) -> str:
    """A changed file as the editor knows it: relative to the edition's folder."""
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)


def screenshot(
    path: Path,
    out_dir: Path,
    *,
    layout: str | None = None,
    audience: str | None = None,
) -> list[Path]:
    """Photograph the email at desktop (1024 px) and mobile (375 px) width.

    Writes ``<slug>-desktop.png`` and ``<slug>-mobile.png`` (full page) into
    ``out_dir`` with Debian's Chromium through Playwright; the page may load
    nothing but the edition and its images.

    Raises:
        BulletinError: the edition does not build.
        PreviewError: Playwright or Chromium is missing, or Chromium failed.
    """
    try:
        from playwright.sync_api import Error, Route, sync_playwright
    except ImportError:
        raise PreviewError(
            "screenshots need Playwright: pipx inject bulletin playwright "
            "(or pip install 'bulletin[screenshot]')"
        ) from None
    if not _CHROMIUM.is_file():
        hint = (
            "apt-get install chromium"
            if sys.platform.startswith("linux")
            else f"take them on Linux or in WSL ({sys.platform} has no {_CHROMIUM})"
        )
        raise PreviewError(f"screenshots need Chromium at {_CHROMIUM}: {hint}")
    from bulletin.files import write_atomic

    server = PreviewServer(path, layout=layout, audience=audience)
    server.rebuild()  # an edition that does not build raises; no picture of an error
    slug = server._snapshot.slug if server._snapshot else "edition"
    written: list[Path] = []
    with server.start(watch=False):
        origin = server.url

        def only_local(route: Route) -> None:
            if route.request.url.startswith(origin):
                route.continue_()
            else:
                route.abort()

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(_CHROMIUM), args=_CHROMIUM_ARGS
                )
                try:
                    for name, width in _SHOTS:
                        page = browser.new_page(
                            viewport={"width": width, "height": 800}
                        )
                        page.route("**/*", only_local)
                        page.goto(f"{origin}email.html", wait_until="load")
                        target = Path(out_dir) / f"{slug}-{name}.png"
                        write_atomic(target, page.screenshot(full_page=True))
                        written.append(target)
                        page.close()
                finally:
                    browser.close()
        except Error as error:
            lines = str(error).strip().splitlines() or ["no message"]
            raise PreviewError(f"Chromium failed: {lines[0]}") from None
    return written
