"""Which readers of a list a send is for: ``send --audience`` and ``--where``.

Everyone, unless an audience is chosen (readers whose ``audiences`` cell names
it) or columns must hold given values (``--where team=Early Help``, compared
without case or extra spaces). The journal still records the whole list, so
that a send to part of it and a later one to the rest send nobody twice.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bulletin.errors import ContentError, RecipientError
from bulletin.mail.recipients import Recipient, RecipientList, field_name
from bulletin.mail.variants import reader_audiences
from bulletin.model.audiences import unknown_audience
from bulletin.model.tags import audience_names

__all__ = ["Chooser", "chooser"]


@dataclass(frozen=True, slots=True)
class Chooser:
    """Which readers a send is for: those in ``audience`` and matching each ``where``."""

    audience: str | None
    where: tuple[tuple[str, str], ...]
    what: str
    """How an editor reads the choice: ``audience schools``; empty: everyone."""

    def __call__(self, recipient: Recipient) -> bool:
        if self.audience is not None:
            try:
                if self.audience not in reader_audiences(recipient):
                    return False
            except ContentError:
                return False
        return all(
            _folded(recipient.fields.get(name, "")) == value
            for name, value in self.where
        )


def chooser(
    recipients: RecipientList,
    declared: tuple[str, ...],
    audience: str | None,
    where: list[tuple[str, str]],
) -> Chooser:
    """Check ``audience`` and each ``where`` column against the list and settings.

    Raises:
        RecipientError: the audience is not declared, or a column is not on the list.
    """
    chosen: str | None = None
    parts = []
    if audience is not None:
        try:
            names = audience_names(audience)
        except ContentError as error:
            raise RecipientError(error.message) from None
        if len(names) != 1:
            raise RecipientError(
                f"--audience takes one audience, not {audience!r}; a reader in "
                "any of several is sent to by running send once for each"
            )
        (chosen,) = names
        if chosen not in declared:
            raise RecipientError(unknown_audience(chosen, sorted(declared)))
        parts.append(f"audience {chosen}")
    pairs = []
    for column, value in where:
        name = field_name(column)
        if name not in recipients.fields:
            near = difflib.get_close_matches(name, list(recipients.fields), n=1)
            hint = (
                f"did you mean {near[0]!r}? " if near else ""
            ) + f"its columns are {', '.join(recipients.fields) or 'only the email'}"
            raise RecipientError(
                f"{recipients.path.name} has no column {column!r}; {hint}"
            )
        pairs.append((name, _folded(value)))
        parts.append(f"{column} = {value}")
    return Chooser(chosen, tuple(pairs), " and ".join(parts))


def _folded(value: str) -> str:
    return " ".join(value.split()).casefold()
