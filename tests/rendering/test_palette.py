"""Colours that follow the brand: derived readable, chosen ones never changed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulletin import Edition, Settings, render
from bulletin.model.colours import contrast_ratio
from bulletin.rendering.layouts import load_layout
from bulletin.rendering.palette import READABLE, mix, palette, readable

LAYOUTS = {name: load_layout(name) for name in ("classic", "compact")}

colours = st.integers(0, 0xFFFFFF).map(lambda value: f"#{value:06x}")


@pytest.mark.parametrize("name", LAYOUTS)
@given(brand=colours)
def test_every_pair_the_layout_names_is_readable_whatever_the_brand(
    name: str, brand: str
) -> None:
    layout = LAYOUTS[name]

    page = palette(layout.colours, {"brand": brand})

    for foreground, background in layout.contrast:
        ratio = contrast_ratio(page[foreground], page[background])
        assert ratio >= READABLE, (foreground, background, page[foreground], ratio)


def test_a_green_brand_makes_headings_and_links_green_not_the_layouts_blue() -> None:
    layout = LAYOUTS["classic"]

    page = palette(layout.colours, {"brand": "#1f5c3a"})

    assert page["heading"] == "#1f5c3a"
    assert page["link"] == "#1f5c3a"
    assert page["dark_heading"] != layout.colours["dark_heading"]
    green = int(page["callout_background"][3:5], 16)
    assert green > int(page["callout_background"][1:3], 16)  # a green tint


def test_a_colour_the_organisation_chose_is_kept_as_chosen() -> None:
    layout = LAYOUTS["classic"]

    page = palette(layout.colours, {"brand": "#ffcc00", "link": "#ffdd00"})

    assert page["link"] == "#ffdd00"  # unreadable, and check says so; never changed
    assert page["heading"] != layout.colours["heading"]


@pytest.mark.parametrize("chosen", [{}, {"brand": "#1D4F91"}, {"text": "#111111"}])
def test_without_a_new_brand_the_layouts_own_colours_are_used(
    chosen: dict[str, str],
) -> None:
    layout = LAYOUTS["classic"]

    page = palette(layout.colours, chosen)

    assert page == {**layout.colours, **chosen}


def test_readable_moves_no_further_than_needed() -> None:
    assert readable("#000000", ["#ffffff"], towards="#000000") == "#000000"
    moved = readable("#8bc34a", ["#ffffff"], towards="#000000")
    steps = [mix("#000000", "#8bc34a", step / 40) for step in range(41)]
    used = steps.index(moved)
    assert used > 0
    assert contrast_ratio(moved, "#ffffff") >= READABLE
    assert contrast_ratio(steps[used - 1], "#ffffff") < READABLE


def test_the_rendered_email_uses_the_derived_colours() -> None:
    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("Training").paragraph("See [the list](https://example.org/).")
    edition.section("Events").paragraph("More soon.")

    html = render(edition, Settings(colours={"brand": "#1f5c3a"})).html

    assert "#1a5a9e" not in html  # the layout's blue link
    assert "color:#1f5c3a" in html
