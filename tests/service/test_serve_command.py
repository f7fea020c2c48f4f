"""``bulletin serve`` as an editor or a systemd unit runs it: a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulletin.cli import app
from tests.service.conftest import LIST_ID, SECRET, token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_bulletin_serve_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / "bulletin.toml").write_text(
        f'schema = 1\npublisher = "Example Partnership"\nlist_id = "{LIST_ID}"\n',
        encoding="utf-8",
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "BULLETIN_UNSUBSCRIBE_SECRET": SECRET},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/health", timeout=2
                ) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/unsubscribe?token={token('ann@example.org')}",
            data=b"List-Unsubscribe=One-Click",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    # uvicorn shuts down cleanly, then ends as Ctrl-C ends a program (130).
    assert server.returncode in (0, 130, -signal.SIGINT), err
    assert "Traceback" not in err
    assert "Application shutdown complete" in err
    assert f"Unsubscribe service for {LIST_ID}" in out
    assert "POST '/unsubscribe' 200" in err
    assert "ann@example.org" not in out + err
    assert token("ann@example.org").split(".")[0] not in out + err
    assert (tmp_path / "unsubscribes.sqlite3").is_file()


def test_without_a_secret_serve_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BULLETIN_UNSUBSCRIBE_SECRET", raising=False)
    result = CliRunner().invoke(app, ["serve", "--list-id", LIST_ID])
    assert result.exit_code == 1
    assert "BULLETIN_UNSUBSCRIBE_SECRET" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception), result.exception


def test_without_a_list_id_serve_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BULLETIN_UNSUBSCRIBE_SECRET", SECRET)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "no list id" in result.output
