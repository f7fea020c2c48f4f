"""Messages handed to a mail server (or an outbox folder), resumably, within rate caps."""

__all__: list[str] = []
