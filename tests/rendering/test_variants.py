"""Rendering variants: each group of readers' email holds only the parts they see.

:func:`render_variants` renders one email per variant (the readers who see
the same parts share it), one web copy holding every part with who each
tagged part is for, and one set of pictures; an email never carries a word,
an alt text or a picture of a part its readers do not see.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin import (
    Button,
    Callout,
    ContentError,
    Edition,
    Event,
    Image,
    MessageTemplate,
    Settings,
    render,
    render_variants,
)
from bulletin.model.blocks import Contact

MakePng = Callable[..., Path]
DAY = dt.date(2025, 1, 15)
SETTINGS = Settings(
    audiences=["schools", "health", "police"],
    view_online_url="https://example.org/news/{slug}.html",
)
NONE = frozenset[str]()
SCHOOLS = frozenset({"schools"})
HEALTH = frozenset({"health"})
POLICE = frozenset({"police"})
BOTH = frozenset({"schools", "health"})

WORDS = {
    # marker word -> the audiences of the part it is in (empty: everyone)
    "wordopen": NONE,
    "wordtraining": SCHOOLS,
    "wordclinic": HEALTH,
    "wordgeneral": NONE,
    "wordcallout": SCHOOLS,
    "wordbutton": HEALTH,
    "wordevent": SCHOOLS,
    "wordcontact": HEALTH,
    "wordintro": HEALTH,
    "wordclosing": SCHOOLS,
    "wordboth": BOTH,
}


def edition() -> Edition:
    """An edition with a part of each kind tagged, each holding its marker word."""
    news = Edition("News", DAY, intro=["Hello."])
    news.add_intro(Callout("wordintro", audiences=["health"]))
    news.section("Open").paragraph("wordopen")
    news.section("Training", audiences=["schools"]).paragraph("wordtraining")
    health = news.section("Health")
    health.paragraph("Health lead.")
    health.article("Clinics", ["wordclinic"], audiences=["health"])
    general = health.article("General", ["wordgeneral"])
    general.callout("wordcallout", title="More", audiences=["schools"])
    general.button("wordbutton", "https://example.org/book", audiences=["health"])
    general.event("wordevent", DAY, audiences=["schools"])
    general.add(Contact(name="wordcontact", audiences=["health"]))
    health.add_closing(Callout("wordclosing", audiences=["schools"]))
    news.section("Both", audiences=["schools", "health"]).paragraph("wordboth")
    return news


def sees(readers: frozenset[str], tags: frozenset[str]) -> bool:
    return not tags or not tags.isdisjoint(readers)


READERS = [NONE, SCHOOLS, HEALTH, POLICE, BOTH, frozenset({"schools", "police"})]


@pytest.mark.parametrize(
    "readers", READERS, ids=lambda r: "+".join(sorted(r)) or "none"
)
def test_each_reader_gets_the_untagged_parts_and_their_own(
    readers: frozenset[str],
) -> None:
    rendered = render_variants(edition(), SETTINGS, [readers])[readers]

    for word, tags in WORDS.items():
        shown = sees(readers, tags)
        assert (word in rendered.html) == shown, (word, "html")
        assert (word in rendered.text) == shown, (word, "text")


def test_render_with_audiences_is_the_readers_variant() -> None:
    news = edition()

    rendered = render(news, SETTINGS, audiences=["Schools", "POLICE"])

    assert rendered.variant == SCHOOLS
    assert "wordtraining" in rendered.html
    assert "wordclinic" not in rendered.html
    assert render(news, SETTINGS).variant == NONE
    assert "wordtraining" not in render(news, SETTINGS).html


def test_readers_who_see_the_same_parts_share_one_render() -> None:
    readers = [NONE, POLICE, SCHOOLS, frozenset({"schools", "police"}), HEALTH]

    rendered = render_variants(edition(), SETTINGS, readers)

    assert set(rendered) == set(readers)
    assert rendered[NONE] is rendered[POLICE]
    assert rendered[SCHOOLS] is rendered[frozenset({"schools", "police"})]
    assert rendered[SCHOOLS] is not rendered[NONE]
    assert rendered[HEALTH] is not rendered[SCHOOLS]
    assert rendered[NONE].variant == NONE
    assert rendered[SCHOOLS].variant == SCHOOLS
    assert len({id(each) for each in rendered.values()}) == 3


def test_every_variant_shares_the_one_web_copy_and_subject() -> None:
    rendered = render_variants(edition(), SETTINGS, READERS)

    web = {each.web_html for each in rendered.values()}
    assert len(web) == 1
    assert {each.subject for each in rendered.values()} == {"News"}
    assert {each.slug for each in rendered.values()} == {"news"}


def test_an_edition_that_tags_nothing_gives_everyone_the_same_email() -> None:
    news = Edition("News", DAY)
    news.section("Open").paragraph("wordopen")

    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS, BOTH])

    assert rendered[NONE] is rendered[SCHOOLS] is rendered[BOTH]
    assert rendered[NONE].variant == NONE
    assert 'class="audience"' not in rendered[NONE].web_html


def test_the_web_copy_shows_every_part_with_who_it_is_for() -> None:
    web = render_variants(edition(), SETTINGS, [NONE])[NONE].web_html

    for word in WORDS:
        assert word in web
    labels = re.findall(r'<p class="audience"[^>]*>([^<]*)</p>', web)
    tagged = [tags for tags in WORDS.values() if tags]
    assert len(labels) == len(tagged)
    assert labels.count("For schools") == 4
    assert labels.count("For health") == 4
    assert labels.count("For health and schools") == 1


def test_a_label_comes_right_before_its_part() -> None:
    web = render_variants(edition(), SETTINGS, [NONE])[NONE].web_html

    label = web.index(">For schools</p>")
    heading = web.index('id="training"')
    assert label > heading
    assert web.index("wordtraining") > label
    assert web.index("wordopen") < heading


def test_no_email_shows_labels() -> None:
    rendered = render_variants(edition(), SETTINGS, READERS)

    for each in rendered.values():
        assert 'class="audience"' not in each.html
        assert "For schools" not in each.html
        assert "For schools" not in each.text


def test_the_web_copy_labels_in_the_editions_language() -> None:
    news = edition()
    news.language = "cy"

    web = render_variants(news, SETTINGS, [NONE])[NONE].web_html

    assert "Ar gyfer schools" in web


def test_no_audience_everything_gives_readers_in_no_audience_every_part() -> None:
    settings = dataclasses.replace(SETTINGS, no_audience="everything")

    rendered = render_variants(edition(), settings, [NONE, SCHOOLS, HEALTH])

    for word in WORDS:
        assert word in rendered[NONE].html
        assert word in rendered[NONE].text
    assert rendered[NONE].variant == {"schools", "health"}
    # A reader in an audience still gets only their own parts.
    assert "wordclinic" not in rendered[SCHOOLS].html
    assert "wordtraining" not in rendered[HEALTH].html


def test_no_audience_everything_shares_the_render_of_every_tagged_audience() -> None:
    settings = dataclasses.replace(SETTINGS, no_audience="everything")

    rendered = render_variants(edition(), settings, [NONE, BOTH])

    assert rendered[NONE] is rendered[BOTH]


def test_an_undeclared_tag_is_refused_before_rendering() -> None:
    news = edition()
    news.section("Extra", audiences=["shcools"]).paragraph("x")

    with pytest.raises(ContentError, match="did you mean 'schools'") as caught:
        render_variants(news, SETTINGS, [NONE])

    assert caught.value.location.block == "section 'Extra'"


def test_a_tagged_edition_without_declared_audiences_is_refused() -> None:
    with pytest.raises(ContentError, match="is not declared"):
        render(edition(), Settings())


def test_the_contents_list_only_the_sections_a_reader_sees() -> None:
    rendered = render_variants(edition(), SETTINGS, [NONE, SCHOOLS])

    assert 'href="#training"' not in rendered[NONE].html
    assert 'href="#both"' not in rendered[NONE].html
    assert 'href="#open"' in rendered[NONE].html
    assert 'href="#training"' in rendered[SCHOOLS].html


# Footnotes ---------------------------------------------------------------------------------


def test_a_hidden_parts_footnote_reaches_only_its_readers() -> None:
    news = Edition("News", DAY)
    section = news.section("Figures")
    section.paragraph("Everyone's figure[^shared].")
    section.callout("Schools' figure[^school].", audiences=["schools"])
    section.footnote("shared", "notewordshared").footnote("school", "notewordschool")

    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS])

    assert "notewordshared" in rendered[NONE].html
    assert "notewordschool" not in rendered[NONE].html
    assert "notewordschool" not in rendered[NONE].text
    assert "notewordschool" in rendered[SCHOOLS].html
    assert "notewordschool" in rendered[SCHOOLS].text
    assert "notewordschool" in rendered[NONE].web_html


# Digest --------------------------------------------------------------------------------------


def _twins() -> Edition:
    """Two sections and two articles with the same headings, one for each audience."""
    news = Edition("News", DAY)
    news.section("Training", audiences=["schools"]).paragraph(
        "Schools lead."
    ).paragraph("Schools more.")
    news.section("Training", audiences=["health"]).paragraph("Health lead.").paragraph(
        "Health more."
    )
    notes = news.section("Notes")
    notes.article(
        "Update", ["Schools update.", "Schools detail."], audiences=["schools"]
    )
    notes.article("Update", ["Health update.", "Health detail."], audiences=["health"])
    notes.article("Everyone", ["Everyone's update.", "Detail."])
    return news


def _links(html: str) -> list[str]:
    return re.findall(r'href="https://example\.org/news/news\.html#([^"]*)"', html)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]*)"', html))


def test_a_digests_links_follow_the_whole_editions_anchors() -> None:
    rendered = render_variants(_twins(), SETTINGS, [NONE, SCHOOLS, HEALTH], digest=True)
    web = rendered[NONE].web_html

    assert _links(rendered[SCHOOLS].html) == ["training", "update", "everyone"]
    assert _links(rendered[HEALTH].html) == ["training-2", "update-2", "everyone"]
    assert _links(rendered[NONE].html) == ["everyone"]
    for readers in (NONE, SCHOOLS, HEALTH):
        assert set(_links(rendered[readers].html)) <= _ids(web)


def _segments(web: str, anchors: list[str]) -> dict[str, str]:
    """The web copy from each heading's anchor to the next one's."""
    starts = sorted((web.index(f'id="{anchor}"'), anchor) for anchor in anchors)
    ends = [start for start, _ in starts[1:]] + [len(web)]
    return {
        anchor: web[start:end]
        for (start, anchor), end in zip(starts, ends, strict=True)
    }


def test_a_digest_link_reaches_the_part_its_reader_was_shown() -> None:
    readers = [SCHOOLS, HEALTH]
    rendered = render_variants(_twins(), SETTINGS, readers, digest=True)
    web = rendered[HEALTH].web_html
    parts = _segments(
        web, ["training", "training-2", "notes", "update", "update-2", "everyone"]
    )

    for reader, own, other in (
        (HEALTH, "Health", "Schools"),
        (SCHOOLS, "Schools", "Health"),
    ):
        html = rendered[reader].html
        assert f"{own} lead." in html
        assert f"{own} more." not in html
        training, update, everyone = _links(html)
        assert f"{own} more." in parts[training]
        assert other not in parts[training]
        assert f"{own} detail." in parts[update]
        assert other not in parts[update]
        assert "Everyone's update." in parts[everyone]


def test_a_digests_contents_link_to_the_anchors_of_its_own_sections() -> None:
    rendered = render_variants(_twins(), SETTINGS, [HEALTH], digest=True)[HEALTH]

    assert 'href="#training-2"' in rendered.html
    assert 'id="training-2"' in rendered.html
    assert 'href="#training"' not in rendered.html


def test_a_digest_keeps_the_anchors_when_a_section_lost_a_part() -> None:
    news = Edition("News", DAY)
    hidden = news.section("Notes", audiences=["schools"])
    hidden.paragraph("Hidden notes.").paragraph("More hidden notes.")
    notes = news.section("Notes")
    notes.paragraph("Open lead.").paragraph("Open more.")
    notes.callout("For schools only.", audiences=["schools"])
    notes.article("Notes", ["Article lead.", "Article more."])

    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS], digest=True)
    web = rendered[NONE].web_html

    assert _links(rendered[SCHOOLS].html) == ["notes", "notes-2", "notes-3"]
    assert _links(rendered[NONE].html) == ["notes-2", "notes-3"]
    assert {"notes", "notes-2", "notes-3"} <= _ids(web)


# Pictures ------------------------------------------------------------------------------------


def _cids(html: str) -> set[str]:
    return set(re.findall(r'src="cid:([^"]+)"', html))


def _pictured(make_png: MakePng) -> tuple[Edition, dict[str, str]]:
    """An edition with a picture for everyone, one for schools and one for health."""
    shared = make_png("shared.png", (300, 200))
    school = make_png("school.png", (310, 200))
    clinic = make_png("clinic.png", (320, 200))
    news = Edition("News", DAY)
    news.section("Open").paragraph("Open words.").image(str(shared), "altshared")
    news.section("Training", audiences=["schools"]).paragraph("Training.").image(
        str(school), "altschool", caption="captionschool"
    )
    health = news.section("Health")
    health.paragraph("Health lead.")
    health.article("Clinic", ["Clinic words."], audiences=["health"]).image(
        str(clinic), "altclinic"
    )
    return news, {"altshared": "shared", "altschool": "school", "altclinic": "clinic"}


def test_a_tagged_picture_is_embedded_only_where_it_is_shown(make_png: MakePng) -> None:
    news, _ = _pictured(make_png)

    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS, HEALTH, BOTH])

    assets = rendered[NONE].assets
    assert len(assets) == 3
    assert all(each.assets == assets for each in rendered.values())
    counts = {
        readers: len(rendered[readers].embedded)
        for readers in (NONE, SCHOOLS, HEALTH, BOTH)
    }
    assert counts == {NONE: 1, SCHOOLS: 2, HEALTH: 2, BOTH: 3}
    for each in rendered.values():
        assert _cids(each.html) == {asset.name for asset in each.embedded}
    assert _cids(rendered[SCHOOLS].html) & _cids(rendered[HEALTH].html) == _cids(
        rendered[NONE].html
    )


def test_a_hidden_pictures_alt_text_and_caption_never_reach_another_variant(
    make_png: MakePng,
) -> None:
    news, _ = _pictured(make_png)

    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS, HEALTH])

    assert "altshared" in rendered[NONE].html
    for readers, hidden in (
        (NONE, ("altschool", "captionschool", "altclinic")),
        (SCHOOLS, ("altclinic",)),
        (HEALTH, ("altschool", "captionschool")),
    ):
        for word in hidden:
            assert word not in rendered[readers].html, (readers, word)
            assert word not in rendered[readers].text, (readers, word)
    assert "altschool" in rendered[SCHOOLS].html
    assert "captionschool" in rendered[SCHOOLS].html
    assert "altclinic" in rendered[HEALTH].html
    web = rendered[NONE].web_html
    assert all(word in web for word in ("altshared", "altschool", "altclinic"))


def test_a_variants_message_attaches_only_its_pictures(make_png: MakePng) -> None:
    news, _ = _pictured(make_png)
    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS, HEALTH])

    for readers, expected in ((NONE, 1), (SCHOOLS, 2), (HEALTH, 2)):
        each = rendered[readers]
        data = MessageTemplate(each, SETTINGS, DAY).personal(None).data
        message = email.message_from_bytes(data, policy=email.policy.default)
        images = [
            part for part in message.walk() if part.get_content_maintype() == "image"
        ]
        assert len(images) == expected
        cids = {str(part["Content-ID"]).strip("<>") for part in images}
        assert cids == _cids(each.html)
        payloads = {part.get_payload(decode=True) for part in images}
        assert payloads == {asset.data for asset in each.embedded}


def test_a_picture_shared_by_a_visible_and_a_hidden_part_is_sent_once(
    make_png: MakePng,
) -> None:
    path = make_png("shared.png", (300, 200))
    news = Edition("News", DAY)
    news.section("Open").image(str(path), "altopen")
    news.section("Training", audiences=["schools"]).image(str(path), "altschool")

    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS])

    assert len(rendered[NONE].embedded) == 1
    assert len(rendered[SCHOOLS].embedded) == 1
    assert "altschool" not in rendered[NONE].html
    assert "altschool" in rendered[SCHOOLS].html


def test_hosted_pictures_are_linked_only_where_they_are_shown(
    make_png: MakePng,
) -> None:
    news, _ = _pictured(make_png)
    settings = dataclasses.replace(SETTINGS, image_base_url="https://cdn.example.org")

    rendered = render_variants(news, settings, [NONE, SCHOOLS])

    names = {asset.name for asset in rendered[NONE].assets}
    shown = {name for name in names if name in rendered[NONE].html}
    shown_to_schools = {name for name in names if name in rendered[SCHOOLS].html}
    assert len(shown) == 1
    assert len(shown_to_schools) == 2
    assert rendered[NONE].embedded == ()


def test_the_email_and_text_of_a_variant_never_hold_other_parts_of_any_kind() -> None:
    """A smoke check across blocks: a Button, an Event and a Contact for one audience."""
    news = Edition("News", DAY)
    section = news.section("Open", ["Open words."])
    section.add(
        Button("buttonschools", "https://example.org/b", audiences=["schools"]),
        Event("eventhealth", DAY, location="placehealth", audiences=["health"]),
        Contact(email="contact@health.example.org", audiences=["health"]),
        Image("https://example.org/remote.png", "remotealt"),
    )

    rendered = render_variants(news, SETTINGS, [NONE, SCHOOLS, HEALTH])

    assert "buttonschools" in rendered[SCHOOLS].html
    assert "https://example.org/b" not in rendered[HEALTH].html
    assert "placehealth" in rendered[HEALTH].text
    assert "placehealth" not in rendered[SCHOOLS].text
    assert "contact@health.example.org" not in rendered[NONE].html
    assert "contact@health.example.org" in rendered[HEALTH].html
    assert all("remotealt" in each.html for each in rendered.values())


def test_a_welsh_web_copy_labels_parts_in_welsh() -> None:
    edition = Edition("Newyddion", DAY, language="cy")
    edition.section("Hyfforddiant", audiences=BOTH).paragraph("Geiriau.")
    web = render(edition, SETTINGS).web_html
    assert '<p class="audience">Ar gyfer health a schools</p>' in web
    assert "For " not in web


def test_a_list_needing_more_variants_than_the_cap_is_refused() -> None:
    from bulletin.model.audiences import MAX_VARIANTS

    names = [f"group {number}" for number in range(8)]
    edition = Edition("News", DAY)
    for name in names:
        edition.section(f"For {name}", audiences=[name]).paragraph("Words.")
    settings = Settings(audiences=names)
    # Every mix of eight audiences: 256 different versions.
    readers = [
        frozenset(name for bit, name in enumerate(names) if mask >> bit & 1)
        for mask in range(2 ** len(names))
    ]
    assert len(readers) > MAX_VARIANTS
    with pytest.raises(ContentError, match="need 256 different versions"):
        render_variants(edition, settings, readers)


def test_the_plain_text_keeps_no_break_spaces() -> None:
    edition = Edition("News", DAY)
    edition.section("Walk").paragraph(
        "M.\u00a0Dupont walks 10\u00a0km to salle\u202f12."
    )
    text = render(edition, SETTINGS).text
    assert "M.\u00a0Dupont walks 10\u00a0km to salle\u202f12." in text
