"""Editing a shift's times while one of its people claims another shift, on
PostgreSQL: whichever goes second sees the first, so nobody ends up on two
shifts at once."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from crisisline.roles import COORDINATOR, RESPONDER
from shifts import places
from shifts.models import Assignment, Shift
from tests.conftest import client_for
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_position, make_shift, put, slot_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are only meaningful on PostgreSQL; run with DATABASE_URL=postgres://…",
    ),
]


def local(instant) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


def _in_thread(work):
    result = {}

    def run():
        try:
            result["value"] = work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_an_edit_waits_for_a_claim_in_progress_and_then_refuses():
    position = make_position("Responder", 1, 2)
    person = make_person("busy", RESPONDER, display_name="Busy Person")
    coordinator = make_person("coord", COORDINATOR, RESPONDER)
    shift = make_shift(in_hours(50).replace(second=0), hours=2, positions=[position])
    put(person, shift, position)
    other = make_shift(shift.start + timezone.timedelta(hours=6), hours=2, positions=[position])
    client = client_for(coordinator)

    with transaction.atomic():
        # A claim of the other shift, in progress: it holds the slot and the person.
        slot = places._lock(slot_of(other, position).pk, person)
        places._take(slot, person)
        edit, result = _in_thread(
            lambda: client.post(
                f"/roster/shifts/{shift.pk}/",
                {"start": local(shift.start), "end": local(other.end)},
            ).content.decode()
        )
        time.sleep(1)  # the edit checks now, unless it waits for the person's lock
    edit.join(10)

    assert "Busy Person would then be in two shifts at once." in result["value"]
    shift.refresh_from_db()
    assert shift.end - shift.start == timezone.timedelta(hours=2)
    assert Assignment.objects.filter(person=person).count() == 2


def test_a_claim_waits_for_an_edit_in_progress_and_then_refuses():
    position = make_position("Responder", 1, 2)
    person = make_person("busy", RESPONDER, display_name="Busy Person")
    shift = make_shift(in_hours(50).replace(second=0), hours=2, positions=[position])
    put(person, shift, position)
    other = make_shift(shift.start + timezone.timedelta(hours=6), hours=2, positions=[position])
    client = client_for(person)

    with transaction.atomic():
        moved = places.move_shift(shift.pk, shift.start, other.end, "")  # holds the locks
        claim, result = _in_thread(
            lambda: client.post(
                f"/places/{slot_of(other, position).pk}/claim/", follow=True
            ).content.decode()
        )
        time.sleep(1)
    claim.join(10)

    assert "You already have a shift at that time." in result["value"]
    assert Shift.objects.get(pk=moved.pk).end == other.end
    assert not Assignment.objects.filter(person=person, shift=other).exists()


def test_taking_a_swap_waits_for_a_move_of_that_shift_and_then_refuses():
    from shifts.models import SwapOffer

    position = make_position("Responder", 1, 2)
    giver = make_person("giver", RESPONDER)
    taker = make_person("taker", RESPONDER, display_name="Tai Taker")
    offered = make_shift(in_hours(50).replace(second=0), hours=2, positions=[position])
    offer = SwapOffer.objects.create(assignment=put(giver, offered, position), offered_by=giver)
    # The taker's own shift, six hours later; the move stretches the offered one over it.
    theirs = make_shift(offered.start + timezone.timedelta(hours=6), hours=2, positions=[position])
    put(taker, theirs, position)
    client = client_for(taker)

    with transaction.atomic():
        places.move_shift(offered.pk, offered.start, theirs.end, "")  # holds the locks
        take, result = _in_thread(
            lambda: client.post(f"/swaps/{offer.pk}/take/", follow=True).content.decode()
        )
        time.sleep(1)  # the hand-over checks now, unless it waits for the shift's place
    take.join(10)

    assert "You already have a shift at that time." in result["value"]
    assert Assignment.objects.get(shift=offered).person == giver
    offer.refresh_from_db()
    assert offer.status == SwapOffer.Status.OPEN


def test_releasing_a_place_while_its_swap_is_being_taken_does_not_deadlock():
    from shifts.models import Slot, SwapOffer

    position = make_position("Responder", 1, 2)
    giver = make_person("giver", RESPONDER)
    offered = make_shift(in_hours(24 * 20).replace(second=0), hours=2, positions=[position])
    assignment = put(giver, offered, position)
    offer = SwapOffer.objects.create(assignment=assignment, offered_by=giver)
    client = client_for(giver)

    with transaction.atomic():
        # A swap being taken holds its offer, then asks for the place.
        SwapOffer.objects.select_for_update().get(pk=offer.pk)
        release, result = _in_thread(
            lambda: client.post(f"/me/shifts/{assignment.pk}/release/", follow=True)
        )
        time.sleep(1)  # the release holds the place now, unless it waits for the offer
        list(Slot.objects.select_for_update().filter(pk=assignment.slot_id))  # no deadlock
    release.join(10)

    assert "Released." in result["value"].content.decode()
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
