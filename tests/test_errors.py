"""The error tree, locations and grouped content errors."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import typer
import typer.exceptions

import bulletin.errors
from bulletin.errors import (
    BulletinError,
    ContentError,
    ContentErrorGroup,
    LayoutError,
    Location,
    RecipientError,
    RenderError,
    SendError,
)

ERRORS = [
    value
    for value in vars(bulletin.errors).values()
    if inspect.isclass(value) and issubclass(value, BaseException)
]


# The tree --------------------------------------------------------------------


def test_every_error_is_listed_in_all() -> None:
    names = {error.__name__ for error in ERRORS}

    assert names == {
        "BulletinError",
        "ContentError",
        "ContentErrorGroup",
        "JournalConflictError",
        "LayoutError",
        "PreviewError",
        "RecipientError",
        "RenderError",
        "SendError",
        "SendStoppedError",
        "ServiceError",
    }
    assert names <= set(bulletin.errors.__all__)


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__name__)
def test_every_error_is_a_bulletin_error(error: type[BaseException]) -> None:
    assert issubclass(error, BulletinError)
    assert issubclass(error, Exception)


@pytest.mark.parametrize(
    "error",
    [ContentError, LayoutError, RenderError, RecipientError, SendError],
)
def test_each_kind_is_a_direct_child_of_bulletin_error(error: type) -> None:
    assert BulletinError in error.__bases__


def test_content_error_is_also_a_value_error() -> None:
    assert issubclass(ContentError, ValueError)
    with pytest.raises(ValueError, match="bad"):
        raise ContentError("bad")


def test_the_kinds_are_distinct() -> None:
    kinds = [ContentError, LayoutError, RenderError, RecipientError, SendError]

    for kind in kinds:
        for other in kinds:
            assert issubclass(kind, other) == (kind is other)


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__name__)
def test_library_errors_never_subclass_click_or_typer(
    error: type[BaseException],
) -> None:
    assert not issubclass(
        error, (typer.exceptions.TyperException, typer.Exit, typer.Abort)
    )
    # Typer vendors click as typer._click; older releases depend on click itself.
    assert [
        base
        for base in error.__mro__
        if base.__module__.partition(".")[0] in ("click", "typer")
    ] == []


def test_render_error_names_its_stage() -> None:
    error = RenderError("mjml", "unclosed tag")

    assert str(error) == "mjml: unclosed tag"
    assert error.stage == "mjml"


# Location --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (Location(), ""),
        (Location("section 'Training' > paragraph"), "section 'Training' > paragraph"),
        (Location(file=Path("edition.md")), "edition.md"),
        (Location(file=Path("edition.md"), line=12), "edition.md:12"),
        (Location(file=Path("edition.md"), line=12, column=3), "edition.md:12:3"),
        (Location("section 'Training'", Path("edition.md"), 12, 3), "edition.md:12:3"),
        # A column without a line means nothing on its own.
        (Location(file=Path("edition.md"), column=3), "edition.md"),
    ],
)
def test_location_str(location: Location, expected: str) -> None:
    assert str(location) == expected


# ContentError ------------------------------------------------------------------


def test_content_error_without_location_is_its_message() -> None:
    error = ContentError("paragraph text is empty")

    assert str(error) == "paragraph text is empty"
    assert error.message == "paragraph text is empty"
    assert error.location == Location()


def test_content_error_str_puts_the_location_first() -> None:
    in_block = ContentError("empty", Location("section 'Training' > paragraph"))
    in_file = ContentError("empty", Location("paragraph", Path("news.md"), 4, 2))

    assert str(in_block) == "section 'Training' > paragraph: empty"
    assert str(in_file) == "news.md:4:2: empty"


def test_at_fills_in_the_location() -> None:
    error = ContentError("empty")

    placed = error.at(Location("paragraph", Path("news.md"), 4, 2))

    assert placed.location == Location("paragraph", Path("news.md"), 4, 2)
    assert str(placed) == "news.md:4:2: empty"
    assert error.location == Location(), "at() returns a copy"


def test_at_keeps_known_parts() -> None:
    error = ContentError("empty", Location("paragraph", Path("inner.md"), 5, 7))

    placed = error.at(Location("section 'Training'", Path("outer.md"), 9, 1))

    assert placed.location == Location("paragraph", Path("inner.md"), 5, 7)
    assert placed.message == "empty"


def test_at_fills_only_the_unknown_parts() -> None:
    error = ContentError("empty", Location("paragraph"))

    placed = error.at(Location("section 'Training'", Path("news.md"), 9))

    assert placed.location == Location("paragraph", Path("news.md"), 9)


def test_at_keeps_line_zero_as_known() -> None:
    error = ContentError("empty", Location(file=Path("a.md"), line=0, column=0))

    placed = error.at(Location(file=Path("b.md"), line=9, column=9))

    assert (placed.location.line, placed.location.column) == (0, 0)


def test_at_does_not_take_a_column_from_another_line() -> None:
    error = ContentError("empty", Location(file=Path("a.md"), line=5))

    placed = error.at(Location(file=Path("b.md"), line=9, column=1))

    assert str(placed) == "a.md:5: empty"


def test_at_takes_the_whole_position_when_the_error_has_no_file() -> None:
    error = ContentError("empty", Location("paragraph", line=5))

    placed = error.at(Location("section 'Training'", Path("b.md"), 9, 1))

    assert placed.location == Location("paragraph", Path("b.md"), 9, 1)


def test_within_prefixes_the_block_path() -> None:
    error = ContentError("empty", Location("paragraph"))

    inner = error.within("article 'Courses'")
    outer = inner.within("section 'Training'")

    assert str(outer) == "section 'Training' > article 'Courses' > paragraph: empty"
    assert outer.location.block == "section 'Training' > article 'Courses' > paragraph"
    assert str(error) == "paragraph: empty", "within() returns a copy"


def test_within_an_error_without_block_sets_it() -> None:
    assert ContentError("empty").within("intro").location.block == "intro"


def test_within_keeps_file_line_and_column() -> None:
    error = ContentError("empty", Location("paragraph", Path("news.md"), 4, 2))

    moved = error.within("section 'Training'")

    assert moved.location == Location(
        "section 'Training' > paragraph", Path("news.md"), 4, 2
    )


def test_at_and_within_keep_the_subclass() -> None:
    class ImageError(ContentError):
        pass

    error = ImageError("too big")

    assert type(error.at(Location("image"))) is ImageError
    assert type(error.within("image")) is ImageError


# ContentErrorGroup -----------------------------------------------------------


def _group() -> ContentErrorGroup:
    return ContentErrorGroup(
        "news.md has problems",
        [
            ContentError(
                "paragraph text is empty", Location(file=Path("news.md"), line=3)
            ),
            ContentError(
                "button has no label", Location("section 'Training' > button")
            ),
            ContentError("edition has no title"),
        ],
    )


def test_group_is_a_bulletin_error_and_an_exception_group() -> None:
    group = _group()

    assert isinstance(group, BulletinError)
    assert isinstance(group, ExceptionGroup)
    assert len(group.exceptions) == 3
    assert all(isinstance(error, ContentError) for error in group.exceptions)


def test_group_is_caught_as_a_bulletin_error() -> None:
    with pytest.raises(BulletinError) as caught:
        raise _group()

    assert caught.value.message == "news.md has problems"  # type: ignore[attr-defined]  # a group


def test_group_is_caught_with_except_star() -> None:
    caught: list[ContentError] = []
    try:
        raise _group()
    except* ContentError as group:
        caught.extend(group.exceptions)  # type: ignore[arg-type]  # only ContentErrors match

    assert [error.message for error in caught] == [
        "paragraph text is empty",
        "button has no label",
        "edition has no title",
    ]


def test_group_str_lists_every_error_on_its_own_line() -> None:
    assert str(_group()).splitlines() == [
        "news.md has problems (3 problems)",
        "news.md:3: paragraph text is empty",
        "section 'Training' > button: button has no label",
        "edition has no title",
    ]


def test_group_refuses_an_empty_list() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        ContentErrorGroup("nothing", [])


def test_group_subgroup_is_still_a_bulletin_error() -> None:
    part = _group().subgroup(
        lambda error: isinstance(error, ContentError) and "empty" in error.message
    )

    assert part is not None
    assert len(part.exceptions) == 1
    assert isinstance(part, ContentErrorGroup)
    lines = str(part).splitlines()
    assert lines[0].startswith("news.md has problems (1 ")
    assert lines[1:] == ["news.md:3: paragraph text is empty"]


def test_group_caught_with_except_star_stays_a_content_error_group() -> None:
    caught: list[BaseException] = []
    try:
        raise _group()
    except* ContentError as group:
        caught.append(group)

    (group,) = caught
    assert isinstance(group, ContentErrorGroup)
    assert str(group).splitlines()[0] == "news.md has problems (3 problems)"
