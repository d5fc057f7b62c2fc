from datetime import datetime

from django.utils import timezone

from shifts.paper import short_labels
from tests.shifts.conftest import in_hours, make_position, make_shift, put


def test_month_prints_a_day_to_a_row_with_names_beside_short_labels(
    as_coordinator, responder, responder_position
):
    backup = make_position("Backup", 0, 1, order=2)
    start = timezone.make_aware(datetime(2031, 3, 4, 21, 30))
    shift = make_shift(start, hours=2.5, positions=[responder_position, backup])
    put(responder, shift, responder_position)
    body = as_coordinator.get("/roster/print/?month=2031-03").content.decode()
    assert 'class="print-roster print-month"' in body
    assert body.count('<th scope="row">') == 31  # every day of March, shifts or none
    assert "<b>R</b> Responder" in body and "<b>B</b> Backup" in body  # the legend, once
    assert '<abbr title="Responder"\n>R</abbr>&nbsp;<span class="who"\n>Sam Responder' in body
    assert '<abbr title="Backup"\n>B</abbr>&nbsp;<span\nclass="short">open' in body
    assert "<b>21:30–24</b>" in body  # as short as paper allows; midnight ends the day


def test_short_labels_are_initials_numbered_where_two_would_be_the_same() -> None:
    labels = short_labels(["Line holder", "Responder", "Runner", "Line holder (trainee)", "R"])
    assert labels == {
        "Line holder": "LH",
        "Line holder (trainee)": "LHT",
        "R": "R",
        "Responder": "R2",
        "Runner": "R3",
    }


def test_week_prints_one_row(as_coordinator, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    day = timezone.localtime(shift.start).date()
    body = as_coordinator.get(f"/roster/week/print/?start={day:%Y-%m-%d}").content.decode()
    assert '<table class="calendar week">' in body
    assert body.count("<tr>") == 2
    assert "open" in body
