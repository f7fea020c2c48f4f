"""``bulletin.toml``: an organisation's standing details, read into :class:`Settings`.

The file sits in the edition's folder or any folder above it (found the way
``pyproject.toml`` is) and carries a schema version, so that a later release
can migrate it::

    schema = 1
    publisher = "Durham Safeguarding Children Partnership"
    layout = "classic"
    view_online_url = "https://example.org/newsletters/{slug}.html"

    [logo]
    src = "images/logo.png"
    alt = "DSCP logo"

Relative paths (the logo, ``layout_paths``) are read from the file's folder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.errors import ContentError, ContentErrorGroup, Location
from bulletin.loading.schema import (
    FLAG,
    NUMBER,
    STRINGS,
    TEXT,
    TEXTS,
    Kind,
    Locate,
    Table,
    check_table,
)
from bulletin.loading.textfile import read_text
from bulletin.model.blocks import Contact, Image
from bulletin.model.settings import DEFAULT_LAYOUT, Sender, Settings
from bulletin.model.text import Text

__all__ = [
    "CONFIG_NAME",
    "SCHEMA_VERSION",
    "SETTINGS_KEYS",
    "SUPPRESSIONS_NAME",
    "Config",
    "find_config",
    "load_config",
    "place_setting_error",
    "settings_values",
    "toml_location",
]

CONFIG_NAME = "bulletin.toml"
SCHEMA_VERSION = 1
SUPPRESSIONS_NAME = "suppressed.csv"
"""The suppression list's file name beside bulletin.toml, unless ``suppressions`` says."""
"""The version of the ``bulletin.toml`` format this release reads and writes."""

SETTINGS_KEYS: Mapping[str, Kind] = {
    "publisher": TEXT,
    "logo": Table({"src": TEXT, "alt": TEXT, "width": NUMBER, "link": TEXT}),
    "colours": STRINGS,
    "font_stack": TEXT,
    "contact": Table(
        {
            "heading": TEXT,
            "name": TEXT,
            "address": TEXTS,
            "phone": TEXT,
            "email": TEXT,
            "website": TEXT,
        }
    ),
    "footer": TEXT,
    "sender": Table({"name": TEXT, "address": TEXT}),
    "view_online_url": TEXT,
    "archive_url": TEXT,
    "unsubscribe_url": TEXT,
    "unsubscribe_mailto": TEXT,
    "list_id": TEXT,
    "subscribe_url": TEXT,
    "image_base_url": TEXT,
    "date_format": TEXT,
    "show_date": FLAG,
    "audiences": TEXTS,
    "no_audience": TEXT,
    "strings": STRINGS,
    "utm": Table(
        {
            "source": TEXT,
            "medium": TEXT,
            "campaign": TEXT,
            "content": TEXT,
            "term": TEXT,
            "domains": TEXTS,
        }
    ),
}
"""The keys that become :class:`Settings`, in bulletin.toml and edition front matter."""

_FILE_KEYS: Mapping[str, Kind] = {
    "schema": NUMBER,
    "layout": TEXT,
    "language": TEXT,
    "layout_paths": TEXTS,
    "suppressions": TEXT,
    "smtp": Table(
        {
            "host": TEXT,
            "port": NUMBER,
            "security": TEXT,
            "username": TEXT,
            "auth": TEXT,
            "token_command": TEXT,
            "ca_file": TEXT,
            "timeout": NUMBER,
            "connections": NUMBER,
            "preset": TEXT,
            "rates": TEXTS,
        }
    ),
    "imap": Table(
        {
            "host": TEXT,
            "port": NUMBER,
            "security": TEXT,
            "username": TEXT,
            "folder": TEXT,
            "processed_folder": TEXT,
            "auth": TEXT,
            "token_command": TEXT,
            "ca_file": TEXT,
            "timeout": NUMBER,
        }
    ),
    "unsubscribe": Table({"service_url": TEXT, "max_sync_age_hours": NUMBER}),
    **SETTINGS_KEYS,
}


