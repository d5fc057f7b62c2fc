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


def test_after_the_shift_its_check_out_question_comes_by_email_once(
    settings, responder, responder_position
):
    """People who use reminders get the check-out question by email when the shift
    ends, in their own language, once; not after they answered in the app."""
    from calls.checkout import answer

    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    responder.email, responder.language = "sam@example.org", "es"
    responder.save()
    ShiftPreferences.objects.create(person=responder, reminder_hours=2)
    ended = make_shift(in_hours(-5), hours=4, positions=[responder_position])
    put(responder, ended, responder_position)
    assert "Sent 1 check-out question(s)." in run()
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert email.subject == "¿Cómo estás después de tu turno?"
    assert "pedido para hablar" in email.body and "sin tu nombre" in email.body
    assert "Sent 0 check-out question(s)." in run()  # once

    answered = make_shift(in_hours(-10), hours=4, positions=[responder_position])
    put(responder, answered, responder_position)
    answer(responder, answered, "fine")
    assert "Sent 0 check-out question(s)." in run()
    assert len(mail.outbox) == 1


def test_the_check_out_question_waits_atop_every_page(client, responder, responder_position):
    from tests.conftest import client_for

    ended = make_shift(in_hours(-5), hours=4, positions=[responder_position])
    put(responder, ended, responder_position)
    signed_in = client_for(responder)
    for path in ("/roster/team/", "/protocols/", "/profile/"):
        page = signed_in.get(path).content.decode()
        assert page.count("How are you after your shift?") == 1, path
        assert "/aftercare/check-out/" in page
    # /oncall/ asks it in its own place, once.
    assert signed_in.get("/oncall/").content.decode().count("How are you after your shift?") == 1
    shift_pk = page.split("/aftercare/check-out/", 1)[1].split("/", 1)[0]
    assert (
        signed_in.post(f"/aftercare/check-out/{shift_pk}/", {"answer": "fine"}).status_code == 302
    )
    assert "How are you after your shift?" not in signed_in.get("/protocols/").content.decode()


def test_a_failed_email_is_logged_and_tried_again(
    settings, responder, responder_position, monkeypatch, caplog
):
    from shifts.management.commands import send_shift_reminders

    place = setup(settings, responder, responder_position)
    ended = make_shift(in_hours(-5), hours=4, positions=[responder_position])
    put(responder, ended, responder_position)
    working = send_shift_reminders.send_mail

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(send_shift_reminders, "send_mail", refused)
    assert "Sent 0 shift reminder(s).\nSent 0 check-out question(s)." in run()
    assert "could not be sent (reminded_at)" in caplog.text
    assert "could not be sent (check_out_sent_at)" in caplog.text
    place.refresh_from_db()
    assert place.reminded_at is None  # released: the next run tries again
    monkeypatch.setattr(send_shift_reminders, "send_mail", working)
    assert "Sent 1 shift reminder(s).\nSent 1 check-out question(s)." in run()
    assert len(mail.outbox) == 2
