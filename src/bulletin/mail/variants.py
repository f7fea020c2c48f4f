"""Each reader's own variant of an edition: their audiences' message, filled in for them.

A recipient list may have an ``audiences`` column (``schools; health``): the
audiences each reader is in (see :mod:`bulletin.model.audiences`). An
edition whose parts are tagged for audiences is rendered once per variant
(:func:`~bulletin.rendering.render_variants`); :class:`EditionMessages`
holds one :class:`~bulletin.mail.message.MessageTemplate` per variant and
fills each reader in from theirs, so that sending code asks it for a
reader's message exactly as it asks a single template.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from bulletin.errors import ContentError, RecipientError
from bulletin.mail.message import MessageTemplate, PersonalMessage
from bulletin.model.audiences import describe, unknown_audience, variant_key
from bulletin.model.rendered import Rendered
from bulletin.model.settings import Settings
from bulletin.model.tags import audience_names

if TYPE_CHECKING:
    import datetime as dt

    from bulletin.mail.recipients import Recipient, RecipientList

__all__ = [
    "AUDIENCES_FIELD",
    "EditionMessages",
    "audience_problems",
    "reader_audiences",
    "repeated_with_other_audiences",
]

AUDIENCES_FIELD = "audiences"
"""The recipient list's column of each reader's audiences (as a field name)."""


def reader_audiences(recipient: Recipient | None) -> frozenset[str]:
    """The audiences ``recipient``'s ``audiences`` cell names (empty: none, or no reader).

    Raises:
        ContentError: the cell holds something that cannot be an audience name.
    """
    if recipient is None:
        return frozenset()
    return audience_names(
        recipient.fields.get(AUDIENCES_FIELD, ""), what="the audiences column's"
    )


def audience_problems(
    recipients: Iterable[Recipient],
    declared: Iterable[str],
    list_name: str,
    *,
    most: int = 10,
) -> list[str]:
    """Each row whose ``audiences`` cell names an audience not ``declared``, by row.

    Example: ``recipients.csv: row 12: audience 'shcools' is not one of the
    declared audiences; did you mean 'schools'? the audiences are health, police,
    schools``. After
    ``most`` of them, one line counts the rest.
    """
    known = sorted(declared)
    problems: list[str] = []
    for recipient in recipients:
        try:
            names = reader_audiences(recipient)
        except ContentError as error:
            problems.append(f"{list_name}: row {recipient.row}: {error.message}")
            continue
        problems.extend(
            f"{list_name}: row {recipient.row}: {unknown_audience(name, known)}"
            for name in sorted(names - set(known))
        )
    if len(problems) > most:
        hidden = len(problems) - most
        problems[most:] = [
            f"{list_name}: and {hidden:,} more audience"
            f"{'s' if hidden != 1 else ''} not declared in other rows"
        ]
    return problems


def repeated_with_other_audiences(
    recipients: RecipientList, list_name: str
) -> Iterator[str]:
    """Rows repeating an address with audiences the first row does not give: only
    the first row counts, so the reader would miss the others' parts."""
    for duplicate in recipients.duplicates:
        first = recipients.find(duplicate.address)
        if first is None:
            continue
        try:
            cell = duplicate.fields.get(AUDIENCES_FIELD, "")
            extra = audience_names(cell, what="the audiences column's")
            extra -= reader_audiences(first)
        except ContentError as error:
            yield f"{list_name}: row {duplicate.row}: {error.message}"
            continue
        if extra:
            yield (
                f"{list_name}: row {duplicate.row} repeats {duplicate.address} from "
                f"row {duplicate.first_row} with other audiences ({describe(extra)}), "
                f"which only row {duplicate.first_row} counts; put all of a reader's "
                "audiences in one row, separated by ;"
            )


