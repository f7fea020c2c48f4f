"""The blocks an edition is made of: pure data, validated when made.

Every text field takes a ``str`` (read as the inline Markdown subset, see
:mod:`bulletin.model.text`) or a :class:`~bulletin.model.text.Text`. A block that is
wrong raises :class:`~bulletin.errors.ContentError` naming the block.

Blocks are values: frozen and hashable, their children held in tuples. To change
one, make a new one (:func:`dataclasses.replace` checks it again); what holds
blocks, a section or an article, is a list (see :mod:`bulletin.model.edition`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal, TypeAlias, get_args

from bulletin.errors import ContentError
from bulletin.model.headers import is_header_safe
from bulletin.model.links import check_link, is_email_address, split_url
from bulletin.model.tags import audience_names
from bulletin.model.text import Text, TextLike

__all__ = [
    "ALIGNMENTS",
    "BLOCK_NAMES",
    "MAX_LIST_DEPTH",
    "Align",
    "Block",
    "BulletList",
    "Button",
    "Callout",
    "Contact",
    "Divider",
    "Event",
    "Image",
    "ItemBlock",
    "ListItem",
    "Paragraph",
    "Quote",
    "Subheading",
    "Table",
    "type_words",
]

MAX_LIST_DEPTH = 6
"""How deep lists may nest: a list inside a list inside ... six levels in all.
Deeper is unreadable on a phone, and the plain text runs out of indent."""

MAX_IMAGE_WIDTH = 1200
"""The widest an image may be displayed, in CSS pixels."""


def _set(block: object, **values: object) -> None:
    for name, value in values.items():
        object.__setattr__(block, name, value)


def _text(value: TextLike, what: str) -> Text:
    try:
        return Text.coerce(value)
    except ContentError as error:
        raise error.within(what) from None


@contextmanager
def _field(name: str) -> Iterator[None]:
    """Tag a :class:`ContentError` raised inside with the field at fault (its key)."""
    try:
        yield
    except ContentError as error:
        raise ContentError(
            error.message, error.location, fragment=error.fragment, key=(name,)
        ) from None


def _optional_text(value: TextLike | None, what: str) -> Text | None:
    return None if value is None else _text(value, what)


def _required_text(value: TextLike, what: str, field: str) -> Text:
    text = _text(value, what)
    if not text:
        raise ContentError(f"{field} is empty").within(what)
    return text


def _audiences(names: Iterable[str], what: str) -> frozenset[str]:
    """A box's audience tags, checked (see :func:`~bulletin.model.tags.audience_names`)."""
    try:
        return audience_names(names)
    except ContentError as error:
        raise ContentError(error.message, key=("audiences",)).within(what) from None


def _link(url: str | None, what: str) -> str | None:
    if url is None:
        return None
    try:
        return check_link(url, what=what)
    except ContentError as error:
        raise error.within(what) from None


@dataclass(frozen=True, init=False, slots=True)
class Paragraph:
    """A paragraph of inline text."""

    text: Text
    """The paragraph's text."""

    def __init__(self, text: TextLike) -> None:
        _set(self, text=_required_text(text, "paragraph", "paragraph text"))


@dataclass(frozen=True, init=False, slots=True)
class ListItem:
    """One item of a :class:`BulletList`: its text, nested items, and more blocks.

    ``ListItem("Neglect Basics", ["face to face", "on Teams"])`` nests two items;
    ``ListItem("Neglect Basics", blocks=["A second paragraph.", Image(...)])``
    adds paragraphs, pictures or lists under the same bullet, after the text.
    """

    text: Text
    """The item's text (its first paragraph)."""
    children: tuple[ListItem, ...]
    """Nested items, shown indented right under the text."""
    blocks: tuple[ItemBlock, ...]
    """What follows under the same bullet, after the nested items: paragraphs,
    pictures and lists (a ``str`` becomes a :class:`Paragraph`)."""

    def __init__(
        self,
        text: TextLike,
        children: Iterable[ListItemLike] = (),
        *,
        blocks: Iterable[ItemBlock | TextLike] = (),
    ) -> None:
        try:
            nested = _items(children, nested=True)
            more = _item_blocks(blocks)
        except ContentError as error:
            raise error.within("list item") from None
        _set(
            self,
            text=_required_text(text, "list item", "list item text"),
            children=nested,
            blocks=more,
        )


