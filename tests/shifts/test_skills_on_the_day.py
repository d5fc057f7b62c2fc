"""A skill counts for a shift as it stands on the shift's own day, not today:
one lapsing before the shift does not qualify anyone for it, one granted from a
later date qualifies for the shifts from that date on. Claims, open places, the
picker and the coverage report all judge it so."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from crisisline.models import Skill
from crisisline.roles import COORDINATOR, RESPONDER
from shifts import places
from shifts.coverage import load_roster
from tests.conftest import client_for
from tests.factory import grant, make_person
from tests.shifts.conftest import make_position, make_shift, put

ZONE = timezone.get_default_timezone()
NOW = datetime(2031, 6, 10, 9, 0, tzinfo=ZONE)


def at(day: int, month: int = 6) -> datetime:
    return datetime.combine(date(2031, month, day), time(10), tzinfo=ZONE)


@pytest.fixture
def line(db):
    with time_machine.travel(NOW, tick=False):
        yield _line()


def _line():
    training = Skill.objects.create(name="Line holder training")
    holder = make_position("Line holder", 1, 1, required_skill=training, holds_line=True)
    lapsing = make_person("lapsing", RESPONDER, display_name="Lee Lapsing")
    grant(lapsing, training, granted_on=date(2031, 1, 1), renew_by=date(2031, 6, 20))
    newcomer = make_person("newcomer", RESPONDER, display_name="Nia Newcomer")
    grant(newcomer, training, granted_on=date(2031, 6, 15))
    shifts = {
        "before the 15th": make_shift(at(12), positions=[holder]),
        "on the 20th": make_shift(at(20), positions=[holder]),
        "after the 20th": make_shift(at(21), positions=[holder]),
    }
    return lapsing, newcomer, shifts


# Which shifts each person is qualified for, day by day.
LAPSING = {"before the 15th", "on the 20th"}
NEWCOMER = {"on the 20th", "after the 20th"}


def qualified(person, shifts) -> set[str]:
    return {
        name
        for name, shift in shifts.items()
        if places.UNQUALIFIED not in {r.kind for r in places.why_not(person, shift.slots.get().pk)}
    }


def test_the_rule_judges_the_skill_on_the_shifts_day(line):
    lapsing, newcomer, shifts = line
    assert qualified(lapsing, shifts) == LAPSING
    assert qualified(newcomer, shifts) == NEWCOMER


def test_open_places_list_only_shifts_the_skill_counts_for(line):
    lapsing, newcomer, shifts = line
    for person, expected in [(lapsing, LAPSING), (newcomer, NEWCOMER)]:
        body = client_for(person).get("/places/").content.decode()
        ids = {int(pk) for pk in re.findall(r'action="/places/(\d+)/claim/"', body)}
        assert {n for n, s in shifts.items() if s.slots.get().pk in ids} == expected


def test_a_claim_after_the_renewal_date_is_refused_and_says_why(line):
    lapsing, _newcomer, shifts = line
    slot = shifts["after the 20th"].slots.get()
    body = client_for(lapsing).post(f"/places/{slot.pk}/claim/", follow=True).content.decode()
    assert "This place needs Line holder training, which you don&#x27;t hold yet" in body
    assert not slot.assignments.exists()


def test_the_picker_names_the_lapse_for_that_shift_only(line):
    lapsing, _newcomer, shifts = line
    coordinator = make_person("coord", COORDINATOR)
    client = client_for(coordinator)
    for name, shift in shifts.items():
        html = client.get(f"/roster/slots/{shift.slots.get().pk}/assign/").content.decode()
        option = re.search(rf'<option value="{lapsing.pk}">([^<]*)</option>', html).group(1)
        assert ("lacks Line holder training" in option) == (name not in LAPSING), name


def test_the_coverage_report_flags_a_holder_whose_skill_lapses_before_the_shift(line):
    lapsing, _newcomer, shifts = line
    for shift in shifts.values():
        put(lapsing, shift, shift.slots.get().position)
    roster = load_roster(at(1), at(1, month=7))
    flagged = {
        name
        for name, shift in shifts.items()
        for problem in roster.problems
        if problem.shift_id == shift.pk and problem.kind == "unqualified"
    }
    assert flagged == set(shifts) - LAPSING
