from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from calls import keyring
from calls.models import CallNote, NoteEnding, NoteSeal, Tally
from calls.purge import purge_expired
from tests.calls.conftest import clock_at, read_body, write_note


def run() -> str:
    out = StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


def test_deletes_expired_notes_and_past_keys_only(responder):
    short = [write_note(responder, f"short-{i}", keep_hours=1) for i in range(3)]
    long = write_note(responder, "long-lived", keep_hours=72)
    assert len(keyring.buckets()) == 2
    with clock_at(timezone.now() + timedelta(hours=2, minutes=1)):
        output = run()
    assert (
        output
        == "Purged 3 expired note(s) in 1 batch(es); destroyed 1 key(s); sealed 0 older note(s); "
        "destroyed 0 share(s) of ended sessions.\n"
    )
    assert list(CallNote.including_expired.all()) == [long]
    assert keyring.buckets() == [long.body_bucket]
    assert read_body(CallNote.objects.get(), responder) == "long-lived"
    # Only counts are printed, never any content.
    assert not any(note.public_id in output for note in short)
    # The anonymous totals survive.
    assert Tally.objects.get(count__gt=0).count == 4


def test_is_idempotent(responder):
    write_note(responder, keep_hours=1)
    with clock_at(timezone.now() + timedelta(hours=3)):
        run()
        assert (
            run()
            == "Purged 0 expired note(s) in 0 batch(es); destroyed 0 key(s); sealed 0 older note(s); "
            "destroyed 0 share(s) of ended sessions.\n"
        )


def test_a_key_stays_while_a_note_of_its_hour_is_still_live(responder):
    note = write_note(responder, keep_hours=1)
    # Expired, but its bucket's hour is not over yet when the purge runs right at expiry.
    with clock_at(note.expires_at):
        purged = purge_expired()
    assert purged.notes == 1
    bucket_end = keyring.bucket_end(note.body_bucket)
    assert purged.keys == (1 if bucket_end <= note.expires_at.timestamp() else 0)


def test_deletes_in_batches(responder):
    for _ in range(7):
        write_note(responder, keep_hours=1)
    with clock_at(timezone.now() + timedelta(hours=3)):
        purged = purge_expired(batch_size=3)
    assert (purged.notes, purged.batches) == (7, 3)
    assert not CallNote.including_expired.exists()
    assert not NoteSeal.objects.exists()
    # Each author is told, once per note, that it expired (and when, to the hour).
    endings = NoteEnding.objects.filter(reader=responder)
    assert endings.count() == 7
    assert set(endings.values_list("what", flat=True)) == {NoteEnding.What.EXPIRED}
    assert all(at.minute == at.second == 0 for at in endings.values_list("at", flat=True))


def test_the_purge_deletes_notes_without_django_s_collector():
    """The purge deletes seals, then notes, by id: right only while nothing else
    refers to a note. A new reference must come with its own delete there."""
    assert [r.related_model for r in CallNote._meta.related_objects] == [NoteSeal]


def test_is_a_periodic_command():
    assert ("purge_expired", 300) in settings.PERIODIC_COMMANDS


def test_endings_of_many_notes_are_all_recorded_once(responder):
    """More endings than one statement carries: every one is kept, and telling a
    reader again changes nothing (they keep what they were told first)."""
    now = timezone.now()
    endings = [(f"note-{n}", responder.pk, now) for n in range(450)]
    NoteEnding.record(endings, NoteEnding.What.EXPIRED)
    NoteEnding.record(endings[:10], NoteEnding.What.BURNED)
    assert NoteEnding.objects.filter(reader=responder).count() == 450
    assert not NoteEnding.objects.filter(what=NoteEnding.What.BURNED).exists()
