"""Property tests: generation is correct around the 2026 and 2027 clock changes."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shifts.hours import occurrences
from shifts.models import ServiceWindow, Shift
from shifts.roster import generate_shifts
from tests.depth import examples

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


def true_length(wall_start: datetime, wall_end: datetime, zone: ZoneInfo) -> timedelta:
    """Real time between two existing wall-clock times in `zone` (first occurrence
    of a repeated one), by zoneinfo: each placed in the zone, then taken to UTC."""
    return wall_end.replace(tzinfo=zone).astimezone(UTC) - wall_start.replace(
        tzinfo=zone
    ).astimezone(UTC)


def has_real_time(wall_start: datetime, wall_end: datetime, zone: ZoneInfo) -> bool:
    """Whether the clocks in `zone` show some time in [wall_start, wall_end): not a
    block wholly inside the hour they skip (every time here is on a quarter hour)."""
    quarters = int((wall_end - wall_start) / timedelta(minutes=15))
    return any(exists(wall_start + timedelta(minutes=15 * q), zone) for q in range(quarters))


def intended_bounds(
    day: date, start: time, middle: time, end: time, block_hours: int | None
) -> list[tuple[datetime, datetime]]:
    """Naive wall-clock (start, end) of each shift two back-to-back windows make
    (start–middle on `day`, then middle–end), cut into blocks."""
    begin = datetime.combine(day, start)
    step = timedelta(hours=block_hours) if block_hours else None
    bounds = []
    for window_start, minutes_long in (
        (begin, length(start, middle)),
        (begin + timedelta(minutes=length(start, middle)), length(middle, end)),
    ):
        finish = window_start + timedelta(minutes=minutes_long)
        cursor = window_start
        while cursor < finish:
            following = min(cursor + step, finish) if step else finish
            bounds.append((cursor, following))
            cursor = following
    return bounds


def back_to_back(day: date, start: time, middle: time, end: time) -> date:
    """Two windows, start–middle on `day` and middle–end right after it, within a
    day in all: the day the second one starts (examples that are not, skipped)."""
    assume(middle != start and end != middle)
    assume(length(start, middle) + length(middle, end) <= 1440)
    return day if minutes(middle) > minutes(start) else day + timedelta(days=1)


times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
days = st.builds(
    lambda change, offset: change + timedelta(days=offset),
    st.sampled_from(CHANGES),
    st.integers(-2, 2),
)
# Two back-to-back windows (see back_to_back) in one of the zones, near a change.
TWO_WINDOWS = {
    "zone_name": st.sampled_from(ZONES),
    "day": days,
    "start": times,
    "middle": times,
    "end": times,
}


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


@pytest.mark.thorough
@settings(max_examples=examples(300), deadline=None)
@given(**TWO_WINDOWS, block_hours=st.sampled_from([None, 1, 2, 3, 4, 6]))
def test_generated_shifts_keep_wall_clock_times_without_gaps_or_overlaps(
    zone_name, day, start, middle, end, block_hours
):
    zone = ZoneInfo(zone_name)
    second_day = back_to_back(day, start, middle, end)
    first = ServiceWindow(pk=1, weekday=day.weekday(), start=start, end=middle)
    second = ServiceWindow(pk=2, weekday=second_day.weekday(), start=middle, end=end)

    made = occurrences([first, second], day, second_day, block_hours=block_hours, zone=zone)
    # W1 runs only on `day` and W2 only on `second_day`: nothing else is in range.

    # Intended wall-clock boundaries, computed independently of the code under test.
    expected_bounds = intended_bounds(day, start, middle, end, block_hours)

    # Every made shift starts and ends at its intended wall-clock time.
    made_sorted = sorted(made, key=lambda o: o.start)
    kept = [bounds for bounds in expected_bounds if has_real_time(*bounds, zone)]
    assert len(made_sorted) == len(kept)
    for occurrence, (wall_start, wall_end) in zip(made_sorted, kept, strict=True):
        check_wall_clock(occurrence.start, wall_start, zone)
        check_wall_clock(occurrence.end, wall_end, zone)
        # A shift spanning a change has its true length, worked out by zoneinfo alone.
        if exists(wall_start, zone) and exists(wall_end, zone):
            assert occurrence.end - occurrence.start == true_length(wall_start, wall_end, zone)

    # Consecutive windows and blocks neither overlap nor leave gaps.
    for earlier, later in itertools.pairwise(made_sorted):
        assert later.start == earlier.end


@pytest.mark.thorough
@settings(max_examples=examples(300), deadline=None)
@given(zone_name=st.sampled_from(ZONES), day=days, start=times, end=times)
def test_a_window_has_its_true_length(zone_name, day, start, end):
    zone = ZoneInfo(zone_name)
    assume(start != end)  # the model refuses a window that opens and closes at once
    begin = datetime.combine(day, start)
    finish = datetime.combine(day + timedelta(days=1) if end < start else day, end)
    assume(exists(begin, zone) and exists(finish, zone))
    window = ServiceWindow(pk=1, weekday=day.weekday(), start=start, end=end)
    [occurrence] = occurrences([window], day, day, zone=zone)
    real = true_length(begin, finish, zone)
    assert occurrence.end - occurrence.start == real
    # The wall-clock length, less whatever the clocks moved in between.
    moved = finish.replace(tzinfo=zone).utcoffset() - begin.replace(tzinfo=zone).utcoffset()
    assert real == (finish - begin) - moved


@pytest.mark.parametrize(
    ("zone_name", "day", "start", "end", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), time(0), time(23, 45), 22.75),
        ("America/New_York", date(2027, 11, 6), time(20), time(4), 9),
        ("America/Chicago", date(2026, 10, 31), time(19), time(7), 13),
        ("America/Chicago", date(2027, 3, 13), time(22), time(6), 7),
        ("Europe/Madrid", date(2026, 10, 24), time(22), time(6), 9),
        ("Europe/Madrid", date(2027, 3, 27), time(22), time(6), 7),
        ("America/Puerto_Rico", date(2026, 3, 7), time(22), time(6), 8),
    ],
)
def test_windows_across_a_change_are_an_hour_longer_or_shorter(zone_name, day, start, end, hours):
    window = ServiceWindow(pk=1, weekday=day.weekday(), start=start, end=end)
    [occurrence] = occurrences([window], day, day, zone=ZoneInfo(zone_name))
    assert occurrence.end - occurrence.start == timedelta(hours=hours)


@pytest.mark.thorough
@pytest.mark.django_db
@settings(max_examples=examples(150), deadline=None)
@given(**TWO_WINDOWS, block_hours=st.sampled_from([None, 2, 3, 4, 6, 8, 12]))
def test_generate_shifts_makes_the_intended_shifts_in_the_lines_zone(
    zone_name, day, start, middle, end, block_hours
):
    """The real path: windows saved, generate_shifts in a line whose TIME_ZONE is
    `zone_name`, shifts read back from the database."""
    zone = ZoneInfo(zone_name)
    second_day = back_to_back(day, start, middle, end)
    with override_settings(TIME_ZONE=zone_name), transaction.atomic():
        ServiceWindow.objects.create(weekday=day.weekday(), start=start, end=middle)
        ServiceWindow.objects.create(weekday=second_day.weekday(), start=middle, end=end)
        result = generate_shifts(day, second_day, block_hours, now=datetime(2020, 1, 1, tzinfo=UTC))
        made = list(Shift.objects.order_by("start"))

        kept = [
            bounds
            for bounds in intended_bounds(day, start, middle, end, block_hours)
            if has_real_time(*bounds, zone)
        ]
        assert result.created == len(made) == len(kept)
        for shift, (wall_start, wall_end) in zip(made, kept, strict=True):
            check_wall_clock(shift.start, wall_start, zone)
            check_wall_clock(shift.end, wall_end, zone)
            if exists(wall_start, zone) and exists(wall_end, zone):
                assert shift.end - shift.start == true_length(wall_start, wall_end, zone)
        for earlier, later in itertools.pairwise(made):
            assert later.start == earlier.end
        transaction.set_rollback(True)
