"""The content model: an edition, its sections and blocks, its text and settings.

Pure data, validated when made; imports nothing of the other stages."""

__all__: list[str] = []
