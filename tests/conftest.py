"""Shared fixtures: the example editions, rendered once per session."""

from __future__ import annotations

import os
import runpy
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bulletin import Edition, Rendered, Settings, render
from bulletin.loading.source import load
from tests.smtpserver import SmtpServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REFERENCE = ROOT / "tests" / "e2e" / "reference"
EXAMPLE_NAMES = ("dscp-2025-01", "dscb-2019-02", "escp-annual-report-2024-25")


@dataclass(frozen=True)
class Example:
    """One example edition, its settings, folder and rendering."""

    name: str
    folder: Path
    edition: Edition
    settings: Settings
    rendered: Rendered
    """The email as sent: a digest when the edition's front matter says so."""


def pytest_configure(config: pytest.Config) -> None:
    """Keep bulletin's own cache (compiled templates) and state (send journals)
    inside the test run."""
    if "BULLETIN_CACHE_DIR" not in os.environ:
        os.environ["BULLETIN_CACHE_DIR"] = tempfile.mkdtemp(prefix="bulletin-cache-")
    if "BULLETIN_STATE_DIR" not in os.environ:
        os.environ["BULLETIN_STATE_DIR"] = tempfile.mkdtemp(prefix="bulletin-state-")


def load_example(name: str) -> tuple[Edition, Settings]:
    """Run ``examples/<name>/edition.py`` and return its edition and settings;
    an example without a Python twin is read from its ``edition.md``."""
    folder = EXAMPLES / name
    if not (folder / "edition.py").exists():
        source = load(folder / "edition.md")
        return source.edition, source.settings
    names = runpy.run_path(str(folder / "edition.py"))
    return names["edition"], names["settings"]


@pytest.fixture(scope="session")
def examples() -> dict[str, Example]:
    """Every example, rendered with its own settings and the classic layout."""
    loaded: dict[str, Example] = {}
    for name in EXAMPLE_NAMES:
        edition, settings = load_example(name)
        folder = EXAMPLES / name
        digest = load(folder / "edition.md").digest
        rendered = render(edition, settings, base_dir=folder, digest=digest)
        loaded[name] = Example(name, folder, edition, settings, rendered)
    return loaded


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the January 2025 example: bulletin.toml, the edition, its lists."""
    copy = tmp_path / "dscp"
    shutil.copytree(EXAMPLES / "dscp-2025-01", copy)
    return copy


@pytest.fixture
def edition(folder: Path) -> Path:
    """The copied example's edition.md."""
    return folder / "edition.md"


@pytest.fixture
def recipients(folder: Path) -> Path:
    """The copied example's recipients.csv (8 rows: 1 suppressed, 1 repeated)."""
    return folder / "recipients.csv"


@pytest.fixture
def make_png(tmp_path: Path) -> Callable[..., Path]:
    """Write a PNG of the given size (and mode) into tmp_path; return its path."""
    from PIL import Image as Pillow

    def make(
        name: str = "picture.png", size: tuple[int, int] = (800, 400), mode: str = "RGB"
    ) -> Path:
        path = tmp_path / name
        colour = (30, 90, 160, 255) if mode == "RGBA" else (30, 90, 160)
        picture = Pillow.new(
            mode, size, colour[: len(mode)] if mode in ("RGB", "RGBA") else 128
        )
        picture.save(path)
        return path

    return make


@pytest.fixture
def smtp_server_factory(tmp_path: Path) -> Iterator[Callable[..., SmtpServer]]:
    """Start SMTP servers on 127.0.0.1 with the given options; stop them all after."""
    servers: list[SmtpServer] = []

    def make(**options: Any) -> SmtpServer:
        workdir = tmp_path / f"smtp-{len(servers) + 1}"
        servers.append(SmtpServer(workdir=workdir, **options).start())
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SmtpServer]) -> SmtpServer:
    """An SMTP server requiring STARTTLS and AUTH (see tests/smtpserver.py)."""
    return smtp_server_factory()
