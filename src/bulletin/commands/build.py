"""Edition file in, send-ready files out: what ``bulletin build`` does.

:func:`build` loads the edition (Markdown or Python) with its bulletin.toml,
renders it, and writes ``<slug>.html``, ``<slug>.txt``, ``<slug>.web.html``,
``<slug>.eml`` and ``assets/``. Everything is rendered in memory first and each
file is written atomically, so a failed build leaves the previous files as
they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.commands.export import export
from bulletin.files import write_atomic
from bulletin.loading.source import Source, load
from bulletin.mail.message import MessageTemplate
from bulletin.mail.unsubscribe import SECRET_ENV
from bulletin.model.fields import fill_html, fill_text
from bulletin.model.rendered import Rendered
from bulletin.rendering import render

if TYPE_CHECKING:
    from bulletin.mail.recipients import Recipient

__all__ = ["GMAIL_CLIP_BYTES", "Built", "build", "captured_warnings", "render_source"]

GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail hides everything after about this much HTML behind "View entire message"."""


@dataclass(frozen=True, slots=True)
class Built:
    """What a build produced."""

    source: Source
    """The edition as read."""
    rendered: Rendered
    """The rendered edition."""
    files: tuple[Path, ...]
    """Every file written, images first."""
    warnings: tuple[str, ...]
    """Things worth knowing that did not stop the build."""

    @property
    def html_bytes(self) -> int:
        """The size of the email's HTML, as Gmail counts it."""
        return len(self.rendered.html.encode("utf-8"))


def render_source(source: Source, *, layout: str | None = None) -> Rendered:
    """Render a loaded edition with its settings (and ``layout``, if given)."""
    return render(
        source.edition,
        source.settings,
        layout=layout or source.layout,
        base_dir=source.base_dir,
        digest=source.digest,
    )


def build(
    path: Path | str,
    out: Path | str | None = None,
    *,
    layout: str | None = None,
    recipient: Recipient | None = None,
    secret: str | None = None,
) -> Built:
    """Build the edition at ``path`` into the folder ``out``.

    Args:
        path: an edition file (``.md``, or ``.py`` defining ``edition``).
        out: where to write; ``out/`` beside the edition when None.
        layout: a layout name overriding the edition's and bulletin.toml's.
        recipient: fill the files in as this recipient gets them; without
            one, the ``.html`` and ``.txt`` keep their field markers and the
            ``.eml`` shows each field's default.
        secret: the unsubscribe secret, for ``recipient``'s real link (the
            link says ``token=preview`` without it).

    Raises:
        BulletinError: the edition, its settings or its layout have a problem;
            nothing was written.
    """
    path = Path(path)
    folder = Path(out) if out is not None else path.parent / "out"
    with captured_warnings() as warnings:
        source = load(path)
        rendered = render_source(source, layout=layout)
    size = len(rendered.html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        warnings.append(
            f"the email is {size / 1024:.0f} KB; Gmail clips messages over "
            f"{GMAIL_CLIP_BYTES // 1024} KB (hiding the unsubscribe link): shorten it "
            "or add digest: true to the front matter"
        )
    template = MessageTemplate(
        rendered, source.settings, source.edition.date, secret=secret
    )
    eml = template.personal(recipient).data
    if recipient is not None:
        url = source.settings.unsubscribe_url or ""
        if secret is None and "{token}" in url:
            warnings.append(
                f"{SECRET_ENV} is not set, so the unsubscribe link says token=preview "
                f"instead of {recipient.address}'s own token"
            )
        values = template.values(recipient)
        rendered = dataclasses.replace(
            rendered,
            html=fill_html(rendered.html, values),
            text=fill_text(rendered.text, values),
        )
    files = export(rendered, folder)
    eml_path = folder / f"{rendered.slug}.eml"
    write_atomic(eml_path, eml)
    files.append(eml_path)
    return Built(source, rendered, tuple(files), tuple(warnings))


@contextlib.contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Collect the warnings the renderer logs, to report them with the result."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    logger = logging.getLogger("bulletin")
    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)
