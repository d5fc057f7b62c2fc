"""A calendar feed answers only while its owner may still take shifts: losing the
Responder role (or being deactivated, even if the token row is left) ends it."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from crisisline.models import keyed_hash
from crisisline.roles import COORDINATOR, TRAINER
from shifts.models import RosterRules, ShiftPreferences
from tests.shifts.test_feed import feed_link


def test_losing_the_responder_role_ends_the_feed(as_responder, responder):
    link = feed_link(as_responder)
    assert Client().get(link).status_code == 200  # the control
    responder.groups.set(Group.objects.filter(name=TRAINER))
    response = Client().get(link)
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


def test_the_feed_comes_back_with_the_role(as_responder, responder):
    link = feed_link(as_responder)
    responder_role = list(responder.groups.all())
    responder.groups.clear()
    assert Client().get(link).status_code == 404
    responder.groups.set(responder_role)
    assert Client().get(link).status_code == 200


def test_a_coordinator_who_stops_responding_loses_their_feed(as_coordinator, coordinator):
    link = feed_link(as_coordinator)
    coordinator.groups.set(Group.objects.filter(name=COORDINATOR))  # no Responder any more
    assert Client().get(link).status_code == 404


def test_a_deactivated_owner_gets_no_feed_even_with_the_token_row_left(as_responder, responder):
    link = feed_link(as_responder)
    hashed = ShiftPreferences.objects.get(person=responder).feed_token_hash
    responder.deactivate()
    ShiftPreferences.objects.filter(person=responder).update(feed_token_hash=hashed)
    assert Client().get(link).status_code == 404


def test_an_empty_or_revoked_token_gets_a_bare_404(client, responder):
    prefs = ShiftPreferences.of(responder)
    prefs.new_feed_token()
    RosterRules.current().new_forwarding_token()
    for path in ["/feed/not-the-token.ics", "/forward/not-the-token", "/feed/.ics"]:
        response = client.get(path)
        assert response.status_code == 404
        body = response.content.decode().lower()
        assert not any(word in body for word in ("expired", "revoked", "invalid", "deactivated"))
    # An empty stored hash never matches an empty or any token.
    prefs.revoke_feed()
    assert keyed_hash("feed", "") != ""
    assert client.get("/forward/x").status_code == 404
