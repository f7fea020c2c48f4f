"""Each reader's message holds their variant: :class:`EditionMessages` and the audiences column.

The property test at the end writes editions from a small grammar (sections,
articles, paragraphs, callouts and pictures, each part randomly tagged for
some of three audiences, each word a unique marker) and lists of readers in
random audiences; every reader's message, parsed back, must hold exactly the
words and pictures of the parts they see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin import Edition, Sender, Settings, render_variants
from bulletin.errors import RecipientError
from bulletin.mail.message import Messages, MessageTemplate
from bulletin.mail.recipients import Recipient
from bulletin.mail.variants import (
    AUDIENCES_FIELD,
    EditionMessages,
    audience_problems,
    reader_audiences,
    repeated_with_other_audiences,
)
from bulletin.model.blocks import Callout, Image, Paragraph
from bulletin.model.edition import Article, Section

DAY = dt.date(2025, 1, 15)
SECRET = "correct horse battery staple"
AUDIENCES = ("schools", "health", "police")
SETTINGS = Settings(
    publisher="Example Partnership",
    sender=Sender("Example Partnership", "news@example.org"),
    unsubscribe_url="https://www.example.org/unsubscribe?token={token}",
    list_id="news.example.org",
    audiences=AUDIENCES,
)
NONE = frozenset[str]()
SCHOOLS = frozenset({"schools"})
HEALTH = frozenset({"health"})
POLICE = frozenset({"police"})


def reader(row: int, cell: str | None, address: str | None = None) -> Recipient:
    fields = {} if cell is None else {AUDIENCES_FIELD: cell}
    return Recipient(address or f"reader{row}@example.org", fields, row)


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The message's plain text and HTML, decoded."""
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert html is not None
    return str(plain.get_content()), str(html.get_content())


def images(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_maintype() == "image"]  # type: ignore[misc]


def edition() -> Edition:
    news = Edition("News", DAY)
    news.section("Open").paragraph("wordopen")
    news.section("Training", audiences=["schools"]).paragraph("wordschools")
    news.section("Clinics", audiences=["health"]).paragraph("wordhealth")
    return news


def messages(
    readers: list[frozenset[str]] | None = None, news: Edition | None = None
) -> EditionMessages:
    variants = render_variants(
        news or edition(), SETTINGS, readers or [NONE, SCHOOLS, HEALTH, POLICE]
    )
    return EditionMessages(variants, SETTINGS, DAY, secret=SECRET)


# EditionMessages ------------------------------------------------------------------------


def test_each_readers_message_holds_their_variant() -> None:
    sent = messages()

    for cell, shown, hidden in (
        ("", {"wordopen"}, {"wordschools", "wordhealth"}),
        ("Schools", {"wordopen", "wordschools"}, {"wordhealth"}),
        ("health", {"wordopen", "wordhealth"}, {"wordschools"}),
        ("police", {"wordopen"}, {"wordschools", "wordhealth"}),
    ):
        text, html = bodies(parsed(sent.personal(reader(2, cell)).data))
        for word in shown:
            assert word in text, (cell, word)
            assert word in html, (cell, word)
        for word in hidden:
            assert word not in text, (cell, word)
            assert word not in html, (cell, word)


def test_a_reader_without_an_audiences_column_gets_the_untagged_parts() -> None:
    sent = messages()

    text, _ = bodies(parsed(sent.personal(reader(2, None)).data))

    assert "wordopen" in text
    assert "wordschools" not in text
    assert sent.variant(reader(2, None)) == ""
    text, _ = bodies(parsed(sent.personal(None).data))
    assert "wordschools" not in text


def test_a_copy_is_addressed_and_signed_for_its_reader() -> None:
    sent = messages()
    ann = reader(2, "schools", "ann@example.org")

    message = parsed(sent.personal(ann).data)

    assert message["To"] == "ann@example.org"
    assert message["Message-ID"] == sent.message_id(ann)
    assert sent.personal(ann).recipient is ann


def test_readers_who_see_the_same_parts_share_a_template() -> None:
    sent = messages()

    assert sent.template(reader(2, "police")) is sent.template(reader(3, ""))
    assert sent.template(reader(2, "schools")) is not sent.template(reader(3, ""))
    assert sent.template(reader(2, "SCHOOLS")) is sent.template(reader(3, "schools"))
    assert sent.default is sent.template(None)
    assert sent.rendered is sent.default.rendered
    assert sent.rendered.variant == NONE


def test_the_message_id_differs_by_variant() -> None:
    sent = messages()
    address = "ann@example.org"

    ids = {
        cell: sent.message_id(reader(2, cell, address))
        for cell in ("", "schools", "health", "police")
    }

    assert len({ids[""], ids["schools"], ids["health"]}) == 3
    assert ids["police"] == ids[""]
    assert sent.message_id(reader(2, "schools", "bob@example.org")) != ids["schools"]


