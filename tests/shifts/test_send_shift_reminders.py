from django.core import mail
from django.core.management import call_command

from shifts.models import ShiftPreferences
from tests.shifts.conftest import in_hours, make_shift, put


def run() -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_shift_reminders", stdout=out)
    return out.getvalue()


def setup(settings, responder, position, *, hours_before=12, starts_in=10):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    responder.email = "sam@example.org"
    responder.save()
    ShiftPreferences.objects.create(person=responder, reminder_hours=hours_before)
    return put(responder, make_shift(in_hours(starts_in), positions=[position]), position)


def test_reminds_once_within_the_chosen_hours(settings, responder, responder_position):
    setup(settings, responder, responder_position)
    assert "Sent 1 shift reminder(s)." in run()
    assert mail.outbox[0].to == ["sam@example.org"]
    assert "Responder" in mail.outbox[0].body
    assert "Sent 0 shift reminder(s)." in run()
    assert len(mail.outbox) == 1


def test_not_yet_when_the_shift_is_further_away(settings, responder, responder_position):
    setup(settings, responder, responder_position, hours_before=2, starts_in=10)
    assert "Sent 0" in run()


def test_off_by_default_and_without_email(settings, responder, responder_position):
    settings.EMAIL_ENABLED = True
    responder.email = "sam@example.org"
    responder.save()
    put(responder, make_shift(in_hours(1), positions=[responder_position]), responder_position)
    assert "Sent 0" in run()
    settings.EMAIL_ENABLED = False
    assert "Email is not configured" in run()
    assert mail.outbox == []


def test_registered_with_the_scheduler(settings):
    assert ("send_shift_reminders", 300) in settings.PERIODIC_COMMANDS
