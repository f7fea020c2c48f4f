"""``bulletin suppress sync`` end to end: the service under uvicorn, a real
suppression list file, and the sync key made from the shared secret."""

from __future__ import annotations

import datetime as dt
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.commands.sync import last_sync, sync, sync_state_path
from bulletin.errors import ServiceError
from bulletin.mail.suppression import Suppression, SuppressionList
from tests.service.conftest import LIST_ID, SECRET, Running, token

ENV = {"BULLETIN_UNSUBSCRIBE_SECRET": SECRET}


def one_click(service: Running, address: str) -> None:
    request = urllib.request.Request(
        f"{service.url}/unsubscribe?token={token(address)}",
        data=b"List-Unsubscribe=One-Click",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def resubscribe(service: Running, address: str) -> None:
    request = urllib.request.Request(
        f"{service.url}/resubscribe?token={token(address)}", data=b"confirm=yes"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A bulletin's folder: bulletin.toml naming the list, no suppressions yet."""
    bulletin = tmp_path / "bulletin"
    bulletin.mkdir()
    (bulletin / "bulletin.toml").write_text(
        f'schema = 1\npublisher = "Example Partnership"\nlist_id = "{LIST_ID}"\n',
        encoding="utf-8",
    )
    return bulletin


def test_sync_merges_unsubscribes_and_resubscribes_into_the_list(
    service: Running, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder / "suppressed.csv"
    SuppressionList(path).add([Suppression("bounced@example.org", "bounced")])
    for address in ("ann@example.org", "bob@example.org", "cat@example.org"):
        one_click(service, address)
    resubscribe(service, "bob@example.org")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("BULLETIN_UNSUBSCRIBE_SECRET", SECRET)
    result = CliRunner().invoke(app, ["suppress", "sync", service.url])
    assert result.exit_code == 0, result.output
    assert "4 events from the service: 2 addresses added" in result.output
    listed = {entry.address: entry for entry in SuppressionList.load(path)}
    assert set(listed) == {"bounced@example.org", "ann@example.org", "cat@example.org"}
    assert listed["ann@example.org"].reason == "unsubscribed"
    assert listed["ann@example.org"].note == "unsubscribe service"
    assert last_sync(path, service.url) is not None

    # The next sync starts where this one stopped.
    resubscribe(service, "ann@example.org")
    one_click(service, "dan@example.org")
    result = sync(service.url, path, environ=ENV)
    assert (result.events, len(result.added), len(result.removed)) == (2, 1, 1)
    addresses = {entry.address for entry in SuppressionList.load(path)}
    assert addresses == {"bounced@example.org", "cat@example.org", "dan@example.org"}
    assert sync(service.url, path, environ=ENV).events == 0


def test_a_resubscribe_never_takes_off_a_bounce(
    sqlite_service: Running, folder: Path
) -> None:
    path = folder / "suppressed.csv"
    one_click(sqlite_service, "eve@example.org")
    resubscribe(sqlite_service, "eve@example.org")
    SuppressionList(path).add([Suppression("eve@example.org", "bounced")])
    sync(sqlite_service.url, path, environ=ENV)
    assert SuppressionList.load(path).get("eve@example.org") is not None


def test_sync_pages_through_many_events(sqlite_service: Running, folder: Path) -> None:
    at = dt.datetime(2025, 1, 20, tzinfo=dt.UTC)
    for number in range(25):
        sqlite_service.store.record(f"r{number}@example.org", "unsubscribed", at)
    sqlite_service.app.config = type(sqlite_service.app.config)(
        **{
            **{
                name: getattr(sqlite_service.app.config, name)
                for name in sqlite_service.app.config.__dataclass_fields__
            },
            "sync_page": 10,
        }
    )
    path = folder / "suppressed.csv"
    result = sync(sqlite_service.url, path, environ=ENV)
    assert result.events == 25
    assert len(SuppressionList.load(path)) == 25


def test_a_wrong_secret_is_refused_and_nothing_changes(
    sqlite_service: Running, folder: Path
) -> None:
    one_click(sqlite_service, "fay@example.org")
    path = folder / "suppressed.csv"
    with pytest.raises(ServiceError, match="refused the sync key"):
        sync(
            sqlite_service.url,
            path,
            environ={"BULLETIN_UNSUBSCRIBE_SECRET": "another-secret-entirely"},
        )
    assert not path.exists()
    assert not sync_state_path(path).exists()


def test_a_service_for_another_list_is_refused(
    sqlite_service: Running, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "bulletin.toml").write_text(
        'schema = 1\nlist_id = "other.example.org"\n', encoding="utf-8"
    )
    with pytest.raises(ServiceError, match="keeps the list"):
        sync(sqlite_service.url, other / "suppressed.csv", environ=ENV)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://unsubscribe.example.org", "is not an https:// address"),
        ("ftp://127.0.0.1/", "is not an https:// address"),
        ("https://user:pw@unsubscribe.example.org", "no user, \\? or #"),
        ("unsubscribe.example.org", "is not an https:// address"),
        ("https://[::1", "is not an address"),
        ("https://unsubscribe.example.org:abc", "is not an address"),
    ],
)
def test_only_https_or_this_computer(url: str, why: str, folder: Path) -> None:
    with pytest.raises(ServiceError, match=why):
        sync(url, folder / "suppressed.csv", environ=ENV)


def test_an_untrusted_certificate_is_refused(folder: Path) -> None:
    """A real TLS server on 127.0.0.1 with a certificate no system authority signed."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import trustme

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"events": []}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(ServiceError, match="certificate could not be verified"):
            sync(url, folder / "suppressed.csv", environ=ENV)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.slow
def test_after_a_sync_the_next_send_leaves_the_reader_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example bulletin: a reader unsubscribes by one click, the editor syncs,
    and the send into an outbox has no message for them."""
    import shutil

    from bulletin.service.app import UnsubscribeApp
    from bulletin.service.config import service_config
    from bulletin.service.storage import open_store
    from tests.service.conftest import run_service

    folder = tmp_path / "dscp"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "dscp-2025-01", folder)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("BULLETIN_UNSUBSCRIBE_SECRET", SECRET)
    config = service_config(folder)
    running, stop = run_service(
        UnsubscribeApp(config, open_store(tmp_path / "u.sqlite3"))
    )
    try:
        link = token("r.owen@example.org", list_id=config.list_id)
        request = urllib.request.Request(
            f"{running.url}/unsubscribe?token={link}",
            data=b"List-Unsubscribe=One-Click",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
        runner = CliRunner()
        synced = runner.invoke(app, ["suppress", "sync", running.url])
        assert synced.exit_code == 0, synced.output
    finally:
        stop()
    sent = runner.invoke(
        app,
        ["send", "edition.md", "--recipients", "recipients.csv", "--outbox", "outbox"],
    )
    assert sent.exit_code == 0, sent.output
    everything = b"".join(path.read_bytes() for path in (folder / "outbox").iterdir())
    assert b"j.hughes@example.org" in everything
    assert b"r.owen@example.org" not in everything
