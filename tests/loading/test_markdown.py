"""An edition file's Markdown: every syntax element becomes the right model object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.loading.source import EDITION_KEYS, Source, load, parse_markdown
from bulletin.model.blocks import (
    BulletList,
    Button,
    Callout,
    Contact,
    Divider,
    Event,
    Image,
    ListItem,
    Paragraph,
    Quote,
)
from bulletin.model.edition import Article, Edition, Section
from bulletin.model.text import Emphasis, Field, LineBreak, Link, Run, Strong

HEAD = "---\ntitle: News - January 2025\ndate: 2025-01-15\n---\n"

MakePng = Callable[..., Path]


def read(tmp_path: Path, body: str, head: str = HEAD) -> Edition:
    """The edition a file holding ``head`` and then ``body`` reads as."""
    return parse_markdown(head + body, tmp_path / "edition.md").edition


def only_block(tmp_path: Path, body: str) -> object:
    """The one block of a body written before any heading (the intro)."""
    edition = read(tmp_path, body)
    assert edition.sections == []
    assert len(edition.intro) == 1
    return edition.intro[0]


# Front matter ------------------------------------------------------------------


def test_front_matter_gives_the_editions_own_values(tmp_path: Path) -> None:
    text = (
        "---\n"
        "title: News - January 2025\n"
        "date: 2025-01-15\n"
        "subject: January's news\n"
        "preheader: Training places, February's awareness days\n"
        "language: cy\n"
        "layout: modern\n"
        "digest: true\n"
        "---\n"
        "Hello.\n"
    )

    source = parse_markdown(text, tmp_path / "edition.md")

    assert isinstance(source, Source)
    assert source.edition == Edition(
        "News - January 2025",
        dt.date(2025, 1, 15),
        preheader="Training places, February's awareness days",
        intro=[Paragraph("Hello.")],
        language="cy",
        subject="January's news",
    )
    assert source.layout == "modern"
    assert source.digest is True
    assert source.path == tmp_path / "edition.md"
    assert source.base_dir == tmp_path
    assert source.config.path is None


def test_defaults_when_the_front_matter_says_nothing_more(tmp_path: Path) -> None:
    source = parse_markdown(HEAD + "Hello.\n", tmp_path / "edition.md")

    assert source.edition.language == "en-GB"
    assert source.edition.subject is None
    assert source.edition.preheader == ""
    assert source.digest is False


def test_front_matter_intro_comes_before_the_bodys_intro(tmp_path: Path) -> None:
    head = "---\ntitle: T\ndate: 2025-01-15\nintro: Welcome to **this** edition\n---\n"

    edition = read(tmp_path, "Dear {{ first_name | colleague }},\n", head=head)

    assert edition.intro == [
        Paragraph("Welcome to **this** edition"),
        Paragraph("Dear {{ first_name | colleague }},"),
    ]


def test_front_matter_intro_alone(tmp_path: Path) -> None:
    head = "---\ntitle: T\ndate: 2025-01-15\nintro: Just this.\n---\n"

    edition = read(tmp_path, "# Training\nBook now.\n", head=head)

    assert edition.intro == [Paragraph("Just this.")]
    assert [section.heading for section in edition.sections] == ["Training"]


def test_every_edition_key_is_a_known_front_matter_key() -> None:
    for key in ("title", "date", "subject", "preheader", "intro", "layout"):
        assert key in EDITION_KEYS
    for key in ("language", "digest", "colours", "view_online_url", "utm"):
        assert key in EDITION_KEYS


def test_a_file_with_no_body_has_no_blocks(tmp_path: Path) -> None:
    edition = read(tmp_path, "")

    assert edition.intro == []
    assert edition.sections == []


# Structure: intro, sections, articles ------------------------------------------


def test_text_before_the_first_heading_is_the_intro(tmp_path: Path) -> None:
    edition = read(tmp_path, "Dear colleague,\n\nWelcome.\n\n# Training\nBook now.\n")

    assert edition.intro == [Paragraph("Dear colleague,"), Paragraph("Welcome.")]
    assert edition.sections == [Section("Training", [Paragraph("Book now.")])]


def test_hash_headings_are_sections_and_double_hash_are_articles(
    tmp_path: Path,
) -> None:
    body = (
        "# Training\n"
        "Places are going fast.\n"
        "\n"
        "## Neglect\n"
        "A day on neglect.\n"
        "\n"
        "## Online safety\n"
        "Two sessions.\n"
        "\n"
        "# Awareness days\n"
        "## Time to Talk\n"
        "Talk to someone.\n"
    )

    edition = read(tmp_path, body)

    assert edition.intro == []
    assert edition.sections == [
        Section(
            "Training",
            [Paragraph("Places are going fast.")],
            [
                Article("Neglect", [Paragraph("A day on neglect.")]),
                Article("Online safety", [Paragraph("Two sessions.")]),
            ],
        ),
        Section(
            "Awareness days",
            [],
            [Article("Time to Talk", [Paragraph("Talk to someone.")])],
        ),
    ]


def test_blocks_before_the_first_article_belong_to_the_section(
    tmp_path: Path,
) -> None:
    body = "# Training\nFirst.\n\n- one\n- two\n\n## Course\nAbout it.\n"

    (section,) = read(tmp_path, body).sections

    assert section.blocks == [Paragraph("First."), BulletList(["one", "two"])]
    assert section.articles == [Article("Course", [Paragraph("About it.")])]


def test_heading_markup_is_reduced_to_plain_text(tmp_path: Path) -> None:
    (section,) = read(tmp_path, "# Training *for* **all**\nBook.\n").sections

    assert section.heading == "Training for all"


# Paragraphs ----------------------------------------------------------------------


def test_paragraph_with_bold_italic_links_and_fields(tmp_path: Path) -> None:
    line = (
        "Dear {{ first_name | colleague }}, read **the report** *today* at "
        "[our site](https://example.org/r)."
    )

    block = only_block(tmp_path, line + "\n")

    assert block == Paragraph(line)
    assert isinstance(block, Paragraph)
    assert block.text.nodes == (
        Run("Dear "),
        Field("first_name", "colleague"),
        Run(", read "),
        Strong((Run("the report"),)),
        Run(" "),
        Emphasis((Run("today"),)),
        Run(" at "),
        Link("https://example.org/r", (Run("our site"),)),
        Run("."),
    )


def test_lines_of_a_paragraph_are_joined_by_a_space(tmp_path: Path) -> None:
    block = only_block(tmp_path, "One line\nand the next.\n")

    assert isinstance(block, Paragraph)
    assert str(block.text) == "One line and the next."


def test_backslash_at_the_end_of_a_line_is_a_hard_line_break(tmp_path: Path) -> None:
    block = only_block(tmp_path, "Durham County Hall\\\nDurham DH1 5UL\n")

    assert block == Paragraph("Durham County Hall\\\nDurham DH1 5UL")
    assert isinstance(block, Paragraph)
    assert block.text.nodes == (
        Run("Durham County Hall"),
        LineBreak(),
        Run("Durham DH1 5UL"),
    )


def test_blank_lines_separate_paragraphs(tmp_path: Path) -> None:
    edition = read(tmp_path, "One.\n\n\n\nTwo.\n")

    assert edition.intro == [Paragraph("One."), Paragraph("Two.")]


# Lists ---------------------------------------------------------------------------


def test_bullet_list(tmp_path: Path) -> None:
    block = only_block(tmp_path, "- One\n- **Two**\n- Three\n")

    assert block == BulletList(["One", "**Two**", "Three"])


def test_a_change_of_bullet_marker_starts_a_new_list(tmp_path: Path) -> None:
    edition = read(tmp_path, "- One\n* Two\n")

    assert edition.intro == [BulletList(["One"]), BulletList(["Two"])]


def test_numbered_list(tmp_path: Path) -> None:
    block = only_block(tmp_path, "1. First\n2. Second\n3. Third\n")

    assert block == BulletList(["First", "Second", "Third"], numbered=True)


def test_nested_lists_join_the_item_above(tmp_path: Path) -> None:
    body = "- Fruit\n  - Apples\n  - Pears\n- Vegetables\n  1. Leeks\n  2. Kale\n"

    block = only_block(tmp_path, body)

    # A numbered list under a bullet keeps its numbers: it is a list of its own.
    assert block == BulletList(
        [
            "Fruit",
            ["Apples", "Pears"],
            ListItem(
                "Vegetables", blocks=[BulletList(["Leeks", "Kale"], numbered=True)]
            ),
        ]
    )


def test_loose_list_items_are_still_items(tmp_path: Path) -> None:
    block = only_block(tmp_path, "- One\n\n- Two\n")

    assert block == BulletList(["One", "Two"])


# Images ----------------------------------------------------------------------------


def test_image_with_width_and_caption(tmp_path: Path, make_png: MakePng) -> None:
    (tmp_path / "images").mkdir()
    make_png("images/x.png")

    block = only_block(
        tmp_path, '![Children playing|280](images/x.png "In the park")\n'
    )

    assert block == Image(
        "images/x.png", "Children playing", width=280, caption="In the park"
    )


def test_image_without_width_or_caption(tmp_path: Path, make_png: MakePng) -> None:
    make_png("x.png")

    block = only_block(tmp_path, "![A map of the county](x.png)\n")

    assert block == Image("x.png", "A map of the county")
    assert isinstance(block, Image)
    assert block.width is None
    assert block.caption is None
    assert block.link is None


def test_linked_image(tmp_path: Path, make_png: MakePng) -> None:
    make_png("x.png")

    block = only_block(tmp_path, "[![Our logo](x.png)](https://example.org/)\n")

    assert block == Image("x.png", "Our logo", link="https://example.org/")


def test_linked_image_with_width_and_caption(tmp_path: Path, make_png: MakePng) -> None:
    make_png("x.png")

    block = only_block(
        tmp_path, '[![Our logo | 120](x.png "Caption")](https://example.org/)\n'
    )

    assert block == Image(
        "x.png", "Our logo", width=120, link="https://example.org/", caption="Caption"
    )


def test_remote_image_need_not_exist_on_disk(tmp_path: Path) -> None:
    block = only_block(tmp_path, "![A chart](https://example.org/chart.png)\n")

    assert block == Image("https://example.org/chart.png", "A chart")
    assert isinstance(block, Image)
    assert block.is_remote


# Quotes ------------------------------------------------------------------------------


def test_quote_without_attribution(tmp_path: Path) -> None:
    block = only_block(tmp_path, "> Children should be *seen* and heard.\n")

    assert block == Quote("Children should be *seen* and heard.")


@pytest.mark.parametrize("dash", ["—", "–", "--"])
def test_quote_with_attribution(tmp_path: Path, dash: str) -> None:
    block = only_block(tmp_path, f"> It made a difference.\n> {dash} A parent\n")

    assert block == Quote("It made a difference.", "A parent")


def test_quote_of_several_paragraphs(tmp_path: Path) -> None:
    block = only_block(tmp_path, "> One.\n>\n> Two.\n> — **Someone**\n")

    assert block == Quote(["One.", "Two."], "**Someone**")


def test_a_lone_dash_line_in_a_quote_is_its_text_not_an_attribution(
    tmp_path: Path,
) -> None:
    block = only_block(tmp_path, "> — Someone\n")

    assert block == Quote("— Someone")


# Dividers ------------------------------------------------------------------------------


def test_divider_between_paragraphs(tmp_path: Path) -> None:
    edition = read(tmp_path, "Before.\n\n---\n\nAfter.\n")

    assert edition.intro == [Paragraph("Before."), Divider(), Paragraph("After.")]


def test_divider_directly_under_a_paragraph_line_is_not_a_heading(
    tmp_path: Path,
) -> None:
    edition = read(tmp_path, "# Training\nBook now.\n---\nMore.\n")

    assert edition.sections == [
        Section("Training", [Paragraph("Book now."), Divider(), Paragraph("More.")])
    ]


@pytest.mark.parametrize("rule", ["***", "___", "- - -", "-----"])
def test_other_rules_are_dividers_too(tmp_path: Path, rule: str) -> None:
    edition = read(tmp_path, f"Before.\n\n{rule}\n\nAfter.\n")

    assert edition.intro == [Paragraph("Before."), Divider(), Paragraph("After.")]


def test_equals_under_a_line_is_text_not_a_heading(tmp_path: Path) -> None:
    edition = read(tmp_path, "Title\n===\n")

    assert edition.intro == [Paragraph("Title\n===")]
    assert edition.sections == []


# Boxes -----------------------------------------------------------------------------------


def test_button_box(tmp_path: Path) -> None:
    block = only_block(
        tmp_path, "::: button\n[Book your place](https://example.org/training/)\n:::\n"
    )

    assert block == Button("Book your place", "https://example.org/training/")


def test_callout_box_with_title(tmp_path: Path) -> None:
    body = (
        "::: callout More information\n"
        "Read the [guidance](https://example.org/guidance/).\n"
        "\n"
        "Or **call us**.\n"
        ":::\n"
    )

    block = only_block(tmp_path, body)

    assert block == Callout(
        "Read the [guidance](https://example.org/guidance/).\\\nOr **call us**.",
        title="More information",
    )


def test_callout_box_without_title(tmp_path: Path) -> None:
    block = only_block(tmp_path, "::: callout\nA note.\n:::\n")

    assert block == Callout("A note.")
    assert isinstance(block, Callout)
    assert block.title is None


def test_contact_box_with_every_key(tmp_path: Path) -> None:
    body = (
        "::: contact Contact us\n"
        "name: Durham Safeguarding Children Partnership\n"
        "address: County Hall, Durham, DH1 5UL\n"
        "phone: 03000 265770\n"
        "email: news@example.org\n"
        "website: www.example.org\n"
        ":::\n"
    )

    block = only_block(tmp_path, body)

    assert block == Contact(
        heading="Contact us",
        name="Durham Safeguarding Children Partnership",
        address=("County Hall", "Durham", "DH1 5UL"),
        phone="03000 265770",
        email="news@example.org",
        website="www.example.org",
    )
    assert isinstance(block, Contact)
    assert block.website_href == "https://www.example.org"


def test_contact_box_without_title(tmp_path: Path) -> None:
    block = only_block(tmp_path, "::: contact\nemail: news@example.org\n:::\n")

    assert block == Contact(email="news@example.org")


def test_event_box_with_every_key(tmp_path: Path) -> None:
    body = (
        "::: event\n"
        "title: Time to Talk Day\n"
        "date: 2025-02-06\n"
        "time: all day\n"
        "location: Everywhere\n"
        "link: https://timetotalkday.co.uk/\n"
        "details: A day for **talking** about mental health.\n"
        ":::\n"
    )

    block = only_block(tmp_path, body)

    assert block == Event(
        "Time to Talk Day",
        dt.date(2025, 2, 6),
        time="all day",
        location="Everywhere",
        details="A day for **talking** about mental health.",
        link="https://timetotalkday.co.uk/",
    )


def test_event_title_may_follow_the_kind(tmp_path: Path) -> None:
    block = only_block(tmp_path, "::: event Time to Talk Day\ndate: 2025-02-06\n:::\n")

    assert block == Event("Time to Talk Day", dt.date(2025, 2, 6))


def test_box_keys_ignore_case_and_blank_lines(tmp_path: Path) -> None:
    block = only_block(
        tmp_path, "::: Event\nTitle: Talk\n\nDATE: 2025-02-06\n   time:  10am  \n:::\n"
    )

    assert block == Event("Talk", dt.date(2025, 2, 6), time="10am")


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("2025-02-06", dt.date(2025, 2, 6), None),
        ("6 February 2025", dt.date(2025, 2, 6), None),
        ("Thursday 6th February 2025", dt.date(2025, 2, 6), None),
        ("Thursday, 6 february 2025", dt.date(2025, 2, 6), None),
        ("1st March 2025", dt.date(2025, 3, 1), None),
        ("2025-02-03 to 2025-02-09", dt.date(2025, 2, 3), dt.date(2025, 2, 9)),
        ("from 2025-02-03 to 2025-02-09", dt.date(2025, 2, 3), dt.date(2025, 2, 9)),
        (
            "3 February 2025 to 9 February 2025",
            dt.date(2025, 2, 3),
            dt.date(2025, 2, 9),
        ),
        ("2025-02-06 to 2025-02-06", dt.date(2025, 2, 6), None),
    ],
)
def test_event_date_forms(
    tmp_path: Path, written: str, start: dt.date, end: dt.date | None
) -> None:
    block = only_block(tmp_path, f"::: event\ntitle: Week\ndate: {written}\n:::\n")

    assert isinstance(block, Event)
    assert block.date == start
    assert block.end_date == end


def test_boxes_sit_in_sections_and_articles(tmp_path: Path) -> None:
    body = (
        "# Events\n"
        "::: button\n[All events](https://example.org/events)\n:::\n"
        "\n"
        "## Talk\n"
        "Come along.\n"
        "\n"
        "::: event Talk\ndate: 2025-02-06\n:::\n"
    )

    (section,) = read(tmp_path, body).sections

    assert section.blocks == [Button("All events", "https://example.org/events")]
    assert section.articles == [
        Article("Talk", [Paragraph("Come along."), Event("Talk", dt.date(2025, 2, 6))])
    ]


# A whole file, and its encodings -------------------------------------------------------------

FULL = (
    "---\n"
    "title: News - January 2025\n"
    "date: 2025-01-15\n"
    "preheader: Training places\n"
    "---\n"
    "Dear {{ first_name | colleague }},\n"
    "\n"
    "# Training\n"
    "Book **now**:\\\n"
    "places are going.\n"
    "\n"
    "- One\n"
    "  - One and a half\n"
    "- Two\n"
    "\n"
    '![A class|280](images/x.png "Our room")\n'
    "\n"
    "> It helped.\n"
    "> — A parent\n"
    "\n"
    "---\n"
    "\n"
    "## Neglect\n"
    "::: event Neglect day\n"
    "date: Thursday 6th February 2025\n"
    "location: Durham\n"
    ":::\n"
    "\n"
    "::: contact Contact us\n"
    "phone: 03000 265770\n"
    ":::\n"
)


def expected_full() -> Edition:
    return Edition(
        "News - January 2025",
        dt.date(2025, 1, 15),
        preheader="Training places",
        intro=[Paragraph("Dear {{ first_name | colleague }},")],
        sections=[
            Section(
                "Training",
                [
                    Paragraph("Book **now**:\\\nplaces are going."),
                    BulletList(["One", ["One and a half"], "Two"]),
                    Image("images/x.png", "A class", width=280, caption="Our room"),
                    Quote("It helped.", "A parent"),
                    Divider(),
                ],
                [
                    Article(
                        "Neglect",
                        [
                            Event(
                                "Neglect day", dt.date(2025, 2, 6), location="Durham"
                            ),
                            Contact(heading="Contact us", phone="03000 265770"),
                        ],
                    )
                ],
            )
        ],
    )


@pytest.fixture
def images(tmp_path: Path, make_png: MakePng) -> Path:
    (tmp_path / "images").mkdir()
    return make_png("images/x.png")


@pytest.mark.usefixtures("images")
def test_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    path.write_text(FULL, encoding="utf-8")

    assert load(path).edition == expected_full()


@pytest.mark.usefixtures("images")
@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("crlf", lambda text: text.replace("\n", "\r\n").encode("utf-8")),
        ("bom", lambda text: text.encode("utf-8-sig")),
        ("crlf+bom", lambda text: text.replace("\n", "\r\n").encode("utf-8-sig")),
        ("cr", lambda text: text.replace("\n", "\r").encode("utf-8")),
    ],
)
def test_windows_line_endings_and_a_bom_read_the_same(
    tmp_path: Path, name: str, encode: Callable[[str], bytes]
) -> None:
    plain = tmp_path / "plain.md"
    plain.write_bytes(FULL.encode("utf-8"))
    other = tmp_path / f"{name}.md"
    other.write_bytes(encode(FULL))

    assert load(other).edition == load(plain).edition == expected_full()


@pytest.mark.usefixtures("images")
def test_parse_markdown_accepts_crlf_and_bom_text(tmp_path: Path) -> None:
    text = "\ufeff" + FULL.replace("\n", "\r\n")

    source = parse_markdown(text, tmp_path / "edition.md")

    assert source.edition == expected_full()


def test_an_image_width_may_say_px(tmp_path: Path, make_png: MakePng) -> None:
    make_png("x.png", (600, 300))

    image = only_block(tmp_path, "![A red square|300px](x.png)\n")

    assert image == Image("x.png", "A red square", width=300)


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("6 Feb 2025", dt.date(2025, 2, 6), None),
        ("6 Sept. 2025", dt.date(2025, 9, 6), None),
        ("28 February to 2 March 2025", dt.date(2025, 2, 28), dt.date(2025, 3, 2)),
        ("from 3 to 9 February 2025", dt.date(2025, 2, 3), dt.date(2025, 2, 9)),
    ],
)
def test_more_event_date_forms(
    tmp_path: Path, written: str, start: dt.date, end: dt.date | None
) -> None:
    event = only_block(tmp_path, f"::: event\ntitle: Talk\ndate: {written}\n:::\n")

    assert isinstance(event, Event)
    assert (event.date, event.end_date) == (start, end)


def test_the_front_matter_date_may_be_written_in_words(tmp_path: Path) -> None:
    head = "---\ntitle: News\ndate: 15 January 2025\n---\n"

    assert read(tmp_path, "Hello.\n", head).date == dt.date(2025, 1, 15)


def test_a_comment_line_is_left_out(tmp_path: Path) -> None:
    edition = read(tmp_path, "<!-- check the date with Sam -->\n\nHello.\n")

    assert edition.intro == [Paragraph("Hello.")]
