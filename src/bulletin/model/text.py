"""Inline text: the small Markdown subset used everywhere in an edition.

Paragraphs, list items, captions and the like hold a :class:`Text`: a tuple of
inline nodes parsed **once**, when the text is made, never per render. The
subset is links, ``**bold**``, ``*italic*``, hard line breaks (a backslash or
two spaces at the end of a line), personal fields (``{{ first_name }}``) and
footnote references (``[^1]``, see :class:`FootnoteRef`).
Raw HTML, inline images and links other than https, http, mailto and tel are
refused with a :class:`~bulletin.errors.ContentError`.

``Text.plain(...)`` takes a string literally, for text from a CMS that must
not be read as Markdown.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from bulletin.errors import ContentError
from bulletin.model.fields import FIELD_NAME
from bulletin.model.links import check_link

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = [
    "MAX_TEXT_CHARS",
    "Emphasis",
    "Field",
    "FootnoteRef",
    "Inline",
    "LineBreak",
    "Link",
    "Run",
    "Strong",
    "Text",
    "TextLike",
]


@dataclass(frozen=True, slots=True)
class Run:
    """A run of literal characters."""

    text: str
    """The characters, unescaped (the renderer escapes them)."""


@dataclass(frozen=True, slots=True)
class Strong:
    """Bold text."""

    children: tuple[Inline, ...]
    """What is bold."""


@dataclass(frozen=True, slots=True)
class Emphasis:
    """Italic text."""

    children: tuple[Inline, ...]
    """What is italic."""


@dataclass(frozen=True, slots=True)
class Link:
    """A link."""

    href: str
    """An https, http, mailto or tel URL, or a personal field marker."""
    children: tuple[Inline, ...]
    """The link text."""


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a paragraph."""


@dataclass(frozen=True, slots=True)
class Field:
    """A personal field, filled in per recipient when sending."""

    name: str
    """The field's name, e.g. ``first_name``."""
    default: str = ""
    """What a recipient without a value sees."""


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A reference to a footnote, ``[^label]``: a number linking to the note.

    The note itself belongs to the article (or section) the reference is in:
    ``article.footnote(label, text)``.
    """

    label: str
    """The note's label as written, e.g. ``1`` or ``source``."""


Inline: TypeAlias = Run | Strong | Emphasis | Link | LineBreak | Field | FootnoteRef


@dataclass(frozen=True, slots=True)
class Text:
    """Inline text, parsed once. Build with :meth:`markdown` or :meth:`plain`."""

    nodes: tuple[Inline, ...]
    """The parsed inline nodes."""
    source: str
    """The text as written."""

    @classmethod
    def markdown(cls, source: str) -> Text:
        """Parse ``source`` as the inline Markdown subset.

        Raises:
            ContentError: raw HTML, an inline image, a disallowed link, or a
                malformed personal field.
        """
        _check_length(source)
        if _PLAIN.fullmatch(source):
            # Most text has no markup at all: skip the parser (same result, tested).
            return cls((Run(source),) if source else (), source)
        return cls(_parse(source), source)

    @classmethod
    def plain(cls, source: str) -> Text:
        """Take ``source`` literally: no Markdown, no fields."""
        _check_length(source)
        text = cls((Run(source),) if source else (), source)
        _check_braces(text)
        return text

    @classmethod
    def coerce(cls, value: TextLike) -> Text:
        """Return ``value`` as a :class:`Text`, parsing a ``str`` as Markdown."""
        if isinstance(value, Text):
            return value
        if isinstance(value, str):
            return cls.markdown(value)
        raise ContentError(f"expected text (a str or Text), got {type(value).__name__}")

    def __str__(self) -> str:
        """The text with its markup removed and fields shown by their defaults."""
        return "".join(_plain(node) for node in self.nodes)

    def __bool__(self) -> bool:
        return bool(str(self).strip()) or any(
            isinstance(node, Field) for node in self.nodes
        )

    def footnotes(self) -> list[str]:
        """The label of every footnote reference in the text, in order."""
        found: list[str] = []
        _collect_footnotes(self.nodes, found)
        return found

    def links(self) -> list[Link]:
        """Every link in the text, in order, nested ones included."""
        found: list[Link] = []
        _collect_links(self.nodes, found)
        return found


