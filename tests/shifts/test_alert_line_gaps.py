"""The periodic job emails once per line-holder gap: free qualified responders and coordinators."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from crisisline.roles import COORDINATOR, RESPONDER
from shifts import places
from shifts.models import LineGapAlert, TimeOff
from tests.factory import grant, make_person
from tests.shifts.conftest import in_hours, make_shift, put


@pytest.fixture
def email(settings):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def run() -> str:
    out = StringIO()
    call_command("alert_line_gaps", stdout=out)
    return out.getvalue()


def test_emails_free_qualified_responders_and_coordinators_once(
    email, holder_position, responder_position
):
    training = holder_position.required_skill
    gap_shift = make_shift(in_hours(10), positions=[holder_position, responder_position])
    free = make_person("free", RESPONDER, email="free@example.org")
    grant(free, training)
    busy = make_person("busy", RESPONDER, email="busy@example.org")
    grant(busy, training)
    put(busy, gap_shift, responder_position)
    away = make_person("away", RESPONDER, email="away@example.org")
    grant(away, training)
    # The line's own days: in the evening the shift's start is already tomorrow in UTC.
    TimeOff.objects.create(
        person=away,
        first_day=timezone.localdate(gap_shift.start),
        last_day=timezone.localdate(gap_shift.end),
    )
    make_person("untrained", RESPONDER, email="untrained@example.org")
    opted_out = make_person("quiet", RESPONDER, email="quiet@example.org", line_gap_emails=False)
    grant(opted_out, training)
    make_person("coord", COORDINATOR, email="coord@example.org")

    assert "Sent 2 line gap alert(s)." in run()
    assert sorted(m.to[0] for m in mail.outbox) == ["coord@example.org", "free@example.org"]
    message = mail.outbox[0]
    assert "Line holder" in message.subject
    assert "nobody holds Line holder" in message.body
    assert "Turn these emails off on your profile" in message.body
    assert LineGapAlert.objects.count() == 1

    assert "Sent 0 line gap alert(s)." in run()  # remembered: never twice
    assert len(mail.outbox) == 2


def test_a_holder_without_a_phone_is_told_to_coordinators_only(email, holder_position):
    shift = make_shift(in_hours(10), positions=[holder_position])
    put(make_person("ana", RESPONDER, phone="", email="ana@example.org"), shift, holder_position)
    other = make_person("other", RESPONDER, email="other@example.org")
    grant(other, holder_position.required_skill)
    make_person("coord", COORDINATOR, email="coord@example.org")
    run()
    assert [m.to[0] for m in mail.outbox] == ["coord@example.org"]
    assert "has no phone number calls can reach" in mail.outbox[0].body


def test_nothing_without_email_configured(settings, holder_position):
    settings.EMAIL_ENABLED = False
    make_shift(in_hours(10), positions=[holder_position])
    assert "Email is not configured" in run()
    assert not LineGapAlert.objects.exists()


def test_a_place_filled_then_freed_again_is_a_new_gap_and_is_announced_again(
    email, holder_position
):
    shift = make_shift(in_hours(10), positions=[holder_position])
    slot = shift.slots.get()
    sam = make_person("sam", RESPONDER, email="sam@example.org")
    grant(sam, holder_position.required_skill)
    make_person("coord", COORDINATOR, email="coord@example.org")

    assert "Sent 2 line gap alert(s)." in run()  # the gap: Sam and the coordinator
    assignment = places.claim(slot.pk, sam)
    assert "Sent 0 line gap alert(s)." in run()  # filled by someone reachable: no gap
    places.cant_make_it(assignment)
    # Sam gave it up, so only the coordinator hears of the new gap.
    assert "Sent 1 line gap alert(s)." in run()
    assert [m.to[0] for m in mail.outbox[2:]] == ["coord@example.org"]
    assert "nobody holds Line holder" in mail.outbox[2].body
    assert "Sent 0 line gap alert(s)." in run()  # and still only once per gap


def test_a_holder_who_adds_a_phone_closes_the_gap_and_losing_it_opens_a_new_one(
    email, holder_position
):
    shift = make_shift(in_hours(10), positions=[holder_position])
    ana = make_person("ana", RESPONDER, phone="", email="ana@example.org")
    put(ana, shift, holder_position)
    make_person("coord", COORDINATOR, email="coord@example.org")
    assert "Sent 1 line gap alert(s)." in run()
    ana.phone = "+15550100005"
    ana.save()
    assert "Sent 0 line gap alert(s)." in run()
    assert not LineGapAlert.objects.exists()
    ana.phone = ""
    ana.save()
    assert "Sent 1 line gap alert(s)." in run()
    assert len(mail.outbox) == 2
