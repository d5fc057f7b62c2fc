"""Expiry never goes backwards: a high-water mark of time (database and keyring)
keeps an expired note expired when the clock is moved back, and past buckets'
keys and rows go as soon as the app notices them, with no scheduler running."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from calls import keyring
from calls.keyring_guard import KeyringRecord, advance_high_water
from calls.models import CallNote, NoteExpired
from calls.purge import purge_expired
from tests.calls.conftest import client_for, read_contents, write_note

START = datetime(2030, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _visible(client, note) -> bool:
    listed = note.public_id in client.get("/notes/").content.decode()
    page = client.get(f"/notes/{note.public_id}/").status_code
    assert listed == (page == 200)
    return listed


def test_an_expired_note_stays_expired_when_the_clock_moves_back(clock, responder):
    note = write_note(responder, "Back home safe.", keep_hours=1)
    client = client_for(responder)
    assert _visible(client, note)
    clock.shift(timedelta(minutes=65))
    assert not _visible(client, note)
    clock.shift(-timedelta(hours=1))  # the clock is moved back an hour: 5 minutes in
    assert not _visible(client, note)
    # Its row lives to the end of its hour (12:00), but its exact expiry, sealed
    # inside it (11:00), is judged against the mark too: it does not open.
    assert CallNote.objects.filter(pk=note.pk).exists()
    with pytest.raises(NoteExpired):
        read_contents(note, responder)
    # Notes written now are judged by the mark too: they still live their full time.
    later = write_note(responder, keep_hours=1)
    assert read_contents(later, responder).written_at >= START + timedelta(minutes=65)
    assert _visible(client, later)


def test_the_keyrings_copy_of_the_mark_survives_an_older_database(clock, responder, keyring_dir):
    note = write_note(responder, keep_hours=1)
    client = client_for(responder)
    clock.shift(timedelta(minutes=65))
    assert not _visible(client, note)
    assert (keyring_dir / "high-water").exists()
    KeyringRecord.objects.update(high_water=None)  # the database restored from before
    clock.shift(-timedelta(hours=1))
    assert not _visible(client, note)


def test_the_rows_expire_against_the_mark(clock, responder):
    note = write_note(responder, keep_hours=1)  # expires 11:00, its row at 12:00
    clock.shift(timedelta(minutes=125))
    advance_high_water()  # the mark only: no purge yet
    clock.shift(-timedelta(hours=2))
    assert not CallNote.objects.filter(pk=note.pk).exists()


def test_the_purge_uses_the_mark(clock, responder):
    note = write_note(responder, keep_hours=1)  # expires 11:00, its row at 12:00
    clock.shift(timedelta(minutes=125))
    advance_high_water()  # the mark only: no purge yet
    clock.shift(-timedelta(hours=2))
    assert purge_expired().notes == 1
    assert not CallNote.including_expired.filter(pk=note.pk).exists()


def test_without_the_scheduler_past_keys_and_rows_go_when_the_app_notices(
    clock, responder, keyring_dir, caplog
):
    gone = write_note(responder, "Gone by now.", keep_hours=1)
    kept = write_note(responder, keep_hours=72)
    client = client_for(responder)
    clock.shift(timedelta(hours=30))  # no purge has run since
    assert sorted(keyring.buckets()) == sorted({gone.body_bucket, kept.body_bucket})
    with caplog.at_level(logging.WARNING):
        response = client.get("/notes/")
    assert response.status_code == 200
    assert keyring.buckets() == [kept.body_bucket]
    assert not CallNote.including_expired.filter(pk=gone.pk).exists()
    assert CallNote.objects.filter(pk=kept.pk).exists()
    warned = [r.getMessage() for r in caplog.records if "purge has not run" in r.getMessage()]
    assert len(warned) == 1 and "Gone by now" not in warned[0]
    # Moving the clock back cannot bring the destroyed key or the row back.
    clock.shift(-timedelta(hours=29, minutes=30))
    assert not CallNote.including_expired.filter(pk=gone.pk).exists()


def test_writing_a_note_also_destroys_past_keys(clock, responder):
    gone = write_note(responder, keep_hours=1)
    clock.shift(timedelta(hours=3))
    write_note(responder, keep_hours=72)
    assert gone.body_bucket not in keyring.buckets()
    assert not CallNote.including_expired.filter(pk=gone.pk).exists()


def test_a_key_whose_hour_is_not_over_is_kept(clock, responder):
    note = write_note(responder, keep_hours=1)  # expires 11:00, its hour ends 12:00
    clock.shift(timedelta(minutes=90))
    client_for(responder).get("/notes/")
    assert keyring.buckets() == [note.body_bucket]


def test_a_gone_page_for_an_expired_note_also_advances_time(clock, responder):
    """Its reader is told it is gone (410, no content), and the clock turned back
    does not bring it back."""
    note = write_note(responder, keep_hours=1)
    client = client_for(responder)
    clock.shift(timedelta(minutes=65))
    assert client.get(f"/notes/{note.public_id}/").status_code == 410  # no list, no purge
    clock.shift(-timedelta(hours=1))
    assert client.get(f"/notes/{note.public_id}/").status_code == 410
