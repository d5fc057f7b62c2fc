"""Everything about a call is sealed with its text: the row keeps in clear only who
may read it and its expiry bucket, and every note's ciphertext has the same length."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from calls import keyring, sealing
from calls.models import BODY_MAX_CHARS, CallNote, Need, NoteKeys, NoteSeal
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, clock_at, later, write_note
from tests.factory import PASSWORD, make_person

DISTINCTIVE = {
    "kind": "crisis-chronic",
    "needs": ["immigration", "transport"],
    "response": "in-person",
    "police": "called-by-other",
}


@pytest.fixture
def mate(db):
    return make_person("mate", RESPONDER, display_name="Mate Teammate")


def raw_row(note: CallNote) -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM calls_callnote WHERE id = %s", [note.pk])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_the_row_holds_only_readers_and_the_expiry_bucket_in_clear(responder, mate):
    follow_up_by = later(days=2).date()
    note = write_note(responder, follow_up_to=mate, follow_up_by=follow_up_by, **DISTINCTIVE)
    row = raw_row(note)
    printed = repr(row)
    for value in ("crisis-chronic", "immigration", "transport", "in-person", "called-by-other"):
        assert value not in printed, value
    for column in ("kind", "needs", "response", "police", "follow_up_by", "written_at"):
        assert row.get(column) in (None, "null"), column
    assert row["author_id"] == responder.pk and row["follow_up_to_id"] == mate.pk
    # The stored expiry is the end of the note's bucket (when its key is destroyed).
    note = CallNote.objects.get(pk=note.pk)
    assert note.expires_at.timestamp() == keyring.bucket_end(note.body_bucket)
    assert (note.expires_at.minute, note.expires_at.second, note.expires_at.microsecond) == (
        0,
        0,
        0,
    )


def test_its_readers_see_everything_as_written(responder, mate):
    follow_up_by = later(days=2).date()
    moment = later(hours=1).replace(second=37, microsecond=500)
    with clock_at(moment):
        note = write_note(
            responder, "what happened", follow_up_to=mate, follow_up_by=follow_up_by, **DISTINCTIVE
        )
    for person in (responder, mate):
        private = NoteKeys.objects.get(person=person).unlock(PASSWORD)
        contents = CallNote.objects.get(pk=note.pk).open_for(person, private)
        assert contents.body == "what happened"
        assert (contents.kind, contents.response, contents.police) == (
            "crisis-chronic",
            "in-person",
            "called-by-other",
        )
        assert contents.needs == ("immigration", "transport")
        assert contents.follow_up_by == follow_up_by
        # Written to the minute; the exact expiry is kept sealed.
        assert contents.written_at == moment.replace(second=0, microsecond=0)
        assert contents.expires_at <= CallNote.objects.get(pk=note.pk).expires_at
    html = client_for(mate).get(f"/notes/{note.public_id}/").content.decode()
    for label in ("Crisis: chronic", "In person", "Called by someone else", "Immigration"):
        assert label in html, label
    listed = client_for(responder).get("/notes/").content.decode()
    assert "Crisis: chronic" in listed and "In person" in listed


def test_every_note_has_the_same_ciphertext_length(responder, mate):
    shortest = write_note(responder, "", kind="other", response="none", needs=[])
    longest = write_note(
        responder,
        "\U0001f600" * BODY_MAX_CHARS,  # four bytes each in UTF-8
        follow_up_to=mate,
        follow_up_by=later(days=3).date(),
        kind="crisis-non-acute",
        response="in-person",
        police="called-by-other",
        needs=Need.values,
    )
    middling = write_note(responder, "a" * 200, **DISTINCTIVE)
    lengths = {
        len(bytes(note.body_ciphertext))
        for note in CallNote.objects.filter(pk__in=[shortest.pk, longest.pk, middling.pk])
    }
    assert len(lengths) == 1, lengths
    private = NoteKeys.objects.get(person=mate).unlock(PASSWORD)
    assert CallNote.objects.get(pk=longest.pk).open_for(mate, private).needs == tuple(
        sorted(Need.values)
    )


def test_a_longer_text_is_refused_and_nothing_is_saved(responder):
    with pytest.raises(ValueError, match="1000"):
        write_note(responder, "a" * (BODY_MAX_CHARS + 1))
    assert not CallNote.including_expired.exists()


def test_a_note_is_gone_at_its_own_expiry_though_its_bucket_lasts_longer(responder):
    start = later(hours=1).replace(minute=20, second=0, microsecond=0)
    with clock_at(start):
        note = write_note(responder, "short-lived", keep_hours=1)
    # Kept to the end of its expiry's bucket, when the bucket key is destroyed.
    assert note.expires_at == start.replace(minute=0) + timedelta(hours=2)
    client = client_for(responder)
    with clock_at(start + timedelta(minutes=59)):
        assert client.get(f"/notes/{note.public_id}/").status_code == 200
        assert note.public_id in client.get("/notes/").content.decode()
    with clock_at(start + timedelta(minutes=61)):
        # Its reader is told it expired (410), nothing more.
        assert client.get(f"/notes/{note.public_id}/").status_code == 410
        assert note.public_id not in client.get("/notes/").content.decode()


def make_it_a_note_from_before(note: CallNote, reader, body: str) -> None:
    """What a sealed note written before this change looks like: its details in
    clear columns, its exact expiry, and only the text under the data key."""
    private = NoteKeys.objects.get(person=reader).unlock(PASSWORD)
    seal = NoteSeal.objects.get(note=note, recipient=reader)
    inner = keyring.decrypt_bytes(
        bytes(seal.sealed_key), bucket=note.body_bucket, context=seal.context()
    )
    data_key = sealing.open_sealed(inner, private, seal.context())
    CallNote.including_expired.filter(pk=note.pk).update(
        kind="aftercare",
        needs=["food"],
        response="referral",
        police="none",
        written_at=later(hours=-1),
        expires_at=later(hours=70),
        body_ciphertext=sealing.encrypt_body(body, data_key, note._context()),
    )


def test_a_note_from_before_is_sealed_whole_when_a_reader_opens_it(responder):
    note = write_note(responder, "written before")
    make_it_a_note_from_before(note, responder, "written before")
    assert raw_row(note)["kind"] == "aftercare"
    client = client_for(responder)
    html = client.get(f"/notes/{note.public_id}/").content.decode()
    assert "written before" in html and "Aftercare" in html and "Food" in html
    row = raw_row(note)
    assert row["kind"] is None and row["written_at"] is None
    assert len(bytes(row["body_ciphertext"])) == len(bytes(write_note(responder).body_ciphertext))
    html = client.get(f"/notes/{note.public_id}/").content.decode()
    assert "written before" in html and "Aftercare" in html and "Food" in html


def test_a_note_sealed_to_a_previous_key_is_listed_without_its_details(responder):
    note = write_note(responder, "before the reset", **DISTINCTIVE)
    NoteKeys.create_for(responder, PASSWORD)  # a new key pair, as a reset makes
    client = client_for(responder)
    listed = client.get("/notes/").content.decode()
    assert note.public_id in listed and "Sealed to your previous key" in listed
    assert "Crisis: chronic" not in listed
    page = client.get(f"/notes/{note.public_id}/").content.decode()
    assert "nor can what it says about the call" in page and "Crisis: chronic" not in page
