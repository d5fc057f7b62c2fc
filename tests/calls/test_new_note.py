from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import CallNote, RetentionPolicy, Tally
from crisisline.roles import RESPONDER
from tests.calls.conftest import (
    client_for,
    give_keys,
    note_form,
    read_body,
    read_contents,
    sealed_expiry,
)
from tests.factory import make_person

URL = "/notes/new/"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.post(URL, note_form())
    assert not CallNote.including_expired.exists()


def test_people_without_the_responder_role_may_not(as_trainer, as_outsider):
    for person in (as_trainer, as_outsider):
        assert person.get(URL).status_code == 403
        assert person.post(URL, note_form()).status_code == 403
    assert not CallNote.including_expired.exists()


def test_the_form_fits_a_phone_and_has_no_field_for_the_caller(as_responder):
    response = as_responder.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for name in ("kind", "needs", "response", "police", "body", "follow_up_to", "follow_up_by"):
        assert f'name="{name}"' in html
    for absent in ("caller", "phone", "address", "location", 'name="name"'):
        assert f'name="{absent}' not in html
    assert 'maxlength="1000"' in html


def test_responder_writes_a_note_that_is_stored_encrypted(as_responder, responder):
    before = timezone.now()
    response = as_responder.post(
        URL, note_form(body="Worried about the heat; water dropped off.", needs=["food", "safety"])
    )
    note = CallNote.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notes/{note.public_id}/"
    assert note.author == responder
    assert read_contents(note, responder).needs == ("food", "safety")
    assert b"heat" not in bytes(note.body_ciphertext)
    assert read_body(note, responder) == "Worried about the heat; water dropped off."
    assert str(note) == note.public_id and "heat" not in repr(note)
    assert (
        before + timedelta(hours=72) <= sealed_expiry(note) <= timezone.now() + timedelta(hours=72)
    )
    page = as_responder.get(response["Location"])
    assert "Worried about the heat" in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_each_note_adds_one_to_the_week_total(as_responder):
    as_responder.post(URL, note_form())
    as_responder.post(URL, note_form())
    as_responder.post(URL, note_form(police="unsolicited"))
    counts = {(t.kind, t.police, t.follow_up): t.count for t in Tally.objects.filter(count__gt=0)}
    assert counts == {("crisis-acute", "none", False): 2, ("crisis-acute", "unsolicited", False): 1}
    week = Tally.objects.first().week
    assert week.weekday() == 0 and week <= timezone.localdate()


def test_writer_may_choose_a_shorter_life(as_responder):
    as_responder.post(URL, note_form(keep_hours="8"))
    expires = sealed_expiry(CallNote.objects.get())
    assert timedelta(hours=7, minutes=59) < expires - timezone.now() <= timedelta(hours=8)


def test_writer_may_not_choose_longer_than_the_default(as_responder):
    response = as_responder.post(URL, note_form(keep_hours=str(24 * 30)))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CallNote.including_expired.exists()


def test_the_coordinators_default_applies(as_responder):
    RetentionPolicy.objects.create(pk=1, default_hours=24)
    assert 'value="24"' in as_responder.get(URL).content.decode()
    as_responder.post(URL, note_form(keep_hours="24"))
    assert sealed_expiry(CallNote.objects.get()) - timezone.now() <= timedelta(hours=24)


def test_a_follow_up_keeps_the_note_to_the_end_of_the_follow_up_day(as_responder, responder):
    teammate = make_person("mate", RESPONDER)
    give_keys(teammate)
    day = timezone.localdate() + timedelta(days=10)
    as_responder.post(
        URL, note_form(follow_up_to=str(teammate.pk), follow_up_by=day.isoformat(), keep_hours="8")
    )
    note = CallNote.objects.get()
    assert note.follow_up_to == teammate
    assert timezone.localtime(sealed_expiry(note)).date() == day + timedelta(days=1)
    assert Tally.objects.get(count__gt=0).follow_up is True
    # The teammate sees it among the notes handed to them.
    assert note.public_id in client_for(teammate).get("/notes/").content.decode()


def test_a_follow_up_never_keeps_a_note_past_the_maximum(as_responder, responder, settings):
    settings.NOTE_RETENTION_MAX_DAYS = 5
    settings.NOTE_RETENTION_DEFAULT_HOURS = 72
    last_day = timezone.localdate() + timedelta(days=5)
    response = as_responder.post(
        URL, note_form(follow_up_to=str(responder.pk), follow_up_by=last_day.isoformat())
    )
    assert response.status_code == 302
    assert sealed_expiry(CallNote.objects.get()) <= timezone.now() + timedelta(days=5)


