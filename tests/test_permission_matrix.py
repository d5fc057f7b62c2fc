"""Every route, as every kind of visitor: built from the URL configuration.

The table below states, for each route name, what anonymous visitors, a
responder, a coordinator, a trainer, a signed-in person without roles and a
deactivated person (whose session was left behind) get on GET. A route added
to the URL configuration without an entry here fails the test, and so does an
entry for a route that no longer exists.

Every visitor the table refuses is also refused a POST, and that POST changes
nothing in the database. The first visitor it lets in is refused (405) the
methods the route does not take: POST unless the route is in FORMS (or takes
only POST), and PUT, PATCH and DELETE everywhere. A 404 never says why (a bogus,
expired or revoked token, a deactivated owner all look the same).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crisisline.roles import COORDINATOR
from tests.conftest import client_for
from tests.factory import make_person
from tests.snapshot import database_snapshot
from tests.world import PERSONAS, World, clients

LOGIN = "login"  # a redirect to the sign-in page
REFUSED = {LOGIN, 403, 404}


# --- The expectations ---------------------------------------------------------------------

Status = int | str


@dataclass(frozen=True)
class Expect:
    """GET statuses for anonymous, responder, coordinator, trainer, outsider, deactivated."""

    statuses: tuple[Status, Status, Status, Status, Status, Status]
    kwargs: Callable[[World], dict[str, Any]]
    query: str = ""


def row(
    *statuses: Status, kwargs: Callable[[World], dict[str, Any]] | None = None, query: str = ""
) -> Expect:
    assert len(statuses) == len(PERSONAS)
    return Expect(statuses, kwargs or (lambda w: {}), query)  # type: ignore[arg-type]


def pk(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": getattr(w, name).pk}


PUBLIC = row(200, 200, 200, 200, 200, 200)
SIGNED_IN = row(LOGIN, 200, 200, 200, 200, LOGIN)
MEMBERS = row(LOGIN, 200, 200, 200, 403, LOGIN)
RESPONDERS = row(LOGIN, 200, 403, 403, 403, LOGIN)
COORDINATORS = row(LOGIN, 403, 200, 403, 403, LOGIN)
TRAINERS = row(LOGIN, 403, 403, 200, 403, LOGIN)
GRANTERS = row(LOGIN, 403, 200, 200, 403, LOGIN)  # trainers and coordinators
GRANTERS_POST = row(LOGIN, 403, 405, 405, 403, LOGIN)
# POST-only: the permitted see 405 on GET.
RESPONDERS_POST = row(LOGIN, 405, 403, 403, 403, LOGIN)
COORDINATORS_POST = row(LOGIN, 403, 405, 403, 403, LOGIN)
TRAINERS_POST = row(LOGIN, 403, 403, 405, 403, LOGIN)
BOGUS_TOKEN = row(404, 404, 404, 404, 404, 404)

PAGE = {"slug": "breathing"}
RESOURCE = {"slug": "night-shelter"}
MISSING = {"pk": 999_999}


def public_page_on(w: World) -> dict[str, Any]:
    """The line switches its public page of resources on (no URL arguments)."""
    from protocols.care_map import PublicDirectory

    PublicDirectory.switch(True)
    return {}


TREE = {"slug": "crisis-or-emergency"}

# Keys are route names; "name[variant]" is a further case of the same route.
EXPECTED: dict[str, Expect] = {
    # crisisline: public pages, accounts, people
    "home": PUBLIC,
    "healthz": PUBLIC,
    "service_worker": PUBLIC,
    "manifest": PUBLIC,
    "offline": PUBLIC,
    "offline_copies": SIGNED_IN,
    "dashboard": SIGNED_IN,
    # Signed-in people are sent on to their dashboard.
    "login": row(200, 302, 302, 302, 302, 200),
    "logout": row(405, 405, 405, 405, 405, 405),
    # The second step of a sign-in: without a password step just passed, back to sign in.
    "sign_in_code": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "sign_in_enrol": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "two_factor": SIGNED_IN,
    # The coordinator set it up at sign-in: sent on to the two-step page.
    "two_factor_enrol": row(LOGIN, 200, 302, 200, 200, LOGIN),
    "two_factor_recovery_codes": row(LOGIN, 405, 405, 405, 405, LOGIN),
    "two_factor_off": row(LOGIN, 405, 405, 405, 405, LOGIN),
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    # A valid link moves on to the form that sets the password; a bogus one explains.
    "password_reset_confirm": row(302, 302, 302, 302, 302, 302, kwargs=lambda w: w.reset_kwargs),
    "password_reset_confirm[bogus]": row(
        200, 200, 200, 200, 200, 200, kwargs=lambda w: {"uidb64": "MQ", "token": "a-b"}
    ),
    # Deactivating someone revokes every link they hold, password links included.
    "password_reset_confirm[holder deactivated]": row(
        200, 200, 200, 200, 200, 200, kwargs=lambda w: w.left_reset_kwargs
    ),
    "password_reset_complete": PUBLIC,
    "accept_invitation": row(
        200, 200, 200, 200, 200, 200, kwargs=lambda w: {"token": w.invitation_token}
    ),
    "accept_invitation[used]": row(
        410, 410, 410, 410, 410, 410, kwargs=lambda w: {"token": w.used_invitation_token}
    ),
    "accept_invitation[bogus]": row(*BOGUS_TOKEN.statuses, kwargs=lambda w: {"token": "nope"}),
    "profile": SIGNED_IN,
    "people": COORDINATORS,
    "changes": COORDINATORS,
    "person_roles": row(*COORDINATORS.statuses, kwargs=lambda w: {"pk": w.people["trainer"].pk}),
    # GET asks for confirmation, listing the places it would free.
    "deactivate_person": row(
        *COORDINATORS.statuses, kwargs=lambda w: {"pk": w.people["trainer"].pk}
    ),
    "person_skills": row(*GRANTERS.statuses, kwargs=lambda w: {"pk": w.people["responder"].pk}),
    # GET asks for confirmation.
    "remove_skill": row(
        *GRANTERS.statuses,
        kwargs=lambda w: {"pk": w.people["responder"].pk, "grant_pk": w.grant.pk},
    ),
    "training": GRANTERS,
    "skill_names": GRANTERS,
    "skill_name": row(*GRANTERS.statuses, kwargs=lambda w: {"pk": w.grant.skill_id}),
    "reactivate_person": row(
        *COORDINATORS_POST.statuses, kwargs=lambda w: {"pk": w.people["deactivated"].pk}
    ),
    "reset_link": row(*COORDINATORS_POST.statuses, kwargs=lambda w: {"pk": w.people["trainer"].pk}),
    "reset_two_factor": row(
        *COORDINATORS.statuses, kwargs=lambda w: {"pk": w.people["trainer"].pk}
    ),
    # Destructive actions: GET asks first (crisisline/confirm.py), POST does it.
    "revoke_invitation": row(*COORDINATORS.statuses, kwargs=pk("invitation")),
    "edit_line": COORDINATORS,
    # Django's view: a GET changes nothing and goes back.
    "set_language": row(302, 302, 302, 302, 302, 302),
    # shifts: on call now and responders' self-service
    "shifts:oncall": MEMBERS,
    "shifts:places": RESPONDERS,
    "shifts:team_roster": MEMBERS,
    "shifts:claim": row(*RESPONDERS_POST.statuses, kwargs=pk("open_slot")),
    "shifts:mine": RESPONDERS,
    "shifts:release": row(*RESPONDERS.statuses, kwargs=pk("my_assignment")),
    "shifts:cant_make_it": row(*RESPONDERS.statuses, kwargs=pk("my_assignment")),
    "shifts:offer_swap": row(*RESPONDERS_POST.statuses, kwargs=pk("my_assignment")),
    "shifts:time_off": RESPONDERS,
    "shifts:delete_time_off": row(*RESPONDERS.statuses, kwargs=pk("time_off")),
    "shifts:preferences": RESPONDERS,
    "shifts:new_feed": RESPONDERS_POST,
    "shifts:revoke_feed": RESPONDERS,
    "shifts:take_swap": row(*RESPONDERS_POST.statuses, kwargs=pk("their_swap")),
    "shifts:withdraw_swap": row(*RESPONDERS.statuses, kwargs=pk("my_swap")),
    # Feeds and forwarding answer to their secret token alone.
    "shifts:feed": row(*PUBLIC.statuses, kwargs=lambda w: {"token": w.feed_token}),
    "shifts:feed[bogus]": row(*BOGUS_TOKEN.statuses, kwargs=lambda w: {"token": "nope"}),
    "shifts:feed[deactivated owner]": row(
        *BOGUS_TOKEN.statuses, kwargs=lambda w: {"token": w.gone_feed_token}
    ),
    "shifts:forward": row(*PUBLIC.statuses, kwargs=lambda w: {"token": w.forwarding_token}),
    "shifts:forward[bogus]": row(*BOGUS_TOKEN.statuses, kwargs=lambda w: {"token": "nope"}),
    # shifts: the coordinators' roster
    "shifts:roster": COORDINATORS,
    "shifts:roster_week": COORDINATORS,
    "shifts:print_month": COORDINATORS,
    "shifts:print_week": COORDINATORS,
    "shifts:week_sheet": COORDINATORS,
    "shifts:coverage": COORDINATORS,
    "shifts:generate": COORDINATORS,
    "shifts:new_shift": COORDINATORS,
    "shifts:edit_shift": row(*COORDINATORS.statuses, kwargs=pk("shift")),
    "shifts:edit_shift[missing]": row(LOGIN, 403, 404, 403, 403, LOGIN, kwargs=lambda w: MISSING),
    "shifts:cancel_shift": row(*COORDINATORS.statuses, kwargs=pk("shift")),
    "shifts:restore_shift": row(*COORDINATORS_POST.statuses, kwargs=pk("shift")),
    "shifts:assign": row(*COORDINATORS.statuses, kwargs=pk("open_slot")),
    "shifts:assign[missing]": row(LOGIN, 403, 404, 403, 403, LOGIN, kwargs=lambda w: MISSING),
    "shifts:unassign": row(*COORDINATORS.statuses, kwargs=pk("my_assignment")),
    "shifts:hours": COORDINATORS,
    "shifts:delete_window": row(*COORDINATORS.statuses, kwargs=pk("window")),
    "shifts:add_closure": COORDINATORS_POST,
    "shifts:delete_closure": row(*COORDINATORS.statuses, kwargs=pk("closure")),
    "shifts:positions": COORDINATORS,
    "shifts:edit_position": row(*COORDINATORS.statuses, kwargs=pk("position")),
    "shifts:edit_position[missing]": row(
        LOGIN, 403, 404, 403, 403, LOGIN, kwargs=lambda w: MISSING
    ),
    "shifts:rules": COORDINATORS,
    # GET asks before revoking; without ?action=revoke it goes back to the rules page.
    "shifts:forwarding_token": row(LOGIN, 403, 302, 403, 403, LOGIN),
    "shifts:forwarding_token[revoke]": row(*COORDINATORS.statuses, query="?action=revoke"),
    "shifts:forwarding_chain": COORDINATORS_POST,
    "shifts:swaps": COORDINATORS,
    "shifts:decide_swap": row(*COORDINATORS.statuses, kwargs=pk("their_swap")),
    # calls: notes are the author's alone; totals and retention are the coordinators'
    "calls:list": RESPONDERS,
    "calls:new": RESPONDERS,
    "calls:referral_options": RESPONDERS,
    # One note, the responder's: everyone else signed in gets 404, whatever their roles.
    "calls:detail": row(
        LOGIN, 200, 404, 404, 404, LOGIN, kwargs=lambda w: {"public_id": w.note.public_id}
    ),
    "calls:detail[bogus]": row(
        LOGIN, 404, 404, 404, 404, LOGIN, kwargs=lambda w: {"public_id": "nope"}
    ),
    "calls:burn": row(
        LOGIN, 200, 404, 404, 404, LOGIN, kwargs=lambda w: {"public_id": w.note.public_id}
    ),
    "calls:burn[bogus]": row(
        LOGIN, 404, 404, 404, 404, LOGIN, kwargs=lambda w: {"public_id": "nope"}
    ),
    # Follow-up actions: the note's follow-up teammate (the responder); nobody else learns of it.
    "calls:follow_up_done": row(
        LOGIN, 200, 404, 404, 404, LOGIN, kwargs=lambda w: {"public_id": w.handed_note.public_id}
    ),
    "calls:follow_up_hand_on": row(
        LOGIN, 200, 404, 404, 404, LOGIN, kwargs=lambda w: {"public_id": w.handed_note.public_id}
    ),
    "calls:follow_up_unreachable": row(
        LOGIN, 405, 404, 404, 404, LOGIN, kwargs=lambda w: {"public_id": w.handed_note.public_id}
    ),
    # Check-out after a shift (responders) and seeing a debrief or break request.
    "calls:check_out": row(*RESPONDERS_POST.statuses, kwargs=lambda w: {"pk": 1}),
    "calls:acknowledge_request": row(LOGIN, 405, 405, 405, 405, LOGIN, kwargs=lambda w: {"pk": 1}),
    "calls:briefing_read": row(*RESPONDERS_POST.statuses, kwargs=lambda w: {"pk": 1}),
    "calls:field_start": RESPONDERS_POST,
    "calls:field_check_in": RESPONDERS_POST,
    "calls:notices": COORDINATORS,
    "calls:notice_read": row(*RESPONDERS_POST.statuses, kwargs=lambda w: {"pk": 1}),
    "calls:withdraw_notice": row(*COORDINATORS.statuses, kwargs=pk("notice")),
    "calls:evaluation": COORDINATORS,
    "calls:evaluation_csv": COORDINATORS,
    "calls:team_review": COORDINATORS,
    "calls:delete_team_review": row(*COORDINATORS.statuses, kwargs=pk("team_review")),
    "calls:retention": COORDINATORS,
    "calls:wipe": COORDINATORS,
    "calls:privacy": PUBLIC,
    # protocols: reading for everyone signed in, writing for trainers
    "protocols:library": SIGNED_IN,
    "protocols:new": TRAINERS,
    "protocols:stale": TRAINERS,
    "protocols:preview": TRAINERS_POST,
    "protocols:export": TRAINERS,
    "protocols:import": TRAINERS,
    "protocols:tree": row(*SIGNED_IN.statuses, kwargs=lambda w: TREE),
    "protocols:tree_offline": row(*SIGNED_IN.statuses, kwargs=lambda w: TREE),
    "protocols:tree[a page is not a tree]": row(
        LOGIN, 404, 404, 404, 404, LOGIN, kwargs=lambda w: PAGE
    ),
    "protocols:tree_edit": row(*TRAINERS.statuses, kwargs=lambda w: TREE),
    "protocols:tree_yaml": row(*SIGNED_IN.statuses, kwargs=lambda w: TREE),
    "protocols:tree_json": row(*SIGNED_IN.statuses, kwargs=lambda w: TREE),
    "protocols:page": row(*SIGNED_IN.statuses, kwargs=lambda w: PAGE),
    "protocols:page[missing]": row(
        LOGIN, 404, 404, 404, 404, LOGIN, kwargs=lambda w: {"slug": "missing"}
    ),
    "protocols:edit": row(*TRAINERS.statuses, kwargs=lambda w: PAGE),
    "protocols:print": row(*SIGNED_IN.statuses, kwargs=lambda w: PAGE),
    "protocols:cards": SIGNED_IN,
    "protocols:card": row(*SIGNED_IN.statuses, kwargs=lambda w: {"category": "de-escalation"}),
    "protocols:history": row(*SIGNED_IN.statuses, kwargs=lambda w: PAGE),
    "protocols:compare": row(*SIGNED_IN.statuses, kwargs=lambda w: PAGE, query="?a=1&b=2"),
    # Without two revisions chosen, back to the history to choose them.
    "protocols:compare[none chosen]": row(LOGIN, 302, 302, 302, 302, LOGIN, kwargs=lambda w: PAGE),
    "protocols:review": row(*TRAINERS_POST.statuses, kwargs=lambda w: PAGE),
    "protocols:revision": row(*SIGNED_IN.statuses, kwargs=lambda w: {**PAGE, "number": 1}),
    "protocols:restore": row(*TRAINERS_POST.statuses, kwargs=lambda w: {**PAGE, "number": 1}),
    # protocols: the care map, read by anyone holding a role, kept by trainers and coordinators
    "protocols:resources": MEMBERS,
    "protocols:resource_new": GRANTERS,
    "protocols:resource_print": MEMBERS,
    "protocols:resource_map": MEMBERS,
    "protocols:resource_export": GRANTERS,
    "protocols:resource_export_zip": GRANTERS,
    "protocols:resource_import": GRANTERS,
    "protocols:resource_referrals": GRANTERS,
    "protocols:resource_public": GRANTERS,
    "protocols:resource": row(*MEMBERS.statuses, kwargs=lambda w: RESOURCE),
    "protocols:resource[missing]": row(
        LOGIN, 404, 404, 404, 403, LOGIN, kwargs=lambda w: {"slug": "missing"}
    ),
    "protocols:resource_edit": row(*GRANTERS.statuses, kwargs=lambda w: RESOURCE),
    "protocols:resource_verify": row(*GRANTERS_POST.statuses, kwargs=lambda w: RESOURCE),
    "protocols:resource_history": row(*MEMBERS.statuses, kwargs=lambda w: RESOURCE),
    "protocols:resource_restore": row(
        *GRANTERS_POST.statuses, kwargs=lambda w: {**RESOURCE, "number": 1}
    ),
    # The public page of shareable resources: nobody's until the line switches it on.
    "public_resources": row(404, 404, 404, 404, 404, 404),
    "public_resources[switched on]": row(*PUBLIC.statuses, kwargs=public_page_on),
}


# Routes whose GET shows a form or asks first, and whose POST acts. Every other
# route that answers GET refuses POST with 405.
FORMS = {
    "accept_invitation",
    "calls:burn",
    "calls:follow_up_done",
    "calls:follow_up_hand_on",
    "calls:new",
    "calls:notices",
    "calls:retention",
    "calls:team_review",
    "calls:wipe",
    "deactivate_person",
    "edit_line",
    "login",
    "password_change",
    "password_reset_confirm",
    "people",
    "person_roles",
    "person_skills",
    "profile",
    "protocols:edit",
    "protocols:import",
    "protocols:new",
    "protocols:resource_edit",
    "protocols:resource_import",
    "protocols:resource_new",
    "protocols:resource_public",
    "protocols:tree_edit",
    "remove_skill",
    "reset_two_factor",
    "revoke_invitation",
    "set_language",
    "shifts:assign",
    "shifts:cancel_shift",
    "shifts:cant_make_it",
    "shifts:decide_swap",
    "shifts:delete_closure",
    "shifts:delete_time_off",
    "calls:withdraw_notice",
    "calls:delete_team_review",
    "shifts:delete_window",
    "shifts:edit_position",
    "shifts:edit_shift",
    "shifts:forward",
    "shifts:forwarding_token",
    "shifts:generate",
    "shifts:hours",
    "shifts:new_shift",
    "shifts:positions",
    "shifts:preferences",
    "shifts:release",
    "shifts:revoke_feed",
    "shifts:rules",
    "shifts:time_off",
    "shifts:unassign",
    "shifts:withdraw_swap",
    "skill_name",
    "two_factor_enrol",
}
# Django's own view goes back whatever the method.
ANY_METHOD = {"set_language"}
SAYS_WHY = ("expired", "revoked", "invalid", "deactivated")


# --- The URL configuration ------------------------------------------------------------------


def route_names() -> set[str]:
    """Every named route, with its namespace, except the Django admin's own."""
    names: set[str] = set()

    def walk(patterns: list, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) == settings.ADMIN_URL:
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, route)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"the route {route!r} has no name, so no entry can name it"
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "/")
    return names


