"""Property tests: generation is correct around the 2026 and 2027 clock changes."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shifts.hours import occurrences
from shifts.models import ServiceWindow

ZONES = ["America/New_York", "America/Chicago", "Europe/Madrid", "America/Puerto_Rico"]
# The days clocks change in 2026 and 2027 (US second Sunday of March / first of
# November; EU last Sunday of March / October). Puerto Rico has none: a control.
CHANGES = [
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2027, 3, 14),
    date(2027, 11, 7),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2027, 3, 28),
    date(2027, 10, 31),
]

times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
days = st.builds(
    lambda change, offset: change + timedelta(days=offset),
    st.sampled_from(CHANGES),
    st.integers(-2, 2),
)


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def length(a: time, b: time) -> int:
    """Minutes from a to b, into the next day when b <= a."""
    return (minutes(b) - minutes(a)) % 1440 or 1440


def exists(naive: datetime, zone: ZoneInfo) -> bool:
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def at_jump(instant: datetime, zone: ZoneInfo) -> bool:
    before = (instant - timedelta(seconds=1)).astimezone(zone).utcoffset()
    return before != instant.astimezone(zone).utcoffset()


def check_wall_clock(instant: datetime, intended: datetime, zone: ZoneInfo) -> None:
    if exists(intended, zone):
        assert instant.astimezone(zone).replace(tzinfo=None) == intended
    else:  # skipped by the clocks: placed where they jump
        assert at_jump(instant, zone)


@settings(max_examples=300, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    day=days,
    start=times,
    middle=times,
    end=times,
    block_hours=st.sampled_from([None, 1, 2, 3, 4, 6]),
)
def test_generated_shifts_keep_wall_clock_times_without_gaps_or_overlaps(
    zone_name, day, start, middle, end, block_hours
):
    zone = ZoneInfo(zone_name)
    assume(middle != start and end != middle)
    assume(length(start, middle) + length(middle, end) <= 1440)
    first = ServiceWindow(pk=1, weekday=day.weekday(), start=start, end=middle)
    second_day = day if minutes(middle) > minutes(start) else day + timedelta(days=1)
    second = ServiceWindow(pk=2, weekday=second_day.weekday(), start=middle, end=end)

    made = occurrences([first, second], day, second_day, block_hours=block_hours, zone=zone)
    # W1 runs only on `day` and W2 only on `second_day`: nothing else is in range.

    # Intended wall-clock boundaries, computed independently of the code under test.
    begin = datetime.combine(day, start)
    step = timedelta(hours=block_hours) if block_hours else None
    expected_bounds = []
    for window_start, minutes_long in (
        (begin, length(start, middle)),
        (begin + timedelta(minutes=length(start, middle)), length(middle, end)),
    ):
        finish = window_start + timedelta(minutes=minutes_long)
        cursor = window_start
        while cursor < finish:
            following = min(cursor + step, finish) if step else finish
            expected_bounds.append((cursor, following))
            cursor = following

    # Every made shift starts and ends at its intended wall-clock time.
    made_sorted = sorted(made, key=lambda o: o.start)
    kept = [
        bounds
        for bounds in expected_bounds
        if to_instant(bounds[1], zone) > to_instant(bounds[0], zone)
    ]
    assert len(made_sorted) == len(kept)
    for occurrence, (wall_start, wall_end) in zip(made_sorted, kept, strict=True):
        check_wall_clock(occurrence.start, wall_start, zone)
        check_wall_clock(occurrence.end, wall_end, zone)
        # A shift spanning a change has its true length: wall-clock length minus
        # the change of offset.
        if exists(wall_start, zone) and exists(wall_end, zone):
            offset_change = (
                occurrence.end.astimezone(zone).utcoffset()
                - occurrence.start.astimezone(zone).utcoffset()
            )
            assert occurrence.end - occurrence.start == (wall_end - wall_start) - offset_change

    # Consecutive windows and blocks neither overlap nor leave gaps.
    for earlier, later in itertools.pairwise(made_sorted):
        assert later.start == earlier.end


def to_instant(naive: datetime, zone: ZoneInfo) -> datetime:
    from shifts.hours import to_utc

    return to_utc(naive, zone)


@settings(max_examples=100, deadline=None)
@given(zone_name=st.sampled_from(ZONES), change=st.sampled_from(CHANGES), start=times)
def test_a_window_round_the_clock_has_the_days_true_length(zone_name, change, start):
    zone = ZoneInfo(zone_name)
    window = ServiceWindow(pk=1, weekday=change.weekday(), start=start, end=start)
    [occurrence] = occurrences([window], change, change, zone=zone)
    begin, finish = (
        datetime.combine(change, start),
        datetime.combine(change, start) + timedelta(days=1),
    )
    assume(exists(begin, zone) and exists(finish, zone))
    real = finish.replace(tzinfo=zone).astimezone(UTC) - begin.replace(tzinfo=zone).astimezone(UTC)
    assert occurrence.end - occurrence.start == real
    if start < time(1) and zone_name != "America/Puerto_Rico" and change.month in (3, 10, 11):
        # Midnight to midnight on a change day, where this zone changes that day.
        changes_here = (
            begin.replace(tzinfo=zone).utcoffset() != finish.replace(tzinfo=zone).utcoffset()
        )
        if changes_here:
            assert real in (timedelta(hours=23), timedelta(hours=25))
