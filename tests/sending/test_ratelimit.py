"""Rate caps: how they are written, and the sliding window that keeps to them.

Every test gives :class:`~bulletin.sending.ratelimit.RateLimiter` its own clock (plain
numbers of seconds), so nothing here sleeps.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.errors import SendError
from bulletin.sending.ratelimit import PRESETS, Cap, RateLimiter

# Cap.parse -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [
        ("5/s", 5, 1),
        ("5/sec", 5, 1),
        ("5/second", 5, 1),
        ("5/seconds", 5, 1),
        ("30/min", 30, 60),
        ("30/m", 30, 60),
        ("30/minute", 30, 60),
        ("30/minutes", 30, 60),
        ("30/mins", 30, 60),
        ("500/hour", 500, 3600),
        ("500/h", 500, 3600),
        ("500/hours", 500, 3600),
        ("10000/24h", 10_000, 86_400),
        ("10000/24hours", 10_000, 86_400),
        ("10,000/day", 10_000, 86_400),
        ("10_000/d", 10_000, 86_400),
        ("10000/days", 10_000, 86_400),
        ("2/10s", 2, 10),
        ("2/10 seconds", 2, 10),
        ("1/1.5h", 1, 5400),
        ("5/0.5s", 5, 0.5),
        (" 30 / MIN ", 30, 60),
        ("30/Minute", 30, 60),
    ],
)
def test_cap_parse_reads_the_usual_spellings(
    text: str, count: int, seconds: float
) -> None:
    cap = Cap.parse(text)
    assert cap == Cap(count, seconds)
    assert isinstance(cap.seconds, float)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "30",
        "30/",
        "/min",
        "min",
        "30 per minute",
        "30/fortnight",
        "30/week",
        "thirty/min",
        "-5/min",
        "0.5/s",
        "5/min/h",
        "5//min",
        "5/10",
        "5/-1s",
        "5/min extra",
    ],
)
def test_cap_parse_refuses_what_is_not_a_rate_and_shows_good_ones(text: str) -> None:
    with pytest.raises(SendError) as refusal:
        Cap.parse(text)
    message = str(refusal.value)
    assert message == (
        f"rate {text!r} is not COUNT/PERIOD; write e.g. 5/s, 30/min, 500/hour or "
        "10000/24h"
    )


def test_cap_parse_does_not_take_milliseconds_for_minutes() -> None:
    with pytest.raises(SendError, match="is not COUNT/PERIOD"):
        Cap.parse("5/ms")


@pytest.mark.parametrize("text", ["0/min", "5/0s", "5/0.0h"])
def test_a_rate_of_zero_is_refused(text: str) -> None:
    with pytest.raises(SendError, match="must be above zero"):
        Cap.parse(text)


@pytest.mark.parametrize(
    ("count", "seconds"), [(0, 60), (-1, 60), (5, 0), (5, -1), (5, float("nan"))]
)
def test_a_cap_must_allow_something_in_some_time(count: int, seconds: float) -> None:
    with pytest.raises(SendError, match="must be above zero"):
        Cap(count, seconds)


# str(Cap) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "text"),
    [
        (Cap(5, 1), "5 messages per second"),
        (Cap(30, 60), "30 messages per minute"),
        (Cap(500, 3600), "500 messages per hour"),
        (Cap(10_000, 86_400), "10,000 messages per day"),
        (Cap(100, 7200), "100 messages per 2 hours"),
        (Cap(1, 172_800), "1 message per 48 hours"),
        (Cap(2, 10), "2 messages per 10 seconds"),
        (Cap(3, 90), "3 messages per 90 seconds"),
        (Cap(5, 0.5), "5 messages per 0.5 seconds"),
        (Cap(1_000_000, 60), "1,000,000 messages per minute"),
    ],
)
def test_str_of_a_cap_reads_as_words(cap: Cap, text: str) -> None:
    assert str(cap) == text


def test_str_of_parsed_caps() -> None:
    assert str(Cap.parse("10000/24h")) == "10,000 messages per day"
    assert str(Cap.parse("2/10s")) == "2 messages per 10 seconds"
    assert str(Cap.parse("30/min")) == "30 messages per minute"


# Presets ------------------------------------------------------------------------


def test_the_m365_preset_is_30_a_minute_and_10000_a_day() -> None:
    assert PRESETS["m365"] == (Cap(30, 60), Cap(10_000, 86_400))
    assert [str(cap) for cap in PRESETS["m365"]] == [
        "30 messages per minute",
        "10,000 messages per day",
    ]


# RateLimiter -----------------------------------------------------------------------


def test_without_caps_there_is_never_a_wait() -> None:
    limiter = RateLimiter([])
    for moment in range(100):
        limiter.record(0.0)
        assert limiter.wait(float(moment)) == (0.0, None)
    assert RateLimiter([], history=[1.0, 2.0]).wait(2.0) == (0.0, None)


def test_a_cap_waits_until_the_oldest_message_leaves_the_window() -> None:
    cap = Cap(2, 10)
    limiter = RateLimiter([cap])
    assert limiter.wait(0.0) == (0.0, None)
    limiter.record(0.0)
    assert limiter.wait(0.0) == (0.0, None)  # one of two used
    limiter.record(1.0)
    assert limiter.wait(1.0) == (9.0, cap)
    assert limiter.wait(5.0) == (5.0, cap)
    assert limiter.wait(9.5) == (0.5, cap)
    assert limiter.wait(10.0) == (0.0, None)  # the window is [now - 10, now)
    limiter.record(10.0)
    # Now 1.0 and 10.0 are in the window: 1.0 must leave it first.
    assert limiter.wait(10.0) == (1.0, cap)
    assert limiter.wait(11.0) == (0.0, None)
    limiter.record(11.0)
    assert limiter.wait(11.0) == (9.0, cap)


def test_the_window_slides_rather_than_resetting() -> None:
    """A fixed window would allow 2 at 9.9 s and 2 more at 10.0 s."""
    cap = Cap(2, 10)
    limiter = RateLimiter([cap])
    limiter.record(9.0)
    limiter.record(9.9)
    assert limiter.wait(10.0) == pytest.approx((9.0, cap))
    assert limiter.wait(19.0)[0] == 0.0
    limiter.record(19.0)
    assert limiter.wait(19.0) == pytest.approx((0.9, cap))


def test_with_several_caps_the_longest_wait_wins_and_names_its_cap() -> None:
    per_second, per_minute = Cap(1, 1), Cap(3, 60)
    for caps in ([per_second, per_minute], [per_minute, per_second]):
        limiter = RateLimiter(caps)
        limiter.record(0.0)
        assert limiter.wait(0.5) == (0.5, per_second)
        limiter.record(1.0)
        assert limiter.wait(1.25) == (0.75, per_second)
        limiter.record(2.0)
        # Both caps bind now: the minute's wait is the longer.
        assert limiter.wait(2.5) == (57.5, per_minute)
        assert limiter.wait(3.0) == (57.0, per_minute)
        assert limiter.wait(60.0) == (0.0, None)


def test_a_tight_short_cap_can_bind_even_under_a_long_one() -> None:
    burst, daily = Cap(2, 1), Cap(100, 86_400)
    limiter = RateLimiter([daily, burst])
    limiter.record(0.0)
    limiter.record(0.0)
    assert limiter.wait(0.25) == (0.75, burst)


def test_history_seeds_the_windows() -> None:
    cap = Cap(3, 60)
    limiter = RateLimiter([cap], history=[50.0, 10.0, 30.0])  # in any order
    assert limiter.wait(59.0) == (11.0, cap)
    assert limiter.wait(70.0) == (0.0, None)
    limiter.record(70.0)
    assert limiter.wait(70.0) == (20.0, cap)  # 30, 50 and 70 are in the window


def test_history_older_than_every_window_does_not_count() -> None:
    cap = Cap(2, 60)
    limiter = RateLimiter([cap], history=[0.0, 1.0, 500.0])
    assert limiter.wait(501.0) == (0.0, None)
    limiter.record(501.0)
    assert limiter.wait(501.0) == (59.0, cap)


def test_a_daily_cap_counts_yesterdays_run_from_the_journal() -> None:
    day = 86_400.0
    daily = Cap(10_000, day)
    yesterday = [1000.0 + i * 0.5 for i in range(10_000)]
    limiter = RateLimiter([Cap(30, 60), daily], history=yesterday)
    now = yesterday[-1] + 3600
    wait, cap = limiter.wait(now)
    assert cap == daily
    assert wait == pytest.approx(yesterday[0] + day - now)


# The property: no window ever holds more than its cap ---------------------------------

caps_strategy = st.lists(
    st.builds(
        Cap,
        count=st.integers(min_value=1, max_value=6),
        seconds=st.integers(min_value=1, max_value=40).map(float),
    ),
    min_size=1,
    max_size=3,
)
halves = st.integers(min_value=0, max_value=24).map(lambda n: n / 2)
"""Seconds between tries: half-seconds are exact in binary, so sends often fall
exactly on a window's edge."""
steps_strategy = st.lists(halves, max_size=120)


