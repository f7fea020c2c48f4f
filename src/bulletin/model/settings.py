"""The organisation's standing details, passed to :func:`bulletin.render`.

Everything here overrides the chosen layout's defaults; anything left as
``None`` (or empty) keeps the layout's value. The editors' ``bulletin.toml``
is read into one of these.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from bulletin.errors import ContentError
from bulletin.model.blocks import Contact, Image
from bulletin.model.headers import is_header_safe
from bulletin.model.links import check_link, is_email_address
from bulletin.model.tags import MAX_AUDIENCES, audience_names
from bulletin.model.text import Text, TextLike

__all__ = [
    "DATE_FIELDS",
    "DEFAULT_LAYOUT",
    "FONT_STACK",
    "LIST_ID",
    "NO_AUDIENCE",
    "UTM_PARAMETERS",
    "Sender",
    "Settings",
    "check_date_format",
]

FONT_STACK = re.compile(r"[A-Za-z0-9 ,'\"-]+")
"""A CSS font-family list: font names, quoted or not, and commas; nothing that
CSS could read as anything else (``;``, ``expression(``, ``url(``)."""

DEFAULT_LAYOUT = "classic"
"""The layout an edition is rendered with when nothing names one."""

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

LIST_ID = re.compile(r"(?=.{3,200}$)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
"""A list id (RFC 2919): dot-separated words, ending in a domain the sender owns."""

NO_AUDIENCE = ("untagged", "everything")
"""What :attr:`Settings.no_audience` may say a reader in no audience gets."""

UTM_PARAMETERS = ("source", "medium", "campaign", "content", "term")
"""The campaign parameters :attr:`Settings.utm` may set."""


@dataclass(frozen=True, slots=True)
class Sender:
    """Who the bulletin is from."""

    name: str
    """The display name, e.g. "Durham Safeguarding Children Partnership"."""
    address: str
    """The email address, e.g. ``news@example.org``."""

    def __post_init__(self) -> None:
        for field, value in (("name", self.name), ("address", self.address)):
            if not is_header_safe(value):
                raise ContentError(
                    f"sender {value!r} contains a line break or control character",
                    key=("sender", field),
                ).within("settings")
        if not is_email_address(self.address):
            raise ContentError(
                f"sender address {self.address!r} is not an email address; "
                "write e.g. news@example.org",
                key=("sender", "address"),
            ).within("settings")
        local, _, domain = self.address.rpartition("@")
        if not domain.isascii():
            # The same domain in the form every header and server takes (IDNA).
            try:
                ascii_domain = domain.encode("idna").decode("ascii")
            except UnicodeError:
                raise ContentError(
                    f"sender address {self.address!r} has a domain that cannot be "
                    "written in plain letters (IDNA); check it",
                    key=("sender", "address"),
                ).within("settings") from None
            object.__setattr__(self, "address", f"{local}@{ascii_domain}")
        if not self.address.partition("@")[0].isascii():
            raise ContentError(
                f"sender address {self.address!r} has letters other than a-z before "
                "the @, which few mail servers accept in a From or envelope; use an "
                "address in plain letters",
                key=("sender", "address"),
            ).within("settings")
        if "=?" in self.name:
            raise ContentError(
                f"sender name {self.name!r} holds '=?', which mail programs read as "
                "encoded text; write the name as it should appear",
                key=("sender", "name"),
            ).within("settings")
        # Spaces at the ends or doubled do not survive in a From header.
        object.__setattr__(self, "name", " ".join(self.name.split()))
        if not self.name:
            raise ContentError(
                "sender name is empty; write the organisation's name, e.g. "
                '"Example Partnership"',
                key=("sender", "name"),
            ).within("settings")

    @property
    def domain(self) -> str:
        """The part of the address after ``@``."""
        return self.address.rpartition("@")[2]


DATE_FIELDS = ("day", "month", "year")
"""What a date format may hold: ``{day} {month} {year}``."""


def check_date_format(pattern: str) -> None:
    """Refuse a date format other than ``{day}``, ``{month}`` and ``{year}`` as they are.

    Raises:
        ContentError: anything else in braces, a format spec or a conversion.
    """
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError:
        fields = [("?", "", None)]
    # A format spec ({day:>999999999}) or conversion ({day!r}) is never needed,
    # and a spec can make one date a gigabyte wide.
    names = [
        name if not spec and conversion is None else "?"
        for name, spec, conversion in fields
    ]
    unknown = [name for name in names if name not in DATE_FIELDS]
    if unknown or not names:
        raise ContentError(
            f"date_format {pattern!r} may only use {{day}}, {{month}} and {{year}}, "
            "as they are (nothing after a : or !), "
            "e.g. '{day} {month} {year}' or '{month} {year}'",
            key=("date_format",),
        ).within("settings")


def _check_unsubscribe_url(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("https", "http", "mailto"):
        raise ContentError(
            f"unsubscribe_url {url!r} must be an https:// address (with {{token}}) "
            "or a mailto: address",
            key=("unsubscribe_url",),
        ).within("settings")
    placeholders = set(re.findall(r"\{([^{}]*)\}", url))
    unknown = placeholders - {"token", "address"}
    if unknown:
        raise ContentError(
            f"unsubscribe_url {url!r} may only hold {{token}} and {{address}}, "
            f"not {{{sorted(unknown)[0]}}}",
            key=("unsubscribe_url",),
        ).within("settings")


def _check_archive_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ContentError(
            f"archive_url {url!r} must be an https:// address, the folder the "
            "archive is published in, e.g. https://example.org/newsletters",
            key=("archive_url",),
        ).within("settings")
    if "{" in url or "}" in url or parts.query or parts.fragment:
        raise ContentError(
            f"archive_url {url!r} must be the archive's folder as it is (no {{slug}}, "
            "? or #): bulletin adds /<slug>.html itself",
            key=("archive_url",),
        ).within("settings")


def _declared(audiences: Iterable[str]) -> tuple[str, ...]:
    """The declared audiences, each checked and in canonical form, in the order given."""
    if isinstance(audiences, str):
        audiences = [audiences]
    declared: list[str] = []
    for number, name in enumerate(audiences):
        try:
            (canonical,) = audience_names([name]) or {""}
        except ContentError as error:
            raise ContentError(error.message, key=("audiences",)).within(
                "settings"
            ) from None
        if not canonical:
            continue
        if canonical in declared:
            raise ContentError(
                f"audience {name!r} is declared twice (names are compared without "
                "case); list it once",
                key=("audiences",),
            ).within("settings")
        declared.append(canonical)
        if number >= MAX_AUDIENCES:
            raise ContentError(
                f"more than {MAX_AUDIENCES} audiences are declared; group readers "
                "into fewer, or keep a list per group",
                key=("audiences",),
            ).within("settings")
    return tuple(declared)


@dataclass(frozen=True, init=False, slots=True)
class Settings:
    """Organisation settings that override the layout's defaults."""

    publisher: str
    """The organisation's name, shown in the header and footer."""
    logo: Image | None
    """The logo at the top; its ``alt`` should name the organisation."""
    colours: Mapping[str, str]
    """Brand colours by the layout's names (``brand``, ``accent``, ``text``...)."""
    font_stack: str | None
    """A CSS font-family list of locally installed fonts."""
    contact: Contact | None
    """Contact details shown before the footer."""
    footer: Text | None
    """Footer text, e.g. why the reader receives the bulletin."""
    sender: Sender | None
    """Who the bulletin is from."""
    view_online_url: str | None
    """Template of the web copy's address: ``{slug}`` and ``{date}`` are filled in."""
    archive_url: str | None
    """Where ``bulletin archive``'s folder is published, e.g.
    ``https://example.org/newsletters``: each message then carries
    ``List-Archive`` and ``Archived-At`` (RFC 5064), and without a
    ``view_online_url`` "view online" is ``<archive_url>/<slug>.html``."""
    unsubscribe_url: str | None
    """Template of each recipient's unsubscribe link, filled in when sending: an
    https address with ``{token}`` (see :mod:`bulletin.mail.unsubscribe`), or a
    ``mailto:`` address for organisations without a web endpoint."""
    unsubscribe_mailto: str | None
    """An address that also takes unsubscribe requests by email (``List-Unsubscribe``)."""
    list_id: str | None
    """The list's id for ``List-Id`` and unsubscribe tokens, e.g.
    ``news.durham-scp.org.uk``; made from the publisher and sender when None."""
    subscribe_url: str | None
    """Where readers can subscribe or manage their subscription."""
    image_base_url: str | None
    """Where the exported ``assets/`` folder is published; images are embedded when None."""
    date_format: str | None
    """How the issue date is written, e.g. ``{month} {year}``."""
    show_date: bool
    """Whether the date line shows under the title; False for a title that
    already names the month ("News - January 2025")."""
    strings: Mapping[str, str]
    """Overrides for the layout's own words (``in_this_edition``, ``unsubscribe``...)."""
    layout_paths: tuple[Path, ...]
    """Folders searched for layouts before the built-in ones."""
    utm: Mapping[str, str]
    """Campaign parameters added to links: ``source``, ``medium``, ``campaign``,
    ``content``, ``term`` (each becomes ``utm_<name>``; ``{slug}`` and ``{date}``
    are filled in). No parameters are added when empty."""
    utm_domains: tuple[str, ...]
    """Only links to these domains (and their subdomains) are tagged; all
    http(s) links when empty."""
    audiences: tuple[str, ...]
    """The audiences the organisation writes for, e.g. ``("schools",
    "health")``: the names parts of an edition may be tagged with and the
    recipient list's ``audiences`` column may hold (in canonical form: see
    :func:`~bulletin.model.tags.audience_names`)."""
    no_audience: str
    """What a reader in no audience gets: ``"untagged"`` (the parts tagged for
    nobody) or ``"everything"``."""

    def __init__(
        self,
        *,
        publisher: str = "",
        logo: Image | None = None,
        colours: Mapping[str, str] | None = None,
        font_stack: str | None = None,
        contact: Contact | None = None,
        footer: TextLike | None = None,
        sender: Sender | None = None,
        view_online_url: str | None = None,
        archive_url: str | None = None,
        unsubscribe_url: str | None = None,
        unsubscribe_mailto: str | None = None,
        list_id: str | None = None,
        subscribe_url: str | None = None,
        image_base_url: str | None = None,
        date_format: str | None = None,
        show_date: bool = True,
        strings: Mapping[str, str] | None = None,
        layout_paths: tuple[Path, ...] = (),
        utm: Mapping[str, str] | None = None,
        utm_domains: tuple[str, ...] = (),
        audiences: Iterable[str] = (),
        no_audience: str = "untagged",
    ) -> None:
        colours = dict(colours or {})
        for name, value in colours.items():
            if not _COLOUR.fullmatch(value):
                raise ContentError(
                    f"colour {name} = {value!r} is not a colour; write six hex digits "
                    "like '#1d4f91'",
                    key=("colours", name),
                ).within("settings")
        if font_stack is not None and not FONT_STACK.fullmatch(font_stack):
            raise ContentError(
                f"font stack {font_stack!r} may only name fonts, e.g. "
                "'Arial, Helvetica, sans-serif'",
                key=("font_stack",),
            ).within("settings")
        for name, url in (
            ("view_online_url", view_online_url),
            ("archive_url", archive_url),
            ("unsubscribe_url", unsubscribe_url),
            ("subscribe_url", subscribe_url),
            ("image_base_url", image_base_url),
        ):
            if url is not None:
                try:
                    check_link(url, what=name)
                except ContentError as error:
                    raise ContentError(
                        error.message, fragment=error.fragment, key=(name,)
                    ).within("settings") from None
        if date_format is not None:
            check_date_format(date_format)
        if unsubscribe_url is not None:
            _check_unsubscribe_url(unsubscribe_url)
        if unsubscribe_mailto is not None and not is_email_address(
            unsubscribe_mailto.removeprefix("mailto:")
        ):
            raise ContentError(
                f"unsubscribe_mailto {unsubscribe_mailto!r} is not an email address; "
                "write e.g. unsubscribe@example.org",
                key=("unsubscribe_mailto",),
            ).within("settings")
        if list_id is not None and not LIST_ID.fullmatch(list_id):
            raise ContentError(
                f"list_id {list_id!r} is not a list id; write a name and a domain you "
                "own joined by a dot, e.g. news.example.org",
                key=("list_id",),
            ).within("settings")
        if image_base_url is not None and image_base_url.rstrip("/").endswith(
            "/assets"
        ):
            raise ContentError(
                f"image_base_url {image_base_url!r} should be the folder that holds "
                "assets/, not assets/ itself (bulletin adds /assets/<picture>): write "
                f"{image_base_url.rstrip('/').removesuffix('/assets')!r}",
                key=("image_base_url",),
            ).within("settings")
        if archive_url is not None:
            _check_archive_url(archive_url)
        if image_base_url is not None and urlsplit(image_base_url).scheme != "https":
            raise ContentError(
                f"image_base_url {image_base_url!r} must be an https:// address",
                key=("image_base_url",),
            ).within("settings")
        utm = dict(utm or {})
        for name, value in utm.items():
            if name not in UTM_PARAMETERS:
                raise ContentError(
                    f"utm {name!r} is not a campaign parameter; use "
                    + ", ".join(UTM_PARAMETERS),
                    key=("utm", name),
                ).within("settings")
            if not value or _CONTROL.search(value):
                raise ContentError(
                    f"utm {name} = {value!r} must be a word or phrase on one line",
                    key=("utm", name),
                ).within("settings")
        domains = tuple(
            domain.strip().lower().removeprefix("www.") for domain in utm_domains
        )
        declared = _declared(audiences)
        if no_audience not in NO_AUDIENCE:
            raise ContentError(
                f"no_audience {no_audience!r} must be 'untagged' (readers in no "
                "audience get the parts tagged for nobody) or 'everything'",
                key=("no_audience",),
            ).within("settings")
        values: dict[str, object] = {
            "publisher": publisher,
            "logo": logo,
            "colours": MappingProxyType(colours),
            "font_stack": font_stack,
            "contact": contact,
            "footer": None if footer is None else Text.coerce(footer),
            "sender": sender,
            "view_online_url": view_online_url,
            "archive_url": archive_url.rstrip("/") if archive_url else None,
            "unsubscribe_url": unsubscribe_url,
            "unsubscribe_mailto": None
            if unsubscribe_mailto is None
            else unsubscribe_mailto.removeprefix("mailto:"),
            "list_id": list_id,
            "subscribe_url": subscribe_url,
            "image_base_url": image_base_url.rstrip("/") if image_base_url else None,
            "date_format": date_format,
            "show_date": bool(show_date),
            "strings": MappingProxyType(dict(strings or {})),
            "layout_paths": tuple(Path(path) for path in layout_paths),
            "utm": MappingProxyType(utm),
            "utm_domains": domains,
            "audiences": declared,
            "no_audience": no_audience,
        }
        for key, item in values.items():
            object.__setattr__(self, key, item)

    @property
    def one_click_unsubscribe(self) -> bool:
        """True when unsubscribing takes one click (RFC 8058): an https unsubscribe_url.

        Gmail and Yahoo expect this of anyone sending bulk mail; a ``mailto:``
        address alone does not give it.
        """
        url = self.unsubscribe_url
        return url is not None and urlsplit(url).scheme.lower() == "https"
