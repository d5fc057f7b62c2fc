"""The app's second line of defence: after a response, a web worker destroys the
keys of past hours itself, at most once every OPPORTUNISTIC_PURGE_EVERY seconds,
so expiry holds even while the scheduler is stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from calls import keyring
from calls.models import CallNote
from calls.purge import purge_opportunistically, reset_opportunistic_clock
from crisisline.models import Heartbeat
from tests.calls.conftest import clock_at, write_note


@pytest.fixture
def opportunistic(settings):
    settings.OPPORTUNISTIC_PURGE_EVERY = 60
    reset_opportunistic_clock()
    yield
    reset_opportunistic_clock()


def test_any_request_destroys_past_keys_and_their_notes(client, responder, opportunistic):
    expired = write_note(responder, "gone soon", keep_hours=1)
    live = write_note(responder, "still here", keep_hours=72)
    assert len(keyring.buckets()) == 2
    with clock_at(timezone.now() + timedelta(hours=2, minutes=1)):
        assert client.get("/").status_code == 200
    assert keyring.buckets() == [live.body_bucket]
    assert list(CallNote.including_expired.all()) == [live]
    assert not keyring.has_key(expired.body_bucket)
    # Recorded as the app's own purge, never as the scheduler's heartbeat.
    assert Heartbeat.last("purge_opportunistic") is not None
    assert Heartbeat.last("purge_expired") is None


def test_looks_at_most_once_per_interval(client, responder, opportunistic):
    write_note(responder, keep_hours=1)
    with clock_at(timezone.now() + timedelta(hours=2, minutes=1)):
        client.get("/")
        assert keyring.buckets() == []
        # A key of a past hour appears again: the next requests within the
        # interval leave it to the next look.
        past = keyring.bucket_for(timezone.now() - timedelta(hours=5))
        keyring.key_for(past, create=True)
        for _ in range(3):
            client.get("/")
        assert keyring.buckets() == [past]
        reset_opportunistic_clock()  # the interval has passed
        client.get("/")
        assert keyring.buckets() == []


def test_off_when_the_interval_is_zero(client, responder, settings):
    settings.OPPORTUNISTIC_PURGE_EVERY = 0
    reset_opportunistic_clock()
    note = write_note(responder, keep_hours=1)
    with clock_at(timezone.now() + timedelta(hours=2, minutes=1)):
        client.get("/")
    assert keyring.buckets() == [note.body_bucket]


def test_keys_go_first_and_rows_wait_when_the_budget_is_spent(responder):
    note = write_note(responder, keep_hours=1)
    with clock_at(timezone.now() + timedelta(hours=2, minutes=1)):
        purged = purge_opportunistically(budget=0)
    assert purged is not None and purged.keys == 1 and purged.notes == 0
    assert not keyring.has_key(note.body_bucket)
    # The row is invisible already and the scheduler (or the next look) deletes it.
    assert not CallNote.objects.exists()
    assert CallNote.including_expired.filter(pk=note.pk).exists()


def test_nothing_to_do_costs_two_small_queries(responder, django_assert_max_num_queries):
    write_note(responder, keep_hours=72)
    with django_assert_max_num_queries(2):
        assert purge_opportunistically() is None


def test_between_looks_a_request_pays_no_query(
    client, db, opportunistic, django_assert_num_queries
):
    from calls.purge import after_response

    after_response()  # the look (nothing to do)
    with django_assert_num_queries(0):
        for _ in range(100):
            after_response()
