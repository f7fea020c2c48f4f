"""The public API is declared once: ``__all__`` sorted and complete (as httpx does)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import bulletin


def test_all_is_sorted_and_complete() -> None:
    exported = bulletin.__all__
    assert exported == sorted(exported)
    public = {name for name in dir(bulletin) if not name.startswith("_")} - {
        module.name for module in pkgutil.iter_modules(bulletin.__path__)
    }
    public -= {"annotations", "TYPE_CHECKING", "Any"}
    assert public <= set(exported) | {"rendering"}
    for name in exported:
        assert getattr(bulletin, name) is not None


def test_no_module_shadows_what_the_facade_exports() -> None:
    """A ``render/`` package would hide ``bulletin.render()`` once imported."""
    modules = {module.name for module in pkgutil.iter_modules(bulletin.__path__)}
    assert modules >= {"model", "loading", "rendering", "checking", "sending", "cli"}
    assert modules.isdisjoint(bulletin.__all__), modules & set(bulletin.__all__)


def test_every_module_declares_all() -> None:
    for module in pkgutil.walk_packages(bulletin.__path__, "bulletin."):
        if module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        assert hasattr(loaded, "__all__"), module.name
        assert list(loaded.__all__) == sorted(loaded.__all__, key=_isort_style), (
            module.name
        )
        for name in loaded.__all__:
            assert hasattr(loaded, name), f"{module.name}.{name}"


def test_import_does_not_load_the_cli_or_the_renderer() -> None:
    code = (
        "import sys, bulletin; "
        "print(sorted(m for m in ('typer', 'click', 'jinja2', 'premailer', 'mjml', 'PIL', 'markdown_it', 'yaml', 'watchfiles') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _isort_style(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return 0, name
    return (1 if name[0].isupper() else 2), name
