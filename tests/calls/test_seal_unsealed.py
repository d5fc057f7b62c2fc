"""Notes written before sealing are sealed as soon as all their readers have key
pairs: at a reader's sign-in, at each purge, or by `manage.py seal_unsealed_notes`,
which can also burn those that cannot be sealed yet."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls import keyring
from calls.models import CallNote, NoteKeys, NoteSeal
from crisisline.roles import RESPONDER
from tests.calls.conftest import (
    as_written_before_sealing,
    client_for,
    clock_at,
    give_keys,
    read_body,
    write_note,
)
from tests.factory import make_person


@pytest.fixture
def mate(db):
    return make_person("mate", RESPONDER)


def old_note(author, body: str, follow_up_to=None) -> CallNote:
    fields = {}
    if follow_up_to is not None:
        fields = {"follow_up_to": follow_up_to, "follow_up_by": timezone.localdate() + timedelta(1)}
    return as_written_before_sealing(write_note(author, body, **fields), body)


def is_sealed(note: CallNote) -> bool:
    note.refresh_from_db()
    if not note.sealed:
        return False
    with pytest.raises(keyring.Unreadable):  # the server alone cannot open it any more
        note.legacy_body()
    return True


def test_a_note_waits_until_its_last_reader_has_a_key_pair(responder, mate):
    note = old_note(responder, "handed over", follow_up_to=mate)
    NoteKeys.objects.all().delete()  # neither has signed in since sealing
    client_for(responder)
    assert not is_sealed(note) and not NoteSeal.objects.exists()
    assert note.legacy_body() == "handed over"  # still readable the old way meanwhile
    client_for(mate)
    assert is_sealed(note)
    assert set(NoteSeal.objects.values_list("recipient", flat=True)) == {responder.pk, mate.pk}
    assert read_body(note, responder) == read_body(note, mate) == "handed over"


def test_a_sign_in_seals_only_what_that_person_may_read(responder, mate):
    mine, theirs = old_note(responder, "mine"), old_note(mate, "theirs")
    client_for(responder)
    assert is_sealed(mine) and not is_sealed(theirs)


def test_a_deactivated_reader_without_a_key_pair_is_left_out(responder, mate):
    note = old_note(responder, "handed over", follow_up_to=mate)
    NoteKeys.objects.filter(person=mate).delete()
    mate.deactivate()
    client_for(responder)
    assert is_sealed(note)
    assert list(NoteSeal.objects.values_list("recipient", flat=True)) == [responder.pk]


def test_the_purge_seals_notes_whose_readers_already_have_key_pairs(responder):
    note = old_note(responder, "from before")
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "sealed 1 older note(s)" in out.getvalue()
    assert is_sealed(note) and read_body(note, responder) == "from before"


def test_the_command_seals_what_it_can_and_leaves_the_rest_to_expire(responder, mate):
    sealable = old_note(responder, "sealable")
    waiting = old_note(responder, "waiting", follow_up_to=mate)
    NoteKeys.objects.filter(person=mate).delete()
    out = io.StringIO()
    call_command("seal_unsealed_notes", stdout=out)
    assert out.getvalue().startswith("Sealed 1 note(s); 1 wait for a reader's first sign-in")
    assert "sealable" not in out.getvalue() and "waiting" not in out.getvalue()
    assert is_sealed(sealable) and not is_sealed(waiting)
    out = io.StringIO()
    call_command("seal_unsealed_notes", stdout=out)  # idempotent
    assert out.getvalue().startswith("Sealed 0 note(s); 1 wait")
    assert CallNote.objects.count() == 2


def test_the_command_can_burn_the_notes_that_cannot_be_sealed(responder, mate):
    sealable = old_note(responder, "sealable")
    waiting = old_note(responder, "waiting", follow_up_to=mate)
    NoteKeys.objects.filter(person=mate).delete()
    out = io.StringIO()
    call_command("seal_unsealed_notes", "--burn-the-rest", stdout=out)
    assert out.getvalue() == "Sealed 1 note(s); burned 1 that could not be sealed.\n"
    assert list(CallNote.including_expired.all()) == [sealable]
    assert not CallNote.including_expired.filter(pk=waiting.pk).exists()


def test_notes_written_sealed_are_left_alone(responder):
    note = write_note(responder, "sealed from the start")
    seals = list(NoteSeal.objects.values_list("pk", "sealed_key"))
    give_keys(responder)
    call_command("seal_unsealed_notes", stdout=io.StringIO())
    client_for(responder)
    assert list(NoteSeal.objects.values_list("pk", "sealed_key")) == seals
    assert read_body(note, responder) == "sealed from the start"


def test_a_note_whose_key_is_gone_is_not_sealed(responder):
    note = old_note(responder, "gone")
    keyring.destroy_all()
    client_for(responder)
    note.refresh_from_db()
    assert not note.sealed and not NoteSeal.objects.exists()


def test_a_sealing_failure_never_stops_a_sign_in_or_the_purge(responder, monkeypatch):
    old = old_note(responder, "from before")
    write_note(responder, "short-lived", keep_hours=1)

    def fails(self):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(type(CallNote.objects.all()), "seal_unsealed", fails)
    client = client_for(responder)  # signed in, with the note key held
    mine = write_note(responder, "written after")
    assert "written after" in client.get(f"/notes/{mine.public_id}/").content.decode()
    out = io.StringIO()
    with clock_at(timezone.now() + timedelta(hours=2, minutes=1)):
        call_command("purge_expired", stdout=out)
    assert "Purged 1 expired note(s)" in out.getvalue()
    assert not is_sealed(old)  # tried again at the next purge or sign-in