def test_variants_name_each_variant_with_its_fingerprint() -> None:
    sent = messages()

    assert set(sent.variants) == {"", "schools", "health"}
    assert set(sent.templates) == {"", "schools", "health"}
    for name, template in sent.templates.items():
        assert sent.variants[name] == template.fingerprint
    assert len(set(sent.variants.values())) == 3
    assert sent.variant(reader(2, "Schools")) == "schools"
    assert sent.variant(reader(3, "police")) == ""


def test_the_fingerprint_covers_every_variant() -> None:
    sent = messages()
    again = messages()

    assert sent.fingerprint == again.fingerprint
    assert sent.fingerprint not in sent.variants.values()
    changed = edition()
    changed.sections[1].paragraph("wordmore")
    assert messages(news=changed).fingerprint != sent.fingerprint
    assert messages(news=changed).variants[""] == sent.variants[""]


def test_one_variant_has_its_own_fingerprint() -> None:
    news = Edition("News", DAY)
    news.section("Open").paragraph("wordopen")

    sent = messages([NONE, SCHOOLS], news)

    assert list(sent.variants) == [""]
    assert sent.fingerprint == sent.default.fingerprint
    single = MessageTemplate(sent.rendered, SETTINGS, DAY, secret=SECRET)
    assert sent.fingerprint == single.fingerprint
    assert single.variants == {"": single.fingerprint}


def test_a_message_template_is_messages_of_one_variant() -> None:
    rendered = render_variants(edition(), SETTINGS, [SCHOOLS])[SCHOOLS]
    template: Messages = MessageTemplate(rendered, SETTINGS, DAY, secret=SECRET)

    assert template.template(reader(2, "health")) is template
    assert template.variant(reader(2, "health")) == "schools"
    assert template.variants == {"schools": template.fingerprint}


def test_the_field_values_are_the_same_in_every_variant() -> None:
    sent = messages()
    ann = Recipient(
        "ann@example.org", {"first_name": "Ann", AUDIENCES_FIELD: "schools"}, 2
    )

    values = sent.values(ann)

    assert values["first_name"] == "Ann"
    assert values == sent.template(ann).values(ann)
    assert values == sent.default.values(ann)


def test_a_reader_with_a_bad_audiences_cell_is_refused() -> None:
    sent = messages()
    bad = reader(4, "sch@@ls", "cat@example.org")

    with pytest.raises(RecipientError) as caught:
        sent.personal(bad)

    assert "row 4 (cat@example.org)" in str(caught.value)
    assert "'sch@@ls' is not an audience name" in str(caught.value)
    with pytest.raises(RecipientError):
        sent.message_id(bad)
    # The row is named once, by whoever lists the problem with its row.
    assert sent.problems(bad) == [
        str(caught.value).removeprefix("row 4 (cat@example.org): ")
    ]


def test_a_reader_in_audiences_nobody_rendered_for_is_refused() -> None:
    sent = messages([NONE, SCHOOLS])
    dan = reader(5, "schools; health", "dan@example.org")

    with pytest.raises(RecipientError) as caught:
        sent.personal(dan)

    assert "row 5 (dan@example.org)" in str(caught.value)
    assert "no variant was rendered for readers in health and schools" in str(
        caught.value
    )
    assert len(sent.problems(dan)) == 1


def test_the_variant_of_a_reader_in_no_audience_is_required() -> None:
    variants = render_variants(edition(), SETTINGS, [SCHOOLS])

    with pytest.raises(ValueError, match="no audience is missing"):
        EditionMessages(variants, SETTINGS, DAY)


def test_reader_audiences() -> None:
    assert reader_audiences(None) == NONE
    assert reader_audiences(reader(2, None)) == NONE
    assert reader_audiences(reader(2, "")) == NONE
    assert reader_audiences(reader(2, "Schools; Social  Care,health")) == {
        "schools",
        "social care",
        "health",
    }


# audience_problems ------------------------------------------------------------------------


def test_audience_problems_lists_each_unknown_name_by_row() -> None:
    rows = [
        reader(2, "schools"),
        reader(3, "shcools; helth"),
        reader(4, ""),
        reader(5, "fire brigade"),
        reader(6, None),
    ]

    found = audience_problems(rows, AUDIENCES, "recipients.csv")

    assert found == [
        "recipients.csv: row 3: audience 'helth' is not one of the declared audiences; did you mean "
        "'health'? the audiences are health, police, schools",
        "recipients.csv: row 3: audience 'shcools' is not one of the declared audiences; did you mean "
        "'schools'? the audiences are health, police, schools",
        "recipients.csv: row 5: audience 'fire brigade' is not one of the declared audiences; the "
        "audiences are health, police, schools",
    ]


