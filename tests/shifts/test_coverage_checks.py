"""Each coverage check on its own, on rows built in memory (no database), then
the report's triage: grouped by day, weightiest first, counted and filtered."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from crisisline.models import Skill
from crisisline.skills import HeldSkills
from shifts import coverage
from shifts.coverage import Placed, Problem, Stint, Teammate
from shifts.models import Position, Shift, Slot, TimeOff

ZONE = ZoneInfo("UTC")
MONDAY = datetime(2030, 3, 4, 9, tzinfo=ZONE)


def shift(pk: int, start: datetime = MONDAY, hours: int = 4) -> Shift:
    return Shift(pk=pk, start=start, end=start + timedelta(hours=hours))


def place(
    position: Position, taken: int, minimum: int = 1, on: Shift | None = None, pk: int = 1
) -> Slot:
    return Slot(pk=pk, shift=on or shift(1), position=position, taken=taken, min_people=minimum)


def person(**limits) -> Teammate:
    return Teammate(1, "sam", "Sam", limits.get("most"), limits.get("rest", 0))


def placed(on: Shift, position: Position, who: Teammate | None = None) -> Placed:
    who = who or person()
    return Placed(on.pk, on.pk, on.pk, who.pk, on, who, place(position, 1, on=on, pk=on.pk))


def stint(a: Placed, earlier=(), time_off=(), held=(), count=1) -> Stint:
    """`held`: the skills the person holds, with no end, from long before the shift."""
    skills = HeldSkills()
    for skill_id in held:
        skills.spans[(a.person_id, skill_id)].append((None, None))
    return Stint(a, list(earlier), list(time_off), skills, count)


HOLDER = Position(name="Line holder", holds_line=True)
RESPONDER = Position(name="Responder")


def test_an_empty_line_holder_place_is_no_line_holder_not_merely_short():
    empty = place(HOLDER, taken=0)
    assert coverage.missing_line_holder(empty).kind == coverage.NO_LINE_HOLDER
    assert "nobody carries the line's phone" in coverage.missing_line_holder(empty).message
    assert coverage.short_staffed(empty) is None


def test_a_line_holder_with_one_of_two_is_short_staffed_but_held():
    half = place(HOLDER, taken=1, minimum=2)
    assert coverage.missing_line_holder(half) is None
    assert coverage.short_staffed(half).message == "Line holder is short-staffed: 1 of at least 2."


def test_short_staffed_only_below_the_minimum():
    assert coverage.short_staffed(place(RESPONDER, taken=1, minimum=2)).kind == coverage.SHORT
    assert coverage.short_staffed(place(RESPONDER, taken=2, minimum=2)) is None
    assert coverage.missing_line_holder(place(RESPONDER, taken=0)) is None


def test_lacks_skill_names_the_skill_unless_held():
    skill = Skill(pk=7, name="Line holding")
    trained = Position(name="Line holder", required_skill=skill)
    a = placed(shift(1), trained)
    assert coverage.lacks_skill(stint(a)).message == (
        "Sam lacks Line holding, required for Line holder."
    )
    assert coverage.lacks_skill(stint(a, held={7})) is None
    assert coverage.lacks_skill(stint(placed(shift(1), RESPONDER))) is None


def test_double_booked_against_an_overlapping_earlier_shift_only():
    first = placed(shift(1, MONDAY), RESPONDER)
    overlapping = placed(shift(2, MONDAY + timedelta(hours=2)), RESPONDER)
    after = placed(shift(3, MONDAY + timedelta(hours=4)), RESPONDER)
    assert coverage.double_booked(stint(overlapping, [first])).kind == coverage.DOUBLE_BOOKED
    assert coverage.double_booked(stint(after, [first])) is None


def test_on_time_off_by_whole_local_days():
    a = placed(shift(1), RESPONDER)
    that_day = TimeOff(person_id=1, first_day=date(2030, 3, 4), last_day=date(2030, 3, 4))
    next_day = TimeOff(person_id=1, first_day=date(2030, 3, 5), last_day=date(2030, 3, 6))
    with timezone.override(ZONE):
        assert coverage.on_time_off(stint(a, time_off=[that_day])).message == "Sam is on time off."
        assert coverage.on_time_off(stint(a, time_off=[next_day])) is None


def test_over_maximum_counts_the_month_so_far():
    a = placed(shift(1), RESPONDER, person(most=3))
    assert coverage.over_maximum(stint(a, count=3)) is None
    problem = coverage.over_maximum(stint(a, count=4))
    assert problem.message == "Sam is over their maximum of 3 shifts this month."
    assert coverage.over_maximum(stint(placed(shift(1), RESPONDER), count=40)) is None


def test_too_little_rest_measures_from_the_last_shift():
    sam = person(rest=12)
    first = placed(shift(1, MONDAY), RESPONDER, sam)
    soon = placed(shift(2, MONDAY + timedelta(hours=10)), RESPONDER, sam)
    later = placed(shift(3, MONDAY + timedelta(hours=16)), RESPONDER, sam)
    assert coverage.too_little_rest(stint(soon, [first])).message == (
        "Sam rests only 6.0 h since their last shift (wants 12 h)."
    )
    assert coverage.too_little_rest(stint(later, [first])) is None
    assert coverage.too_little_rest(stint(first)) is None


def loaded(pk: int, start: datetime, *kinds: str) -> Shift:
    s = shift(pk, start)
    s.problem_list = [Problem(kind, pk, f"{kind} on {pk}") for kind in kinds]
    return s


def test_triage_groups_by_day_weightiest_first():
    tuesday = MONDAY + timedelta(days=1)
    shifts = [
        loaded(1, MONDAY, coverage.SHORT),
        loaded(2, MONDAY + timedelta(hours=6), coverage.UNQUALIFIED, coverage.NO_LINE_HOLDER),
        loaded(3, tuesday, coverage.TIME_OFF, coverage.SHORT),
    ]
    with timezone.override(ZONE):
        days = coverage.triage(shifts)
    assert [d.day for d in days] == [MONDAY.date(), tuesday.date()]
    assert [f.kind for f in days[0].found] == [
        coverage.NO_LINE_HOLDER,
        coverage.UNQUALIFIED,
        coverage.SHORT,
    ]
    assert days[0].worst == coverage.NO_LINE_HOLDER
    assert [f.kind for f in days[1].found] == [coverage.SHORT, coverage.TIME_OFF]
    assert days[1].found[0].label == "Short-staffed"


def test_triage_filters_by_kind_and_skips_cancelled_shifts():
    cancelled = loaded(2, MONDAY + timedelta(days=2), coverage.SHORT)
    cancelled.cancelled = True
    shifts = [loaded(1, MONDAY, coverage.SHORT, coverage.UNQUALIFIED), cancelled]
    with timezone.override(ZONE):
        days = coverage.triage(shifts, [coverage.UNQUALIFIED])
    assert [(d.day, [f.kind for f in d.found]) for d in days] == [
        (MONDAY.date(), [coverage.UNQUALIFIED])
    ]


def test_counts_list_every_kind_weightiest_first():
    problems = [Problem(k, 1, "") for k in (coverage.SHORT, coverage.SHORT, coverage.TIME_OFF)]
    counts = coverage.count_by_kind(problems)
    assert list(counts) == list(coverage.SEVERITY)
    assert counts[coverage.SHORT] == 2
    assert counts[coverage.TIME_OFF] == 1
    assert counts[coverage.NO_LINE_HOLDER] == 0


@pytest.mark.parametrize("kind", coverage.SEVERITY)
def test_every_kind_has_a_rank_and_a_name(kind):
    assert coverage.severity(kind) == coverage.SEVERITY.index(kind)
    assert str(coverage.KIND_LABELS[kind])


def test_a_days_summary_names_each_kind_once_with_its_shifts_in_time_order():
    evening = loaded(2, MONDAY + timedelta(hours=8), coverage.SHORT, coverage.SHORT)
    morning = loaded(1, MONDAY, coverage.SHORT, coverage.NO_LINE_HOLDER)
    with timezone.override(ZONE):
        (day,) = coverage.triage([evening, morning])
    assert [(kind, label, [s.pk for s in on]) for kind, label, on in day.by_kind()] == [
        (coverage.NO_LINE_HOLDER, "No line holder", [1]),
        (coverage.SHORT, "Short-staffed", [1, 2]),
    ]
