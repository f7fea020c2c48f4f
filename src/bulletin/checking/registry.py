"""The rules, each declared once and in order, and :func:`check`, which runs them.

Like markdown-it-py's ``parser_core``, this module lists what runs: each rule's
``code``, ``level``, ``scope``, one sentence for the docs, and the function
that finds it (in ``sections``, ``words``, ``dates``, ``pictures``, ``email``
and ``sending``). A rule function yields a message and a place; the code and
level come from here alone. ``docs/checks.md`` is generated from this list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, get_args

from bulletin.checking import (
    audiences,
    dates,
    email,
    pictures,
    sections,
    sending,
    tables,
    words,
)
from bulletin.checking.base import Context, Found
from bulletin.checking.limits import GMAIL_CLIP_BYTES, IMAGE_BUDGET_BYTES, MIN_CONTRAST
from bulletin.checking.report import Finding, Level, Report
from bulletin.checking.spamassassin import CLEAN_SCORE
from bulletin.errors import BulletinError
from bulletin.loading.source import Source
from bulletin.model.audiences import describe
from bulletin.model.rendered import Rendered
from bulletin.rendering.layouts import load_layout

__all__ = ["RULES", "SCOPES", "SPAM_RULES", "Rule", "Scope", "check", "rules"]

Scope = Literal["content", "email", "sending"]
"""What a rule looks at: ``content``, the edition's words and blocks; ``email``,
the email as rendered (its size, pictures, headings and colours); ``sending``,
what a real send needs from the settings (a sender, a way to unsubscribe)."""

SCOPES: tuple[Scope, ...] = get_args(Scope)
"""Every scope, in the order the docs list them."""

_CODE = re.compile(r"[a-z]+(-[a-z]+)*")


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of finding: its name, how serious it is, what it means, how it is found."""

    code: str
    """A stable kebab-case name, e.g. ``vague-link``; what ``--ignore`` takes."""
    level: Level
    """``error`` (do not send like this) or ``warning`` (worth fixing)."""
    scope: Scope
    """What it looks at: ``content``, ``email`` or ``sending``."""
    doc: str
    """What the finding means, in one sentence for the docs."""
    find: Callable[[Context], Iterable[Found]]
    """Yields the message and place of each instance found."""
    opt_in: bool = False
    """Runs only when asked for by code (``include``): it needs another program
    (SpamAssassin) and takes seconds."""
    stops_send: bool = False
    """Its errors stop a real send, not only ``check``: what sending needs (a
    sender, an unsubscribe link) and what would hide the unsubscribe link."""

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"rule code {self.code!r} is not kebab-case")
        if self.level not in get_args(Level):
            raise ValueError(
                f"rule {self.code}: level {self.level!r} is not one of {get_args(Level)}"
            )
        if self.scope not in SCOPES:
            raise ValueError(
                f"rule {self.code}: scope {self.scope!r} is not one of {SCOPES}"
            )
        if not self.doc.endswith(".") or "\n" in self.doc:
            raise ValueError(f"rule {self.code}: doc should be one sentence")

    def findings(self, context: Context) -> Iterator[Finding]:
        """What this rule finds in ``context``, as findings with its code and level."""
        for message, where in self.find(context):
            yield Finding(self.level, self.code, message, where)


def _registry(*declared: Rule) -> tuple[Rule, ...]:
    codes = [rule.code for rule in declared]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        raise ValueError(f"rule codes declared twice: {', '.join(twice)}")
    return declared


