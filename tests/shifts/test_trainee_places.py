"""A position may take one trainee (shadow) place beside its required skill: on
every shift, one extra place for someone who does not hold the skill yet. It is
never counted as cover, never holds the line and is never called."""

from __future__ import annotations

import re

import pytest

from crisisline.roles import COORDINATOR, RESPONDER
from shifts import places
from shifts.coverage import load_roster
from shifts.line_alerts import EMPTY, line_gaps
from shifts.models import Position, Slot
from shifts.roster import add_shift
from tests.conftest import client_for
from tests.factory import grant, make_person
from tests.shifts.conftest import in_hours
from tests.shifts.test_forward import forwarding_link


@pytest.fixture
def holder(holder_position) -> Position:
    holder_position.trainee_place = True
    holder_position.save()
    return holder_position


@pytest.fixture
def learner(db):
    return make_person("learner", RESPONDER, display_name="Lu Learner", phone="+1 555 000 7777")


@pytest.fixture
def trained(holder):
    person = make_person("trained", RESPONDER, display_name="Tam Trained", phone="+15550008888")
    grant(person, holder.required_skill)
    return person


def trainee_slot(shift) -> Slot:
    return shift.slots.get(trainee=True)


def test_each_new_shift_gets_one_trainee_place_that_is_not_cover(holder):
    shift = add_shift(in_hours(30), in_hours(34))
    ordinary, trainee = shift.slots.get(trainee=False), trainee_slot(shift)
    assert (trainee.capacity, trainee.min_people) == (1, 0)
    assert ordinary.capacity == holder.max_people
    roster = load_roster(in_hours(0), in_hours(48))
    # Only the empty line-holder place is a problem; the empty trainee place is none.
    assert [(p.kind, p.slot_id) for p in roster.problems] == [("no-line-holder", ordinary.pk)]


def test_someone_learning_may_take_the_trainee_place_but_not_the_line(holder, learner):
    shift = add_shift(in_hours(30), in_hours(34))
    ordinary, trainee = shift.slots.get(trainee=False), trainee_slot(shift)
    body = client_for(learner).get("/places/").content.decode()
    assert f'action="/places/{trainee.pk}/claim/"' in body
    assert f'action="/places/{ordinary.pk}/claim/"' not in body
    assert "Line holder (trainee)" in body
    page = client_for(learner).post(f"/places/{trainee.pk}/claim/", follow=True)
    assert "You are on" in page.content.decode() and "as Line holder (trainee)" in (
        page.content.decode()
    )
    assert trainee.assignments.get().person == learner


def test_someone_already_trained_is_sent_to_the_ordinary_place(holder, trained):
    shift = add_shift(in_hours(30), in_hours(34))
    ordinary, trainee = shift.slots.get(trainee=False), trainee_slot(shift)
    client = client_for(trained)
    body = client.get("/places/").content.decode()
    assert f'action="/places/{ordinary.pk}/claim/"' in body
    assert f'action="/places/{trainee.pk}/claim/"' not in body
    page = client.post(f"/places/{trainee.pk}/claim/", follow=True).content.decode()
    assert "You already hold Line holder training: take an ordinary Line holder place" in page
    assert not trainee.assignments.exists()


def test_the_picker_says_who_is_already_trained_and_a_coordinator_may_still_place_them(
    holder, trained, learner
):
    shift = add_shift(in_hours(30), in_hours(34))
    trainee = trainee_slot(shift)
    client = client_for(make_person("coord", COORDINATOR))
    html = client.get(f"/roster/slots/{trainee.pk}/assign/").content.decode()
    assert re.search(rf'<option value="{learner.pk}">Lu Learner</option>', html)
    assert "Tam Trained — already holds Line holder training" in html
    outcome = places.assign(trainee.pk, trained)
    assert outcome.assignment is not None
    assert outcome.warnings == ["Tam Trained: already holds Line holder training."]


def test_a_trainee_never_holds_the_line_nor_is_called(client, as_coordinator, holder, learner):
    link = forwarding_link(as_coordinator)
    shift = add_shift(in_hours(-1), in_hours(3))
    places.assign(trainee_slot(shift).pk, learner)
    # The trainee has a phone, but the line holder's place is empty: nobody to call.
    assert client.get(link).content.decode() == "unstaffed\n"
    gaps = line_gaps()
    assert [(gap.slot_id, gap.kind) for gap in gaps] == [(shift.slots.get(trainee=False).pk, EMPTY)]


def test_on_call_shows_the_trainee_as_such_and_no_gap_for_an_empty_trainee_place(
    holder, learner, trained
):
    running = add_shift(in_hours(-1), in_hours(3))
    later = add_shift(in_hours(3), in_hours(7))
    places.assign(running.slots.get(trainee=False).pk, trained)
    places.assign(trainee_slot(running).pk, learner)
    places.assign(later.slots.get(trainee=False).pk, trained)
    body = client_for(learner).get("/oncall/").content.decode()
    assert "Lu Learner" in body
    assert '<span class="tag">Line holder (trainee)</span>' in body
    assert "Nobody as Line holder (trainee)" not in body  # the later shift's is empty


def test_the_trainee_place_is_a_position_option_that_needs_a_skill(as_coordinator, db):
    page = as_coordinator.post(
        "/roster/positions/",
        {
            "name": "Listener",
            "min_people": 1,
            "max_people": 2,
            "order": 0,
            "active": "on",
            "trainee_place": "on",
        },
    )
    assert "A trainee place needs a required skill to learn" in page.content.decode()
    assert not Position.objects.filter(name="Listener").exists()


def test_turning_the_option_on_and_off_adds_and_removes_upcoming_trainee_places(
    as_coordinator, holder_position, learner
):
    shifts = [add_shift(in_hours(30 + 4 * i), in_hours(34 + 4 * i)) for i in range(2)]
    assert not Slot.objects.filter(trainee=True).exists()
    fields = {
        "name": "Line holder",
        "min_people": 1,
        "max_people": 1,
        "required_skill": holder_position.required_skill_id,
        "holds_line": "on",
        "order": 0,
        "active": "on",
    }
    url = f"/roster/positions/{holder_position.pk}/"
    as_coordinator.post(url, {**fields, "trainee_place": "on"})
    assert Slot.objects.filter(trainee=True).count() == 2
    places.assign(trainee_slot(shifts[0]).pk, learner)
    as_coordinator.post(url, fields)
    # The held trainee place stays until its shift is over; the empty one goes.
    assert list(Slot.objects.filter(trainee=True)) == [trainee_slot(shifts[0])]
    assert shifts[1].slots.count() == 1
