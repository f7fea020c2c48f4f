"""Each example written as an editor's Markdown renders exactly as its Python twin.

``examples/<name>/edition.md`` and ``bulletin.toml`` are the same edition and
settings as ``edition.py``; these tests keep the three files in step.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.commands.build import render_source
from bulletin.loading.source import Source, load
from bulletin.model.blocks import Image
from bulletin.model.settings import Settings
from tests.conftest import EXAMPLE_NAMES, EXAMPLES

# The examples written twice, in Markdown and in Python.
TWINS = tuple(
    name for name in EXAMPLE_NAMES if (EXAMPLES / name / "edition.py").exists()
)


def sources(name: str) -> tuple[Source, Source]:
    """The example's Markdown and Python editions, each read with load()."""
    folder = EXAMPLES / name
    return load(folder / "edition.md"), load(folder / "edition.py")


@pytest.mark.parametrize("name", TWINS)
def test_markdown_renders_as_python(name: str) -> None:
    md, py = sources(name)
    # The model first: a difference here gives a readable diff.
    assert md.edition == py.edition
    assert md.layout == py.layout
    assert md.digest == py.digest
    a, b = render_source(md), render_source(py)
    assert a.html == b.html
    assert a.text == b.text
    assert a.web_html == b.web_html
    assert a.assets == b.assets


@pytest.mark.parametrize("name", TWINS)
def test_toml_settings_match_python(name: str) -> None:
    md, py = sources(name)
    assert md.config.path == (EXAMPLES / name / "bulletin.toml").resolve()
    for field in dataclasses.fields(Settings):
        if field.name != "logo":
            assert getattr(md.settings, field.name) == getattr(
                py.settings, field.name
            ), field.name
    # The toml's logo src is resolved from the toml's folder; the Python one is
    # relative to the edition. Both name the same file.
    logo, expected = md.settings.logo, py.settings.logo
    assert logo is not None
    assert expected is not None
    assert (logo.alt, logo.width, logo.link, logo.caption) == (
        expected.alt,
        expected.width,
        expected.link,
        expected.caption,
    )
    assert Path(logo.src) == (EXAMPLES / name / expected.src).resolve()


@pytest.mark.parametrize("written", ["absolute", "relative"])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_markdown_loads_from_another_folder(
    name: str, written: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = EXAMPLES / name / "edition.md"
    expected = load(path)
    monkeypatch.chdir(tmp_path)
    source = load(path if written == "absolute" else os.path.relpath(path, tmp_path))
    assert source.edition == expected.edition
    assert source.settings == expected.settings
    assert source.config.path == (EXAMPLES / name / "bulletin.toml").resolve()
    assert render_source(source).html == render_source(expected).html


@pytest.mark.parametrize(
    ("file", "written"),
    [("café.png", "images/café.png"), ("my photo.png", "<images/my photo.png>")],
)
def test_image_file_name_is_taken_as_written(
    file: str, written: str, tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    (tmp_path / "images").mkdir()
    make_png(f"images/{file}")
    (tmp_path / "edition.md").write_text(
        f"---\ntitle: T\ndate: 2025-01-15\n---\n![A blue square]({written})\n",
        encoding="utf-8",
    )
    source = load(tmp_path / "edition.md")
    image = source.edition.intro[0]
    assert isinstance(image, Image)
    assert image.src == f"images/{file}"
