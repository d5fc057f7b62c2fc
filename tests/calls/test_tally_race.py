"""Notes written at the same moment on PostgreSQL: every one is counted, none fails."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from calls.models import CallNote, Tally
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, note_form
from tests.factory import make_person

WRITERS = 12

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers are only meaningful on PostgreSQL; run with DATABASE_URL=postgres://…",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_notes_are_all_counted_in_one_row(roles):
    clients = [client_for(make_person(f"writer{n}", RESPONDER)) for n in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def write(client):
        from django.db import connections

        try:
            barrier.wait()
            status = client.post("/notes/new/", note_form()).status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * WRITERS
    assert CallNote.objects.count() == WRITERS
    assert list(Tally.objects.filter(count__gt=0).values_list("count", flat=True)) == [WRITERS]