MAX_TEXT_CHARS = 100_000
"""The longest one text (a paragraph, a list item) may be: some 15,000 words.

Far past any real paragraph, and far below what the HTML parsers downstream
silently empty (lxml drops a text node over 10 MB)."""


def _check_length(source: str) -> None:
    if len(source) > MAX_TEXT_CHARS:
        raise ContentError(
            f"this text is {len(source):,} characters long, over the {MAX_TEXT_CHARS:,} "
            "one paragraph may hold; split it into paragraphs with blank lines"
        )


def _collect_footnotes(nodes: tuple[Inline, ...], found: list[str]) -> None:
    for node in nodes:
        if isinstance(node, FootnoteRef):
            found.append(node.label)
        elif isinstance(node, Strong | Emphasis | Link):
            _collect_footnotes(node.children, found)


TextLike: TypeAlias = str | Text
"""What every text field of the model accepts: a ``str`` is read as Markdown."""


@functools.lru_cache(maxsize=8192)
def _parse(source: str) -> tuple[Inline, ...]:
    """Parse once per distinct text: a preview rebuild re-reads mostly unchanged text.

    Nodes are immutable, so a cached result is safe to share.
    """
    # A link to a field may be written with spaces, [x]({{ unsubscribe_url }}),
    # which a Markdown link destination cannot hold: close them up first.
    prepared = _FIELD_DESTINATION.sub(r"]({{\1}})", source)
    nodes = _merge(_convert(_parser().parseInline(prepared)[0].children or []))
    text = Text(nodes, source)
    _check_braces(text)
    _check_unread_links(text)
    return nodes


def _plain(node: Inline) -> str:
    if isinstance(node, Run):
        return node.text
    if isinstance(node, LineBreak):
        return "\n"
    if isinstance(node, Field):
        return node.default
    if isinstance(node, FootnoteRef):
        return ""
    return "".join(_plain(child) for child in node.children)


def _collect_links(nodes: tuple[Inline, ...], found: list[Link]) -> None:
    for node in nodes:
        if isinstance(node, Link):
            found.append(node)
        if isinstance(node, Strong | Emphasis | Link):
            _collect_links(node.children, found)


def _check_braces(text: Text) -> None:
    runs = "\u0000".join(_runs(text.nodes))
    if "{{" in runs:
        raise ContentError(
            f"'{{{{' in {text.source!r} is not a personal field; write "
            "{{ first_name }} or {{ first_name | colleague }}, or remove the braces",
            fragment="{{",
        )


_PLAIN = re.compile(r"(?:[^\s*_\[\]<>\\{}&!`]+(?: [^\s*_\[\]<>\\{}&!`]+)*)?")
"""Text markdown-it would return as one run, unchanged: no markup characters,
single spaces, no leading, trailing or line-breaking whitespace."""

_FIELD_DESTINATION = re.compile(r"\]\(\s*\{\{\s*([a-z][a-z0-9_]*)\s*\}\}\s*\)")
_UNREAD_LINK = re.compile(r"\[[^\]]*\]\(([^)]*)\)")


def _check_unread_links(text: Text) -> None:
    """A ``[text](url)`` markdown-it could not read as a link is a mistake, not prose."""
    for run in _runs(text.nodes):
        match = _UNREAD_LINK.search(run)
        if match:
            address = match.group(1).strip()
            hint = (
                f"for a phone number leave out the spaces: {address.replace(' ', '')}"
                if address.lower().startswith("tel:")
                else "a link address cannot contain spaces (write %20) and must be "
                "https://, http://, mailto: or tel:"
            )
            raise ContentError(
                f"link {match.group(0)!r} could not be read: {hint}",
                fragment=match.group(0),
            )


