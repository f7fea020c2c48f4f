"""An edition and a recipient list, made ready to send: what ``bulletin send`` prepares.

:func:`prepare` loads and renders the edition once, reads the recipient
list, takes out everyone on the suppression list, and builds the message
template that fills each recipient in. It gathers everything worth saying
before a send, in the words ``bulletin check`` uses for the same things:
warnings (a field no column fills, a mailto-only unsubscribe, an email over
Gmail's clip) and problems that must stop a real send (no sender, no way to
unsubscribe, no unsubscribe secret). A recipient whose merge fields cannot be
sent (a ``javascript:`` link, a line break in a subject field) is set aside
with the rows the list rejected, by row number, before anything is written.
Delivery (an outbox folder, or SMTP) takes a :class:`Mailing` from here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bulletin.checking import check, rules
from bulletin.commands.choosing import chooser
from bulletin.commands.sync import sync_before_send
from bulletin.errors import ContentError, RecipientError, SendError
from bulletin.loading.config import SUPPRESSIONS_NAME
from bulletin.loading.source import Source, load
from bulletin.mail.message import EMAIL, Messages, PersonalMessage
from bulletin.mail.recipients import (
    Recipient,
    RecipientList,
    Rejection,
    read_recipients,
)
from bulletin.mail.suppression import SuppressionList
from bulletin.mail.unsubscribe import secrets_from_env
from bulletin.mail.variants import (
    AUDIENCES_FIELD,
    EditionMessages,
    audience_problems,
    reader_audiences,
    repeated_with_other_audiences,
)
from bulletin.model.audiences import tagged_audiences
from bulletin.model.fields import UNSUBSCRIBE_URL, split_fields
from bulletin.model.rendered import Rendered
from bulletin.rendering import render_variants

__all__ = [
    "NO_LIST",
    "TEST_SALT",
    "Mailing",
    "find_recipient",
    "prepare",
    "secret_for",
    "suppressions_path",
]

NO_LIST = Path("(none)")
"""The path of an empty recipient list made for test copies alone."""

TEST_SALT = "test"
"""Mixed into test copies' Message-IDs, so a later real send is not taken for a repeat."""


@dataclass(frozen=True, slots=True)
class Mailing:
    """One edition to one recipient list, ready to go out."""

    source: Source
    rendered: Rendered
    """The email of a reader in no audience."""
    template: Messages
    """Fills each recipient in from their variant; built once."""
    recipients: RecipientList
    """The list as read, with the rows set aside: those the list rejected and
    those whose merge fields cannot be sent."""
    to_send: tuple[Recipient, ...]
    """The recipients to send to: valid, distinct, not suppressed and chosen
    (:attr:`chosen`), in file order."""
    suppressed: tuple[Recipient, ...]
    """Recipients left out because they are on the suppression list."""
    suppressions: Path
    """The suppression list's file."""
    warnings: tuple[str, ...]
    """Things worth knowing before sending."""
    problems: tuple[str, ...]
    """What must be put right before a real send; empty when ready."""
    variants: Mapping[frozenset[str], Rendered]
    """Each group of readers' audiences with their email (one entry, the empty
    set, for an edition that tags nothing)."""
    on_list: tuple[Recipient, ...]
    """Every recipient a send is for, chosen or not (valid, distinct, not
    suppressed): the journal keeps them all, so that a send to part of the
    list and a later one to the rest never send anyone twice."""
    chosen: str
    """What chose :attr:`to_send` from :attr:`on_list` (``audience schools``,
    ``team = Early Help``); empty when everyone was."""
    audience: str | None
    """The audience chosen, if one was: a test copy to an address not on the
    list shows that audience's variant."""

    @property
    def ready(self) -> bool:
        """True when nothing stops a real send."""
        return not self.problems

    def messages(self) -> Iterator[PersonalMessage]:
        """Each recipient's message, in list order."""
        for recipient in self.to_send:
            yield self.template.personal(recipient)

    def test_messages(self, addresses: Iterable[str]) -> list[PersonalMessage]:
        """Test copies for ``addresses``, with their own Message-IDs.

        An address on the recipient list gets that row's merge fields (and
        variant), so a test to oneself shows one's own greeting; another gets
        the variant of the audience chosen, if one was.

        Raises:
            RecipientError: an address is not valid.
        """
        template = EditionMessages(
            self.variants,
            self.source.settings,
            self.template.date,
            secret=self.template.secret,
            salt=TEST_SALT,
        )
        copies: dict[str, PersonalMessage] = {}
        for address in addresses:
            listed = self.recipients.find(address) or Recipient.of(
                address, {AUDIENCES_FIELD: self.audience} if self.audience else None
            )
            if listed.key not in copies:
                copies[listed.key] = template.personal(_readable(listed))
        return list(copies.values())


def suppressions_path(source: Source) -> Path:
    """The suppression list's file for ``source``: as bulletin.toml says, or beside the edition."""
    found = source.config.suppressions
    if found is not None:
        return found
    return source.path.parent / SUPPRESSIONS_NAME


