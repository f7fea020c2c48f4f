"""What a layout's templates and the plain-text writer see: one ``Page``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias, assert_never

from bulletin.errors import ContentError
from bulletin.model.audiences import Selection, describe
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
from bulletin.model.edition import Article, Edition, Section
from bulletin.model.fields import UNSUBSCRIBE_URL, marker
from bulletin.model.settings import Settings
from bulletin.model.slugs import slugify
from bulletin.model.tags import tags_of
from bulletin.model.text import Emphasis, Link, Run, Strong, Text
from bulletin.model.walk import footnote_labels, nested_blocks
from bulletin.rendering.dates import format_date, format_range
from bulletin.rendering.layouts import Layout
from bulletin.rendering.palette import palette

__all__ = ["AudienceLabel", "Footnotes", "Heading", "ImageRef", "Item", "Note", "Page"]


@dataclass(frozen=True, slots=True)
class ImageRef:
    """Where an image is, once prepared, and the size it is shown at."""

    src: str
    """``cid:...``, an absolute URL, or (web copy only) ``assets/<name>``."""
    width: int
    """Display width in CSS pixels."""
    height: int | None
    """Display height, when known (remote images are not fetched)."""


@dataclass(frozen=True, slots=True)
class Heading:
    """A section or article heading, in the flow of a section's content."""

    level: int
    """2 for a section, 3 for an article, 4 for a subheading in an article."""
    text: str
    """The heading's words."""
    anchor: str | None = None
    """The id the contents link to (sections and subheadings; articles on the
    web copy)."""
    link: str | None = None
    """Where a click on the heading goes, when the heading is a link."""


@dataclass(frozen=True, slots=True)
class Note:
    """One footnote as shown: its number, words and the anchors linking it both ways."""

    number: int
    """Its number in its article (or section), from 1."""
    text: Text
    """The note's words."""
    anchor: str
    """The note's id (``fn-...``), which each reference links to."""
    ref_anchor: str
    """The id of the first reference to it (``fnref-...``), which it links back to."""


@dataclass(frozen=True, slots=True)
class Footnotes:
    """The notes shown at the end of an article (or of a section's own text)."""

    notes: tuple[Note, ...]
    """The notes, in number order."""


@dataclass(frozen=True, slots=True)
class AudienceLabel:
    """Who a tagged part is for, shown above it on the web copy: "For schools"."""

    text: str
    """The words, e.g. "For health and schools"."""


Item: TypeAlias = Heading | Footnotes | AudienceLabel | Block
"""What a section's flow holds: its headings, blocks, notes and labels."""


