from datetime import time, timedelta
from itertools import pairwise

from django.utils import timezone

from shifts.models import Closure, Position, ServiceWindow, Shift, Slot

URL = "/roster/generate/"


def week_from_tomorrow():
    first = timezone.localdate() + timedelta(days=1)
    return first, first + timedelta(days=6)


def every_evening():
    for day in range(7):
        ServiceWindow.objects.create(weekday=day, start=time(19), end=time(2))


def test_generates_a_shift_per_window_with_a_place_per_position(as_coordinator, responder_position):
    every_evening()
    Position.objects.create(name="Retired", active=False)
    first, last = week_from_tomorrow()
    response = as_coordinator.post(URL, {"first_day": first, "last_day": last}, follow=True)
    assert "7 shifts created." in response.content.decode()
    assert Shift.objects.count() == 7
    assert Slot.objects.count() == 7
    shift = Shift.objects.first()
    assert timezone.localtime(shift.start).time() == time(19)
    assert timezone.localtime(shift.end).time() == time(2)


def test_generating_again_duplicates_nothing_and_keeps_cancellations(
    as_coordinator, responder_position
):
    every_evening()
    first, last = week_from_tomorrow()
    as_coordinator.post(URL, {"first_day": first, "last_day": last})
    Shift.objects.filter(pk=Shift.objects.first().pk).update(cancelled=True)
    response = as_coordinator.post(
        URL, {"first_day": first, "last_day": last + timedelta(days=1)}, follow=True
    )
    assert (
        "1 shift created. 7 already existed and were left as they are." in response.content.decode()
    )
    assert Shift.objects.count() == 8
    assert Shift.objects.filter(cancelled=True).count() == 1


def test_generating_in_blocks_after_whole_windows_makes_no_overlapping_shifts(
    as_coordinator, responder_position
):
    every_evening()
    first, last = week_from_tomorrow()
    as_coordinator.post(URL, {"first_day": first, "last_day": last})
    response = as_coordinator.post(
        URL, {"first_day": first, "last_day": last, "block_hours": "4"}, follow=True
    )
    body = response.content.decode()
    # None of the blocks existed: each overlaps a different (whole-evening) shift.
    assert "0 shifts created. 14 would have overlapped a different shift and were not made." in body
    assert "already existed" not in body
    assert Shift.objects.count() == 7


def test_a_moved_shift_is_not_made_again_beside_it(as_coordinator, responder_position):
    every_evening()
    first, last = week_from_tomorrow()
    as_coordinator.post(URL, {"first_day": first, "last_day": last})
    moved = Shift.objects.first()
    moved.start += timedelta(minutes=30)
    moved.end += timedelta(minutes=30)
    moved.save()
    as_coordinator.post(URL, {"first_day": first, "last_day": last})
    assert Shift.objects.count() == 7
    starts = sorted(Shift.objects.values_list("start", "end"))
    assert all(end <= next_start for (_s, end), (next_start, _e) in pairwise(starts))


def test_blocks_and_closures(as_coordinator, responder_position):
    every_evening()
    first, last = week_from_tomorrow()
    Closure.objects.create(date=first)
    as_coordinator.post(URL, {"first_day": first, "last_day": last, "block_hours": "4"})
    # 19-23 and 23-02 on six open evenings
    assert Shift.objects.count() == 12


def test_bad_ranges_are_refused_and_change_nothing(as_coordinator, responder_position):
    every_evening()
    today = timezone.localdate()
    cases = [
        (
            {"first_day": today + timedelta(days=5), "last_day": today},
            "The last day is before the first day.",
        ),
        (
            {"first_day": today - timedelta(days=3), "last_day": today},
            "cannot be generated in the past",
        ),
        ({"first_day": today, "last_day": today + timedelta(days=400)}, "at most 366 days"),
        ({"first_day": "tomorrow", "last_day": ""}, "Enter a valid date."),
        ({"first_day": today, "last_day": today, "block_hours": "5"}, "Select a valid choice."),
    ]
    for data, message in cases:
        response = as_coordinator.post(URL, data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Shift.objects.exists()


def test_without_hours_it_says_to_set_them_first(as_coordinator, db):
    first, last = week_from_tomorrow()
    response = as_coordinator.post(URL, {"first_day": first, "last_day": last}, follow=True)
    assert "Set the hours of operation first." in response.content.decode()
    assert not Shift.objects.exists()


def test_shifts_that_would_start_in_the_past_are_not_made(as_coordinator, responder_position):
    now = timezone.localtime()
    ServiceWindow.objects.create(weekday=now.weekday(), start=time(0, 0), end=time(0, 1))
    as_coordinator.post(URL, {"first_day": now.date(), "last_day": now.date()})
    assert not Shift.objects.filter(start__lte=timezone.now()).exists()
