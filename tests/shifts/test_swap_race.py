"""Swaps, releases and cancels raced over real requests on PostgreSQL: in every
round exactly one of two clashing actions succeeds, the other is told the
ordinary refusal, nobody sees an error page, and what is stored agrees with
what each person was told."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from crisisline.roles import COORDINATOR, RESPONDER
from shifts.models import Assignment, Shift, SwapOffer
from tests.conftest import client_for
from tests.factory import make_person
from tests.shifts.conftest import in_hours, make_position, make_shift, put

ROUNDS = 12

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are only meaningful on PostgreSQL; run with DATABASE_URL=postgres://…",
    ),
]


def _together(*posts) -> list[tuple[int, str]]:
    """Send the (client, path) POSTs at the same moment, each from its own thread;
    each answer as (status, page the person ends up on)."""
    barrier = threading.Barrier(len(posts))
    answers: list[tuple[int, str]] = [(0, "")] * len(posts)

    def run(index, post):
        client, path = post
        try:
            barrier.wait()
            response = client.post(path, follow=True)
            answers[index] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def _told(answer: tuple[int, str], success: str, refusal: str) -> bool:
    """True when told of success, False when told the refusal; anything else fails."""
    status, body = answer
    assert status == 200, body[:300]
    assert "Server Error" not in body
    assert (success in body) != (refusal in body), body[:2000]
    return success in body


@pytest.fixture
def line():
    position = make_position("Responder", 1, 2)
    giver = make_person("giver", RESPONDER, display_name="Gia Giver")
    taker = make_person("taker", RESPONDER, display_name="Tai Taker", min_rest_hours=0)
    return position, giver, taker


def _offer(position, giver, round_: int, *, days: float) -> SwapOffer:
    start = in_hours(24 * days + 5 * round_).replace(second=0)
    assignment = put(giver, make_shift(start, hours=2, positions=[position]), position)
    return SwapOffer.objects.create(assignment=assignment, offered_by=giver)


TAKEN = "Swapped: the shift is yours now."
TOO_LATE = "Sorry, this swap was just taken or withdrawn."


def test_withdrawing_while_the_offer_is_taken(line):
    position, giver, taker = line
    giving, taking = client_for(giver), client_for(taker)
    winners = set()
    for round_ in range(ROUNDS):
        offer = _offer(position, giver, round_, days=3)
        withdrawn, taken = _together(
            (giving, f"/swaps/{offer.pk}/withdraw/"),
            (taking, f"/swaps/{offer.pk}/take/"),
        )
        did_withdraw = _told(withdrawn, "Swap offer withdrawn.", "This swap is no longer open")
        did_take = _told(taken, TAKEN, TOO_LATE)
        assert did_withdraw != did_take
        offer.refresh_from_db()
        holder = Assignment.objects.get(pk=offer.assignment_id).person
        if did_take:
            assert (offer.status, offer.taken_by, holder) == ("done", taker, taker)
        else:
            assert (offer.status, offer.taken_by, holder) == ("withdrawn", None, giver)
        winners.add("take" if did_take else "withdraw")
    assert winners  # each round had one winner (which one is up to the scheduler)


@pytest.mark.parametrize(
    "leaving, told, days",
    [
        ("release", "Released. The place is open for others again.", 3),
        ("cant-make-it", "Thank you for saying so.", 1),
    ],
)
def test_leaving_a_place_while_its_swap_is_taken(line, leaving, told, days):
    position, giver, taker = line
    giving, taking = client_for(giver), client_for(taker)
    for round_ in range(ROUNDS):
        offer = _offer(position, giver, round_, days=days)
        assignment_id, slot_id = offer.assignment_id, offer.assignment.slot_id
        left, taken = _together(
            (giving, f"/me/shifts/{assignment_id}/{leaving}/"),
            (taking, f"/swaps/{offer.pk}/take/"),
        )
        did_leave = _told(left, told, "This place was already given up or handed on.")
        did_take = _told(taken, TAKEN, TOO_LATE)
        assert did_leave != did_take
        held = list(Assignment.objects.filter(slot_id=slot_id).values_list("person", flat=True))
        assert held == ([taker.pk] if did_take else [])


def test_cancelling_twice_at_once_cancels_once(line):
    position, _giver, _taker = line
    first = client_for(make_person("c1", COORDINATOR))
    second = client_for(make_person("c2", COORDINATOR))
    for round_ in range(ROUNDS):
        shift = make_shift(in_hours(48 + 5 * round_), positions=[position])
        answers = _together(
            (first, f"/roster/shifts/{shift.pk}/cancel/"),
            (second, f"/roster/shifts/{shift.pk}/cancel/"),
        )
        told = [_told(a, "Shift cancelled.", "This shift is already cancelled.") for a in answers]
        assert sorted(told) == [False, True]
        assert Shift.objects.get(pk=shift.pk).cancelled


def test_restoring_while_cancelling(line):
    position, _giver, _taker = line
    first = client_for(make_person("c1", COORDINATOR))
    second = client_for(make_person("c2", COORDINATOR))
    for round_ in range(ROUNDS):
        shift = make_shift(in_hours(48 + 5 * round_), positions=[position], cancelled=True)
        restored, cancelled = _together(
            (first, f"/roster/shifts/{shift.pk}/restore/"),
            (second, f"/roster/shifts/{shift.pk}/cancel/"),
        )
        # The restore always succeeds; the cancel only when it comes after it.
        assert _told(restored, "Shift restored.", "This shift is not cancelled.")
        did_cancel = _told(cancelled, "Shift cancelled.", "This shift is already cancelled.")
        assert Shift.objects.get(pk=shift.pk).cancelled == did_cancel
