"""The record of roster and people changes: each change leaves one record with who,
what and before → after; coordinators read it as a feed, per shift and per person."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisisline.audit import Change, acting_as
from crisisline.models import Skill
from crisisline.roles import RESPONDER, TRAINER
from shifts import places
from shifts.models import Closure, Position, RosterRules, ServiceWindow, Shift
from shifts.roster import add_shift, generate_shifts
from tests.conftest import client_for
from tests.factory import grant, make_person

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def position(db) -> Position:
    return Position.objects.create(name="Line holder")


@pytest.fixture
def shift(position) -> Shift:
    start = NOW + timedelta(days=8, hours=7)
    return add_shift(start, start + timedelta(hours=4))


def only_new(kind: str, since: int) -> Change:
    """The one record of `kind` made after record `since`; fails if there are more or none."""
    found = list(Change.objects.filter(kind=kind, pk__gt=since))
    assert len(found) == 1, [str(change) for change in found]
    return found[0]


def last_pk() -> int:
    return Change.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_shift_moved_and_cancelled_leaves_one_record_each(shift, coordinator):
    created = Change.objects.get(kind="shift", subject_id=shift.pk)
    assert created.action == "created" and created.after["note"] == ""
    mark = last_pk()
    with acting_as(coordinator):
        places.move_shift(shift.pk, shift.start + timedelta(hours=1), shift.end, "bring keys")
    moved = only_new("shift", mark)
    assert moved.action == "changed"
    assert moved.actor == coordinator and moved.actor_name == "Rosa Coordinator"
    assert set(moved.before) == {"start", "note"}
    assert moved.before["note"] == "" and moved.after["note"] == "bring keys"
    mark = last_pk()
    with acting_as(coordinator):
        places.cancel_shift(shift.pk)
    cancelled = only_new("shift", mark)
    assert (cancelled.before, cancelled.after) == ({"cancelled": False}, {"cancelled": True})


def test_claim_and_unassign_record_who_holds_the_place(shift, responder):
    slot = shift.slots.get()
    mark = last_pk()
    assignment = places.claim(slot.pk, responder)
    claimed = only_new("assignment", mark)
    assert claimed.action == "created"
    assert claimed.after == {"person": "Sam Responder", "slot": "Line holder"}
    assert claimed.shift_ref == shift.pk and claimed.person_ref == responder.pk
    assert claimed.actor is None and claimed.actor_name == ""  # outside a request
    mark = last_pk()
    places.unassign(assignment)
    removed = only_new("assignment", mark)
    assert removed.action == "deleted" and removed.before["person"] == "Sam Responder"
    assert removed.shift_ref == shift.pk


def test_a_swap_taken_records_the_place_changing_hands(shift, responder):
    mate = make_person("mate", RESPONDER, display_name="Kai Mate")
    assignment = places.claim(shift.slots.get().pk, responder)
    mark = last_pk()
    offer = places.offer_swap(assignment)
    assert only_new("swap", mark).action == "created"
    mark = last_pk()
    places.take_swap(offer.pk, mate)
    moved = only_new("assignment", mark)
    assert (moved.before, moved.after) == ({"person": "Sam Responder"}, {"person": "Kai Mate"})
    swap = only_new("swap", mark)
    assert swap.after["taken_by"] == "Kai Mate" and swap.before["taken_by"] is None


def test_hours_closures_positions_and_rules(position):
    mark = last_pk()
    window = ServiceWindow.objects.create(weekday=4, start=time(19), end=time(23))
    assert only_new("hours", mark).after["end"] == "23:00:00"
    mark = last_pk()
    window.end = time(23, 30)
    window.save()
    changed = only_new("hours", mark)
    assert (changed.before, changed.after) == ({"end": "23:00:00"}, {"end": "23:30:00"})
    mark = last_pk()
    window.delete()
    assert only_new("hours", mark).action == "deleted"
    mark = last_pk()
    Closure.objects.create(date=date(2026, 12, 25), reason="holiday")
    assert only_new("hours", mark).after == {"date": "2026-12-25", "reason": "holiday"}

    mark = last_pk()
    position.max_people = 2
    position.save()
    edited = only_new("position", mark)
    assert (edited.before, edited.after) == ({"max_people": 1}, {"max_people": 2})

    rules = RosterRules.current()
    rules.save()  # the single row, made on first use
    mark = last_pk()
    rules.swaps_need_approval = True
    rules.save()
    assert only_new("rules", mark).after == {"swaps_need_approval": True}
    mark = last_pk()
    rules.forwarding_token_hash = "a" * 64
    rules.save()
    assert last_pk() == mark, "a secret's hash is not a recorded value"


def test_deactivating_through_the_page_records_the_coordinator(coordinator, responder):
    client = client_for(coordinator)
    mark = last_pk()
    client.post(f"/people/{responder.pk}/deactivate/")
    change = only_new("person", mark)
    assert (change.before, change.after) == ({"is_active": True}, {"is_active": False})
    assert change.actor == coordinator and change.person_ref == responder.pk


def test_roles_set_through_the_page_record_before_and_after(coordinator, responder):
    from django.contrib.auth.models import Group

    client = client_for(coordinator)
    mark = last_pk()
    roles = Group.objects.filter(name__in=[RESPONDER, TRAINER]).values_list("pk", flat=True)
    client.post(f"/people/{responder.pk}/roles/", {"roles": list(roles)})
    change = only_new("roles", mark)
    assert change.before == {"roles": [RESPONDER]}
    assert change.after == {"roles": sorted([RESPONDER, TRAINER])}
    assert change.actor == coordinator


def test_a_skill_granted_is_recorded_on_the_person(responder):
    skill = Skill.objects.create(name="First aid")
    mark = last_pk()
    grant(responder, skill)
    change = only_new("skill", mark)
    assert change.after["skill"] == "First aid" and change.person_ref == responder.pk


def test_signing_in_changes_nothing_worth_recording(responder):
    mark = last_pk()
    responder.last_login = timezone.now()
    responder.save(update_fields=["last_login"])
    responder.set_password("another long passphrase here")
    responder.save()
    assert last_pk() == mark


def test_generated_shifts_are_recorded_one_each(position):
    ServiceWindow.objects.create(weekday=0, start=time(19), end=time(23))
    mark = last_pk()
    result = generate_shifts(date(2026, 3, 9), date(2026, 3, 22), 4)
    found = Change.objects.filter(kind="shift", pk__gt=mark)
    assert result.created == 2 and found.count() == 2
    assert set(found.values_list("shift_ref", flat=True)) == set(
        Shift.objects.values_list("pk", flat=True)
    )


# --- Reading the record ----------------------------------------------------------------


def test_the_feed_shows_who_did_what_and_filters_by_kind(coordinator, shift, responder):
    places.claim(shift.slots.get().pk, responder)
    with acting_as(coordinator):
        places.cancel_shift(shift.pk)
    page = client_for(coordinator).get("/people/changes/").content.decode()
    assert "Rosa Coordinator" in page and "Sam Responder" in page
    only_shifts = client_for(coordinator).get("/people/changes/?kind=shift").content.decode()
    assert "Rosa Coordinator" in only_shifts and "Sam Responder" not in only_shifts


def test_the_feed_is_refused_to_responders(responder):
    assert client_for(responder).get("/people/changes/").status_code == 403


def test_the_shift_page_lists_its_changes_and_no_other(coordinator, shift, position):
    other = add_shift(shift.start + timedelta(days=1), shift.end + timedelta(days=1), note="x")
    with acting_as(coordinator):
        places.move_shift(shift.pk, shift.start, shift.end, "meet at the door")
        places.move_shift(other.pk, other.start, other.end, "elsewhere entirely")
    page = client_for(coordinator).get(f"/roster/shifts/{shift.pk}/").content.decode()
    assert "meet at the door" in page and "elsewhere entirely" not in page


def test_the_person_page_lists_their_changes(coordinator, responder, trainer):
    grant(responder, Skill.objects.create(name="De-escalation"))
    grant(trainer, Skill.objects.create(name="Legal observer"))
    page = client_for(coordinator).get(f"/people/{responder.pk}/roles/").content.decode()
    assert "De-escalation" in page and "Legal observer" not in page


def test_spanish_readers_get_spanish_words_and_dates(coordinator, shift):
    coordinator.language = "es"
    coordinator.save()
    with acting_as(coordinator):
        places.cancel_shift(shift.pk)
    client = client_for(coordinator)
    client.cookies["django_language"] = "es"
    page = client.get("/people/changes/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cambios registrados" in page
    assert "2 de marzo de 2026" in page


def test_the_feed_costs_the_same_queries_however_long_it_is(coordinator):
    client = client_for(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            assert client.get("/people/changes/").status_code == 200
        return len(done)

    for number in range(3):
        Position.objects.create(name=f"Position {number}")
    client.get("/people/changes/")  # the session and the line, once
    few = queries()
    for number in range(3, 80):
        Position.objects.create(name=f"Position {number}")
    assert Change.objects.count() > 60  # more than a page
    assert queries() == few


def test_records_older_than_the_setting_are_pruned(settings, position):
    settings.CHANGE_RECORD_DAYS = 180
    mark = last_pk()
    with time_machine.travel(NOW - timedelta(days=181), tick=False):
        Position.objects.create(name="Old")
    with time_machine.travel(NOW - timedelta(days=179), tick=False):
        Position.objects.create(name="Recent")
    call_command("prune", stdout=io.StringIO())
    kept = Change.objects.filter(pk__gt=mark)
    assert [change.summary for change in kept] == ["Recent"]


def test_releasing_and_cant_make_it_each_leave_one_record(shift, responder):
    slot = shift.slots.get()
    mark = last_pk()
    places.release(places.claim(slot.pk, responder))
    assert [c.action for c in Change.objects.filter(kind="assignment", pk__gt=mark)] == [
        "deleted",
        "created",
    ]
    mate = make_person("mate", RESPONDER, display_name="Kai Mate")
    mark = last_pk()
    places.cant_make_it(places.claim(slot.pk, mate))
    gone = Change.objects.filter(kind="assignment", pk__gt=mark).first()
    assert gone.action == "deleted" and gone.before["person"] == "Kai Mate"


def test_deactivation_records_each_place_it_frees(coordinator, responder, shift):
    places.claim(shift.slots.get().pk, responder)
    mark = last_pk()
    client_for(coordinator).post(f"/people/{responder.pk}/deactivate/")
    freed = only_new("assignment", mark)
    assert freed.action == "deleted" and freed.actor == coordinator
    assert freed.shift_ref == shift.pk and freed.person_ref == responder.pk
    assert only_new("person", mark).after == {"is_active": False}


def test_a_swap_approved_by_a_coordinator_is_recorded_as_theirs(coordinator, shift, responder):
    rules = RosterRules.current()
    rules.swaps_need_approval = True
    rules.save()
    mate = make_person("mate", RESPONDER, display_name="Kai Mate")
    offer = places.offer_swap(places.claim(shift.slots.get().pk, responder))
    places.take_swap(offer.pk, mate)
    mark = last_pk()
    client_for(coordinator).post(f"/roster/swaps/{offer.pk}/decide/", {"decision": "approve"})
    moved = only_new("assignment", mark)
    assert moved.after == {"person": "Kai Mate"} and moved.actor == coordinator
    assert only_new("swap", mark).after == {"status": "swapped"}


def test_a_responder_claiming_on_the_page_is_recorded_as_the_one_who_did_it(shift, responder):
    mark = last_pk()
    client_for(responder).post(f"/places/{shift.slots.get().pk}/claim/")
    claimed = only_new("assignment", mark)
    assert claimed.actor == responder and claimed.actor_name == "Sam Responder"


def test_the_forwarding_chain_and_a_positions_options_are_recorded(coordinator, position):
    """Who a forwarded call reaches, and who shadows or takes debriefs, are roster changes."""
    backup = Position.objects.create(
        name="Debrief / backup", required_skill=Skill.objects.create(name="Debriefing")
    )
    client = client_for(coordinator)
    mark = last_pk()
    client.post("/roster/rules/chain/", {f"position_{backup.pk}": "1"})
    chained = only_new("position", mark)
    assert (chained.before, chained.after) == ({"forwarding_order": None}, {"forwarding_order": 1})
    assert chained.actor == coordinator
    feed = client.get("/people/changes/").content.decode()
    assert "Place in the forwarding chain" in feed
    backup.refresh_from_db()
    mark = last_pk()
    backup.takes_debriefs = True
    backup.save()
    assert only_new("position", mark).after == {"takes_debriefs": True}
    mark = last_pk()
    backup.trainee_place = True
    backup.save()
    assert only_new("position", mark).after == {"trainee_place": True}