RULES = _registry(
    # content: the edition's words and blocks ---------------------------------
    Rule(
        "no-preheader", "warning", "content",
        "The edition has no preheader, so inboxes preview its first words instead.",
        sections.no_preheader,
    ),
    Rule(
        "empty-section", "error", "content",
        "A section has a heading and nothing under it.",
        sections.empty_section,
    ),
    Rule(
        "duplicate-section", "warning", "content",
        "Two sections have the same heading.",
        sections.duplicate_section,
    ),
    Rule(
        "duplicate-article", "warning", "content",
        "Two articles in one section have the same heading.",
        sections.duplicate_article,
    ),
    Rule(
        "vague-link", "warning", "content",
        "A link's words (such as \"click here\") do not say where it goes, and "
        "screen readers list links by their words.",
        words.vague_link,
    ),
    Rule(
        "bare-url-link", "warning", "content",
        "A link shows its web address as its words instead of saying what is there.",
        words.bare_url_link,
    ),
    Rule(
        "unlinked-url", "warning", "content",
        "A web address is written out in the text but is not a link.",
        words.unlinked_url,
    ),
    Rule(
        "insecure-link", "warning", "content",
        "A link, button, picture or event goes to an `http://` address rather than `https://`.",
        words.insecure_link,
    ),
    Rule(
        "field-without-default", "warning", "content",
        "A merge field such as `{{ first_name }}` has no default, so readers the "
        "list has no value for see a gap.",
        words.field_without_default,
    ),
    Rule(
        "past-event", "warning", "content",
        "An event ends before the edition's date.",
        dates.past_event,
    ),
    Rule(
        "past-deadline", "warning", "content",
        "A sentence about a deadline gives a date before the edition's date.",
        dates.past_deadline,
    ),
    Rule(
        "wide-table", "warning", "content",
        "A table has more columns than a phone shows without breaking words.",
        tables.wide_table,
    ),
    Rule(
        "narrowed-audience", "warning", "content",
        "A part tagged for an audience sits inside a section or article tagged for "
        "others, so only readers in both see it.",
        audiences.narrowed_audience,
    ),
    Rule(
        "empty-variant", "warning", "content",
        "Readers in some audience (or in none) would get no section at all.",
        audiences.empty_variant,
    ),
    Rule(
        "vague-alt", "warning", "content",
        "A picture's alt text (such as \"image\" or a file name) does not say what it shows.",
        pictures.vague_alt,
    ),
    # email: the email as rendered --------------------------------------------
    Rule(
        "clipped", "error", "email",
        f"The email's HTML is over the {GMAIL_CLIP_BYTES // 1024} KB at which Gmail "
        "clips a message and hides the rest, unsubscribe link included; `send` "
        "refuses it (`build` still writes the files).",
        email.clipped, stops_send=True,
    ),
    Rule(
        "heavy-image", "warning", "email",
        f"A picture is over {IMAGE_BUDGET_BYTES // 1024} KB even after it is "
        "resized and optimised, slow to load on a phone.",
        pictures.heavy_image,
    ),
    Rule(
        "heading-order", "warning", "email",
        "The layout skips a heading level (say an h1 then an h3), which misleads "
        "screen reader users who move by headings.",
        email.heading_order,
    ),
    Rule(
        "contrast", "error", "email",
        f"A text colour and its background are below {MIN_CONTRAST}:1 contrast "
        "(WCAG AA), too faint for many readers.",
        email.contrast,
    ),
    Rule(
        "spam-score", "warning", "email",
        "With `--spam`: a SpamAssassin rule adds more than "
        f"{CLEAN_SCORE} to the `.eml`'s score (local rules only, no network), or "
        f"the total is over {CLEAN_SCORE}; one finding per rule, which says what it saw.",
        email.spam_score, opt_in=True,
    ),
    Rule(
        "marked-spam", "error", "email",
        "With `--spam`: SpamAssassin's local rules alone score the `.eml` at or "
        "over its threshold (5), so mail servers would file it as spam.",
        email.marked_spam, opt_in=True,
    ),
    # sending: what a real send needs from the settings -----------------------
    Rule(
        "no-sender", "error", "sending",
        "The settings have no `[sender]`, so there is no From address to send from.",
        sending.no_sender, stops_send=True,
    ),
    Rule(
        "no-unsubscribe", "error", "sending",
        "The settings have no `unsubscribe_url` (nor `unsubscribe_mailto`), and bulk "
        "mail must let readers unsubscribe.",
        sending.no_unsubscribe, stops_send=True,
    ),
    Rule(
        "no-one-click", "warning", "sending",
        "Unsubscribing cannot take one click (an https `unsubscribe_url`, RFC 8058), "
        "which Gmail and Yahoo expect of bulk mail.",
        sending.no_one_click,
    ),
    Rule(
        "unsubscribe-no-token", "warning", "sending",
        "The https `unsubscribe_url` has no `{token}`, so the website cannot tell who "
        "is unsubscribing.",
        sending.unsubscribe_no_token,
    ),
)  # fmt: skip
"""Every rule, in the order they run (ties in a report keep this order)."""

