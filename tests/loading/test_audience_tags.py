"""Audience tags in Markdown: ``{for schools}`` ending a ``#``/``##`` heading or a box line.

Every tag becomes the part's audiences; a tag that is not one (mistyped,
empty, on a ``###`` heading or a ``::: closing`` box) and a tag naming an
audience nobody declared are refused at their line, never sent to everyone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulletin.errors import ContentError, ContentErrorGroup
from bulletin.loading.audiencetags import split_tag
from bulletin.loading.config import CONFIG_NAME
from bulletin.loading.source import Source, load, parse_markdown
from bulletin.model.blocks import Button, Callout, Contact, Event, Paragraph
from bulletin.model.edition import Edition

HEAD = "---\ntitle: News\ndate: 2025-01-15\naudiences: [schools, health]\n---\n"
"""Front matter declaring two audiences; the body's first line is line 6."""
FIRST = 6
"""The file line of the body's first line under :data:`HEAD`."""
PLAIN_HEAD = "---\ntitle: News\ndate: 2025-01-15\n---\n"


def source(tmp_path: Path, body: str, head: str = HEAD) -> Source:
    return parse_markdown(head + body, tmp_path / "edition.md")


def read(tmp_path: Path, body: str, head: str = HEAD) -> Edition:
    return source(tmp_path, body, head).edition


def problems(tmp_path: Path, body: str, head: str = HEAD) -> list[ContentError]:
    """The errors reading ``body`` gives (it must give at least one)."""
    with pytest.raises((ContentError, ContentErrorGroup)) as caught:
        source(tmp_path, body, head)
    error = caught.value
    if isinstance(error, ContentErrorGroup):
        return list(error.exceptions)
    assert isinstance(error, ContentError)
    return [error]


def problem(tmp_path: Path, body: str, head: str = HEAD) -> ContentError:
    """The one error reading ``body`` gives."""
    [error] = problems(tmp_path, body, head)
    return error


# Headings ---------------------------------------------------------------------------


def test_a_section_heading_takes_a_tag(tmp_path: Path) -> None:
    edition = read(tmp_path, "# Training {for schools}\n\nBook now.\n")

    [section] = edition.sections
    assert section.heading == "Training"
    assert section.audiences == {"schools"}
    assert section.blocks == [Paragraph("Book now.")]


def test_an_article_heading_takes_a_tag_of_several_names(tmp_path: Path) -> None:
    body = "# News\n\nLead.\n\n## Article {for schools; Health}\n\nWords.\n"

    [section] = read(tmp_path, body).sections

    assert section.audiences == frozenset()
    [article] = section.articles
    assert article.heading == "Article"
    assert article.audiences == {"schools", "health"}


@pytest.mark.parametrize(
    "tag",
    [
        "{for schools}",
        "{For Schools}",
        "{FOR SCHOOLS}",
        "{ for schools }",
        "{for: schools}",
        "{for schools,}",
        "{for  schools ; }",
    ],
)
def test_a_tag_is_read_without_case_or_extra_spaces(tmp_path: Path, tag: str) -> None:
    [section] = read(tmp_path, f"# Training {tag}\n\nBook now.\n").sections

    assert section.heading == "Training"
    assert section.audiences == {"schools"}


def test_an_untagged_heading_is_for_everyone(tmp_path: Path) -> None:
    body = "# Training\n\nBook now.\n\n## Course\n\nWords.\n"

    [section] = read(tmp_path, body).sections

    assert section.audiences == frozenset()
    assert section.articles[0].audiences == frozenset()


def test_a_linked_heading_takes_a_tag(tmp_path: Path) -> None:
    body = "# [Training](https://example.org/training) {for health}\n\nBook now.\n"

    [section] = read(tmp_path, body).sections

    assert section.heading == "Training"
    assert section.link == "https://example.org/training"
    assert section.audiences == {"health"}


def test_tags_of_several_parts(tmp_path: Path) -> None:
    body = (
        "# Open\n\nEveryone.\n\n"
        "# Training {for schools}\n\nSchools.\n\n"
        "## Course {for health}\n\nHealth.\n\n"
        "## Other\n\nAll of Training's readers.\n"
    )

    open_, training = read(tmp_path, body).sections

    assert open_.audiences == frozenset()
    assert training.audiences == {"schools"}
    assert [article.audiences for article in training.articles] == [
        {"health"},
        frozenset(),
    ]


# Boxes --------------------------------------------------------------------------------


