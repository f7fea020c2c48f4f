"""The YAML block at the top of an edition file, read with the line of every key.

::

    ---
    title: News - January 2025
    date: 2025-01-15
    ---

PyYAML's ``safe_load`` forgets where things were; composing the node tree first
keeps each key's line and column, so an error can say ``edition.md:3:7: ...``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bulletin.errors import ContentError, Location

__all__ = ["FrontMatter", "read_front_matter", "split_front_matter"]

FENCE = "---"

MAX_FRONT_MATTER_CHARS = 65_536
"""The most front matter read: a few dozen settings are a few hundred characters."""


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The front matter's values and where each key was written."""

    values: Mapping[object, object]
    """Key to value, as YAML read them."""
    places: Mapping[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    """Key path to (line, column) in the file, both 1-based."""
    cut: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    """Keys whose unquoted value a `` #`` cut short (YAML reads the rest as a
    comment), with the whole line after the colon as the editor wrote it."""


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split ``text`` into (front matter, body, the body's first line number, 0-based).

    Returns None when the text does not start with a ``---`` line, or the
    block is never closed.

    >>> split_front_matter("---\\ntitle: x\\n---\\nHello\\n")
    ('title: x\\n', 'Hello\\n', 3)
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in (FENCE, "..."):
            head = "\n".join(lines[1:number]) + "\n" if number > 1 else ""
            return head, "\n".join(lines[number + 1 :]), number + 1
    return None


def read_front_matter(source: str, file: Path) -> FrontMatter:
    """Parse the YAML ``source`` (which starts on the file's line 2).

    Raises:
        ContentError: YAML syntax, or the front matter is not a table of keys.
    """
    if len(source) > MAX_FRONT_MATTER_CHARS:
        raise ContentError(
            f"the front matter is {len(source):,} characters, over the "
            f"{MAX_FRONT_MATTER_CHARS:,} it may hold; is the closing --- missing?",
            Location(file=file, line=1, column=1),
        )
    loader: yaml.SafeLoader | None = None
    try:
        _refuse_references(source)
        loader = yaml.SafeLoader(source)
        node = loader.get_single_node()
        if node is None:
            return FrontMatter({})
        if not isinstance(node, yaml.MappingNode):
            raise ContentError(
                "the front matter must be keys and values, e.g. title: News",
                Location(file=file, line=node.start_mark.line + 2, column=1),
            )
        values: dict[object, object] = {}
        places: dict[tuple[str, ...], tuple[int, int]] = {}
        cut: dict[tuple[str, ...], str] = {}
        _walk(loader, node, (), values, places, cut, source.split("\n"))
        return FrontMatter(values, places, cut)
    except ContentError as error:
        located = error.location
        raise ContentError(
            error.message, Location(file=file, line=located.line, column=located.column)
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else 2
        column = mark.column + 1 if mark else 1
        problem = error.problem or "invalid YAML"
        raise ContentError(
            f"front matter is not valid YAML: {problem}; write one key per line, "
            "e.g. title: News - January 2025 (quote values that contain ': ')",
            Location(file=file, line=line, column=column),
        ) from None
    except yaml.reader.ReaderError as error:
        code = (
            error.character
            if isinstance(error.character, int)
            else ord(error.character[:1] or "?")
        )
        line = source.count("\n", 0, error.position) + 2
        column = error.position - (source.rfind("\n", 0, error.position) + 1) + 1
        raise ContentError(
            f"the front matter contains an invisible control character (U+{code:04X}); "
            "retype that line",
            Location(file=file, line=line, column=column),
        ) from None
    except yaml.YAMLError as error:
        raise ContentError(
            f"front matter is not valid YAML: {error}", Location(file=file, line=2)
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def _refuse_references(source: str) -> None:
    """Refuse YAML anchors, aliases and tags, which front matter never needs.

    An alias repeats a value by reference: a few hundred bytes of nested
    aliases expand to gigabytes ("billion laughs"), and one that refers to
    itself never ends. Tags (``!!python/...``) ask for types front matter has
    no use for. Checked on the event stream, before anything is built.
    """
    for event in yaml.parse(source, Loader=yaml.SafeLoader):
        implicit = getattr(event, "implicit", True)
        tagged = getattr(event, "tag", None) is not None and not (
            any(implicit) if isinstance(implicit, tuple) else implicit
        )
        what = None
        if isinstance(event, yaml.AliasEvent):
            what = "an alias (*name); write each value out in full"
        elif getattr(event, "anchor", None):
            what = "an anchor (&name); write each value out in full"
        elif tagged:
            what = "a tag (!!...); write the value plainly, in quotes if need be"
        if what is not None:
            mark = event.start_mark
            place = (mark.line + 2, mark.column + 1) if mark else (2, 1)
            raise _error(f"front matter may not use {what}", place)


def _walk(
    loader: yaml.SafeLoader,
    node: yaml.MappingNode,
    path: tuple[str, ...],
    values: dict[object, object],
    places: dict[tuple[str, ...], tuple[int, int]],
    cut: dict[tuple[str, ...], str],
    lines: list[str],
) -> None:
    for key_node, value_node in node.value:
        place = (key_node.start_mark.line + 2, key_node.start_mark.column + 1)
        key = _construct(loader, key_node)
        if not isinstance(key, str | int | float | bool | None):
            raise _error("a key must be a word, e.g. title", place)
        if key in values:
            raise _error(f"{key!r} is given twice; keep one", place)
        here = (*path, str(key))
        places[here] = place
        if isinstance(value_node, yaml.MappingNode):
            inner: dict[object, object] = {}
            _walk(loader, value_node, here, inner, places, cut, lines)
            values[key] = inner
            continue
        values[key] = _construct(loader, value_node)
        end = value_node.end_mark
        if (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.style is None
            and value_node.value
            and end.line < len(lines)
            and lines[end.line][end.column :].lstrip().startswith("#")
        ):
            cut[here] = lines[end.line].partition(":")[2].strip()


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """The value of ``node``; a date or number YAML cannot make is a placed error.

    YAML reads ``2025-02-30`` as a date and a 5,000-digit run as a number, and
    fails with a bare ValueError: say what is wrong where it is written.
    """
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as error:
        mark = node.start_mark
        value = str(getattr(node, "value", ""))
        written = value if len(value) <= 40 else value[:40] + "..."
        reason = (
            "is not a date on the calendar; write a real date, e.g. 2025-02-28"
            if _LOOKS_LIKE_DATE.match(value)
            else f"is not a value bulletin can read ({type(error).__name__}); "
            "put it in quotes to keep it as text"
        )
        raise _error(
            f"{written!r} {reason}", (mark.line + 2, mark.column + 1)
        ) from None


_LOOKS_LIKE_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _error(message: str, place: tuple[int, int]) -> ContentError:
    return ContentError(message, Location(line=place[0], column=place[1]))
