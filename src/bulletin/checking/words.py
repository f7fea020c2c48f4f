"""Rules on the words: link text, web addresses, insecure links, merge fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from bulletin.checking.base import Context, Found, fields, runs, texts
from bulletin.model.blocks import Block, Button, Event, Image
from bulletin.model.fields import UNSUBSCRIBE_URL
from bulletin.model.text import Link, Text

__all__ = [
    "bare_url_link",
    "field_without_default",
    "insecure_link",
    "unlinked_url",
    "vague_link",
]

_VAGUE = {
    "click here", "here", "click", "this", "this link", "link", "more", "read more",
    "click this link", "find out more", "more info", "more information", "website",
}  # fmt: skip
_BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_UNLINKED = re.compile(
    r"(?<![\w/@.])(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?]", re.IGNORECASE
)


def vague_link(context: Context) -> Iterator[Found]:
    """Link text such as "click here", which does not say where it goes."""
    for block, link, words, path in _links(context):
        if words.casefold().rstrip(".:!") in _VAGUE:
            yield (
                f"link text '{words}' does not say where it goes; screen readers list "
                "links by their words, so name what is there, e.g. "
                f"[{_describe(link.href)}]({link.href})",
                context.where(block, path, f"[{words}]"),
            )


def bare_url_link(context: Context) -> Iterator[Found]:
    """Link text that is the web address itself."""
    for block, link, words, path in _links(context):
        if _BARE_URL.match(words):
            yield (
                f"link text '{words}' is a web address; say what is there instead, "
                f"e.g. [{_describe(link.href)}]({link.href})",
                context.where(block, path, f"[{words}]"),
            )


def unlinked_url(context: Context) -> Iterator[Found]:
    """A web address written out in the text, not made a link."""
    for block, text, path in context.texts():
        for run in runs(text):
            for match in _UNLINKED.finditer(run):
                address = match.group(0)
                target = address if "://" in address else f"https://{address}"
                yield (
                    f"{address} is written out but not a link; write [what it is]({target})",
                    context.where(block, path, address),
                )


def insecure_link(context: Context) -> Iterator[Found]:
    """A link, button, picture or event pointing at an http:// address."""
    for block, path in context.blocks:
        targets = [link.href for text in texts(block) for link in text.links()]
        target = (
            block.href
            if isinstance(block, Button)
            else block.link
            if isinstance(block, Image | Event)
            else None
        )
        if target:
            targets.append(target)
        for href in targets:
            if href.lower().startswith("http://"):
                yield (
                    f"{href} is not secure (http); use https:// if the site supports it",
                    context.where(block, path, href),
                )


def field_without_default(context: Context) -> Iterator[Found]:
    """A merge field with no default: readers the list has no value for see a gap."""
    for block, text, path in context.texts():
        for field in fields(text.nodes):
            if field.default or field.name == UNSUBSCRIBE_URL:
                continue
            yield (
                f"{{{{ {field.name} }}}} has no default: a reader the list has no "
                f"{field.name} for sees nothing there; give one, e.g. "
                f"{{{{ {field.name} | colleague }}}}",
                context.where(block, path, "{{"),
            )


def _links(context: Context) -> Iterator[tuple[Block, Link, str, str]]:
    """Every link in the text, with its block, its words and the block's path."""
    for block, text, path in context.texts():
        for link in text.links():
            yield block, link, str(Text(link.children, "")).strip(), path


def _describe(href: str) -> str:
    """Words for a link, from its address: ``.../guidance-and-toolkits/`` -> guidance and toolkits."""
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel"):
        return f"{'email' if parts.scheme == 'mailto' else 'call'} {parts.path}"
    segments = [segment for segment in parts.path.split("/") if segment]
    words = re.sub(r"\.[a-z0-9]+$", "", unquote(segments[-1])) if segments else ""
    words = re.sub(r"[-_+]+", " ", words).strip()
    return words or (parts.hostname or "the page").removeprefix("www.")