SPAM_RULES = ("spam-score", "marked-spam")
"""The opt-in rules that score the ``.eml`` with SpamAssassin: ``include`` them."""


def rules(
    *,
    scopes: Iterable[Scope] | None = None,
    ignore: Iterable[str] = (),
    include: Iterable[str] = (),
) -> tuple[Rule, ...]:
    """The rules in ``scopes`` (all when None), leaving out the codes in ``ignore``.

    A rule that is :attr:`~Rule.opt_in` runs only when its code is in ``include``.

    Raises:
        BulletinError: a code in ``ignore`` or ``include`` is not a rule's; says
            which are close.
        ValueError: a scope is not one of :data:`SCOPES`.

    Example:
        >>> [rule.code for rule in rules(scopes=["sending"], ignore=["no-one-click"])]
        ['no-sender', 'no-unsubscribe', 'unsubscribe-no-token']
    """
    wanted = set(SCOPES if scopes is None else _strings(scopes))
    unknown_scopes = sorted(wanted - set(SCOPES))
    if unknown_scopes:
        raise ValueError(
            f"unknown scope {unknown_scopes[0]!r}; the scopes are {', '.join(SCOPES)}"
        )
    skipped = set(_strings(ignore))
    wanted_too = set(_strings(include))
    codes = [rule.code for rule in RULES]
    unknown = sorted((skipped | wanted_too) - set(codes))
    if unknown:
        near = difflib.get_close_matches(unknown[0], codes, n=3)
        hint = (
            f"did you mean {_either(near)}?"
            if near
            else f"the codes are {', '.join(codes)}"
        )
        raise BulletinError(f"unknown check code {unknown[0]!r}; {hint}")
    return tuple(
        rule
        for rule in RULES
        if rule.scope in wanted
        and rule.code not in skipped
        and (not rule.opt_in or rule.code in wanted_too)
    )


def check(
    source: Source,
    rendered: Rendered,
    *,
    layout: str | None = None,
    ignore: Iterable[str] = (),
    scopes: Iterable[Scope] | None = None,
    include: Iterable[str] = (),
    variants: Iterable[Rendered] = (),
) -> Report:
    """Judge a loaded and rendered edition: every rule in ``scopes`` but those ignored.

    Args:
        source: the edition as loaded (:func:`bulletin.load`).
        rendered: its rendering (:func:`bulletin.render`).
        layout: the layout it was rendered with; the edition's when None.
        ignore: codes of rules not to run, e.g. ``["vague-link"]``.
        scopes: which rules to run (:data:`SCOPES`); all when None.
        include: codes of opt-in rules to run too, e.g. ``["spam-score"]``.
        variants: the edition's other renders, for readers in some
            audiences (:func:`~bulletin.rendering.render_variants`): each is
            held against Gmail's clip too, and its size reported.

    Returns:
        The findings, errors first, then in the edition file's order; with the
        spam rules, SpamAssassin's score too.

    Raises:
        BulletinError: a code in ``ignore`` or ``include`` is unknown, the layout
            cannot be loaded, or SpamAssassin (asked for) cannot run.
    """
    chosen = rules(scopes=scopes, ignore=ignore, include=include)
    context = Context(
        source,
        rendered,
        load_layout(layout or source.layout, source.settings.layout_paths),
        variants,
    )
    found = [finding for rule in chosen for finding in rule.findings(context)]
    found.sort(
        key=lambda item: (
            item.level != "error",
            item.location.file != source.path,
            item.location.line or 0,
            item.location.column or 0,
        )
    )
    spam = context.spam_report
    return Report(
        source.path,
        tuple(found),
        len(rendered.html.encode("utf-8")),
        spam_score=None if spam is None else spam.score,
        variant_bytes=variant_sizes([rendered, *context.variants])
        if context.variants
        else {},
    )


def variant_sizes(variants: Iterable[Rendered]) -> dict[str, int]:
    """Each variant's HTML size by who gets it (``no audience``, ``schools``...)."""
    return {
        describe(rendered.variant): len(rendered.html.encode("utf-8"))
        for rendered in variants
    }


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` as a tuple; one string is one value, not its letters."""
    return (values,) if isinstance(values, str) else tuple(values)


def _either(choices: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join(
        [", ".join(choices[:-1]), choices[-1]] if choices[1:] else choices
    )
