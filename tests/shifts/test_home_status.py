from datetime import time, timedelta

from django.utils import timezone

from shifts.models import Closure, ServiceWindow


def test_public_home_says_open_now_until(client, db):
    now = timezone.localtime()
    opened = now - timedelta(hours=1)
    closes = (now + timedelta(hours=2)).replace(minute=0)
    ServiceWindow.objects.create(
        weekday=opened.weekday(),
        start=opened.time().replace(second=0, microsecond=0),
        end=closes.time().replace(second=0, microsecond=0),
    )
    body = client.get("/").content.decode()
    assert f"Open now until {closes:%H:%M}" in body


def test_public_home_says_when_it_opens(client, db):
    day = timezone.localdate() + timedelta(days=2)
    ServiceWindow.objects.create(weekday=day.weekday(), start=time(19), end=time(2))
    body = client.get("/").content.decode()
    assert f"Opens {day:%A} at 19:00" in body


def test_a_closure_moves_the_opening_a_week(client, db):
    from shifts.hours import opening_status

    day = timezone.localdate() + timedelta(days=2)
    ServiceWindow.objects.create(weekday=day.weekday(), start=time(19), end=time(2))
    Closure.objects.create(date=day)
    assert timezone.localtime(opening_status().opens_at).date() == day + timedelta(days=7)


def test_in_spanish(client, db):
    day = timezone.localdate() + timedelta(days=2)
    ServiceWindow.objects.create(weekday=day.weekday(), start=time(19), end=time(2))
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cerrada ahora. Abre" in body


def test_without_hours_the_home_says_nothing_about_them(client, db):
    body = client.get("/").content.decode()
    assert "Opens" not in body and "Open now" not in body
