"""Stage 1: the layout's Jinja2 templates turn a ``Page`` into MJML."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, assert_never

import jinja2
import jinja2.bccache
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from bulletin.errors import BulletinError, LayoutError
from bulletin.files import cache_folder, read_cache, write_cache
from bulletin.model.blocks import (
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
from bulletin.rendering.context import AudienceLabel, Footnotes, Heading, Item, Page
from bulletin.rendering.layouts import ENTRY_TEMPLATE, builtin_layouts_folder
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
    except BulletinError:
        raise  # the content's own error (say a digest without a web copy)
    except SecurityError as error:
        raise LayoutError(
            f"{_template_line(error, page)}: the layout tried something templates may "
            f"not do ({error}); a layout can only show the edition"
        ) from None
    except Exception as error:  # any fault of the layout's own template code
        raise LayoutError(
            f"{_template_line(error, page)}: {type(error).__name__}: {error}"
        ) from None


def _template_line(error: BaseException, page: Page) -> str:
    """``template:line`` where a template failed, from the traceback Jinja rewrites."""
    place = f"layout {page.layout.name!r}"
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if frame.filename.endswith(".j2"):
            return f"{frame.filename}:{frame.lineno}"
    return place


def flow(
    blocks: list[Item],
) -> Iterator[tuple[str, list[Item]]]:
    """Group consecutive text blocks so a layout can put them in one ``mj-text``.

    Yields ``("text", [blocks...])`` for runs of headings, paragraphs, lists,
    quotes, contacts, events, callouts and tables, and ``(kind, [block])`` for anything else,
    ``kind`` being the block's class name in lower case (``image``, ``button``,
    ``divider``). Fewer MJML components keep the email well under Gmail's clip.
    """
    run: list[Item] = []
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


def _flows(block: Item) -> bool:
    """True for what sits in a run of text, False for what has its own component."""
    match block:
        case (
            Heading()
            | Footnotes()
            | AudienceLabel()
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
    # A layout folder may come from the web (SECURITY.md): its templates run in
    # Jinja's immutable sandbox, which refuses private attributes (the
    # ``__globals__`` route to os) and changing what the renderer hands them.
    # Only the built-in layouts, part of bulletin itself, run unsandboxed: the
    # sandbox checks every attribute and call, which doubles a render's
    # template time and guards nothing there.
    sandboxed = not all(_built_in(folder) for folder in folders)
    kind = ImmutableSandboxedEnvironment if sandboxed else jinja2.Environment
    environment = kind(
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
        bytecode_cache=_bytecode_cache(sandboxed=sandboxed),
    )
    environment.filters["inline"] = _inline
    environment.filters["flow"] = flow
    environment.filters["kind"] = _kind
    environment.filters["note_text"] = _note_text
    return environment


def _built_in(folder: Path) -> bool:
    return folder.resolve().is_relative_to(builtin_layouts_folder().resolve())


def _bytecode_cache(*, sandboxed: bool) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs: a fresh process saves ~30 ms.

    Sandboxed and plain compiled code differ, so each has a folder of its own.
    """
    folder = cache_folder("templates-sandboxed" if sandboxed else "templates-own")
    return None if folder is None else _OwnBytecodeCache(folder)


class _OwnBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled code, read back only from a file this user wrote.

    Compiled code is run as it is read, so a cache file someone else could
    have written is ignored (see :func:`bulletin.files.read_cache`).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = read_cache(self.folder / f"{bucket.key}.cache")
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        write_cache(self.folder / f"{bucket.key}.cache", bucket.bytecode_to_string())


@jinja2.pass_context
def _note_text(context: Any, text: Text) -> Markup:
    """A footnote's words (a note never refers to another note)."""
    page: Page = context["page"]
    return inline_html(text, personal=page.personal)


@jinja2.pass_context
def _inline(context: Any, text: Text | None) -> Markup:
    if text is None:
        return Markup("")
    page: Page = context["page"]
    return inline_html(text, personal=page.personal, note=page.note_ref)
