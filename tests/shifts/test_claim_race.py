"""Concurrent claims on PostgreSQL: one winner, clear messages, no error pages."""

import threading

import pytest
from django.db import connection

from crisisline.roles import RESPONDER
from shifts.models import Assignment, Slot
from tests.conftest import client_for
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_position, make_shift, slot_of

CLAIMS = 24
MESSAGES = ["You are on", "just taken", "already have a shift", "Server Error"]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are only meaningful on PostgreSQL; run with DATABASE_URL=postgres://…",
    ),
]


def _fire(clients_and_urls) -> list[tuple[int, list[str]]]:
    barrier = threading.Barrier(len(clients_and_urls))
    results: list[tuple[int, list[str]]] = []
    lock = threading.Lock()

    def worker(client, url):
        from django.db import connections

        try:
            barrier.wait()
            response = client.post(url, follow=True)
            # Read the page itself: response.context is not thread-safe (the
            # test client's template signal is shared by all threads).
            body = response.content.decode()
            found = [m for m in MESSAGES if m in body]
            with lock:
                results.append((response.status_code, found))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in clients_and_urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_many_people_claiming_the_last_place_at_once_get_one_winner():
    position = make_position("Responder", 1, 2)
    shift = make_shift(in_hours(48), positions=[position])
    slot = slot_of(shift, position)
    early = make_person("early", RESPONDER)
    Assignment.objects.create(slot=slot, shift=shift, person=early)
    Slot.objects.filter(pk=slot.pk).update(taken=1)  # one place left
    people = [make_person(f"racer{i}", RESPONDER) for i in range(CLAIMS)]
    url = f"/places/{slot.pk}/claim/"

    results = _fire([(client_for(person), url) for person in people])

    assert len(results) == CLAIMS
    assert all(status == 200 for status, _ in results)
    winners = [found for _, found in results if any("You are on" in m for m in found)]
    losers = [found for _, found in results if any("just taken" in m for m in found)]
    assert len(winners) == 1
    assert len(losers) == CLAIMS - 1
    slot.refresh_from_db()
    assert slot.taken == 2
    assert Assignment.objects.filter(slot=slot).count() == 2


def test_one_person_claiming_overlapping_places_at_once_gets_one():
    person = make_person("eager", RESPONDER)
    client = client_for(person)
    urls = []
    for i in range(CLAIMS):
        position = make_position(f"Position {i}", 1, 1)
        shift = make_shift(in_hours(48 + i / 60), hours=3, positions=[position])
        urls.append(f"/places/{slot_of(shift, position).pk}/claim/")

    results = _fire([(client, url) for url in urls])

    assert all(status == 200 for status, _ in results)
    assert Assignment.objects.filter(person=person).count() == 1
    refused = [found for _, found in results if any("already have a shift" in m for m in found)]
    assert len(refused) == CLAIMS - 1