def _item_blocks(values: Iterable[ItemBlock | TextLike]) -> tuple[ItemBlock, ...]:
    """A list item's further blocks: paragraphs (a ``str`` is one), pictures, lists."""
    if isinstance(values, str | Text) or not isinstance(values, Iterable):
        raise ContentError(
            f"a list item's blocks must be a list of blocks, not {type_words(values)}; "
            "write e.g. blocks=['A second paragraph.']"
        )
    found: list[ItemBlock] = []
    for number, value in enumerate(values, start=1):
        if isinstance(value, str | Text):
            found.append(Paragraph(value))
        elif isinstance(value, Paragraph | Image | BulletList):
            found.append(value)
        else:
            raise ContentError(
                f"block {number} is {type_words(value)}; a list item holds "
                "paragraphs, pictures (Image) and lists (BulletList) only"
            )
    return tuple(found)


ListItemLike: TypeAlias = "ListItem | TextLike | Sequence[ListItemLike]"
ItemBlock: TypeAlias = "Paragraph | Image | BulletList"
"""What a list item may hold after its text."""


def _items(
    values: Iterable[ListItemLike], *, nested: bool = False
) -> tuple[ListItem, ...]:
    """Turn ``["a", ["a1", "a2"], "b"]`` into items, a nested list joining the item before it."""
    if isinstance(values, str | Text):
        raise ContentError("list items must be a list of texts, not a single text")
    if not isinstance(values, Iterable) or isinstance(values, Mapping):
        raise ContentError(
            f"list items must be a list of texts, not {type_words(values)}; "
            "write e.g. ['One', ['One a', 'One b'], 'Two']"
        )
    items: list[ListItem] = []
    for number, value in enumerate(values, start=1):
        if isinstance(value, ListItem):
            items.append(value)
        elif isinstance(value, str | Text):
            items.append(ListItem(value))
        elif isinstance(value, Sequence):
            if not items:
                raise ContentError("a nested list must follow the item it belongs to")
            parent = items.pop()
            children = _items(value, nested=True)
            items.append(
                ListItem(
                    parent.text, (*parent.children, *children), blocks=parent.blocks
                )
            )
        else:
            which = "nested item" if nested else "item"
            raise ContentError(
                f"{which} {number} is {type_words(value)}, not a list item; write "
                "its text, or a list of texts after an item to nest them under it"
            )
    return tuple(items)


def type_words(value: object) -> str:
    """``value``'s type for a message: "a str", "an int", "None"."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


@dataclass(frozen=True, init=False, slots=True)
class BulletList:
    """A bulleted or numbered list; items may nest."""

    items: tuple[ListItem, ...]
    """The items, in order."""
    numbered: bool
    """True for a numbered list, False for bullets."""

    def __init__(
        self, items: Iterable[ListItemLike], *, numbered: bool = False
    ) -> None:
        what = "numbered list" if numbered else "bullet list"
        try:
            converted = _items(items)
        except ContentError as error:
            raise error.within(what) from None
        if not converted:
            raise ContentError("list has no items").within(what)
        depth = _depth(converted)
        if depth > MAX_LIST_DEPTH:
            raise ContentError(
                f"this list nests {depth} levels deep; a bulletin's lists nest at "
                f"most {MAX_LIST_DEPTH}, so bring the deepest items up a level or "
                "make them a list of their own"
            ).within(what)
        _set(self, items=converted, numbered=numbered)


def _depth(items: tuple[ListItem, ...]) -> int:
    """How many levels ``items`` nest, counting themselves (iteratively: no recursion)."""
    deepest, level = 0, [(item, 1) for item in items]
    while level:
        item, depth = level.pop()
        deepest = max(deepest, depth)
        level.extend((child, depth + 1) for child in item.children)
        for block in item.blocks:
            if isinstance(block, BulletList):
                level.extend((child, depth + 1) for child in block.items)
    return deepest


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


@dataclass(frozen=True, init=False, slots=True)
class Image:
    """A picture: a local file (relative to the edition) or an https URL."""

    src: str
    """A path relative to the edition's folder, or an https URL."""
    alt: str
    """What the picture shows, for people who cannot see it. Required."""
    width: int | None
    """Display width in CSS pixels; the layout's content width when None."""
    link: str | None
    """Where a click on the picture goes."""
    caption: Text | None
    """A caption shown under the picture."""

    def __init__(
        self,
        src: str | PurePath,
        alt: str,
        *,
        width: int | None = None,
        link: str | None = None,
        caption: TextLike | None = None,
    ) -> None:
        source = str(src).replace("\\", "/") if isinstance(src, PurePath) else src
        if not source:
            raise ContentError(
                "image has no src; give a file path or https URL"
            ).within("image")
        if not alt or not alt.strip():
            raise ContentError(
                f"image {source!r} has no alt text; say what the picture shows, "
                "e.g. alt='Children playing in a park'"
            ).within("image")
        try:
            scheme = split_url(source, what="image").scheme.lower()
        except ContentError as error:
            raise error.within("image") from None
        if scheme and len(scheme) > 1 and scheme != "https":
            raise ContentError(
                f"image {source!r} must be a local file or an https:// URL"
            ).within("image")
        if not scheme and not source.lower().endswith(_IMAGE_SUFFIXES):
            raise ContentError(
                f"image {source!r} is not a picture file; use "
                + ", ".join(_IMAGE_SUFFIXES)
            ).within("image")
        if width is not None and not (
            isinstance(width, int)
            and not isinstance(width, bool)
            and 0 < width <= MAX_IMAGE_WIDTH
        ):
            raise ContentError(
                f"image {source!r} width {width!r} must be a whole number of pixels "
                f"from 1 to {MAX_IMAGE_WIDTH}"
            ).within("image")
        _set(
            self,
            src=source,
            alt=alt.strip(),
            width=width,
            link=_link(link, "image link"),
            caption=_optional_text(caption, "image caption"),
        )

    @property
    def is_remote(self) -> bool:
        """True when ``src`` is an https URL rather than a local file."""
        return self.src.lower().startswith("https://")


