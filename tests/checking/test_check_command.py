"""``bulletin check --ignore CODE``: the CLI passes codes through and reports a mistyped one.

(Beside the rules it drives; the other ``check`` tests are in tests/cli.)
"""

from __future__ import annotations

from typer.testing import CliRunner

from bulletin.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()

JANUARY = EXAMPLES / "dscp-2025-01" / "edition.md"
"""Its only findings are vague links ("click HERE")."""


def test_ignore_leaves_a_kind_of_finding_out() -> None:
    before = runner.invoke(app, ["check", "--strict", str(JANUARY)])
    after = runner.invoke(
        app, ["check", "--strict", "--ignore", "vague-link", str(JANUARY)]
    )

    assert before.exit_code == 1
    assert "vague-link" not in before.stdout, "the text form shows messages"
    assert "does not say where it goes" in before.stdout
    assert after.exit_code == 0, after.output
    assert after.stdout.startswith("0 errors, 0 warnings; ")
    assert after.stdout.endswith(": ready to send\n")


def test_ignore_is_repeatable() -> None:
    result = runner.invoke(
        app,
        [
            "check",
            "-f",
            "json",
            "--ignore",
            "clipped",
            "--ignore",
            "vague-link",
            str(JANUARY),
        ],
    )

    assert result.exit_code == 0, result.output
    assert '"findings": []' in result.stdout


def test_an_unknown_code_is_one_line_naming_the_close_ones() -> None:
    result = runner.invoke(app, ["check", "--ignore", "vage-link", str(JANUARY)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: unknown check code 'vage-link'; did you mean vague-link"
    )
    assert result.stderr.count("\n") == 1