def test_a_callout_with_a_title_takes_a_tag(tmp_path: Path) -> None:
    head = HEAD.replace("[schools, health]", "[schools, health, police]")
    body = "# Training\n\n::: callout Title {for police}\nSee the guidance.\n:::\n"

    [block] = read(tmp_path, body, head).sections[0].blocks

    assert isinstance(block, Callout)
    assert block.title == "Title"
    assert block.audiences == {"police"}
    assert str(block.text) == "See the guidance."


def test_a_callout_without_a_title_takes_a_tag(tmp_path: Path) -> None:
    body = "# Training\n\n::: callout {for health}\nSee the guidance.\n:::\n"

    [block] = read(tmp_path, body).sections[0].blocks

    assert isinstance(block, Callout)
    assert block.title is None
    assert block.audiences == {"health"}


def test_an_event_takes_a_tag(tmp_path: Path) -> None:
    body = (
        "# Training\n\n::: event {for schools}\ntitle: Time to Talk Day\n"
        "date: 2025-02-06\n:::\n"
    )

    [block] = read(tmp_path, body).sections[0].blocks

    assert isinstance(block, Event)
    assert str(block.title) == "Time to Talk Day"
    assert block.date == dt.date(2025, 2, 6)
    assert block.audiences == {"schools"}


def test_a_button_takes_a_tag(tmp_path: Path) -> None:
    body = (
        "# Training\n\n::: button {for health}\n[Book](https://example.org/book)\n:::\n"
    )

    [block] = read(tmp_path, body).sections[0].blocks

    assert block == Button("Book", "https://example.org/book", audiences=["health"])


def test_a_contact_with_a_heading_takes_a_tag(tmp_path: Path) -> None:
    body = (
        "# Training\n\n::: contact Contact us {for schools}\nphone: 03000 265770\n"
        "email: news@example.org\n:::\n"
    )

    [block] = read(tmp_path, body).sections[0].blocks

    assert isinstance(block, Contact)
    assert block.heading == "Contact us"
    assert block.phone == "03000 265770"
    assert block.audiences == {"schools"}


def test_boxes_in_the_intro_articles_and_closing_take_tags(tmp_path: Path) -> None:
    body = (
        "::: callout {for schools}\nIntro for schools.\n:::\n\n"
        "# Training\n\nLead.\n\n## Course\n\nWords.\n\n"
        "::: callout {for health}\nArticle for health.\n:::\n\n"
        "::: closing\n::: callout {for schools}\nClosing for schools.\n:::\n:::\n"
    )
    edition = read(tmp_path, body)

    [intro] = edition.intro
    assert isinstance(intro, Callout)
    assert intro.audiences == {"schools"}
    [section] = edition.sections
    assert section.articles[0].blocks[-1] == Callout(
        "Article for health.", audiences=["health"]
    )
    assert [getattr(block, "audiences", None) for block in section.closing] == [
        {"schools"}
    ]


def test_an_untagged_box_is_for_everyone(tmp_path: Path) -> None:
    body = "# Training\n\n::: callout More information\nSee.\n:::\n"

    [block] = read(tmp_path, body).sections[0].blocks

    assert block == Callout("See.", title="More information")


# Refused tags and where they are reported ------------------------------------------


def test_an_undeclared_audience_on_a_section_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    error = problem(tmp_path, "# Training {for shcools}\n\nBook now.\n")

    assert error.location.file == tmp_path / "edition.md"
    assert error.location.line == FIRST
    assert "audience 'shcools' is not one of the declared audiences" in error.message
    assert "did you mean 'schools'?" in error.message
    assert "the audiences are health, schools" in error.message


def test_an_undeclared_audience_on_an_article_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    body = "# Training\n\nLead.\n\n## Course {for helth}\n\nWords.\n"

    error = problem(tmp_path, body)

    assert error.location.line == FIRST + 4
    assert "did you mean 'health'?" in error.message


def test_an_undeclared_audience_on_a_box_is_refused_at_its_line(tmp_path: Path) -> None:
    body = "# Training\n\nLead.\n\n::: callout Title {for police}\nSee.\n:::\n"

    error = problem(tmp_path, body)

    assert error.location.line == FIRST + 4
    assert "audience 'police' is not one of the declared audiences" in error.message
    assert "the audiences are health, schools" in error.message


def test_an_undeclared_audience_in_the_intro_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    body = "Hello.\n\n::: button {for schols}\n[Book](https://example.org/)\n:::\n"

    error = problem(tmp_path, body)

    assert error.location.line == FIRST + 2
    assert "did you mean 'schools'?" in error.message


