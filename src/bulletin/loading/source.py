"""Open an edition file: Markdown with YAML front matter, or a Python file.

``load(path)`` finds the nearest ``bulletin.toml``, reads the edition, applies
the front matter's overrides and returns a :class:`Source`: everything
:func:`bulletin.render` needs. Every problem in the file is reported in one
pass, each with its ``file:line:col``::

    ---
    title: News - January 2025
    date: 2025-01-15
    preheader: Training places, February's awareness days
    ---
    Dear {{ first_name | colleague }},

    # Training
    Book **now**.
"""

from __future__ import annotations

import dataclasses
import runpy
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bulletin.errors import BulletinError, ContentError, ContentErrorGroup, Location
from bulletin.loading.config import (
    SETTINGS_KEYS,
    Config,
    find_config,
    load_config,
    place_setting_error,
    settings_values,
)
from bulletin.loading.frontmatter import (
    FrontMatter,
    read_front_matter,
    split_front_matter,
)
from bulletin.loading.markdown import parse_body
from bulletin.loading.paths import within
from bulletin.loading.schema import DATE, FLAG, TEXT, Kind, check_table
from bulletin.loading.textfile import read_text
from bulletin.model.audiences import check_tags
from bulletin.model.blocks import Paragraph
from bulletin.model.edition import Edition
from bulletin.model.settings import Settings

__all__ = ["EDITION_KEYS", "Source", "load", "parse_markdown"]

EDITION_KEYS: Mapping[str, Kind] = {
    "title": TEXT,
    "date": DATE,
    "subject": TEXT,
    "preheader": TEXT,
    "intro": TEXT,
    "layout": TEXT,
    "language": TEXT,
    "digest": FLAG,
    **SETTINGS_KEYS,
}
"""The keys an edition's front matter may hold: its own, and any setting to override."""

_MERGED = ("colours", "strings", "utm")


@dataclass(frozen=True, slots=True)
class Source:
    """An edition read from a file, with the settings and options to render it."""

    edition: Edition
    """The edition."""
    settings: Settings
    """bulletin.toml's settings with the front matter's overrides applied."""
    layout: str
    """The layout to render with."""
    digest: bool
    """True to send the email as a digest: each article's first paragraph and a
    link to the rest on the web copy."""
    path: Path
    """The edition file."""
    config: Config
    """The bulletin.toml read (once), with where each key is; ``Config()`` when
    there is none."""
    lines: Mapping[int, int] = dataclasses.field(default_factory=dict)
    """For a Markdown file: the line of each block, section and article, by ``id()``."""

    @property
    def base_dir(self) -> Path:
        """The folder image paths are relative to: the edition file's."""
        return self.path.parent


def load(path: Path | str, *, config: Config | None = None) -> Source:
    """Read the edition at ``path`` (``.md`` or ``.py``).

    Args:
        path: the edition file.
        config: the settings to use; the nearest ``bulletin.toml`` when None.

    Raises:
        ContentError: the file (or bulletin.toml) has one problem.
        ContentErrorGroup: it has several; each is a ContentError with its place.

    Example:
        >>> source = load("examples/dscp-2025-01/edition.md")
        >>> source.edition.title
        'DSCP Newsletter - January 2025'
    """
    path = Path(path)
    if path.is_dir():
        raise ContentError(
            f"is a folder; give the edition file in it, e.g. {path / 'edition.md'}",
            Location(file=path),
        )
    if config is None:
        found = find_config(path)
        config = load_config(found) if found else Config()
    if path.suffix == ".py":
        return _load_python(path, config)
    return parse_markdown(read_text(path), path, config)


