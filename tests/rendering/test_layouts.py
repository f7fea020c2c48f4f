"""Layouts: discovery, defaults, extension by user folders, words and contrast."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from bulletin import (
    Edition,
    LayoutError,
    Settings,
    available_layouts,
    load_layout,
    render,
)
from bulletin.model.colours import contrast_ratio
from bulletin.rendering.layouts import builtin_layouts_folder


def edition() -> Edition:
    result = Edition("Layout test", dt.date(2025, 3, 4))
    result.section("Only").paragraph("Text.")
    return result


def test_built_in_layouts_are_found() -> None:
    layouts = available_layouts()
    assert {"classic", "compact"} <= set(layouts)
    assert layouts["classic"] == builtin_layouts_folder() / "classic"


@pytest.mark.parametrize("name", ["classic", "compact"])
def test_built_in_colours_reach_aa_contrast(name: str) -> None:
    layout = load_layout(name)
    assert layout.contrast, "a layout should declare the colour pairs it relies on"
    for foreground, background in layout.contrast:
        ratio = contrast_ratio(layout.colours[foreground], layout.colours[background])
        assert ratio >= 4.5, f"{name}: {foreground} on {background} is {ratio:.2f}:1"


def test_compact_extends_classic() -> None:
    compact = load_layout("compact")
    classic = load_layout("classic")
    assert compact.folders == (
        builtin_layouts_folder() / "compact",
        builtin_layouts_folder() / "classic",
    )
    assert compact.width == 640
    assert compact.colours["background"] == classic.colours["background"]
    assert compact.colours["brand"] != classic.colours["brand"]
    assert compact.words("cy")["in_this_edition"] == "Yn y rhifyn hwn"


def test_words_fall_back_from_region_to_language_to_english() -> None:
    layout = load_layout("classic")
    assert layout.words("en-GB")["unsubscribe"] == "Unsubscribe"
    assert layout.words("cy-GB")["unsubscribe"] == "Dad-danysgrifio"
    assert layout.words("fr")["unsubscribe"] == "Unsubscribe"
    assert layout.month_names("cy")[0] == "Ionawr"
    assert layout.month_names("de")[0] == "January"


def test_unknown_layout_names_the_available_ones() -> None:
    with pytest.raises(
        LayoutError, match=r"unknown layout 'fancy'; available: classic, compact"
    ):
        load_layout("fancy")


def write_layout(
    folder: Path, toml: str, templates: dict[str, str] | None = None
) -> Path:
    folder.mkdir(parents=True)
    (folder / "layout.toml").write_text(toml, encoding="utf-8")
    for name, body in (templates or {}).items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def test_user_layout_extends_a_built_in_one(tmp_path: Path) -> None:
    write_layout(
        tmp_path / "ours",
        'description = "Ours"\nextends = "classic"\n[colours]\nbrand = "#6a1b9a"\n',
        {"dark.mjml.j2": "<mj-style>.ours { color: red }</mj-style>"},
    )
    rendered = render(edition(), Settings(layout_paths=(tmp_path,)), layout="ours")
    assert "#6a1b9a" in rendered.html
    assert ".ours { color: red }" in rendered.html
    assert "prefers-color-scheme" not in rendered.html  # the replaced template is gone


def test_user_folder_overrides_a_built_in_layout_of_the_same_name(
    tmp_path: Path,
) -> None:
    write_layout(
        tmp_path / "classic",
        'description = "Local classic"\nextends = "classic"\nwidth = 560\n',
    )
    layout = load_layout("classic", [tmp_path])
    assert layout.description == "Local classic"
    assert layout.width == 560
    assert layout.folders[1] == builtin_layouts_folder() / "classic"
    assert "width:560px" in render(edition(), Settings(layout_paths=(tmp_path,))).html


def test_a_layout_folder_can_be_given_by_path(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(builtin_layouts_folder() / "classic", folder)
    assert load_layout(folder).folders == (folder.resolve(),)


def test_unknown_setting_in_layout_toml_is_named(tmp_path: Path) -> None:
    write_layout(tmp_path / "bad", 'extends = "classic"\nwidht = 600\n')
    with pytest.raises(
        LayoutError,
        match=r"layout.toml: unknown setting 'widht' \(did you mean 'width'\?\)",
    ):
        load_layout("bad", [tmp_path])


def test_invalid_toml_is_a_layout_error(tmp_path: Path) -> None:
    write_layout(tmp_path / "bad", "extends = \n")
    with pytest.raises(LayoutError, match=r"layout\.toml"):
        load_layout("bad", [tmp_path])


def test_template_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    write_layout(
        tmp_path / "bad",
        'extends = "classic"\n',
        {"dark.mjml.j2": "<mj-style>\n{% if %}</mj-style>"},
    )
    with pytest.raises(LayoutError, match=r"dark.mjml.j2:2: "):
        render(edition(), Settings(layout_paths=(tmp_path,)), layout="bad")


def test_template_with_a_misspelt_mjml_attribute_fails(tmp_path: Path) -> None:
    write_layout(
        tmp_path / "bad",
        'extends = "classic"\n',
        {"dark.mjml.j2": '<mj-style inlin="inline">x</mj-style>'},
    )
    with pytest.raises(
        LayoutError,
        match=r"layout 'bad': MJML line \d+: unknown attribute 'inlin' on <mj-style>",
    ):
        render(edition(), Settings(layout_paths=(tmp_path,)), layout="bad")


def test_template_with_an_unknown_name_fails(tmp_path: Path) -> None:
    write_layout(
        tmp_path / "bad",
        'extends = "classic"\n',
        {"dark.mjml.j2": "{{ page.nonsense }}"},
    )
    with pytest.raises(LayoutError, match="nonsense"):
        render(edition(), Settings(layout_paths=(tmp_path,)), layout="bad")


def test_autoescape_is_on_in_templates(tmp_path: Path) -> None:
    hostile = Edition('A <b>"bold"</b> & title', dt.date(2025, 1, 1))
    hostile.section("<i>Heading</i>").paragraph("x")
    html = render(hostile).html
    assert "<b>" not in html
    assert "<i>Heading</i>" not in html
    assert "&lt;i&gt;Heading&lt;/i&gt;" in html


def test_an_edited_layout_toml_is_read_again(tmp_path: Path) -> None:
    folder = write_layout(tmp_path / "live", 'extends = "classic"\nwidth = 560\n')
    assert load_layout("live", [tmp_path]).width == 560
    (folder / "layout.toml").write_text(
        'extends = "classic"\nwidth = 580\n', encoding="utf-8"
    )
    stat = (folder / "layout.toml").stat()
    os.utime(
        folder / "layout.toml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000)
    )
    assert load_layout("live", [tmp_path]).width == 580