class EditionMessages:
    """An edition's message in each variant its readers get; each reader gets theirs.

    Offers what a :class:`~bulletin.mail.message.MessageTemplate` offers
    (``personal``, ``message_id``, ``values``, ``problems``, ``fingerprint``),
    each for the reader's own variant, so that a send can take either.

    Args:
        variants: each group of readers' audiences (a reader in no audience:
            the empty set, always present) with their rendered email, as
            :func:`~bulletin.rendering.render_variants` returns them.
        settings, date, secret, salt: as :class:`MessageTemplate`.

    Raises:
        ContentError: a header value holds a line break or control character.
    """

    def __init__(
        self,
        variants: Mapping[frozenset[str], Rendered],
        settings: Settings,
        date: dt.date | dt.datetime,
        *,
        secret: str | None = None,
        salt: str = "",
    ) -> None:
        if frozenset() not in variants:
            raise ValueError("the variant of a reader in no audience is missing")
        self.settings = settings
        self.date = date
        self.secret = secret
        self.salt = salt
        built: dict[int, MessageTemplate] = {}
        self._by_audiences: dict[frozenset[str], MessageTemplate] = {}
        for audiences, rendered in variants.items():
            if id(rendered) not in built:
                built[id(rendered)] = MessageTemplate(
                    rendered, settings, date, secret=secret, salt=salt
                )
            self._by_audiences[audiences] = built[id(rendered)]
        self._templates = {
            variant_key(template.rendered.variant): template
            for template in built.values()
        }
        self._by_cell: dict[str, MessageTemplate] = {}
        """Each audiences cell seen, as written, with its reader's message."""
        self.default = self._by_audiences[frozenset()]
        """The message of a reader in no audience (and of a copy for nobody)."""

    @property
    def rendered(self) -> Rendered:
        """The email a reader in no audience gets (its subject and slug are everyone's)."""
        return self.default.rendered

    @property
    def templates(self) -> Mapping[str, MessageTemplate]:
        """Each variant's message, by the variant's name (:func:`variant_key`)."""
        return self._templates

    @property
    def variants(self) -> Mapping[str, str]:
        """Each variant's fingerprint, by name: what the journal compares per reader."""
        return {
            name: template.fingerprint for name, template in self._templates.items()
        }

    @property
    def fingerprint(self) -> str:
        """A digest of every variant's fingerprint (one variant: its own)."""
        if len(self._templates) == 1:
            return self.default.fingerprint
        hasher = hashlib.sha256()
        for name, digest in sorted(self.variants.items()):
            hasher.update(f"{name}\0{digest}\n".encode())
        return hasher.hexdigest()

    def template(self, recipient: Recipient | None) -> MessageTemplate:
        """The message of ``recipient``'s variant.

        Raises:
            RecipientError: the reader's audiences cell cannot be read, or
                names audiences no variant was rendered for.
        """
        cell = "" if recipient is None else recipient.fields.get(AUDIENCES_FIELD, "")
        found = self._by_cell.get(cell)
        if found is not None:
            return found  # each message asks twice (its id, then its bytes)
        try:
            audiences = reader_audiences(recipient)
        except ContentError as error:
            raise RecipientError(_who(recipient) + error.message) from None
        found = self._by_audiences.get(audiences)
        if found is None:
            raise RecipientError(
                f"{_who(recipient)}no variant was rendered for readers in "
                f"{describe(audiences)}; render the edition for the whole list"
            )
        self._by_cell[cell] = found
        return found

    def variant(self, recipient: Recipient | None) -> str:
        """The name of the variant ``recipient`` gets (:func:`variant_key`)."""
        return variant_key(self.template(recipient).rendered.variant)

    def personal(self, recipient: Recipient | None = None) -> PersonalMessage:
        """``recipient``'s message, from their variant (see :meth:`MessageTemplate.personal`)."""
        return self.template(recipient).personal(recipient)

    def message_id(self, recipient: Recipient | None) -> str:
        """The Message-ID of ``recipient``'s copy of their variant."""
        return self.template(recipient).message_id(recipient)

    def values(self, recipient: Recipient | None) -> dict[str, str]:
        """The field values for ``recipient`` (the same in every variant)."""
        return self.default.values(recipient)

    def problems(self, recipient: Recipient | None) -> list[str]:
        """Why ``recipient``'s values cannot be sent in their variant; empty when they can."""
        try:
            audiences = reader_audiences(recipient)
        except ContentError as error:
            return [error.message]
        if audiences not in self._by_audiences:
            return [f"no variant was rendered for readers in {describe(audiences)}"]
        return self._by_audiences[audiences].problems(recipient)


def _who(recipient: Recipient | None) -> str:
    if recipient is None:
        return ""
    return f"row {recipient.row} ({recipient.address}): " if recipient.row else ""
