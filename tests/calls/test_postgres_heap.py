"""On PostgreSQL, what the notes table's own files hold: nothing about a call in
clear, and after a purge, a burn or the wipe (each followed by VACUUM) not even
the deleted row's id. Reads the table's files as the server wrote them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from calls.models import CallNote, NoteSeal
from calls.purge import burn, purge_expired, purge_opportunistically, wipe_everything
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, clock_at, give_keys, later, write_note
from tests.factory import make_person

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's own files; run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
]

# Values no other row of the notes table holds in this test.
DISTINCTIVE = {
    "kind": "crisis-chronic",
    "needs": ["immigration", "transport"],
    "response": "in-person",
    "police": "called-by-other",
}


def table_files(table: str) -> bytes:
    """Every byte of `table`'s heap and of its TOAST table, after a checkpoint."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute(
            "SELECT current_setting('data_directory'), pg_relation_filepath(c.oid), "
            "pg_relation_filepath(NULLIF(c.reltoastrelid, 0)) FROM pg_class c WHERE c.oid = %s::regclass",
            [table],
        )
        data_directory, heap, toast = cursor.fetchone()
    found = b""
    for relative in (heap, toast):
        if relative is None:
            continue
        first = Path(data_directory) / relative
        segments = [first, *sorted(first.parent.glob(first.name + ".[0-9]*"))]
        found += b"".join(segment.read_bytes() for segment in segments if segment.exists())
    return found


def note_files() -> bytes:
    return table_files("calls_callnote") + table_files("calls_noteseal")


@pytest.fixture
def writer(roles):
    return make_person("writer", RESPONDER)


def test_the_notes_table_holds_nothing_about_the_call_in_clear(writer):
    mate = make_person("mate", RESPONDER)
    note = write_note(writer, follow_up_to=mate, follow_up_by=later(days=2).date(), **DISTINCTIVE)
    held = note_files()
    assert note.public_id.encode() in held  # the files read are the notes table's
    for value in ("crisis-chronic", "immigration", "transport", "in-person", "called-by-other"):
        assert value.encode() not in held, value


def test_a_burned_note_is_vacuumed_out_of_the_table(writer):
    note = write_note(writer, **DISTINCTIVE)
    assert note.public_id.encode() in note_files()
    burn(note)
    assert note.public_id.encode() not in note_files()


def test_a_follow_up_marked_done_is_vacuumed_out_of_the_table(writer):
    mate = make_person("mate", RESPONDER)
    note = write_note(writer, follow_up_to=mate, follow_up_by=later(days=1).date(), **DISTINCTIVE)
    assert note.public_id.encode() in note_files()
    response = client_for(mate).post(f"/notes/{note.public_id}/done/")
    assert response.status_code == 302
    assert not CallNote.including_expired.filter(pk=note.pk).exists()
    assert note.public_id.encode() not in note_files()


def test_the_seal_of_a_follow_up_handed_on_is_vacuumed_out_of_the_table(writer):
    mate, third = make_person("mate", RESPONDER), make_person("third", RESPONDER)
    give_keys(third)
    note = write_note(writer, follow_up_to=mate, follow_up_by=later(days=1).date(), **DISTINCTIVE)
    handed_seal = bytes(NoteSeal.objects.get(note=note, recipient=mate).sealed_key)
    assert handed_seal in note_files()
    response = client_for(mate).post(f"/notes/{note.public_id}/hand-on/", {"to": third.pk})
    assert response.status_code == 302
    assert not NoteSeal.objects.filter(note=note, recipient=mate).exists()
    assert handed_seal not in note_files()


def test_a_purged_note_is_vacuumed_out_of_the_table(writer):
    note = write_note(writer, keep_hours=1, **DISTINCTIVE)
    with clock_at(later(hours=3)):
        assert purge_expired().notes == 1
    assert note.public_id.encode() not in note_files()


def test_a_note_the_app_purges_on_its_own_is_vacuumed_out_of_the_table(writer):
    note = write_note(writer, keep_hours=1, **DISTINCTIVE)
    with clock_at(later(hours=3)):
        purged = purge_opportunistically(budget=5)
    assert purged is not None and purged.notes == 1
    assert note.public_id.encode() not in note_files()


def test_the_wipe_vacuums_the_table(writer):
    notes = [write_note(writer, **DISTINCTIVE) for _ in range(3)]
    wipe_everything()
    held = note_files()
    for note in notes:
        assert note.public_id.encode() not in held
    assert not CallNote.including_expired.exists()


def test_what_vacuum_leaves_when_a_live_note_shares_the_page(writer):
    """VACUUM frees a deleted row's space without overwriting it (here the burned
    note's public id was still in the page): the README and /privacy/ say so.
    What lingers is ids and ciphertext, never a detail of the call."""
    kept = write_note(writer, "kept")
    burned = write_note(writer, "burned", **DISTINCTIVE)
    burn(burned)
    held = note_files()
    assert kept.public_id.encode() in held
    for value in ("crisis-chronic", "immigration", "transport", "in-person", "called-by-other"):
        assert value.encode() not in held, value
