"""Emails reach each person in their own language, with dates the way it writes them."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from crisisline.roles import COORDINATOR, RESPONDER
from shifts.models import ShiftPreferences
from tests.factory import grant, make_person
from tests.shifts.conftest import make_shift, put

# Monday 30 November 2026, noon; the shift is on Tuesday 1 December, 18:00–22:00.
MONDAY_NOON = datetime(2026, 11, 30, 12, 0)
TUESDAY_EVENING = datetime(2026, 12, 1, 18, 0)


@pytest.fixture
def email(settings):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(MONDAY_NOON), tick=False):
        yield


def command(name: str) -> str:
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def by_address() -> dict:
    return {message.to[0]: message for message in mail.outbox}


def test_shift_reminders_speak_each_persons_language(email, frozen, settings, responder_position):
    settings.LANGUAGE_CODE = "en"
    responder_position.name_es = "Respuesta"
    responder_position.save()
    shift = make_shift(timezone.make_aware(TUESDAY_EVENING), positions=[responder_position])
    lupe = make_person("lupe", RESPONDER, email="lupe@example.org", language="es")
    wren = make_person("wren", RESPONDER, email="wren@example.org")  # the line's language
    for person in (lupe, wren):
        ShiftPreferences.objects.create(person=person, reminder_hours=48)
        put(person, shift, responder_position)

    assert "Sent 2 shift reminder(s)." in command("send_shift_reminders")

    spanish, english = by_address()["lupe@example.org"], by_address()["wren@example.org"]
    assert spanish.subject == "Recordatorio: tu turno del martes 1 de diciembre a las 18:00"
    assert spanish.body == (
        "Estás de turno como Respuesta desde el martes 1 de diciembre a las 18:00 hasta las 22:00."
    )
    assert english.subject == "Reminder: your shift on Tuesday 1 December 18:00"
    assert "as Responder from Tuesday 1 December 18:00 to 22:00" in english.body


def test_a_line_in_spanish_still_writes_to_an_english_reader_in_english(
    email, frozen, settings, responder_position
):
    settings.LANGUAGE_CODE = "es"
    shift = make_shift(timezone.make_aware(TUESDAY_EVENING), positions=[responder_position])
    sam = make_person("sam", RESPONDER, email="sam@example.org", language="en")
    ShiftPreferences.objects.create(person=sam, reminder_hours=48)
    put(sam, shift, responder_position)
    command("send_shift_reminders")
    assert mail.outbox[0].subject == "Reminder: your shift on Tuesday 1 December 18:00"


def test_line_gap_alerts_speak_each_readers_language(email, frozen, holder_position):
    holder_position.name_es = "Quien lleva la línea"
    holder_position.save()
    make_shift(timezone.make_aware(TUESDAY_EVENING), positions=[holder_position])
    make_person("coord-es", COORDINATOR, email="es@example.org", language="es")
    make_person("coord-en", COORDINATOR, email="en@example.org", language="en")

    assert "Sent 2 line gap alert(s)." in command("alert_line_gaps")

    spanish, english = by_address()["es@example.org"], by_address()["en@example.org"]
    assert spanish.subject == (
        "La línea puede quedarse sin respuesta: Quien lleva la línea "
        "el martes 1 de diciembre a las 18:00"
    )
    assert "mar 1 dic 18:00: nadie tiene el puesto Quien lleva la línea." in spanish.body
    assert "Puedes desactivar estos correos en tu perfil." in spanish.body
    assert english.subject == "The line may go silent: Line holder on Tuesday 1 December 18:00"
    assert "nobody holds Line holder" in english.body


def test_urgent_place_emails_speak_each_readers_language(
    email, settings, as_responder, responder, holder_position
):
    settings.LANGUAGE_CODE = "en"
    holder_position.name_es = "Quien lleva la línea"
    holder_position.save()
    skill = holder_position.required_skill
    grant(responder, skill)
    for username, language in (("ana", "es"), ("bo", "")):
        grant(
            make_person(username, RESPONDER, email=f"{username}@example.org", language=language),
            skill,
        )
    shift = make_shift(timezone.now() + timedelta(hours=5), positions=[holder_position])
    assignment = put(responder, shift, holder_position)

    as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/")

    spanish, english = by_address()["ana@example.org"], by_address()["bo@example.org"]
    assert spanish.subject.startswith("Urgente: hay un lugar libre de Quien lleva la línea el ")
    assert "Alguien no puede cubrir su turno." in spanish.body
    assert english.subject.startswith("Urgent: a Line holder place is open on ")


def test_password_link_email_speaks_the_persons_language(email, as_coordinator):
    lupe = make_person("lupe", RESPONDER, email="lupe@example.org", language="es")
    response = as_coordinator.post(f"/people/{lupe.pk}/reset-link/")
    assert response.status_code == 200
    assert mail.outbox[0].subject == "Elige una contraseña nueva"
    assert mail.outbox[0].body.startswith("Coordinación te envió un enlace")
    # The page itself stays in the coordinator's language.
    assert "Password link for" in response.content.decode()