def test_every_undeclared_audience_is_reported(tmp_path: Path) -> None:
    body = (
        "# Training {for shcools}\n\nLead.\n\n"
        "## Course {for helth}\n\nWords.\n\n"
        "::: event {for polise}\ntitle: Day\ndate: 2025-02-06\n:::\n"
    )

    found = problems(tmp_path, body)

    assert [error.location.line for error in found] == [FIRST, FIRST + 4, FIRST + 8]
    assert all("is not one of the declared audiences" in e.message for e in found)


def test_without_declared_audiences_a_tag_says_how_to_declare_them(
    tmp_path: Path,
) -> None:
    error = problem(tmp_path, "# Training {for schools}\n\nBook now.\n", PLAIN_HEAD)

    assert error.location.line == 5
    assert "audience 'schools' is not declared" in error.message
    assert "audiences: [schools, ...]" in error.message


def test_audiences_declared_in_bulletin_toml(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        'schema = 1\naudiences = ["Schools", "Social Care"]\n', encoding="utf-8"
    )
    path = tmp_path / "edition.md"
    path.write_text(
        PLAIN_HEAD + "# Training {for social  care; SCHOOLS}\n\nBook now.\n",
        encoding="utf-8",
    )

    loaded = load(path)

    assert loaded.settings.audiences == ("schools", "social care")
    assert loaded.edition.sections[0].audiences == {"schools", "social care"}


def test_an_audience_not_declared_in_bulletin_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        'schema = 1\naudiences = ["schools", "health"]\n', encoding="utf-8"
    )
    path = tmp_path / "edition.md"
    path.write_text(
        PLAIN_HEAD + "# Open\n\nEveryone.\n\n# Training {for shcools}\n\nBook now.\n",
        encoding="utf-8",
    )

    with pytest.raises(ContentError) as caught:
        load(path)

    error = caught.value
    assert error.location.file == path
    assert error.location.line == 9
    assert "did you mean 'schools'?" in error.message
    assert str(error).startswith(f"{path}:9: ")


def test_the_front_matter_may_declare_audiences_instead(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        'schema = 1\naudiences = ["schools"]\n', encoding="utf-8"
    )
    path = tmp_path / "edition.md"
    head = PLAIN_HEAD.replace(
        "date: 2025-01-15\n", "date: 2025-01-15\naudiences: [police]\n"
    )
    path.write_text(head + "# Training {for schools}\n\nBook now.\n", encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load(path)

    assert caught.value.location.line == 6
    assert "the audiences are police" in caught.value.message


def test_an_audience_declared_twice_in_bulletin_toml_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        'schema = 1\naudiences = ["Schools", "schools"]\n', encoding="utf-8"
    )
    path = tmp_path / "edition.md"
    path.write_text(PLAIN_HEAD + "# Training\n\nBook now.\n", encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load(path)

    assert caught.value.location.file is not None
    assert caught.value.location.file.name == CONFIG_NAME
    assert caught.value.location.line == 2
    assert "declared twice" in caught.value.message


def test_a_bad_no_audience_in_bulletin_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        'schema = 1\nno_audience = "everyone"\n', encoding="utf-8"
    )
    path = tmp_path / "edition.md"
    path.write_text(PLAIN_HEAD + "# Training\n\nBook now.\n", encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load(path)

    assert caught.value.location.line == 2
    assert "'everything'" in caught.value.message


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("# Training {fro schools}", "{fro schools} at the end of the line is not"),
        ("# Training {schools}", "{schools} at the end of the line is not"),
        ("# Training {}", "{} at the end of the line is not"),
        ("# Training {forschools}", "{forschools} at the end of the line is not"),
        ("# Training {for}", "{for} names no audience"),
        ("# Training {for ;,}", "{for ;,} names no audience"),
        ("# Training {for sch@ols}", "'sch@ols' is not an audience name"),
    ],
)
def test_braces_that_are_not_a_tag_are_refused_at_their_column(
    tmp_path: Path, line: str, says: str
) -> None:
    error = problem(tmp_path, f"{line}\n\nBook now.\n")

    assert says in error.message
    assert error.location.line == FIRST
    assert error.location.column == line.index("{") + 1


def test_a_mistyped_tag_on_a_box_is_refused_at_its_line(tmp_path: Path) -> None:
    body = "# Training\n\nLead.\n\n::: callout Title {fro schools}\nSee.\n:::\n"

    error = problem(tmp_path, body)

    assert error.location.line == FIRST + 4
    assert (
        "{fro schools} at the end of the line is not an audience tag" in error.message
    )


