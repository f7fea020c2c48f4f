"""Fixtures for the unsubscribe service: the app under a real uvicorn on
127.0.0.1, and a real PostgreSQL started in a temporary data folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulletin.mail.unsubscribe import unsubscribe_token
from bulletin.service.app import UnsubscribeApp
from bulletin.service.config import ServiceConfig, service_config
from bulletin.service.server import listening_socket, make_server
from bulletin.service.storage import Store, open_store

SECRET = "a-test-secret-of-enough-length"
OLD_SECRET = "the-secret-before-the-rotation"
LIST_ID = "news.example.org"


def token(address: str, list_id: str = LIST_ID, secret: str = SECRET) -> str:
    return unsubscribe_token(address, list_id, secret)


@pytest.fixture
def config(tmp_path: Path) -> ServiceConfig:
    """The service's settings for a list with a bulletin.toml, both secrets accepted."""
    (tmp_path / "bulletin.toml").write_text(
        'schema = 1\npublisher = "Example Partnership"\n'
        f'list_id = "{LIST_ID}"\n[contact]\nemail = "news@example.org"\n',
        encoding="utf-8",
    )
    return service_config(
        tmp_path,
        environ={"BULLETIN_UNSUBSCRIBE_SECRET": f"{SECRET} {OLD_SECRET}"},
    )


# --- PostgreSQL ------------------------------------------------------------


def _postgres_bin() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server on 127.0.0.1 and a free port; its base URL.

    PostgreSQL refuses to run as root, so as root it runs as the ``postgres``
    user Debian's package makes, in a temporary folder that user owns (outside
    pytest's own, which only root may enter).
    """
    binaries = _postgres_bin()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: run make postgresql")
        pytest.skip("PostgreSQL is not installed (make postgresql installs it)")
    folder = Path(tempfile.mkdtemp(prefix="bulletin-postgres-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    subprocess.run(
        [*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "bulletin",
         "-A", "trust", "--no-sync", "-E", "UTF8"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [*as_user, str(binaries / "postgres"), "-D", str(data), "-p", str(port),
         "-k", str(sockets), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
         "-c", "full_page_writes=off", "-c", "synchronous_commit=off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"postgresql://bulletin@127.0.0.1:{port}"
    import psycopg

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(f"{url}/postgres", connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A new, empty database on the test server, for one test."""
    import psycopg

    name = f"t{uuid.uuid4().hex}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return f"{postgres_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage kind in turn: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "unsubscribes.sqlite3")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    opened = open_store(database)
    yield opened
    opened.close()


# --- The service under uvicorn -----------------------------------------------


@dataclass
class Running:
    """A service running on 127.0.0.1."""

    url: str
    app: UnsubscribeApp

    @property
    def store(self) -> Store:
        return self.app.store


def run_service(app: UnsubscribeApp) -> tuple[Running, Callable[[], None]]:
    """Start ``app`` under uvicorn in a thread; the running service and a stop."""
    sock = listening_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = make_server(app, port=port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return Running(f"http://127.0.0.1:{port}", app), stop


@pytest.fixture
def service(config: ServiceConfig, database: str) -> Iterator[Running]:
    """The service under a real uvicorn on 127.0.0.1, on each kind of storage."""
    running, stop = run_service(UnsubscribeApp(config, open_store(database)))
    yield running
    stop()


@pytest.fixture
def sqlite_service(config: ServiceConfig, tmp_path: Path) -> Iterator[Running]:
    """The service under a real uvicorn, on SQLite only."""
    database = tmp_path / "unsubscribes.sqlite3"
    running, stop = run_service(UnsubscribeApp(config, open_store(database)))
    yield running
    stop()
