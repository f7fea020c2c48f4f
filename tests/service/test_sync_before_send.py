"""With ``[unsubscribe] service_url``, a send syncs first, and refuses on a stale list."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bulletin.cli import app
from bulletin.commands.sync import last_sync, sync_before_send
from tests.service.conftest import SECRET, Running, run_service, token

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[2] / "examples" / "dscp-2025-01"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "dscp"
    shutil.copytree(EXAMPLE, path)
    monkeypatch.chdir(path)
    monkeypatch.setenv("BULLETIN_UNSUBSCRIBE_SECRET", SECRET)
    return path


@pytest.fixture
def service(folder: Path, tmp_path: Path) -> Iterator[Running]:
    from bulletin.service.app import UnsubscribeApp
    from bulletin.service.config import service_config
    from bulletin.service.storage import open_store

    running, stop = run_service(
        UnsubscribeApp(service_config(folder), open_store(tmp_path / "u.sqlite3"))
    )
    yield running
    stop()


def with_service(folder: Path, url: str, extra: str = "") -> None:
    config = folder / "bulletin.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[unsubscribe]\nservice_url = "{url}"\n{extra}',
        encoding="utf-8",
    )


def send(folder: Path) -> Result:
    return CliRunner().invoke(
        app,
        ["send", "edition.md", "--recipients", "recipients.csv", "--outbox", "outbox"],
    )


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_a_send_syncs_first_and_leaves_out_who_just_unsubscribed(
    folder: Path, service: Running
) -> None:
    from bulletin.commands.build import build  # noqa: F401 - the example builds
    from bulletin.loading.source import load
    from bulletin.mail.message import list_id
    from tests.service.conftest import LIST_ID  # noqa: F401

    listed = list_id(load(folder / "edition.md").settings)
    request = urllib.request.Request(
        f"{service.url}/unsubscribe?token={token('r.owen@example.org', list_id=listed)}",
        data=b"List-Unsubscribe=One-Click",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    with_service(folder, service.url)

    result = send(folder)

    assert result.exit_code == 0, result.output
    assert "from the unsubscribe service: 1 unsubscribed" in result.output
    everything = b"".join(path.read_bytes() for path in (folder / "outbox").iterdir())
    assert b"j.hughes@example.org" in everything
    assert b"r.owen@example.org" not in everything


def test_a_send_refuses_when_the_service_cannot_be_reached_and_never_was(
    folder: Path,
) -> None:
    url = closed_port()
    with_service(folder, url)

    result = send(folder)

    assert result.exit_code == 1
    assert f"cannot sync unsubscribes from {url}" in result.output
    assert "synced never" in result.output
    assert not (folder / "outbox").exists()


def test_a_passing_outage_does_not_stop_a_send_after_a_recent_sync(
    folder: Path, service: Running
) -> None:
    suppressions = folder / "suppressed.csv"
    synced_at = dt.datetime.now(dt.UTC)
    synced, stale = sync_before_send(
        {"service_url": service.url}, suppressions, now=synced_at
    )
    assert synced is not None
    assert stale is None
    assert last_sync(suppressions, service.url) == synced_at

    def outage(hours: float, **table: object) -> str | None:
        return sync_before_send(
            {"service_url": service.url, **table},
            suppressions,
            now=synced_at + dt.timedelta(hours=hours),
            fetch=_refusing,
        )[1]

    assert outage(2) is None  # within the day: the send goes on
    assert outage(25) is not None  # a day and more: refused
    assert "longer ago than 1 hours" in (outage(2, max_sync_age_hours=1) or "")


def _refusing(request: urllib.request.Request) -> bytes:
    from bulletin.errors import ServiceError

    raise ServiceError("the service did not answer")
