from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from calls import keyring
from calls.keyring_guard import KeyringRecord, keyring_problem
from calls.models import CallNote, Tally
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, write_note
from tests.factory import make_person

URL = "/notes/wipe/"


def test_coordinator_destroys_every_note_and_key(as_coordinator, responder, keyring_dir):
    other = make_person("other", RESPONDER)
    notes = [write_note(responder, keep_hours=1), write_note(other, keep_hours=72)]
    assert len(keyring.buckets()) == 2
    assert keyring.shares()  # the coordinator's session holds one
    page = as_coordinator.get(URL)
    assert "destroy every note" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    response = as_coordinator.post(URL, {"phrase": "  Destroy  every note "}, follow=True)
    assert "Every note and every key is destroyed: 2 notes and 2 keys." in response.content.decode()
    assert not CallNote.including_expired.exists()
    # No key and no session's share is left; the keyring keeps only who it is and
    # the latest time it saw.
    assert sorted(p.name for p in keyring_dir.iterdir()) == ["high-water", "identity.json"]
    assert sum(t.count for t in Tally.objects.all()) == 2  # totals survive
    assert client_for(responder).get(f"/notes/{notes[0].public_id}/").status_code == 404


def test_wrong_phrase_destroys_nothing(as_coordinator, responder):
    write_note(responder)
    for phrase in ("", "destroy", "delete every note"):
        response = as_coordinator.post(URL, {"phrase": phrase})
        assert response.status_code == 200
        assert "Nothing was destroyed" in response.content.decode() or "required" in (
            response.content.decode()
        )
    assert CallNote.objects.count() == 1 and len(keyring.buckets()) == 1


def test_the_phrase_is_asked_in_spanish_too(as_coordinator, responder):
    write_note(responder)
    as_coordinator.cookies["django_language"] = "es"
    page = as_coordinator.get(URL).content.decode()
    assert "destruir todas las notas" in page
    as_coordinator.post(URL, {"phrase": "destruir todas las notas"})
    assert not CallNote.including_expired.exists()


def test_access(client, as_responder, as_trainer, as_coordinator, responder):
    write_note(responder)
    assert client.post(URL, {"phrase": "destroy every note"}).status_code == 302
    assert as_responder.post(URL, {"phrase": "destroy every note"}).status_code == 403
    assert as_trainer.get(URL).status_code == 403
    assert as_coordinator.put(URL).status_code == 405
    assert CallNote.objects.count() == 1


def test_keys_made_after_a_wipe_never_take_a_wiped_keys_name(as_coordinator, responder):
    write_note(responder, keep_hours=8)
    wiped = set(keyring._key_files(keyring._root()))
    as_coordinator.post(URL, {"phrase": "destroy every note"})
    assert keyring.buckets() == []
    note = write_note(responder, keep_hours=8)  # the same hour of expiry as the wiped note
    made = set(keyring._key_files(keyring._root()))
    assert {bucket for bucket, _id in made} == {bucket for bucket, _id in wiped}
    assert made.isdisjoint(wiped)
    assert KeyringRecord.objects.get().keyring_id == keyring.identity().id
    assert keyring_problem() is None
    assert client_for(responder).get(f"/notes/{note.public_id}/").status_code == 200


def test_the_wipe_takes_every_aftercare_record_with_it(as_coordinator, responder):
    """Check-outs, debrief and break requests, field check-ins, notices (and who read
    them) and the team's reviews are gone; the anonymous counts stay."""
    from calls import checkout, fieldcheck
    from calls.models import (
        AftercareRequest,
        CheckOut,
        FieldCheckIn,
        Notice,
        NoticeRead,
        TeamReview,
        WeeklyCount,
    )
    from tests.shifts.conftest import in_hours, make_position, make_shift, put

    position = make_position("Responder")
    shift = make_shift(in_hours(-5), hours=4, positions=[position])
    put(responder, shift, position)
    checkout.answer(responder, shift, "debrief")
    other = make_shift(in_hours(-6), hours=4, positions=[position])
    put(responder, other, position)
    checkout.answer(responder, other, "break", show_name=True)
    fieldcheck.start(responder, 30)
    now = timezone.now()
    notice = Notice.objects.create(
        text="The shelter on 5th is closed tonight.",
        posted_at=now,
        expires_at=now + timedelta(days=2),
    )
    NoticeRead.objects.create(notice=notice, person=responder)
    TeamReview.objects.create(period="March", went_well="We showed up.", written_on=now.date())
    write_note(responder)
    counted = sum(c.count for c in WeeklyCount.objects.all())
    assert counted >= 2
    for model in (CheckOut, AftercareRequest, FieldCheckIn, Notice, NoticeRead, TeamReview):
        assert model.objects.exists(), model

    page = as_coordinator.get(URL).content.decode()
    assert "every aftercare record" in page
    as_coordinator.post(URL, {"phrase": "destroy every note"})

    for model in (CheckOut, AftercareRequest, FieldCheckIn, Notice, NoticeRead, TeamReview):
        assert not model.objects.exists(), model
    assert sum(c.count for c in WeeklyCount.objects.all()) == counted  # counts survive
    board = client_for(responder).get("/oncall/").content.decode()
    assert "The shelter on 5th" not in board
