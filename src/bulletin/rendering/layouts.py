"""Layouts: folders of Jinja2 templates that produce MJML, with their defaults.

A layout is a folder ``<name>/`` holding ``layout.toml`` and templates; the
entry template is ``edition.mjml.j2``. Built-in layouts ship inside the
package. A user's own layout folders are searched first: a folder with the
name of a built-in one overrides it, and ``extends = "classic"`` in its
``layout.toml`` takes every template and default it does not define from the
named layout (so a layout may be one changed template and a few colours).

``layout.toml``::

    description = "One line shown by `bulletin layouts`"
    extends = "classic"          # optional
    width = 600                  # the email's width in px
    gutter = 24                  # space each side of the content
    font_stack = "Arial, Helvetica, sans-serif"
    date_format = "{day} {month} {year}"
    contrast = [["text", "background"]]   # colour pairs that must reach 4.5:1
    [colours]
    brand = "#1d4f91"
    [strings.en]
    in_this_edition = "In this edition"
    [months]
    en = ["January", ...]
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin.errors import ContentError, LayoutError
from bulletin.model.settings import DEFAULT_LAYOUT, FONT_STACK, check_date_format

__all__ = [
    "DEFAULT_LAYOUT",
    "Layout",
    "available_layouts",
    "builtin_layouts_folder",
    "load_layout",
]

ENTRY_TEMPLATE = "edition.mjml.j2"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_KEYS = {
    "description",
    "extends",
    "width",
    "gutter",
    "font_stack",
    "date_format",
    "contrast",
    "colours",
    "strings",
    "months",
}


def builtin_layouts_folder() -> Path:
    """The folder of built-in layouts: inside the installed package, or the source tree."""
    packaged = Path(__file__).resolve().parents[1] / "layouts"
    if packaged.is_dir():
        return packaged
    source_tree = Path(__file__).resolve().parents[3] / "layouts"
    if source_tree.is_dir():
        return source_tree
    raise LayoutError(  # pragma: no cover - a broken installation
        f"built-in layouts not found in {packaged}; reinstall bulletin"
    )


def available_layouts(search_path: Sequence[Path] = ()) -> dict[str, Path]:
    """Map each layout name to its folder; earlier search folders win."""
    return _scan((*map(Path, search_path), builtin_layouts_folder()))


def _scan(
    roots: Sequence[Path], exclude: frozenset[Path] = frozenset()
) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for candidate in sorted(root.iterdir()):
            if (
                candidate / "layout.toml"
            ).is_file() and candidate.resolve() not in exclude:
                found.setdefault(candidate.name, candidate.resolve())
    return found


@dataclass(frozen=True, slots=True)
class Layout:
    """A resolved layout: its folders (own first, then what it extends) and settings."""

    name: str
    """The layout's name."""
    description: str
    """One line saying what it is for."""
    folders: tuple[Path, ...]
    """Template folders, searched in order."""
    width: int
    """The email's width in CSS pixels."""
    gutter: int
    """Space left and right of the content, in CSS pixels."""
    font_stack: str
    """The default CSS font-family list."""
    date_format: str
    """How the issue date is written; ``{day}``, ``{month}`` and ``{year}`` are filled in."""
    colours: Mapping[str, str]
    """Colours by name."""
    strings: Mapping[str, Mapping[str, str]]
    """The layout's own words, by language (``en``, ``cy``...)."""
    months: Mapping[str, tuple[str, ...]]
    """Month names by language."""
    contrast: tuple[tuple[str, str], ...]
    """Pairs of colour names (text, background) that must reach 4.5:1."""

    def words(self, language: str, overrides: Mapping[str, str] = {}) -> dict[str, str]:
        """The layout's words for ``language`` (``en-GB`` falls back to ``en``)."""
        words: dict[str, str] = {}
        for tag in ("en", *_language_chain(language)):
            words.update(self.strings.get(tag, {}))
        words.update(overrides)
        return words

    def month_names(self, language: str) -> tuple[str, ...]:
        """Twelve month names for ``language``, falling back to English."""
        for tag in reversed(_language_chain(language)):
            if tag in self.months:
                return self.months[tag]
        return self.months["en"]


def _language_chain(language: str) -> list[str]:
    """``en-GB`` -> ``["en", "en-GB"]``: general first, specific last."""
    parts = language.split("-")
    return ["-".join(parts[: index + 1]) for index in range(len(parts))]


def load_layout(
    name: str | Path = DEFAULT_LAYOUT, search_path: Sequence[Path] = ()
) -> Layout:
    """Find and read a layout by name (a ``str``), or from a folder (a ``Path``).

    A name is looked for in ``search_path`` (bulletin.toml's ``layout_paths``),
    then among the built-in layouts; never in the working folder.

    Raises:
        LayoutError: the layout is unknown (the message lists those available),
            or its ``layout.toml`` is invalid.
    """
    search = tuple(Path(p) for p in search_path)
    if isinstance(name, Path):
        # A developer's own folder, given as a Path: searched first, by its name.
        search, name = (name.resolve().parent, *search), name.resolve().name
    key = (name, search)
    cached = _loaded.get(key)
    # A layout.toml edited while the process runs (a live preview) is read again.
    if cached is not None and cached[1] == _stamps(cached[0].folders):
        return cached[0]
    layout = _load(*key)
    if len(_loaded) >= 32:
        _loaded.clear()
    _loaded[key] = (layout, _stamps(layout.folders))
    return layout