@dataclass(frozen=True, init=False, slots=True)
class Button:
    """A call to action: a prominent link."""

    label: str
    """The button's words, e.g. "Book your place"."""
    href: str
    """Where it goes."""
    audiences: frozenset[str]
    """The audiences it is for (see :mod:`bulletin.model.audiences`); empty: everyone."""

    def __init__(self, label: str, href: str, *, audiences: Iterable[str] = ()) -> None:
        if not label or not label.strip():
            raise ContentError("button has no label").within("button")
        _set(
            self,
            label=label.strip(),
            href=_link(href, "button"),
            audiences=_audiences(audiences, "button"),
        )


@dataclass(frozen=True, init=False, slots=True)
class Quote:
    """A quotation of one or more paragraphs, with an optional attribution.

    ``Quote("What was said.", "Who said it")``, or for several paragraphs
    ``Quote(["First paragraph.", "Second paragraph."], "Who said it")``.
    """

    paragraphs: tuple[Text, ...]
    """What was said, paragraph by paragraph (at least one)."""
    attribution: Text | None
    """Who said it."""

    def __init__(
        self, text: TextLike | Sequence[TextLike], attribution: TextLike | None = None
    ) -> None:
        values = [text] if isinstance(text, str | Text) else text
        if not isinstance(values, Sequence) or isinstance(values, Mapping):
            raise ContentError(
                f"quote text must be a text or a list of paragraphs, not "
                f"{type_words(text)}"
            ).within("quote")
        paragraphs = tuple(
            _required_text(value, "quote", "quote text") for value in values
        )
        if not paragraphs:
            raise ContentError("quote text is empty").within("quote")
        _set(
            self,
            paragraphs=paragraphs,
            attribution=_optional_text(attribution, "quote attribution"),
        )

    @property
    def text(self) -> Text:
        """The first paragraph (the whole quote, when it has one)."""
        return self.paragraphs[0]


@dataclass(frozen=True, slots=True)
class Divider:
    """A horizontal rule between blocks."""


_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{4,}[0-9]")