def test_an_empty_tag_on_a_box_is_refused_at_its_line(tmp_path: Path) -> None:
    body = "# Training\n\n::: event {for}\ntitle: Day\ndate: 2025-02-06\n:::\n"

    error = problem(tmp_path, body)

    assert error.location.line == FIRST + 2
    assert "names no audience" in error.message


def test_a_subheading_cannot_be_tagged(tmp_path: Path) -> None:
    body = (
        "# Training\n\nLead.\n\n## Course\n\nWords.\n\n### Sub {for schools}\n\nMore.\n"
    )

    error = problem(tmp_path, body)

    assert "a ### heading cannot be tagged for an audience" in error.message
    assert error.location.line == FIRST + 8
    assert error.location.column == len("### Sub ") + 1


def test_a_deeper_heading_cannot_be_tagged_either(tmp_path: Path) -> None:
    body = "# Training\n\nLead.\n\n## Course\n\nWords.\n\n#### Sub {for schools}\n\nMore.\n"

    found = problems(tmp_path, body)

    assert {error.location.line for error in found} == {FIRST + 8}
    assert any(
        "a #### heading cannot be tagged for an audience" in error.message
        for error in found
    )


@pytest.mark.parametrize(
    "opening", ["::: closing {for schools}", "::: Closing {for x}"]
)
def test_a_closing_box_cannot_be_tagged(tmp_path: Path, opening: str) -> None:
    body = f"# Training\n\nLead.\n\n## Course\n\nWords.\n\n{opening}\nBye.\n:::\n"

    error = problem(tmp_path, body)

    assert "a ::: closing box cannot be tagged for an audience" in error.message
    assert error.location.line == FIRST + 8


def test_a_failed_tag_leaves_nothing_to_send(tmp_path: Path) -> None:
    """A part whose tag is refused is never built: the file does not load."""
    body = "# Open\n\nEveryone.\n\n# Training {fro schools}\n\nSecret words.\n"

    found = problems(tmp_path, body)

    assert [error.location.line for error in found] == [FIRST + 4]


# Personal fields are not tags -------------------------------------------------------------


def test_a_field_ending_a_heading_is_not_a_tag(tmp_path: Path) -> None:
    edition = read(tmp_path, "# Hello {{ first_name }}\n\nText.\n")

    [section] = edition.sections
    assert section.audiences == frozenset()
    assert section.heading.startswith("Hello")
    assert section.blocks == [Paragraph("Text.")]


def test_a_field_ending_a_box_title_is_not_a_tag(tmp_path: Path) -> None:
    body = "# Training\n\n::: callout Hello {{ first_name }}\nSee.\n:::\n"

    [block] = read(tmp_path, body).sections[0].blocks

    assert isinstance(block, Callout)
    assert block.audiences == frozenset()
    assert block.title == "Hello {{ first_name }}"


def test_a_tag_may_follow_a_field(tmp_path: Path) -> None:
    [section] = read(
        tmp_path, "# Hello {{ first_name }} {for schools}\n\nText.\n"
    ).sections

    assert section.audiences == {"schools"}
    assert section.heading.startswith("Hello")
    assert "{for" not in section.heading


@pytest.mark.parametrize(
    "line",
    ["Hello {{ first_name }}", "Hello {{first_name}}", "Sets {{a}}", "Training"],
)
def test_split_tag_leaves_lines_without_a_tag_alone(line: str) -> None:
    assert split_tag(line) == (line, frozenset())


def test_split_tag_gives_the_line_without_its_tag() -> None:
    assert split_tag("Training {for Schools, social care}  ") == (
        "Training",
        frozenset({"schools", "social care"}),
    )


def test_a_refused_tag_carries_its_braces_as_the_fragment() -> None:
    with pytest.raises(ContentError) as caught:
        split_tag("Training {fro schools} ")

    assert caught.value.fragment == "{fro schools}"


# Tags that are not where a tag goes --------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "# Training {for schools} (new)",
        "# Training {for schools}.",
        "# *Training {for schools}*",
        "# Training {for schools}}",
        "# Training {for schools} {for health}",
        "::: callout {for schools} More information\nSee.\n:::",
    ],
)
def test_a_tag_that_is_not_last_on_its_line_is_refused(
    tmp_path: Path, line: str
) -> None:
    found = problems(tmp_path, f"# Open\n\nEveryone.\n\n{line}\n\nSecret words.\n")

    assert any("{for schools}" in error.message for error in found)


