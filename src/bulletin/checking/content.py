"""Checks of the content: links, pictures, dates, sections, the preheader."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from bulletin.checking.base import Checker
from bulletin.errors import Location
from bulletin.loading.config import toml_location
from bulletin.loading.datewords import DATE_IN_TEXT, parse_date
from bulletin.model.blocks import (
    Block,
    BulletList,
    Button,
    Callout,
    Event,
    Image,
    ListItem,
    Paragraph,
    Quote,
)
from bulletin.model.fields import UNSUBSCRIBE_URL
from bulletin.model.text import Emphasis, Field, Inline, Link, Run, Strong, Text
from bulletin.rendering.images import prepare_images
from bulletin.rendering.pipeline import collect_images

__all__ = ["IMAGE_BUDGET_BYTES", "ContentChecks"]

IMAGE_BUDGET_BYTES = 200 * 1024
"""A picture heavier than this (after optimisation) is slow on a phone."""
_VAGUE = {
    "click here", "here", "click", "this", "this link", "link", "more", "read more",
    "click this link", "find out more", "more info", "more information", "website",
}  # fmt: skip
_BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_UNLINKED = re.compile(
    r"(?<![\w/@.])(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?]", re.IGNORECASE
)
_USELESS_ALT = re.compile(
    r"^(image|picture|photo|graphic|logo|img|pic|untitled|screenshot|dsc|dscn)?"
    r"[\s_-]*\d*$|\.(png|jpe?g|gif|webp)$",
    re.IGNORECASE,
)
_DEADLINE = re.compile(
    r"\b(deadlines?|closing date|closes|close on|(apply|book|register|respond|"
    r"submit|reply|return it) by|no later than)\b",
    re.IGNORECASE,
)


class ContentChecks(Checker):
    """The edition's sections and blocks, one by one."""

    def edition(self) -> None:
        edition = self.source.edition
        if not edition.preheader:
            self.add(
                "warning",
                "no-preheader",
                "no preheader: inboxes will show the email's first words instead; add "
                "preheader: with one line on what is in this edition",
                Location(
                    block="edition",
                    file=self.source.path,
                    line=2 if self.source.lines else None,
                    column=1 if self.source.lines else None,
                ),
            )
        seen: dict[str, int] = {}
        for number, section in enumerate(edition.sections, start=1):
            where = self.where(section, f"section {section.heading!r}")
            key = section.heading.casefold()
            if key in seen:
                self.add(
                    "warning",
                    "duplicate-section",
                    f"section '{section.heading}' appears twice (also section {seen[key]}); "
                    "merge them or give one a different heading",
                    where,
                )
            seen.setdefault(key, number)
            if not section.blocks and not section.articles:
                self.add(
                    "error",
                    "empty-section",
                    f"section '{section.heading}' is empty; write something under it "
                    "or remove it",
                    where,
                )
            titles: set[str] = set()
            for article in section.articles:
                if article.heading.casefold() in titles:
                    self.add(
                        "warning",
                        "duplicate-article",
                        f"article '{article.heading}' appears twice in '{section.heading}'",
                        self.where(article, f"article {article.heading!r}"),
                    )
                titles.add(article.heading.casefold())
        if self.source.settings.unsubscribe_url is None:
            self.add(
                "warning",
                "no-unsubscribe",
                "no unsubscribe_url in bulletin.toml: the email has no unsubscribe "
                "link, which Gmail and Yahoo require for bulk mail",
                Location(file=self.source.config, line=1, column=1)
                if self.source.config
                else Location(block="settings"),
            )
        else:
            self.unsubscribe()

    def unsubscribe(self) -> None:
        """An unsubscribe link that takes one click, and says who is unsubscribing."""
        url = self.source.settings.unsubscribe_url or ""
        where = (
            toml_location(self.source.config, ("unsubscribe_url",))
            if self.source.config
            else Location(block="settings")
        )
        if not self.source.settings.one_click_unsubscribe:
            self.add(
                "warning",
                "no-one-click",
                f"unsubscribe_url {url!r} cannot unsubscribe in one click: Gmail and "
                "Yahoo expect bulk mail to have an https One-Click unsubscribe link "
                "(RFC 8058) and may file it as spam without one; use an https address "
                "with {token} if your website can take it",
                where,
            )
        elif "{token}" not in url and "{address}" not in url:
            self.add(
                "warning",
                "unsubscribe-no-token",
                f"unsubscribe_url {url!r} has no {{token}}, so your website cannot tell "
                "who is unsubscribing; add ?token={token}",
                where,
            )

    def blocks(self) -> Iterator[tuple[Block, str]]:
        edition = self.source.edition
        for block in edition.intro:
            yield block, "intro"
        for section in edition.sections:
            for block in section.blocks:
                yield block, f"section {section.heading!r}"
            for article in section.articles:
                for block in article.blocks:
                    yield (
                        block,
                        f"section {section.heading!r} > article {article.heading!r}",
                    )

    def block(self, block: Block, path: str) -> None:
        for text in _texts(block):
            self.links(block, text, path)
            self.deadlines(block, text, path)
            self.fields(block, text, path)
        if isinstance(block, Image):
            self.image(block, path)
        if isinstance(block, Event):
            last = block.end_date or block.date
            if last < self.source.edition.date:
                self.add(
                    "warning",
                    "past-event",
                    f"event '{block.title}' ({last.isoformat()}) is over by the edition's "
                    f"date ({self.source.edition.date.isoformat()}); remove it or check the date",
                    self.where(block, path, "date:"),
                )
        target = (
            block.href
            if isinstance(block, Button)
            else block.link
            if isinstance(block, Image | Event)
            else None
        )
        if target:
            self.href(block, target, path)

    def links(self, block: Block, text: Text, path: str) -> None:
        for link in text.links():
            words = str(Text(link.children, "")).strip()
            shown = words.casefold().rstrip(".:!")
            if shown in _VAGUE:
                self.add(
                    "warning",
                    "vague-link",
                    f"link text '{words}' does not say where it goes; screen readers list "
                    "links by their words, so name what is there, e.g. "
                    f"[{_describe(link.href)}]({link.href})",
                    self.where(block, path, f"[{words}]"),
                )
            elif _BARE_URL.match(words):
                self.add(
                    "warning",
                    "bare-url-link",
                    f"link text '{words}' is a web address; say what is there instead, "
                    f"e.g. [{_describe(link.href)}]({link.href})",
                    self.where(block, path, f"[{words}]"),
                )
            self.href(block, link.href, path)
        for run in _runs(text):
            for match in _UNLINKED.finditer(run):
                address = match.group(0)
                target = address if "://" in address else f"https://{address}"
                self.add(
                    "warning",
                    "unlinked-url",
                    f"{address} is written out but not a link; write [what it is]({target})",
                    self.where(block, path, address),
                )

    def href(self, block: Block, href: str, path: str) -> None:
        if href.lower().startswith("http://"):
            self.add(
                "warning",
                "insecure-link",
                f"{href} is not secure (http); use https:// if the site supports it",
                self.where(block, path, href),
            )

    def fields(self, block: Block, text: Text, path: str) -> None:
        for field in _fields(text.nodes):
            if field.default or field.name == UNSUBSCRIBE_URL:
                continue
            self.add(
                "warning",
                "field-without-default",
                f"{{{{ {field.name} }}}} has no default: a reader the list has no "
                f"{field.name} for sees nothing there; give one, e.g. "
                f"{{{{ {field.name} | colleague }}}}",
                self.where(block, path, "{{"),
            )

    def deadlines(self, block: Block, text: Text, path: str) -> None:
        words = str(text)
        if not _DEADLINE.search(words):
            return
        for match in DATE_IN_TEXT.finditer(words):
            try:
                when = parse_date(match.group(0))
            except ValueError:
                continue
            if when < self.source.edition.date:
                self.add(
                    "warning",
                    "past-deadline",
                    f"'{match.group(0)}' is before the edition's date "
                    f"({self.source.edition.date.isoformat()}); is this deadline still right?",
                    self.where(block, path, match.group(0)),
                )

    def image(self, image: Image, path: str) -> None:
        where = self.where(image, path, image.src)
        if _USELESS_ALT.search(image.alt.strip()):
            where = self.where(image, path, image.alt)
            self.add(
                "warning",
                "vague-alt",
                f"alt text '{image.alt}' does not say what the picture shows; describe "
                "it, e.g. ![Children planting a tree in a school garden](...)",
                where,
            )
        if image.is_remote:
            return
        size = self.asset_sizes().get(image)
        if size is not None and size > IMAGE_BUDGET_BYTES:
            self.add(
                "warning",
                "heavy-image",
                f"picture {image.src} is {size / 1024:.0f} KB even after optimising; "
                f"keep pictures under {IMAGE_BUDGET_BYTES // 1024} KB (crop it, or show "
                "it smaller with ![alt|300](...))",
                where,
            )

    def asset_sizes(self) -> dict[Image, int]:
        width = self.layout.width - 2 * self.layout.gutter
        refs, assets = prepare_images(
            collect_images(self.source.edition, self.source.settings, width),
            self.source.base_dir,
            base_url=None,
        )
        sizes = {asset.name: len(asset.data) for asset in assets}
        return {
            image: sizes[ref.src.removeprefix("cid:")]
            for image, ref in refs.items()
            if ref.src.removeprefix("cid:") in sizes
        }


