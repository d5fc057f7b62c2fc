from shifts.models import Assignment, RosterRules
from tests.shifts.conftest import in_hours, make_shift, put, slot_of


def test_release_with_enough_notice(as_responder, responder, responder_position):
    shift = make_shift(in_hours(72), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    response = as_responder.post(f"/me/shifts/{assignment.pk}/release/", follow=True)
    assert "Released." in response.content.decode()
    assert not Assignment.objects.exists()
    assert slot_of(shift, responder_position).taken == 0


def test_release_too_close_to_the_shift_is_refused(as_responder, responder, responder_position):
    RosterRules.objects.create(pk=1, release_notice_hours=48)
    shift = make_shift(in_hours(24), positions=[responder_position])
    assignment = put(responder, shift, responder_position)
    response = as_responder.post(f"/me/shifts/{assignment.pk}/release/", follow=True)
    body = response.content.decode()
    assert "at least 48 hours ahead" in body and "swap" in body
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_someone_elses_shift_is_404(as_responder, coordinator, responder_position):
    shift = make_shift(in_hours(72), positions=[responder_position])
    assignment = put(coordinator, shift, responder_position)
    assert as_responder.post(f"/me/shifts/{assignment.pk}/release/").status_code == 404
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_your_shifts_page_offers_the_right_actions(as_responder, responder, responder_position):
    near = put(
        responder, make_shift(in_hours(5), positions=[responder_position]), responder_position
    )
    far = put(
        responder, make_shift(in_hours(100), positions=[responder_position]), responder_position
    )
    body = as_responder.get("/me/shifts/").content.decode()
    assert f"/me/shifts/{far.pk}/release/" in body
    assert f"/me/shifts/{near.pk}/release/" not in body
    assert f"/me/shifts/{near.pk}/cant-make-it/" in body
    assert 'href="/profile/"' in body and 'href="/me/time-off/"' in body
