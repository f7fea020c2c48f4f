"""The edition model and its blocks: building, chaining and validation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bulletin.errors import ContentError
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
from bulletin.model.text import Link, Run, Strong, Text

DAY = dt.date(2025, 1, 15)


def _message(action: Callable[[], object]) -> str:
    """Run ``action``, which must raise ContentError; return ``str(error)``."""
    with pytest.raises(ContentError) as caught:
        action()
    return str(caught.value)


# Declarative and fluent forms ------------------------------------------------


def _declarative() -> Edition:
    return Edition(
        "News - January 2025",
        DAY,
        preheader="Training, events and a new procedure.",
        intro=[Paragraph("Welcome to the **January** edition.")],
        sections=[
            Section(
                "Training",
                [
                    Paragraph("Book now."),
                    BulletList(["One", ["One a", "One b"], "Two"]),
                    BulletList(["First", "Second"], numbered=True),
                    Image("images/course.png", "A training room", width=300),
                    Button("Book a place", "https://example.org/book"),
                ],
                articles=[
                    Article(
                        "Online courses",
                        [
                            Quote("It was *very* useful.", "A delegate"),
                            Divider(),
                            Callout("Ask the team.", title="Questions?"),
                        ],
                    ),
                    Article(
                        "Briefings",
                        [
                            Event(
                                "Briefing",
                                dt.date(2025, 2, 6),
                                time="10am",
                                location="Online (Teams)",
                                link="https://example.org/briefing",
                            )
                        ],
                    ),
                ],
            ),
            Section("Contact", [Contact(name="The team", email="news@example.org")]),
        ],
    )


def _fluent() -> Edition:
    edition = Edition(
        "News - January 2025", DAY, preheader="Training, events and a new procedure."
    )
    edition.add_intro("Welcome to the **January** edition.")
    training = edition.section("Training")
    (
        training.paragraph("Book now.")
        .bullets(["One", ["One a", "One b"], "Two"])
        .numbered(["First", "Second"])
        .image("images/course.png", "A training room", width=300)
        .button("Book a place", "https://example.org/book")
    )
    training.article("Online courses").quote(
        "It was *very* useful.", "A delegate"
    ).divider().callout("Ask the team.", title="Questions?")
    training.article("Briefings").event(
        "Briefing",
        dt.date(2025, 2, 6),
        time="10am",
        location="Online (Teams)",
        link="https://example.org/briefing",
    )
    edition.section("Contact").add(Contact(name="The team", email="news@example.org"))
    return edition


def test_declarative_and_fluent_forms_build_equal_editions() -> None:
    assert _declarative() == _fluent()


def test_editions_differing_in_one_block_are_not_equal() -> None:
    changed = _fluent()
    changed.sections[0].articles[0].paragraph("One more.")

    assert changed != _declarative()


def test_str_blocks_become_paragraphs() -> None:
    section = Section("Training", ["Book **now**."])

    assert section.blocks == [Paragraph("Book **now**.")]
    assert section == Section("Training").add("Book **now**.")


# Builder methods return the right object --------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda s: s.paragraph("Text"), Paragraph("Text")),
        (lambda s: s.bullets(["a", "b"]), BulletList(["a", "b"])),
        (lambda s: s.numbered(["a", "b"]), BulletList(["a", "b"], numbered=True)),
        (
            lambda s: s.image("a.png", "Alt", width=200, link="https://example.org"),
            Image("a.png", "Alt", width=200, link="https://example.org"),
        ),
        (
            lambda s: s.button("Go", "https://example.org"),
            Button("Go", "https://example.org"),
        ),
        (lambda s: s.quote("Said", "Someone"), Quote("Said", "Someone")),
        (lambda s: s.divider(), Divider()),
        (lambda s: s.callout("Note", title="More"), Callout("Note", title="More")),
        (
            lambda s: s.event("Meeting", DAY, end_date=dt.date(2025, 1, 16)),
            Event("Meeting", DAY, end_date=dt.date(2025, 1, 16)),
        ),
        (lambda s: s.add(Divider()), Divider()),
    ],
)
@pytest.mark.parametrize("holder", [Section, Article])
def test_builder_method_appends_one_block_and_returns_self(
    holder: type[Section | Article],
    build: Callable[[Section | Article], Section | Article],
    expected: object,
) -> None:
    container = holder("Heading")

    returned = build(container)

    assert returned is container
    assert container.blocks == [expected]


def test_add_takes_several_blocks_and_strings() -> None:
    section = Section("Training")

    assert section.add("One", Divider(), "Two") is section
    assert section.blocks == [Paragraph("One"), Divider(), Paragraph("Two")]


def test_section_article_returns_the_new_article() -> None:
    section = Section("Training")

    article = section.article("Courses", ["Book now."])

    assert isinstance(article, Article)
    assert section.articles == [article]
    assert article.heading == "Courses"
    assert article.blocks == [Paragraph("Book now.")]
    article.paragraph("More.")
    assert section.articles[0].blocks[-1] == Paragraph("More.")


def test_edition_section_returns_the_new_section() -> None:
    edition = Edition("News", DAY)

    section = edition.section("Training", ["Book now."])

    assert isinstance(section, Section)
    assert edition.sections == [section]
    assert section.blocks == [Paragraph("Book now.")]
    section.divider()
    assert edition.sections[0].blocks[-1] == Divider()


def test_add_intro_returns_the_edition() -> None:
    edition = Edition("News", DAY)

    assert edition.add_intro("Hello.", Divider()) is edition
    assert edition.intro == [Paragraph("Hello."), Divider()]


# Blocks ----------------------------------------------------------------------


def test_nested_list_shorthand() -> None:
    bullets = BulletList(["a", ["a1", "a2"], "b"])

    assert bullets.items == (
        ListItem("a", [ListItem("a1"), ListItem("a2")]),
        ListItem("b"),
    )
    assert [str(item.text) for item in bullets.items[0].children] == ["a1", "a2"]
    assert not bullets.numbered


def test_nested_list_shorthand_goes_deeper_and_joins_existing_children() -> None:
    bullets = BulletList(["a", ["a1", ["a1x"]], ["a2"]])

    (item,) = bullets.items
    assert [str(child.text) for child in item.children] == ["a1", "a2"]
    assert [str(child.text) for child in item.children[0].children] == ["a1x"]


def test_list_items_are_markdown() -> None:
    (item,) = BulletList(["**a**"]).items

    assert item.text.nodes == (Strong((Run("a"),)),)


def test_nested_list_must_follow_an_item() -> None:
    message = _message(lambda: BulletList([["a"]]))

    assert message == "bullet list: a nested list must follow the item it belongs to"


def test_list_must_not_be_a_single_string() -> None:
    assert "not a single text" in _message(lambda: BulletList("abc"))


def test_text_fields_keep_a_given_text() -> None:
    plain = Text.plain("**literal**")

    assert Paragraph(plain).text is plain


def test_image_defaults_and_path() -> None:
    from pathlib import PureWindowsPath

    image = Image(PureWindowsPath("images\\logo.png"), "  Logo  ", caption="*A* logo")

    assert image.src == "images/logo.png"
    assert image.alt == "Logo"
    assert image.width is None
    assert image.caption is not None
    assert str(image.caption) == "A logo"
    assert not image.is_remote
    assert Image("https://example.org/a.png", "A").is_remote


def test_button_strips_its_label() -> None:
    assert Button("  Go  ", "https://example.org").label == "Go"


def test_event_ending_on_its_start_day_has_no_end_date() -> None:
    assert Event("E", DAY, end_date=DAY).end_date is None
    assert Event("E", DAY, end_date=dt.date(2025, 1, 17)).end_date == dt.date(
        2025, 1, 17
    )


def test_event_details_and_link() -> None:
    event = Event("E", DAY, details="See [here](https://example.org/e)")

    assert event.details is not None
    assert event.details.links() == [Link("https://example.org/e", (Run("here"),))]


def test_contact_hrefs() -> None:
    contact = Contact(phone=" 03000 265770 ", website="www.example.org")

    assert contact.phone == "03000 265770"
    assert contact.phone_href == "tel:03000265770"
    assert contact.website_href == "https://www.example.org"


def test_contact_keeps_a_full_website_address_and_international_phone() -> None:
    contact = Contact(phone="+44 191 123 4567", website="http://example.org/x")

    assert contact.phone_href == "tel:+441911234567"
    assert contact.website_href == "http://example.org/x"


def test_contact_without_phone_or_website_has_no_hrefs() -> None:
    contact = Contact(email="news@example.org")

    assert contact.phone_href is None
    assert contact.website_href is None


def test_contact_address_as_one_string_is_split_on_commas() -> None:
    contact = Contact(address="Council Offices, Green Lane, , DL16 6JQ")

    assert contact.address == ("Council Offices", "Green Lane", "DL16 6JQ")


# Edition ---------------------------------------------------------------------


def test_email_subject_is_the_title_unless_set() -> None:
    assert Edition("  News  ", DAY).email_subject == "News"
    assert Edition("News", DAY, subject="").email_subject == "News"
    assert Edition("News", DAY, subject="Read this").email_subject == "Read this"


@pytest.mark.parametrize("language", ["en-GB", "cy", "en", "zh-Hant-TW"])
def test_good_language_tags(language: str) -> None:
    assert Edition("News", DAY, language=language).language == language


# Bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: Paragraph(""), "paragraph: paragraph text is empty"),
        (lambda: Paragraph("   "), "paragraph: paragraph text is empty"),
        (lambda: Paragraph(3), "paragraph: expected text (a str or Text), got int"),
        (lambda: BulletList([]), "bullet list: list has no items"),
        (lambda: BulletList([], numbered=True), "numbered list: list has no items"),
        (
            lambda: BulletList(["a", ""]),
            "bullet list > list item: list item text is empty",
        ),
        (lambda: Quote(""), "quote: quote text is empty"),
        (lambda: Callout(""), "callout: callout text is empty"),
        (lambda: Event("", DAY), "event: event title is empty"),
        (lambda: Button("", "https://example.org"), "button: button has no label"),
        (lambda: Button("  ", "https://example.org"), "button: button has no label"),
    ],
)
def test_empty_content_is_refused(build: Callable[[], object], expected: str) -> None:
    assert _message(build) == expected


@pytest.mark.parametrize("alt", ["", "   "])
def test_image_without_alt_is_refused(alt: str) -> None:
    message = _message(lambda: Image("a.png", alt))

    assert message.startswith("image: image 'a.png' has no alt text")
    assert "alt=" in message


def test_image_without_src_is_refused() -> None:
    assert "image has no src" in _message(lambda: Image("", "Alt"))


@pytest.mark.parametrize("width", [0, -1, 1201, 5000, 1.5])
def test_image_width_out_of_range_is_refused(width: float) -> None:
    message = _message(lambda: Image("a.png", "Alt", width=width))  # type: ignore[arg-type]  # floats are the point

    assert f"width {width!r}" in message
    assert "from 1 to 1200" in message


@pytest.mark.parametrize("width", [1, 1200])
def test_image_width_limits_are_accepted(width: int) -> None:
    assert Image("a.png", "Alt", width=width).width == width


def test_image_width_true_is_refused() -> None:
    with pytest.raises(ContentError, match="width True"):
        Image("a.png", "Alt", width=True)


@pytest.mark.parametrize(
    "src", ["ftp://x/y.png", "http://example.org/y.png", "data:image/png;base64,AAAA"]
)
def test_image_with_other_url_scheme_is_refused(src: str) -> None:
    assert _message(lambda: Image(src, "Alt")) == (
        f"image: image {src!r} must be a local file or an https:// URL"
    )


@pytest.mark.parametrize("src", ["notes.txt", "images/logo", "picture.svg"])
def test_image_that_is_not_a_picture_file_is_refused(src: str) -> None:
    message = _message(lambda: Image(src, "Alt"))

    assert f"image {src!r} is not a picture file" in message
    assert ".png" in message


def test_image_link_is_checked() -> None:
    message = _message(lambda: Image("a.png", "Alt", link="javascript:alert(1)"))

    assert message.startswith("image link: image link URL 'javascript:alert(1)'")


@pytest.mark.parametrize(
    ("href", "hint"),
    [
        ("javascript:alert(1)", "use https://"),
        ("page.html", "relative link"),
        ("https://example.org/a b", "%20"),
        ("", "has no URL"),
    ],
)
def test_button_link_is_checked(href: str, hint: str) -> None:
    message = _message(lambda: Button("Go", href))

    assert message.startswith("button: button ")
    assert hint in message


def test_button_may_link_to_a_personal_field() -> None:
    assert Button("Unsubscribe", "{{ unsubscribe_url }}").href == "{{unsubscribe_url}}"


def test_event_ending_before_it_starts_is_refused() -> None:
    message = _message(lambda: Event("E", DAY, end_date=dt.date(2025, 1, 1)))

    assert message == "event: event ends (2025-01-01) before it starts (2025-01-15)"


@pytest.mark.parametrize("date", [dt.datetime(2025, 1, 15, 10, 0), "2025-01-15", None])
def test_event_date_must_be_a_date(date: object) -> None:
    message = _message(lambda: Event("E", date))  # type: ignore[arg-type]  # the wrong type is the point

    assert f"event date {date!r} must be a date" in message
    assert message.startswith("event: ")


@pytest.mark.parametrize("end_date", [dt.datetime(2025, 1, 20, 10, 0), "2025-01-20"])
def test_event_end_date_must_be_a_date(end_date: object) -> None:
    with pytest.raises(ContentError, match="must be a date"):
        Event("E", DAY, end_date=end_date)  # type: ignore[arg-type]  # the wrong type is the point


def test_event_link_is_checked() -> None:
    message = _message(lambda: Event("E", DAY, link="ftp://example.org/e"))

    assert message.startswith("event link: event link URL 'ftp://example.org/e'")


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"phone": "call me"}, "contact: phone number 'call me' is not a phone number"),
        ({"phone": "12"}, "contact: phone number '12' is not a phone number"),
        (
            {"email": "not-an-email"},
            "contact: email address 'not-an-email' is not valid",
        ),
        ({"email": "a b@example.org"}, "contact: email address 'a b@example.org'"),
        ({"website": "ftp://example.org"}, "contact website URL 'ftp://example.org'"),
        ({}, "contact: contact block has no details"),
        ({"heading": "Contact us"}, "contact: contact block has no details"),
    ],
)
def test_bad_contact_is_refused(details: dict[str, str], expected: str) -> None:
    assert expected in _message(lambda: Contact(**details))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "News\nBcc: everyone@example.org"),
        ("title", "News\rX"),
        ("title", "News\x00"),
        ("subject", "Read\nthis"),
        ("preheader", "One\r\ntwo"),
    ],
)
def test_header_injection_is_refused(field: str, value: str) -> None:
    fields = {field: value}
    title = fields.pop("title", "News")

    message = _message(lambda: Edition(title, DAY, **fields))

    assert message.startswith(f"edition: {field} {value!r}")
    assert "keep it on one line" in message


@pytest.mark.parametrize("title", ["", "   "])
def test_edition_without_title_is_refused(title: str) -> None:
    assert _message(lambda: Edition(title, DAY)) == "edition: edition has no title"


@pytest.mark.parametrize("date", [dt.datetime(2025, 1, 15, 9, 0), "2025-01-15"])
def test_edition_date_must_be_a_date(date: object) -> None:
    message = _message(lambda: Edition("News", date))  # type: ignore[arg-type]  # the wrong type is the point

    assert message.startswith(f"edition: edition date {date!r} must be a date")


@pytest.mark.parametrize("language", ["english!", "en_GB", "e", "", "en-GB "])
def test_bad_language_tag_is_refused(language: str) -> None:
    message = _message(lambda: Edition("News", DAY, language=language))

    assert f"language {language!r} is not a language tag" in message
    assert "en-GB" in message


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: Section(""), "section has no heading"),
        (lambda: Article("  "), "article has no heading"),
        (lambda: Section("A\nB"), "section heading 'A\\nB' contains a line break"),
        (lambda: Article("A\rB"), "article heading 'A\\rB' contains a line break"),
    ],
)
def test_bad_heading_is_refused(build: Callable[[], object], expected: str) -> None:
    assert expected in _message(build)


def test_headings_are_stripped() -> None:
    assert Section("  Training  ").heading == "Training"
    assert Article("  Courses ").heading == "Courses"


# Error locations name the block ------------------------------------------------


def test_non_block_in_a_section_names_the_section() -> None:
    message = _message(lambda: Section("Training", [Paragraph("ok"), 42]))

    assert message.startswith("section 'Training': block 2 is a int, not a block")
    assert "Paragraph, BulletList" in message


def test_non_block_added_fluently_names_the_section() -> None:
    section = Edition("News", DAY).section("Training")

    message = _message(lambda: section.add(object()))

    assert message.startswith("section 'Training': block 1 is a object, not a block")


def test_non_block_in_an_article_names_the_article() -> None:
    message = _message(lambda: Article("Courses", [None]))

    assert message.startswith("article 'Courses': block 1 is a NoneType")


def test_bad_string_block_names_section_and_block() -> None:
    message = _message(lambda: Section("Training", ["ok", "<b>x</b>"]))

    assert message.startswith("section 'Training' > block 2 > paragraph: raw HTML")


def test_bad_article_block_names_section_and_article() -> None:
    section = Section("Training")

    message = _message(lambda: section.article("Courses", [""]))

    assert message == (
        "section 'Training' > article 'Courses' > block 1 > paragraph: "
        "paragraph text is empty"
    )


def test_edition_section_with_a_bad_block_names_the_section() -> None:
    message = _message(lambda: Edition("News", DAY).section("Training", ["", "x"]))

    assert message.startswith("section 'Training' > block 1 > paragraph")


def test_non_article_in_a_section_is_refused() -> None:
    message = _message(lambda: Section("Training", articles=["Courses"]))  # type: ignore[list-item]  # the wrong type is the point

    assert message == "section 'Training': str is not an Article"


def test_non_section_in_an_edition_is_refused() -> None:
    message = _message(lambda: Edition("News", DAY, sections=["Training"]))  # type: ignore[list-item]  # the wrong type is the point

    assert message == "edition: section 1 is a str, not a Section"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Edition("News", DAY, intro=[1]),
        lambda: Edition("News", DAY).add_intro(1.5),
    ],
)
def test_bad_intro_block_names_the_intro(build: Callable[[], object]) -> None:
    assert _message(build).startswith("intro: block 1 is a ")


def test_fluent_paragraph_error_names_the_section() -> None:
    section = Edition("News", DAY).section("Training")

    assert "section 'Training'" in _message(lambda: section.paragraph(""))


def test_added_block_number_counts_existing_blocks() -> None:
    section = Section("Training", ["First."])

    assert "block 2" in _message(lambda: section.add(""))


@pytest.mark.parametrize("pattern", ["{weekday} {day}", "{day", "no date", "{0}"])
def test_a_date_format_may_only_use_day_month_and_year(pattern: str) -> None:
    from bulletin.model.settings import Settings

    with pytest.raises(ContentError, match=r"may only use \{day\}, \{month\}"):
        Settings(date_format=pattern)


def test_image_base_url_is_the_folder_above_assets() -> None:
    from bulletin.model.settings import Settings

    with pytest.raises(ContentError, match="not assets/ itself"):
        Settings(image_base_url="https://example.org/news/assets/")


@pytest.mark.parametrize("website", ["javascript:alert(1)", "mailto:a@example.org"])
def test_a_contact_website_with_another_scheme_is_refused(website: str) -> None:
    with pytest.raises(ContentError, match="is not a web address") as refusal:
        Contact(website=website)
    assert refusal.value.key == ("website",)


def test_a_contact_website_with_a_port_is_a_web_address() -> None:
    assert Contact(website="www.example.org:8080").website_href == (
        "https://www.example.org:8080"
    )


def test_a_sender_domain_in_other_letters_is_kept_in_its_ascii_form() -> None:
    from bulletin.model.settings import Sender

    assert Sender("News", "news@ex\u00e4mple.org").address == "news@xn--exmple-cua.org"


def test_a_sender_with_other_letters_before_the_at_is_refused() -> None:
    from bulletin.model.settings import Sender

    with pytest.raises(ContentError, match="letters other than a-z before the @"):
        Sender("News", "ren\u00e9@example.org")