def _fields(nodes: tuple[Inline, ...]) -> Iterator[Field]:
    for node in nodes:
        if isinstance(node, Field):
            yield node
        elif isinstance(node, Strong | Emphasis | Link):
            yield from _fields(node.children)


def _describe(href: str) -> str:
    """Words for a link, from its address: ``.../guidance-and-toolkits/`` -> guidance and toolkits."""
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel"):
        return f"{'email' if parts.scheme == 'mailto' else 'call'} {parts.path}"
    segments = [segment for segment in parts.path.split("/") if segment]
    words = re.sub(r"\.[a-z0-9]+$", "", unquote(segments[-1])) if segments else ""
    words = re.sub(r"[-_+]+", " ", words).strip()
    return words or (parts.hostname or "the page").removeprefix("www.")


def _texts(block: Block) -> Iterator[Text]:
    """Every piece of inline text a block holds."""
    if isinstance(block, Paragraph | Callout):
        yield block.text
    elif isinstance(block, Quote):
        yield block.text
        if block.attribution:
            yield block.attribution
    elif isinstance(block, BulletList):
        yield from _item_texts(block.items)
    elif isinstance(block, Image) and block.caption:
        yield block.caption
    elif isinstance(block, Event):
        yield block.title
        if block.details:
            yield block.details


def _item_texts(items: tuple[ListItem, ...]) -> Iterator[Text]:
    for item in items:
        yield item.text
        yield from _item_texts(item.children)


def _runs(text: Text) -> list[str]:
    out: list[str] = []
    stack = list(text.nodes)
    while stack:
        node = stack.pop(0)
        if isinstance(node, Run):
            out.append(node.text)
        elif isinstance(node, Strong | Emphasis):
            stack[:0] = list(node.children)
    return out
