from shifts.models import Assignment
from tests.shifts.conftest import in_hours, make_shift, put, slot_of


def test_unassign_with_a_form_post(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    response = as_coordinator.post(
        f"/roster/assignments/{assignment.pk}/unassign/", {"next": "/roster/week/"}
    )
    assert response["Location"] == "/roster/week/"
    assert not Assignment.objects.exists()
    assert slot_of(shift, responder_position).taken == 0


def test_unassign_in_place_with_htmx(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    slot = slot_of(shift, responder_position)
    response = as_coordinator.post(
        f"/roster/assignments/{assignment.pk}/unassign/", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert f'id="slot-{slot.pk}"' in body and "0/2 · short" in body
    assert "Sam Responder unassigned." in body


def test_past_shifts_are_left_alone(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(-10), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    response = as_coordinator.post(f"/roster/assignments/{assignment.pk}/unassign/", follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_unknown_assignment_is_404(as_coordinator):
    assert as_coordinator.post("/roster/assignments/999/unassign/").status_code == 404


def test_the_next_target_must_be_on_this_site(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    response = as_coordinator.post(
        f"/roster/assignments/{assignment.pk}/unassign/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/roster/"


def test_leaving_twice_counts_once(responder, responder_position):
    import pytest

    from shifts import places

    shift = make_shift(in_hours(30), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    stale = Assignment.objects.get(pk=assignment.pk)
    places.unassign(assignment)
    with pytest.raises(places.PlaceError, match="already given up"):
        places.unassign(stale)  # a second tab, or a swap that handed it on
    assert slot_of(shift, responder_position).taken == 0
