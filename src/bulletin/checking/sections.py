"""Rules on the edition's shape: its preheader, and its sections and articles."""

from __future__ import annotations

from collections.abc import Iterator

from bulletin.checking.base import Context, Found
from bulletin.errors import Location

__all__ = ["duplicate_article", "duplicate_section", "empty_section", "no_preheader"]


def no_preheader(context: Context) -> Iterator[Found]:
    """The inbox shows the email's first words when there is no preheader."""
    if context.edition.preheader:
        return
    # The front matter's second line, where a preheader: would go.
    known = bool(context.source.lines)
    yield (
        "no preheader: inboxes will show the email's first words instead; add "
        "preheader: with one line on what is in this edition",
        Location(
            block="edition",
            file=context.source.path,
            line=2 if known else None,
            column=1 if known else None,
        ),
    )


def duplicate_section(context: Context) -> Iterator[Found]:
    """Two sections with one heading (whatever the case)."""
    seen: dict[str, int] = {}
    for number, section in enumerate(context.edition.sections, start=1):
        key = section.heading.casefold()
        if key in seen:
            yield (
                f"section '{section.heading}' appears twice (also section {seen[key]}); "
                "merge them or give one a different heading",
                context.where(section, f"section {section.heading!r}"),
            )
        seen.setdefault(key, number)


def empty_section(context: Context) -> Iterator[Found]:
    """A heading with nothing under it."""
    for section in context.edition.sections:
        if not (section.blocks or section.articles or section.closing):
            yield (
                f"section '{section.heading}' is empty; write something under it "
                "or remove it",
                context.where(section, f"section {section.heading!r}"),
            )


def duplicate_article(context: Context) -> Iterator[Found]:
    """Two articles with one heading in the same section."""
    for section in context.edition.sections:
        titles: set[str] = set()
        for article in section.articles:
            if article.heading.casefold() in titles:
                yield (
                    f"article '{article.heading}' appears twice in '{section.heading}'",
                    context.where(article, f"article {article.heading!r}"),
                )
            titles.add(article.heading.casefold())
