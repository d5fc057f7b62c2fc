from datetime import time, timedelta

from django.utils import timezone

from shifts.models import Closure, ServiceWindow

URL = "/roster/hours/"


def test_add_a_window_across_midnight(as_coordinator):
    response = as_coordinator.post(
        URL, {"weekday": 4, "start": "19:00", "end": "02:00"}, follow=True
    )
    body = response.content.decode()
    assert "Opening hours saved." in body
    assert "Friday 19:00–02:00" in body and "(into the next day)" in body
    assert ServiceWindow.objects.get().crosses_midnight


def test_zero_length_and_overlapping_windows_are_refused(as_coordinator):
    ServiceWindow.objects.create(weekday=4, start=time(19), end=time(2))
    cases = [
        ({"weekday": 1, "start": "10:00", "end": "10:00"}, "opens and closes at the same time"),
        (
            {"weekday": 5, "start": "01:00", "end": "03:00"},
            "overlaps the window Friday 19:00–02:00",
        ),
        ({"weekday": 4, "start": "18:00", "end": "20:00"}, "overlaps"),
        ({"weekday": 4, "start": "19:00", "end": "23:00"}, "overlaps"),
        ({"weekday": 9, "start": "10:00", "end": "11:00"}, "Select a valid choice."),
        ({"weekday": 1, "start": "25:00", "end": "11:00"}, "Enter a valid time."),
    ]
    for data, message in cases:
        response = as_coordinator.post(URL, data)
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert ServiceWindow.objects.count() == 1


def test_sunday_night_into_monday_overlaps_monday_morning(as_coordinator):
    ServiceWindow.objects.create(weekday=6, start=time(22), end=time(3))
    response = as_coordinator.post(URL, {"weekday": 0, "start": "02:00", "end": "05:00"})
    assert "overlaps" in response.content.decode()
    response = as_coordinator.post(URL, {"weekday": 0, "start": "03:00", "end": "05:00"})
    assert response.status_code == 302  # back to back is fine


def test_remove_a_window(as_coordinator):
    window = ServiceWindow.objects.create(weekday=4, start=time(19), end=time(2))
    as_coordinator.post(f"/roster/hours/{window.pk}/delete/")
    assert not ServiceWindow.objects.exists()


def test_closures(as_coordinator):
    day = timezone.localdate() + timedelta(days=3)
    response = as_coordinator.post(
        "/roster/closures/", {"date": day, "reason": "Holiday"}, follow=True
    )
    assert "Closure saved." in response.content.decode()
    assert Closure.objects.get().reason == "Holiday"
    for bad, message in [
        (day, "already closed"),
        (timezone.localdate() - timedelta(days=1), "in the past"),
        ("never", "Enter a valid date."),
    ]:
        response = as_coordinator.post("/roster/closures/", {"date": bad})
        assert message in response.content.decode()
    assert Closure.objects.count() == 1
    as_coordinator.post(f"/roster/closures/{Closure.objects.get().pk}/delete/")
    assert not Closure.objects.exists()


def test_page_shows_the_current_status(as_coordinator):
    now = timezone.localtime()
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=2)).time().replace(minute=0, second=0, microsecond=0)
    ServiceWindow.objects.create(weekday=(now - timedelta(hours=1)).weekday(), start=start, end=end)
    assert f"Open now until {end:%H:%M}" in as_coordinator.get(URL).content.decode()
