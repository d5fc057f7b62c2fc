from datetime import timedelta

from django.utils import timezone

from crisisline.roles import RESPONDER
from shifts.models import Shift, Slot
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_shift, put


def local(instant) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


def test_add_a_single_shift_with_its_places(as_coordinator, responder_position, holder_position):
    start = in_hours(50).replace(second=0)
    response = as_coordinator.post(
        "/roster/shifts/new/",
        {"start": local(start), "end": local(start + timedelta(hours=3)), "note": "Vigil"},
    )
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.start == start and shift.note == "Vigil"
    assert Slot.objects.filter(shift=shift).count() == 2


def test_bad_shift_times_are_refused(as_coordinator, db):
    start = in_hours(50).replace(second=0)
    existing = make_shift(start, hours=2)
    cases = [
        ({"start": local(start), "end": local(start)}, "The end must come after the start."),
        (
            {"start": local(start), "end": local(start - timedelta(hours=1))},
            "The end must come after",
        ),
        ({"start": local(in_hours(-5)), "end": local(in_hours(-1))}, "would start in the past"),
        ({"start": local(start), "end": local(start + timedelta(hours=100))}, "at most 72 hours"),
        ({"start": local(existing.start), "end": local(existing.end)}, "already exists"),
        ({"start": "soon", "end": ""}, "Enter a valid date/time."),
    ]
    for data, message in cases:
        response = as_coordinator.post("/roster/shifts/new/", data)
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert Shift.objects.count() == 1


def test_edit_a_shift(as_coordinator, responder_position):
    shift = make_shift(in_hours(50), positions=[responder_position])
    new_start = shift.start.replace(second=0) + timedelta(hours=1)
    page = as_coordinator.get(f"/roster/shifts/{shift.pk}/").content.decode()
    assert local(shift.start) in page
    as_coordinator.post(
        f"/roster/shifts/{shift.pk}/",
        {"start": local(new_start), "end": local(new_start + timedelta(hours=2))},
    )
    shift.refresh_from_db()
    assert shift.start == new_start and shift.end == new_start + timedelta(hours=2)


def test_editing_cannot_double_book_someone(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(50), positions=[responder_position])
    other = make_shift(in_hours(60), positions=[responder_position])
    put(responder, shift, responder_position)
    put(responder, other, responder_position)
    response = as_coordinator.post(
        f"/roster/shifts/{shift.pk}/",
        {"start": local(shift.start), "end": local(other.start + timedelta(hours=1))},
    )
    assert "Sam Responder would then be in two shifts at once." in response.content.decode()
    shift.refresh_from_db()
    assert shift.end - shift.start == timedelta(hours=4)


def test_past_shifts_cannot_be_edited(as_coordinator, db):
    shift = make_shift(in_hours(-10))
    response = as_coordinator.get(f"/roster/shifts/{shift.pk}/", follow=True)
    assert "can no longer be changed" in response.content.decode()


def test_cancel_and_restore(as_coordinator, responder_position):
    shift = make_shift(in_hours(50), positions=[responder_position])
    put(make_person("on", RESPONDER), shift, responder_position)
    response = as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/", follow=True)
    assert "Shift cancelled." in response.content.decode()
    shift.refresh_from_db()
    assert shift.cancelled

    # Cancelling again is not a restore: it changes nothing and says why.
    response = as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/", follow=True)
    assert "This shift is already cancelled." in response.content.decode()
    shift.refresh_from_db()
    assert shift.cancelled

    response = as_coordinator.post(f"/roster/shifts/{shift.pk}/restore/", follow=True)
    assert "Shift restored." in response.content.decode()
    shift.refresh_from_db()
    assert not shift.cancelled
    response = as_coordinator.post(f"/roster/shifts/{shift.pk}/restore/", follow=True)
    assert "This shift is not cancelled." in response.content.decode()
    shift.refresh_from_db()
    assert not shift.cancelled


def test_past_shifts_cannot_be_cancelled(as_coordinator, db):
    shift = make_shift(in_hours(-10))
    as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/")
    shift.refresh_from_db()
    assert not shift.cancelled


def test_restoring_refuses_when_someone_on_it_took_an_overlapping_shift(
    as_coordinator, responder, responder_position
):
    shift = make_shift(in_hours(50), positions=[responder_position])
    put(responder, shift, responder_position)
    as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/")
    # Meanwhile they take a shift at the same time: nothing stops that, it is cancelled.
    overlapping = make_shift(in_hours(52), positions=[responder_position])
    put(responder, overlapping, responder_position)

    response = as_coordinator.post(f"/roster/shifts/{shift.pk}/restore/", follow=True)
    body = response.content.decode()
    assert "The shift was not restored: Sam Responder would then be in two shifts" in body
    assert "Shift restored." not in body
    shift.refresh_from_db()
    assert shift.cancelled


def test_restoring_names_only_the_people_who_would_be_double_booked(
    as_coordinator, responder, responder_position
):
    shift = make_shift(in_hours(50), positions=[responder_position])
    put(responder, shift, responder_position)
    put(make_person("other", RESPONDER, display_name="Other Person"), shift, responder_position)
    as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/")
    later = make_shift(in_hours(53), positions=[responder_position])
    put(responder, later, responder_position)
    body = as_coordinator.post(f"/roster/shifts/{shift.pk}/restore/", follow=True).content.decode()
    assert "Sam Responder would then be" in body and "Other Person" not in body

    # Once they leave the other shift, restoring works.
    later.assignments.all().delete()
    body = as_coordinator.post(f"/roster/shifts/{shift.pk}/restore/", follow=True).content.decode()
    assert "Shift restored." in body
    shift.refresh_from_db()
    assert not shift.cancelled


def test_a_cancelled_shift_can_be_moved_over_its_peoples_other_shifts(
    as_coordinator, responder, responder_position
):
    shift = make_shift(in_hours(50).replace(second=0), positions=[responder_position])
    put(responder, shift, responder_position)
    as_coordinator.post(f"/roster/shifts/{shift.pk}/cancel/")
    other = make_shift(in_hours(60).replace(second=0), positions=[responder_position])
    put(responder, other, responder_position)
    as_coordinator.post(
        f"/roster/shifts/{shift.pk}/", {"start": local(shift.start), "end": local(other.end)}
    )
    shift.refresh_from_db()
    assert shift.end == other.end  # it books nobody while cancelled…
    body = as_coordinator.post(f"/roster/shifts/{shift.pk}/restore/", follow=True).content.decode()
    assert "would then be in two shifts" in body  # …and restoring it still checks
    shift.refresh_from_db()
    assert shift.cancelled


def test_editing_checks_clashes_while_holding_the_locks_claims_take(
    as_coordinator, responder, responder_position, monkeypatch
):
    """The clash check runs after the people on the shift are locked, in the same
    transaction as the save (on PostgreSQL: test_edit_shift_race.py)."""
    from django.db import connection

    from shifts import places

    shift = make_shift(in_hours(50), positions=[responder_position])
    put(responder, shift, responder_position)
    seen = []
    real = places._double_booked

    def watching(shift_, assignments):
        for a in assignments:
            seen.append((a.person_id, connection.in_atomic_block, len(connection.savepoint_ids)))
        return real(shift_, assignments)

    monkeypatch.setattr(places, "_double_booked", watching)
    depth = len(connection.savepoint_ids)
    new_start = shift.start.replace(second=0) + timedelta(hours=1)
    as_coordinator.post(
        f"/roster/shifts/{shift.pk}/",
        {"start": local(new_start), "end": local(new_start + timedelta(hours=2))},
    )
    assert seen == [(responder.pk, True, depth + 1)]
