from django.core import mail

from crisisline.roles import RESPONDER
from shifts.models import Assignment
from tests.factory import grant, make_person
from tests.shifts.conftest import in_hours, make_shift, put, slot_of


def test_place_becomes_urgent_and_shows_first(as_responder, responder, responder_position):
    shift = make_shift(in_hours(5), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    response = as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/", follow=True)
    assert "shown first to qualified teammates" in response.content.decode()
    slot = slot_of(shift, responder_position)
    assert slot.urgent_since is not None and slot.taken == 0
    assert not Assignment.objects.exists()
    teammate = make_person("mate", RESPONDER)
    from tests.conftest import client_for

    body = client_for(teammate).get("/oncall/").content.decode()
    assert "Urgent" in body and f"/places/{slot.pk}/claim/" in body


def test_qualified_teammates_are_emailed_when_email_is_on(
    settings, as_responder, responder, holder_position
):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    skill = holder_position.required_skill
    grant(responder, skill)
    qualified = make_person("q", RESPONDER, email="q@example.org")
    grant(qualified, skill)
    make_person("u", RESPONDER, email="u@example.org")  # not qualified
    grant(make_person("nomail", RESPONDER), skill)
    shift = make_shift(in_hours(5), positions=[holder_position])
    assignment = put(responder, shift, holder_position)
    response = as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/", follow=True)
    assert "1 teammates were emailed." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["q@example.org"]]
    assert "Line holder" in mail.outbox[0].subject
    assert "/places/" in mail.outbox[0].body


def test_no_email_when_email_is_off(settings, as_responder, responder, responder_position):
    settings.EMAIL_ENABLED = False
    make_person("q", RESPONDER, email="q@example.org")
    assignment = put(
        responder, make_shift(in_hours(5), positions=[responder_position]), responder_position
    )
    as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/")
    assert mail.outbox == []


def test_a_started_or_finished_shift_is_refused(as_responder, responder, responder_position):
    for start in (in_hours(-10), in_hours(-1)):
        assignment = put(
            responder,
            make_shift(start, hours=4, positions=[responder_position]),
            responder_position,
        )
        response = as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/", follow=True)
        assert "already started: tell your teammates on call" in response.content.decode()
    assert Assignment.objects.count() == 2


def test_only_your_own(as_responder, coordinator, responder_position):
    assignment = put(
        coordinator, make_shift(in_hours(5), positions=[responder_position]), responder_position
    )
    assert as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/").status_code == 404
    assert Assignment.objects.filter(pk=assignment.pk).exists()
