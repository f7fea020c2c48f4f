"""An edition file in, a report out: what ``bulletin check`` does.

:func:`check_file` loads and renders the edition and asks
:func:`bulletin.checking.check` for every finding. An edition that does not
load or render is a report too: each problem an error, with its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bulletin.checking import SPAM_RULES, Report, check, rules
from bulletin.checking.spamassassin import require_spamassassin
from bulletin.errors import BulletinError
from bulletin.loading.source import load
from bulletin.model.audiences import tagged_audiences
from bulletin.model.edition import Edition
from bulletin.rendering import render_variants

__all__ = ["check_file", "typical_readers"]


def check_file(
    path: Path | str,
    *,
    layout: str | None = None,
    ignore: Iterable[str] = (),
    spam: bool = False,
) -> Report:
    """Load, render and check the edition at ``path``: every rule, in every scope.

    Args:
        path: an edition file (``.md``, or ``.py`` defining ``edition``).
        layout: a layout name overriding the edition's and bulletin.toml's.
        ignore: codes of rules not to run, e.g. ``["vague-link"]``.
        spam: also score the ``.eml`` that ``build`` writes with SpamAssassin
            (local rules, no network; seconds): :data:`~bulletin.checking.SPAM_RULES`.

    Returns:
        The findings; a problem that stops the edition loading or rendering
        is an error finding (code ``load``), never an exception.

    Raises:
        BulletinError: a code in ``ignore`` is not a rule's (whatever the file);
            with ``spam``, SpamAssassin is not installed (says how to get it)
            or fails.

    Example:
        >>> report = check_file("examples/dscb-2019-02/edition.md")
        >>> report.passed()
        True
    """
    ignore = [ignore] if isinstance(ignore, str) else list(ignore)
    include = SPAM_RULES if spam else ()
    rules(ignore=ignore)  # a mistyped code fails, whether the file loads or not
    if spam:
        require_spamassassin()  # before the seconds spent loading and rendering
    try:
        source = load(path)
        variants = render_variants(
            source.edition,
            source.settings,
            typical_readers(source.edition),
            layout=layout or source.layout,
            base_dir=source.base_dir,
            digest=source.digest,
        )
    except BulletinError as error:
        return Report.from_error(path, error)
    return check(
        source,
        variants[frozenset()],
        layout=layout,
        ignore=ignore,
        include=include,
        variants=variants.values(),
    )


def typical_readers(edition: Edition) -> list[frozenset[str]]:
    """The readers whose variants ``check`` and ``build`` look at, without a list.

    A reader in no audience, a reader in each audience the edition tags, and
    a reader in all of them (the largest email). A list's own mix of
    audiences is checked when it is sent.
    """
    tagged = tagged_audiences(edition)
    if not tagged:
        return [frozenset()]
    return [frozenset(), *(frozenset({name}) for name in sorted(tagged)), tagged]
