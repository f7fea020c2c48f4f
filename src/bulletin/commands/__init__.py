"""One module per command: each does the work of a ``bulletin`` verb and returns data."""

__all__: list[str] = []
