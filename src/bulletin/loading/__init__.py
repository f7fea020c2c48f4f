"""Editors' files read into the model: edition.md, front matter, boxes and bulletin.toml."""

__all__: list[str] = []