@dataclass(frozen=True, init=False, slots=True)
class Contact:
    """Contact details: an address, a phone number, an email address, a website."""

    heading: str | None
    """A heading such as "Contact us"; the layout's own words when None."""
    name: str | None
    """An organisation or person."""
    address: tuple[str, ...]
    """Address lines."""
    phone: str | None
    """A phone number, shown as written and linked with tel:."""
    email: str | None
    """An email address, linked with mailto:."""
    website: str | None
    """A web address; ``www.example.org`` is linked as https://www.example.org."""
    audiences: frozenset[str]
    """The audiences it is for (see :mod:`bulletin.model.audiences`); empty: everyone."""

    def __init__(
        self,
        *,
        heading: str | None = None,
        name: str | None = None,
        address: Sequence[str] = (),
        phone: str | None = None,
        email: str | None = None,
        website: str | None = None,
        audiences: Iterable[str] = (),
    ) -> None:
        if isinstance(address, str):
            address = [line.strip() for line in address.split(",")]
        if phone is not None and not _PHONE.fullmatch(phone.strip()):
            raise ContentError(
                f"phone number {phone!r} is not a phone number; write digits, "
                "spaces and an optional leading +, e.g. 03000 265770",
                key=("phone",),
            ).within("contact")
        if email is not None and not is_email_address(email):
            raise ContentError(
                f"email address {email!r} is not valid; write e.g. news@example.org",
                key=("email",),
            ).within("contact")
        if website is not None:
            with _field("website"):
                if _OTHER_SCHEME.match(website):
                    raise ContentError(
                        f"contact website {website!r} is not a web address; write "
                        "e.g. www.example.org or https://www.example.org/contact"
                    )
                _link(_website_href(website), "contact website")
        if not any((name, address, phone, email, website)):
            raise ContentError("contact block has no details").within("contact")
        _set(
            self,
            heading=heading,
            name=name,
            address=tuple(line for line in address if line),
            phone=phone.strip() if phone else None,
            email=email,
            website=website,
            audiences=_audiences(audiences, "contact"),
        )

    @property
    def phone_href(self) -> str | None:
        """The ``tel:`` link for :attr:`phone`."""
        if self.phone is None:
            return None
        # "+44 (0)3000 265770": the (0) is dialled only from inside the country.
        return "tel:" + re.sub(r"[^0-9+]", "", self.phone.replace("(0)", ""))

    @property
    def website_href(self) -> str | None:
        """The link for :attr:`website`."""
        return None if self.website is None else _website_href(self.website)


_OTHER_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?!//|\d)")
"""A website written with a scheme that is not a web one (``javascript:x``,
``mailto:...``): ``host:8080`` (a port) and ``https://`` are not matched."""


def _website_href(website: str) -> str:
    return website if "://" in website else f"https://{website}"


@dataclass(frozen=True, init=False, slots=True)
class Event:
    """Something happening on a date (or from one date to another)."""

    title: Text
    """What is happening."""
    date: dt.date
    """The day it happens, or starts."""
    end_date: dt.date | None
    """The last day, for events over several days."""
    time: str | None
    """A time of day as the editor writes it, e.g. "10am to 12 noon"."""
    location: str | None
    """Where, e.g. "Online (Teams)" or an address."""
    details: Text | None
    """A short description."""
    link: str | None
    """Where to book or read more."""
    audiences: frozenset[str]
    """The audiences it is for (see :mod:`bulletin.model.audiences`); empty: everyone."""

    def __init__(
        self,
        title: TextLike,
        date: dt.date,
        *,
        end_date: dt.date | None = None,
        time: str | None = None,
        location: str | None = None,
        details: TextLike | None = None,
        link: str | None = None,
        audiences: Iterable[str] = (),
    ) -> None:
        if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
            raise ContentError(
                f"event date {date!r} must be a date, e.g. datetime.date(2025, 2, 6)",
                key=("date",),
            ).within("event")
        if end_date is not None and (
            isinstance(end_date, dt.datetime) or not isinstance(end_date, dt.date)
        ):
            raise ContentError(
                f"event end date {end_date!r} must be a date, e.g. datetime.date(2025, 2, 9)",
                key=("end_date",),
            ).within("event")
        if end_date is not None and end_date < date:
            raise ContentError(
                f"event ends ({end_date.isoformat()}) before it starts ({date.isoformat()})",
                key=("end_date",),
            ).within("event")
        with _field("title"):
            title_text = _required_text(title, "event", "event title")
        with _field("details"):
            details_text = _optional_text(details, "event details")
        with _field("link"):
            checked_link = _link(link, "event link")
        _set(
            self,
            title=title_text,
            date=date,
            end_date=None if end_date == date else end_date,
            time=time,
            location=location,
            details=details_text,
            link=checked_link,
            audiences=_audiences(audiences, "event"),
        )


@dataclass(frozen=True, init=False, slots=True)
class Callout:
    """A boxed "more information" note, usually pointing somewhere to read more."""

    text: Text
    """The note."""
    title: str | None
    """A title; the layout's "More information" when None."""
    audiences: frozenset[str]
    """The audiences it is for (see :mod:`bulletin.model.audiences`); empty: everyone."""

    def __init__(
        self,
        text: TextLike,
        *,
        title: str | None = None,
        audiences: Iterable[str] = (),
    ) -> None:
        _set(
            self,
            text=_required_text(text, "callout", "callout text"),
            title=title,
            audiences=_audiences(audiences, "callout"),
        )


Align: TypeAlias = Literal["left", "center", "right"]
"""How a table column's cells line up; ``None`` leaves it to the layout (left)."""