def test_every_route_has_an_entry_and_every_entry_a_route() -> None:
    in_table = {key.split("[")[0] for key in EXPECTED}
    missing = sorted(route_names() - in_table)
    gone = sorted(in_table - route_names())
    assert not missing, f"routes without an entry in the permission matrix: {missing}"
    assert not gone, f"entries in the permission matrix for routes that no longer exist: {gone}"


# --- The requests -------------------------------------------------------------------------------


def outcome(response) -> Status:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


# Plausible fields of most forms here: a refusal must not depend on bad input.
POST_DATA = {
    "body": "Posted by someone who may not.",
    "summary": "x",
    "decision": "approve",
    "action": "revoke",
    "person": "1",
    "roles": "1",
    "label": "x",
    "name": "x",
    "min_people": "1",
    "max_people": "1",
    "weekday": "0",
    "start": "09:00",
    "end": "10:00",
    "date": "2099-01-01",
    "first_day": "2099-01-01",
    "last_day": "2099-01-02",
    "block_hours": "4",
    "confirmation": "destroy every note",
    "kind": "crisis-acute",
    "response": "phone",
    "police": "none",
    "keep_hours": "72",
    "release_notice_hours": "1",
    "language": "es",
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_route_answers_each_visitor_as_the_table_says(key: str, world: World) -> None:
    expect = EXPECTED[key]
    url = reverse(key.split("[")[0], kwargs=expect.kwargs(world)) + expect.query
    by_persona = clients(world)
    answers = {persona: by_persona[persona].get(url) for persona in PERSONAS}
    got = {persona: outcome(response) for persona, response in answers.items()}
    wanted = dict(zip(PERSONAS, expect.statuses, strict=True))
    assert got == wanted, f"{key} ({url}): got {got}"
    for persona, response in answers.items():
        if response.status_code == 404:
            body = response.content.decode().lower()
            assert not [word for word in SAYS_WHY if word in body], (key, persona)

    for persona, status in wanted.items():
        if status not in REFUSED:
            continue
        before = database_snapshot()
        response = by_persona[persona].post(url, POST_DATA)
        assert outcome(response) in {*REFUSED, 405}, (key, persona, response.status_code)
        assert database_snapshot() == before, f"a refused POST to {key} as {persona} changed data"

    let_in = [persona for persona, status in wanted.items() if status not in REFUSED]
    if let_in:
        _refuses_the_methods_it_does_not_take(key, url, by_persona[let_in[0]], wanted[let_in[0]])


def _refuses_the_methods_it_does_not_take(key: str, url: str, client, status: Status) -> None:
    route = key.split("[")[0]
    before = database_snapshot()
    if route not in ANY_METHOD:
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(url).status_code == 405, (key, method)
    takes_post = route in FORMS or status == 405  # a form, or POST only
    answer = outcome(client.post(url, POST_DATA))
    assert (answer != 405) == takes_post, f"{key}: POST answered {answer}"
    if not takes_post:
        assert database_snapshot() == before, f"a refused method on {key} changed data"


def test_the_admin_is_for_superusers_only(world: World) -> None:
    index = f"/{settings.ADMIN_URL}"
    boss = make_person("m-boss", is_superuser=True, is_staff=True)
    staff = make_person("m-staff", COORDINATOR, is_staff=True)
    assert client_for(boss).get(index).status_code == 200
    by_persona = clients(world)
    by_persona["staff without superuser"] = client_for(staff)
    for persona, client in by_persona.items():
        response = client.get(index)
        assert response.status_code == 302, persona
        assert response["Location"].startswith(f"/{settings.ADMIN_URL}login/"), persona


# --- Methods ------------------------------------------------------------------------------------

# What each route takes besides what its row implies: a route whose permitted visitors
# get 405 on GET takes POST only; any other takes GET (and HEAD) only, unless listed here.
TAKES_GET_AND_POST = {
    # Destructive actions: GET asks first (crisisline/confirm.py), POST does it.
    "calls:burn",
    "shifts:cant_make_it",
    "shifts:decide_swap",
    "shifts:delete_closure",
    "shifts:delete_time_off",
    "calls:withdraw_notice",
    "calls:delete_team_review",
    "shifts:delete_window",
    "revoke_invitation",
    "shifts:forwarding_token",
    "shifts:cancel_shift",
    "shifts:release",
    "shifts:revoke_feed",
    "shifts:unassign",
    "shifts:withdraw_swap",
    "login",
    "sign_in_code",
    "sign_in_enrol",
    "two_factor_enrol",
    "password_change",
    "password_reset_confirm",
    "accept_invitation",
    "profile",
    "people",
    "person_roles",
    "deactivate_person",
    "person_skills",
    "remove_skill",
    "skill_name",
    "reset_two_factor",
    "edit_line",
    "shifts:time_off",
    "shifts:preferences",
    "shifts:forward",
    "shifts:generate",
    "shifts:new_shift",
    "shifts:edit_shift",
    "shifts:assign",
    "shifts:hours",
    "shifts:positions",
    "shifts:edit_position",
    "shifts:rules",
    "calls:new",
    "calls:follow_up_done",
    "calls:follow_up_hand_on",
    "calls:notices",
    "calls:team_review",
    "calls:retention",
    "calls:wipe",
    "protocols:new",
    "protocols:import",
    "protocols:tree_edit",
    "protocols:edit",
    "protocols:resource_new",
    "protocols:resource_edit",
    "protocols:resource_public",
    "protocols:resource_import",
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def takes(key: str) -> set[str]:
    name = key.split("[")[0]
    if name in TAKES_GET_AND_POST:
        return {"GET", "POST"}
    return {"POST"} if 405 in EXPECTED[key].statuses else {"GET"}


def test_every_method_list_names_a_route() -> None:
    assert not TAKES_GET_AND_POST - {key.split("[")[0] for key in EXPECTED}


# Django's own language switch redirects whatever the method; it changes nothing but
# on a POST.
NOT_METHOD_CHECKED = {"set_language"}


@pytest.mark.parametrize(
    "key", sorted(key for key in EXPECTED if "[" not in key and key not in NOT_METHOD_CHECKED)
)
def test_route_refuses_the_methods_it_does_not_take(key: str, world: World) -> None:
    """Method x route x visitor: every visitor the route lets in (and, where it lets
    no one in, every visitor) gets 405 for any other method, and nothing changes."""
    expect = EXPECTED[key]
    url = reverse(key, kwargs=expect.kwargs(world)) + expect.query
    by_persona = clients(world)
    let_in = [p for p, s in zip(PERSONAS, expect.statuses, strict=True) if s not in REFUSED]
    for persona in let_in or PERSONAS:
        for method in sorted(set(METHODS) - takes(key)):
            before = database_snapshot()
            response = by_persona[persona].generic(
                method, url, "body=x", content_type="application/x-www-form-urlencoded"
            )
            assert response.status_code == 405, (key, persona, method, response.status_code)
            assert database_snapshot() == before, f"{method} {key} as {persona} changed data"
        if "POST" in takes(key) and persona in let_in:
            assert by_persona[persona].post(url).status_code != 405, (key, persona)