_loaded: dict[tuple[str, tuple[Path, ...]], tuple[Layout, tuple[int, ...]]] = {}


def _stamps(folders: tuple[Path, ...]) -> tuple[int, ...]:
    """Modification times of each folder's layout.toml (-1 when it is gone)."""
    stamps = []
    for folder in folders:
        try:
            stamps.append((folder / "layout.toml").stat().st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)


def _load(name: str, search_path: tuple[Path, ...]) -> Layout:
    chain = _chain(name, search_path)
    data: dict[str, Any] = {}
    colours: dict[str, str] = {}
    strings: dict[str, dict[str, str]] = {}
    months: dict[str, tuple[str, ...]] = {}
    for _, _, table in reversed(chain):
        colours.update(table.get("colours", {}))
        for language, words in table.get("strings", {}).items():
            strings.setdefault(language, {}).update(words)
        for language, names in table.get("months", {}).items():
            months[language] = tuple(names)
        data.update(
            {
                key: value
                for key, value in table.items()
                if key not in ("colours", "strings", "months")
            }
        )
    own_name, own_folder, _ = chain[0]
    where = own_folder / "layout.toml"
    try:
        layout = Layout(
            name=own_name,
            description=str(data.get("description", "")),
            folders=tuple(folder for _, folder, _ in chain),
            width=int(data["width"]),
            gutter=int(data.get("gutter", 24)),
            font_stack=str(data["font_stack"]),
            date_format=str(data["date_format"]),
            colours=colours,
            strings=strings,
            months=months,
            contrast=tuple((str(a), str(b)) for a, b in data.get("contrast", [])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LayoutError(f"{where}: missing or invalid setting {error}") from None
    try:
        check_date_format(layout.date_format)
    except ContentError as error:
        raise LayoutError(f"{where}: {error.message}") from None
    bad = next(
        (
            name
            for name, value in layout.colours.items()
            if not _COLOUR.fullmatch(str(value))
        ),
        None,
    )
    if bad is not None:
        raise LayoutError(
            f"{where}: colour {bad} = {layout.colours[bad]!r} is not a colour; write "
            "six hex digits like '#1d4f91'"
        )
    if not (320 <= layout.width <= 1200 and 0 <= layout.gutter <= layout.width // 4):
        raise LayoutError(
            f"{where}: width must be 320 to 1200 pixels and gutter at most a quarter "
            f"of it (it has width = {layout.width}, gutter = {layout.gutter})"
        )
    if not FONT_STACK.fullmatch(layout.font_stack):
        raise LayoutError(
            f"{where}: font_stack {layout.font_stack!r} may only name fonts, e.g. "
            "'Arial, Helvetica, sans-serif'"
        )
    if len(layout.months.get("en", ())) != 12:
        raise LayoutError(f"{where}: [months] en must list twelve month names")
    for pair in layout.contrast:
        for colour in pair:
            if colour not in layout.colours:
                raise LayoutError(f"{where}: contrast names unknown colour {colour!r}")
    return layout


def _chain(
    name: str, search_path: tuple[Path, ...]
) -> list[tuple[str, Path, dict[str, Any]]]:
    """The layout and each layout it extends, nearest first."""
    roots = (*search_path, builtin_layouts_folder())
    chain: list[tuple[str, Path, dict[str, Any]]] = []
    folder = _find(name, roots, frozenset())
    while True:
        table = _read_toml(folder / "layout.toml")
        chain.append((folder.name, folder, table))
        parent = table.get("extends")
        if not parent:
            return chain
        if not isinstance(parent, str):
            raise LayoutError(
                f"{folder / 'layout.toml'}: extends must be a layout name"
            )
        # Folders already in the chain are skipped, so a user's "classic" may
        # extend the built-in "classic".
        folder = _find(parent, roots, frozenset(f for _, f, _ in chain))


def _find(name: str, roots: Sequence[Path], exclude: frozenset[Path]) -> Path:
    """The folder of the layout called ``name`` in ``roots``: a name, never a path.

    An edition file may come from someone else (SECURITY.md), so the layout it
    names is looked for only among the built-ins and bulletin.toml's
    ``layout_paths``, never in the working folder or at a path it gives.
    """
    if any(mark in name for mark in ("/", "\\", ":")) or name.startswith("."):
        raise LayoutError(
            f"layout {name!r} is a path; name a layout instead (add the folder that "
            "holds it to layout_paths in bulletin.toml, then write its folder's name)"
        )
    layouts = _scan(roots, exclude)
    if name in layouts:
        return layouts[name]
    known = ", ".join(sorted(layouts)) or "none"
    close = difflib.get_close_matches(name, list(layouts), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise LayoutError(f"unknown layout {name!r}{hint}; available: {known}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            table = tomllib.load(file)
    except OSError as error:
        raise LayoutError(
            f"{path}: cannot read layout settings: {error.strerror}"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise LayoutError(f"{path}: {error}") from None
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], _KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise LayoutError(
            f"{path}: unknown setting {unknown[0]!r}{hint}; known: {', '.join(sorted(_KEYS))}"
        )
    return table
