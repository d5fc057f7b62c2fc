from crisisline.roles import RESPONDER
from shifts.models import Assignment
from tests.factory import grant, make_person
from tests.shifts.conftest import in_hours, make_shift, put, slot_of


def test_form_lists_people_with_their_warnings(as_coordinator, responder, holder_position):
    shift = make_shift(in_hours(30), positions=[holder_position])
    body = as_coordinator.get(
        f"/roster/slots/{slot_of(shift, holder_position).pk}/assign/"
    ).content.decode()
    assert "Sam Responder — lacks Line holder training" in body


def test_assign_with_a_plain_form_post(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    slot = slot_of(shift, responder_position)
    response = as_coordinator.post(
        f"/roster/slots/{slot.pk}/assign/", {"person": responder.pk, "next": "/roster/week/"}
    )
    assert response.status_code == 302 and response["Location"] == "/roster/week/"
    assert Assignment.objects.filter(slot=slot, person=responder).exists()
    slot.refresh_from_db()
    assert slot.taken == 1


def test_assign_in_place_with_htmx_returns_the_updated_place(
    as_coordinator, responder, holder_position
):
    shift = make_shift(in_hours(30), positions=[holder_position])
    slot = slot_of(shift, holder_position)
    response = as_coordinator.post(
        f"/roster/slots/{slot.pk}/assign/", {"person": responder.pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="slot full" id="slot-{slot.pk}">')
    assert "Sam Responder" in body
    # The coordinator decides: an unqualified person is assigned, with the warning shown.
    assert "Sam Responder: lacks Line holder training." in body
    assert "lacks Line holder training, required for Line holder" in body


def test_htmx_get_returns_only_the_form(as_coordinator, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    slot = slot_of(shift, responder_position)
    body = as_coordinator.get(
        f"/roster/slots/{slot.pk}/assign/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert body.lstrip().startswith("<form")
    assert "<html" not in body


def test_a_full_place_or_a_double_booking_is_refused(as_coordinator, responder, responder_position):
    responder_position.max_people = 1
    responder_position.save()
    shift = make_shift(in_hours(30), positions=[responder_position])
    other = make_shift(in_hours(31), positions=[responder_position])
    put(make_person("first", RESPONDER), shift, responder_position)
    put(responder, other, responder_position)
    response = as_coordinator.post(
        f"/roster/slots/{slot_of(shift, responder_position).pk}/assign/",
        {"person": make_person("late", RESPONDER).pk},
        follow=True,
    )
    assert "Late: no place left." in response.content.decode()
    responder_position.max_people = 2
    responder_position.save()
    slot = slot_of(shift, responder_position)
    slot.capacity = 2
    slot.save()
    response = as_coordinator.post(
        f"/roster/slots/{slot.pk}/assign/", {"person": responder.pk}, follow=True
    )
    assert "Sam Responder: already on a shift then." in response.content.decode()
    assert Assignment.objects.count() == 2


def test_bad_person_changes_nothing(as_coordinator, responder_position, deactivated):
    shift = make_shift(in_hours(30), positions=[responder_position])
    slot = slot_of(shift, responder_position)
    for bad in ["", "999999", "abc", str(deactivated.pk)]:
        response = as_coordinator.post(f"/roster/slots/{slot.pk}/assign/", {"person": bad})
        assert response.status_code == 200
        assert (
            "Choose someone from the list." in response.content.decode()
            or "required" in response.content.decode()
        )
    response = as_coordinator.post(
        f"/roster/slots/{slot.pk}/assign/", {"person": "x"}, HTTP_HX_REQUEST="true"
    )
    assert "Choose someone from the list." in response.content.decode()
    assert not Assignment.objects.exists()


def test_past_shifts_cannot_be_assigned(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(-6), hours=4, positions=[responder_position])
    response = as_coordinator.post(
        f"/roster/slots/{slot_of(shift, responder_position).pk}/assign/",
        {"person": responder.pk},
        follow=True,
    )
    assert "Sam Responder: shift already started." in response.content.decode()
    assert not Assignment.objects.exists()


def test_only_responders_can_be_assigned(as_coordinator, outsider, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    slot = slot_of(shift, responder_position)
    response = as_coordinator.post(f"/roster/slots/{slot.pk}/assign/", {"person": outsider.pk})
    assert "Choose someone from the list." in response.content.decode()
    assert "No Role" not in response.content.decode().split('name="person"')[1]
    assert not Assignment.objects.exists()


def test_a_running_shifts_place_can_be_handed_on_now(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(-2), hours=4, positions=[responder_position])
    response = as_coordinator.post(
        f"/roster/slots/{slot_of(shift, responder_position).pk}/assign/",
        {"person": responder.pk},
        follow=True,
    )
    assert "Sam Responder assigned as Responder." in response.content.decode()
    assert Assignment.objects.filter(shift=shift, person=responder).exists()


def test_the_picker_reads_the_same_number_of_queries_for_few_or_many_people(
    as_coordinator, holder_position
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    slot = slot_of(make_shift(in_hours(30), positions=[holder_position]), holder_position)
    path = f"/roster/slots/{slot.pk}/assign/"
    make_person("one", RESPONDER)
    with CaptureQueriesContext(connection) as few:
        as_coordinator.get(path)
    for number in range(60):
        person = make_person(f"many{number}", RESPONDER, max_shifts_per_month=1)
        if number % 3 == 0:
            grant(person, holder_position.required_skill)
    with CaptureQueriesContext(connection) as many:
        body = as_coordinator.get(path).content.decode()
    picker = body.split('name="person"')[1].split("</select>")[0]
    # "Choose a person", then everyone: the coordinator, "one" and the sixty.
    assert picker.count("<option value=") == 1 + 62
    assert len(few) == len(many)
