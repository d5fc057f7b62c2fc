from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shifts.hours import Occurrence, occurrences, opening_status, status_from, to_utc
from shifts.models import Closure, ServiceWindow

NEW_YORK = ZoneInfo("America/New_York")


def window(weekday, start, end, pk=None):
    return ServiceWindow(pk=pk, weekday=weekday, start=start, end=end)


def test_a_skipped_wall_clock_time_lands_on_the_instant_the_clocks_jump():
    # 2026-03-08 02:30 does not exist in New York: clocks go 02:00 -> 03:00 (07:00 UTC).
    jump = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert to_utc(datetime(2026, 3, 8, 2, 30), NEW_YORK) == jump
    assert to_utc(datetime(2026, 3, 8, 3, 0), NEW_YORK) == jump


def test_a_repeated_wall_clock_time_is_its_first_occurrence():
    assert to_utc(datetime(2026, 11, 1, 1, 30), NEW_YORK) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_a_window_across_midnight_ends_the_next_day():
    friday = date(2026, 11, 27)
    [occurrence] = occurrences([window(4, time(19), time(2))], friday, friday, zone=NEW_YORK)
    assert occurrence.start == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # Fri 19:00 EST
    assert occurrence.end == datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # Sat 02:00 EST


def test_overnight_window_on_the_fall_back_night_lasts_an_hour_longer():
    saturday = date(2026, 10, 31)
    [occurrence] = occurrences([window(5, time(22), time(6))], saturday, saturday, zone=NEW_YORK)
    assert occurrence.end - occurrence.start == timedelta(hours=9)


def test_blocks_cut_a_window_without_gaps_and_skip_closed_days():
    windows = [window(4, time(18), time(2))]
    friday = date(2026, 11, 27)
    blocks = occurrences(
        windows,
        friday,
        friday + timedelta(days=7),
        block_hours=4,
        zone=NEW_YORK,
        closed_days={friday + timedelta(days=7)},
    )
    assert len(blocks) == 2
    assert blocks[0].end == blocks[1].start
    assert timezone.localtime(blocks[1].end, NEW_YORK).time() == time(2)


def test_status_merges_back_to_back_windows():
    now = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    spans = [
        Occurrence(now - timedelta(hours=1), now + timedelta(hours=1)),
        Occurrence(now + timedelta(hours=1), now + timedelta(hours=3)),
        Occurrence(now + timedelta(hours=5), now + timedelta(hours=6)),
    ]
    status = status_from(spans, now)
    assert status.is_open and status.until == now + timedelta(hours=3)
    closed = status_from(spans, now + timedelta(hours=4))
    assert not closed.is_open and closed.opens_at == now + timedelta(hours=5)


@pytest.mark.django_db
def test_opening_status_reads_hours_and_closures():
    # Friday 27 November 2026, 21:00 in New York (the tests' TIME_ZONE).
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    ServiceWindow.objects.create(weekday=4, start=time(19), end=time(2))
    status = opening_status(now)
    assert status.is_open
    assert timezone.localtime(status.until).time() == time(2)
    Closure.objects.create(date=date(2026, 11, 27))
    closed = opening_status(now)
    assert not closed.is_open
    assert timezone.localtime(closed.opens_at).date() == date(2026, 12, 4)


@pytest.mark.django_db
def test_no_hours_means_closed_with_no_opening():
    status = opening_status()
    assert not status.is_open and status.opens_at is None
