"""Our check of the MJML a layout emits (mjml-python accepts anything)."""

from __future__ import annotations

import pytest

from bulletin import LayoutError
from bulletin.rendering.validate import check_mjml

VALID = """<mjml lang="en-GB" dir="ltr"><mj-head><mj-title>T</mj-title>
<mj-attributes><mj-all font-family="Arial" /><mj-class name="x" color="red" /></mj-attributes>
<mj-style>h1 { color: red }</mj-style></mj-head>
<mj-body width="600px"><mj-section padding="0"><mj-column>
<mj-text color="#222222"><p class="a" data-x="y">Hello <a href="https://e.org">x</a></p></mj-text>
<mj-image src="cid:a.png" alt="A" width="300px" />
<mj-button href="https://e.org">Go</mj-button><mj-divider /><mj-spacer height="8px" />
</mj-column></mj-section></mj-body></mjml>"""


def test_valid_document_passes() -> None:
    check_mjml(VALID)


def test_misspelt_tag_fails_with_suggestion() -> None:
    broken = VALID.replace("<mj-divider />", "<mj-dividr />")
    with pytest.raises(
        LayoutError, match=r"unknown MJML tag <mj-dividr>.*did you mean 'mj-divider'"
    ):
        check_mjml(broken, source="layout 'test'")


def test_misspelt_attribute_fails_with_suggestion() -> None:
    broken = VALID.replace('<mj-section padding="0">', '<mj-section paddng="0">')
    with pytest.raises(
        LayoutError, match=r"unknown attribute 'paddng' on <mj-section>.*'padding'"
    ):
        check_mjml(broken)


def test_attribute_of_another_component_fails() -> None:
    broken = VALID.replace('<mj-spacer height="8px" />', '<mj-spacer src="x" />')
    with pytest.raises(LayoutError, match="'src' on <mj-spacer>"):
        check_mjml(broken)


def test_message_gives_the_line() -> None:
    broken = VALID.replace("<mj-divider />", "<mj-dividr />")
    line = broken[: broken.index("mj-dividr")].count("\n") + 1
    with pytest.raises(LayoutError, match=f"line {line}:"):
        check_mjml(broken)


def test_html_inside_text_is_not_mjml() -> None:
    check_mjml(
        '<mjml><mj-body><mj-text><table><tr><td foo="1">x</td></tr></table></mj-text></mj-body></mjml>'
    )


def test_attributes_of_text_are_checked() -> None:
    with pytest.raises(LayoutError, match="'colr' on <mj-text>"):
        check_mjml('<mjml><mj-body><mj-text colr="red">x</mj-text></mj-body></mjml>')


def test_html_outside_text_fails() -> None:
    with pytest.raises(LayoutError, match="unknown MJML tag <div>"):
        check_mjml("<mjml><mj-body><div>x</div></mj-body></mjml>")


@pytest.mark.parametrize("layout", ["classic", "compact"])
def test_built_in_layouts_emit_valid_mjml(layout: str) -> None:
    from bulletin.rendering.context import Page
    from bulletin.rendering.layouts import load_layout
    from bulletin.rendering.template import render_mjml
    from tests.conftest import EXAMPLES, load_example

    edition, settings = load_example("dscp-2025-01")
    from bulletin.rendering.images import prepare_images
    from bulletin.rendering.pipeline import collect_images

    refs, _ = prepare_images(
        collect_images(edition, settings, 552), EXAMPLES / "dscp-2025-01", base_url=None
    )
    page = Page(edition, settings, load_layout(layout), personal=True, images=refs)
    check_mjml(render_mjml(page), source=layout)