def test_follow_up_dates_outside_the_bounds_are_refused(as_responder, responder):
    for day, message in (
        (timezone.localdate() - timedelta(days=1), "in the past"),
        (timezone.localdate() + timedelta(days=31), "at most 30 days"),
    ):
        response = as_responder.post(
            URL, note_form(follow_up_to=str(responder.pk), follow_up_by=day.isoformat())
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not CallNote.including_expired.exists()


def test_follow_up_needs_both_who_and_when(as_responder, responder):
    response = as_responder.post(URL, note_form(follow_up_to=str(responder.pk)))
    assert "Say by when" in response.content.decode()
    response = as_responder.post(URL, note_form(follow_up_by=timezone.localdate().isoformat()))
    assert "Say who will follow up" in response.content.decode()
    assert not CallNote.including_expired.exists()


def test_follow_up_to_a_deactivated_person_is_refused(as_responder, deactivated):
    response = as_responder.post(
        URL,
        note_form(follow_up_to=str(deactivated.pk), follow_up_by=timezone.localdate().isoformat()),
    )
    assert response.status_code == 200
    assert "Gone Person is no longer active on the line" in response.content.decode()
    assert not CallNote.including_expired.exists() and not Tally.objects.exists()
    # Deactivated people are not even offered.
    assert "Gone Person" not in as_responder.get(URL).content.decode()


def test_follow_up_to_someone_without_the_responder_role_is_refused(as_responder, trainer):
    response = as_responder.post(
        URL, note_form(follow_up_to=str(trainer.pk), follow_up_by=timezone.localdate().isoformat())
    )
    assert "does not hold the Responder role" in response.content.decode()
    assert not CallNote.including_expired.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "x" * 1001, "at most 1000 characters"),
        ("kind", "gossip", "Select a valid choice"),
        ("response", "arrest", "Select a valid choice"),
        ("police", "sometimes", "Select a valid choice"),
        ("needs", "passport", "Select a valid choice"),
        ("kind", None, "This field is required"),
        ("follow_up_to", "999999", "Select a valid choice"),
        ("follow_up_by", "tomorrow-ish", "Enter a valid date"),
    ],
)
def test_bad_input_is_refused_with_a_message(as_responder, field, value, message):
    data = note_form()
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    response = as_responder.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CallNote.including_expired.exists() and not Tally.objects.exists()


def test_an_empty_post_is_refused(as_responder):
    response = as_responder.post(URL, {})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not CallNote.including_expired.exists()


def test_likely_identifiers_must_be_removed_or_confirmed(as_responder, responder):
    body = "Call back at 555-010-0199 or write to sam@example.org."
    response = as_responder.post(URL, note_form(body=body))
    html = response.content.decode()
    assert response.status_code == 200
    assert "may identify someone" in html
    assert "555-010-0199" in html and "sam@example.org" in html
    assert 'name="keep_identifiers"' in html
    assert not CallNote.including_expired.exists()

    # Removed: saved.
    response = as_responder.post(URL, note_form(body="Call back tomorrow."))
    assert response.status_code == 302
    # Confirmed: saved as written, and nothing about the check is kept.
    response = as_responder.post(URL, note_form(body=body, keep_identifiers="on"))
    assert response.status_code == 302
    bodies = sorted(read_body(note, responder) for note in CallNote.objects.all())
    assert bodies == [body, "Call back tomorrow."]
    assert "keep_identifiers" not in {field.name for field in CallNote._meta.get_fields()}


def test_the_body_is_not_put_in_the_session_or_messages(as_responder):
    as_responder.post(URL, note_form(body="canary-in-session-7731"), follow=True)
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        assert "canary-in-session-7731" not in str(session.get_decoded())
    assert "canary-in-session-7731" not in str(as_responder.cookies)


def test_on_shift_the_writer_may_keep_a_note_to_the_end_of_the_shift(as_responder, responder):
    from tests.shifts.conftest import make_position, make_shift, put

    position = make_position()
    shift = make_shift(start=timezone.now() - timedelta(hours=1), hours=4, positions=[position])
    put(responder, shift, position)
    form = as_responder.get(URL).content.decode()
    assert "Until the end of my shift (" in form
    response = as_responder.post(URL, note_form(keep_hours="0"))
    assert response.status_code == 302
    assert sealed_expiry(CallNote.objects.get()) == shift.end


def test_off_shift_the_end_of_shift_choice_is_refused_clearly(as_responder):
    assert "Until the end of my shift" not in as_responder.get(URL).content.decode()
    response = as_responder.post(URL, note_form(keep_hours="0"))
    assert response.status_code == 200
    assert "You are not on a shift now" in response.content.decode()
    assert not CallNote.including_expired.exists()
