"""Edition file in, send-ready files out: what ``bulletin build`` does.

:func:`build` loads the edition (Markdown or Python) with its bulletin.toml,
renders it, and writes ``<slug>.html``, ``<slug>.txt``, ``<slug>.web.html``,
``<slug>.eml`` and ``assets/``. Everything is rendered in memory first and each
file is written atomically, so a failed build leaves the previous files as
they were.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.checking import Finding, check
from bulletin.commands.export import export
from bulletin.errors import ContentError
from bulletin.files import write_atomic
from bulletin.loading.source import Source, load
from bulletin.mail.message import MessageTemplate
from bulletin.mail.unsubscribe import SECRET_ENV
from bulletin.mail.variants import reader_audiences
from bulletin.model.audiences import tagged_audiences, unknown_audience
from bulletin.model.fields import fill_html, fill_text
from bulletin.model.rendered import Rendered
from bulletin.model.tags import audience_names
from bulletin.rendering import render

if TYPE_CHECKING:
    from bulletin.mail.recipients import Recipient

__all__ = ["Built", "build", "reader_variant", "render_source"]


@dataclass(frozen=True, slots=True)
class Built:
    """What a build produced."""

    source: Source
    """The edition as read."""
    rendered: Rendered
    """The rendered edition."""
    files: tuple[Path, ...]
    """Every file written, images first."""
    findings: tuple[Finding, ...]
    """What ``bulletin check`` says about the email as rendered (its ``email``
    rules: Gmail's clip, heavy pictures, headings, colours), in its words."""
    warnings: tuple[str, ...]
    """Other things worth knowing that did not stop the build."""

    @property
    def html_bytes(self) -> int:
        """The size of the email's HTML, as Gmail counts it."""
        return len(self.rendered.html.encode("utf-8"))


def render_source(
    source: Source,
    *,
    layout: str | None = None,
    audiences: frozenset[str] = frozenset(),
) -> Rendered:
    """Render a loaded edition with its settings (and ``layout``, if given), as
    a reader in ``audiences`` gets it (none: a reader in no audience)."""
    return render(
        source.edition,
        source.settings,
        layout=layout or source.layout,
        base_dir=source.base_dir,
        digest=source.digest,
        audiences=audiences,
    )


def reader_variant(
    source: Source, recipient: Recipient | None, audience: str | None
) -> frozenset[str]:
    """The audiences to render ``source`` for: ``recipient``'s own, or ``audience``'s.

    ``audience`` may name several (``schools, health``): a reader in all of them.

    Raises:
        ContentError: both are given, an audience is not declared, or the
            recipient's audiences cell cannot be read.
    """
    if audience is not None and recipient is not None:
        raise ContentError(
            "give --as (that reader's own audiences) or --audience, not both"
        )
    names = audience_names(audience) if audience is not None else frozenset()
    who = ""
    if recipient is not None:
        who = f"row {recipient.row} ({recipient.address}): " if recipient.row else ""
        try:
            names = reader_audiences(recipient)
        except ContentError as error:
            raise ContentError(who + error.message) from None
    declared = sorted(source.settings.audiences)
    for name in sorted(names):
        if name not in declared:
            raise ContentError(who + unknown_audience(name, declared))
    return names


def build(
    path: Path | str,
    out: Path | str | None = None,
    *,
    layout: str | None = None,
    recipient: Recipient | None = None,
    secret: str | None = None,
    audience: str | None = None,
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
        audience: write the email a reader in this audience gets (several,
            separated by commas: a reader in all of them); without it (or a
            ``recipient``, whose own audiences count), a reader in no audience.
            The web copy shows every part either way.

    Raises:
        BulletinError: the edition, its settings or its layout have a problem;
            nothing was written.
    """
    path = Path(path)
    folder = Path(out) if out is not None else path.parent / "out"
    source = load(path)
    audiences = reader_variant(source, recipient, audience)
    rendered = render_source(source, layout=layout, audiences=audiences)
    findings = check(source, rendered, layout=layout, scopes=["email"]).findings
    warnings: list[str] = []
    tagged = tagged_audiences(source.edition)
    if tagged and recipient is None and audience is None:
        warnings.append(
            "parts of this edition are for some audiences only ("
            + ", ".join(sorted(tagged))
            + "): the .html, .txt and .eml are what a reader in no audience gets; "
            "build --audience NAME writes another's"
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
    return Built(source, rendered, tuple(files), findings, tuple(warnings))
