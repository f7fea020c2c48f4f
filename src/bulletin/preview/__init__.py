"""The live preview: a local web server showing an edition as readers will see it."""

__all__: list[str] = []
