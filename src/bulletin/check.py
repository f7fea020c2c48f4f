"""Is this edition ready to send? A report an editor can act on.

:func:`check_file` loads and renders an edition and returns a :class:`Report`
of findings, each an error (the edition cannot go out like this) or a warning
(it can, but a reader will be worse off), with where it is and what to do.
Problems that stop the file loading at all are reported as errors, every one.

The checks: the email's size against Gmail's clip (with the biggest sections),
pictures (alt text that says nothing, files too heavy), link text that does not
say where it goes, events and deadlines already past on the edition's date,
empty and repeated sections, the preheader, heading order, colour contrast,
insecure links and addresses written out but not linked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bulletin.blocks import (
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
from bulletin.boxes import parse_date
from bulletin.build import GMAIL_CLIP_BYTES, render_source
from bulletin.colours import contrast_ratio
from bulletin.errors import BulletinError, ContentError, ContentErrorGroup, Location
from bulletin.inline import Emphasis, Run, Strong, Text
from bulletin.layouts import load_layout
from bulletin.rendering import Rendered
from bulletin.rendering.context import anchors
from bulletin.rendering.images import prepare_images
from bulletin.rendering.pipeline import MIN_CONTRAST, collect_images
from bulletin.source import Source, load

__all__ = ["IMAGE_BUDGET_BYTES", "Finding", "Report", "check", "check_file"]

IMAGE_BUDGET_BYTES = 200 * 1024
"""A picture heavier than this (after optimisation) is slow on a phone."""

Level = Literal["error", "warning"]

_VAGUE = {
    "click here", "here", "click", "this", "this link", "link", "more", "read more",
    "click this link", "find out more", "more info", "more information", "website",
}  # fmt: skip
_BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_UNLINKED = re.compile(
    r"(?<![\w/@.])(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?]", re.IGNORECASE
)
_USELESS_ALT = re.compile(
    r"^(image|picture|photo|graphic|logo|img|pic|untitled|screenshot)?\s*\d*$|\.(png|jpe?g|gif|webp)$",
    re.IGNORECASE,
)
_DEADLINE = re.compile(
    r"\b(deadlines?|closing date|closes|close on|(apply|book|register|respond|"
    r"submit|reply|return it) by|no later than)\b",
    re.IGNORECASE,
)
_WORDY_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\s+(\d{4})\b",
    re.IGNORECASE,
)
_HEADING = re.compile(r"<h([1-6])\b")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the editor should look at."""

    level: Level
    """``error`` (do not send like this) or ``warning`` (worth fixing)."""
    code: str
    """A stable name for the kind of finding, e.g. ``vague-link``."""
    message: str
    """What is wrong and what would work, in one line."""
    location: Location = field(default_factory=Location)
    """Where: file:line:col for an edition file, else the block path."""

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where + ': ' if where else ''}{self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class Report:
    """The findings for one edition, and its size."""

    path: Path
    """The edition file."""
    findings: tuple[Finding, ...]
    """Everything found, errors first."""
    html_bytes: int | None = None
    """The email's HTML size (None when it could not be rendered)."""

    @property
    def errors(self) -> list[Finding]:
        """The errors."""
        return [item for item in self.findings if item.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The warnings."""
        return [item for item in self.findings if item.level == "warning"]

    def passed(self, *, strict: bool = False) -> bool:
        """True when there are no errors (and, if ``strict``, no warnings)."""
        return not self.errors and not (strict and self.warnings)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form: counts, size and every finding."""
        return {
            "path": str(self.path),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "html_bytes": self.html_bytes,
            "clip_bytes": GMAIL_CLIP_BYTES,
            "findings": [
                {
                    "level": item.level,
                    "code": item.code,
                    "message": item.message,
                    "file": str(item.location.file) if item.location.file else None,
                    "line": item.location.line,
                    "column": item.location.column,
                    "block": item.location.block or None,
                }
                for item in self.findings
            ],
        }


def check_file(path: Path | str, *, layout: str | None = None) -> Report:
    """Load, render and check the edition at ``path``; never raises for its content.

    Example:
        >>> report = check_file("examples/dscb-2019-02/edition.md")
        >>> report.passed()
        True
    """
    path = Path(path)
    try:
        source = load(path)
        rendered = render_source(source, layout=layout)
    except ContentErrorGroup as group:
        return Report(
            path,
            tuple(
                _from_error(error)
                for error in group.exceptions
                if isinstance(error, ContentError)
            ),
        )
    except BulletinError as error:
        return Report(path, (_from_error(error),))
    return check(source, rendered, layout=layout)


def check(source: Source, rendered: Rendered, *, layout: str | None = None) -> Report:
    """Check a loaded and rendered edition."""
    finder = _Checker(source, rendered, layout or source.layout)
    finder.run()
    ordered = sorted(
        finder.found,
        key=lambda item: (
            item.level != "error",
            item.location.line or 0,
            item.location.column or 0,
        ),
    )
    return Report(source.path, tuple(ordered), len(rendered.html.encode("utf-8")))


def _from_error(error: BulletinError) -> Finding:
    location = error.location if isinstance(error, ContentError) else Location()
    message = error.message if isinstance(error, ContentError) else str(error)
    return Finding("error", "load", message, location)


class _Checker:
    def __init__(self, source: Source, rendered: Rendered, layout: str) -> None:
        self.source = source
        self.rendered = rendered
        self.layout = load_layout(layout, source.settings.layout_paths)
        self.found: list[Finding] = []
        self.text_lines: list[str] | None = None

    def add(self, level: Level, code: str, message: str, where: Location) -> None:
        self.found.append(Finding(level, code, message, where))

    def where(self, thing: object, path: str, needle: str | None = None) -> Location:
        """The file:line of a block (and column of ``needle`` in it), or its path."""
        line = self.source.lines.get(id(thing))
        if line is None:
            return Location(block=path)
        column = None
        if needle:
            lines = self._lines()
            for number in range(line - 1, min(line + 40, len(lines))):
                found = lines[number].find(needle)
                if found >= 0:
                    line, column = number + 1, found + 1
                    break
        return Location(block=path, file=self.source.path, line=line, column=column)

    def _lines(self) -> list[str]:
        if self.text_lines is None:
            try:
                text = self.source.path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            self.text_lines = text.splitlines()
        return self.text_lines

    def run(self) -> None:
        self.size()
        self.edition()
        for block, path in self.blocks():
            self.block(block, path)
        self.headings()
        self.contrast()

    # -- the whole edition ------------------------------------------------------

    def size(self) -> None:
        size = len(self.rendered.html.encode("utf-8"))
        if size <= GMAIL_CLIP_BYTES:
            return
        sections = self.section_sizes()
        biggest = ", ".join(
            f"{name} ({bytes_ / 1024:.0f} KB)" for name, bytes_ in sections[:3]
        )
        advice = (
            "shorten the biggest sections"
            if self.source.digest
            else "add digest: true to the front matter to send each article's first "
            "paragraph with a link to the rest, or shorten the biggest sections"
        )
        self.add(
            "warning",
            "clipped",
            f"the email is {size / 1024:.0f} KB; Gmail clips messages over "
            f"{GMAIL_CLIP_BYTES // 1024} KB and hides the rest, unsubscribe link "
            f"included. Biggest sections: {biggest}. To fix: {advice}",
            Location(file=self.source.path, line=1),
        )

    def section_sizes(self) -> list[tuple[str, int]]:
        """Each section's share of the email HTML, biggest first."""
        html = self.rendered.html
        ids = anchors(self.source.edition.sections)
        starts = [html.find(f'id="{anchor}"') for anchor in ids]
        footer = html.rfind("footer")
        sizes: list[tuple[str, int]] = []
        for index, section in enumerate(self.source.edition.sections):
            start = starts[index]
            end = next((s for s in starts[index + 1 :] if s > start), footer)
            if start >= 0:
                sizes.append((section.heading, len(html[start:end].encode("utf-8"))))
        return sorted(sizes, key=lambda item: -item[1])

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
                Location(file=self.source.config)
                if self.source.config
                else Location(block="settings"),
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

    # -- one block --------------------------------------------------------------

    def block(self, block: Block, path: str) -> None:
        for text in _texts(block):
            self.links(block, text, path)
            self.deadlines(block, text, path)
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
                    f"[our training courses]({link.href})",
                    self.where(block, path, f"[{words}]"),
                )
            elif _BARE_URL.match(words):
                self.add(
                    "warning",
                    "bare-url-link",
                    f"link text '{words}' is a web address; say what is there instead, "
                    f"e.g. [our training calendar]({link.href})",
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

    def deadlines(self, block: Block, text: Text, path: str) -> None:
        words = str(text)
        if not _DEADLINE.search(words):
            return
        for match in _WORDY_DATE.finditer(words):
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

    # -- the rendered email -------------------------------------------------------

    def headings(self) -> None:
        previous = 0
        for match in _HEADING.finditer(self.rendered.html):
            level = int(match.group(1))
            if previous and level > previous + 1:
                self.add(
                    "warning",
                    "heading-order",
                    f"the layout jumps from an h{previous} to an h{level}; screen reader "
                    "users navigate by heading levels, so the layout should not skip one",
                    Location(block=f"layout {self.layout.name!r}"),
                )
                return
            previous = level

    def contrast(self) -> None:
        colours = {**self.layout.colours, **self.source.settings.colours}
        for foreground, background in self.layout.contrast:
            ratio = contrast_ratio(colours[foreground], colours[background])
            if ratio < MIN_CONTRAST:
                self.add(
                    "error",
                    "contrast",
                    f"colour {foreground} ({colours[foreground]}) on {background} "
                    f"({colours[background]}) has contrast {ratio:.1f}:1, below "
                    f"{MIN_CONTRAST}:1; many readers cannot read it. Choose a darker or "
                    "lighter colour in [colours]",
                    Location(file=self.source.config)
                    if self.source.config
                    else Location(block="settings"),
                )


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