def most_in_any_window(times: Sequence[float], seconds: float) -> int:
    """The most sends in any window [t, t + seconds), t ranging over the sends."""
    ordered = sorted(times)
    return max(
        (sum(1 for u in ordered if t <= u < t + seconds) for t in ordered),
        default=0,
    )


def in_window(times: Sequence[float], now: float, seconds: float) -> int:
    """Sends in the window that ends at ``now``: (now - seconds, now]."""
    return sum(1 for t in times if now - seconds < t <= now)


@settings(max_examples=300, deadline=None)
@given(
    caps=caps_strategy,
    history_steps=st.lists(halves, max_size=20),
    steps=steps_strategy,
)
def test_sending_only_when_the_limiter_allows_never_overfills_a_window(
    caps: list[Cap], history_steps: list[float], steps: list[float]
) -> None:
    """Each send happens only when ``wait(now) <= 0``; every window keeps its cap.

    The history, too, is sent as the limiter allows (as an earlier run would
    have), then seeds a new limiter, as the journal does between runs.
    """
    sent: list[float] = []
    now = 0.0

    def run(limiter: RateLimiter, deltas: list[float]) -> None:
        nonlocal now
        for delta in deltas:
            now += delta
            wait, binding = limiter.wait(now)
            # A wait is asked for exactly when some cap's window is full.
            full = [
                cap for cap in caps if in_window(sent, now, cap.seconds) >= cap.count
            ]
            assert (wait > 0) == bool(full)
            if wait > 0:
                assert binding in full
                # ...and waiting that long is enough (with no other send meanwhile).
                assert limiter.wait(now + wait)[0] <= 1e-9
                continue
            assert binding is None
            limiter.record(now)
            sent.append(now)

    run(RateLimiter(caps), history_steps)
    run(RateLimiter(caps, history=list(sent)), steps)
    for cap in caps:
        assert most_in_any_window(sent, cap.seconds) <= cap.count, cap


@settings(max_examples=100, deadline=None)
@given(caps=caps_strategy, steps=steps_strategy)
def test_the_limiter_lets_through_as_many_as_the_caps_allow(
    caps: list[Cap], steps: list[float]
) -> None:
    """Trying at every step, each cap's window is filled whenever it binds.

    Not only never too many: never needlessly few. A send is refused only
    when the window of the cap named is full at that moment.
    """
    limiter = RateLimiter(caps)
    sent: list[float] = []
    now = 0.0
    for delta in steps:
        now += delta
        while (answer := limiter.wait(now))[0] <= 0:
            limiter.record(now)
            sent.append(now)
            assert len(sent) < 10_000
        wait, binding = answer
        assert binding is not None
        assert in_window(sent, now, binding.seconds) == binding.count
        assert wait == max(
            (
                sorted(sent)[-cap.count] + cap.seconds - now
                for cap in caps
                if in_window(sent, now, cap.seconds) >= cap.count
            ),
        )
