"""Whatever the input, the command line answers in lines, never with a traceback.

Mutated copies of the examples (lines dropped, doubled, swapped, characters
inserted) go through ``bulletin check`` and ``bulletin build``: each either
works or says what is wrong, and exits 0 or 1. A real bug (an exception that
is not a BulletinError) is one line too, exit code 2, unless ``--debug``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bulletin.cli import app
from tests.conftest import EXAMPLES

SOURCE = (EXAMPLES / "dscb-2019-02" / "edition.md").read_text(encoding="utf-8")
LINES = SOURCE.split("\n")
NASTY = [
    "",
    "---",
    ":::",
    "# ",
    "## ",
    "> ",
    "- ",
    "<!--",
    "-->",
    "{{",
    "}}",
    "|",
    "![",
    "](",
    "\x00",
    "\t",
    "\u202e",
    "&#0;",
    "9" * 5000,
    "2025-02-30",
    "&a",
    "*a",
    "!!python/name:os.system",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["drop", "double", "swap", "insert", "splice"]))
        if kind == "drop":
            del lines[where]
        elif kind == "double":
            lines.insert(where, lines[where])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[where], lines[other] = lines[other], lines[where]
        elif kind == "insert":
            lines.insert(where, draw(st.sampled_from(NASTY)))
        else:
            column = draw(st.integers(0, len(lines[where])))
            text = draw(st.sampled_from(NASTY))
            lines[where] = lines[where][:column] + text + lines[where][column:]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "dscb-2019-02"
    shutil.copytree(EXAMPLES / "dscb-2019-02", path)
    return path


def assert_answered(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    output = result.output
    assert result.exit_code in (0, 1), output
    assert "Traceback" not in output
    assert "bug in bulletin" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated())
@example(text=SOURCE.replace("date: ", "date: 2025-02-30 #", 1))
@example(text=SOURCE.replace("---\n", "---\nx: &a [*a]\n", 1))
def test_a_mutated_example_is_built_or_refused_in_words(
    folder: Path, text: str
) -> None:
    edition = folder / "edition.md"
    edition.write_text(text, encoding="utf-8")

    assert_answered(["check", str(edition)])
    assert_answered(["build", str(edition), "-o", str(folder / "out")])


def test_a_bug_is_one_line_with_what_to_do(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr("bulletin.commands.build.build", broken)

    result = CliRunner().invoke(app, ["build", str(folder / "edition.md")])

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: bulletin failed unexpectedly (RuntimeError: something nobody "
        "foresaw); this is a bug in bulletin: run the command again with --debug "
        "and report what it prints"
    ]


def test_debug_shows_the_traceback_of_a_bug(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr("bulletin.commands.build.build", broken)

    result = CliRunner().invoke(app, ["--debug", "build", str(folder / "edition.md")])

    assert isinstance(result.exception, RuntimeError)
