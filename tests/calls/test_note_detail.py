from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from calls import keyring
from calls.models import CallNote
from crisisline.models import User
from crisisline.roles import RESPONDER
from tests.calls.conftest import (
    client_for,
    clock_at,
    later,
    read_body,
    read_contents,
    write_note,
)
from tests.factory import PASSWORD, make_person

BODY = "Neighbour checks in nightly; wants a ride to the clinic."


@pytest.fixture
def teammate(db):
    return make_person("mate", RESPONDER, display_name="Mate Teammate")


@pytest.fixture
def note(responder, teammate):
    return write_note(
        responder,
        BODY,
        follow_up_to=teammate,
        follow_up_by=later(days=2).date(),
    )


def url(note: CallNote) -> str:
    return f"/notes/{note.public_id}/"


def test_author_and_follow_up_teammate_read_it(note, responder, teammate):
    for person in (responder, teammate):
        response = client_for(person).get(url(note))
        assert response.status_code == 200
        assert BODY in response.content.decode()
        assert "no-store" in response["Cache-Control"]


def test_nobody_else_does_not_even_the_coordinator_or_a_superuser(note, coordinator):
    other = make_person("other", RESPONDER)
    root = User.objects.create_superuser("root", password=PASSWORD, display_name="Root")
    for person in (other, coordinator, root):
        response = client_for(person).get(url(note))
        assert response.status_code == 404
        assert BODY not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, note):
    response = client.get(url(note))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_everyone_else_signed_in_gets_404_whatever_their_roles(note, as_trainer, as_outsider):
    # Not 403: that would say "this exists, but not for you".
    for client in (as_trainer, as_outsider):
        for path in (url(note), "/notes/no-such-note/"):
            response = client.get(path)
            assert response.status_code == 404
            assert BODY not in response.content.decode()
        assert client.post(url(note)).status_code == 404  # not even 405


def test_a_reader_who_no_longer_responds_still_reads_it(note, teammate):
    client = client_for(teammate)
    teammate.groups.clear()
    assert BODY in client.get(url(note)).content.decode()


def test_a_deactivated_teammate_loses_access(note, teammate):
    client = client_for(teammate)
    teammate.deactivate()
    assert client.get(url(note)).status_code in {302, 403, 404}
    # Even with a fresh session forced on them.
    forced = Client()
    forced.force_login(teammate)
    assert forced.get(url(note)).status_code != 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda pid: pid[:-1] + ("A" if pid[-1] != "A" else "B"),
        lambda pid: pid + "x",
        lambda pid: "1",
        lambda pid: pid.upper() if pid.upper() != pid else pid.lower(),
    ],
)
def test_tampered_ids_give_404(note, responder, tamper):
    response = client_for(responder).get(f"/notes/{tamper(note.public_id)}/")
    assert response.status_code == 404


def test_ids_are_not_a_sequence(responder):
    first, second = write_note(responder), write_note(responder)
    assert str(first.pk) not in first.public_id.split("-")
    assert len(first.public_id) >= 20 and first.public_id != second.public_id


def test_an_expired_note_is_invisible_before_any_purge(note, responder):
    exact = read_contents(note, responder).expires_at  # sealed; the row says its hour's end
    with clock_at(exact + timedelta(seconds=1)):
        client = client_for(responder)
        gone = client.get(url(note))  # its reader is told it expired, nothing more
        assert gone.status_code == 410 and BODY not in gone.content.decode()
        assert note.public_id not in client.get("/notes/").content.decode()
    # The row is still there: its hour is not over, and only then is it purged
    # (by the scheduled purge, or by the first note page that notices).
    assert CallNote.including_expired.filter(pk=note.pk).exists()
    with clock_at(note.expires_at + timedelta(seconds=1)):
        assert not CallNote.objects.exists()


def test_a_note_whose_key_is_gone_is_not_shown(note, responder):
    keyring.destroy_all()
    response = client_for(responder).get(url(note))
    # Its reader is told why (tests/calls/test_missing_keys.py); no body, ever.
    assert response.status_code == 200
    assert "its key is missing" in response.content.decode()
    assert BODY not in response.content.decode()
    with pytest.raises(keyring.Unreadable):
        read_body(note, responder)


def test_a_ciphertext_moved_to_another_note_does_not_open(note, responder):
    other = write_note(responder, "Second note.", keep_hours=72)
    other.body_ciphertext, other.body_bucket = note.body_ciphertext, note.body_bucket
    other.save()
    assert client_for(responder).get(url(other)).status_code == 404


def test_reading_is_a_constant_number_of_queries(note, responder, django_assert_max_num_queries):
    client = client_for(responder)
    # Session, person, note, seal, high-water mark, roles, line, and the check-out
    # question every page asks after a shift: the same for a note of any length.
    with django_assert_max_num_queries(9):
        client.get(url(note))
