from crisisline.models import Skill
from shifts.models import Position, Slot
from tests.shifts.conftest import in_hours, make_shift, put

URL = "/roster/positions/"


def test_add_a_position_gives_upcoming_shifts_a_place(as_coordinator, responder_position):
    make_shift(in_hours(30), positions=[responder_position])
    make_shift(in_hours(-30), positions=[responder_position])
    skill = Skill.objects.create(name="First aid")
    response = as_coordinator.post(
        URL,
        {
            "name": "Medic",
            "min_people": 0,
            "max_people": 1,
            "required_skill": skill.pk,
            "order": 2,
            "active": "on",
        },
        follow=True,
    )
    assert "Position Medic added to 1 upcoming shifts." in response.content.decode()
    assert Slot.objects.filter(position__name="Medic").count() == 1


def test_bad_positions_are_refused(as_coordinator, responder_position):
    cases = [
        (
            {"name": "A", "min_people": 3, "max_people": 1, "order": 0},
            "The fewest cannot be more than the most.",
        ),
        (
            {"name": "B", "min_people": 0, "max_people": 0, "order": 0},
            "At least one person must fit",
        ),
        (
            {"name": "Responder", "min_people": 1, "max_people": 1, "order": 0},
            "There is already a position with this name.",
        ),
        ({"name": "", "min_people": 1, "max_people": 1, "order": 0}, "This field is required."),
        (
            {"name": "C", "min_people": -1, "max_people": 1, "order": 0},
            "greater than or equal to 0",
        ),
    ]
    for data, message in cases:
        response = as_coordinator.post(URL, data)
        assert message in response.content.decode(), message
    assert Position.objects.count() == 1


def test_editing_a_position_resizes_upcoming_places(as_coordinator, responder, responder_position):
    shift = make_shift(in_hours(30), positions=[responder_position])
    busy = make_shift(in_hours(60), positions=[responder_position])
    put(responder, busy, responder_position)
    from tests.factory import make_person

    put(make_person("two"), busy, responder_position)
    response = as_coordinator.post(
        f"/roster/positions/{responder_position.pk}/",
        {"name": "Responder", "min_people": 1, "max_people": 1, "order": 1, "active": "on"},
        follow=True,
    )
    body = response.content.decode()
    assert "1 upcoming places already hold more people" in body
    assert Slot.objects.get(shift=shift).capacity == 1
    assert Slot.objects.get(shift=busy).capacity == 2
