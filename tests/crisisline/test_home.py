from datetime import date, time, timedelta
from html import unescape

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from django.utils.html import strip_tags

from crisisline.models import Line
from shifts.models import Closure, ServiceWindow


@pytest.fixture
def described_line(db):
    return Line.objects.create(
        pk=1,
        name="Eastside Line",
        public_phone="+1 555 010 9999",
        responds_to="People in distress.",
        does_not_respond_to="We never call the police.",
        responds_to_es="Personas con angustia.",
    )


def test_public_home_says_what_the_line_does(client, described_line):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Eastside Line" in body
    assert "People in distress." in body
    assert "We never call the police." in body
    assert 'href="tel:+15550109999"' in body
    assert "Sign in" in body


def test_public_home_in_spanish_falls_back_to_english_where_untranslated(client, described_line):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert "Personas con angustia." in body
    assert "We never call the police." in body  # no Spanish version written yet
    assert "Qué atendemos" in body


def test_home_without_a_description_says_so(client, db):
    response = client.get("/")
    assert "The line has not described this yet." in response.content.decode()


def test_edit_link_only_for_coordinators(as_responder, as_coordinator, described_line):
    assert "/line/" not in as_responder.get("/").content.decode()
    assert 'href="/line/"' in as_coordinator.get("/").content.decode()


def test_public_home_reads_the_line_once(client, described_line, django_assert_max_num_queries):
    # The line, the opening hours and the closures: nothing that grows with the line.
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


def test_query_count_stays_the_same_with_every_hour_and_closure(
    client, described_line, django_assert_max_num_queries
):
    for weekday in range(7):
        for hour in (6, 12, 18):
            ServiceWindow.objects.create(weekday=weekday, start=time(hour), end=time(hour + 4))
    for days in range(1, 60):
        Closure.objects.create(date=timezone.localdate() + timedelta(days=days))
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


# --- Hours of operation -----------------------------------------------------------------


def page_text(response) -> str:
    """What a reader sees: the words of the page, without markup."""
    return " ".join(unescape(strip_tags(response.content.decode())).split())


@pytest.fixture
def weekly_hours(db):
    ServiceWindow.objects.create(weekday=4, start=time(19), end=time(2))  # Fri into Sat
    ServiceWindow.objects.create(weekday=5, start=time(10), end=time(14))
    ServiceWindow.objects.create(weekday=5, start=time(19), end=time(0))  # Sat to midnight
    ServiceWindow.objects.create(weekday=1, start=time(18, 30), end=time(22))


def test_home_shows_the_weekly_hours_in_the_lines_time_zone(client, weekly_hours):
    text = page_text(client.get("/"))
    assert "When we are open" in text
    assert "Tuesday 18:30–22:00" in text
    assert "Friday 19:00–02:00" in text
    assert "Saturday 10:00–14:00, 19:00–24:00" in text
    # The status line above ("Opens Friday 19:00") names a day too: read the order
    # in the weekly hours only.
    hours = text[text.index("When we are open") :]
    assert hours.index("Tuesday") < hours.index("Friday") < hours.index("Saturday 10:00")
    assert "Times are in the line's time zone (America/New York)." in text
    assert "not published yet" not in text


def test_back_to_back_windows_read_as_one_stretch(client, db):
    ServiceWindow.objects.create(weekday=5, start=time(10), end=time(18))
    ServiceWindow.objects.create(weekday=5, start=time(18), end=time(2))
    assert "Saturday 10:00–02:00" in page_text(client.get("/"))


def test_home_says_when_no_hours_are_published(client, db):
    text = page_text(client.get("/"))
    assert "The line's hours are not published yet." in text
    assert "Times are in the line's time zone" not in text


def test_home_lists_closures_of_the_next_four_weeks_only(client, weekly_hours):
    today = timezone.localdate()
    soon, later = today + timedelta(days=9), today + timedelta(days=29)
    past = today - timedelta(days=1)
    for day in (past, soon, later):
        Closure.objects.create(date=day, reason="Staff retreat at Sam's")
    text = page_text(client.get("/"))
    assert "Closed on these days:" in text
    with translation.override("en"):
        shown = {day: f"{day:%A}, {date_filter(day, 'DATE_FORMAT')}" for day in (past, soon, later)}
    assert shown[soon] in text
    assert shown[past] not in text and shown[later] not in text
    # The reason is a note between coordinators, not for the public.
    assert "Staff retreat" not in text


def test_home_without_closures_lists_none(client, weekly_hours):
    assert "Closed on these days" not in page_text(client.get("/"))


def test_hours_and_closures_in_spanish(client, weekly_hours):
    soon = timezone.localdate() + timedelta(days=3)
    Closure.objects.create(date=soon)
    text = page_text(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "Cuándo atendemos" in text
    assert "viernes 19:00–02:00" in text
    assert "sábado 10:00–14:00, 19:00–24:00" in text
    months = [
        *("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio"),
        *("agosto", "septiembre", "octubre", "noviembre", "diciembre"),
    ]
    assert f"{soon.day} de {months[soon.month - 1]} de {soon.year}" in text
    assert "Cerrado estos días:" in text


def test_spanish_home_without_hours(client, db):
    text = page_text(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "La línea aún no ha publicado su horario." in text


def test_weekly_hours_are_wall_clock_times_whatever_the_season(client, db, settings):
    """A window is kept in the line's own clock time: the same words in summer and winter."""
    from shifts.hours import public_hours

    ServiceWindow.objects.create(weekday=4, start=time(19), end=time(2))
    for season in (date(2026, 1, 9), date(2026, 7, 10)):
        now = timezone.make_aware(timezone.datetime.combine(season, time(12)))
        with translation.override("en"):
            assert public_hours(now).week == [("Friday", ["19:00–02:00"])]
