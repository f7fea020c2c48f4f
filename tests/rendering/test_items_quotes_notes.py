"""Blocks under a bullet, quotes of several paragraphs, footnotes, a section's
closing and sections of pictures in the email, the web copy and the text.

Nothing is lost: every word written reaches all three outputs; footnotes link
both ways with anchors unique across the edition; a digest never shows a note
whose reference it left out.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import html as lxml_html  # type: ignore[import-untyped]  # no type information

from bulletin import Rendered, Settings, render
from bulletin.loading.source import parse_markdown

HEAD = "---\ntitle: News\ndate: 2025-01-15\n---\n"
SETTINGS = Settings(view_online_url="https://example.org/news/{slug}.html")

BODY = """\
Dear reader, welcome.

# Training

Places are left on our courses[^places].

- Neglect Basics

  Places are limited, so book early[^early].

  ![The course leaflet](images/x.png)

  - face to face
  - on Teams

  Both run monthly.
- Parental Substance Misuse

## Course A

Course A is popular[^1], very popular[^1].

> The first paragraph of the quote.
>
> The second paragraph of the quote.
> — A parent

[^1]: The annual report, page 12, with [details](https://example.org/details).

## Course B

Course B is new.

::: closing
Book all courses on [our calendar](https://example.org/cal)[^cal].

::: button
[Book now](https://example.org/book)
:::
:::

[^places]: Places as of January.
[^early]: Early means before March.
[^cal]: The calendar is updated weekly.

# Our partners

[![Durham County Council](images/x.png)](https://example.org/council)
[![Durham Constabulary](images/x.png)](https://example.org/police)
"""

WORDS = [
    "welcome",
    "Places are left on our courses",
    "Neglect Basics",
    "Places are limited, so book early",
    "The course leaflet",
    "face to face",
    "on Teams",
    "Both run monthly",
    "Parental Substance Misuse",
    "Course A is popular",
    "very popular",
    "The first paragraph of the quote.",
    "The second paragraph of the quote.",
    "A parent",
    "The annual report, page 12, with",
    "details",
    "Course B is new.",
    "Book all courses on",
    "our calendar",
    "Book now",
    "Places as of January.",
    "Early means before March.",
    "The calendar is updated weekly.",
    "Durham County Council",
    "Durham Constabulary",
]


@pytest.fixture
def folder(tmp_path: Path, make_png) -> Path:  # type: ignore[no-untyped-def]
    (tmp_path / "images").mkdir()
    make_png("images/x.png", (80, 40))
    return tmp_path


def rendered_from(folder: Path, body: str = BODY, *, digest: bool = False) -> Rendered:
    source = parse_markdown(HEAD + body, folder / "edition.md")
    return render(source.edition, SETTINGS, base_dir=folder, digest=digest)


def shown(document: str) -> str:
    """What a reader of this HTML can get at: its text, alt texts and links."""
    tree = lxml_html.fromstring(document)
    for hidden in tree.xpath("//style | //title | //head"):
        hidden.drop_tree()
    text = " ".join(
        [tree.text_content(), *tree.xpath("//img/@alt"), *tree.xpath("//a/@href")]
    )
    return " ".join(text.split())


def test_every_word_reaches_the_email_the_web_copy_and_the_text(folder: Path) -> None:
    rendered = rendered_from(folder)
    copies = {
        "email": shown(rendered.html),
        "web copy": shown(rendered.web_html),
        "text": " ".join(rendered.text.split()),
    }
    for name, copy in copies.items():
        missing = [words for words in WORDS if words not in copy]
        assert not missing, f"{name} lacks {missing}"
        assert "[^" not in copy, name


def test_blocks_under_a_bullet_sit_inside_its_list_item(folder: Path) -> None:
    rendered = rendered_from(folder)
    tree = lxml_html.fromstring(rendered.html)
    [item] = [
        li for li in tree.iter("li") if (li.text or "").startswith("Neglect Basics")
    ]

    inside = " ".join(item.text_content().split())
    assert "Places are limited, so book early" in inside
    assert "Both run monthly." in inside
    assert [img.get("alt") for img in item.iter("img")] == ["The course leaflet"]
    assert next(p.get("class") for p in item.iter("p")) == "item-more"


def test_the_text_indents_blocks_under_their_bullet(folder: Path) -> None:
    text = rendered_from(folder).text

    assert (
        "- Neglect Basics\n\n"
        "  Places are limited, so book early[note 2].\n\n"
        "  [The course leaflet]\n\n"
        "  - face to face\n"
        "  - on Teams\n\n"
        "  Both run monthly.\n"
        "- Parental Substance Misuse\n"
    ) in text


def test_a_quote_keeps_its_paragraphs(folder: Path) -> None:
    rendered = rendered_from(folder)
    tree = lxml_html.fromstring(rendered.html)
    [quote] = tree.iter("blockquote")

    assert [" ".join(p.text_content().split()) for p in quote.iter("p")] == [
        "The first paragraph of the quote.",
        "The second paragraph of the quote.",
        "— A parent",
    ]
    assert (
        "> The first paragraph of the quote.\n>\n> The second paragraph of the "
        "quote.\n> — A parent\n"
    ) in rendered.text


@pytest.mark.parametrize("copy", ["html", "web_html"])
def test_footnotes_link_both_ways_with_unique_anchors(folder: Path, copy: str) -> None:
    document = getattr(rendered_from(folder), copy)
    tree = lxml_html.fromstring(document)

    ids = Counter(element.get("id") for element in tree.iter() if element.get("id"))
    assert [anchor for anchor, count in ids.items() if count > 1] == []
    ref = tree.xpath('//sup/a[@id="fnref-1"]')[0]
    assert ref.get("href") == "#fn-1"
    assert ref.text == "1"
    assert tree.xpath('//sup/a[@name="fnref-1"]')
    # The second reference to the same note has an id of its own.
    assert tree.xpath('//sup/a[@id="fnref-1-2"]')[0].get("href") == "#fn-1"
    note = tree.xpath('//*[@id="fn-1"]')[0]
    assert note.xpath('a[@name="fn-1"]')
    assert note.xpath('a[@href="#fnref-1"]')
    assert " ".join(note.text_content().split()).startswith(
        "1. The annual report, page 12, with details"
    )


def test_notes_are_numbered_in_their_article_or_section_and_shown_at_its_end(
    folder: Path,
) -> None:
    text = rendered_from(folder).text

    # The section's own notes: its text, then its closing; the article's apart.
    assert "Places are left on our courses[note 1]." in text
    assert "Notes:\n[note 1] Places as of January.\n[note 2] Early means" in text
    assert "Course A is popular[note 1], very popular[note 1]." in text
    assert "Notes:\n[note 1] The annual report, page 12, with details [" in text
    assert "our calendar [2][note 3]." in text
    assert "Notes:\n[note 3] The calendar is updated weekly." in text
    assert text.index("Early means") < text.index("Course A\n")


def test_note_anchors_keep_clear_of_heading_anchors(folder: Path) -> None:
    rendered = rendered_from(folder, "# Fn 1\n\nText[^1].\n\n[^1]: The note.\n")
    tree = lxml_html.fromstring(rendered.web_html)

    assert tree.xpath('//h2[@id="fn-1"]')
    assert tree.xpath('//sup/a[@href="#fn-1-2"]')
    assert " ".join(tree.xpath('//*[@id="fn-1-2"]')[0].text_content().split()) == (
        "1. The note. ↑"
    )


def test_the_closing_follows_the_last_article_after_a_rule(folder: Path) -> None:
    rendered = rendered_from(folder)

    assert re.search(
        r"Course B is new\.\n\n\* \* \*\n\nBook all courses", rendered.text
    )
    email = shown(rendered.html)
    assert email.index("Course B is new.") < email.index("Book all courses on")
    assert email.index("Book all courses on") < email.rindex("Our partners")
    tree = lxml_html.fromstring(rendered.html)
    [course_b] = [h for h in tree.iter("h3") if h.text_content() == "Course B"]
    # The closing is not inside the last article: a rule comes between them.
    after = lxml_html.tostring(tree, encoding="unicode").split("Course B is new.")[1]
    assert after.index("border-top") < after.index("Book all courses on")
    assert course_b is not None


def test_a_section_of_picture_links_shows_each_picture_and_link(folder: Path) -> None:
    rendered = rendered_from(folder)
    tree = lxml_html.fromstring(rendered.html)

    for alt, href in [
        ("Durham County Council", "https://example.org/council"),
        ("Durham Constabulary", "https://example.org/police"),
    ]:
        [image] = tree.xpath(f'//img[@alt="{alt}"]')
        assert image.getparent().get("href") == href
        assert f"[{alt}]" in rendered.text


def test_a_digest_leaves_out_the_notes_of_what_it_leaves_out(folder: Path) -> None:
    body = (
        "# Report\n\n## Figures\n\nThe lead paragraph[^lead].\n\n"
        "A later paragraph[^later].\n\n"
        "[^lead]: The lead's note.\n[^later]: The later note.\n"
    )
    rendered = rendered_from(folder, body, digest=True)

    for copy in (shown(rendered.html), rendered.text):
        assert "The lead's note." in copy
        assert "The later note." not in copy
        assert "A later paragraph" not in copy
    assert "The later note." in shown(rendered.web_html)
    assert "[note 1]" in rendered.text


def test_a_digest_keeps_no_orphan_note_of_a_left_out_list(folder: Path) -> None:
    body = (
        "# Report\n\n## Figures\n\nThe lead.\n\n- An item[^item]\n\n"
        "  More about it.\n\n[^item]: The item's note.\n\n"
        "::: closing\nThe closing words[^end].\n\n![A picture](images/x.png)\n:::\n\n"
        "[^end]: The closing's note.\n"
    )
    rendered = rendered_from(folder, body, digest=True)

    for copy in (shown(rendered.html), rendered.text):
        assert "The item's note." not in copy
        assert "More about it." not in copy
        assert "The closing words" in copy
        assert "The closing's note." in copy
        assert "A picture" not in copy
    assert "The item's note." in shown(rendered.web_html)
    assert "A picture" in shown(rendered.web_html)
    assert len(rendered.embedded) == 0


def test_the_python_api_builds_the_same(folder: Path) -> None:
    import datetime as dt

    from bulletin import BulletList, Edition, ListItem, Quote

    news = Edition("News", dt.date(2025, 1, 15))
    section = news.section("Report")
    article = section.article("Figures")
    article.paragraph("Referrals rose by 12%[^rise].").footnote(
        "rise", "Annual report."
    )
    article.add(
        BulletList([ListItem("Training", blocks=["Nine hundred people came."])]),
        Quote(["It helped.", "It really did."], "A delegate"),
    )
    section.add_closing("Thank you for reading.")

    rendered = render(news, SETTINGS, base_dir=folder)

    for copy in (shown(rendered.html), shown(rendered.web_html), rendered.text):
        for words in (
            "Referrals rose by 12%",
            "Annual report.",
            "Nine hundred people came.",
            "It really did.",
            "Thank you for reading.",
        ):
            assert words in " ".join(copy.split())
    assert 'href="#fn-rise"' in rendered.html
    assert "Referrals rose by 12%[note 1]." in rendered.text
