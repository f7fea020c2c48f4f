"""The live preview: a real server on 127.0.0.1, real files, real watchfiles.

Every socket read has a timeout, and every wait for an event has a deadline,
so a broken preview fails these tests instead of hanging them.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulletin.errors import PreviewError
from bulletin.mail.recipients import Recipient
from bulletin.mail.unsubscribe import unsubscribe_token
from bulletin.preview.server import PreviewServer, screenshot

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT = 5.0
"""Seconds any one read, or any wait for an event, may take."""

CONFIG = 'schema = 1\npublisher = "Test"\nunsubscribe_url = "https://example.org/u/{token}"\n'
FRONT = "---\ntitle: Preview Test\ndate: 2025-01-15\n---\n"
BODY = "# News\n\nHello world.\n\n![A square](square.png)\n"


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Event:
    name: str
    data: str


class Events:
    """A client of ``/events``: reads one Server-Sent Event at a time."""

    def __init__(self, server: PreviewServer) -> None:
        self.connection = connect(server)
        self.connection.request("GET", "/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        # The server says so once this stream will receive every event.
        while self.response.readline() != b": connected\n":
            pass

    def next(self, name: str) -> Event:
        """The next event called ``name``, skipping others; fail after TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            event = self.read()
            if event.name == name:
                return event
        raise AssertionError(f"no {name!r} event within {TIMEOUT} s")

    def read(self) -> Event:
        name, data = "message", list[str]()
        while True:
            line = self.response.readline().decode("utf-8")
            assert line, "the event stream ended"
            if line == "\n":
                if data:
                    return Event(name, "\n".join(data))
                continue  # a comment or retry: no event
            field, _, value = line.rstrip("\n").partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def connect(server: PreviewServer) -> http.client.HTTPConnection:
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    return http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)


def get(
    server: PreviewServer, route: str, headers: dict[str, str] | None = None
) -> Response:
    """GET ``route`` exactly as written (no normalising of ``..``)."""
    connection = connect(server)
    try:
        connection.request("GET", route, headers=headers or {})
        response = connection.getresponse()
        return Response(
            response.status, response.headers["Content-Type"], response.read()
        )
    finally:
        connection.close()


