"""Every destructive action asks first: opening its link shows the question and
changes nothing; with htmx the question is a small fragment that takes the
link's place; only the POST does it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from calls.models import CallNote
from crisisline.models import Invitation, SkillGrant
from shifts.models import Assignment, Closure, ServiceWindow, Shift, ShiftPreferences, SwapOffer
from shifts.models import TimeOff as TimeOffModel
from tests.snapshot import database_snapshot
from tests.world import World, client_as

# route, who asks, its URL kwargs, a question it asks, whether the thing is still there
Case = tuple[str, str, Callable[[World], dict[str, Any]], str, Callable[[World], bool]]
CASES: list[Case] = [
    (
        "shifts:release",
        "responder",
        lambda w: {"pk": w.my_assignment.pk},
        "Release your place as Responder on",
        lambda w: Assignment.objects.filter(pk=w.my_assignment.pk).exists(),
    ),
    (
        "shifts:cant_make_it",
        "responder",
        lambda w: {"pk": w.my_assignment.pk},
        "Give up your place as Responder on",
        lambda w: Assignment.objects.filter(pk=w.my_assignment.pk).exists(),
    ),
    (
        "shifts:withdraw_swap",
        "responder",
        lambda w: {"pk": w.my_swap.pk},
        "Withdraw your swap offer?",
        lambda w: SwapOffer.objects.get(pk=w.my_swap.pk).status == SwapOffer.Status.OPEN,
    ),
    (
        "shifts:delete_time_off",
        "responder",
        lambda w: {"pk": w.time_off.pk},
        "Remove this time off?",
        lambda w: TimeOffModel.objects.filter(pk=w.time_off.pk).exists(),
    ),
    (
        "shifts:revoke_feed",
        "responder",
        lambda w: {},
        "Turn your calendar link off?",
        lambda w: bool(ShiftPreferences.of(w.people["responder"]).feed_token_hash),
    ),
    (
        "shifts:cancel_shift",
        "coordinator",
        lambda w: {"pk": w.shift.pk},
        "Cancel the shift on",
        lambda w: not Shift.objects.get(pk=w.shift.pk).cancelled,
    ),
    (
        "shifts:unassign",
        "coordinator",
        lambda w: {"pk": w.my_assignment.pk},
        "Unassign",
        lambda w: Assignment.objects.filter(pk=w.my_assignment.pk).exists(),
    ),
    (
        "shifts:delete_window",
        "coordinator",
        lambda w: {"pk": w.window.pk},
        "Remove the opening hours Friday 19:00–23:30?",
        lambda w: ServiceWindow.objects.filter(pk=w.window.pk).exists(),
    ),
    (
        "shifts:delete_closure",
        "coordinator",
        lambda w: {"pk": w.closure.pk},
        "Remove the closure on",
        lambda w: Closure.objects.filter(pk=w.closure.pk).exists(),
    ),
    (
        "revoke_invitation",
        "coordinator",
        lambda w: {"pk": w.invitation.pk},
        "Revoke this invitation?",
        lambda w: Invitation.objects.filter(pk=w.invitation.pk).exists(),
    ),
    (
        "remove_skill",
        "trainer",
        lambda w: {"pk": w.people["responder"].pk, "grant_pk": w.grant.pk},
        "Remove First aid from",
        lambda w: SkillGrant.objects.filter(pk=w.grant.pk).exists(),
    ),
    (
        "calls:burn",
        "responder",
        lambda w: {"public_id": w.note.public_id},
        "Burn this note now?",
        lambda w: CallNote.objects.filter(pk=w.note.pk).exists(),
    ),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_without_javascript_the_link_opens_a_page_that_asks(world: World, case: Case) -> None:
    name, persona, kwargs, question, still_there = case
    url = reverse(name, kwargs=kwargs(world))
    before = database_snapshot()
    response = client_as(world, persona).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" + question in body.replace("&#x27;", "'")
    # One button does it, by POST to the same address; another way leads back.
    assert f'<form method="post" action="{url}"' in body
    assert 'class="button secondary" href="/' in body
    assert database_snapshot() == before and still_there(world)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_with_htmx_the_question_replaces_the_link(world: World, case: Case) -> None:
    name, persona, kwargs, question, still_there = case
    url = reverse(name, kwargs=kwargs(world))
    response = client_as(world, persona).get(
        url, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/oncall/"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and question in body.replace("&#x27;", "'")
    assert body.startswith('<form id="ask-') and f'action="{url}"' in body
    # The button that does it has the focus; "Keep it" brings back the page the person was on.
    assert "autofocus" in body
    assert 'data-hx-get="/oncall/"' in body
    assert still_there(world)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_post_does_it(world: World, case: Case) -> None:
    name, persona, kwargs, _question, still_there = case
    url = reverse(name, kwargs=kwargs(world))
    response = client_as(world, persona).post(url)
    assert response.status_code in (200, 302)
    assert not still_there(world)


def test_the_way_back_is_kept_through_the_question(world: World) -> None:
    url = reverse("shifts:unassign", kwargs={"pk": world.my_assignment.pk})
    roster = "/roster/week/?start=2026-01-05"
    body = client_as(world, "coordinator").get(url, {"next": roster}).content.decode()
    assert f'<input type="hidden" name="next" value="{roster}">' in body
    assert f'href="{roster}"' in body  # Keep it
    # Another site is never a way back.
    body = client_as(world, "coordinator").get(url, {"next": "//evil.example/"}).content.decode()
    assert 'name="next" value="//evil' not in body and 'href="//evil' not in body
    assert 'class="button secondary" href="/roster/"' in body


def test_revoking_the_forwarding_link_asks_first(world: World) -> None:
    coordinator = client_as(world, "coordinator")
    url = reverse("shifts:forwarding_token")
    body = coordinator.get(url, {"action": "revoke"}).content.decode()
    assert "Revoke the forwarding link?" in body
    assert '<input type="hidden" name="action" value="revoke">' in body
    assert (
        coordinator.get(reverse("shifts:forward", args=[world.forwarding_token])).status_code == 200
    )
    coordinator.post(url, {"action": "revoke"})
    assert (
        coordinator.get(reverse("shifts:forward", args=[world.forwarding_token])).status_code == 404
    )


def test_someone_elses_place_is_not_asked_about(world: World) -> None:
    # The question is behind the same access rule as the action: 404, nothing learned.
    url = reverse("shifts:release", kwargs={"pk": world.their_swap.assignment_id})
    assert client_as(world, "responder").get(url).status_code == 404