def test_an_escaped_brace_is_not_read_as_a_tag(tmp_path: Path) -> None:
    try:
        edition = read(tmp_path, "# Training \\{for schools}\n\nText.\n")
    except ContentError:
        return  # refusing the line is sane too
    [section] = edition.sections
    assert "\\" not in section.heading
    assert section.heading == "Training {for schools}"
    assert section.audiences == frozenset()


# Words that would go to everyone as they are ----------------------------------------


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("Para text {for police}\n", 10),
        ("- item {for police}\n", 10),
        ("**Bold line {for police}**\n", 10),
        ("> quote {for police}\n", 10),
        ("| A | B |\n| --- | --- |\n| x {for police} | y |\n", 12),
        ("::: callout Title\n{for police}\n:::\n", 11),
        ("::: event\ntitle: Police day {for police}\ndate: 2025-02-06\n:::\n", 11),
        (":::: callout Four {for police}\nx\n::::\n", 10),
        ("    ::: callout Indented {for police}\n", 10),
        ("# Secret \uff5bfor police\uff5d\n\nWords.\n", 10),
        ("# Secret &#123;for police&#125;\n\nWords.\n", 10),
    ],
)
def test_a_tag_where_no_tag_can_go_is_refused_at_its_line(
    tmp_path: Path, body: str, line: int
) -> None:
    found = problems(tmp_path, f"# Open\n\nEveryone.\n\n{body}")
    refused = [error for error in found if "cannot tag this line" in error.message]
    assert [error.location.line for error in refused] == [line], found


def test_a_tag_in_a_note_to_oneself_is_never_shown_so_never_refused(
    tmp_path: Path,
) -> None:
    edition = read(tmp_path, "<!-- {for police}: ask Sam -->\n\n# Open\n\nWords.\n")
    assert [section.heading for section in edition.sections] == ["Open"]


def test_a_box_inside_a_box_is_refused_at_the_inner_box(tmp_path: Path) -> None:
    body = (
        "# Open\n\nEveryone.\n\n"
        "::: callout For police {for police}\nPolice info.\n\n"
        "::: button\n[Portal](https://p.example.org/)\n:::\n\nMore police.\n:::\n"
    )
    found = problems(tmp_path, body)
    messages = {error.location.line: error.message for error in found}
    assert "a box cannot hold another box" in messages[13]
    assert "closes no box" in messages[18]


def test_a_closing_line_that_closes_nothing_is_refused(tmp_path: Path) -> None:
    error = problem(tmp_path, "# Open\n\nEveryone.\n:::\n")
    assert "closes no box" in error.message
    assert error.location.line == 9


# A second adversarial pass ----------------------------------------------------------


def test_a_tag_broken_across_a_line_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, "# Open\n\nWords {\nfor police} here.\n")
    assert [error.location.line for error in found] == [8]
    assert "cannot tag this line" in found[0].message


def test_an_invisible_character_after_the_brace_is_still_a_tag(tmp_path: Path) -> None:
    found = problems(tmp_path, "# Open\n\nWords {\u200bfor police}.\n")
    assert "cannot tag this line" in found[0].message


def test_an_escaped_backslash_leaves_the_brace_a_brace(tmp_path: Path) -> None:
    edition = read(tmp_path, "# Schools \\\\{for schools}\n\nWords.\n")
    [section] = edition.sections
    assert section.audiences == {"schools"}
    assert section.heading == "Schools \\"


def test_a_heading_inside_a_box_is_refused(tmp_path: Path) -> None:
    body = (
        "# Open\n\nWords.\n\n::: callout Police {for schools}\nSecret.\n\n"
        "# Everyone\n\nWords for all.\n:::\n"
    )
    found = problems(tmp_path, body)
    assert any(
        "a heading cannot go inside a box" in error.message
        and error.location.line == 13
        for error in found
    ), found


def test_without_audiences_braces_are_words(tmp_path: Path) -> None:
    edition = read(
        tmp_path,
        "# Budget {draft}\n\nText {for example} here.\n\n::: callout Note {v2}\nSee.\n:::\n",
        head=PLAIN_HEAD,
    )
    [section] = edition.sections
    assert section.heading == "Budget {draft}"
    assert section.audiences == frozenset()
    assert "{for example}" in str(section.blocks[0].text)  # type: ignore[union-attr]
