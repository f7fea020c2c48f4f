"""Typos an editor makes are one-line errors at their place, never tracebacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulletin import Button, ContentError, Edition, Image, LayoutError, Settings, render
from bulletin.loading.source import parse_markdown
from bulletin.rendering.layouts import load_layout


def problem(text: str, tmp_path: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse_markdown(text, tmp_path / "edition.md")
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", "'2025-02-30' is not a date on the calendar"),
        ("2025-13-01", "'2025-13-01' is not a date on the calendar"),
        ("9" * 5000, "is not a value bulletin can read (ValueError)"),
    ],
    ids=["30-february", "month-13", "5000-digits"],
)
def test_a_value_yaml_cannot_make_is_placed(
    value: str, message: str, tmp_path: Path
) -> None:
    error = problem(f"---\ntitle: News\ndate: {value}\n---\n# A\n\nText.\n", tmp_path)

    assert (error.location.line, error.location.column) == (3, 7)
    assert message in error.message
    assert len(error.message) < 200


@pytest.mark.parametrize(
    "body",
    [
        "::: button\n[Go](https://[example.org/)\n:::\n",
        "![A picture](https://[example.org/a.png)\n",
        "::: contact\nname: Us\nwebsite: https://[example.org/\n:::\n",
    ],
    ids=["button", "image", "contact"],
)
def test_a_bracket_in_a_host_is_a_placed_error(body: str, tmp_path: Path) -> None:
    error = problem(f"---\ntitle: News\ndate: 2025-01-15\n---\n# A\n\n{body}", tmp_path)

    assert error.location.line is not None
    assert "is not a web address" in error.message


@pytest.mark.parametrize(
    "make",
    [
        lambda: Button("Go", "https://[x/"),
        lambda: Image("https://[x/a.png", "A picture"),
        lambda: Settings(view_online_url="https://[x/{slug}"),
        lambda: Settings(image_base_url="https://[x/"),
        lambda: Settings(unsubscribe_url="https://x.org/u?t={token}<script>"),
        lambda: Settings(date_format="{day:>999999999} {month}"),
        lambda: Settings(date_format="{day!r} {month}"),
        lambda: Settings(font_stack="Arial; background: red"),
        lambda: Settings(font_stack="expression(alert(1))"),
    ],
    ids=[
        "button",
        "image",
        "view-online",
        "image-base",
        "angle-brackets",
        "format-spec",
        "conversion",
        "semicolon",
        "expression",
    ],
)
def test_the_python_api_refuses_with_a_content_error(make: object) -> None:
    assert callable(make)
    with pytest.raises(ContentError) as caught:
        make()

    assert "\n" not in str(caught.value)


def write_layout(root: Path, toml: str) -> Path:
    folder = root / "mine"
    folder.mkdir(parents=True)
    (folder / "layout.toml").write_text(
        'extends = "classic"\n' + toml, encoding="utf-8"
    )
    return root


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('date_format = "{day:>999999999}"\n', "date_format"),
        ('font_stack = "x; background: url(evil)"\n', "font_stack"),
        ('[colours]\nbrand = "red; } body { display: none"\n', "is not a colour"),
        ("width = 100000000\n", "width must be 320 to 1200"),
    ],
    ids=["date-format", "font-stack", "colour", "width"],
)
def test_a_downloaded_layouts_settings_are_checked(
    toml: str, message: str, tmp_path: Path
) -> None:
    root = write_layout(tmp_path, toml)

    with pytest.raises(LayoutError, match=message) as caught:
        load_layout("mine", (root,))

    assert "\n" not in str(caught.value)


def test_a_date_format_without_specs_still_works() -> None:
    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("A").paragraph("Text.")

    rendered = render(edition, Settings(date_format="{month} {year}"))

    assert "January 2025" in rendered.text
