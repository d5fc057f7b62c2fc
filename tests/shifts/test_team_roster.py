"""Responders see a week of the roster read-only: who works with whom."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisisline.roles import RESPONDER
from tests.factory import make_person
from tests.shifts.conftest import build_line, in_hours, make_shift, put

URL = "/roster/team/"


def week_of(instant) -> str:
    return f"{URL}?start={timezone.localtime(instant):%Y-%m-%d}"


def test_a_responder_sees_who_they_work_with_and_nothing_to_change(
    as_responder, responder, responder_position, holder_position
):
    shift = make_shift(in_hours(50), positions=[holder_position, responder_position])
    put(responder, shift, responder_position)
    put(make_person("tam", RESPONDER, display_name="Tam Teammate"), shift, responder_position)
    cancelled = make_shift(in_hours(80), positions=[responder_position], cancelled=True)
    body = as_responder.get(week_of(shift.start)).content.decode()
    assert "Tam Teammate" in body
    assert "<mark>you</mark>" in body
    assert '<span class="gap">open</span>' in body  # nobody holds the line yet
    assert "/assign/" not in body and "/unassign/" not in body and "/cancel/" not in body
    if timezone.localtime(cancelled.start).date() != timezone.localtime(shift.start).date():
        assert f"{timezone.localtime(cancelled.start):%H:%M}–" not in body
    assert 'href="/roster/team/"' in as_responder.get("/me/shifts/").content.decode()


def test_the_week_costs_the_same_queries_whatever_the_line(
    as_responder, responder_position, holder_position
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_responder.get(URL).status_code == 200
        return len(queries)

    from shifts.models import Shift

    build_line(6, 5, [holder_position, responder_position])
    small = count()
    Shift.objects.all().delete()
    build_line(600, 200, [holder_position, responder_position])  # every hour of the week full
    assert count() == small
