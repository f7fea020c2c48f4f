"""What every group of checks shares: the edition, its rendering, and where things are."""

from __future__ import annotations

from bulletin.checking.report import Finding, Level
from bulletin.errors import ContentError, Location
from bulletin.loading.source import Source
from bulletin.loading.textfile import read_text
from bulletin.model.rendered import Rendered
from bulletin.rendering.layouts import load_layout

__all__ = ["Checker"]


class Checker:
    """Holds what the checks look at and collects what they find."""

    def __init__(self, source: Source, rendered: Rendered, layout: str) -> None:
        self.source = source
        self.rendered = rendered
        self.layout = load_layout(layout, source.settings.layout_paths)
        self.found: list[Finding] = []
        self.text_lines: list[str] | None = None

    def add(self, level: Level, code: str, message: str, where: Location) -> None:
        self.found.append(Finding(level, code, message, where))

    def where(self, thing: object, path: str, needle: str | None = None) -> Location:
        """The file:line of a block (and column of ``needle`` in it), or its path."""
        line = self.source.lines.get(id(thing))
        if line is None:
            return Location(block=path)
        lines = self._lines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        column = len(text) - len(text.lstrip()) + 1
        if needle:
            for number in range(line - 1, min(line + 40, len(lines))):
                found = lines[number].find(needle)
                if found >= 0:
                    line, column = number + 1, found + 1
                    break
        return Location(block=path, file=self.source.path, line=line, column=column)

    def _lines(self) -> list[str]:
        if self.text_lines is None:
            try:
                text = read_text(self.source.path)
            except ContentError:
                text = ""
            self.text_lines = text.split("\n")
        return self.text_lines
