"""Tables, subheadings and linked headings in the email, the web copy and the text.

Nothing is lost: every word of a table's cells and caption, of a subheading
and of a linked heading reaches all three outputs, in every layout.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from bulletin import Edition, Paragraph, Rendered, Settings, Subheading, Table, render
from bulletin.rendering.plaintext import WIDTH

SETTINGS = Settings(
    publisher="Example Partnership",
    view_online_url="https://example.org/news/{slug}.html",
)


def edition() -> Edition:
    news = Edition("News", dt.date(2025, 1, 15))
    report = news.section("Annual report", link="https://example.org/report")
    report.table(
        ["Course", "Date", "Places"],
        [
            ["Neglect **basics** workshop", "6 February", "12"],
            ["[Online safeguarding](https://example.org/online)", "7 February", "3"],
            ["Parental *substance* misuse", "", "none"],
        ],
        align=[None, "center", "right"],
        caption="Courses in spring",
    )
    article = report.article(
        "Highlights of the year", link="https://example.org/highlights"
    )
    article.paragraph("Our partnership trained nine hundred practitioners.")
    article.subheading("Quarterly figures")
    article.paragraph("Referrals rose slightly.")
    article.subheading("Further reading", link="https://example.org/reading")
    article.paragraph("The full report is online.")
    return news


class _Words(HTMLParser):
    """The words of an HTML page's text, outside <head>."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("head", "style", "title"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "title"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.words.extend(_words(data))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def html_words(html: str) -> list[str]:
    parser = _Words()
    parser.feed(html)
    return parser.words


WORDS = _words(
    "Course Date Places Neglect basics workshop 6 February 12 Online safeguarding "
    "7 February 3 Parental substance misuse none Courses in spring Annual report "
    "Highlights of the year Quarterly figures Further reading"
)


@pytest.fixture(scope="module", params=["classic", "compact"])
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return render(edition(), SETTINGS, layout=request.param)


def test_every_word_reaches_the_email_the_web_copy_and_the_text(
    rendered: Rendered,
) -> None:
    for name, words in (
        ("email", html_words(rendered.html)),
        ("web copy", html_words(rendered.web_html)),
        ("text", _words(rendered.text)),
    ):
        missing = [word for word in WORDS if word not in words]
        assert missing == [], f"{name} lacks {missing}"
    for url in (
        "https://example.org/report",
        "https://example.org/highlights",
        "https://example.org/reading",
        "https://example.org/online",
    ):
        assert f'href="{url}"' in rendered.html
        assert f'href="{url}"' in rendered.web_html
        assert url in rendered.text


def test_the_email_table_is_a_data_table_styled_inline(rendered: Rendered) -> None:
    html = rendered.html
    [table] = re.findall(r"<table class=\"data\"[^>]*>", html)
    assert "role=" not in table
    assert "width:100%" in table
    assert "border-collapse:collapse" in table
    assert len(re.findall(r'<th scope="col"', html)) == 3
    assert re.search(r"<caption[^>]*>Courses in spring</caption>", html)
    cells = re.findall(r"<t[hd] [^>]*>", html[html.index('class="data"') :])[:6]
    assert all("overflow-wrap:anywhere" in cell for cell in cells)
    assert all("word-break:break-word" in cell for cell in cells)
    assert 'align="right"' in cells[2]
    assert "text-align:right" in cells[2]
    assert 'align="center"' in cells[1]
    assert "text-align:center" in cells[1]
    assert "background-color:" in cells[0]
    assert 'class="table-scroll"' not in html


def test_the_web_copy_scrolls_a_wide_table_in_its_own_box(rendered: Rendered) -> None:
    web = rendered.web_html
    assert re.search(
        r'<div class="table-scroll" style="overflow-x:auto"><table class="data"', web
    )
    assert "overflow-wrap:anywhere" not in web
    # No wider than the column, so the box scrolls rather than the page.
    assert (
        ".table-scroll { overflow-x: auto; max-width: min(552px, calc(100vw - 48px)); }"
        in web
        or (
            ".table-scroll { overflow-x: auto; max-width: min(600px, calc(100vw - 40px)); }"
            in web
        )
    )


def test_dark_mode_colours_the_table_and_heading_links(rendered: Rendered) -> None:
    for html in (rendered.html, rendered.web_html):
        assert ".surface .data th { background-color:" in html
        assert ".surface .data caption, .surface .data th { color:" in html
        assert ".surface h2 a, .surface h3 a, .surface h4 a { color:" in html