def save(path: Path, text: str) -> None:
    """Save as most editors do: a temporary file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


@pytest.fixture
def edition(tmp_path: Path, make_png: Callable[..., Path]) -> Path:
    make_png("square.png", size=(120, 120))
    (tmp_path / "bulletin.toml").write_text(CONFIG, encoding="utf-8")
    path = tmp_path / "edition.md"
    path.write_text(FRONT + BODY, encoding="utf-8")
    return path


@pytest.fixture
def preview(edition: Path) -> Iterator[PreviewServer]:
    with PreviewServer(edition) as server:
        yield server


@pytest.fixture
def events(preview: PreviewServer) -> Iterator[Events]:
    client = Events(preview)
    yield client
    client.close()


def asset_name(html: str) -> str:
    match = re.search(r'src="/assets/([0-9a-f]+\.png)"', html)
    assert match, "the email shows no image from /assets/"
    return match.group(1)


# Pages -------------------------------------------------------------------------


def test_index_page_shows_the_title_and_three_views(preview: PreviewServer) -> None:
    page = get(preview, "/")
    assert page.status == 200
    assert page.content_type == "text/html; charset=utf-8"
    assert '<h1 id="title">Preview Test</h1>' in page.text
    assert re.search(r'built in <span id="ms">\d+</span> ms', page.text)
    assert re.search(r'<iframe id="desktop"[^>]* src="/email.html"', page.text)
    assert re.search(r'<iframe id="mobile"[^>]* src="/email.html"', page.text)
    assert re.search(r'<pre id="text">[^<]*Hello world\.', page.text)
    assert "new EventSource('/events')" in page.text
    # Self-contained: no stylesheet, script or font from anywhere.
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    assert '<p id="error" role="alert" hidden>' in page.text


def test_a_preview_as_a_recipient_shows_their_copy(edition: Path) -> None:
    edition.write_text(
        FRONT + "# News\n\nDear {{ first_name | colleague }}.\n", encoding="utf-8"
    )
    ann = Recipient.of("ann@example.org", {"first_name": "Ann & Co"})

    with PreviewServer(edition, recipient=ann, secret="s" * 32) as server:
        email, text = get(server, "/email.html").text, get(server, "/text.txt").text

    token = unsubscribe_token("ann@example.org", "", "s" * 32)
    assert "Dear Ann &amp; Co." in email
    assert "Dear Ann & Co." in text
    assert f"https://example.org/u/{token}" in email
    assert f"https://example.org/u/{token}" in text


def test_email_has_its_fields_filled_and_its_images_served(
    preview: PreviewServer,
) -> None:
    email = get(preview, "/email.html")
    assert email.status == 200
    assert email.content_type == "text/html; charset=utf-8"
    assert "Hello world." in email.text
    assert "cid:" not in email.text
    assert "{{" not in email.text
    assert "https://example.org/u/preview" in email.text
    image = get(preview, f"/assets/{asset_name(email.text)}")
    assert image.status == 200
    assert image.content_type == "image/png"
    assert image.body.startswith(b"\x89PNG\r\n\x1a\n")


def test_web_copy_and_text(preview: PreviewServer) -> None:
    web = get(preview, "/web.html")
    assert web.status == 200
    assert "Hello world." in web.text
    name = re.search(r'src="assets/([0-9a-f]+\.png)"', web.text)
    assert name, "the web copy's images are assets/<name>, beside it"
    assert get(preview, f"/assets/{name.group(1)}").status == 200
    text = get(preview, "/text.txt")
    assert text.content_type == "text/plain; charset=utf-8"
    assert "Hello world." in text.text
    assert "https://example.org/u/preview" in text.text


@pytest.mark.parametrize(
    "route",
    [
        "/assets/0123456789abcdef.png",
        "/assets/",
        "/assets/../bulletin.toml",
        "/assets/%2e%2e/edition.md",
        "/../edition.md",
        "/edition.md",
        "/square.png",
        "/bulletin.toml",
    ],
)
def test_only_the_builds_own_files_are_served(
    preview: PreviewServer, route: str
) -> None:
    response = get(preview, route)
    assert response.status == 404
    assert b"Test" not in response.body


def test_a_foreign_host_name_is_refused(preview: PreviewServer) -> None:
    """A website that rebinds its name to 127.0.0.1 cannot read the edition."""
    response = get(preview, "/email.html", headers={"Host": "evil.example:80"})
    assert response.status == 403
    assert b"Hello" not in response.body


# Live reload -------------------------------------------------------------------


def test_saving_the_edition_reloads(
    preview: PreviewServer, events: Events, edition: Path
) -> None:
    save(edition, FRONT + BODY + "\nA new paragraph.\n")
    event = events.next("reload")
    data = json.loads(event.data)
    assert data["changed"] == ["edition.md"]
    assert data["build_ms"] > 0
    assert data["title"] == "Preview Test"
    assert "A new paragraph." in get(preview, "/text.txt").text
    assert preview.last_rebuild_ms is not None
    assert preview.last_latency_ms is not None
    assert preview.last_latency_ms >= preview.last_rebuild_ms


def test_a_broken_edition_shows_its_error_and_keeps_the_last_build(
    preview: PreviewServer, events: Events, edition: Path
) -> None:
    broken = FRONT + BODY + "\n### too deep\n"
    save(edition, broken)
    line = broken.splitlines().index("### too deep") + 1
    error = events.next("error")
    assert f"edition.md:{line}:" in error.data
    assert "\n" not in error.data
    text = get(preview, "/text.txt")
    assert text.status == 200
    assert "Hello world." in text.text
    page = get(preview, "/").text
    assert f'<p id="error" role="alert">{edition}:{line}:' in page

    save(edition, FRONT + BODY)
    events.next("reload")
    assert '<p id="error" role="alert" hidden>' in get(preview, "/").text


def test_the_error_banner_is_escaped(
    preview: PreviewServer, events: Events, edition: Path
) -> None:
    save(edition, FRONT.replace("---\n", "---\nlayout: <b>bold</b>\n", 1) + BODY)
    assert "<b>bold</b>" in events.next("error").data
    page = get(preview, "/").text
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<b>bold" not in page


def test_saving_bulletin_toml_rebuilds(
    preview: PreviewServer, events: Events, edition: Path
) -> None:
    save(edition.parent / "bulletin.toml", CONFIG.replace('"Test"', '"Other Org"'))
    data = json.loads(events.next("reload").data)
    assert data["changed"] == ["bulletin.toml"]
    assert "Other Org" in get(preview, "/email.html").text


def test_saving_a_layout_file_outside_the_edition_folder_rebuilds(
    tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    folder = tmp_path / "edition"
    layout = tmp_path / "layouts" / "mine"
    layout.mkdir(parents=True)
    (layout / "layout.toml").write_text(
        'extends = "classic"\n[colours]\nbrand = "#1d4f91"\n', encoding="utf-8"
    )
    folder.mkdir()
    (folder / "bulletin.toml").write_text(
        CONFIG + 'layout = "mine"\nlayout_paths = ["../layouts"]\n', encoding="utf-8"
    )
    make_png("edition/square.png", size=(120, 120))
    (folder / "edition.md").write_text(FRONT + BODY, encoding="utf-8")
    with PreviewServer(folder / "edition.md") as server:
        client = Events(server)
        try:
            save(
                layout / "layout.toml",
                'extends = "classic"\n[colours]\nbrand = "#7a1d91"\n',
            )
            data = json.loads(client.next("reload").data)
        finally:
            client.close()
        assert data["changed"] == [str((layout / "layout.toml").resolve())]
        assert "#7a1d91" in get(server, "/email.html").text


def test_output_and_editor_files_are_ignored(
    preview: PreviewServer, events: Events, edition: Path
) -> None:
    folder = edition.parent
    (folder / "out").mkdir()
    (folder / "out" / "preview-test.html").write_text("built", encoding="utf-8")
    (folder / ".edition.md.swp").write_bytes(b"vim")
    (folder / "edition.md~").write_text("backup", encoding="utf-8")
    (folder / ".#edition.md").write_text("emacs lock", encoding="utf-8")
    (folder / "scratch.tmp").write_text("temporary", encoding="utf-8")
    save(edition, FRONT + BODY + "\nSaved.\n")
    assert json.loads(events.next("reload").data)["changed"] == ["edition.md"]


def test_rebuild_returns_its_time_and_tells_the_pages(
    preview: PreviewServer, events: Events
) -> None:
    assert preview.rebuild() > 0
    assert json.loads(events.next("reload").data)["changed"] == []


def test_a_first_build_that_fails_still_serves(edition: Path) -> None:
    edition.write_text(FRONT + BODY + "\n#### too deep\n", encoding="utf-8")
    with PreviewServer(edition) as server:
        assert "headings go deeper" in get(server, "/").text
        assert get(server, "/email.html").status == 503
        client = Events(server)
        try:
            save(edition, FRONT + BODY)
            client.next("reload")
        finally:
            client.close()
        assert "Hello world." in get(server, "/email.html").text


def test_idle_streams_get_keep_alive_comments(
    preview: PreviewServer, events: Events
) -> None:
    preview.events.keepalive = 0.05
    preview.rebuild()  # the stream is waiting with the old interval: wake it
    events.next("reload")
    assert events.response.readline() == b": keep-alive\n"


def test_stop_ends_open_event_streams_at_once(edition: Path) -> None:
    server = PreviewServer(edition).start()
    client = Events(server)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    assert b"event:" not in client.response.read()  # the end of the stream, at once
    client.close()
    server.stop()  # twice is harmless
    with pytest.raises(PreviewError, match="make a new PreviewServer"):
        server.start()


def test_localhost_is_served(edition: Path) -> None:
    with PreviewServer(edition, host="localhost") as server:
        assert server.url.startswith("http://localhost:")
        response = get(server, "/text.txt", headers={"Host": "localhost"})
        assert "Hello world." in response.text


# Refusals ----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org", "::"])
def test_only_this_machine_may_be_served(edition: Path, host: str) -> None:
    with pytest.raises(PreviewError, match="only to this machine"):
        PreviewServer(edition, host=host)


def test_a_port_in_use_is_reported(preview: PreviewServer, edition: Path) -> None:
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(PreviewError, match=rf"port {port} .*in use.*--port"):
        PreviewServer(edition, port=port).start()


def test_a_missing_edition_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PreviewError, match="no edition file"):
        PreviewServer(tmp_path / "nothing.md").start()


def test_screenshots_without_chromium_say_what_to_install(
    edition: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bulletin.preview.server._CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(PreviewError, match="apt-get install chromium"):
        screenshot(edition, tmp_path / "shots")


# In a browser ------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_index_page_in_chromium(preview: PreviewServer) -> None:
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(preview.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.route("**/*", only_local)
            page.goto(preview.url, wait_until="load")
            desktop = page.frame(name="desktop")
            mobile = page.frame(name="mobile")
            assert desktop is not None
            assert mobile is not None
            assert desktop.get_by_text("Hello world.").is_visible()
            assert mobile.get_by_text("Hello world.").is_visible()
            assert desktop.evaluate("() => document.images[0].naturalWidth") > 0
            for frame, width in (("#desktop", 680), ("#mobile", 375)):
                box = page.locator(frame).bounding_box()
                assert box is not None
                assert box["width"] == width
            assert "Hello world." in page.locator("#text").inner_text()
            page.close()
        finally:
            browser.close()
    assert blocked == []


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_screenshot_writes_desktop_and_mobile_pngs(
    edition: Path, tmp_path: Path
) -> None:
    from PIL import Image

    written = screenshot(edition, tmp_path / "shots")
    assert [path.name for path in written] == [
        "preview-test-desktop.png",
        "preview-test-mobile.png",
    ]
    widths = []
    for path in written:
        with Image.open(path) as picture:
            widths.append(picture.width)
            assert picture.height > 200
    assert widths == [1024, 375]