def parse_markdown(text: str, path: Path, config: Config | None = None) -> Source:
    """Read an edition from Markdown ``text`` (the contents of ``path``).

    ``path`` names the file in error messages and is where images are looked for.
    """
    config = config or Config()
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    split = split_front_matter(text)
    if split is None and text.startswith("---"):
        raise ContentError(
            "the front matter that starts here is never closed; add a line --- after "
            "its last key (date: ...), before the text",
            Location(file=path, line=1, column=1),
        )
    if split is None:
        raise ContentError(
            "the file must start with front matter: a line ---, then title: ... "
            "and date: 2025-01-15, then a line ---",
            Location(file=path, line=1, column=1),
        )
    head, body, first_line = split
    errors: list[ContentError] = []
    values: dict[str, object] = {}
    front = FrontMatter({})
    try:
        front = read_front_matter(head, path)
    except ContentError as error:
        errors.append(error)
    else:
        values, problems = check_table(front.values, EDITION_KEYS, _places(front, path))
        errors.extend(problems)
        for cut_key, written in front.cut.items():
            if cut_key[0] in ("title", "subject", "preheader", "intro"):
                errors.append(
                    ContentError(
                        f"{cut_key[0]} stops at the #: in front matter ' #' starts a "
                        f'note that is left out; put it in quotes: {cut_key[0]}: "{written}"',
                        _places(front, path)(cut_key),
                    )
                )
        for key in ("title", "date"):
            if key not in front.values:
                example = "News - January 2025" if key == "title" else "2025-01-15"
                errors.append(
                    ContentError(
                        f"the front matter has no {key}; add {key}: {example}",
                        Location(file=path, line=2, column=1),
                    )
                )
    parsed = parse_body(
        body,
        path,
        first_line=first_line,
        base_dir=path.parent,
        image_roots=() if config.folder is None else (config.folder,),
        audiences=bool(values.get("audiences") or config.settings.audiences),
    )
    errors.extend(parsed.errors)
    settings = config.settings
    edition: Edition | None = None
    places = _places(front, path)
    intro = parsed.intro
    if "intro" in values:
        try:
            intro = [Paragraph(str(values["intro"])), *parsed.intro]
        except ContentError as error:
            errors.append(ContentError(error.message, places(("intro",))))
    if not errors:
        try:
            settings = _override(settings, values, path.parent, places)
        except ContentError as error:
            errors.append(place_setting_error(error, places))
        logo = settings.logo if "logo" in values else None
        roots = (path.parent, *(() if config.folder is None else (config.folder,)))
        if (
            logo is not None
            and not logo.is_remote
            and not within(Path(logo.src), roots)
        ):
            errors.append(
                ContentError(
                    f"logo file {values['logo']['src']!r} is outside the edition's "  # type: ignore[index]  # checked as a Table
                    "folder; copy the picture into it, or set the logo in bulletin.toml",
                    places(("logo", "src")),
                )
            )
    if not errors:
        try:
            edition = Edition(
                str(values["title"]),
                values["date"],  # type: ignore[arg-type]  # checked as DATE
                preheader=str(values.get("preheader", "")),
                intro=intro,
                sections=parsed.sections,
                language=str(values.get("language") or config.language or "en-GB"),
                subject=values.get("subject"),  # type: ignore[arg-type]  # checked as TEXT
            )
        except ContentError as error:
            errors.append(_placed(error, front, path))
    if edition is not None:
        errors.extend(
            ContentError(
                error.message, Location(file=path, line=parsed.lines.get(id(part)))
            )
            for part, error in check_tags(edition, settings.audiences)
        )
    errors.sort(
        key=lambda error: (error.location.line or 0, error.location.column or 0)
    )
    if errors or edition is None:
        raise _combined(errors, path)
    return Source(
        edition=edition,
        settings=settings,
        layout=str(values.get("layout") or config.layout),
        digest=bool(values.get("digest", False)),
        path=path,
        config=config,
        lines=parsed.lines,
    )


def _override(
    settings: Settings, values: Mapping[str, object], folder: Path, locate: _Places
) -> Settings:
    changes = settings_values(values, folder, locate)
    for key in _MERGED:
        if key in changes:
            changes[key] = {**getattr(settings, key), **changes[key]}
    return dataclasses.replace(settings, **changes) if changes else settings


class _Places:
    def __init__(self, front: FrontMatter, file: Path) -> None:
        self.front = front
        self.file = file

    def __call__(self, path: tuple[str, ...]) -> Location:
        for length in range(len(path), 0, -1):
            place = self.front.places.get(path[:length])
            if place:
                return Location(file=self.file, line=place[0], column=place[1])
        return Location(file=self.file, line=2, column=1)


def _places(front: FrontMatter, file: Path) -> _Places:
    return _Places(front, file)


def _placed(error: ContentError, front: FrontMatter, path: Path) -> ContentError:
    """Place an error from the Edition itself at the front matter key it carries."""
    if error.location.file is not None:
        return error
    if error.key:
        return error.at(_Places(front, path)(error.key))
    return error.at(Location(file=path, line=1, column=1))


def _combined(errors: list[ContentError], path: Path) -> BulletinError:
    if len(errors) == 1:
        return errors[0]
    return ContentErrorGroup(f"{path} has problems", errors)


def _load_python(path: Path, config: Config) -> Source:
    """Run a Python file that defines ``edition`` (and perhaps ``settings``)."""
    try:
        names = runpy.run_path(str(path))
    except SyntaxError as error:
        raise ContentError(
            f"Python syntax error: {error.msg}",
            Location(file=path, line=error.lineno, column=error.offset),
        ) from None
    except Exception as error:  # any failure of the file is reported as its own
        frames = [
            frame
            for frame in traceback.extract_tb(error.__traceback__)
            if Path(frame.filename) == path.resolve() or frame.filename == str(path)
        ]
        place = Location(file=path, line=frames[-1].lineno if frames else None)
        if isinstance(error, ContentError):
            raise error.at(place) from None
        if isinstance(error, BulletinError):
            raise
        raise ContentError(f"{type(error).__name__}: {error}", place) from error
    edition = names.get("edition")
    if not isinstance(edition, Edition):
        raise ContentError(
            "a Python edition file must define edition = Edition(...) at module level",
            Location(file=path),
        )
    settings = names.get("settings", config.settings)
    if not isinstance(settings, Settings):
        raise ContentError(
            "settings in a Python edition file must be a bulletin.Settings",
            Location(file=path),
        )
    layout = names.get("layout", config.layout)
    return Source(
        edition=edition,
        settings=settings,
        layout=str(layout),
        digest=bool(names.get("digest", False)),
        path=path,
        config=config,
    )
