"""Is this edition ready to send? The one judge, and a report an editor can act on.

:func:`check` runs the rules of :data:`RULES` over an edition already loaded
and rendered, and returns a :class:`Report` of findings, each an error (the
edition cannot go out like this) or a warning (it can, but a reader will be
worse off), with where it is and what to do. Each :class:`Rule` is declared
once, in :mod:`bulletin.checking.registry`, with a stable ``code``, its
``level``, a ``scope`` and a sentence for ``docs/checks.md``:

- ``content``: the edition's words and blocks (link text, dates, sections,
  pictures' alt text, merge fields);
- ``email``: the email as rendered (Gmail's clip, heavy pictures, headings,
  colour contrast) and, only when asked for (:data:`SPAM_RULES`), SpamAssassin's
  score for the ``.eml``;
- ``sending``: what a real send needs from the settings (a sender, a way to
  unsubscribe, one-click unsubscribing).

A command that needs only part of the judgement asks for those scopes;
``bulletin check`` (:func:`bulletin.commands.check.check_file`) asks for all.
An edition that does not load or render is a report too:
:meth:`Report.from_error`.

Example:
    >>> from bulletin import load, render
    >>> source = load("examples/dscb-2019-02/edition.md")
    >>> rendered = render(source.edition, source.settings, base_dir=source.base_dir)
    >>> check(source, rendered, scopes=["sending"]).findings
    ()
"""

from __future__ import annotations

from bulletin.checking.limits import GMAIL_CLIP_BYTES, IMAGE_BUDGET_BYTES, MIN_CONTRAST
from bulletin.checking.registry import (
    RULES,
    SCOPES,
    SPAM_RULES,
    Rule,
    Scope,
    check,
    rules,
)
from bulletin.checking.report import LOAD, Finding, Level, Report

__all__ = [
    "GMAIL_CLIP_BYTES",
    "IMAGE_BUDGET_BYTES",
    "LOAD",
    "MIN_CONTRAST",
    "RULES",
    "SCOPES",
    "SPAM_RULES",
    "Finding",
    "Level",
    "Report",
    "Rule",
    "Scope",
    "check",
    "rules",
]
