"""The week's on-call sheet: who holds the line and the fallback chain per shift,
numbers only when a coordinator asks, and a reminder to destroy it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from crisisline.roles import RESPONDER
from shifts.models import RosterRules
from tests.factory import make_person
from tests.shifts.conftest import make_position, make_shift, put

URL = "/roster/week/sheet/"
# A fixed Wednesday noon in the line's zone: nothing depends on today.
WEDNESDAY = timezone.make_aware(datetime(2031, 3, 12, 12, 0))


@pytest.fixture
def week(holder_position, responder_position):
    backup = make_position("Debrief / backup", 0, 1, order=2, forwarding_order=1)
    first = make_shift(WEDNESDAY, positions=[holder_position, responder_position, backup])
    put(
        make_person("ana", RESPONDER, display_name="Ana Holder", phone="+1 555 000 2222"),
        first,
        holder_position,
    )
    put(
        make_person("bo", RESPONDER, display_name="Bo Backup", phone="+1 555 000 3333"),
        first,
        backup,
    )
    put(
        make_person("cy", RESPONDER, display_name="Cy Responder", phone="+1 555 000 4444"),
        first,
        responder_position,
    )
    unheld = make_shift(WEDNESDAY + timedelta(days=1), positions=[holder_position, backup])
    put(make_person("di", RESPONDER, display_name="Di Backup", phone=""), unheld, backup)
    make_shift(WEDNESDAY + timedelta(days=7), positions=[holder_position])  # the next week
    rules = RosterRules.current()
    rules.duty_phone = "+15550009999"
    rules.save()
    return WEDNESDAY.date()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_responders_may_not_print_the_sheet(as_responder):
    assert as_responder.get(URL).status_code == 403


def test_the_chain_in_call_order_without_numbers(as_coordinator, week):
    html = as_coordinator.get(URL, {"start": week.isoformat()}).content.decode()
    assert html.index("Ana Holder") < html.index("Bo Backup")
    # Only the chain: a responder who is not in it is not a fallback.
    assert "Cy Responder" not in html
    assert "Nobody holds the line yet." in html and "Di Backup" in html
    assert "+1555" not in html and "Coordinator on duty" not in html
    assert "Destroy this sheet after Sunday March 16, 2031" in html
    # The week runs Monday to Sunday around the date asked for; later shifts are left out.
    assert html.count('<th scope="row">') == 2


def test_numbers_only_when_asked(as_coordinator, week):
    response = as_coordinator.get(URL, {"start": week.isoformat(), "numbers": "on"})
    html = response.content.decode()
    assert "+15550002222" in html and "+15550003333" in html and "+15550009999" in html
    assert "no number" in html  # Di has none: said, not left blank
    assert "shred it" in html
    assert "no-store" in response["Cache-Control"]


def test_a_bad_date_is_said_and_this_week_shown(as_coordinator, week):
    response = as_coordinator.get(URL, {"start": "1999-01-01"})
    assert response.status_code == 200
    assert "Choose a date between 2000 and 2100." in response.content.decode()


def test_in_spanish_days_are_lower_case(as_coordinator, week):
    as_coordinator.cookies["django_language"] = "es"
    html = as_coordinator.get(URL, {"start": week.isoformat()}).content.decode()
    assert "Destruye esta hoja después del domingo" in html
    assert "miércoles 12" in html
