"""The colours a page is drawn in: the layout's, the organisation's, and those that follow its brand.

An organisation that sets only ``brand`` in bulletin.toml (a green partnership)
should not get the layout's blue headings and links beside its green band. So
when a ``brand`` other than the layout's is chosen, each colour below that the layout has and the
organisation did not choose is worked out from the brand instead, each one
readable (4.5:1, WCAG AA) on what it is drawn on:

- ``heading`` and ``link``: the brand, darkened as far as needed on the
  background and the callout background;
- ``rule`` and ``callout_background``: light tints of the brand;
- ``band_text`` and ``button_text``: the layout's (white) when it is readable
  on the brand, else a near black;
- ``dark_heading``, ``dark_link`` and ``dark_callout_background``: the same for
  dark mode, the brand lightened on ``dark_background``.

A colour the organisation chose is never changed: ``check`` says when one is
hard to read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bulletin.model.colours import contrast_ratio

__all__ = ["READABLE", "mix", "palette", "readable"]

READABLE = 4.5
"""The contrast text needs against its background (WCAG 2, level AA)."""

_BLACK, _WHITE, _NEAR_BLACK = "#000000", "#ffffff", "#111111"


def palette(layout: Mapping[str, str], chosen: Mapping[str, str]) -> dict[str, str]:
    """The page's colours: ``chosen`` over ``layout``, with the brand's followers derived.

    Example:
        >>> layout = {"brand": "#1d4f91", "heading": "#1d4f91", "background": "#ffffff"}
        >>> palette(layout, {"brand": "#2e7d32"})["heading"]
        '#2e7d32'
    """
    colours = {**layout, **chosen}
    if chosen.get("brand", "").lower() in ("", layout.get("brand", "").lower()):
        return colours  # the layout's own colours are made for its own brand
    brand = chosen["brand"]

    def follow(name: str, value: str) -> None:
        if name in layout and name not in chosen:
            colours[name] = value

    background = colours.get("background", _WHITE)
    follow("rule", mix(brand, background, 0.35))
    follow("callout_background", mix(brand, background, 0.1))
    on_light = [background, colours.get("callout_background", background)]
    follow("heading", readable(brand, on_light, towards=_BLACK))
    follow("link", readable(brand, on_light, towards=_BLACK))
    for name in ("band_text", "button_text"):
        if name in layout and contrast_ratio(layout[name], brand) < READABLE:
            follow(name, readable(_NEAR_BLACK, [brand], towards=_BLACK))
    dark = colours.get("dark_background")
    if dark is not None:
        follow("dark_callout_background", mix(brand, dark, 0.15))
        on_dark = [dark, colours.get("dark_callout_background", dark)]
        # A light tint of the brand reads better on a dark page than the brand.
        tint = mix(brand, _WHITE, 0.4)
        follow("dark_heading", readable(tint, on_dark, towards=_WHITE))
        follow("dark_link", readable(tint, on_dark, towards=_WHITE))
    return colours


def readable(colour: str, backgrounds: Iterable[str], *, towards: str) -> str:
    """``colour`` moved towards ``towards`` just far enough to read on each background.

    Example:
        >>> readable("#8bc34a", ["#ffffff"], towards="#000000")
        '#5a7f30'
    """
    grounds = list(backgrounds)
    for step in range(41):
        candidate = mix(towards, colour, step / 40)
        if all(contrast_ratio(candidate, ground) >= READABLE for ground in grounds):
            return candidate
    return towards


def mix(colour: str, other: str, amount: float) -> str:
    """``amount`` of ``colour`` with the rest ``other``, channel by channel (``#rrggbb``).

    Example:
        >>> mix("#000000", "#ffffff", 0.5)
        '#808080'
    """
    channels = (
        round(
            int(colour[i : i + 2], 16) * amount
            + int(other[i : i + 2], 16) * (1 - amount)
        )
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{channel:02x}" for channel in channels)