def test_audience_problems_names_a_cell_that_is_no_audience() -> None:
    found = audience_problems([reader(7, "sch@@ls")], AUDIENCES, "list.csv")

    assert len(found) == 1
    assert found[0].startswith("list.csv: row 7: ")
    assert "'sch@@ls' is not an audience name" in found[0]


def test_audience_problems_without_declared_audiences() -> None:
    [found] = audience_problems([reader(2, "schools")], (), "list.csv")

    assert "audience 'schools' is not declared" in found
    assert 'audiences = ["schools", ...]' in found


def test_audience_problems_accepts_names_in_any_case() -> None:
    rows = [reader(2, "SCHOOLS; Health"), reader(3, "police")]

    assert audience_problems(rows, AUDIENCES, "list.csv") == []


# The property: each reader gets exactly what they see ------------------------------------


@dataclasses.dataclass(frozen=True)
class Part:
    """A piece of the generated edition: its marker word and who sees it."""

    word: str
    """A unique marker in the part's text, heading or picture's alt text."""
    chain: tuple[frozenset[str], ...]
    """The tags of the part and of everything it sits in (section, article)."""
    picture: int | None = None
    """The picture's number, for a picture."""

    def seen_by(self, audiences: frozenset[str]) -> bool:
        return all(not tags or not tags.isdisjoint(audiences) for tags in self.chain)


@dataclasses.dataclass(frozen=True)
class Generated:
    """An edition written by :func:`editions`, and who sees each of its words."""

    edition: Edition
    parts: list[Part]
    """The words of paragraphs and callouts, and the pictures' alt texts."""
    headings: list[tuple[Part, list[Part]]]
    """Each heading, with the parts under it: shown when it is seen and one of
    them is (a section or article left with nothing under it is left out)."""

    @property
    def pictures(self) -> list[Part]:
        return [part for part in self.parts if part.picture is not None]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Eight small PNGs, each of its own size and colour (so each is its own asset)."""
    from PIL import Image as Pillow

    folder = tmp_path_factory.mktemp("pictures")
    paths = []
    for number in range(8):
        path = folder / f"picture{number}.png"
        colour = (20 * number, 200 - 20 * number, 90)
        Pillow.new("RGB", (40 + number, 30), colour).save(path)
        paths.append(path)
    return paths


_TAGS = st.frozensets(st.sampled_from(AUDIENCES), max_size=2)
"""A part's tags: for everyone, or for one or two of the three audiences."""


@st.composite
def editions(draw: st.DrawFn, pictures: list[Path]) -> Generated:
    """Sections and articles of paragraphs, callouts and pictures, each randomly tagged."""
    counter = iter(range(10_000))
    free_pictures = iter(range(len(pictures)))
    parts: list[Part] = []
    headings: list[tuple[Part, list[Part]]] = []

    def word(prefix: str) -> str:
        return f"{prefix}{next(counter):04d}z"

    def blocks(
        chain: tuple[frozenset[str], ...], least: int
    ) -> list[Paragraph | Callout | Image]:
        made: list[Paragraph | Callout | Image] = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["paragraph", "callout", "picture"]))
            number = next(free_pictures, None) if kind == "picture" else None
            if kind == "callout":
                tags = draw(_TAGS)
                marker = word("partword")
                parts.append(Part(marker, (*chain, tags)))
                made.append(Callout(f"See {marker}.", audiences=tags))
            elif number is not None:
                marker = word("altword")
                parts.append(Part(marker, chain, number))
                made.append(Image(str(pictures[number]), f"A {marker} picture"))
            else:
                marker = word("partword")
                parts.append(Part(marker, chain))
                made.append(Paragraph(f"Some {marker} text."))
        while len(made) < least:
            marker = word("partword")
            parts.append(Part(marker, chain))
            made.append(Paragraph(f"Some {marker} text."))
        return made

    news = Edition("News", DAY)
    for _ in range(draw(st.integers(1, 3))):
        section_tags = draw(_TAGS)
        chain = (section_tags,)
        heading = Part(word("headword"), chain)
        first = len(parts)
        own = blocks(chain, 0)
        articles = []
        for _ in range(draw(st.integers(0 if own else 1, 2))):
            article_tags = draw(_TAGS)
            inner = (*chain, article_tags)
            article_heading = Part(word("headword"), inner)
            start = len(parts)
            content = blocks(inner, 1)
            headings.append((article_heading, parts[start:]))
            articles.append(
                Article(article_heading.word, list(content), audiences=article_tags)
            )
        headings.append((heading, parts[first:]))
        news.sections.append(
            Section(heading.word, list(own), articles, audiences=section_tags)
        )
    return Generated(news, parts, headings)


_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'src="cid:([^"]+)"')
_ALT = re.compile(r'alt="A (altword\d{4}z) picture"')


