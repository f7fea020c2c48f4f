"""Is this edition ready to send? A report an editor can act on.

:func:`check_file` loads and renders an edition and returns a :class:`Report`
of findings, each an error (the edition cannot go out like this) or a warning
(it can, but a reader will be worse off), with where it is and what to do.
Problems that stop the file loading at all are reported as errors, every one.

The checks: the email's size against Gmail's clip (with the biggest sections),
pictures (alt text that says nothing, files too heavy), link text that does not
say where it goes, events and deadlines already past on the edition's date,
empty and repeated sections, the preheader, heading order, colour contrast,
insecure links and addresses written out but not linked.
"""

from __future__ import annotations

from pathlib import Path

from bulletin.checking.content import IMAGE_BUDGET_BYTES, ContentChecks
from bulletin.checking.email import EmailChecks
from bulletin.checking.report import Finding, Level, Report
from bulletin.commands.build import captured_warnings, render_source
from bulletin.errors import BulletinError, ContentError, ContentErrorGroup, Location
from bulletin.loading.source import Source, load
from bulletin.model.rendered import Rendered

__all__ = ["IMAGE_BUDGET_BYTES", "Finding", "Level", "Report", "check", "check_file"]


def check_file(path: Path | str, *, layout: str | None = None) -> Report:
    """Load, render and check the edition at ``path``; never raises for its content.

    Example:
        >>> report = check_file("examples/dscb-2019-02/edition.md")
        >>> report.passed()
        True
    """
    path = Path(path)
    try:
        # The renderer logs what it notices (colour contrast); the report says it.
        with captured_warnings():
            source = load(path)
            rendered = render_source(source, layout=layout)
    except ContentErrorGroup as group:
        return Report(
            path,
            tuple(
                _from_error(error)
                for error in group.exceptions
                if isinstance(error, ContentError)
            ),
        )
    except BulletinError as error:
        return Report(path, (_from_error(error),))
    return check(source, rendered, layout=layout)


def check(source: Source, rendered: Rendered, *, layout: str | None = None) -> Report:
    """Check a loaded and rendered edition."""
    finder = _Checker(source, rendered, layout or source.layout)
    finder.run()
    ordered = sorted(
        finder.found,
        key=lambda item: (
            item.level != "error",
            item.location.line or 0,
            item.location.column or 0,
        ),
    )
    return Report(source.path, tuple(ordered), len(rendered.html.encode("utf-8")))


def _from_error(error: BulletinError) -> Finding:
    location = error.location if isinstance(error, ContentError) else Location()
    message = error.message if isinstance(error, ContentError) else str(error)
    return Finding("error", "load", message, location)


class _Checker(ContentChecks, EmailChecks):
    def run(self) -> None:
        self.size()
        self.edition()
        for block, path in self.blocks():
            self.block(block, path)
        self.headings()
        self.contrast()
