"""Recipients, suppression, unsubscribe tokens and MIME: an edition made into each reader's message."""

__all__: list[str] = []
