"""Audiences in the model: tag names, tagged parts, declared audiences and variants.

A section, article or box may be tagged for audiences; :func:`select` makes
the edition a group of readers sees. These tests hold the names' one
canonical form, the tags each constructor and builder takes, the settings'
declared audiences, what :func:`select` keeps and leaves out (with the
footnotes only a left-out part referred to), and the messages naming an
undeclared audience.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bulletin.errors import ContentError
from bulletin.model.audiences import (
    check_tags,
    describe,
    parse_variant,
    select,
    tagged_audiences,
    variant_key,
    variant_of,
    visible,
)
from bulletin.model.blocks import Button, Callout, Contact, Event, Paragraph
from bulletin.model.edition import Article, Edition, Section
from bulletin.model.settings import Settings
from bulletin.model.tags import MAX_AUDIENCES, audience_names, tags_of

DAY = dt.date(2025, 1, 15)
SCHOOLS = frozenset({"schools"})
HEALTH = frozenset({"health"})


def _error(action: object) -> ContentError:
    """Run ``action`` (a callable), which must raise ContentError; return it."""
    with pytest.raises(ContentError) as caught:
        action()  # type: ignore[operator]
    return caught.value


def _words(edition: Edition) -> str:
    """Every paragraph's and callout's words in ``edition``, in order, as one string."""
    found: list[str] = []

    def add(blocks: list[object]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph | Callout):
                found.append(str(block.text))

    add(list(edition.intro))
    for section in edition.sections:
        found.append(f"#{section.heading}")
        add(list(section.blocks))
        for article in section.articles:
            found.append(f"##{article.heading}")
            add(list(article.blocks))
        add(list(section.closing))
    return " ".join(found)


# audience_names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "names"),
    [
        ("schools", {"schools"}),
        ("Schools", {"schools"}),
        ("SCHOOLS", {"schools"}),
        ("  Schools  ", {"schools"}),
        ("Social  Care", {"social care"}),
        ("social\tcare", {"social care"}),
        ("Schools; social  Care", {"schools", "social care"}),
        ("schools, health", {"schools", "health"}),
        ("schools,health;police", {"schools", "health", "police"}),
        ("schools; Schools", {"schools"}),
        ("schools;", {"schools"}),
        (";, ;", set()),
        ("", set()),
        ("Children & Families", {"children & families"}),
        ("St. Mary's", {"st. mary's"}),
        ("year-7", {"year-7"}),
        ("Écoles", {"écoles"}),
        ("a" * 40, {"a" * 40}),
    ],
)
def test_audience_names_are_compared_without_case_or_extra_spaces(
    written: str, names: set[str]
) -> None:
    assert audience_names(written) == frozenset(names)


def test_a_collection_of_names_is_not_split_at_separators() -> None:
    assert audience_names(["Schools", "Social  Care"]) == {"schools", "social care"}
    assert audience_names(frozenset({"health"})) == HEALTH
    with pytest.raises(ContentError, match="not an audience name"):
        audience_names(["schools, health"])


@pytest.mark.parametrize(
    "written",
    [
        "sch@ols",
        "schools!",
        "-schools",
        "schools-",
        "_schools",
        "<b>schools</b>",
        "a" * 41,
        "schools {for health}",
    ],
)
def test_a_name_that_cannot_be_an_audience_is_refused(written: str) -> None:
    error = _error(lambda: audience_names(written))

    assert "is not an audience name" in error.message
    assert "at most 40 characters" in error.message


def test_an_empty_name_in_a_collection_is_refused() -> None:
    with pytest.raises(ContentError, match="is not an audience name"):
        audience_names(["schools", "  "])


def test_a_name_that_is_not_text_is_refused() -> None:
    error = _error(lambda: audience_names([3]))  # type: ignore[list-item]

    assert "int" in error.message
    assert "write the audience's name" in error.message


def test_tags_of_an_untagged_part_is_empty() -> None:
    assert tags_of(Paragraph("Hello.")) == frozenset()
    assert tags_of(Callout("Hello.")) == frozenset()
    assert tags_of("not a part") == frozenset()
    assert tags_of(Callout("Hello.", audiences=["Health"])) == HEALTH


# Tags on sections, articles and boxes ----------------------------------------------


def test_constructors_take_tags_in_any_form_and_keep_the_canonical_one() -> None:
    article = Article("Clinics", ["Text."], audiences=["Health", "Social  Care"])
    section = Section("Training", ["Text."], [article], audiences="Schools; police")

    assert article.audiences == {"health", "social care"}
    assert section.audiences == {"schools", "police"}
    assert isinstance(section.audiences, frozenset)
    assert Section("Open", ["Text."]).audiences == frozenset()
    assert Article("Open", ["Text."]).audiences == frozenset()


def test_every_box_takes_tags() -> None:
    button = Button("Book", "https://example.org/", audiences=["Schools"])
    callout = Callout("More.", title="Read", audiences="health; schools")
    event = Event("Day", DAY, audiences=("Police",))
    contact = Contact(phone="03000 265770", audiences=["Schools"])

    assert button.audiences == SCHOOLS
    assert callout.audiences == {"health", "schools"}
    assert event.audiences == {"police"}
    assert contact.audiences == SCHOOLS
    # Untagged boxes are for everyone.
    assert Button("Book", "https://example.org/").audiences == frozenset()
    assert Contact(phone="03000 265770").audiences == frozenset()


def test_tagged_boxes_are_still_values() -> None:
    first = Callout("More.", audiences=["Schools"])
    again = Callout("More.", audiences=["schools"])

    assert first == again
    assert hash(first) == hash(again)
    assert first != Callout("More.", audiences=["health"])
    assert first != Callout("More.")


def test_builders_take_tags() -> None:
    news = Edition("News", DAY)
    section = news.section("Training", audiences=["Schools"])
    article = section.article("Clinics", ["Text."], audiences=["Health"])
    section.button("Book", "https://example.org/", audiences=["Police"])
    section.callout("More.", title="Read", audiences=["Schools", "Health"])
    article.event("Day", DAY, audiences=["schools"])

    assert section.audiences == SCHOOLS
    assert article.audiences == HEALTH
    assert [block.audiences for block in section.blocks] == [  # type: ignore[union-attr]
        {"police"},
        {"schools", "health"},
    ]
    assert article.blocks[-1].audiences == SCHOOLS  # type: ignore[union-attr]
    assert tagged_audiences(news) == {"schools", "health", "police"}


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (
            lambda: Section("Training", ["x"], audiences=["sch@ols"]),
            "section 'Training'",
        ),
        (lambda: Article("Clinics", ["x"], audiences=["sch@ols"]), "article 'Clinics'"),
        (
            lambda: Edition("News", DAY).section("Training", audiences=["sch@ols"]),
            "section 'Training'",
        ),
        (
            lambda: (
                Edition("News", DAY)
                .section("Training")
                .article("Clinics", audiences=["sch@ols"])
            ),
            "section 'Training' > article 'Clinics'",
        ),
        (
            lambda: Button("Book", "https://example.org/", audiences=["sch@ols"]),
            "button",
        ),
        (lambda: Callout("More.", audiences=["sch@ols"]), "callout"),
        (lambda: Event("Day", DAY, audiences=["sch@ols"]), "event"),
        (lambda: Contact(phone="03000 265770", audiences=["sch@ols"]), "contact"),
        (
            lambda: (
                Edition("News", DAY)
                .section("Training")
                .callout("More.", audiences=["sch@ols"])
            ),
            "section 'Training' > block 1 > callout",
        ),
    ],
)
def test_a_bad_tag_is_refused_naming_the_part(build: object, where: str) -> None:
    error = _error(build)

    assert "'sch@ols' is not an audience name" in error.message
    assert error.location.block == where
    assert error.key == ("audiences",)


# Settings ----------------------------------------------------------------------------


def test_settings_declare_audiences_in_canonical_form_and_order() -> None:
    settings = Settings(audiences=["Schools", "Social  Care", "health"])

    assert settings.audiences == ("schools", "social care", "health")
    assert Settings().audiences == ()
    assert Settings(audiences="Schools").audiences == ("schools",)


@pytest.mark.parametrize(
    "names", [["schools", "Schools"], ["social care", "Social  Care"], ["a", "b", "A"]]
)
def test_an_audience_declared_twice_is_refused(names: list[str]) -> None:
    error = _error(lambda: Settings(audiences=names))

    assert "is declared twice" in error.message
    assert error.key == ("audiences",)
    assert error.location.block == "settings"


def test_a_declared_name_that_cannot_be_an_audience_is_refused() -> None:
    error = _error(lambda: Settings(audiences=["schools", "sch@ols"]))

    assert "'sch@ols' is not an audience name" in error.message
    assert error.key == ("audiences",)


def test_at_most_max_audiences_may_be_declared() -> None:
    names = [f"group {number}" for number in range(MAX_AUDIENCES)]

    assert len(Settings(audiences=names).audiences) == MAX_AUDIENCES
    error = _error(lambda: Settings(audiences=[*names, "one more"]))
    assert f"more than {MAX_AUDIENCES} audiences" in error.message


@pytest.mark.parametrize("value", ["untagged", "everything"])
def test_no_audience_takes_its_two_values(value: str) -> None:
    assert Settings(no_audience=value).no_audience == value


def test_no_audience_defaults_to_the_untagged_parts() -> None:
    assert Settings().no_audience == "untagged"


@pytest.mark.parametrize("value", ["everyone", "Everything", "", "all"])
def test_another_no_audience_is_refused(value: str) -> None:
    error = _error(lambda: Settings(no_audience=value))

    assert "'untagged'" in error.message
    assert "'everything'" in error.message
    assert error.key == ("no_audience",)


# select ----------------------------------------------------------------------------------


def _edition() -> Edition:
    """Open (untagged), Training (schools), Health (an article for health, one
    for everyone with a callout for schools), Police (police, nothing else)."""
    news = Edition("News", DAY, intro=["Hello everyone."])
    news.intro.append(Callout("Intro for health.", audiences=["health"]))
    news.section("Open").paragraph("Open words.")
    news.section("Training", audiences=["schools"]).paragraph("Training words.")
    health = news.section("Health")
    health.paragraph("Health lead.")
    health.article("Clinics", ["Clinic words."], audiences=["health"])
    general = health.article("General", ["General words."])
    general.callout("General callout for schools.", audiences=["schools"])
    news.section("Police", audiences=["police"]).paragraph("Police words.")
    return news


def test_a_reader_in_no_audience_sees_only_the_untagged_parts() -> None:
    news = _edition()

    chosen = select(news, frozenset()).edition

    assert [section.heading for section in chosen.sections] == ["Open", "Health"]
    assert [article.heading for article in chosen.sections[1].articles] == ["General"]
    assert chosen.intro == [Paragraph("Hello everyone.")]
    words = _words(chosen)
    assert "General words." in words
    assert "for schools" not in words
    assert "Clinic" not in words
    assert "Police" not in words


def test_a_reader_sees_the_parts_tagged_for_one_of_their_audiences() -> None:
    news = _edition()

    chosen = select(news, SCHOOLS).edition

    assert [section.heading for section in chosen.sections] == [
        "Open",
        "Training",
        "Health",
    ]
    words = _words(chosen)
    assert "Training words." in words
    assert "General callout for schools." in words
    assert "Clinic words." not in words
    assert "Intro for health." not in words


def test_a_reader_in_several_audiences_sees_the_parts_of_each() -> None:
    news = _edition()

    chosen = select(news, frozenset({"schools", "health"})).edition
    words = _words(chosen)

    for expected in (
        "Training words.",
        "Clinic words.",
        "General callout for schools.",
        "Intro for health.",
    ):
        assert expected in words
    assert "Police words." not in words


def test_a_part_tagged_for_several_audiences_reaches_each() -> None:
    news = Edition("News", DAY)
    news.section("Both", audiences=["schools", "health"]).paragraph("Both words.")

    assert [s.heading for s in select(news, SCHOOLS).edition.sections] == ["Both"]
    assert [s.heading for s in select(news, HEALTH).edition.sections] == ["Both"]
    assert select(news, frozenset({"police"})).edition.sections == []


def test_none_selects_the_whole_edition() -> None:
    news = _edition()

    selection = select(news, None)

    assert selection.edition is news
    assert selection.whole is news


def test_an_edition_that_tags_nothing_is_selected_as_it_is() -> None:
    news = Edition("News", DAY)
    news.section("Open").paragraph("Open words.")

    selection = select(news, SCHOOLS)

    assert selection.edition is news
    assert selection.origin == {}


def test_select_leaves_the_edition_unchanged() -> None:
    news = _edition()
    before = [
        (section.heading, list(section.blocks), list(section.articles))
        for section in news.sections
    ]
    intro = list(news.intro)

    select(news, frozenset())
    select(news, SCHOOLS)

    assert [
        (section.heading, list(section.blocks), list(section.articles))
        for section in news.sections
    ] == before
    assert news.intro == intro


def test_a_section_left_with_nothing_under_its_heading_is_left_out() -> None:
    news = Edition("News", DAY)
    news.section("Open").paragraph("Open words.")
    mixed = news.section("Mixed")
    mixed.callout("Only for schools.", audiences=["schools"])
    mixed.article("Clinics", ["Clinic words."], audiences=["health"])

    assert [s.heading for s in select(news, frozenset()).edition.sections] == ["Open"]
    assert [s.heading for s in select(news, SCHOOLS).edition.sections] == [
        "Open",
        "Mixed",
    ]


def test_an_article_left_with_nothing_under_its_heading_is_left_out() -> None:
    news = Edition("News", DAY)
    section = news.section("Open")
    section.paragraph("Open words.")
    section.article("Buttons").button(
        "Book", "https://example.org/", audiences=["schools"]
    )
    section.article("Kept", ["Kept words."])

    chosen = select(news, HEALTH).edition

    assert [article.heading for article in chosen.sections[0].articles] == ["Kept"]


def test_a_section_kept_only_for_its_closing_stays() -> None:
    news = Edition("News", DAY)
    section = news.section("Closing only")
    section.article("Clinics", ["Clinic words."], audiences=["health"])
    section.add_closing("Closing words.")

    chosen = select(news, SCHOOLS).edition

    assert [s.heading for s in chosen.sections] == ["Closing only"]
    assert chosen.sections[0].articles == []
    assert chosen.sections[0].closing == [Paragraph("Closing words.")]


def test_tagged_closing_blocks_are_left_out() -> None:
    news = Edition("News", DAY)
    section = news.section("Open", ["Open words."])
    section.add_closing(
        Callout("Closing for schools.", audiences=["schools"]), "Closing words."
    )

    assert select(news, HEALTH).edition.sections[0].closing == [
        Paragraph("Closing words.")
    ]
    assert len(select(news, SCHOOLS).edition.sections[0].closing) == 2


def test_the_footnotes_of_a_left_out_block_go_with_it() -> None:
    news = Edition("News", DAY)
    section = news.section("Open")
    section.paragraph("Everyone's figure[^shared].")
    section.callout("Schools' figure[^schools].", audiences=["schools"])
    section.footnote("shared", "Shared source.").footnote("schools", "Schools source.")
    article = section.article("Clinics", ["Clinic figure[^a1]."])
    article.callout("Health figure[^health].", audiences=["health"])
    article.footnote("a1", "Article source.").footnote("health", "Health source.")

    for_health = select(news, HEALTH).edition.sections[0]
    for_schools = select(news, SCHOOLS).edition.sections[0]

    assert list(for_health.footnotes) == ["shared"]
    assert list(for_health.articles[0].footnotes) == ["a1", "health"]
    assert list(for_schools.footnotes) == ["shared", "schools"]
    assert list(for_schools.articles[0].footnotes) == ["a1"]


def test_a_footnote_referred_to_by_a_kept_block_stays() -> None:
    news = Edition("News", DAY)
    section = news.section("Open")
    section.paragraph("Everyone's figure[^1].")
    section.callout("The same figure[^1] for schools.", audiences=["schools"])
    section.footnote("1", "The source.")

    chosen = select(news, HEALTH).edition.sections[0]

    assert chosen.blocks == [Paragraph("Everyone's figure[^1].")]
    assert list(chosen.footnotes) == ["1"]


def test_untouched_parts_keep_their_identity() -> None:
    news = _edition()

    selection = select(news, SCHOOLS)
    chosen = selection.edition
    open_, training, health = chosen.sections

    assert chosen is not news
    assert open_ is news.sections[0]
    assert training is news.sections[1]
    # The Health section lost its article for health: a new section, whose
    # untouched blocks and article are the same objects.
    assert health is not news.sections[2]
    assert selection.original(health) is news.sections[2]
    assert health.blocks[0] is news.sections[2].blocks[0]
    general = health.articles[0]
    assert general is news.sections[2].articles[1]
    assert selection.original(general) is general
    for kept, original in zip(
        general.blocks, news.sections[2].articles[1].blocks, strict=True
    ):
        assert kept is original


def test_a_part_that_lost_content_remembers_its_original() -> None:
    news = _edition()

    selection = select(news, frozenset())
    health = selection.edition.sections[1]
    general = health.articles[0]

    assert general is not news.sections[2].articles[1]
    assert selection.original(general) is news.sections[2].articles[1]
    assert selection.original(health) is news.sections[2]
    assert general.blocks == [Paragraph("General words.")]


def test_a_kept_part_keeps_its_heading_link_and_tags() -> None:
    news = Edition("News", DAY)
    section = news.section("Linked", link="https://example.org/", audiences=["health"])
    section.paragraph("Words.")
    section.callout("For health and schools.", audiences=["schools"])

    chosen = select(news, HEALTH).edition.sections[0]

    assert chosen.link == "https://example.org/"
    assert chosen.audiences == HEALTH
    assert chosen.blocks == [Paragraph("Words.")]


def test_visible() -> None:
    tagged = Callout("x", audiences=["schools"])

    assert visible(tagged, SCHOOLS)
    assert visible(tagged, frozenset({"schools", "health"}))
    assert visible(tagged, None)
    assert not visible(tagged, HEALTH)
    assert not visible(tagged, frozenset())
    assert visible(Callout("x"), frozenset())


# Variants ---------------------------------------------------------------------------------


def test_a_variant_is_the_readers_audiences_that_the_edition_tags() -> None:
    tagged = frozenset({"schools", "health"})

    assert variant_of(frozenset({"schools", "police"}), tagged) == SCHOOLS
    assert variant_of(frozenset({"police"}), tagged) == frozenset()
    assert variant_of(frozenset(), tagged) == frozenset()
    assert variant_of(None, tagged) == tagged
    assert variant_of(frozenset({"schools", "health", "police"}), tagged) == tagged
    assert variant_of(SCHOOLS, frozenset()) == frozenset()


def test_readers_who_see_the_same_parts_get_the_same_variant() -> None:
    news = _edition()
    tagged = tagged_audiences(news)

    assert tagged == {"schools", "health", "police"}
    alone = variant_of(frozenset({"social care"}), tagged)
    assert alone == variant_of(frozenset(), tagged)
    assert _words(select(news, alone).edition) == _words(
        select(news, frozenset()).edition
    )


def test_variant_keys_and_descriptions() -> None:
    assert variant_key(frozenset()) == ""
    assert variant_key(frozenset({"schools", "health"})) == "health+schools"
    assert parse_variant("health+schools") == {"health", "schools"}
    assert parse_variant("") == frozenset()
    assert describe(frozenset()) == "no audience"
    assert describe("") == "no audience"
    assert describe(SCHOOLS) == "schools"
    assert describe(frozenset({"schools", "health"})) == "health and schools"
    assert describe("police+health+schools") == "health, police and schools"
    for variant in (frozenset(), SCHOOLS, frozenset({"a", "b c", "d"})):
        assert parse_variant(variant_key(variant)) == variant


# check_tags ---------------------------------------------------------------------------


def test_check_tags_accepts_declared_audiences() -> None:
    assert list(check_tags(_edition(), ["schools", "health", "police"])) == []


def test_check_tags_names_each_undeclared_audience_and_where() -> None:
    news = _edition()

    found = list(check_tags(news, ["schools", "health"]))

    assert len(found) == 1
    part, error = found[0]
    assert part is news.sections[3]
    assert error.location.block == "section 'Police'"
    assert "audience 'police' is not one of the declared audiences" in error.message
    assert "did you mean" not in error.message
    assert "the audiences are health, schools" in error.message


def test_check_tags_suggests_the_nearest_declared_audience() -> None:
    news = Edition("News", DAY)
    section = news.section("Training", audiences=["shcools"])
    section.paragraph("Words.")
    section.article("Clinics", ["x"], audiences=["helth"])
    section.articles[0].callout("More.", audiences=["polise"])
    news.add_intro(Button("Book", "https://example.org/", audiences=["schols"]))

    found = {
        str(error.location.block): error.message
        for _, error in check_tags(news, ["schools", "health", "police"])
    }

    assert set(found) == {
        "intro > block 1",
        "section 'Training'",
        "section 'Training' > article 'Clinics'",
        "section 'Training' > article 'Clinics' > block 2",
    }
    assert "did you mean 'schools'?" in found["section 'Training'"]
    assert "did you mean 'schools'?" in found["intro > block 1"]
    assert "did you mean 'health'?" in found["section 'Training' > article 'Clinics'"]
    assert (
        "did you mean 'police'?"
        in found["section 'Training' > article 'Clinics' > block 2"]
    )


def test_check_tags_without_declared_audiences_says_how_to_declare_them() -> None:
    news = Edition("News", DAY)
    news.section("Training", ["Words."], audiences=["schools"])

    [(_, error)] = check_tags(news, [])

    assert "audience 'schools' is not declared" in error.message
    assert 'audiences = ["schools", ...]' in error.message
    assert "audiences: [schools, ...]" in error.message


def test_check_tags_names_every_undeclared_name_of_a_part() -> None:
    news = Edition("News", DAY)
    news.section("Training", ["Words."], audiences=["schools", "x", "y"])

    messages = [error.message for _, error in check_tags(news, ["schools"])]

    assert len(messages) == 2
    assert "'x'" in messages[0]
    assert "'y'" in messages[1]


def test_a_curly_apostrophe_and_a_decomposed_accent_are_the_names_typed() -> None:
    assert audience_names("Children\u2019s services; Sante\u0301") == {
        "children's services",
        "sant\u00e9",
    }


def test_a_refused_name_says_which_character_is_wrong() -> None:
    with pytest.raises(ContentError, match=r"zero width space, '\\u200b'"):
        audience_names("pol\u200bice")
