"""Audiences: parts of an edition for some readers only, and the variant each reader gets.

A section, an article or a box (button, callout, event, contact) may be
tagged for one or more audiences (``Section("Training", audiences={"schools"})``,
``# Training {for schools}`` in Markdown). A reader sees every untagged part and
each part tagged for at least one of their audiences; nothing else of it
reaches them: not its words, its pictures' alt texts, its footnotes or its
pictures.

The audiences an organisation writes for are declared (``audiences`` in
bulletin.toml or the front matter, :attr:`Settings.audiences`); a tag naming
another is refused with the nearest declared name.

A *variant* is what one group of readers sees, named by the audiences that
decide it: a reader's own audiences among those the edition tags, so that a
reader in ``police`` of an edition with nothing for the police gets the same
variant as a reader in no audience (the untagged parts only). :func:`select`
makes a variant's edition: a copy holding only what its readers see, which
the renderer then renders as any other edition, so that nothing downstream
(contents, digest, plain text, pictures) can show a part it does not hold.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bulletin.errors import ContentError
from bulletin.model.tags import tags_of
from bulletin.model.walk import footnote_labels

if TYPE_CHECKING:
    from bulletin.model.blocks import Block
    from bulletin.model.edition import Article, Edition, Section
    from bulletin.model.text import Text

__all__ = [
    "MAX_VARIANTS",
    "Selection",
    "check_tags",
    "describe",
    "parse_variant",
    "select",
    "tagged_audiences",
    "unknown_audience",
    "variant_key",
    "variant_of",
    "visible",
]


MAX_VARIANTS = 128
"""The most variants one send renders: every mix of seven tagged audiences.
A list whose readers need more (each rendered and kept in memory) is refused
rather than left to exhaust the machine."""


def visible(part: object, audiences: frozenset[str] | None) -> bool:
    """True when readers in ``audiences`` (None: every audience) see ``part``."""
    tags = tags_of(part)
    return not tags or audiences is None or not tags.isdisjoint(audiences)


def tagged_audiences(edition: Edition) -> frozenset[str]:
    """Every audience some part of ``edition`` is tagged for."""
    found: set[str] = set()
    for _where, part in _tagged_parts(edition):
        found |= tags_of(part)
    return frozenset(found)


def check_tags(
    edition: Edition, declared: Iterable[str]
) -> Iterator[tuple[object, ContentError]]:
    """Each tagged part of ``edition`` naming an audience not in ``declared``, with why.

    The error names the part and the nearest declared audience.
    """
    known = sorted(declared)
    for where, part in _tagged_parts(edition):
        for name in sorted(tags_of(part) - set(known)):
            yield part, ContentError(unknown_audience(name, known)).within(where)


def unknown_audience(name: str, known: list[str]) -> str:
    """Why ``name`` is refused: the nearest of ``known``, or how to declare audiences."""
    if not known:
        return (
            f"audience {name!r} is not declared; list the audiences you write for "
            f'in bulletin.toml (audiences = ["{name}", ...]) or the front matter '
            f"(audiences: [{name}, ...])"
        )
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return (
        f"audience {name!r} is not one of the declared audiences; {hint}"
        f"the audiences are {', '.join(known)}"
    )


def _tagged_parts(edition: Edition) -> Iterator[tuple[str, object]]:
    """``(where, part)`` for every part of ``edition`` that is tagged."""
    for number, block in enumerate(edition.intro, start=1):
        if tags_of(block):
            yield f"intro > block {number}", block
    for section in edition.sections:
        place = f"section {section.heading!r}"
        if tags_of(section):
            yield place, section
        for number, block in enumerate([*section.blocks, *section.closing], start=1):
            if tags_of(block):
                yield f"{place} > block {number}", block
        for article in section.articles:
            where = f"{place} > article {article.heading!r}"
            if tags_of(article):
                yield where, article
            for number, block in enumerate(article.blocks, start=1):
                if tags_of(block):
                    yield f"{where} > block {number}", block


def variant_of(
    audiences: frozenset[str] | None, tagged: frozenset[str]
) -> frozenset[str]:
    """The variant a reader in ``audiences`` gets of an edition tagging ``tagged``.

    A reader's audiences that tag nothing make no difference, so two readers
    who see the same parts get the same variant; a reader who sees everything
    (``audiences`` None) gets the variant of every tagged audience.
    """
    return tagged if audiences is None else audiences & tagged


def variant_key(variant: frozenset[str]) -> str:
    """The variant's name as the journal keeps it: its audiences, sorted, joined by ``+``.

    The untagged parts alone are ``""``.
    """
    return "+".join(sorted(variant))


def parse_variant(key: str) -> frozenset[str]:
    """The audiences of a variant named ``key`` (:func:`variant_key`)."""
    return frozenset(name for name in key.split("+") if name)


def describe(variant: frozenset[str] | str, conjunction: str = "and") -> str:
    """A variant as an editor reads it: ``health and schools``, or ``no audience``.

    ``conjunction`` joins the last two names (a layout's word for "and" on a
    page in another language: Welsh ``a``).
    """
    names = sorted(parse_variant(variant) if isinstance(variant, str) else variant)
    if not names:
        return "no audience"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


@dataclass(frozen=True, slots=True)
class Selection:
    """One variant of an edition: the parts its readers see, and where each came from."""

    edition: Edition
    """A copy of the edition holding only what the variant's readers see."""
    whole: Edition
    """The edition it was selected from."""
    origin: dict[int, object]
    """The part of :attr:`whole` each section and article of :attr:`edition`
    is, by ``id()``: a part that lost some of its content is a new object, and
    anchors (the web copy's, which a digest links to) follow the original."""

    def original(self, part: object) -> object:
        """The part of :attr:`whole` that ``part`` (of :attr:`edition`) shows."""
        return self.origin.get(id(part), part)


