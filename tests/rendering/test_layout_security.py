"""A layout folder from the web or an edition from a colleague cannot run code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulletin import Edition, LayoutError, Settings, render
from bulletin.loading.source import load
from bulletin.rendering.layouts import load_layout

PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ self.__init__.__globals__.__builtins__.open('PWNED', 'w') }}",
    "{{ page.__class__.__init__.__globals__ }}",
    "{% set x = edition.sections.append(1) %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
]


def edition() -> Edition:
    news = Edition("News", dt.date(2025, 1, 15))
    news.section("Training").paragraph("Book a place.")
    return news


def hostile_layout(root: Path, payload: str, name: str = "fancy") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "layout.toml").write_text('extends = "classic"\n', encoding="utf-8")
    (folder / "edition.mjml.j2").write_text(
        '{% include "classic/edition.mjml.j2" %}\n' + payload + "\n", encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_templates_escape_from_the_sandbox_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str
) -> None:
    monkeypatch.chdir(tmp_path)
    root = hostile_layout(tmp_path / "layouts", payload)

    with pytest.raises(LayoutError) as caught:
        render(edition(), Settings(layout_paths=(root,)), layout="fancy")

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{root / 'fancy' / 'edition.mjml.j2'}:2: ")
    assert not (tmp_path / "PWNED").exists()


def test_a_fault_in_a_template_names_its_file_and_line(tmp_path: Path) -> None:
    root = hostile_layout(tmp_path / "layouts", "{{ 1 // 0 }}")

    with pytest.raises(LayoutError, match=r"edition\.mjml\.j2:2: ZeroDivisionError"):
        render(edition(), Settings(layout_paths=(root,)), layout="fancy")


def test_a_layout_in_the_working_folder_is_not_picked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A "classic" folder beside the edition used to win over the built-in one.
    hostile_layout(tmp_path, PAYLOADS[0], name="classic")
    monkeypatch.chdir(tmp_path)

    rendered = render(edition())

    assert "Book a place." in rendered.html
    assert load_layout("classic").folders[0] != (tmp_path / "classic").resolve()
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("written", ["../layouts/fancy", "/tmp/fancy", "fancy/", ".."])
def test_an_edition_names_a_layout_and_never_gives_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    hostile_layout(tmp_path / "layouts", PAYLOADS[0])
    folder = tmp_path / "news"
    folder.mkdir()
    monkeypatch.chdir(folder)
    path = folder / "edition.md"
    path.write_text(
        f"---\ntitle: News\ndate: 2025-01-15\nlayout: {written}\n---\n# A\n\nText.\n",
        encoding="utf-8",
    )
    source = load(path)

    with pytest.raises(LayoutError, match="is a path; name a layout instead") as caught:
        render(source.edition, source.settings, layout=source.layout)

    assert "\n" not in str(caught.value)
    assert not (folder / "PWNED").exists()


def test_a_developer_may_still_give_a_folder_as_a_path(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "layout.toml").write_text(
        'extends = "classic"\ndescription = "Mine"\n', encoding="utf-8"
    )

    assert load_layout(folder).description == "Mine"


def test_only_bulletins_own_layouts_run_outside_the_sandbox(tmp_path: Path) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    from bulletin.rendering.template import _environment

    root = hostile_layout(tmp_path / "layouts", "", name="classic")  # overrides it
    own = load_layout("compact")
    theirs = load_layout("classic", (root,))

    assert not isinstance(_environment(own.folders), SandboxedEnvironment)
    assert isinstance(_environment(theirs.folders), SandboxedEnvironment)
