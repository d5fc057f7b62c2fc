"""The shared cache (each worker's LocMemCache) never holds a note body."""

from __future__ import annotations

import pickle
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from shifts.models import Shift
from tests.calls.conftest import note_form


def cached_text() -> list[bytes]:
    """Every key and value in the process's cache, as stored and as unpickled."""
    held = []
    for key, value in cache._cache.items():
        held += [key.encode(), bytes(value), repr(pickle.loads(value)).encode()]
    return held


def holding(canary: str) -> bool:
    return any(canary.encode() in text for text in cached_text())


def test_the_scan_finds_what_is_cached():
    canary = f"CANARY-{uuid.uuid4().hex}"
    cache.set("anything", {"text": f"said {canary}"})
    assert holding(canary)


def test_writing_and_reading_a_note_leaves_its_body_out_of_the_cache(as_coordinator):
    # A coordinator who also responds: the roster (which does use the cache) is theirs.
    start = timezone.now() + timedelta(hours=1)
    Shift.objects.create(start=start, end=start + timedelta(hours=4))
    canary = f"CANARY-{uuid.uuid4().hex}"
    response = as_coordinator.post("/notes/new/", note_form(body=f"said {canary}"))
    assert response.status_code == 302
    page = as_coordinator.get(response["Location"])
    assert canary in page.content.decode()
    month = timezone.localdate(start).strftime("%Y-%m")
    week = f"/roster/week/?start={timezone.localdate(start):%Y-%m-%d}"
    for path in ("/notes/", "/oncall/", "/", "/roster/", f"/roster/?month={month}", week):
        assert as_coordinator.get(path).status_code == 200
    assert cache._cache  # pages did cache what they render, just not the note
    assert not holding(canary)