@dataclass(frozen=True, slots=True)
class Config:
    """A ``bulletin.toml``, read: the settings and the edition defaults it gives."""

    settings: Settings = field(default_factory=Settings)
    """The organisation's settings."""
    layout: str = DEFAULT_LAYOUT
    """The layout editions use unless their front matter names another."""
    language: str | None = None
    """The language editions are written in unless they say otherwise."""
    path: Path | None = None
    """The file read, or None when there was none."""
    suppressions_file: str | None = None
    """The suppression list's file as written in ``suppressions``, if set."""
    smtp: Mapping[str, object] = field(default_factory=dict)
    """The ``[smtp]`` table as written (see :mod:`bulletin.commands.smtpconfig`)."""
    imap: Mapping[str, object] = field(default_factory=dict)
    """The ``[imap]`` table as written (see :mod:`bulletin.commands.bounces`)."""
    unsubscribe: Mapping[str, object] = field(default_factory=dict)
    """The ``[unsubscribe]`` table as written: the unsubscribe service to sync
    from before a send (see :func:`bulletin.commands.sync.sync_before_send`)."""

    @property
    def folder(self) -> Path | None:
        """The folder holding the file: relative paths in it start here."""
        return None if self.path is None else self.path.parent

    @property
    def suppressions(self) -> Path | None:
        """The suppression list's file: ``suppressed.csv`` beside this file unless
        ``suppressions`` names another; None when there is no file."""
        if self.folder is None:
            return None
        return self.folder / (self.suppressions_file or SUPPRESSIONS_NAME)


