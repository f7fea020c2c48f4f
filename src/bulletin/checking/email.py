"""Rules on the email as rendered: its size against Gmail's clip, headings, colours,
and (asked for by name) SpamAssassin's score for the ``.eml``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulletin.checking.base import Context, Found
from bulletin.checking.limits import GMAIL_CLIP_BYTES, MIN_CONTRAST
from bulletin.checking.spamassassin import CLEAN_SCORE
from bulletin.errors import Location
from bulletin.model.audiences import describe
from bulletin.model.colours import contrast_ratio, relative_luminance
from bulletin.rendering.context import anchors
from bulletin.rendering.palette import palette

__all__ = [
    "clipped",
    "contrast",
    "heading_order",
    "marked_spam",
    "section_sizes",
    "spam_score",
]

_HEADING = re.compile(r"<h([1-6])\b")


def clipped(context: Context) -> Iterator[Found]:
    """HTML over Gmail's clip: Gmail hides the rest, unsubscribe link included.

    Each variant (for readers in some audiences) is held against it too.
    """
    yield from _clipped_whole(context)
    for variant in context.variants:
        size = len(variant.html.encode("utf-8"))
        if size > GMAIL_CLIP_BYTES:
            yield (
                f"the email for readers in {describe(variant.variant)} is "
                f"{size / 1024:.0f} KB; Gmail clips messages over "
                f"{GMAIL_CLIP_BYTES // 1024} KB and hides the rest, unsubscribe "
                "link included. To fix: shorten that audience's sections, or add "
                "digest: true to the front matter",
                context.start(),
            )


def _clipped_whole(context: Context) -> Iterator[Found]:
    size = len(context.rendered.html.encode("utf-8"))
    if size <= GMAIL_CLIP_BYTES:
        return
    biggest = ", ".join(
        f"{name} ({bytes_ / 1024:.0f} KB)"
        for name, bytes_ in section_sizes(context)[:3]
    )
    advice = (
        "shorten the biggest sections"
        if context.source.digest
        else "add digest: true to the front matter to send each article's first "
        "paragraph with a link to the rest, or shorten the biggest sections"
    )
    who = (
        f" for readers in {describe(context.rendered.variant)}"
        if context.variants
        else ""
    )
    yield (
        f"the email{who} is {size / 1024:.0f} KB; Gmail clips messages over "
        f"{GMAIL_CLIP_BYTES // 1024} KB and hides the rest, unsubscribe link "
        f"included.{f' Biggest sections: {biggest}.' if biggest else ''} "
        f"To fix: {advice}",
        context.start(),
    )


def section_sizes(context: Context) -> list[tuple[str, int]]:
    """Each section's share of the email HTML, biggest first."""
    html = context.rendered.html
    sections = context.edition.sections
    starts = [html.find(f'id="{anchor}"') for anchor in anchors(sections)]
    footer = html.rfind("footer")
    sizes: list[tuple[str, int]] = []
    for index, section in enumerate(sections):
        start = starts[index]
        end = next((s for s in starts[index + 1 :] if s > start), footer)
        if start >= 0:
            sizes.append((section.heading, len(html[start:end].encode("utf-8"))))
    return sorted(sizes, key=lambda item: -item[1])


def heading_order(context: Context) -> Iterator[Found]:
    """The layout skips a heading level (an h1 then an h3): once per email."""
    previous = 0
    for match in _HEADING.finditer(context.rendered.html):
        level = int(match.group(1))
        if previous and level > previous + 1:
            yield (
                f"the layout jumps from an h{previous} to an h{level}; screen reader "
                "users navigate by heading levels, so the layout should not skip one",
                Location(block=f"layout {context.layout.name!r}"),
            )
            return
        previous = level


def contrast(context: Context) -> Iterator[Found]:
    """Colour pairs below 4.5:1, one finding per colour the organisation chose."""
    chosen = context.settings.colours
    colours = palette(context.layout.colours, chosen)
    failing: dict[str, list[tuple[str, float]]] = {}
    for foreground, background in context.layout.contrast:
        ratio = contrast_ratio(colours[foreground], colours[background])
        if ratio >= MIN_CONTRAST:
            continue
        culprit, other = (
            (background, foreground)
            if background in chosen and foreground not in chosen
            else (foreground, background)
        )
        failing.setdefault(culprit, []).append((other, ratio))
    for culprit, others in failing.items():
        # Too close to the colours it meets: move it away from them.
        darker = relative_luminance(colours[culprit]) < relative_luminance(
            colours[others[0][0]]
        )
        against = " and ".join(f"{name} ({colours[name]})" for name, _ in others)
        worst = min(ratio for _, ratio in others)
        yield (
            f"colour {culprit} = {colours[culprit]} is too "
            f"{'light' if darker else 'dark'} against {against}: contrast "
            f"{worst:.1f}:1, and text needs {MIN_CONTRAST}:1 to be readable; "
            f"choose a {'darker' if darker else 'lighter'} {culprit} in [colours]",
            context.setting("colours", culprit)
            if culprit in chosen
            else Location(block="settings"),
        )


_EML = Location(block="the email (.eml)")


def spam_score(context: Context) -> Iterator[Found]:
    """Each SpamAssassin rule adding more than 0.1; the total when only it is over."""
    report = context.spam
    total = f"SpamAssassin scores the email {report.score:.1f} (aim for {CLEAN_SCORE} or less)"
    for hit in report.scoring:
        yield (
            f"{total}; its rule {hit.rule} adds {hit.score:.1f}: {hit.description}",
            _EML,
        )
    if report.score > CLEAN_SCORE and not report.scoring:
        rules = ", ".join(str(hit) for hit in report.hits if hit.score > 0)
        yield f"{total}, from {rules}", _EML


def marked_spam(context: Context) -> Iterator[Found]:
    """A score at or over SpamAssassin's threshold: mail servers file it as spam."""
    report = context.spam
    if report.score >= report.required:
        yield (
            f"SpamAssassin's local rules alone score the email {report.score:.1f}, "
            f"and it marks mail as spam from {report.required:.1f}; the spam-score "
            "findings say which rules to look at",
            _EML,
        )
