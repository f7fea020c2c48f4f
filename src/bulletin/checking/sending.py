"""Rules on what a real send needs from the settings: a sender, a way to unsubscribe."""

from __future__ import annotations

from collections.abc import Iterator

from bulletin.checking.base import Context, Found

__all__ = ["no_one_click", "no_sender", "no_unsubscribe", "unsubscribe_no_token"]


def no_sender(context: Context) -> Iterator[Found]:
    """No [sender]: there is no From address to send from."""
    if context.settings.sender is None:
        yield (
            "no sender: add [sender] with name and address to bulletin.toml, e.g. "
            'name = "Example Partnership" and address = "news@example.org"',
            context.config_start(),
        )


def no_unsubscribe(context: Context) -> Iterator[Found]:
    """No unsubscribe_url (nor unsubscribe_mailto): readers have no way to unsubscribe."""
    settings = context.settings
    if settings.unsubscribe_url is None and settings.unsubscribe_mailto is None:
        yield (
            "no unsubscribe_url in bulletin.toml: bulk mail must let readers "
            'unsubscribe; add e.g. unsubscribe_url = "https://example.org/'
            'unsubscribe?token={token}"',
            context.config_start(),
        )


def no_one_click(context: Context) -> Iterator[Found]:
    """A way to unsubscribe that is not an https link (RFC 8058 One-Click)."""
    settings = context.settings
    if settings.one_click_unsubscribe:
        return
    if settings.unsubscribe_url is None and settings.unsubscribe_mailto is None:
        return  # no-unsubscribe says so
    key = "unsubscribe_url" if settings.unsubscribe_url else "unsubscribe_mailto"
    yield (
        "unsubscribing cannot take one click: Gmail and Yahoo expect bulk mail to "
        "have an https One-Click unsubscribe link (RFC 8058), and may file it as "
        "spam without one; set unsubscribe_url to an https address with {token}",
        context.setting(key),
    )


def unsubscribe_no_token(context: Context) -> Iterator[Found]:
    """An https unsubscribe link that does not say who is unsubscribing."""
    url = context.settings.unsubscribe_url
    if not context.settings.one_click_unsubscribe or url is None:
        return
    if "{token}" not in url and "{address}" not in url:
        yield (
            f"unsubscribe_url {url!r} has no {{token}}, so your website cannot tell "
            "who is unsubscribing; add ?token={token}",
            context.setting("unsubscribe_url"),
        )
