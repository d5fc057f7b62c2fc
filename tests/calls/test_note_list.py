from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.models import CallNote
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, later, write_note
from tests.factory import make_person

URL = "/notes/"


def test_lists_my_notes_and_those_handed_to_me_only(responder, django_assert_max_num_queries):
    mate = make_person("mate", RESPONDER, display_name="Mate")
    mine = write_note(responder, kind="prevention")
    handed = write_note(mate, follow_up_to=responder, follow_up_by=later(days=1).date())
    not_mine = write_note(mate)
    client = client_for(responder)
    for _ in range(5):
        write_note(responder)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert mine.public_id in html and handed.public_id in html
    assert not_mine.public_id not in html
    assert "Prevention" in html
    # Bodies are never on the list.
    assert "Talked it through" not in html


def test_expired_notes_are_not_listed(responder):
    note = write_note(responder, keep_hours=1)
    CallNote.including_expired.filter(pk=note.pk).update(
        expires_at=later(seconds=-1), written_at=later(hours=-2)
    )
    assert note.public_id not in client_for(responder).get(URL).content.decode()


def test_access(client, as_trainer, as_responder, db):
    assert client.get(URL).status_code == 302
    assert as_trainer.get(URL).status_code == 403
    assert as_responder.post(URL).status_code == 405
    assert "You have no notes" in as_responder.get(URL).content.decode()


def test_the_on_call_link_target_exists(as_responder):
    assert as_responder.get("/notes/new/").status_code == 200
    assert 'href="/notes/"' in as_responder.get("/home/").content.decode()


def test_written_long_ago_but_live_is_listed(responder):
    note = write_note(responder)
    CallNote.including_expired.filter(pk=note.pk).update(written_at=later(days=-1))
    assert note.public_id in client_for(responder).get(URL).content.decode()
    assert timedelta(0) < note.expires_at - later()


def test_the_list_opens_every_note_in_the_same_number_of_queries(responder):
    mate = make_person("mate", RESPONDER, display_name="Mate")
    client = client_for(responder)

    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return len(queries)

    write_note(responder, kind="aftercare")
    write_note(mate, follow_up_to=responder, follow_up_by=later(days=1).date())
    few = queries_for_the_list()
    for number in range(10):
        write_note(responder, f"note {number}", kind="information")
        write_note(mate, follow_up_to=responder, follow_up_by=later(days=1).date())
    html = client.get(URL).content.decode()
    assert html.count("Information") == 10 and html.count("Aftercare") == 1
    assert queries_for_the_list() == few
