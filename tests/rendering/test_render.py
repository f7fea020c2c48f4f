"""The render pipeline, stage by stage and whole."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bulletin import (
    BulletList,
    Divider,
    Edition,
    Image,
    LayoutError,
    Paragraph,
    RenderError,
    Section,
    Settings,
    render,
)
from bulletin.rendering.context import Heading
from bulletin.rendering.css import inline_css
from bulletin.rendering.mjml import compile_mjml
from bulletin.rendering.template import flow


def small_edition(**changes: object) -> Edition:
    edition = Edition("Small news", dt.date(2025, 1, 15), preheader="In short")
    edition.section("First").paragraph("One [link](https://example.org/a).")
    edition.section("Second").bullets(["x", "y"])
    for name, value in changes.items():
        setattr(edition, name, value)
    return edition


def test_email_is_a_complete_document() -> None:
    html = render(small_edition()).html
    assert html.startswith("<!doctype html>")
    assert re.search(r'<html lang="en-GB"', html)
    assert "<title>Small news</title>" in html


def test_outlook_conditional_comments_survive_inlining() -> None:
    html = render(small_edition()).html
    assert "<!--[if mso | IE]>" in html
    assert "<!--[if mso]>" in html
    assert "<![endif]-->" in html


def test_nothing_remote_is_referenced() -> None:
    html = render(small_edition()).html
    assert "fonts.googleapis" not in html
    assert "<link" not in html
    assert "@import" not in html


def test_accessibility_landmarks() -> None:
    rendered = render(small_edition(language="cy"))
    assert '<html lang="cy"' in rendered.html
    assert re.search(r'role="article"[^>]*|aria-label="Small news"', rendered.html)
    assert 'aria-label="Small news"' in rendered.html
    assert '<meta name="color-scheme" content="light dark">' in rendered.html
    assert "prefers-color-scheme: dark" in rendered.html


def test_css_is_inlined_and_media_queries_keep_important() -> None:
    html = render(small_edition()).html
    assert re.search(r'<h2 id="first" style="[^"]*color:#1d4f91', html)
    assert re.search(r'<a href="https://example.org/a" style="color:#1a5a9e', html)
    assert "width:100% !important" in html  # mjml's mobile rules intact


def test_inlined_rules_are_not_repeated_in_a_style_block() -> None:
    html = render(small_edition()).html
    assert "blockquote {" not in html


def test_web_copy_is_noindex_with_css_and_without_personal_links() -> None:
    settings = Settings(
        unsubscribe_url="https://example.org/u?t={token}",
        view_online_url="https://example.org/{slug}.html",
    )
    rendered = render(small_edition(), settings)
    assert re.search(
        r'<meta name="robots" content="noindex, nofollow"\s*/?>', rendered.web_html
    )
    assert "blockquote {" in rendered.web_html  # the layout CSS, as a style block
    assert "{{" not in rendered.web_html
    assert "View this email in your browser" not in rendered.web_html
    assert 'href="https://example.org/small-news.html"' in rendered.html
    assert 'href="{{unsubscribe_url}}"' in rendered.html


def test_output_is_deterministic() -> None:
    first = render(small_edition())
    second = render(small_edition())
    assert first == second


def test_contents_links_match_section_ids() -> None:
    edition = small_edition()
    edition.section("First")  # a duplicate heading gets its own anchor
    html = render(edition).html
    targets = re.findall(r'href="#([^"]+)"', html)
    assert targets == ["first", "second", "first-2"]
    for target in targets:
        assert f'id="{target}"' in html


def test_one_section_has_no_contents() -> None:
    edition = Edition("Single", dt.date(2025, 1, 15), sections=[Section("Only", ["x"])])
    assert "In this edition" not in render(edition).html


def test_welsh_edition_uses_welsh_words_and_months() -> None:
    edition = small_edition(language="cy")
    rendered = render(edition, Settings(unsubscribe_url="https://example.org/u"))
    assert "Yn y rhifyn hwn" in rendered.html
    assert "15 Ionawr 2025" in rendered.html
    assert "Dad-danysgrifio" in rendered.html
    assert "Yn y rhifyn hwn" in rendered.text


def test_settings_strings_override_layout_words() -> None:
    rendered = render(small_edition(), Settings(strings={"in_this_edition": "Inside"}))
    assert "Inside" in rendered.html
    assert "In this edition" not in rendered.html


def test_settings_colours_override_layout_defaults() -> None:
    rendered = render(small_edition(), Settings(colours={"heading": "#6a1b9a"}))
    assert re.search(r'<h2 id="first" style="[^"]*color:#6a1b9a', rendered.html)


def test_images_are_embedded_without_a_base_url(make_png) -> None:  # type: ignore[no-untyped-def]
    path: Path = make_png("photo.png", (1600, 800))
    edition = small_edition()
    edition.sections[0].add(Image("photo.png", "A blue rectangle"))
    rendered = render(edition, base_dir=path.parent)
    assert rendered.images_embedded
    (asset,) = rendered.assets
    assert f'src="cid:{asset.name}"' in rendered.html
    assert 'width="552"' in rendered.html
    assert 'height="276"' in rendered.html
    assert f'src="assets/{asset.name}"' in rendered.web_html
    assert asset.width == 1104


def test_images_are_hosted_with_a_base_url(make_png) -> None:  # type: ignore[no-untyped-def]
    path = make_png("photo.png")
    edition = small_edition()
    edition.sections[0].add(Image("photo.png", "A blue rectangle", width=200))
    settings = Settings(image_base_url="https://cdn.example.org/news/")
    rendered = render(edition, settings, base_dir=path.parent)
    assert not rendered.images_embedded
    src = f"https://cdn.example.org/news/assets/{rendered.assets[0].name}"
    assert f'src="{src}"' in rendered.html
    assert f'src="{src}"' in rendered.web_html


def test_no_relative_src_reaches_the_email(examples) -> None:  # type: ignore[no-untyped-def]
    for example in examples.values():
        sources = re.findall(r'src="([^"]+)"', example.rendered.html)
        assert sources
        assert all(re.match(r"(cid:|https://)", src) for src in sources), sources


def test_unknown_layout_lists_the_available_ones() -> None:
    with pytest.raises(
        LayoutError,
        match=r"unknown layout 'clasic' \(did you mean 'classic'\?\); available: classic, compact",
    ):
        render(small_edition(), layout="clasic")


def test_mjml_failure_is_a_render_error() -> None:
    with pytest.raises(RenderError, match=r"^mjml: "):
        compile_mjml("<mjml><mj-body><mj-section></mjml>")


def test_inline_stage_restores_the_doctype() -> None:
    html = inline_css(
        "<!doctype html><html><head></head><body><p>x</p></body></html>",
        "p { color: red }",
    )
    assert html.startswith("<!doctype html>")
    assert '<p style="color:red">x</p>' in html


def test_flow_groups_text_blocks() -> None:
    heading = Heading(2, "H", "h")
    items = [heading, Paragraph("a"), BulletList(["b"]), Divider(), Paragraph("c")]
    groups = list(flow(items))
    assert [kind for kind, _ in groups] == ["text", "divider", "text"]
    assert groups[0][1] == items[:3]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            Settings(colours={"brnad": "#000000"}),
            "[colours] 'brnad' is not one layout 'classic' uses; did you mean 'brand'?",
        ),
        (
            Settings(strings={"in_this_editon": "Inside"}),
            "[strings] 'in_this_editon' is not one layout 'classic' uses; did you mean 'in_this_edition'?",
        ),
    ],
)
def test_a_colour_or_word_the_layout_does_not_use_is_a_typo(
    settings: Settings, message: str
) -> None:
    from bulletin.errors import ContentError

    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("Training").paragraph("Book now.")

    with pytest.raises(ContentError) as caught:
        render(edition, settings)

    assert caught.value.message == message
