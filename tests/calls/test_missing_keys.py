"""A live note whose key is gone is shown to its readers as unreadable (list and
detail, not a bare 404) and counted on the coordinator dashboard."""

from __future__ import annotations

from django.utils import timezone

from calls import keyring
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, write_note
from tests.factory import make_person

MISSING = "Unreadable: its key is missing"


def _lose_key_of(note, keyring_dir) -> None:
    for path in keyring_dir.glob(f"bucket-{note.body_bucket}.*"):
        path.unlink()


def test_the_list_shows_which_notes_lost_their_key(responder, keyring_dir):
    lost = write_note(responder, keep_hours=8)
    kept = write_note(responder, keep_hours=72)
    _lose_key_of(lost, keyring_dir)
    html = client_for(responder).get("/notes/").content.decode()
    assert lost.public_id in html and kept.public_id in html
    assert html.count(MISSING) == 1
    assert html.index(MISSING) > html.index(lost.public_id)


def test_the_page_of_a_note_whose_key_is_gone_says_so(responder, keyring_dir, caplog):
    note = write_note(responder, "Rode the bus with them.")
    _lose_key_of(note, keyring_dir)
    response = client_for(responder).get(f"/notes/{note.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "This note cannot be read, nor can what it says about the call: its key is missing "
        "from the server." in html
    )
    assert "Rode the bus" not in html
    assert f"/notes/{note.public_id}/burn/" in html  # it can still be burned
    assert any("key is missing" in r.getMessage() for r in caplog.records)


def test_others_still_get_404(responder, coordinator, keyring_dir):
    note = write_note(responder)
    _lose_key_of(note, keyring_dir)
    assert client_for(coordinator).get(f"/notes/{note.public_id}/").status_code == 404


def test_the_coordinator_dashboard_counts_them(responder, coordinator, keyring_dir):
    notes = [write_note(responder, keep_hours=hours) for hours in (8, 9, 72)]
    as_coordinator = client_for(coordinator)  # signed in once: two steps, one code a step
    home = as_coordinator.get("/home/").content.decode()
    assert "cannot be read" not in home
    _lose_key_of(notes[0], keyring_dir)
    _lose_key_of(notes[1], keyring_dir)
    home = as_coordinator.get("/home/").content.decode()
    assert "2 live notes cannot be read: their keys are missing." in home
    assert "cannot be read" not in client_for(responder).get("/home/").content.decode()
    keyring.destroy_all()
    home = as_coordinator.get("/home/").content.decode()
    assert "3 live notes cannot be read" in home


def test_a_follow_up_whose_key_is_gone_is_counted_not_dropped(responder, keyring_dir):
    holder = make_person("holder", RESPONDER, display_name="Hal Holder")
    today = timezone.localdate()
    lost = write_note(responder, follow_up_to=holder, follow_up_by=today, keep_hours=8)
    write_note(responder, follow_up_to=holder, follow_up_by=today, keep_hours=72)
    _lose_key_of(lost, keyring_dir)
    html = client_for(holder).get("/oncall/").content.decode()
    assert "You hold 1 follow-up that cannot be read right now" in html
    assert "Due today" in html  # the other one is still there to do