def _cids_by_alt(html: str) -> dict[str, str]:
    """Each generated picture's cid in ``html``, by its alt text's marker."""
    found = {}
    for tag in _IMG.findall(html):
        src, alt = _SRC.search(tag), _ALT.search(tag)
        if src and alt:
            found[alt.group(1)] = src.group(1)
    return found


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_reader_gets_exactly_the_parts_they_see(
    data: st.DataObject, pictures: list[Path]
) -> None:
    made = data.draw(editions(pictures))
    cells = data.draw(st.lists(st.frozensets(st.sampled_from(AUDIENCES)), max_size=5))
    everyone = frozenset(AUDIENCES)
    readers = [NONE, *cells]
    variants = render_variants(made.edition, SETTINGS, [*readers, everyone])
    sent = EditionMessages(variants, SETTINGS, DAY, secret=SECRET)
    # Every picture's cid, from the variant that shows every part.
    cids = _cids_by_alt(variants[everyone].html)
    assert set(cids) == {part.word for part in made.pictures}
    assert len(set(cids.values())) == len(cids)

    for row, audiences in enumerate(readers, start=2):
        cell = "; ".join(sorted(audiences))
        recipient = reader(row, cell.upper() if row % 2 else cell)
        message = parsed(sent.personal(recipient).data)
        text, html = bodies(message)
        for part in made.parts:
            expected = part.seen_by(audiences)
            assert (part.word in html) == expected, (cell, part.word, "html")
            assert (part.word in text) == expected, (cell, part.word, "text")
        for heading, under in made.headings:
            expected = heading.seen_by(audiences) and any(
                part.seen_by(audiences) for part in under
            )
            assert (heading.word in html) == expected, (cell, heading.word, "html")
            assert (heading.word in text) == expected, (cell, heading.word, "text")
        wanted = {
            part.word: cids[part.word]
            for part in made.pictures
            if part.seen_by(audiences)
        }
        attached = [str(image["Content-ID"]).strip("<>") for image in images(message)]
        assert sorted(attached) == sorted(wanted.values()), cell
        assert _cids_by_alt(html) == wanted, cell
        payloads = {image.get_payload(decode=True) for image in images(message)}
        assets = {asset.name: asset.data for asset in variants[everyone].assets}
        assert payloads == {assets[cid] for cid in wanted.values()}


def test_the_grammar_reaches_tagged_pictures(pictures: list[Path]) -> None:
    """The property's grammar can put a picture in a tagged part, hidden from some."""
    news = Edition("News", DAY)
    news.sections.append(
        Section(
            "Training",
            [Paragraph("x"), Image(str(pictures[0]), "A altword000z picture")],
            audiences=SCHOOLS,
        )
    )
    variants = render_variants(news, SETTINGS, [NONE, SCHOOLS])
    sent = EditionMessages(variants, SETTINGS, DAY)

    assert images(parsed(sent.personal(reader(2, "schools")).data))
    assert not images(parsed(sent.personal(reader(3, "")).data))
    assert variants[NONE].embedded == ()
    assert len(variants[SCHOOLS].embedded) == 1


def test_audience_problems_count_what_they_do_not_list() -> None:
    readers = [
        Recipient(f"r{row}@example.org", {"audiences": "nosuch"}, row=row)
        for row in range(2, 1002)
    ]
    problems = audience_problems(readers, ["schools"], "readers.csv", most=3)
    assert len(problems) == 4
    assert problems[0].startswith("readers.csv: row 2: audience 'nosuch'")
    assert problems[-1] == (
        "readers.csv: and 997 more audiences not declared in other rows"
    )


def test_a_repeated_address_with_other_audiences_is_a_problem(tmp_path: Path) -> None:
    from bulletin.mail.recipients import read_recipients

    listed = tmp_path / "readers.csv"
    listed.write_text(
        "email,audiences\nann@example.org,schools\nAnn@Example.org,police; schools\n"
        "bob@example.org,health\nbob@example.org,health\n",
        encoding="utf-8",
    )
    problems = list(
        repeated_with_other_audiences(read_recipients(listed), "readers.csv")
    )
    assert problems == [
        "readers.csv: row 3 repeats Ann@example.org from row 2 with other audiences "
        "(police), which only row 2 counts; put all of a reader's audiences in one "
        "row, separated by ;"
    ]


def test_a_repeated_row_with_an_unreadable_cell_is_a_problem(tmp_path: Path) -> None:
    from bulletin.mail.recipients import read_recipients

    listed = tmp_path / "readers.csv"
    listed.write_text(
        "email,audiences\nann@example.org,schools\nann@example.org,police/health\n",
        encoding="utf-8",
    )
    [problem] = repeated_with_other_audiences(read_recipients(listed), "readers.csv")
    assert problem.startswith(
        "readers.csv: row 3: the audiences column's 'police/health' is not an "
        "audience name"
    )