def find_config(start: Path) -> Path | None:
    """The nearest ``bulletin.toml`` in ``start`` (a folder or file) or a folder above."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    return None


def load_config(path: Path) -> Config:
    """Read ``path`` (a ``bulletin.toml``).

    Raises:
        ContentError: the file is unreadable, not TOML, or has one problem.
        ContentErrorGroup: it has several problems (all are reported).
    """
    shown = _shown(path)
    text = read_text(path, shown=shown)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message, line, column = _toml_error(error)
        raise ContentError(
            f'not valid TOML: {message}; write one key = "value" per line, with text '
            "in double quotes (in single quotes an apostrophe ends the text)",
            Location(file=shown, line=line, column=column),
        ) from None
    locate = _TomlPlaces(text, shown)
    values, errors = check_table(data, _FILE_KEYS, locate)
    version = values.get("schema")
    if "schema" not in data:
        errors.insert(
            0,
            ContentError(
                f"no schema version; add schema = {SCHEMA_VERSION} at the top",
                Location(file=shown, line=1, column=1),
            ),
        )
    elif version is not None and version != SCHEMA_VERSION:
        newer = isinstance(version, int) and version > SCHEMA_VERSION
        errors.insert(
            0,
            ContentError(
                f"schema {version} is "
                + (
                    "from a newer bulletin; upgrade bulletin to read it"
                    if newer
                    else f"unknown; this bulletin reads schema = {SCHEMA_VERSION}"
                ),
                locate(("schema",)),
            ),
        )
    settings: Settings | None = None
    if not errors:
        try:
            settings = Settings(
                **settings_values(values, path.parent, locate),
                layout_paths=tuple(
                    path.parent / item
                    for item in values.get("layout_paths", ())  # type: ignore[attr-defined]  # checked by TEXTS
                ),
            )
        except ContentError as error:
            errors.append(place_setting_error(error, locate))
    if errors or settings is None:
        raise (
            errors[0]
            if len(errors) == 1
            else ContentErrorGroup(f"{shown} has problems", errors)
        )
    return Config(
        settings=settings,
        layout=str(values.get("layout", DEFAULT_LAYOUT)),
        language=values.get("language"),  # type: ignore[arg-type]  # checked as TEXT
        path=path,
        suppressions_file=values.get("suppressions"),  # type: ignore[arg-type]  # checked as TEXT
        smtp=values.get("smtp", {}),  # type: ignore[arg-type]  # checked as a Table
        imap=values.get("imap", {}),  # type: ignore[arg-type]  # checked as a Table
        unsubscribe=values.get("unsubscribe", {}),  # type: ignore[arg-type]  # checked as a Table
    )


def settings_values(
    values: Mapping[str, object],
    folder: Path,
    locate: Locate,
) -> dict[str, Any]:
    """Turn checked ``SETTINGS_KEYS`` values into :class:`Settings` keyword arguments.

    Raises:
        ContentError: a value the settings refuse, placed at its key.
    """
    # Any: each value was checked against SETTINGS_KEYS, which mypy cannot follow.
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in SETTINGS_KEYS:
            continue
        try:
            if key == "utm":
                assert isinstance(value, dict)
                value = dict(value)
                if "domains" in value:
                    out["utm_domains"] = value.pop("domains")
            out[key] = _setting(key, value, folder)
        except ContentError as error:
            where = error.key or (key,)
            raise ContentError(error.message, locate(where), key=where) from None
    return out


def place_setting_error(error: ContentError, locate: Locate) -> ContentError:
    """Place an error :class:`Settings` raised at the key it carries (``error.key``)."""
    if error.location.file is not None:
        return error
    return ContentError(error.message, locate(error.key), key=error.key)


def _setting(key: str, value: object, folder: Path) -> object:
    if key == "logo":
        assert isinstance(value, dict)
        if "src" not in value or "alt" not in value:
            raise ContentError(
                '[logo] needs src and alt, e.g. src = "images/logo.png" and '
                'alt = "Example Partnership logo"'
            )
        src = _relative(value["src"], folder)
        if "://" not in src and not Path(src).is_file():
            raise ContentError(
                f"logo file {value['src']} not found (looked in {folder}); the path is "
                "relative to bulletin.toml's folder"
            )
        return Image(
            src,
            value["alt"],
            width=value.get("width"),
            link=value.get("link"),
        )
    if key == "contact":
        assert isinstance(value, dict)
        return Contact(**value)
    if key == "footer":
        assert isinstance(value, str)
        return Text.markdown(value)
    if key == "sender":
        assert isinstance(value, dict)
        if "name" not in value or "address" not in value:
            raise ContentError(
                '[sender] needs name and address, e.g. name = "Example Partnership" '
                'and address = "news@example.org"'
            )
        return Sender(value["name"], value["address"])
    return value


def _relative(src: str, folder: Path) -> str:
    """A local path in bulletin.toml is relative to its folder."""
    if "://" in src or Path(src).is_absolute():
        return src
    return str(folder / src)


def toml_location(path: Path, key: tuple[str, ...]) -> Location:
    """Where ``key`` (e.g. ``("colours", "brand")``) is written in the TOML file ``path``."""
    try:
        text = read_text(path, shown=_shown(path))
    except ContentError:
        return Location(file=_shown(path))
    return _TomlPlaces(text, _shown(path))(key)


class _TomlPlaces:
    """Finds the line of ``key`` in ``[table]`` by reading the TOML text again.

    tomllib keeps no positions; a line scan is enough for the flat files an
    editor writes.
    """

    def __init__(self, text: str, file: Path) -> None:
        self.file = file
        self.places: dict[tuple[str, ...], tuple[int, int]] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = re.match(r"\s*\[\s*([A-Za-z0-9_.\s\"-]+?)\s*\]\s*(#.*)?$", line)
            if header:
                table = tuple(
                    part.strip().strip('"') for part in header.group(1).split(".")
                )
                self.places.setdefault(table, (number, line.index("[") + 1))
                continue
            key = re.match(r"(\s*)([A-Za-z0-9_-]+|\"[^\"]*\")\s*=", line)
            if key:
                name = key.group(2).strip('"')
                self.places.setdefault((*table, name), (number, len(key.group(1)) + 1))

    def __call__(self, path: tuple[str, ...]) -> Location:
        for length in range(len(path), 0, -1):
            place = self.places.get(path[:length])
            if place:
                return Location(file=self.file, line=place[0], column=place[1])
        return Location(file=self.file)


def _toml_error(error: tomllib.TOMLDecodeError) -> tuple[str, int | None, int | None]:
    match = re.match(r"(.*) \(at line (\d+), column (\d+)\)$", str(error))
    if match:
        return match.group(1), int(match.group(2)), int(match.group(3))
    return str(error), None, None


def _shown(path: Path) -> Path:
    """``path`` as the editor would write it: relative to here when it can be."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
