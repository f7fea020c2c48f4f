"""Stage 1: the layout's Jinja2 templates turn a ``Page`` into MJML."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, assert_never

import jinja2
from markupsafe import Markup

from bulletin.errors import LayoutError
from bulletin.files import cache_folder
from bulletin.model.blocks import (
    Block,
    BulletList,
    Button,
    Callout,
    Contact,
    Divider,
    Event,
    Image,
    Paragraph,
    Quote,
    Subheading,
    Table,
)
from bulletin.model.text import Text
from bulletin.rendering.context import Heading, Page
from bulletin.rendering.layouts import ENTRY_TEMPLATE
from bulletin.rendering.markup import inline_html

__all__ = ["INLINE_CSS", "flow", "render_css", "render_mjml", "render_template"]

INLINE_CSS = "inline.css.j2"
"""The layout template holding the CSS that is inlined into the email."""


def render_mjml(page: Page) -> str:
    """Render the layout's entry template (``edition.mjml.j2``) for ``page``."""
    return render_template(page, ENTRY_TEMPLATE)


def render_css(page: Page) -> str:
    """Render the layout's ``inline.css.j2``: the CSS inlined into the email."""
    return render_template(page, INLINE_CSS, missing_ok=True)


def render_template(page: Page, name: str, *, missing_ok: bool = False) -> str:
    """Render one template of the layout for ``page``.

    Raises:
        LayoutError: the template is missing (unless ``missing_ok``), has a
            syntax error or uses a name that does not exist (the message gives
            the template and line).
    """
    environment = _environment(page.layout.folders)
    try:
        template = environment.get_template(name)
        return template.render(page=page, edition=page.edition, settings=page.settings)
    except jinja2.TemplateSyntaxError as error:
        raise LayoutError(
            f"{error.filename or error.name}:{error.lineno}: {error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        if missing_ok and error.name == name:
            return ""
        raise LayoutError(
            f"layout {page.layout.name!r} has no template {error.name!r} "
            f"(looked in {', '.join(map(str, page.layout.folders))})"
        ) from None
    except jinja2.UndefinedError as error:
        raise LayoutError(f"layout {page.layout.name!r}: {error.message}") from None


def flow(blocks: list[Heading | Block]) -> Iterator[tuple[str, list[Heading | Block]]]:
    """Group consecutive text blocks so a layout can put them in one ``mj-text``.

    Yields ``("text", [blocks...])`` for runs of headings, paragraphs, lists,
    quotes, contacts, events, callouts and tables, and ``(kind, [block])`` for anything else,
    ``kind`` being the block's class name in lower case (``image``, ``button``,
    ``divider``). Fewer MJML components keep the email well under Gmail's clip.
    """
    run: list[Heading | Block] = []
    for block in blocks:
        if _flows(block):
            run.append(block)
            continue
        if run:
            yield "text", run
            run = []
        yield type(block).__name__.lower(), [block]
    if run:
        yield "text", run


def _flows(block: Heading | Block) -> bool:
    """True for what sits in a run of text, False for what has its own component."""
    match block:
        case (
            Heading()
            | Paragraph()
            | BulletList()
            | Quote()
            | Contact()
            | Event()
            | Callout()
            | Table()
            | Subheading()
        ):
            return True
        case Image() | Button() | Divider():
            return False
        case _:  # a block type added to the union must be placed here too
            assert_never(block)


def _kind(block: object) -> str:
    return type(block).__name__.lower()


@functools.lru_cache(maxsize=16)
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    # A template is looked up in the layout's own folder, then in each layout it
    # extends; "<parent name>/<template>" reaches a parent's version explicitly,
    # so a template can include the one it replaces.
    parents: dict[str, jinja2.BaseLoader] = {}
    for folder in folders[1:]:
        parents.setdefault(folder.name, jinja2.FileSystemLoader(str(folder)))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(folder) for folder in folders]),
                jinja2.PrefixLoader(parents),
            ]
        ),
        # MJML is HTML: escape everything. The inlined CSS is not, and only
        # ever sees validated colours and font names.
        autoescape=lambda name: name is None or not name.endswith(".css.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        bytecode_cache=_bytecode_cache(),
    )
    environment.filters["inline"] = _inline
    environment.filters["flow"] = flow
    environment.filters["kind"] = _kind
    return environment


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs: a fresh process saves ~30 ms."""
    folder = cache_folder("templates")
    return None if folder is None else jinja2.FileSystemBytecodeCache(str(folder))


@jinja2.pass_context
def _inline(context: Any, text: Text | None) -> Markup:
    if text is None:
        return Markup("")
    page: Page = context["page"]
    return inline_html(text, personal=page.personal)
