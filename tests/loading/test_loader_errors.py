"""Every problem in an edition file is reported as ``file:line:col: message``.

Each message is one line and says what would work; several problems in one
file are all reported together, in the order of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.errors import BulletinError, ContentError, ContentErrorGroup
from bulletin.loading.source import load, parse_markdown
from bulletin.model.blocks import Image

HEAD = "---\ntitle: News - January 2025\ndate: 2025-01-15\n---\n"
"""Four lines: a body starts on line 5."""

MakePng = Callable[..., Path]


@pytest.fixture
def file(tmp_path: Path) -> Path:
    """Where the edition is said to be (it need not exist for parse_markdown)."""
    return tmp_path / "edition.md"


def problem(file: Path, text: str) -> ContentError:
    """The one problem reading ``text`` reports (a group fails the test)."""
    with pytest.raises(ContentError) as caught:
        parse_markdown(text, file)
    error = caught.value
    assert "\n" not in str(error), "a message is one line"
    return error


def problems(file: Path, text: str) -> list[ContentError]:
    """The problems, when reading ``text`` reports several."""
    with pytest.raises(ContentErrorGroup) as caught:
        parse_markdown(text, file)
    errors = list(caught.value.exceptions)
    assert all(isinstance(error, ContentError) for error in errors)
    assert all("\n" not in str(error) for error in errors)
    return errors


# Front matter ------------------------------------------------------------------

YAML_HINT = (
    "write one key per line, e.g. title: News - January 2025 "
    "(quote values that contain ': ')"
)


def test_yaml_syntax_error_points_at_the_second_colon(file: Path) -> None:
    error = problem(file, "---\ntitle: News: January 2025\ndate: 2025-01-15\n---\n")

    assert str(error) == (
        f"{file}:2:12: front matter is not valid YAML: mapping values are not "
        f"allowed here; {YAML_HINT}"
    )


def test_yaml_bad_indentation(file: Path) -> None:
    error = problem(file, "---\ntitle: News\n  date: 2025-01-15\n---\n")

    assert str(error) == (
        f"{file}:3:7: front matter is not valid YAML: mapping values are not "
        f"allowed here; {YAML_HINT}"
    )


def test_yaml_unclosed_bracket(file: Path) -> None:
    error = problem(file, "---\ntitle: News\ndate: [2025\n---\n")

    assert error.location.file == file
    assert (error.location.line, error.location.column) == (4, 1)
    assert error.message.startswith("front matter is not valid YAML: expected ','")


def test_yaml_python_tags_are_refused_not_run(file: Path) -> None:
    error = problem(file, "---\ntitle: !!python/object/apply:os.system [ls]\n---\n")

    assert (error.location.line, error.location.column) == (2, 8)
    assert error.message.startswith("front matter may not use a tag (!!...)")


@pytest.mark.parametrize("character", ["\x1f", "\x00", "\x7f", "\ufffe"])
def test_control_character_in_front_matter(file: Path, character: str) -> None:
    text = f"---\ntitle: News{character}\ndate: 2025-01-15\n---\nHello.\n"

    error = problem(file, text)

    assert error.location.file == file
    assert (error.location.line, error.location.column) == (2, 12)


FRONT_MATTER_MISSING = (
    "the file must start with front matter: a line ---, then title: ... and "
    "date: 2025-01-15, then a line ---"
)


def test_front_matter_never_closed(file: Path) -> None:
    error = problem(file, "---\ntitle: News\ndate: 2025-01-15\n\n# Never closed\n")

    assert str(error) == (
        f"{file}:1:1: the front matter that starts here is never closed; add a line "
        "--- after its last key (date: ...), before the text"
    )


@pytest.mark.parametrize(
    "text",
    [
        "# Training\nBook now.\n",
        "",
        "\n---\ntitle: News\ndate: 2025-01-15\n---\n",
        "title: News\ndate: 2025-01-15\n",
    ],
    ids=["none", "empty", "blank-first-line", "no-fences"],
)
def test_missing_front_matter(file: Path, text: str) -> None:
    error = problem(file, text)

    assert str(error) == f"{file}:1:1: {FRONT_MATTER_MISSING}"


def test_front_matter_that_is_not_keys_and_values(file: Path) -> None:
    error = problem(file, "---\n- title\n- date\n---\n")

    assert str(error) == (
        f"{file}:2:1: the front matter must be keys and values, e.g. title: News"
    )


def test_unknown_key_suggests_the_nearest(file: Path) -> None:
    errors = problems(file, "---\ntitel: News\ndate: 2025-01-15\n---\n")

    assert [str(error) for error in errors] == [
        f"{file}:2:1: unknown key 'titel'; did you mean 'title'?",
        f"{file}:2:1: the front matter has no title; add title: News - January 2025",
    ]


def test_unknown_key_alone(file: Path) -> None:
    error = problem(file, HEAD.replace("---\n", "---\nsubjet: Hello\n", 1))

    assert str(error) == f"{file}:2:1: unknown key 'subjet'; did you mean 'subject'?"


def test_unknown_key_far_from_any_lists_the_known_ones(file: Path) -> None:
    error = problem(file, HEAD.replace("---\n", "---\nbanana: yes\n", 1))

    assert error.location.line == 2
    assert error.message.startswith(
        "unknown key 'banana'; known keys: archive_url, audiences, colours, "
    )
    assert "title" in error.message


def test_unknown_nested_key_is_placed_at_its_own_line_and_column(file: Path) -> None:
    text = HEAD.replace("---\n", "---\nlogo:\n  scr: images/logo.png\n  alt: Logo\n", 1)

    error = problem(file, text)

    assert str(error) == f"{file}:3:3: unknown key 'scr' in logo; did you mean 'src'?"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "date: next week",
            "date must be a date like 2025-01-15 or 15 January 2025, not 'next week'",
        ),
        (
            "date: 2025-01-15 10:00",
            "date must be a date like 2025-01-15 or 15 January 2025, not "
            "'2025-01-15 10:00'",
        ),
        (
            "digest: maybe",
            "digest must be true or false, not 'maybe'",
        ),
        (
            "language: no",
            "language must be text, not false (yes, no, on and off are read as "
            'true or false); put it in quotes: "no"',
        ),
        (
            "subject: 2025",
            'subject must be text, not a number (2025); put it in quotes: "2025"',
        ),
        (
            "preheader: [a, b]",
            "preheader must be text, not a list",
        ),
    ],
)
def test_wrong_types_name_what_was_written_and_what_would_work(
    file: Path, line: str, expected: str
) -> None:
    key = line.partition(":")[0]
    rest = "" if key == "date" else "date: 2025-01-15\n"
    text = f"---\ntitle: News\n{rest}{line}\n---\nHello.\n"
    number = 3 if key == "date" else 4

    error = problem(file, text)

    assert str(error) == f"{file}:{number}:1: {expected}"


def test_missing_title(file: Path) -> None:
    error = problem(file, "---\ndate: 2025-01-15\n---\nHello.\n")

    assert str(error) == (
        f"{file}:2:1: the front matter has no title; add title: News - January 2025"
    )


def test_missing_date(file: Path) -> None:
    error = problem(file, "---\ntitle: News\n---\nHello.\n")

    assert (
        str(error) == f"{file}:2:1: the front matter has no date; add date: 2025-01-15"
    )


def test_empty_front_matter_misses_both(file: Path) -> None:
    errors = problems(file, "---\n---\nHello.\n")

    assert [error.message for error in errors] == [
        "the front matter has no title; add title: News - January 2025",
        "the front matter has no date; add date: 2025-01-15",
    ]


def test_blank_title(file: Path) -> None:
    error = problem(file, "---\ntitle: '   '\ndate: 2025-01-15\n---\n")

    assert str(error) == f"{file}:2:1: edition has no title"


def test_preheader_with_a_line_break(file: Path) -> None:
    error = problem(
        file, '---\ntitle: News\ndate: 2025-01-15\npreheader: "a\\nb"\n---\n'
    )

    assert (error.location.line, error.location.column) == (4, 1)
    assert error.message.startswith("preheader 'a\\nb' contains a line break")
    assert "keep it on one line" in error.message


def test_language_that_is_not_a_tag(file: Path) -> None:
    error = problem(file, HEAD.replace("---\n", "---\nlanguage: Welsh please\n", 1))

    assert str(error) == (
        f"{file}:2:1: language 'Welsh please' is not a language tag; "
        "write e.g. en-GB or cy"
    )


def test_duplicate_key_is_placed_at_the_second(file: Path) -> None:
    error = problem(file, "---\ntitle: News\ndate: 2025-01-15\ntitle: More news\n---\n")

    assert str(error) == f"{file}:4:1: 'title' is given twice; keep one"


def test_duplicate_nested_key(file: Path) -> None:
    text = HEAD.replace(
        "---\n", "---\ncolours:\n  brand: '#000000'\n  brand: '#ffffff'\n", 1
    )

    error = problem(file, text)

    assert str(error) == f"{file}:4:3: 'brand' is given twice; keep one"


def test_error_in_the_front_matter_intro_is_placed_at_its_key(file: Path) -> None:
    text = "---\ntitle: News\ndate: 2025-01-15\nintro: Hello <b>there</b>\n---\n"

    error = problem(file, text)

    assert error.location.line == 4


# Images -----------------------------------------------------------------------------


def test_image_missing_on_disk_points_at_its_path(file: Path, tmp_path: Path) -> None:
    error = problem(file, HEAD + "Look:\n\n![A class|280](images/missing.png)\n")

    assert str(error) == (
        f"{file}:7:16: image file images/missing.png not found (looked in "
        f"{tmp_path}); check the name, or put the picture there"
    )


def test_image_found_in_a_subfolder_is_fine(
    file: Path, tmp_path: Path, make_png: MakePng
) -> None:
    (tmp_path / "images").mkdir()
    make_png("images/there.png")

    source = parse_markdown(HEAD + "![A class](images/there.png)\n", file)

    (image,) = source.edition.intro
    assert isinstance(image, Image)
    assert image.src == "images/there.png"


def test_image_without_alt_text_shows_how_to_write_it(file: Path) -> None:
    error = problem(file, HEAD + "Text.\n\n![](images/x.png)\n")

    assert str(error) == (
        f"{file}:7:1: image has no alt text — write "
        "![what the picture shows](images/x.png)"
    )


def test_image_with_only_a_width_has_no_alt_text(file: Path) -> None:
    error = problem(file, HEAD + "  ![ | 280](x.png)\n")

    assert str(error) == (
        f"{file}:5:3: image has no alt text — write ![what the picture shows](x.png)"
    )


def test_linked_image_without_alt_text(file: Path) -> None:
    error = problem(file, HEAD + "[![](x.png)](https://example.org/)\n")

    assert str(error) == (
        f"{file}:5:2: image has no alt text — write ![what the picture shows](x.png)"
    )


def test_image_that_is_not_a_picture_file(file: Path) -> None:
    error = problem(file, HEAD + "![The report](report.pdf)\n")

    assert str(error) == (
        f"{file}:5:1: image 'report.pdf' is not a picture file; use .png, .jpg, "
        ".jpeg, .gif, .webp"
    )


def test_image_too_wide(file: Path) -> None:
    error = problem(file, HEAD + "![A class|5000](https://example.org/a.png)\n")

    assert str(error) == (
        f"{file}:5:1: image 'https://example.org/a.png' width 5000 must be a whole "
        "number of pixels from 1 to 1200"
    )


def test_image_inside_text(file: Path) -> None:
    error = problem(file, HEAD + "Look ![a map](x.png) here.\n")

    assert str(error) == (
        f"{file}:5:6: a picture cannot sit inside text or a list; put it on a line "
        "of its own, with an empty line above and below"
    )


# Raw HTML and links -------------------------------------------------------------------

HTML_BLOCK = (
    "raw HTML is not allowed; write **bold**, *italic*, [link text](https://...) "
    "or a ::: box instead"
)


def test_raw_html_block(file: Path) -> None:
    error = problem(file, HEAD + "<div>Hello</div>\n")

    assert str(error) == f"{file}:5:1: {HTML_BLOCK}"


def test_indented_raw_html_block(file: Path) -> None:
    error = problem(file, HEAD + "Text.\n\n  <table>\n")

    assert str(error) == f"{file}:7:3: {HTML_BLOCK}"


def test_inline_html(file: Path) -> None:
    error = problem(file, HEAD + "Some <b>bold</b> text.\n")

    assert str(error) == (
        f"{file}:5:6: raw HTML is not allowed: '<b>'; write **bold**, *italic* or "
        "[link text](https://...) instead"
    )


def test_html_comment(file: Path) -> None:
    error = problem(file, HEAD + "Text <!-- note --> more.\n")

    assert (error.location.line, error.location.column) == (5, 6)
    assert error.message.startswith("raw HTML is not allowed: '<!-- note -->'")


JS = "link URL 'javascript:alert(1)' is not allowed: use https://, http://, mailto: or tel:"


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ("See [this](javascript:alert(1)) now.\n", 5, 12),
        ("First line\nthen [x](javascript:alert(1))\n", 6, 10),
        ("- fine\n- [x](javascript:alert(1))\n", 6, 7),
        ("> a [x](javascript:alert(1))\n", 5, 9),
        ("# S\n## A\nText.\n\n**[x](javascript:alert(1))**\n", 9, 7),
        ("::: callout\nRead [x](javascript:alert(1))\n:::\n", 6, 10),
    ],
    ids=[
        "paragraph",
        "second-line",
        "list-item",
        "quote",
        "bold-in-article",
        "callout",
    ],
)
def test_disallowed_link_scheme_points_at_the_url(
    file: Path, body: str, line: int, column: int
) -> None:
    error = problem(file, HEAD + body)

    assert str(error) == f"{file}:{line}:{column}: {JS}"


def test_relative_link_says_to_write_the_full_address(file: Path) -> None:
    error = problem(file, HEAD + "Read [it](/news/jan).\n")

    assert str(error) == (
        f"{file}:5:11: link URL '/news/jan' is not allowed: an email has no base to "
        "resolve a relative link against; write the full https://... address"
    )


def test_link_with_a_space_could_not_be_read(file: Path) -> None:
    error = problem(file, HEAD + "Read [it](my page.html).\n")

    assert (error.location.line, error.location.column) == (5, 6)
    assert "write %20" in error.message


def test_bad_personal_field(file: Path) -> None:
    error = problem(file, HEAD + "Dear {{ FirstName }},\n")

    assert (error.location.line, error.location.column) == (5, 6)
    assert error.message.startswith("'{{ FirstName }}' is not a valid personal field")
    assert "{{ first_name }}" in error.message


def test_disallowed_link_on_a_linked_image_points_at_the_url(file: Path) -> None:
    error = problem(file, HEAD + "[![a](https://example.org/a.png)](javascript:x)\n")

    assert (error.location.line, error.location.column) == (5, 35)


def test_disallowed_link_in_a_button_points_at_the_url(file: Path) -> None:
    error = problem(file, HEAD + "::: button\n[Book](javascript:x)\n:::\n")

    assert (error.location.line, error.location.column) == (6, 8)


# Headings and structure ------------------------------------------------------------------


def test_article_before_any_section(file: Path) -> None:
    error = problem(file, HEAD + "## Neglect\nText.\n")

    assert str(error) == (
        f"{file}:5:1: ## Neglect comes before any # section; an article (##) belongs "
        "to a section, so start one with # Heading above it"
    )


@pytest.mark.parametrize("level", [4, 6])
def test_headings_deeper_than_articles(file: Path, level: int) -> None:
    hashes = "#" * level
    error = problem(file, HEAD + f"# Training\nText.\n\n{hashes} Deep\nMore.\n")

    assert str(error) == (
        f"{file}:8:1: {hashes} headings go deeper than a bulletin does; use # for a "
        "section, ## for an article, ### for a heading inside an article, or a "
        "**bold line**"
    )


def test_empty_section(file: Path) -> None:
    error = problem(file, HEAD + "# Training\n# Events\nSoon.\n")

    assert str(error) == (
        f"{file}:5:1: section 'Training' is empty; write something under it or "
        "remove the # heading"
    )


def test_empty_section_at_the_end(file: Path) -> None:
    error = problem(file, HEAD + "# Training\nText.\n\n  # Events\n")

    assert str(error) == (
        f"{file}:8:3: section 'Events' is empty; write something under it or "
        "remove the # heading"
    )


def test_empty_article(file: Path) -> None:
    error = problem(file, HEAD + "# Training\n## Neglect\n## Online\nText.\n")

    assert str(error) == (
        f"{file}:6:1: article 'Neglect' is empty; write something under it or "
        "remove the ## heading"
    )


def test_a_section_whose_block_failed_is_not_also_empty(file: Path) -> None:
    error = problem(file, HEAD + "# Training\n![A class](images/missing.png)\n")

    assert "not found" in error.message


def test_an_article_whose_block_failed_is_not_also_empty(file: Path) -> None:
    error = problem(file, HEAD + "# Training\nText.\n\n## Neglect\n<b>x</b>\n")

    assert "raw HTML" in error.message


@pytest.mark.parametrize(
    "body",
    [
        "#\nText.\n",
        "# \nText.\n",
        "# &nbsp;\nText.\n",
        "# Training\n##\nText.\n",
        "# Train\x1fing\nText.\n",
    ],
    ids=["bare-hash", "hash-space", "nbsp", "bare-article", "control-character"],
)
def test_heading_without_text_is_placed(file: Path, body: str) -> None:
    try:
        parse_markdown(HEAD + body, file)
    except ContentErrorGroup as group:
        errors = list(group.exceptions)
    except ContentError as error:
        errors = [error]
    else:
        pytest.fail("a heading without text was accepted")
    for error in errors:
        assert error.location.file == file
        assert error.location.line in (5, 6)


# Quotes and lists ------------------------------------------------------------------------


def test_a_quote_holds_text_only(file: Path) -> None:
    error = problem(file, HEAD + "> - a list\n")

    assert str(error) == (
        f"{file}:5:1: a quote holds text only (a line starting > - is a list); to "
        "say who said it, end with a line > — Name (or > -- Name)"
    )


def test_a_list_item_holds_text_pictures_and_lists_only(file: Path) -> None:
    error = problem(file, HEAD + "- one\n- > a quote\n")

    assert str(error) == (
        f"{file}:5:1: a list item holds text, pictures and lists only; put quotes, "
        "tables and boxes outside the list"
    )


# Boxes ---------------------------------------------------------------------------------------


def test_unknown_box_kind_suggests_the_nearest(file: Path) -> None:
    error = problem(file, HEAD + "::: buton\n[Book](https://example.org)\n:::\n")

    assert (
        str(error) == f"{file}:5:1: there is no ::: buton box; did you mean ::: button?"
    )


def test_unknown_box_kind_far_from_any_lists_them(file: Path) -> None:
    error = problem(file, HEAD + "Text.\n\n::: widget\nx\n:::\n")

    assert str(error) == (
        f"{file}:7:1: there is no ::: widget box; use ::: button, ::: callout, "
        "::: contact, ::: event"
    )


def test_unclosed_box(file: Path) -> None:
    error = problem(file, HEAD + "Text.\n\n::: callout More\nRead this.\n\nAnd this.\n")

    assert str(error) == (
        f"{file}:7:1: the callout box is never closed; end it with a line holding "
        "only :::"
    )


def test_bad_key_in_an_event_box(file: Path) -> None:
    body = "::: event\ntitle: Talk\ndate: 2025-02-06\n  tiem: 10am\n:::\n"

    error = problem(file, HEAD + body)

    assert (error.location.line, error.location.column) == (8, 3)
    assert error.message.endswith(" box has no 'tiem'; did you mean 'time'?")


def test_bad_key_in_an_event_box_reads_well(file: Path) -> None:
    body = "::: event\ntitle: Talk\ndate: 2025-02-06\n  tiem: 10am\n:::\n"

    error = problem(file, HEAD + body)

    assert str(error) == f"{file}:8:3: an event box has no 'tiem'; did you mean 'time'?"


def test_bad_key_in_a_contact_box(file: Path) -> None:
    error = problem(file, HEAD + "::: contact\nphnoe: 03000 265770\n:::\n")

    assert (
        str(error) == f"{file}:6:1: a contact box has no 'phnoe'; did you mean 'phone'?"
    )


def test_line_that_is_not_key_value_in_an_event_box(file: Path) -> None:
    error = problem(file, HEAD + "::: event\ntitle: Talk\n    just some text\n:::\n")

    assert str(error) == (
        f"{file}:7:5: write one detail per line as key: value, e.g. title: ...; "
        "this box takes title, date, time, location, link, details"
    )


def test_key_given_twice_in_a_box(file: Path) -> None:
    body = "::: event\ntitle: Talk\ndate: 2025-02-06\ntime: 10am\ntime: 11am\n:::\n"

    error = problem(file, HEAD + body)

    assert str(error) == f"{file}:9:1: time is given twice in this event box"


def test_a_day_the_month_does_not_have(file: Path) -> None:
    body = "::: event\ntitle: Talk\ndate: 31 February 2025\n:::\n"

    error = problem(file, HEAD + body)

    assert str(error) == (
        f"{file}:7:1: '31 February 2025' is not a date: February has no day 31"
    )


@pytest.mark.parametrize(
    ("written", "bad"),
    [
        ("someday", "someday"),
        ("6 Febuary 2025", "6 Febuary 2025"),
        ("2025-02-03 to soon", "soon"),
        ("06/02/2025", "06/02/2025"),
    ],
)
def test_bad_date_in_an_event_box(file: Path, written: str, bad: str) -> None:
    body = f"::: event\ntitle: Talk\n\ndate: {written}\n:::\n"

    error = problem(file, HEAD + body)

    assert str(error) == (
        f"{file}:8:1: {bad!r} is not a date; write 2025-02-06 or 6 February 2025"
    )


def test_event_without_a_date(file: Path) -> None:
    error = problem(file, HEAD + "::: event\ntitle: Talk\n:::\n")

    assert str(error) == (
        f"{file}:6:1: the event has no date; write date: 2025-02-06 (or from "
        "2025-02-03 to 2025-02-09)"
    )


def test_event_without_a_title(file: Path) -> None:
    error = problem(file, HEAD + "::: event\ndate: 2025-02-06\n:::\n")

    assert str(error) == (
        f"{file}:6:1: the event has no title; write title: ... inside the box"
    )


def test_event_that_ends_before_it_starts(file: Path) -> None:
    error = problem(
        file, HEAD + "::: event Talk\ndate: 2025-02-09 to 2025-02-03\n:::\n"
    )

    assert error.location.line == 6  # the date: line, not the box's first line
    assert error.message == "event ends (2025-02-03) before it starts (2025-02-09)"


def test_bad_value_in_a_box_is_placed_at_its_line(file: Path) -> None:
    error = problem(file, HEAD + "::: contact\nname: Us\nphone: call us\n:::\n")

    assert str(error) == (
        f"{file}:7:1: phone number 'call us' is not a phone number; write digits, "
        "spaces and an optional leading +, e.g. 03000 265770"
    )


def test_bad_text_in_a_box_is_placed_at_its_column(file: Path) -> None:
    body = "::: event\ntitle: Talk\ndate: 2025-02-06\ndetails: see <i>this</i>\n:::\n"

    error = problem(file, HEAD + body)

    assert (error.location.line, error.location.column) == (8, 14)


def test_button_without_a_link(file: Path) -> None:
    error = problem(file, HEAD + "::: button\nBook now\n:::\n")

    assert str(error) == (
        f"{file}:6:1: a button box holds one link: [Book your place](https://example.org/)"
    )


def test_empty_callout(file: Path) -> None:
    error = problem(file, HEAD + "::: callout\n\n:::\n")

    assert str(error) == (
        f"{file}:6:1: the callout box is empty; write its text between the ::: lines"
    )


# Reading the file ----------------------------------------------------------------------------

NOT_UTF8 = (
    "the file is not UTF-8 text; save it as UTF-8 (in Word or Notepad: Save As, "
    "Encoding: UTF-8)"
)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    path.write_bytes(b"\xff")

    with pytest.raises(ContentError) as caught:
        load(path)

    assert str(caught.value) == f"{path}:1:1: {NOT_UTF8}"


def test_a_latin1_character_is_placed_at_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    path.write_bytes(b"---\r\ntitle: Caf\xe9 news\r\ndate: 2025-01-15\r\n---\r\n")

    with pytest.raises(ContentError) as caught:
        load(path)

    assert str(caught.value) == f"{path}:2:11: {NOT_UTF8}"


def test_a_directory_cannot_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "edition.md"
    folder.mkdir()

    with pytest.raises(ContentError) as caught:
        load(folder)

    error = caught.value
    assert error.location.file == folder
    assert error.location.line is None
    assert str(error) == (
        f"{folder}: is a folder; give the edition file in it, e.g. "
        f"{folder / 'edition.md'}"
    )
    assert "\n" not in str(error)


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.md"

    with pytest.raises(ContentError) as caught:
        load(path)

    assert str(caught.value) == (
        f"{path}: cannot read the file: No such file or directory"
    )


# Several problems at once ---------------------------------------------------------------------

SEVERAL = """\
---
title: News
date: next week
digest: maybe
---
Some <b>bold</b> text.

