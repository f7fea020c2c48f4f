"""Sending no faster than the server allows: caps of so many messages per period.

A cap like ``30/min`` or ``10000/24h`` allows at most that many messages in
any window of that length (a sliding window, as Microsoft 365 counts). The
journal's record of earlier runs seeds the windows, so a send spread over
several days keeps to a daily cap across runs.

>>> Cap.parse("30/min")
Cap(count=30, seconds=60.0)
>>> str(Cap.parse("10000/24h"))
'10,000 messages per day'
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bulletin.errors import SendError

__all__ = ["PRESETS", "Cap", "RateLimiter"]

_UNITS: Mapping[str, float] = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_CAP = re.compile(r"\s*(\d[\d,_]*)\s*/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$")


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``count`` messages in any ``seconds``."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or not self.seconds > 0:
            raise SendError(f"rate {self.count}/{self.seconds}s must be above zero")

    @classmethod
    def parse(cls, text: str) -> Cap:
        """``COUNT/PERIOD``: ``5/s``, ``30/min``, ``500/hour``, ``10000/24h``, ``2/10s``.

        Raises:
            SendError: the text is not a rate.
        """
        match = _CAP.match(text.lower())
        unit = None
        if match is not None:
            word = match.group(3)
            singular = word.removesuffix("s")
            # A plural of a word (mins, hours), never of a letter: ms is not minutes.
            unit = _UNITS.get(word) or (
                _UNITS.get(singular) if len(singular) > 2 else None
            )
        if match is None or unit is None:
            raise SendError(
                f"rate {text!r} is not COUNT/PERIOD; write e.g. 5/s, 30/min, "
                "500/hour or 10000/24h"
            )
        count = int(match.group(1).replace(",", "").replace("_", ""))
        return cls(count, float(match.group(2) or 1) * unit)

    def __str__(self) -> str:
        messages = "message" if self.count == 1 else "messages"
        return f"{self.count:,} {messages} per {self.period}"

    @property
    def period(self) -> str:
        """The window in words: ``minute``, ``day``, ``10 seconds``."""
        for name, size in (
            ("day", 86400),
            ("hour", 3600),
            ("minute", 60),
            ("second", 1),
        ):
            if self.seconds == size:
                return name
        if self.seconds % 3600 == 0:
            return f"{self.seconds / 3600:g} hours"
        return f"{self.seconds:g} seconds"


PRESETS: Mapping[str, tuple[Cap, ...]] = {
    "m365": (Cap(30, 60), Cap(10_000, 86_400)),
}
"""Known providers' limits: Microsoft 365 allows 30 messages a minute and
10,000 recipients a day from one mailbox."""


class RateLimiter:
    """Keeps to every cap at once.

    Args:
        caps: the caps to keep to.
        history: times (seconds since the epoch) of messages already sent.
    """

    def __init__(self, caps: Iterable[Cap], history: Iterable[float] = ()) -> None:
        self.caps = tuple(caps)
        longest = max((cap.seconds for cap in self.caps), default=0.0)
        most = max((cap.count for cap in self.caps), default=0)
        self._sent: deque[float] = deque(maxlen=most or 1)
        times = sorted(history)
        if self.caps and times:
            newest = times[-1]
            self._sent.extend(t for t in times if t > newest - longest)

    def wait(self, now: float) -> tuple[float, Cap | None]:
        """Seconds to wait before the next message may go, and the cap that says so."""
        longest_wait, binding = 0.0, None
        sent = self._sent
        for cap in self.caps:
            if len(sent) < cap.count:
                continue
            oldest_in_window = sent[-cap.count]
            wait = oldest_in_window + cap.seconds - now
            if wait > longest_wait:
                longest_wait, binding = wait, cap
        return longest_wait, binding

    def record(self, when: float) -> None:
        """A message went at ``when``."""
        if self.caps:
            self._sent.append(when)
