from django.utils import timezone

from tests.shifts.conftest import in_hours, make_shift, put


def test_month_prints_as_one_calendar(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    put(responder, shift, responder_position)
    month = timezone.localtime(shift.start).strftime("%Y-%m")
    body = as_coordinator.get(f"/roster/print/?month={month}").content.decode()
    assert '<table class="calendar month">' in body
    assert "Sam Responder" in body
    assert 'class="print-roster"' in body
    assert body.count("<tr>") <= 7  # header and at most six weeks


def test_week_prints_one_row(as_coordinator, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    day = timezone.localtime(shift.start).date()
    body = as_coordinator.get(f"/roster/week/print/?start={day:%Y-%m-%d}").content.decode()
    assert '<table class="calendar week">' in body
    assert body.count("<tr>") == 2
    assert "open" in body