## Early
Text.

# Training
Book now.

See [this](javascript:alert(1)).

![](images/x.png)

::: buton
[Book](https://example.org)
:::

::: event
title: Talk
date: someday
:::
"""


def test_several_problems_are_all_reported_in_file_order(file: Path) -> None:
    with pytest.raises(ContentErrorGroup) as caught:
        parse_markdown(SEVERAL, file)

    group = caught.value
    assert isinstance(group, BulletinError)
    assert isinstance(group, ExceptionGroup)
    assert [str(error) for error in group.exceptions] == [
        f"{file}:3:1: date must be a date like 2025-01-15 or 15 January 2025, "
        "not 'next week'",
        f"{file}:4:1: digest must be true or false, not 'maybe'",
        f"{file}:6:6: raw HTML is not allowed: '<b>'; write **bold**, *italic* or "
        "[link text](https://...) instead",
        f"{file}:8:1: ## Early comes before any # section; an article (##) belongs "
        "to a section, so start one with # Heading above it",
        f"{file}:14:12: {JS}",
        f"{file}:16:1: image has no alt text — write "
        "![what the picture shows](images/x.png)",
        f"{file}:18:1: there is no ::: buton box; did you mean ::: button?",
        f"{file}:24:1: 'someday' is not a date; write 2025-02-06 or 6 February 2025",
    ]
    assert str(group).splitlines()[0] == f"{file} has problems (8 problems)"
    assert str(group).splitlines()[1:] == [str(error) for error in group.exceptions]


def test_several_problems_can_be_caught_with_except_star(file: Path) -> None:
    caught: list[ContentError] = []
    try:
        parse_markdown(SEVERAL, file)
    except* ContentError as group:
        caught.extend(
            error for error in group.exceptions if isinstance(error, ContentError)
        )

    assert len(caught) == 8
    assert all(error.location.file == file for error in caught)


def test_several_problems_through_load(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    path.write_text(SEVERAL.replace("\n", "\r\n"), encoding="utf-8")

    with pytest.raises(ContentErrorGroup) as caught:
        load(path)

    places = [
        (error.location.line, error.location.column)
        for error in caught.value.exceptions
    ]
    assert places == [
        (3, 1),
        (4, 1),
        (6, 6),
        (8, 1),
        (14, 12),
        (16, 1),
        (18, 1),
        (24, 1),
    ]


def test_front_matter_and_body_problems_come_together(file: Path) -> None:
    errors = problems(file, "---\ntitle: News\ndate: 2025-01-15\nbanana: 1\n---\n<p>\n")

    assert [(error.location.line, error.location.column) for error in errors] == [
        (4, 1),
        (6, 1),
    ]


def test_a_missing_key_keeps_the_group_in_file_order(file: Path) -> None:
    errors = problems(file, "---\ndate: next week\ndigest: maybe\n---\nHello.\n")

    places = [(error.location.line, error.location.column) for error in errors]
    assert places == sorted(places, key=lambda place: (place[0] or 0, place[1] or 0))


def test_an_image_width_that_is_not_a_number(file: Path) -> None:
    error = problem(file, HEAD + "![A map|wide](x.png)\n")

    assert str(error) == (
        f"{file}:5:8: after the | in ![A map|wide] write the width in pixels, "
        "e.g. ![A map|300](x.png)"
    )


def test_a_hash_in_an_unquoted_title_is_caught(file: Path) -> None:
    text = "---\ntitle: News #5 - January\ndate: 2025-01-15\nlayout: classic  # ok\n---\nHi\n"

    error = problem(file, text)

    assert str(error) == (
        f"{file}:2:1: title stops at the #: in front matter ' #' starts a note that "
        'is left out; put it in quotes: title: "News #5 - January"'
    )


def test_an_unquoted_colour_names_the_entry(file: Path) -> None:
    text = "---\ntitle: News\ndate: 2025-01-15\ncolours:\n  brand: #8a1538\n---\nHi\n"

    error = problem(file, text)

    assert str(error) == (
        f"{file}:5:3: colours.brand must be text, not nothing (if you wrote a # "
        'colour, put it in quotes: "#1d4f91")'
    )


def test_a_tel_link_with_spaces_says_to_remove_them(file: Path) -> None:
    error = problem(file, HEAD + "Call [us](tel:03000 265770).\n")

    assert error.message.endswith(
        "for a phone number leave out the spaces: tel:03000265770"
    )
