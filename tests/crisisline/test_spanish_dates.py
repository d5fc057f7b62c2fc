"""Dates read the way each language writes them: "martes 1 de diciembre", lower case."""

import re
from datetime import date, datetime, time
from html import unescape

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.html import strip_tags

from shifts.models import ServiceWindow

TUESDAY = date(2026, 12, 1)


def rendered(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "english", "spanish"),
    [
        ('{{ d|date:"l j F" }}', "Tuesday 1 December", "martes 1 de diciembre"),
        ('{{ d|date:"l j F Y" }}', "Tuesday 1 December 2026", "martes 1 de diciembre de 2026"),
        ('{{ d|date:"D j M" }}', "Tue 1 Dec", "mar 1 dic"),
        ('{{ d|date:"F Y" }}', "December 2026", "diciembre de 2026"),
        ('{{ d|date:"l" }}', "Tuesday", "martes"),
    ],
)
def test_template_dates_follow_each_language(source, english, spanish):
    assert rendered(source, "en", d=TUESDAY) == english
    assert rendered(source, "es", d=TUESDAY) == spanish


def test_every_template_date_naming_the_month_says_de_in_spanish():
    from django.conf import settings

    sources = [
        path.read_text()
        for root in (settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("*/templates"))
        for path in root.rglob("*.html")
    ]
    formats = {f for source in sources for f in re.findall(r'\|date:"([^"]+)"', source)}
    with_month = {f for f in formats if "j" in f and "F" in f}
    assert "l j F, H:i" in with_month  # the notices page, the check-out question…
    start = timezone.make_aware(datetime.combine(TUESDAY, time(18)))
    for format_string in with_month:
        spanish = rendered(f'{{{{ d|date:"{format_string}" }}}}', "es", d=start)
        assert "1 de diciembre" in spanish, (format_string, spanish)


def test_times_keep_their_format_in_spanish():
    start = timezone.make_aware(datetime.combine(TUESDAY, time(18)))
    assert rendered('{{ d|date:"l j M H:i" }}', "es", d=start) == "martes 1 de diciembre, 18:00"
    assert rendered('{{ d|date:"D j M, H:i" }}', "es", d=start) == "mar 1 dic, 18:00"


def page_text(response) -> str:
    return " ".join(unescape(strip_tags(response.content.decode())).split())


def opens_at_six_on(day: date) -> None:
    ServiceWindow.objects.create(weekday=day.weekday(), start=time(18), end=time(22))


@pytest.mark.parametrize(
    ("opening_day", "english", "spanish"),
    [
        (TUESDAY, "Opens today at 18:00", "Abre hoy a las 18:00"),
        (date(2026, 12, 2), "Opens tomorrow at 18:00", "Abre mañana a las 18:00"),
        (date(2026, 12, 4), "Opens Friday at 18:00", "Abre el viernes a las 18:00"),
    ],
)
def test_the_public_page_says_today_and_tomorrow(client, db, opening_day, english, spanish):
    opens_at_six_on(opening_day)
    with time_machine.travel(timezone.make_aware(datetime(2026, 12, 1, 9, 0)), tick=False):
        assert f"Closed now. {english}" in page_text(client.get("/"))
        spanish_page = page_text(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))
    assert f"Cerrada ahora. {spanish}" in spanish_page
    assert "Martes" not in spanish_page and "Viernes" not in spanish_page


def test_on_call_says_when_the_line_opens_in_spanish(as_responder):
    opens_at_six_on(TUESDAY)
    with time_machine.travel(timezone.make_aware(datetime(2026, 12, 1, 9, 0)), tick=False):
        text = page_text(as_responder.get("/oncall/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "Abre hoy a las 18:00" in text


def test_weekly_hours_name_the_days_in_lower_case(client, db):
    opens_at_six_on(TUESDAY)
    text = page_text(client.get("/", HTTP_ACCEPT_LANGUAGE="es"))
    hours = text[text.index("Cuándo atendemos") :]
    assert "martes 18:00–22:00" in hours
    assert "Martes" not in hours


def test_named_formats_still_come_from_the_locale():
    assert rendered('{{ d|date:"DATE_FORMAT" }}', "es", d=TUESDAY) == "1 de diciembre de 2026"
