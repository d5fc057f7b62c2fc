from datetime import timedelta

from django.utils import timezone

from shifts.models import TimeOff
from tests.conftest import client_for
from tests.factory import make_person

URL = "/me/time-off/"


def test_add_and_remove_time_off(as_responder, responder):
    first = timezone.localdate() + timedelta(days=10)
    response = as_responder.post(
        URL,
        {"first_day": first, "last_day": first + timedelta(days=3), "note": "Away"},
        follow=True,
    )
    body = response.content.decode()
    assert "Time off saved." in body and "Away" in body
    leave = TimeOff.objects.get(person=responder)
    as_responder.post(f"/me/time-off/{leave.pk}/delete/")
    assert not TimeOff.objects.exists()


def test_bad_ranges_are_refused(as_responder):
    today = timezone.localdate()
    cases = [
        (
            {"first_day": today + timedelta(days=3), "last_day": today},
            "The last day is before the first day.",
        ),
        (
            {"first_day": today - timedelta(days=9), "last_day": today - timedelta(days=2)},
            "already over",
        ),
        ({"first_day": today, "last_day": today + timedelta(days=900)}, "at most 366 days"),
        ({"first_day": "", "last_day": ""}, "This field is required."),
    ]
    for data, message in cases:
        response = as_responder.post(URL, data)
        assert message in response.content.decode(), message
    assert not TimeOff.objects.exists()


def test_someone_elses_time_off_is_404(as_responder, db):
    other = make_person("other")
    day = timezone.localdate()
    leave = TimeOff.objects.create(person=other, first_day=day, last_day=day)
    assert as_responder.post(f"/me/time-off/{leave.pk}/delete/").status_code == 404
    assert TimeOff.objects.exists()
    assert "other" not in client_for(make_person("third", "Responder")).get(URL).content.decode()


def test_an_empty_time_off_form_says_what_is_missing(as_responder, responder):
    response = as_responder.post("/me/time-off/", {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not TimeOff.objects.filter(person=responder).exists()


def test_time_off_over_your_own_shift_warns_and_offers_cant_make_it(
    as_responder, responder, responder_position
):
    from shifts.models import Assignment
    from tests.shifts.conftest import in_hours, make_shift, put

    shift = make_shift(in_hours(24 * 5), positions=[responder_position])
    other = make_shift(in_hours(24 * 12), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    put(responder, other, responder_position)
    day = timezone.localtime(shift.start).date()
    body = as_responder.post(URL, {"first_day": day, "last_day": day}, follow=True).content.decode()
    assert "You are still on 1 shift in this time off." in body
    assert "Your shifts during your time off" in body
    assert f"/me/shifts/{assignment.pk}/cant-make-it/" in body
    assert f"/me/shifts/{assignment.pk + 1}/cant-make-it/" not in body  # the other shift: no clash
    as_responder.post(f"/me/shifts/{assignment.pk}/cant-make-it/")
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert "Your shifts during your time off" not in as_responder.get(URL).content.decode()


def test_time_off_away_from_your_shifts_does_not_warn(as_responder, responder, responder_position):
    from tests.shifts.conftest import in_hours, make_shift, put

    shift = make_shift(in_hours(24 * 5), positions=[responder_position])
    put(responder, shift, responder_position)
    day = timezone.localtime(shift.start).date() + timedelta(days=3)
    body = as_responder.post(URL, {"first_day": day, "last_day": day}, follow=True).content.decode()
    assert "Time off saved." in body
    assert "You are still on" not in body
