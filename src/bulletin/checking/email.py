"""Checks of the rendered email: size against Gmail's clip, headings, colours."""

from __future__ import annotations

import re

from bulletin.checking.base import Checker
from bulletin.commands.build import GMAIL_CLIP_BYTES
from bulletin.errors import Location
from bulletin.loading.config import toml_location
from bulletin.model.colours import contrast_ratio, relative_luminance
from bulletin.rendering.context import anchors
from bulletin.rendering.pipeline import MIN_CONTRAST

__all__ = ["EmailChecks"]

_HEADING = re.compile(r"<h([1-6])\b")


class EmailChecks(Checker):
    """The email as rendered."""

    def size(self) -> None:
        size = len(self.rendered.html.encode("utf-8"))
        if size <= GMAIL_CLIP_BYTES:
            return
        sections = self.section_sizes()
        biggest = ", ".join(
            f"{name} ({bytes_ / 1024:.0f} KB)" for name, bytes_ in sections[:3]
        )
        advice = (
            "shorten the biggest sections"
            if self.source.digest
            else "add digest: true to the front matter to send each article's first "
            "paragraph with a link to the rest, or shorten the biggest sections"
        )
        self.add(
            "warning",
            "clipped",
            f"the email is {size / 1024:.0f} KB; Gmail clips messages over "
            f"{GMAIL_CLIP_BYTES // 1024} KB and hides the rest, unsubscribe link "
            f"included. Biggest sections: {biggest}. To fix: {advice}",
            Location(file=self.source.path, line=1, column=1),
        )

    def section_sizes(self) -> list[tuple[str, int]]:
        """Each section's share of the email HTML, biggest first."""
        html = self.rendered.html
        ids = anchors(self.source.edition.sections)
        starts = [html.find(f'id="{anchor}"') for anchor in ids]
        footer = html.rfind("footer")
        sizes: list[tuple[str, int]] = []
        for index, section in enumerate(self.source.edition.sections):
            start = starts[index]
            end = next((s for s in starts[index + 1 :] if s > start), footer)
            if start >= 0:
                sizes.append((section.heading, len(html[start:end].encode("utf-8"))))
        return sorted(sizes, key=lambda item: -item[1])

    def headings(self) -> None:
        previous = 0
        for match in _HEADING.finditer(self.rendered.html):
            level = int(match.group(1))
            if previous and level > previous + 1:
                self.add(
                    "warning",
                    "heading-order",
                    f"the layout jumps from an h{previous} to an h{level}; screen reader "
                    "users navigate by heading levels, so the layout should not skip one",
                    Location(block=f"layout {self.layout.name!r}"),
                )
                return
            previous = level

    def contrast(self) -> None:
        """Colour pairs below 4.5:1, one finding per colour the organisation chose."""
        chosen = self.source.settings.colours
        colours = {**self.layout.colours, **chosen}
        failing: dict[str, list[tuple[str, float]]] = {}
        for foreground, background in self.layout.contrast:
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
            self.add(
                "error",
                "contrast",
                f"colour {culprit} = {colours[culprit]} is too "
                f"{'light' if darker else 'dark'} against {against}: contrast "
                f"{worst:.1f}:1, and text needs {MIN_CONTRAST}:1 to be readable; "
                f"choose a {'darker' if darker else 'lighter'} {culprit} in [colours]",
                self.colour_location(culprit),
            )

    def colour_location(self, name: str) -> Location:
        config = self.source.config
        if config is None or name not in self.source.settings.colours:
            return Location(block="settings")
        return toml_location(config, ("colours", name))
