"""Run ``bulletin`` and kill this very process with SIGKILL at a chosen point.

Used by ``tests/test_crash_safety.py`` to prove the send journal crash-safe::

    python tests/crashing_send.py POINT N -- send EDITION --recipients CSV ...

``POINT`` is one of the checkpoints of :class:`bulletin.sending.smtp.SmtpConnection`
(``mid-data``, ``before-sending``, ``after-sending``, ``after-reply``); the
process kills itself the ``N``-th time (from 1) any connection reaches it, as
a power cut or ``kill -9`` would: no ``finally``, no ``atexit``, no flush.
Everything after ``--`` is the ``bulletin`` command line.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

POINTS = ("mid-data", "before-sending", "after-sending", "after-reply")


def killer(point: str, nth: int) -> Callable[[str], None]:
    """A checkpoint that SIGKILLs the process the ``nth`` time it sees ``point``."""
    seen = 0

    def checkpoint(name: str) -> None:
        nonlocal seen
        if name != point:
            return
        seen += 1
        if seen == nth:
            os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint


def main(argv: list[str]) -> None:
    """Patch :class:`~bulletin.sending.smtp.SmtpConnection`, then run the command line."""
    if len(argv) < 3 or argv[2] != "--" or argv[0] not in POINTS:
        raise SystemExit(
            f"usage: crashing_send.py {{{','.join(POINTS)}}} N -- BULLETIN-ARGS..."
        )
    point, nth, command = argv[0], int(argv[1]), argv[3:]

    import bulletin.sending.smtp
    from bulletin.cli import main as bulletin_main

    checkpoint = killer(point, nth)
    original = bulletin.sending.smtp.SmtpConnection

    class CrashingConnection(original):  # type: ignore[misc, valid-type]  # a patch
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs["checkpoint"] = checkpoint
            super().__init__(*args, **kwargs)

    bulletin.sending.smtp.SmtpConnection = CrashingConnection  # type: ignore[misc]  # a patch
    sys.argv = ["bulletin", *command]
    bulletin_main()


if __name__ == "__main__":
    main(sys.argv[1:])
