"""The plain-text alternative, written from the model."""

from __future__ import annotations

import datetime as dt

from bulletin import (
    BulletList,
    Button,
    Callout,
    Contact,
    Divider,
    Edition,
    Event,
    Image,
    ListItem,
    Quote,
    Settings,
    render,
)
from bulletin.rendering.plaintext import WIDTH

LONG = (
    "Safeguarding is everyone's business, and this sentence is long enough to wrap twice over the line. "
    * 2
)


def text_of(
    *blocks: object, settings: Settings | None = None, **edition_args: object
) -> str:
    edition = Edition("Plain news", dt.date(2025, 1, 15), **edition_args)  # type: ignore[arg-type]
    edition.section("Section one").add(*blocks)  # type: ignore[arg-type]
    return render(edition, settings, base_dir=None).text


def test_title_and_headings_are_underlined() -> None:
    edition = Edition("Plain news", dt.date(2025, 1, 15))
    edition.section("Section one").article("An article").paragraph("x")
    edition.section("Section two").paragraph("y")
    text = render(edition).text
    assert "Plain news\n==========\n" in text
    assert "Section one\n-----------\n" in text
    assert "An article\n~~~~~~~~~~\n" in text
    assert "In this edition\n---------------\n\n- Section one\n- Section two\n" in text
    assert "15 January 2025" in text


def test_paragraphs_wrap_at_72_columns() -> None:
    text = text_of(LONG)
    assert all(len(line) <= WIDTH for line in text.splitlines())
    assert " ".join(LONG.split()) in " ".join(text.split())


def test_long_urls_are_not_broken() -> None:
    url = "https://example.org/" + "a" * 90
    text = text_of(f"See {url}")
    assert url in text.splitlines()


def test_lists_nest_with_indent() -> None:
    text = text_of(
        BulletList(["One", ListItem("Two", ["Two a", "Two b"])]),
        BulletList(["First", ["First a"], "Second"], numbered=True),
    )
    assert "- One\n- Two\n  - Two a\n  - Two b\n" in text
    assert "1. First\n   1. First a\n2. Second\n" in text


def test_wrapped_list_items_hang() -> None:
    text = text_of(BulletList([LONG]))
    lines = [
        line
        for line in text.splitlines()
        if "Safeguarding" in line or line.startswith("  ")
    ]
    assert lines[0].startswith("- ")
    assert all(line.startswith("  ") for line in lines[1:])


def test_links_become_numbered_references_listed_at_the_end() -> None:
    text = text_of(
        "Read [the report](https://example.org/report) and [the other](https://example.org/other).",
        "Again [the report](https://example.org/report).",
        "Mail [news@example.org](mailto:news@example.org).",
    )
    assert "Read the report [1] and the other [2]." in text
    assert "Again the report [1]." in text
    assert "Mail news@example.org." in text  # the address is already shown
    assert text.rstrip().endswith(
        "Links:\n[1] https://example.org/report\n[2] https://example.org/other"
    )


def test_images_are_their_alt_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = text_of(
        Image("https://example.org/a.png", "Children playing", caption="In the park")
    )
    assert "[Children playing]\nIn the park\n" in text
    assert "a.png" not in text


def test_other_blocks() -> None:
    text = text_of(
        Button("Book your place", "https://example.org/book"),
        Quote("Lovely", "A parent"),
        Divider(),
        Callout("Read [more](https://example.org/more)."),
        Event(
            "Time to Talk Day",
            dt.date(2025, 2, 6),
            time="all day",
            location="Everywhere",
        ),
        Event("Kindness Week", dt.date(2025, 2, 9), end_date=dt.date(2025, 2, 15)),
        Contact(heading="Ask us", email="news@example.org", phone="03000 265770"),
    )
    assert "Book your place: https://example.org/book\n" in text
    assert "> Lovely\n> — A parent\n" in text
    assert "\n* * *\n" in text
    assert "More information: Read more [1].\n" in text
    assert (
        "Time to Talk Day\nWhen: 6 February 2025, all day\nWhere: Everywhere\n" in text
    )
    assert "When: 9–15 February 2025\n" in text
    assert "Ask us\nTel: 03000 265770\nEmail: news@example.org\n" in text


def test_footer_has_contact_footer_and_unsubscribe() -> None:
    settings = Settings(
        contact=Contact(address=["Council Offices", "Green Lane"]),
        footer="You receive this as a partner.",
        unsubscribe_url="https://example.org/u?t={token}",
    )
    text = text_of("x", settings=settings)
    footer = text[text.index("\n-- \n") :]
    assert "Contact us\nCouncil Offices\nGreen Lane\n" in footer
    assert "You receive this as a partner." in footer
    assert "Unsubscribe: {{unsubscribe_url}}" in footer


def test_no_markup_or_layout_debris() -> None:
    text = text_of("**Bold** and *italic* & 3 < 4 > 2.")
    assert "Bold and italic & 3 < 4 > 2." in text
    assert "**" not in text
    assert "&amp;" not in text
    assert "\n\n\n" not in text


def test_welsh_words() -> None:
    text = text_of(Event("Diwrnod", dt.date(2025, 2, 6)), language="cy")
    assert "Pryd: 6 Chwefror 2025" in text
