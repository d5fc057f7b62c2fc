from datetime import timedelta

from django.utils import timezone

from crisisline.roles import RESPONDER
from shifts import coverage
from shifts.coverage import load_roster
from shifts.models import TimeOff
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_shift, put

URL = "/roster/coverage/"


def kinds(problems, person=None):
    return {p.kind for p in problems if person is None or p.person_id == person.pk}


def window():
    return timezone.now(), timezone.now() + timedelta(days=28)


def test_short_staffed_and_missing_skill(holder_position, responder):
    shift = make_shift(in_hours(30), positions=[holder_position])
    roster = load_roster(*window())
    assert kinds(roster.problems) == {coverage.NO_LINE_HOLDER}
    put(responder, shift, holder_position)
    roster = load_roster(*window())
    assert kinds(roster.problems) == {coverage.UNQUALIFIED}


def test_double_booked(responder_position, responder):
    first = make_shift(in_hours(30), positions=[responder_position])
    second = make_shift(in_hours(31), positions=[responder_position])
    put(responder, first, responder_position)
    put(responder, second, responder_position)
    problems = load_roster(*window()).problems
    assert coverage.DOUBLE_BOOKED in kinds(problems, responder)


def test_time_off_limits_and_rest(responder_position, responder):
    responder.max_shifts_per_month = 1
    responder.min_rest_hours = 12
    responder.save()
    start = timezone.localtime(in_hours(24 * 3)).replace(hour=9, minute=0, second=0)
    if start.day > 25:  # keep both shifts in one calendar month
        start += timedelta(days=10)
    first = make_shift(start, hours=4, positions=[responder_position])
    second = make_shift(start + timedelta(hours=8), hours=4, positions=[responder_position])
    put(responder, first, responder_position)
    put(responder, second, responder_position)
    day = start.date()
    TimeOff.objects.create(person=responder, first_day=day, last_day=day)
    problems = load_roster(timezone.now(), start + timedelta(days=2)).problems
    mine = kinds(problems, responder)
    assert {coverage.TIME_OFF, coverage.OVER_MAXIMUM, coverage.TOO_LITTLE_REST} <= mine
    messages = " ".join(p.message for p in problems)
    assert "over their maximum of 1 shifts" in messages
    assert "rests only 4.0 h" in messages


def test_a_well_staffed_roster_has_no_problems(responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    put(make_person("a", RESPONDER), shift, responder_position)
    assert load_roster(*window()).problems == []


def test_report_lists_every_problem_with_its_reason(as_coordinator, holder_position, responder):
    make_shift(in_hours(30), positions=[holder_position])
    far = make_shift(in_hours(24 * 20), positions=[holder_position])
    body = as_coordinator.get(URL).content.decode()
    assert "2 problems found" in body
    assert "No line holder: nobody carries the line&#x27;s phone (Line holder)." in body
    body = as_coordinator.get(URL + "?weeks=1").content.decode()
    assert "1 problem found" in body
    assert f"#shift-{far.pk}" not in body


def test_report_when_all_is_well(as_coordinator, db):
    assert "No problems" in as_coordinator.get(URL).content.decode()


def test_absurd_week_counts_are_refused(as_coordinator, db):
    for weeks in ["0", "500", "x"]:
        response = as_coordinator.get(f"{URL}?weeks={weeks}")
        assert response.status_code == 200
        assert "Choose between 1 and 26 weeks." in response.content.decode()


def test_report_query_count_at_two_sizes(
    as_coordinator, holder_position, django_assert_max_num_queries
):
    from shifts.models import Shift
    from tests.shifts.conftest import build_line

    build_line(10, 10, [holder_position])
    # The roster and its problems, plus line-holder places at risk and training to renew,
    # and the check-out question every page asks a responder after a shift.
    with django_assert_max_num_queries(14):
        assert as_coordinator.get(URL).status_code == 200
    Shift.objects.all().delete()
    build_line(2_000, 300, [holder_position])
    with django_assert_max_num_queries(14):
        assert as_coordinator.get(URL).status_code == 200


def test_report_lists_training_to_renew_within_30_days(as_coordinator, responder, coordinator):
    from datetime import date

    from crisisline.models import Skill
    from tests.factory import grant

    today = timezone.localdate()
    soon, later, lapsed = (
        Skill.objects.create(name=name) for name in ("First aid", "De-escalation", "Legal observer")
    )
    grant(responder, soon, granted_on=date(2025, 1, 1), renew_by=today + timedelta(days=20))
    grant(responder, later, granted_on=date(2025, 1, 1), renew_by=today + timedelta(days=45))
    grant(responder, lapsed, granted_on=date(2025, 1, 1), renew_by=today - timedelta(days=1))
    page = as_coordinator.get(URL).content.decode()
    assert "Training to renew" in page
    assert "Sam Responder: First aid is due for renewal by" in page
    assert "Sam Responder: Legal observer lapsed on" in page
    assert "De-escalation" not in page


def test_report_puts_a_missing_line_holder_first_and_filters_by_kind(
    as_coordinator, holder_position, responder_position
):
    shift = make_shift(in_hours(30), positions=[responder_position, holder_position])
    body = as_coordinator.get(URL).content.decode()
    # One day, its worst problem first and marked as such; a count for each kind found.
    assert body.count('<section class="problem-day no-line-holder">') == 1
    holder_at = body.index('<li class="problem no-line-holder">')
    assert holder_at < body.index('<li class="problem short">')
    assert "No line holder <b>1</b>" in body
    assert "Short-staffed <b>1</b>" in body
    assert f"#shift-{shift.pk}" in body
    only_short = as_coordinator.get(URL + "?weeks=4&kind=short").content.decode()
    assert '<li class="problem short">' in only_short
    assert '<li class="problem no-line-holder">' not in only_short
    assert "No line holder <b>1</b>" in only_short  # the counts still show every kind
    refused = as_coordinator.get(URL + "?kind=nonsense").content.decode()
    assert "Choose a kind of problem from the list." in refused
