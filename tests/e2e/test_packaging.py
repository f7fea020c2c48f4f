"""The wheel: layouts ship inside it and are found from the installed package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("bulletin-*.whl")
    return built


def test_wheel_carries_layouts_and_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bulletin/layouts/classic/layout.toml" in names
    assert "bulletin/layouts/classic/edition.mjml.j2" in names
    assert "bulletin/layouts/compact/layout.toml" in names
    assert "bulletin/py.typed" in names
    assert not any(
        name.startswith(("layouts/", "tests/", "examples/")) for name in names
    )


def test_installed_package_renders_with_its_own_layouts(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import datetime, bulletin\n"
        "from bulletin.rendering.layouts import builtin_layouts_folder\n"
        "print(bulletin.__file__)\n"
        "print(builtin_layouts_folder())\n"
        "e = bulletin.Edition('Installed', datetime.date(2025, 1, 1))\n"
        "e.section('S').paragraph('p')\n"
        "print(len(bulletin.render(e, layout='compact').html) > 1000)\n"
    )
    # Run from an empty folder with only the installed copy on the path first,
    # so neither the source tree nor the editable install can be what is found.
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    module, layouts, rendered = result.stdout.split()
    assert Path(module).is_relative_to(target)
    assert Path(layouts) == target / "bulletin" / "layouts"
    assert rendered == "True"
