"""One rule decides who may take a place (shifts.places.reasons_against), and
every place that shows, offers or makes places agrees with it: claims, the open
places list, the block on "On call now", swap offers and taking them, and the
coordinators' picker, and the coverage report. One world, with one place for
each reason, asked of all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from crisisline.models import Skill
from crisisline.roles import COORDINATOR, RESPONDER
from shifts import places
from shifts.models import GivenUp, Shift, Slot, SwapOffer, TimeOff
from tests.conftest import client_for
from tests.factory import grant, make_person
from tests.shifts.conftest import make_position, make_shift, put

ZONE = timezone.get_default_timezone()
NOW = datetime(2031, 6, 10, 9, 0, tzinfo=ZONE)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


@dataclass
class World:
    viewer: object
    coordinator: object
    shifts: dict[str, Shift]
    slots: dict[str, Slot]
    offers: dict[str, SwapOffer]

    def name_of_shift(self, pk: int) -> str:
        return next(name for name, shift in self.shifts.items() if shift.pk == pk)


# What stops the viewer taking each place of the world (empty: nothing does).
EXPECTED = {
    "fine": set(),
    "fine after rest": set(),
    "over the monthly maximum": {places.OVER_MAXIMUM},
    "overlaps their shift": {places.CLASH},
    "too little rest": {places.TOO_LITTLE_REST},
    "in time off": {places.TIME_OFF},
    "needs a skill": {places.UNQUALIFIED},
    "given up": {places.GAVE_UP},
    "already on it": {places.ALREADY_ON},
    "started": {places.STARTED, places.OVER_MAXIMUM},
}
TAKEABLE = {name for name, reasons in EXPECTED.items() if not reasons}


@pytest.fixture
def world(db, time_machine) -> World:
    time_machine.move_to(NOW, tick=False)
    skill = Skill.objects.create(name="Line holder training")
    plain = make_position("Responder", 1, 3, order=1)
    holder = make_position("Line holder", 1, 3, order=0, required_skill=skill)
    viewer = make_person(
        "viewer", RESPONDER, display_name="Val Viewer", max_shifts_per_month=3, min_rest_hours=8
    )
    giver = make_person("giver", RESPONDER, display_name="Gia Giver")
    coordinator = make_person("coord", COORDINATOR, display_name="Rosa Coordinator")
    june, july = date(2031, 6, 1), date(2031, 7, 1)

    # The viewer's own shifts: three in June (their maximum), one in July.
    for day in (13, 22, 25):
        put(viewer, make_shift(at(june.replace(day=day), 10), positions=[plain]), plain)
    theirs = make_shift(at(july.replace(day=5), 10), positions=[plain])
    put(viewer, theirs, plain)

    shifts = {
        "fine": make_shift(at(july.replace(day=2), 10), positions=[plain]),
        "fine after rest": make_shift(at(july.replace(day=5), 22), positions=[plain]),
        "over the monthly maximum": make_shift(at(june.replace(day=18), 10), positions=[plain]),
        "overlaps their shift": make_shift(at(july.replace(day=5), 12), positions=[plain]),
        "too little rest": make_shift(at(july.replace(day=5), 18), hours=3, positions=[plain]),
        "in time off": make_shift(at(july.replace(day=8), 10), positions=[plain]),
        "needs a skill": make_shift(at(july.replace(day=9), 10), positions=[holder]),
        "given up": make_shift(at(july.replace(day=10), 10), positions=[plain]),
        "already on it": theirs,
        "started": make_shift(NOW - timedelta(hours=1), positions=[plain]),
    }
    TimeOff.objects.create(
        person=viewer, first_day=july.replace(day=8), last_day=july.replace(day=8)
    )
    slots = {}
    offers = {}
    for name, shift in shifts.items():
        slot = shift.slots.get()
        slots[name] = slot
        offers[name] = SwapOffer.objects.create(
            assignment=put(giver, shift, slot.position), offered_by=giver
        )
        slot.refresh_from_db()
    GivenUp.objects.create(slot=slots["given up"], person=viewer)
    # Every place is urgent, so "On call now" shows each one the viewer may take.
    Slot.objects.update(urgent_since=NOW - timedelta(hours=1))
    return World(viewer, coordinator, shifts, slots, offers)


def _rolled_back(request):
    with transaction.atomic():
        body = request().content.decode()
        transaction.set_rollback(True)
    return body


def by_the_rule(world: World) -> set[str]:
    return {name for name, slot in world.slots.items() if not places.why_not(world.viewer, slot.pk)}


def by_claiming(world: World) -> set[str]:
    client = client_for(world.viewer)
    return {
        name
        for name, slot in world.slots.items()
        if "You are on"
        in _rolled_back(lambda slot=slot: client.post(f"/places/{slot.pk}/claim/", follow=True))
    }


def _claim_links(body: str, world: World) -> set[str]:
    ids = {int(pk) for pk in re.findall(r'action="/places/(\d+)/claim/"', body)}
    return {name for name, slot in world.slots.items() if slot.pk in ids}


def by_open_places(world: World) -> set[str]:
    return _claim_links(client_for(world.viewer).get("/places/").content.decode(), world)


def by_on_call(world: World) -> set[str]:
    return _claim_links(client_for(world.viewer).get("/oncall/").content.decode(), world)


def by_swap_offers(world: World) -> set[str]:
    body = client_for(world.viewer).get("/places/").content.decode()
    ids = {int(pk) for pk in re.findall(r'action="/swaps/(\d+)/take/"', body)}
    return {name for name, offer in world.offers.items() if offer.pk in ids}


def by_taking_swaps(world: World) -> set[str]:
    client = client_for(world.viewer)
    return {
        name
        for name, offer in world.offers.items()
        if "Swapped: the shift is yours now."
        in _rolled_back(lambda offer=offer: client.post(f"/swaps/{offer.pk}/take/", follow=True))
    }


def by_the_picker(world: World) -> set[str]:
    client = client_for(world.coordinator)
    free = set()
    for name, slot in world.slots.items():
        body = client.get(f"/roster/slots/{slot.pk}/assign/").content.decode()
        option = re.search(rf'<option value="{world.viewer.pk}">([^<]*)</option>', body)
        assert option, f"the picker for {name} leaves the viewer out"
        if option.group(1) == "Val Viewer":  # no reasons after the name
            free.add(name)
    return free


# What the coverage report cannot be asked: it judges people where they are, and
# nobody can be put twice on one shift, nor is a place given up anything to it.
NOT_FOR_THE_REPORT = {"already on it", "given up"}


def by_the_coverage_report(world: World) -> set[str]:
    """Put the viewer in each place in turn (as a coordinator may, against the
    warnings) and read whether the coverage report then says anything about them."""
    client = client_for(world.coordinator)
    assert "Val Viewer" not in client.get("/roster/coverage/?weeks=8").content.decode()
    fine = set()
    for name, slot in world.slots.items():
        if name in NOT_FOR_THE_REPORT:
            continue
        with transaction.atomic():
            put(world.viewer, world.shifts[name], slot.position)
            body = client.get("/roster/coverage/?weeks=8").content.decode()
            transaction.set_rollback(True)
        if "Val Viewer" not in body:
            fine.add(name)
    return fine


@pytest.mark.parametrize(
    "asked",
    [
        by_the_rule,
        by_claiming,
        by_open_places,
        by_on_call,
        by_swap_offers,
        by_taking_swaps,
        by_the_picker,
        by_the_coverage_report,
    ],
    ids=lambda ask: ask.__name__,
)
def test_every_place_agrees_on_what_the_viewer_may_take(world, asked):
    assert asked(world) == TAKEABLE


def test_each_place_of_the_world_is_refused_for_its_own_reason(world):
    for name, slot in world.slots.items():
        kinds = {reason.kind for reason in places.why_not(world.viewer, slot.pk)}
        assert kinds == EXPECTED[name], name


def test_the_picker_names_each_reason_and_lists_the_free_first(world):
    make_person("zed", RESPONDER, display_name="Zed Free")
    client = client_for(world.coordinator)
    body = client.get(f"/roster/slots/{world.slots['over the monthly maximum'].pk}/assign/")
    html = body.content.decode()
    assert "Val Viewer — would go over 3 shifts this month" in html
    assert "Gia Giver — already on this shift" in html
    names = re.findall(r'<option value="\d+">([^<]+?)(?: — [^<]*)?</option>', html)
    assert names == ["Zed Free", "Gia Giver", "Val Viewer"]  # the free first, then by name
    assert "selected" not in html.split('<select id="person-')[1].split("</select>")[0]
    assert re.search(r'<select id="person-\d+" name="person" required>\s*<option value="">', html)


def test_refusals_speak_to_the_person_and_say_what_to_do(world):
    client = client_for(world.viewer)
    over = world.slots["over the monthly maximum"]
    body = client.post(f"/places/{over.pk}/claim/", follow=True).content.decode()
    assert "You&#x27;d go over your 3 shifts this month. Ask a coordinator" in body
    client.post("/language/", {"language": "es", "next": "/"})
    body = client.post(f"/places/{over.pk}/claim/", follow=True).content.decode()
    assert "Pasarías de tus 3 turnos este mes. Pregunta a coordinación" in body


def test_held_skills_are_read_for_many_people_in_one_query(db, django_assert_num_queries):
    skill, other = Skill.objects.create(name="De-escalation"), Skill.objects.create(name="ASL")
    lapsed = Skill.objects.create(name="Suicide first aid")
    people = [make_person(f"p{i}", RESPONDER) for i in range(7)]
    for person in people[::2]:
        grant(person, skill, granted_on=date(2031, 1, 1))
    grant(people[1], other, granted_on=date(2031, 1, 1))
    grant(people[3], other, granted_on=date(2031, 1, 1), renew_by=date(2031, 5, 31))
    grant(people[5], other, granted_on=date(2031, 1, 1), confirmed=False)
    grant(people[3], lapsed, granted_on=date(2031, 1, 1))
    with django_assert_num_queries(1):
        held = places.held_skill_ids(people, [skill.pk, other.pk], date(2031, 6, 1))
    assert held == {
        p.pk: ({skill.pk} if i % 2 == 0 else {other.pk} if i == 1 else set())
        for i, p in enumerate(people)
    }