def secret_for(source: Source, environ: Mapping[str, str] | None = None) -> str | None:
    """The unsubscribe secret that signs tokens, or None when the links need none.

    Raises:
        SendError: ``unsubscribe_url`` has ``{token}`` and the secret is not set.
    """
    url = source.settings.unsubscribe_url
    if url is None or "{token}" not in url:
        return None
    return secrets_from_env(environ)[0]


def prepare(
    edition: Path | Source,
    recipients: Path | RecipientList,
    *,
    email_column: str | None = None,
    suppressions: Path | None = None,
    date: dt.datetime | None = None,
    environ: Mapping[str, str] | None = None,
    audience: str | None = None,
    where: Iterable[tuple[str, str]] = (),
    sync: bool = True,
) -> Mailing:
    """Render ``edition`` once per variant its readers get and match it with ``recipients``.

    Args:
        edition: the edition file, or an edition already loaded.
        recipients: the recipient CSV, or a list already read.
        email_column: the email column's header, if not a usual one.
        suppressions: the suppression list's file; by default the one
            bulletin.toml names, or ``suppressed.csv`` beside it.
        date: the Date header; now when None.
        environ: where to find :data:`~bulletin.mail.unsubscribe.SECRET_ENV`.
        audience: send only to the readers in this audience.
        where: send only to the readers whose column (a header as written,
            or its field name) holds the value (compared without case); each
            pair narrows the choice further.
        sync: ask the unsubscribe service for news first, as a real send
            must; a dry run or test copies leave the suppression list as it is.

    Raises:
        BulletinError: the edition or the recipient list cannot be read, or
            ``audience`` or a ``where`` column is unknown.
    """
    source = edition if isinstance(edition, Source) else load(edition)
    if not isinstance(recipients, RecipientList):
        recipients = read_recipients(recipients, email_column=email_column)
    settings = source.settings
    where = list(where)
    if where and recipients.path == NO_LIST:
        raise RecipientError(
            "--where chooses among the readers of a list: give --recipients too"
        )
    choose = chooser(recipients, settings.audiences, audience, where)
    variants = render_variants(
        source.edition,
        settings,
        _readers(recipients)
        | ({frozenset({choose.audience})} if choose.audience else set()),
        layout=source.layout,
        base_dir=source.base_dir,
        digest=source.digest,
    )
    rendered = variants[frozenset()]
    warnings = list(recipients.warnings)
    problems: list[str] = [
        *repeated_with_other_audiences(recipients, recipients.path.name),
        *audience_problems(recipients, settings.audiences, recipients.path.name),
    ]
    tagged = tagged_audiences(source.edition)
    if (
        tagged
        and recipients.path != NO_LIST
        and AUDIENCES_FIELD not in recipients.fields
    ):
        near = difflib.get_close_matches(AUDIENCES_FIELD, list(recipients.fields), n=1)
        hint = f" (is {near[0]!r} meant to be it?)" if near else ""
        problems.append(
            f"{recipients.path.name} has no audiences column{hint}, but parts of the "
            f"edition are for some audiences only ({', '.join(sorted(tagged))}); add "
            "a column headed audiences with each reader's, separated by ; (empty for "
            "a reader in none)"
        )
    report = check(
        source, rendered, scopes=["email", "sending"], variants=variants.values()
    )
    for finding in report.findings:
        # Only what sending needs, and the clip that hides the unsubscribe
        # link, stop a send: the rest (say the colours) are for `bulletin check`
        # to insist on before the day.
        stops = finding.level == "error" and finding.code in _STOPPING
        (problems if stops else warnings).append(finding.placed)
    try:
        secret = secret_for(source, environ)
    except SendError as error:
        secret = None
        problems.append(str(error))
    if suppressions is not None and not suppressions.is_file():
        raise RecipientError(
            f"{suppressions}: no such suppression list; check the name, or leave "
            "out --suppressions to use suppressed.csv beside bulletin.toml"
        )
    path = suppressions or suppressions_path(source)
    synced, stale = (
        sync_before_send(source.config.unsubscribe, path, environ=environ)
        if sync
        else (None, None)
    )
    if not sync and source.config.unsubscribe.get("service_url"):
        warnings.append(
            "the unsubscribe service was not asked for news (nothing is sent to "
            "the list now); a real send asks it first"
        )
    if stale is not None:
        problems.append(stale)
    if synced is not None and (synced.added or synced.removed):
        warnings.append(
            f"from the unsubscribe service: {len(synced.added)} unsubscribed, "
            f"{len(synced.removed)} subscribed again since the last sync"
        )
    suppression_list = SuppressionList.load(path)
    to_send: list[Recipient] = []
    suppressed: list[Recipient] = []
    for recipient in recipients:
        (suppressed if suppression_list.has_key(recipient.key) else to_send).append(
            recipient
        )
    if (
        choose.what
        and recipients.path != NO_LIST
        and not any(choose(recipient) for recipient in to_send)
    ):
        warnings.append(
            f"no recipient on {recipients.path.name} is in {choose.what}, so "
            "nobody is sent anything"
        )
    if recipients.path != NO_LIST:
        warnings.extend(_field_warnings(rendered, recipients, to_send))
    needing_utf8 = sum(recipient.smtputf8 for recipient in to_send)
    if needing_utf8:
        warnings.append(
            f"{needing_utf8} {'address has' if needing_utf8 == 1 else 'addresses have'}"
            " non-ASCII letters before the @, so the mail server must support "
            "SMTPUTF8 to deliver to them"
        )
    template = EditionMessages(
        variants,
        settings,
        date or dt.datetime.now().astimezone().replace(microsecond=0),
        secret=secret,
    )
    recipients, on_list = _set_aside(template, recipients, to_send)
    return Mailing(
        source=source,
        rendered=rendered,
        template=template,
        recipients=recipients,
        to_send=tuple(recipient for recipient in on_list if choose(recipient)),
        suppressed=tuple(suppressed),
        suppressions=path,
        warnings=tuple(warnings),
        problems=tuple(problems),
        variants=variants,
        on_list=tuple(on_list),
        chosen=choose.what,
        audience=choose.audience,
    )


