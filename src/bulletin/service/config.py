"""What the service needs to know: the list, the secrets, and how its pages look."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bulletin.errors import BulletinError, LayoutError, ServiceError
from bulletin.loading.config import find_config, load_config
from bulletin.mail.message import list_id as settings_list_id
from bulletin.mail.unsubscribe import SECRET_ENV, secrets_from_env
from bulletin.model.colours import contrast_ratio
from bulletin.model.settings import DEFAULT_LAYOUT, LIST_ID
from bulletin.rendering.layouts import load_layout
from bulletin.service.words import LANGUAGES

__all__ = ["PAGE_CONTRAST", "ServiceConfig", "service_config"]

PAGE_CONTRAST = (
    ("text", "background"),
    ("heading", "background"),
    ("link", "background"),
    ("muted", "background"),
    ("band_text", "brand"),
    ("button_text", "brand"),
    ("footer_text", "page"),
)
"""The (text, background) colour pairs the pages use; each reaches 4.5:1."""


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """The settings of one unsubscribe service: one list, its secrets, its look."""

    list_id: str
    """The list's id, as bulletin.toml gives it (``list_id``): part of every token."""
    secrets: tuple[str, ...]
    """Every secret accepted, newest first (``BULLETIN_UNSUBSCRIBE_SECRET``)."""
    publisher: str = ""
    """The organisation's name, shown at the top of each page."""
    contact_email: str = ""
    """Where a reader whose link does not work can write, if known."""
    colours: Mapping[str, str] = field(default_factory=dict)
    """The pages' colours by the layout's names (see :data:`PAGE_CONTRAST`)."""
    font_stack: str = "Arial, Helvetica, sans-serif"
    """The pages' CSS font-family list."""
    unsubscribe_words: Mapping[str, str] = field(default_factory=dict)
    """The layout's word for "Unsubscribe", by language."""
    max_body: int = 4096
    """The largest request body accepted, in bytes; larger ones get 413."""
    sync_page: int = 10_000
    """The most events one sync answer carries."""

    def __post_init__(self) -> None:
        if not LIST_ID.fullmatch(self.list_id):
            raise ServiceError(
                f"list id {self.list_id!r} is not a list id; give the list_id of "
                "bulletin.toml, e.g. news.example.org"
            )
        if not self.secrets:
            raise ServiceError(f"no unsubscribe secret: set {SECRET_ENV}")


def service_config(
    folder: Path | None = None,
    *,
    list_id: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ServiceConfig:
    """The service's settings: the secrets from the environment, the rest from the
    bulletin.toml in ``folder`` or above (when there is one), ``list_id`` first.

    Raises:
        ServiceError: no secret, or no list id.
        BulletinError: the bulletin.toml found cannot be read.
    """
    environ = os.environ if environ is None else environ
    try:
        secrets = secrets_from_env(environ)
    except BulletinError as error:
        raise ServiceError(
            f"{SECRET_ENV} must hold the secret bulletin signs unsubscribe links "
            f"with ({error})"
        ) from None
    found = find_config(folder) if folder is not None else None
    config = load_config(found) if found else None
    settings = config.settings if config else None
    chosen = list_id or (settings_list_id(settings) if settings else None)
    if not chosen:
        raise ServiceError(
            "no list id: give the list_id of bulletin.toml, or run this in the "
            "bulletin's folder"
        )
    try:
        layout = load_layout(config.layout if config else DEFAULT_LAYOUT)
    except LayoutError:  # a layout of the organisation's own: the built-in look
        layout = load_layout(DEFAULT_LAYOUT)
    colours = dict(layout.colours)
    for name, value in (settings.colours if settings else {}).items():
        trial = {**colours, name: value}
        if all(
            contrast_ratio(trial[fore], trial[back]) >= 4.5
            for fore, back in PAGE_CONTRAST
        ):
            colours = trial
    return ServiceConfig(
        list_id=chosen,
        secrets=secrets,
        publisher=settings.publisher if settings else "",
        contact_email=(
            settings.contact.email or "" if settings and settings.contact else ""
        ),
        colours=MappingProxyType(colours),
        font_stack=(settings.font_stack if settings else None) or layout.font_stack,
        unsubscribe_words=MappingProxyType(
            {
                language: layout.words(language).get("unsubscribe", "")
                for language in LANGUAGES
            }
        ),
    )
