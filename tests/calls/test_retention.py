from __future__ import annotations

from calls.models import RetentionPolicy

URL = "/notes/retention/"


def test_coordinator_chooses_the_default_within_the_bounds(as_coordinator, as_responder):
    response = as_coordinator.get(URL)
    assert response.status_code == 200 and 'value="72"' in response.content.decode()
    response = as_coordinator.post(
        URL, {"default_hours": "24", "statement": "We never call the police.", "statement_es": ""}
    )
    assert response.status_code == 302
    assert RetentionPolicy.current().default_hours == 24
    # Writers now see it, and cannot pick longer.
    form = as_responder.get("/notes/new/").content.decode()
    assert "24 hours (the line&#x27;s default)" in form and 'value="72"' not in form


def test_out_of_bounds_is_refused(as_coordinator, settings):
    settings.NOTE_RETENTION_MAX_DAYS = 10
    for hours, message in (
        ("0", "between 1 and 240"),
        ("241", "between 1 and 240"),
        ("x", "whole number"),
    ):
        response = as_coordinator.post(URL, {"default_hours": hours})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not RetentionPolicy.objects.exists()


def test_a_default_above_a_lowered_maximum_is_capped(db, settings):
    RetentionPolicy.objects.create(pk=1, default_hours=500)
    settings.NOTE_RETENTION_MAX_DAYS = 2
    assert RetentionPolicy.current().effective_hours == 48
