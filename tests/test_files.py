"""Where bulletin keeps its own files, and the import it defers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin.files import cache_folder, user_cache_root


def test_cache_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "cache"))
    folder = cache_folder("templates")
    assert folder == tmp_path / "cache" / "templates"
    assert folder.is_dir()


def test_an_empty_cache_dir_turns_the_cache_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BULLETIN_CACHE_DIR", "")
    assert user_cache_root() is None
    assert cache_folder("templates") is None


def test_xdg_cache_home_is_honoured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BULLETIN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform in ("win32", "darwin"):
        pytest.skip("XDG applies on Linux and other Unix systems")
    assert user_cache_root() == tmp_path / "bulletin"


def test_compiled_templates_are_cached_between_processes(tmp_path: Path) -> None:
    code = (
        "from datetime import date; from bulletin import Edition, render; "
        "e = Edition('News', date(2025, 1, 15)); e.section('A').paragraph('x'); render(e)"
    )
    env = {**os.environ, "BULLETIN_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert list((tmp_path / "templates-own").glob("*.cache"))


def test_a_compiled_template_someone_else_could_write_is_not_run(
    tmp_path: Path,
) -> None:
    import jinja2

    from bulletin.rendering.template import _OwnBytecodeCache

    environment = jinja2.Environment()
    source = "{{ 1 + 1 }}"
    written = jinja2.bccache.Bucket(environment, "key", "checksum")
    written.code = environment.compile(source)
    cache = _OwnBytecodeCache(tmp_path)
    cache.dump_bytecode(written)
    read = jinja2.bccache.Bucket(environment, "key", "checksum")
    cache.load_bytecode(read)
    assert read.code is not None, "this user's own cache is used"

    tmp_path.chmod(0o777)  # now anyone could have put code there
    again = jinja2.bccache.Bucket(environment, "key", "checksum")
    cache.load_bytecode(again)

    assert again.code is None


def test_rendering_does_not_load_requests_but_requests_still_works() -> None:
    """premailer imports requests; a render never uses it, so it is loaded on use."""
    code = (
        "import sys; from datetime import date; from bulletin import Edition, render; "
        "e = Edition('News', date(2025, 1, 15)); e.section('A').paragraph('x'); render(e); "
        "print('urllib3' in sys.modules); import requests; "
        "print(callable(requests.get), 'urllib3' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True", "True"]
