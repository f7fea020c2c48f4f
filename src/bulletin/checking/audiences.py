"""Rules on parts for some audiences: a tag that narrows its container's, and a
group of readers left with no section at all."""

from __future__ import annotations

from collections.abc import Iterator

from bulletin.checking.base import Context, Found
from bulletin.model.audiences import describe, select, tagged_audiences
from bulletin.model.tags import tags_of

__all__ = ["empty_variant", "narrowed_audience"]


def narrowed_audience(context: Context) -> Iterator[Found]:
    """A tagged part inside a part tagged for other audiences reaches only readers in both."""
    for section in context.edition.sections:
        outer = tags_of(section)
        where = f"section {section.heading!r}"
        for article in section.articles:
            yield from _narrowed(context, article, outer, section.heading, where)
            inner = tags_of(article) or outer
            for block in article.blocks:
                yield from _narrowed(context, block, inner, article.heading, where)
        for block in [*section.blocks, *section.closing]:
            yield from _narrowed(context, block, outer, section.heading, where)


def _narrowed(
    context: Context, part: object, outer: frozenset[str], heading: str, where: str
) -> Iterator[Found]:
    inner = tags_of(part)
    if not outer or not inner or inner <= outer:
        return
    extra = describe(inner - outer)
    yield (
        f"a part for {describe(inner)} sits under '{heading}', which is for "
        f"{describe(outer)}: readers in {extra} alone never see it, only those also "
        f"in {describe(outer)}; tag '{heading}' for {extra} too, or move the part out",
        context.where(part, where),
    )


def empty_variant(context: Context) -> Iterator[Found]:
    """Some readers would get no section: only the title, introduction and footer."""
    tagged = tagged_audiences(context.edition)
    if not tagged:
        return
    everything = context.settings.no_audience == "everything"
    groups = [frozenset[str]()] if not everything else []
    groups += [frozenset({name}) for name in sorted(tagged)]
    for group in groups:
        if not select(context.edition, group).edition.sections:
            who = f"readers in {describe(group)}" if group else "readers in no audience"
            yield (
                f"{who} get no section at all, only the title, introduction and "
                "footer; give them a section for everyone, or leave them off this "
                "send (send --audience)",
                context.start(),
            )
