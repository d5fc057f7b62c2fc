from __future__ import annotations

from calls.models import CallNote, Tally
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, later, write_note
from tests.factory import make_person


def burn_url(note) -> str:
    return f"/notes/{note.public_id}/burn/"


def test_author_burns_a_note_at_once(responder):
    note = write_note(responder, "burn-me-canary")
    client = client_for(responder)
    response = client.post(burn_url(note))
    assert response.status_code == 302 and response["Location"] == "/notes/"
    assert not CallNote.including_expired.filter(pk=note.pk).exists()
    # Reading a burned note tells its reader so (410, nothing it said); it cannot be
    # burned twice.
    gone = client.get(f"/notes/{note.public_id}/")
    assert gone.status_code == 410 and "burn-me-canary" not in gone.content.decode()
    assert client.post(burn_url(note)).status_code == 410
    # The anonymous total stays.
    assert Tally.objects.get(count__gt=0).count == 1


def test_the_follow_up_teammate_may_burn_it_too(responder):
    mate = make_person("mate", RESPONDER)
    note = write_note(responder, follow_up_to=mate, follow_up_by=later(days=1).date())
    assert client_for(mate).post(burn_url(note)).status_code == 302
    assert not CallNote.including_expired.exists()


def test_nobody_else_may(responder, as_coordinator, as_trainer, as_outsider, client):
    note = write_note(responder)
    other = client_for(make_person("other", RESPONDER))
    for someone in (other, as_coordinator, as_trainer, as_outsider):
        assert someone.post(burn_url(note)).status_code == 404
        assert someone.get(burn_url(note)).status_code == 404  # not 405: nothing to learn
    response = client.post(burn_url(note))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert CallNote.objects.filter(pk=note.pk).exists()


def test_opening_the_burn_link_asks_first_and_burns_nothing(responder):
    note = write_note(responder)
    client = client_for(responder)
    response = client.get(burn_url(note))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Burn this note now?" in body and "cannot be undone" in body
    assert f'action="{burn_url(note)}"' in body and f'href="/notes/{note.public_id}/"' in body
    assert CallNote.objects.filter(pk=note.pk).exists()


def test_the_teammate_is_asked_about_the_note_handed_to_them(responder):
    mate = make_person("mate", RESPONDER)
    note = write_note(responder, follow_up_to=mate, follow_up_by=later(days=1).date())
    body = client_for(mate).get(burn_url(note)).content.decode()
    assert f"Burn the note {responder} handed to you?" in body
    assert CallNote.objects.filter(pk=note.pk).exists()


def test_tampered_id(responder):
    write_note(responder)
    assert client_for(responder).post("/notes/not-a-real-id/burn/").status_code == 404
    assert CallNote.objects.count() == 1