def select(edition: Edition, audiences: frozenset[str] | None) -> Selection:
    """The variant of ``edition`` readers in ``audiences`` see (None: everything).

    Every part tagged only for other audiences is left out, with the
    footnotes only it referred to; a section or article left with nothing
    under its heading is left out too. What stays is the same objects
    (blocks are values) in the same order.
    """
    if audiences is None or not tagged_audiences(edition):
        return Selection(edition, edition, {})
    origin: dict[int, object] = {}
    sections = []
    for section in edition.sections:
        if not visible(section, audiences):
            continue
        kept = _select_section(section, audiences, origin)
        if kept is not None:
            sections.append(kept)
    chosen = dataclasses.replace(
        edition,
        intro=[block for block in edition.intro if visible(block, audiences)],
        sections=sections,
    )
    return Selection(chosen, edition, origin)


def _select_section(
    section: Section, audiences: frozenset[str], origin: dict[int, object]
) -> Section | None:
    from bulletin.model.edition import Section

    articles = []
    for article in section.articles:
        if not visible(article, audiences):
            continue
        kept = _select_article(article, audiences, origin)
        if kept is not None:
            articles.append(kept)
    blocks = _blocks(section.blocks, audiences)
    closing = _blocks(section.closing, audiences)
    if not (blocks or articles or closing):
        return None
    if (
        len(blocks) == len(section.blocks)
        and len(closing) == len(section.closing)
        and articles == section.articles
        and all(a is b for a, b in zip(articles, section.articles, strict=True))
    ):
        return section
    chosen = Section(
        section.heading,
        blocks,
        articles,
        link=section.link,
        closing=closing,
        footnotes=_notes(section.footnotes, [*blocks, *closing]),
        audiences=section.audiences,
    )
    origin[id(chosen)] = section
    return chosen


def _select_article(
    article: Article, audiences: frozenset[str], origin: dict[int, object]
) -> Article | None:
    from bulletin.model.edition import Article

    blocks = _blocks(article.blocks, audiences)
    if not blocks:
        return None
    if len(blocks) == len(article.blocks):
        return article
    chosen = Article(
        article.heading,
        blocks,
        link=article.link,
        footnotes=_notes(article.footnotes, blocks),
        audiences=article.audiences,
    )
    origin[id(chosen)] = article
    return chosen


def _blocks(blocks: list[Block], audiences: frozenset[str]) -> list[Block]:
    return [block for block in blocks if visible(block, audiences)]


def _notes(notes: dict[str, Text], blocks: list[Block]) -> dict[str, Text]:
    """The footnotes ``blocks`` still refer to: a note of a left-out part goes with it."""
    if not notes:
        return notes
    referred = set(footnote_labels(blocks))
    return {label: note for label, note in notes.items() if label in referred}