def test_dark_mode_css_for_tables_is_left_out_when_there_are_none() -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    news.section("Training").paragraph("Book now.")
    html = render(news).html
    assert ".data" not in html
    assert ".surface h2 a" not in html


def test_headings_carry_their_links_and_subheadings_their_anchors(
    rendered: Rendered,
) -> None:
    html = rendered.html
    assert re.search(
        r'<h2 id="annual-report"[^>]*><a name="annual-report"[^>]*></a>'
        r'<a href="https://example.org/report"[^>]*>Annual report</a></h2>',
        html,
    )
    assert re.search(
        r'<h3[^>]*><a href="https://example.org/highlights"[^>]*>'
        r"Highlights of the year</a></h3>",
        html,
    )
    assert re.search(
        r'<h4 id="quarterly-figures"[^>]*><a name="quarterly-figures"[^>]*></a>'
        r"Quarterly figures</h4>",
        html,
    )
    assert re.search(
        r'<h4 id="further-reading"[^>]*><a name="further-reading"[^>]*></a>'
        r'<a href="https://example.org/reading"[^>]*>Further reading</a></h4>',
        rendered.web_html,
    )


def test_plain_text_headings_show_their_links_and_subheadings_are_underlined(
    rendered: Rendered,
) -> None:
    text = rendered.text
    assert "Annual report\n-------------\nhttps://example.org/report\n" in text
    assert (
        "Highlights of the year\n~~~~~~~~~~~~~~~~~~~~~~\n"
        "https://example.org/highlights\n"
    ) in text
    assert "Quarterly figures\n.................\n\nReferrals" in text
    assert "Further reading\n...............\nhttps://example.org/reading\n" in text


def test_plain_text_table_is_aligned_columns_when_it_fits(rendered: Rendered) -> None:
    text = rendered.text
    assert (
        "Courses in spring\n\n"
        "Course                        Date     Places\n"
        "-------------------------  ----------  ------\n"
        "Neglect basics workshop    6 February      12\n"
        "Online safeguarding [1]    7 February       3\n"
        "Parental substance misuse                none\n"
    ) in text
    assert "[1] https://example.org/online" in text


def test_plain_text_table_too_wide_is_one_block_per_row() -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    news.section("Contacts").table(
        ["Team", "Contact", "Address"],
        [
            [
                "Local Authority Designated Officer",
                "lado@example.org",
                "Council Offices, Green Lane, Spennymoor, County Durham, DL16 6JQ",
            ],
            ["Front door", "03000 267979", "County Hall, Durham"],
        ],
    )
    text = render(news).text
    assert all(len(line) <= WIDTH for line in text.splitlines())
    assert (
        "Team: Local Authority Designated Officer\n"
        "Contact: lado@example.org\n"
        "Address: Council Offices, Green Lane, Spennymoor, County Durham, DL16\n"
        "  6JQ\n\n"
        "Team: Front door\nContact: 03000 267979\nAddress: County Hall, Durham\n"
    ) in text


def test_a_digest_leaves_out_subheadings_and_tables() -> None:
    rendered = render(edition(), SETTINGS, digest=True)
    assert "Our partnership trained nine hundred practitioners." in rendered.text
    for words in ("Quarterly figures", "Further reading", "Neglect basics"):
        assert words not in rendered.text
        assert words not in html_text(rendered.html)
        assert words in html_text(rendered.web_html)


def html_text(html: str) -> str:
    return " ".join(html_words(html))


def test_a_subheading_first_is_not_the_digest_lead() -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    news.section("Training").article(
        "Courses", [Subheading("Dates"), Paragraph("Courses run all spring.")]
    )
    rendered = render(news, SETTINGS, digest=True)
    assert "Courses run all spring." in rendered.text
    assert "Dates" not in rendered.text


def test_subheading_anchors_are_unique_across_the_edition() -> None:
    news = Edition("News", dt.date(2025, 1, 15))
    training = news.section("Dates")
    for name in ("Dates", "Courses"):
        article = training.article(name)
        article.subheading("Dates").paragraph("Text.")
    html = render(news).web_html
    ids = re.findall(r'<h[2-4] id="([^"]+)"', html)
    assert ids == ["dates", "dates-2", "dates-3", "courses", "dates-4"]


def test_a_table_in_the_intro_is_shown() -> None:
    news = Edition("News", dt.date(2025, 1, 15), intro=[Table(["Key"], [["Value"]])])
    news.section("Training").paragraph("Book now.")
    rendered = render(news)
    assert "Value" in html_words(rendered.html)
    assert "Key\n-----\nValue" in rendered.text