def anchors(sections: list[Section]) -> tuple[str, ...]:
    """One unique anchor id per section, from its heading."""
    seen: dict[str, int] = {}
    ids: list[str] = []
    for section in sections:
        base = slugify(section.heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        ids.append(base if count == 0 else f"{base}-{count + 1}")
    return tuple(ids)


def _selected_anchors(
    selection: Selection,
    section_anchors: tuple[str, ...],
    article_anchors: tuple[tuple[str, ...], ...],
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The whole edition's anchors of the parts ``selection`` keeps."""
    by_part: dict[int, str] = {}
    for section, anchor, inner in zip(
        selection.whole.sections, section_anchors, article_anchors, strict=True
    ):
        by_part[id(section)] = anchor
        for article, article_anchor in zip(section.articles, inner, strict=True):
            by_part[id(article)] = article_anchor
    sections = selection.edition.sections
    return (
        tuple(by_part[id(selection.original(section))] for section in sections),
        tuple(
            tuple(
                by_part[id(selection.original(article))] for article in section.articles
            )
            for section in sections
        ),
    )


def _is_subheading(paragraph: Paragraph) -> bool:
    """``**Safe Sleeping**`` alone in a paragraph: a heading, not the lead."""
    nodes = [
        node
        for node in paragraph.text.nodes
        if not (isinstance(node, Run) and not node.text.strip())
    ]
    return len(nodes) == 1 and isinstance(nodes[0], Strong | Emphasis)


def _lead(blocks: list[Block]) -> Paragraph | None:
    """The paragraph a digest shows for an article: its first that stands alone.

    Not a bold sub-heading, not a picture's caption (a paragraph right after a
    picture), and not a lead-in to a list (ending in ``:``, its list left out):
    only the start of the article's own text. None when it has no such paragraph.
    """
    previous: Block | None = None
    for block in blocks:
        if (
            isinstance(block, Paragraph)
            and not _is_subheading(block)
            and not isinstance(previous, Image)
            and not str(block.text).rstrip().endswith(":")
        ):
            return block
        if isinstance(block, BulletList | Quote):
            return None  # what follows a list or quote is its middle, no lead
        previous = block
    return None


def _article_anchors(
    sections: list[Section], taken: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    """One anchor per article, unique across the edition and apart from the sections'."""
    seen = set(taken)
    result: list[tuple[str, ...]] = []
    for section in sections:
        ids: list[str] = []
        for article in section.articles:
            base = slugify(article.heading)
            candidate, number = base, 1
            while candidate in seen:
                number += 1
                candidate = f"{base}-{number}"
            seen.add(candidate)
            ids.append(candidate)
        result.append(tuple(ids))
    return tuple(result)


def _subheading_anchors(
    sections: list[Section], taken: tuple[tuple[str, ...], ...]
) -> dict[int, str]:
    """One anchor per subheading (by ``id()``), unique across the edition."""
    seen = {anchor for anchors in taken for anchor in anchors}
    found: dict[int, str] = {}
    for section in sections:
        for article in section.articles:
            for block in article.blocks:
                if not isinstance(block, Subheading):
                    continue
                base = slugify(block.text)
                candidate, number = base, 1
                while candidate in seen:
                    number += 1
                    candidate = f"{base}-{number}"
                seen.add(candidate)
                found[id(block)] = candidate
    return found


def _unique(base: str, seen: set[str]) -> str:
    candidate, number = base, 1
    while candidate in seen:
        number += 1
        candidate = f"{base}-{number}"
    seen.add(candidate)
    return candidate


def _notes(edition: Edition, taken: set[str]) -> dict[str, Note]:
    """Every footnote by label: numbered within its article or section, anchored
    uniquely across the edition (apart from every heading's anchor)."""
    found: dict[str, Note] = {}
    containers: list[tuple[list[Block], dict[str, Text]]] = []
    for section in edition.sections:
        containers.append(([*section.blocks, *section.closing], section.footnotes))
        containers.extend(
            (article.blocks, article.footnotes) for article in section.articles
        )
    for blocks, notes in containers:
        if not notes:
            continue
        for number, label in enumerate(footnote_labels(blocks), start=1):
            if label in notes and label not in found:
                slug = slugify(label) or "note"
                found[label] = Note(
                    number,
                    notes[label],
                    _unique(f"fn-{slug}", taken),
                    _unique(f"fnref-{slug}", taken),
                )
    return found


def _features(edition: Edition) -> frozenset[str]:
    """The :attr:`Page.features` ``edition`` uses."""
    found: set[str] = set()
    blocks = list(edition.intro)
    for section in edition.sections:
        blocks.extend(section.blocks)
        blocks.extend(section.closing)
        if section.link:
            found.add("heading-link")
        if section.footnotes:
            found.add("footnotes")
        for article in section.articles:
            blocks.extend(article.blocks)
            if article.link:
                found.add("heading-link")
            if article.footnotes:
                found.add("footnotes")
    for block in nested_blocks(blocks):
        if isinstance(block, Table):
            found.add("table")
        elif isinstance(block, Subheading) and block.link:
            found.add("heading-link")
    return frozenset(found)


def _kept_in_digest(block: Block) -> bool:
    """True for the blocks a digest always keeps: dates and calls to action.

    A digest's one paragraph, its lead, is chosen apart from this.
    """
    match block:
        case Event() | Button():
            return True
        case (
            Paragraph()
            | BulletList()
            | Image()
            | Quote()
            | Divider()
            | Contact()
            | Callout()
            | Table()
            | Subheading()
        ):
            return False
        case _:  # a block type added to the union must be placed here too
            assert_never(block)


@dataclass(frozen=True)
class Page:
    """An edition with everything resolved for one output (the email or the web copy)."""

    edition: Edition
    settings: Settings
    layout: Layout
    personal: bool
    """True for the email (personal field markers), False for the web copy."""
    images: Mapping[Image, ImageRef]
    """Each image of the edition (and the logo), prepared."""
    digest: bool = False
    """True for an email that shows each article's first paragraph and a link
    to the rest on the web copy."""
    selection: Selection | None = None
    """The variant ``edition`` is, when it was selected for some audiences
    from a larger one: its anchors are those of the whole edition, so that a
    digest's links reach the right part of the web copy."""
    labels: bool = False
    """True to show who each tagged part is for (the web copy, which shows
    every part)."""
    colours: Mapping[str, str] = field(init=False)
    font_stack: str = field(init=False)
    words: Mapping[str, str] = field(init=False)
    anchors: tuple[str, ...] = field(init=False)
    article_anchors: tuple[tuple[str, ...], ...] = field(init=False)
    subheading_anchors: Mapping[int, str] = field(init=False)
    """Each subheading's anchor, by the ``id()`` of its block."""
    features: frozenset[str] = field(init=False)
    """What the edition uses that needs CSS of its own: ``"table"``,
    ``"heading-link"``, ``"footnotes"``. A layout writes that CSS only when it
    is needed."""
    notes: Mapping[str, Note] = field(init=False)
    """Each footnote, by label."""
    _refs: dict[str, int] = field(init=False)
    """How many references to each note have been written so far: the first
    carries the id the note links back to. (Rendering writes each text once.)"""
    date_text: str = field(init=False)

    def __post_init__(self) -> None:
        settings, layout, edition = self.settings, self.layout, self.edition
        set_ = object.__setattr__
        set_(self, "colours", palette(layout.colours, settings.colours))
        set_(self, "font_stack", settings.font_stack or layout.font_stack)
        set_(self, "words", layout.words(edition.language, settings.strings))
        whole = edition if self.selection is None else self.selection.whole
        section_anchors = anchors(whole.sections)
        article_anchors = _article_anchors(whole.sections, section_anchors)
        set_(
            self,
            "subheading_anchors",
            _subheading_anchors(whole.sections, (section_anchors, *article_anchors)),
        )
        if self.selection is not None and whole is not edition:
            section_anchors, article_anchors = _selected_anchors(
                self.selection, section_anchors, article_anchors
            )
        set_(self, "anchors", section_anchors)
        set_(self, "article_anchors", article_anchors)
        set_(self, "features", _features(edition))
        taken = {
            *self.anchors,
            *(anchor for group in self.article_anchors for anchor in group),
            *self.subheading_anchors.values(),
        }
        set_(self, "notes", _notes(edition, taken))
        set_(self, "_refs", {})
        if self.digest and self.personal and self.web_url is None:
            raise ContentError(
                "a digest links each article to the web copy: set view_online_url "
                "(or archive_url) in bulletin.toml, or remove digest: true"
            )
        set_(
            self,
            "date_text",
            format_date(
                edition.date,
                settings.date_format or layout.date_format,
                layout.month_names(edition.language),
            ),
        )

    @property
    def width(self) -> int:
        """The email's width in CSS pixels."""
        return self.layout.width

    @property
    def content_width(self) -> int:
        """The width inside the side gutters: the widest an image is shown."""
        return self.layout.width - 2 * self.layout.gutter

    def outline(self, index: int) -> list[Item]:
        """Section ``index`` as one flow: its heading, blocks, then each article's."""
        section = self.edition.sections[index]
        items: list[Item] = [
            Heading(2, section.heading, self.anchors[index], section.link),
            *self.label(section),
        ]
        shown = self.shown(section.blocks, self.anchors[index], section.heading)
        items.extend(self.labelled(shown))
        items.extend(self.footnotes(shown))
        for article, anchor in zip(
            section.articles, self.article_anchors[index], strict=True
        ):
            items.append(
                Heading(
                    3, article.heading, None if self.personal else anchor, article.link
                )
            )
            items.extend(self.label(article))
            shown = self.shown(article.blocks, anchor, article.heading)
            items.extend(
                self.subheading(block) if isinstance(block, Subheading) else block
                for block in self.labelled(shown)
            )
            items.extend(self.footnotes(shown))
        closing = self.closing(section)
        items.extend(self.labelled(closing))
        items.extend(self.footnotes(closing))
        return items

    @property
    def intro(self) -> list[Item]:
        """The edition's introduction, with who each tagged box is for on the web copy."""
        return self.labelled(self.edition.intro)

    def label(self, part: Section | Article | Block) -> list[AudienceLabel]:
        """Who ``part`` is for, when it is tagged and this output shows it (the web copy)."""
        tags = tags_of(part)
        if not (self.labels and tags):
            return []
        return [
            AudienceLabel(
                # A layout of one's own may not have these words: English then.
                self.words.get("for_audiences", "For {audiences}").replace(
                    "{audiences}", describe(tags, self.words.get("and", "and"))
                )
            )
        ]

    def labelled(self, blocks: list[Block]) -> list[Item]:
        """``blocks``, each tagged one after who it is for (on the web copy)."""
        if not self.labels:
            return list(blocks)
        items: list[Item] = []
        for block in blocks:
            items.extend(self.label(block))
            items.append(block)
        return items

    def closing(self, section: Section) -> list[Block]:
        """The section's closing as shown: after a rule when it follows articles,
        so that it does not read as part of the last one. A digest keeps its lead
        paragraph, events and buttons."""
        blocks = section.closing
        if self.digest and self.personal:
            lead = _lead(blocks)
            blocks = [b for b in blocks if b is lead or _kept_in_digest(b)]
        if blocks and section.articles:
            return [Divider(), *blocks]
        return list(blocks)

    def footnotes(self, blocks: list[Block]) -> list[Footnotes]:
        """The notes ``blocks`` refer to, to show after them (none: an empty list).

        Only what is shown is counted: a digest leaves out the notes of the
        paragraphs it leaves out.
        """
        if not self.notes:
            return []  # most editions have none: no need to look
        notes = [
            self.notes[label]
            for label in footnote_labels(blocks)
            if label in self.notes
        ]
        return (
            [Footnotes(tuple(sorted(notes, key=lambda note: note.number)))]
            if notes
            else []
        )

    def note_ref(self, label: str) -> tuple[str, int, str] | None:
        """A reference to ``label``'s note: the note's id, its number, and this
        reference's id (the note links back to the first). None: no such note."""
        note = self.notes.get(label)
        if note is None:
            return None
        count = self._refs.get(label, 0)
        self._refs[label] = count + 1
        ref = note.ref_anchor if count == 0 else f"{note.ref_anchor}-{count + 1}"
        return note.anchor, note.number, ref

    def subheading(self, block: Subheading) -> Heading:
        """A subheading as the heading it is shown as: one level below its article's."""
        return Heading(
            4, block.text, self.subheading_anchors.get(id(block)), block.link
        )

    def shown(self, blocks: list[Block], anchor: str, heading: str) -> list[Block]:
        """``blocks`` as this output shows them: whole, or as a digest.

        A digest keeps the article's lead (see :func:`_lead`), the events and
        buttons (dates and calls to action), never a subheading, and ends with a
        "Read more about <heading>" link to ``anchor`` on the web copy, when it
        left anything out.
        """
        if not (self.digest and self.personal) or not blocks:
            return blocks
        lead = _lead(blocks)
        shown: list[Block] = [
            block for block in blocks if block is lead or _kept_in_digest(block)
        ]
        if len(shown) == len(blocks):
            return shown  # nothing left out: nothing more to read on the web
        url = f"{self.web_url}#{anchor}"
        words = self.words["read_more"].replace("{heading}", heading)
        shown.append(Paragraph(Text((Link(url, (Run(words),)),), url)))
        return shown

    @property
    def contents(self) -> list[tuple[str, Section]]:
        """``(anchor, section)`` for the "In this edition" list."""
        return list(zip(self.anchors, self.edition.sections, strict=True))

    @property
    def slug(self) -> str:
        """The edition's file-name slug."""
        return slugify(self.edition.title)

    @property
    def web_url(self) -> str | None:
        """The web copy's address, when the settings say where it is published:
        ``view_online_url`` filled in, else its page in the archive."""
        template = self.settings.view_online_url
        if template is None:
            archive = self.settings.archive_url
            return None if archive is None else f"{archive}/{self.slug}.html"
        return template.replace("{slug}", self.slug).replace(
            "{date}", self.edition.date.isoformat()
        )

    @property
    def view_online_url(self) -> str | None:
        """The web copy's address, in the email only."""
        return self.web_url if self.personal else None

    @property
    def unsubscribe_url(self) -> str | None:
        """The unsubscribe link's marker, in the email only."""
        if not self.personal or self.settings.unsubscribe_url is None:
            return None
        return marker(UNSUBSCRIBE_URL)

    @property
    def logo(self) -> Image | None:
        """The logo image, if the settings give one."""
        return self.settings.logo

    def image(self, image: Image) -> ImageRef:
        """The prepared form of ``image``."""
        return self.images[image]

    def event_date(self, event: Event) -> str:
        """The event's date or range, in words."""
        pattern = self.layout.date_format
        if "{day}" not in pattern:
            pattern = "{day} {month} {year}"
        return format_range(
            event.date,
            event.end_date,
            pattern,
            self.layout.month_names(self.edition.language),
        )