def _runs(nodes: tuple[Inline, ...]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Run):
            out.append(node.text)
        elif isinstance(node, Strong | Emphasis | Link):
            out.extend(_runs(node.children))
    return out


def _merge(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Join adjacent runs, so equal texts give equal node tuples."""
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Run) and merged and isinstance(merged[-1], Run):
            merged[-1] = Run(merged[-1].text + node.text)
        elif not (isinstance(node, Run) and not node.text):
            merged.append(node)
    return tuple(merged)


_CLOSERS = {
    "strong_open": "strong_close",
    "em_open": "em_close",
    "link_open": "link_close",
}


def _convert(tokens: list[Token]) -> list[Inline]:
    out: list[Inline] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind in _CLOSERS:
            end = _matching(tokens, index, kind, _CLOSERS[kind])
            children = _merge(_convert(tokens[index + 1 : end]))
            if kind == "strong_open":
                out.append(Strong(children))
            elif kind == "em_open":
                out.append(Emphasis(children))
            else:
                href = str(token.attrs.get("href", ""))
                try:
                    out.append(Link(check_link(href), children))
                except ContentError as error:
                    raise ContentError(error.message, fragment=href) from None
            index = end + 1
            continue
        if kind in ("text", "text_special"):
            out.append(Run(token.content))
        elif kind == "softbreak":
            out.append(Run(" "))
        elif kind == "hardbreak":
            out.append(LineBreak())
        elif kind == "field":
            out.append(Field(token.meta["name"], token.meta["default"]))
        elif kind == "footnote_ref":
            out.append(FootnoteRef(token.meta["label"]))
        elif kind == "html_inline":
            raise ContentError(
                f"raw HTML is not allowed: {token.content!r}; "
                "write **bold**, *italic* or [link text](https://...) instead",
                fragment=token.content,
            )
        elif kind == "image":
            raise ContentError(
                "a picture cannot sit inside text or a list; put it on a line of "
                "its own, with an empty line above and below",
                fragment="![",
            )
        else:  # pragma: no cover - every enabled rule is handled above
            raise ContentError(f"unsupported inline markup {kind!r}")
        index += 1
    return out


def _matching(tokens: list[Token], start: int, opener: str, closer: str) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].type == opener:
            depth += 1
        elif tokens[index].type == closer:
            depth -= 1
            if depth == 0:
                return index
    raise ContentError(f"unbalanced inline markup ({opener})")  # pragma: no cover


_FIELD = re.compile(r"\{\{\s*([^{}|\s]*)\s*(?:\|\s*([^{}|\r\n]*?)\s*)?\}\}")


def _field_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("{{", state.pos):
        return False
    match = _FIELD.match(state.src, state.pos)
    if match is None:
        return False
    name = match.group(1)
    if not FIELD_NAME.fullmatch(name):
        raise ContentError(
            f"{match.group(0)!r} is not a valid personal field; names are lower "
            "case letters, digits and underscores, e.g. {{ first_name }}",
            fragment=match.group(0),
        )
    if not silent:
        token = state.push("field", "", 0)
        token.meta = {"name": name, "default": match.group(2) or ""}
    state.pos = match.end()
    return True


def _normalize_link(url: str) -> str:
    from markdown_it.common.normalize_url import normalizeLink

    return url if _FIELD.fullmatch(url) else normalizeLink(url)


@functools.cache
def _parser() -> MarkdownIt:
    # Imported here, not at the top: `bulletin --version` must not pay for it.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("zero", {"html": True})
    md.enable(
        ["newline", "escape", "emphasis", "link", "autolink", "html_inline", "entity"]
    )
    md.enable("image")
    md.inline.ruler.before("emphasis", "field", _field_rule)
    # [^label]: a footnote reference, whether or not its note is known here (the
    # notes belong to the article, and are checked there).
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    # Every link is checked by check_link, which names what is wrong; markdown-it's
    # own check would silently turn a javascript: link into plain text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # documented hook
    md.normalizeLink = _normalize_link  # type: ignore[method-assign]  # documented hook
    return md