def _readers(recipients: RecipientList) -> set[frozenset[str]]:
    """Each distinct set of audiences on the list (an unreadable cell is set aside
    later, by :meth:`EditionMessages.problems`), and a reader in none."""
    found: set[frozenset[str]] = {frozenset()}
    for recipient in recipients:
        try:
            found.add(reader_audiences(recipient))
        except ContentError:
            continue
    return found


def _readable(recipient: Recipient) -> Recipient:
    """``recipient``, or for a test copy, a reader in no audience when their
    audiences cell cannot be read (their row is set aside from the send)."""
    try:
        reader_audiences(recipient)
        return recipient
    except ContentError:
        pass
    fields = {k: v for k, v in recipient.fields.items() if k != AUDIENCES_FIELD}
    return dataclasses.replace(recipient, fields=fields)


def _set_aside(
    template: Messages, recipients: RecipientList, to_send: list[Recipient]
) -> tuple[RecipientList, list[Recipient]]:
    """Take out the recipients whose values cannot be sent; reject their rows."""
    kept: list[Recipient] = []
    rejected: list[Rejection] = []
    for recipient in to_send:
        problems = template.problems(recipient)
        if problems:
            rejected.append(
                Rejection(recipient.row, recipient.address, "; ".join(problems))
            )
        else:
            kept.append(recipient)
    if not rejected:
        return recipients, to_send
    gone = {rejection.value for rejection in rejected}
    listed = dataclasses.replace(
        recipients,
        recipients=tuple(each for each in recipients if each.address not in gone),
        rejected=tuple(
            sorted((*recipients.rejected, *rejected), key=lambda each: each.row)
        ),
    )
    return listed, kept


_STOPPING = frozenset(rule.code for rule in rules() if rule.stops_send)
"""The codes of findings that stop a real send when they are errors."""


def _field_warnings(
    rendered: Rendered, recipients: RecipientList, to_send: list[Recipient]
) -> list[str]:
    """Fields the edition asks for that the list leaves empty."""
    defaults: dict[str, str] = {}
    for document in (rendered.text, rendered.html):
        for name, default in split_fields(document)[1]:
            defaults.setdefault(name, default)
    warnings = []
    for name in sorted(set(defaults) - {UNSUBSCRIBE_URL, EMAIL}):
        default = defaults[name]
        fallback = f"the default {default!r}" if default else "nothing in its place"
        if name not in recipients.fields:
            warnings.append(
                f"the edition uses {{{{ {name} }}}} but {recipients.path.name} has no "
                f"{name} column, so everyone gets {fallback}"
            )
            continue
        empty = sum(1 for recipient in to_send if not recipient.fields.get(name))
        if empty and not default:
            warnings.append(
                f"{empty} recipient{'s' if empty != 1 else ''} have no {name} and "
                f"{{{{ {name} }}}} has no default, so they get nothing in its place; "
                f"write {{{{ {name} | a default }}}}"
            )
    return warnings


def find_recipient(recipients: RecipientList, address: str) -> Recipient:
    """The recipient ``address`` on the list, for ``--as``.

    Raises:
        RecipientError: the address is not on the list; says if it was set aside.
    """
    found = recipients.find(address)
    if found is not None:
        return found
    key = address.strip().casefold()
    for rejection in recipients.rejected:
        if rejection.value.casefold() == key:
            raise RecipientError(
                f"{recipients.path}: row {rejection.row}: {address} gets nothing, "
                f"because the row was set aside: {rejection.reason}"
            )
    raise RecipientError(
        f"{address} is not on {recipients.path} ({len(recipients)} recipients)"
    )
