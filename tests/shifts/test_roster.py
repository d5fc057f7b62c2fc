import re
from datetime import timedelta
from urllib.parse import quote

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisisline.roles import RESPONDER
from shifts.models import Shift, Slot
from tests.factory import make_person
from tests.shifts.conftest import build_line, in_hours, make_shift, put


def month_param(instant) -> str:
    return timezone.localtime(instant).strftime("%Y-%m")


def week_of(instant) -> str:
    """The week view with the coordinator's controls (the month is the compact overview)."""
    return f"/roster/week/?start={timezone.localtime(instant):%Y-%m-%d}"


def test_month_view_shows_who_holds_which_position_and_coverage(
    as_coordinator, responder, holder_position, responder_position
):
    shift = make_shift(in_hours(30), positions=[holder_position, responder_position])
    put(responder, shift, responder_position)
    response = as_coordinator.get(f"/roster/?month={month_param(shift.start)}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sam Responder" in body
    assert "Line holder" in body
    when = timezone.localtime(shift.start).strftime("%H:%M")
    flat = re.sub(r"\s+", " ", body)
    assert f'<li class="problem no-line-holder"><b>No line holder</b> {when}</li>' in flat
    assert (
        f'href="/roster/slots/{Slot.objects.get(shift=shift, position=holder_position).pk}/assign/'
        in body
    )
    week = as_coordinator.get(week_of(shift.start)).content.decode()
    assert "0/1 · short" in week and "1/2 · covered" in week


def test_week_view_lists_the_seven_days(as_coordinator, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    day = timezone.localtime(shift.start).date()
    response = as_coordinator.get(f"/roster/week/?start={day:%Y-%m-%d}")
    body = response.content.decode()
    monday = day - timedelta(days=day.weekday())
    assert f"week of {monday:%-d %b}" in body
    assert f'id="shift-{shift.pk}"' in body


def test_cancelled_shifts_are_marked(as_coordinator, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position], cancelled=True)
    body = as_coordinator.get(f"/roster/?month={month_param(shift.start)}").content.decode()
    assert "cancelled" in body
    body = as_coordinator.get(week_of(shift.start)).content.decode()
    assert "cancelled" in body and "Restore" in body


def test_nonsense_month_or_week_falls_back_to_now(as_coordinator, db):
    for path in [
        "/roster/?month=banana",
        "/roster/?month=99999-1",
        "/roster/week/?start=2026-13-45",
    ]:
        assert as_coordinator.get(path).status_code == 200
    body = as_coordinator.get("/roster/?month=1-1").content.decode()
    assert timezone.localdate().strftime("%B %Y") in body


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


# Thirteen today, whatever the size of the line: sign-in and the page's shared
# context (with, for someone who responds, whether a check-out question waits),
# load_roster's five reads, the pending swaps.
ROSTER_MONTH_QUERIES = 13


def test_month_view_query_count_does_not_grow_with_the_line(
    as_coordinator, holder_position, responder_position, django_assert_max_num_queries
):
    path = f"/roster/?month={month_param(timezone.now())}"
    build_line(10, 10, [holder_position, responder_position])
    with django_assert_max_num_queries(ROSTER_MONTH_QUERIES) as small:
        assert as_coordinator.get(path).status_code == 200
    Shift.objects.all().delete()
    # 10,000 shifts over years; the month itself is full (4-hour blocks round the clock).
    build_line(10_000, 500, [holder_position, responder_position])
    with django_assert_max_num_queries(ROSTER_MONTH_QUERIES) as big:
        assert as_coordinator.get(path).status_code == 200
    assert len(small) == len(big)


def test_week_view_query_count_is_the_same(as_coordinator, holder_position, responder_position):
    build_line(10, 10, [holder_position, responder_position])
    small = _count(as_coordinator, "/roster/week/")
    build_line(
        600, 100, [holder_position, responder_position], around=timezone.now() + timedelta(days=400)
    )
    person = make_person("extra", RESPONDER)
    put(person, make_shift(in_hours(1), positions=[responder_position]), responder_position)
    assert _count(as_coordinator, "/roster/week/") == small


def test_assign_links_return_to_the_page_they_came_from(as_coordinator, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    day = timezone.localtime(shift.start).date()
    body = as_coordinator.get(f"/roster/week/?start={day:%Y-%m-%d}").content.decode()
    monday = day - timedelta(days=day.weekday())
    assert f"?next=/roster/week/%3Fstart%3D{day:%Y-%m-%d}" in body
    assert f'href="?start={monday + timedelta(days=7):%Y-%m-%d}"' in body


def test_a_shift_that_is_over_shows_its_people_but_no_controls(
    as_coordinator, responder, responder_position
):
    over = make_shift(in_hours(-30), positions=[responder_position])
    assignment = put(responder, over, responder_position)
    body = as_coordinator.get(f"/roster/?month={month_param(over.start)}").content.decode()
    assert "Sam Responder" in body
    assert f"/roster/assignments/{assignment.pk}/unassign/" not in body
    assert f"/roster/shifts/{over.pk}/cancel/" not in body
    assert f'href="/roster/shifts/{over.pk}/"' not in body


def test_every_control_posts_through_one_form_with_the_token_and_the_way_back(
    as_coordinator, responder, responder_position
):
    shift = make_shift(in_hours(30), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    path = week_of(shift.start)
    body = as_coordinator.get(path).content.decode()
    # Signing out, the roster's one form, the language: not one per button.
    assert body.count("csrfmiddlewaretoken") == 3
    assert f'<input type="hidden" name="next" value="{path}">' in body
    # Unassigning asks first: a link to the question, which brings the person back here.
    back = quote(path, safe="/")
    assert f'href="/roster/assignments/{assignment.pk}/unassign/?next={back}"' in body
    # Cancelling a shift is on its own page, away from the everyday links.
    assert f"/roster/shifts/{shift.pk}/cancel/" not in body
    assert f'href="/roster/shifts/{shift.pk}/"' in body


def _article(body: str, shift: Shift) -> str:
    """The week's grid (the tests below put one shift in it)."""
    assert f'id="shift-{shift.pk}"' in body
    return re.search(r'<table class="week-grid">.*?</table>', body, re.S).group(0)


def test_a_shift_shown_before_shows_every_change_at_once(
    as_coordinator, responder, holder_position, responder_position
):
    """Shifts are rendered once and reused while they show the same: any change
    to what one shows (people, names, positions, counts, cancelling, language)
    must appear on the very next view."""
    shift = make_shift(in_hours(30), positions=[holder_position, responder_position])
    path = week_of(shift.start)
    first = as_coordinator.get(path).content.decode()
    assert "Sam Responder" not in first and "0/2 · short" in first
    again = as_coordinator.get(path).content.decode()
    assert _article(again, shift) == _article(first, shift)  # reused as it was

    slot = Slot.objects.get(shift=shift, position=responder_position)
    response = as_coordinator.post(
        f"/roster/slots/{slot.pk}/assign/", {"person": responder.pk, "next": path}
    )
    assert response.status_code == 302
    body = _article(as_coordinator.get(path).content.decode(), shift)
    assert "Sam Responder" in body and "1/2 · covered" in body

    responder.display_name = "Sam Renamed"  # no problem names them: only the name changes
    responder.save()
    body = _article(as_coordinator.get(path).content.decode(), shift)
    assert "Sam Renamed" in body and "Sam Responder" not in body

    responder_position.name = "Listener"
    responder_position.save()
    assert "<b>Listener</b>" in _article(as_coordinator.get(path).content.decode(), shift)

    response = as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/", {"next": path})
    assert response.status_code == 302
    body = _article(as_coordinator.get(path).content.decode(), shift)
    assert "Restore" in body and "Cancel shift" not in body

    body = as_coordinator.get(path, headers={"accept-language": "es"}).content.decode()
    assert "Restaurar" in _article(body, shift) and "Restore" not in body


def test_a_shift_that_ends_between_two_views_loses_its_controls(
    as_coordinator, responder, responder_position, time_machine
):
    shift = make_shift(in_hours(2), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    path = week_of(shift.start)
    assert (
        f"/roster/assignments/{assignment.pk}/unassign/"
        in as_coordinator.get(path).content.decode()
    )
    later = shift.end + timedelta(minutes=1)
    time_machine.move_to(later, tick=False)
    body = as_coordinator.get(path).content.decode()
    assert "Sam Responder" in body
    assert f"/roster/assignments/{assignment.pk}/unassign/" not in body


def test_a_month_in_other_digits_falls_back_to_now(as_coordinator, db):
    # int('٢٠٢٦') is 2026: the month would have been March 2026.
    for month in ("٢٠٢٦-٠٣", "２０２６-０３", "2026-³"):
        body = as_coordinator.get("/roster/", {"month": month}).content.decode()
        assert timezone.localdate().strftime("%B %Y") in body, month


def test_the_month_shows_every_change_at_once_though_shifts_are_reused(
    as_coordinator, responder, responder_position
):
    shift = make_shift(in_hours(30), positions=[responder_position])
    path = f"/roster/?month={month_param(shift.start)}"
    assert "Sam Responder" not in as_coordinator.get(path).content.decode()
    slot = Slot.objects.get(shift=shift)
    as_coordinator.post(f"/roster/slots/{slot.pk}/assign/", {"person": responder.pk})
    assert "Sam Responder" in as_coordinator.get(path).content.decode()
    as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/")
    body = as_coordinator.get(path).content.decode()
    assert '<details class="cancelled">' in body and "Sam Responder" not in body


def test_assigning_from_the_month_goes_back_to_that_month(
    as_coordinator, responder, responder_position
):
    shift = make_shift(in_hours(24 * 40), positions=[responder_position])
    slot = Slot.objects.get(shift=shift)
    month = f"/roster/?month={month_param(shift.start)}"
    assert f'href="/roster/slots/{slot.pk}/assign/"' in as_coordinator.get(month).content.decode()
    page = as_coordinator.get(f"/roster/slots/{slot.pk}/assign/").content.decode()
    assert f'<a href="{month}">' in page  # "Back to the roster": the month it came from
    response = as_coordinator.post(f"/roster/slots/{slot.pk}/assign/", {"person": responder.pk})
    assert response["Location"] == month
