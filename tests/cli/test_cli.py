"""The command line: ``bulletin --version``, ``--help``, ``layouts``."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from bulletin import __version__
from bulletin.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"bulletin {__version__}"


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Build and send email bulletins" in result.output
    assert "layouts" in result.output


def test_layouts_lists_built_in_layouts_with_descriptions() -> None:
    result = runner.invoke(app, ["layouts"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("classic") and "newsletter" in line for line in lines)
    assert any(line.startswith("compact") and "text-heavy" in line for line in lines)


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bulletin", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"bulletin {__version__}"
