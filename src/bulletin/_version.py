"""The version, read by hatchling and by ``bulletin --version``."""

__all__ = ["__version__"]

__version__ = "0.1.0.dev0"
