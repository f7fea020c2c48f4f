"""The ``bulletin`` command: a thin layer over the library.

Each command parses its options, calls one library function, and prints the
result. The commands live in :mod:`bulletin.cli.editing` (new, build, check,
preview, layouts), :mod:`bulletin.cli.sending` (send, with
:mod:`bulletin.cli.delivering` for SMTP), :mod:`bulletin.cli.status` and
:mod:`bulletin.cli.suppress`.
"""

from __future__ import annotations

import bulletin.cli.editing
import bulletin.cli.sending
import bulletin.cli.status
import bulletin.cli.suppress  # noqa: F401 - imported to register their commands
from bulletin.cli.base import app

__all__ = ["app", "main"]


def main() -> None:
    """Run the command line."""
    app()