ALIGNMENTS: tuple[Align, ...] = get_args(Align)
"""Every alignment a column may have."""


@dataclass(frozen=True, init=False, slots=True)
class Table:
    """A table of data: a header row, rows of cells, and each column's alignment."""

    header: tuple[Text, ...]
    """The column headings, one per column."""
    rows: tuple[tuple[Text, ...], ...]
    """The rows, each with one cell per column (a cell may be empty)."""
    align: tuple[Align | None, ...]
    """Each column's alignment: ``"left"``, ``"center"``, ``"right"`` or None."""
    caption: Text | None
    """What the table shows, e.g. "Training courses, spring 2025"."""

    def __init__(
        self,
        header: Sequence[TextLike],
        rows: Iterable[Sequence[TextLike]],
        *,
        align: Sequence[Align | None] | None = None,
        caption: TextLike | None = None,
    ) -> None:
        if isinstance(header, str | Text) or not isinstance(header, Sequence):
            raise ContentError(
                f"table header must be a list of column headings, not "
                f"{type_words(header)}; write e.g. ['Course', 'Date']"
            ).within("table")
        width = len(header)
        if width == 0:
            raise ContentError(
                "table has no columns; give the column headings, e.g. ['Course', 'Date']"
            ).within("table")
        heads = tuple(
            _text(cell, f"table > heading {number}")
            for number, cell in enumerate(header, start=1)
        )
        if isinstance(rows, str | Text) or not isinstance(rows, Iterable):
            raise ContentError(
                f"table rows must be a list of rows (each a list of cells), not "
                f"{type_words(rows)}"
            ).within("table")
        body: list[tuple[Text, ...]] = []
        for number, row in enumerate(rows, start=1):
            if isinstance(row, str | Text) or not isinstance(row, Sequence):
                raise ContentError(
                    f"row {number} is {type_words(row)}, not a list of cells; write "
                    f"one cell per column, e.g. {['...'] * width!r}"
                ).within("table")
            if len(row) != width:
                fix = (
                    f"add {width - len(row)} (empty cells are '')"
                    if len(row) < width
                    else f"remove {len(row) - width} or add a column heading"
                )
                raise ContentError(
                    f"row {number} has {_count(len(row), 'cell')} but the table has "
                    f"{_count(width, 'column')}; {fix}"
                ).within("table")
            body.append(
                tuple(
                    _text(cell, f"table > row {number} > cell {column}")
                    for column, cell in enumerate(row, start=1)
                )
            )
        if not body:
            raise ContentError(
                "table has a header but no rows; add at least one row under it"
            ).within("table")
        if align is None:
            alignments: tuple[Align | None, ...] = (None,) * width
        else:
            alignments = tuple(align)
            if len(alignments) != width or any(
                value is not None and value not in ALIGNMENTS for value in alignments
            ):
                raise ContentError(
                    f"table align {list(alignments)!r} must give each of the {width} "
                    "columns 'left', 'center', 'right' or None"
                ).within("table")
        _set(
            self,
            header=heads,
            rows=tuple(body),
            align=alignments,
            caption=_optional_text(caption, "table caption") or None,
        )

    @property
    def columns(self) -> int:
        """How many columns the table has."""
        return len(self.header)


def _count(number: int, noun: str) -> str:
    """``1 cell``, ``2 cells``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass(frozen=True, init=False, slots=True)
class Subheading:
    """A heading inside an article, one level below the article's own (``###``)."""

    text: str
    """The heading's words (plain text)."""
    link: str | None
    """Where a click on the heading goes."""

    def __init__(self, text: str, *, link: str | None = None) -> None:
        if not isinstance(text, str) or not text.strip():
            raise ContentError(
                "subheading has no words; write e.g. Subheading('Dates')"
            ).within("subheading")
        if not is_header_safe(text):
            raise ContentError(
                f"subheading {text!r} contains a line break or control character"
            ).within("subheading")
        _set(self, text=text.strip(), link=_link(link, "subheading link"))


Block: TypeAlias = (
    Paragraph
    | BulletList
    | Image
    | Button
    | Quote
    | Divider
    | Contact
    | Event
    | Callout
    | Table
    | Subheading
)
"""Any block a section, article or intro can hold."""

BLOCK_NAMES = ", ".join(kind.__name__ for kind in get_args(Block)[:-1]) + (
    f" or {get_args(Block)[-1].__name__}"
)
"""The blocks by name, for messages: "Paragraph, BulletList, ... or Callout"."""
