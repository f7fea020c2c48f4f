"""The render pipeline: an edition and settings in, a ``Rendered`` email out.

The stages, in order::

    images        local files resized, hashed; refs for the templates   images.py
    template      layout (Jinja2) -> MJML                                template.py
    validate      our check of the MJML (mjml-python checks nothing)    validate.py
    mjml          MJML -> responsive HTML (mjml-python, no network)      mjml.py
    inline        layout CSS -> style attributes (premailer)             inline.py
    text          model -> plain-text alternative                        text.py
    tracking      campaign (UTM) parameters on links, when asked for     tracking.py

The web copy ("view online") takes the same path without personal fields and
without inlining (browsers read ``<style>``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from bulletin.errors import ContentError
from bulletin.model.audiences import (
    MAX_VARIANTS,
    check_tags,
    select,
    tagged_audiences,
    variant_of,
)
from bulletin.model.blocks import Block, Image
from bulletin.model.edition import Edition
from bulletin.model.fields import field_names, public_html
from bulletin.model.rendered import Asset, Rendered
from bulletin.model.settings import Settings
from bulletin.model.slugs import slugify
from bulletin.model.tags import audience_names
from bulletin.model.tree import check_tree
from bulletin.model.walk import nested_blocks
from bulletin.rendering.context import Page
from bulletin.rendering.css import inline_css
from bulletin.rendering.images import prepare_images
from bulletin.rendering.layouts import DEFAULT_LAYOUT, Layout, load_layout
from bulletin.rendering.mjml import compile_mjml
from bulletin.rendering.plaintext import plain_text
from bulletin.rendering.template import render_css, render_mjml
from bulletin.rendering.tracking import tag_html, tag_text
from bulletin.rendering.validate import check_mjml

__all__ = [
    "Rendered",
    "check_audiences",
    "collect_images",
    "render",
    "render_variants",
    "render_web",
]


def render(
    edition: Edition,
    settings: Settings | None = None,
    *,
    layout: str | Path | Layout = DEFAULT_LAYOUT,
    base_dir: Path | None = None,
    digest: bool = False,
    audiences: Iterable[str] = (),
) -> Rendered:
    """Render ``edition`` to send-ready HTML, plain text and images.

    Args:
        edition: what to render.
        settings: the organisation's settings; the layout's defaults when None.
        layout: a layout name, a layout folder, or a loaded :class:`Layout`.
            Folders in ``settings.layout_paths`` are searched before the
            built-in layouts.
        base_dir: the folder local image paths are relative to (the current
            folder when None).
        digest: send a digest: each article's first paragraph and a "Read
            more" link into the web copy (which stays whole). Needs
            ``settings.view_online_url``.
        audiences: the email of a reader in these audiences: the untagged
            parts and those tagged for any of them. None of them gives what
            a reader in no audience gets (``settings.no_audience``). The web
            copy always shows every part, each tagged one labelled.

    Raises:
        ContentError: the edition holds something that is not a block, an
            audience that is not declared, or an image is missing or
            unreadable.
        LayoutError: the layout is unknown, broken, or emits invalid MJML.
        RenderError: mjml-python or premailer failed.

    Example:
        >>> from datetime import date
        >>> from bulletin import Edition, render
        >>> edition = Edition("News", date(2025, 1, 15))
        >>> _ = edition.section("Training").paragraph("Book **now**.")
        >>> render(edition).subject
        'News'
    """
    wanted = audience_names(audiences)
    return render_variants(
        edition,
        settings,
        [wanted],
        layout=layout,
        base_dir=base_dir,
        digest=digest,
    )[wanted]


def render_variants(
    edition: Edition,
    settings: Settings | None = None,
    readers: Iterable[frozenset[str]] = (frozenset(),),
    *,
    layout: str | Path | Layout = DEFAULT_LAYOUT,
    base_dir: Path | None = None,
    digest: bool = False,
) -> dict[frozenset[str], Rendered]:
    """Render ``edition`` once for each variant its ``readers`` get.

    Args:
        readers: the audiences of each group of readers (as canonical names:
            see :func:`~bulletin.model.tags.audience_names`); an empty set is
            a reader in no audience.
        edition, settings, layout, base_dir, digest: as :func:`render`.

    Returns:
        Each of ``readers`` with its email. Readers who see the same parts
        share one render (one :class:`Rendered`); the pictures and the web
        copy are prepared once for all.

    Raises:
        ContentError, LayoutError, RenderError: as :func:`render`.
    """
    settings, layout = _checked(edition, settings, layout)
    folder = base_dir if base_dir is not None else Path.cwd()
    wanted = list(collect_images(edition, settings, layout.width - 2 * layout.gutter))
    email_images, assets = prepare_images(
        wanted, folder, base_url=settings.image_base_url
    )
    web_images, _ = prepare_images(
        wanted, folder, base_url=settings.image_base_url, web=True
    )
    tagged = tagged_audiences(edition)
    readers = list(readers)
    wanted_variants = {
        variant_of(_seen(audiences, settings), tagged) for audiences in readers
    }
    if len(wanted_variants) > MAX_VARIANTS:
        raise ContentError(
            f"the readers' audiences need {len(wanted_variants):,} different versions "
            f"of this edition, more than the {MAX_VARIANTS} bulletin makes for one "
            "send; tag parts for fewer audiences, or split the list into lists "
            "that each need fewer"
        )
    web = Page(
        edition,
        settings,
        layout,
        personal=False,
        images=web_images,
        labels=bool(tagged),
    )
    web_html = _web_html(web)
    rendered: dict[frozenset[str], Rendered] = {}
    result: dict[frozenset[str], Rendered] = {}
    for audiences in readers:
        variant = variant_of(_seen(audiences, settings), tagged)
        if variant not in rendered:
            selection = select(edition, variant)
            email = Page(
                selection.edition,
                settings,
                layout,
                personal=True,
                images=email_images,
                digest=digest,
                selection=selection,
            )
            rendered[variant] = _email(email, web_html, assets, variant)
        result[audiences] = rendered[variant]
    return result


def _seen(audiences: frozenset[str], settings: Settings) -> frozenset[str] | None:
    """The audiences whose parts a reader in ``audiences`` sees (None: every part)."""
    if not audiences and settings.no_audience == "everything":
        return None
    return audiences


def _email(
    email: Page, web_html: str, assets: tuple[Asset, ...], variant: frozenset[str]
) -> Rendered:
    """The email ``email`` is, with the web copy and pictures of the whole edition."""
    edition, settings, layout = email.edition, email.settings, email.layout
    email_mjml = render_mjml(email)
    check_mjml(email_mjml, source=f"layout {layout.name!r}")
    css = render_css(email)
    html = inline_css(compile_mjml(email_mjml), css)
    text = plain_text(email)
    if settings.utm:
        utm = {
            name: value.replace("{slug}", email.slug).replace(
                "{date}", edition.date.isoformat()
            )
            for name, value in settings.utm.items()
        }
        html = tag_html(html, utm, settings.utm_domains)
        text = tag_text(text, utm, settings.utm_domains)
    return Rendered(
        subject=edition.email_subject,
        preheader=edition.preheader,
        html=html,
        text=text,
        web_html=web_html,
        assets=assets,
        images_embedded=settings.image_base_url is None,
        slug=slugify(edition.title),
        fields=field_names(html) | field_names(text),
        variant=variant,
    )


def check_audiences(edition: Edition, settings: Settings) -> None:
    """Refuse a part tagged for an audience ``settings`` does not declare.

    Raises:
        ContentError: names the part and the nearest declared audience.
    """
    for _part, error in check_tags(edition, settings.audiences):
        raise error


def render_web(
    edition: Edition,
    settings: Settings | None = None,
    *,
    layout: str | Path | Layout = DEFAULT_LAYOUT,
    base_dir: Path | None = None,
) -> tuple[str, tuple[Asset, ...]]:
    """Render only the web copy of ``edition`` (whole, never a digest) and its images.

    What :func:`render` gives as ``web_html`` and ``assets``, without the
    email (its MJML, CSS inlining and plain text): for an archive of many
    editions, where only the web copies are wanted.

    Raises:
        ContentError, LayoutError, RenderError: as :func:`render`.
    """
    settings, layout = _checked(edition, settings, layout)
    wanted = collect_images(edition, settings, layout.width - 2 * layout.gutter)
    images, assets = prepare_images(
        wanted,
        base_dir if base_dir is not None else Path.cwd(),
        base_url=settings.image_base_url,
        web=True,
    )
    page = Page(
        edition,
        settings,
        layout,
        personal=False,
        images=images,
        labels=bool(tagged_audiences(edition)),
    )
    return _web_html(page), assets


def _checked(
    edition: Edition, settings: Settings | None, layout: str | Path | Layout
) -> tuple[Settings, Layout]:
    """The settings and the loaded layout, once the edition and both are checked
    against each other (what every render does first)."""
    check_tree(edition)
    settings = settings or Settings()
    check_audiences(edition, settings)
    if not isinstance(layout, Layout):
        layout = load_layout(layout, settings.layout_paths)
    _check_names(settings.colours, layout.colours, "colours", layout.name)
    words = {name for table in layout.strings.values() for name in table}
    _check_names(settings.strings, words, "strings", layout.name)
    return settings, layout


def _web_html(web: Page) -> str:
    web_mjml = render_mjml(web)
    check_mjml(web_mjml, source=f"layout {web.layout.name!r}")
    return _web_page(compile_mjml(web_mjml), render_css(web))


def collect_images(
    edition: Edition, settings: Settings, width: int
) -> Iterator[tuple[Image, int]]:
    """Every image with the widest it can be shown: the logo, then the content."""
    if settings.logo is not None:
        yield settings.logo, width
    blocks: list[Block] = list(edition.intro)
    for section in edition.sections:
        blocks.extend(section.blocks)
        for article in section.articles:
            blocks.extend(article.blocks)
        blocks.extend(section.closing)
    for block in nested_blocks(blocks):
        if isinstance(block, Image):
            yield block, width


def _check_names(
    given: Iterable[str], known: Iterable[str], table: str, layout: str
) -> None:
    """A colour or word the layout does not use is a typo: say which was meant."""
    known = sorted(known)
    for name in given:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = (
                f"did you mean {near[0]!r}?" if near else "it has " + ", ".join(known)
            )
            raise ContentError(
                f"[{table}] {name!r} is not one layout {layout!r} uses; {hint}"
            ).within("settings")


_BODY = re.compile(r"<body\b[^>]*>")


def _web_page(html: str, css: str) -> str:
    """The web copy: fields filled with their defaults (:func:`public_html`), the
    layout CSS as it is (browsers read <style>) and a <main>.

    The email stays an ``article`` (mjml's ``role="article"``,
    ``aria-roledescription="email"``) without a ``main``: it is shown inside a
    mail program's page, which has its own. A web page needs one, for screen
    readers' "skip to main content" and for every part to sit in a landmark.
    """
    html = public_html(html)
    html = html.replace("</head>", f'<style type="text/css">{css}</style></head>', 1)
    opening = _BODY.search(html)
    closing = html.rfind("</body>")
    if opening is None or closing < opening.end():
        return html
    return (
        f"{html[: opening.end()]}<main>{html[opening.end() : closing]}</main>"
        f"{html[closing:]}"
    )
