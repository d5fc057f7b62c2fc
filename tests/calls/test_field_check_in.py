"""Field check-in: a responder starts a timer; if they don't check in by then, the
line holder (or, with nobody on the line, the coordinators) is alerted; the record
goes when they check in or their shift ends, never sooner than four hours after it
was due. No location is ever recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from calls.fieldcheck import alert_missed
from calls.models import FieldCheckIn
from calls.purge import purge_expired
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_position, make_shift, put

NOON = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
ALERT = "has not checked in from an in-person response"


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOON, tick=True) as traveller:
        yield traveller


@pytest.fixture
def line(responder, db):
    """The responder on a shift now, and a line holder on it."""
    holder_position = make_position("Line holder", holds_line=True)
    responder_position = make_position("Responder")
    shift = make_shift(in_hours(-1), hours=4, positions=[holder_position, responder_position])
    holder = make_person("holder", RESPONDER, display_name="Lee Holder", email="l@example.org")
    put(holder, shift, holder_position)
    put(responder, shift, responder_position)
    return shift, holder


def test_a_missed_check_in_alerts_the_line_holder(responder, line, fixed_clock, settings):
    settings.EMAIL_ENABLED = True
    _shift, holder = line
    client = client_for(responder)
    assert client.post("/aftercare/field/", {"minutes": "30"}).status_code == 302
    assert "Check in by" in client.get("/oncall/").content.decode()
    watcher = client_for(holder)
    page = watcher.get("/oncall/").content.decode()
    assert ALERT not in page
    fixed_clock.shift(timedelta(minutes=31))
    assert ALERT in watcher.get("/oncall/").content.decode()
    assert alert_missed() == 1 and alert_missed() == 0  # one email, once
    assert mail.outbox[0].to == ["l@example.org"]
    assert responder.display_name in mail.outbox[0].body
    # Another teammate, not holding the line, sees no alert.
    other = make_person("other", RESPONDER)
    assert ALERT not in client_for(other).get("/oncall/").content.decode()


def test_checking_in_deletes_the_record(responder, line):
    client = client_for(responder)
    client.post("/aftercare/field/", {"minutes": "45"})
    assert client.post("/aftercare/field/checked-in/").status_code == 302
    assert not FieldCheckIn.objects.exists()
    # Again (another tab, or after the timer ended): told so, not nothing.
    page = client.post("/aftercare/field/checked-in/", follow=True).content.decode()
    assert "nothing to check in" in page
    assert {f.name for f in FieldCheckIn._meta.get_fields()} == {
        "id",
        "person",
        "due_at",
        "ends_at",
        "alerted_at",
    }


def test_the_record_goes_when_the_shift_ends(responder, db, fixed_clock):
    position = make_position("Responder")
    shift = make_shift(in_hours(-1), hours=8, positions=[position])
    put(responder, shift, position)
    client_for(responder).post("/aftercare/field/", {"minutes": "30"})
    assert FieldCheckIn.objects.get().ends_at == shift.end
    fixed_clock.move_to(shift.end + timedelta(minutes=1))
    purge_expired()
    assert not FieldCheckIn.objects.exists()


def test_a_check_in_missed_near_the_shift_end_outlives_the_shift(responder, line, fixed_clock):
    shift, _holder = line
    # Out at the end of the shift: due ten minutes before it ends, and never back.
    fixed_clock.move_to(shift.end - timedelta(minutes=40))
    client_for(responder).post("/aftercare/field/", {"minutes": "30"})
    due = FieldCheckIn.objects.get().due_at
    fixed_clock.move_to(shift.end + timedelta(minutes=5))
    purge_expired()
    # Whoever holds the line on the next shift sees the alert.
    holder_position = make_position("Next line holder", holds_line=True)
    following = make_shift(shift.end, hours=4, positions=[holder_position])
    next_holder = make_person("next", RESPONDER, display_name="Noor Next")
    put(next_holder, following, holder_position)
    assert ALERT in client_for(next_holder).get("/oncall/").content.decode()
    # Four hours after it was due, the record goes.
    fixed_clock.move_to(due + timedelta(hours=4, minutes=1))
    purge_expired()
    assert not FieldCheckIn.objects.exists()


def test_with_nobody_on_the_line_the_coordinators_are_emailed(responder, db, settings):
    settings.EMAIL_ENABLED = True
    make_person("rosa", "Coordinator", email="rosa@example.org")
    client_for(responder).post("/aftercare/field/", {"minutes": "30"})
    FieldCheckIn.objects.update(due_at=NOON - timedelta(minutes=1))
    assert alert_missed() == 1
    assert mail.outbox[0].to == ["rosa@example.org"]


def test_with_nobody_to_email_the_alert_waits_for_someone(responder, line, settings):
    settings.EMAIL_ENABLED = True
    _shift, holder = line
    holder.email = ""
    holder.save()
    client_for(responder).post("/aftercare/field/", {"minutes": "30"})
    FieldCheckIn.objects.update(due_at=NOON - timedelta(minutes=1))
    assert alert_missed() == 0 and not mail.outbox
    assert FieldCheckIn.objects.get().alerted_at is None  # tried again on the next run
    holder.email = "l@example.org"
    holder.save()
    assert alert_missed() == 1 and mail.outbox[0].to == ["l@example.org"]


def test_off_shift_a_timer_lives_four_hours_after_it_is_due(responder, db, settings):
    client_for(responder).post("/aftercare/field/", {"minutes": "60"})
    check_in = FieldCheckIn.objects.get()
    assert abs(check_in.due_at - (NOON + timedelta(minutes=60))) < timedelta(seconds=5)
    assert check_in.ends_at == check_in.due_at + timedelta(hours=4)
    assert ("alert_missed_check_ins", 60) in settings.PERIODIC_COMMANDS


def test_only_the_offered_timers(responder, line):
    client = client_for(responder)
    client.post("/aftercare/field/", {"minutes": "5"})
    assert not FieldCheckIn.objects.exists()


@pytest.mark.parametrize("minutes", ["٣٠", "３０", " 30", "+30", "3_0"])
def test_minutes_are_ascii_digits_only(responder, line, minutes):
    # int() reads each of these as 30.
    client_for(responder).post("/aftercare/field/", {"minutes": minutes})
    assert not FieldCheckIn.objects.exists()


def test_access(client, as_trainer, responder):
    assert "/accounts/login/" in client.post("/aftercare/field/", {"minutes": "30"})["Location"]
    assert as_trainer.post("/aftercare/field/", {"minutes": "30"}).status_code == 403
    assert client_for(responder).get("/aftercare/field/").status_code == 405
    assert not FieldCheckIn.objects.exists()


def test_while_nobody_holds_the_line_coordinators_see_the_alert(responder, db, fixed_clock):
    coordinator = make_person("rosa", "Coordinator", display_name="Rosa Coordinator")
    client_for(responder).post("/aftercare/field/", {"minutes": "30"})
    watcher = client_for(coordinator)
    page = watcher.get("/oncall/").content.decode()
    assert ALERT not in page
    assert "Going out to an in-person response?" not in page  # no timer of their own to start
    fixed_clock.shift(timedelta(minutes=31))
    assert ALERT in watcher.get("/oncall/").content.decode()
    # Once someone holds the line, it is theirs to follow.
    holding = make_position("Line holder", holds_line=True)
    shift = make_shift(in_hours(-1), hours=4, positions=[holding])
    put(make_person("lee", RESPONDER, display_name="Lee Holder"), shift, holding)
    assert ALERT not in watcher.get("/oncall/").content.decode()
