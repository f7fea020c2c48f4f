"""Starting quickly: options coerced without pydantic, ``--version`` without Typer."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from bulletin._version import __version__
from bulletin.cli import app
from bulletin.cli.base import _quick_coercion, _QuickParam

ROOT = Path(__file__).resolve().parents[2]
EDITION = ROOT / "examples" / "dscp-2025-01" / "edition.md"

VALUES: list[Any] = [
    *["x", "", "a//b/", " x ", "~/x", "-"],
    *["8000", "0800", " 8000", "+5", "-1", "1_000", "8.0", "abc", "٣"],
    *["text", "json", "JSON", "jsn", "bounced", "csv"],
    *[True, False, 0, 5, 2.5, b"bytes", ("a", "b"), ["x"], ("a", 1)],
]


def parameters() -> Iterator[Any]:
    def walk(command: Any) -> Iterator[Any]:
        for param in command.params:
            yield pytest.param(command, param, id=f"{command.name}-{param.name}")
        for sub in getattr(command, "commands", {}).values():
            yield from walk(sub)

    return walk(typer.main.get_command(app))


def outcome(coerce: Any, value: Any, param: Any, ctx: Any) -> tuple[object, ...]:
    try:
        result = coerce(value, param=param, ctx=ctx)
    except Exception as error:
        return "error", type(error), str(error)
    return "value", type(result), result


@pytest.mark.parametrize(("command", "param"), list(parameters()))
def test_quick_coercion_gives_what_typer_gives(command: Any, param: Any) -> None:
    from typer._coercion import build_runtime_param

    quick = _quick_coercion(param.type_descriptor)
    if quick is None or _QuickParam is None:
        pytest.skip("coerced by Typer itself")
    descriptor = param.type_descriptor
    mine = _QuickParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        quick=quick,
    )
    typers = build_runtime_param(descriptor)
    ctx = command.context_class(command)
    for value in VALUES:
        assert outcome(mine.coerce, value, param, ctx) == outcome(
            typers.coerce, value, param, ctx
        ), value


def test_every_option_of_the_commands_is_quick() -> None:
    slow = [
        f"{command.name} {param.name}"
        for command, param in (p.values for p in parameters())
        if _quick_coercion(param.type_descriptor) is None
    ]
    assert slow == []


@pytest.mark.slow
def test_a_build_loads_neither_pydantic_nor_email_validator(tmp_path: Path) -> None:
    code = (
        "import runpy, sys; sys.argv = ['bulletin', 'build', sys.argv[1], '-o', sys.argv[2]]\n"
        "try:\n    runpy.run_module('bulletin', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pydantic', 'email_validator') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(EDITION), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.slow
def test_version_is_what_typer_prints_without_loading_it() -> None:
    code = (
        "import sys; sys.argv = ['bulletin', '--version']\n"
        "from bulletin.cli import main; main()\n"
        "print('typer' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    typers = CliRunner().invoke(app, ["--version"])
    assert typers.exit_code == 0
    assert result.stdout == f"{typers.output}False\n"
    assert typers.output == f"bulletin {__version__}\n"
