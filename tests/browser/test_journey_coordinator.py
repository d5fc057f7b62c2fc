"""A coordinator's round: invite someone, generate a month, fix a coverage gap,
read the call totals, deactivate someone who left.

On a phone with every page audited, on a desktop, and on a phone without JavaScript.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import Tally, week_of
from crisisline.models import Invitation, User
from shifts.models import Assignment, Position, ServiceWindow, Shift
from tests.browser.conftest import second_step
from tests.browser.journeys import Visitor, browser_page, restore_roles
from tests.factory import PASSWORD, make_person

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def line(transactional_db, settings, tmp_path):
    settings.KEYRING_DIR = tmp_path / "keyring"
    restore_roles()
    make_person("rosa", "Coordinator", "Responder", display_name="Rosa Coordinator")
    kai = make_person("kai", "Responder", display_name="Kai Lindqvist")
    make_person("lee", "Responder", display_name="Lee Leaving")
    # One evening a week: a month holds four or five shifts.
    first = timezone.localdate() + timedelta(days=1)
    ServiceWindow.objects.create(weekday=first.weekday(), start=time(19), end=time(23))
    Position.objects.create(name="Responder", min_people=1, max_people=2)
    # Two calls counted this week (totals hold no notes, authors or times).
    week = week_of(timezone.localdate())
    for kind in ("crisis-acute", "emergency"):
        Tally.objects.create(
            week=week, kind=kind, response="phone", police="none", follow_up=False, count=1
        )
    return {"first": first, "kai": kai}


def coordinator_journey(v: Visitor, line, *, javascript: bool) -> None:
    page = v.page
    main = page.get_by_role("navigation", name="Main")
    page.goto("/accounts/login/")
    v.fill(page.get_by_label("Username"), "rosa")
    v.fill(page.get_by_label("Password"), PASSWORD)
    v.follow(page.get_by_role("button", name="Sign in"))
    second_step(page, "rosa")

    # Invite a person as a responder.
    v.follow(main.get_by_role("link", name="People"))
    v.fill(page.get_by_label("For"), "Jo from the training night")
    v.check(page.get_by_label("Responder", exact=True))
    v.follow(page.get_by_role("button", name="Create invitation link"))
    link = page.get_by_label("Send this link to the person you invite").input_value()
    assert "/invite/" in link
    invitation = Invitation.objects.get(label="Jo from the training night")
    assert [role.name for role in invitation.roles.all()] == ["Responder"]

    # Generate four weeks of shifts.
    v.follow(main.get_by_role("link", name="Roster"))
    v.follow(page.get_by_role("link", name="Generate shifts", exact=True))
    first = line["first"]
    v.fill(page.get_by_label("From"), f"{first:%Y-%m-%d}")
    v.fill(page.get_by_label("Until (inclusive)"), f"{first + timedelta(days=27):%Y-%m-%d}")
    v.select(page.get_by_label("Cut each window into blocks of"), "4 hours")
    v.follow(page.get_by_role("button", name="Generate"))
    assert "4 shifts created" in v.message()
    assert Shift.objects.count() == 4

    # Every new shift is short of a responder; fix the first gap.
    v.follow(page.get_by_role("link", name="Coverage", exact=True))
    assert "4 problems found" in page.locator("main").inner_text()
    v.follow(page.locator("section.problem-day li.problem a").first)  # to its week
    shift = Shift.objects.order_by("start").first()
    slot = page.locator(
        f"#slot-{shift.slots.order_by('position__order', 'position__name').first().pk}"
    )
    if javascript:
        slot.get_by_role("link", name="Assign").click()  # the form opens in place
        v.select(slot.get_by_label("Person"), "Kai Lindqvist")
        slot.get_by_role("button", name="Assign").click()
        expect(slot).to_contain_text("Kai Lindqvist")
        v.audit()
    else:
        v.follow(slot.get_by_role("link", name="Assign"))
        v.select(page.get_by_label("Person"), "Kai Lindqvist")
        v.follow(page.get_by_role("button", name="Assign"))
    assert Assignment.objects.filter(shift=shift, person=line["kai"]).exists()
    v.follow(page.get_by_role("link", name="Coverage", exact=True))
    assert "3 problems found" in page.locator("main").inner_text()

    # Read the anonymous call totals.
    v.follow(main.get_by_role("link", name="Notes"))
    v.follow(page.get_by_role("link", name="Anonymous totals"))
    assert "2 calls counted in all." in page.locator("main").inner_text()

    # Lee has left the line.
    v.follow(main.get_by_role("link", name="People"))
    row = page.locator("tr", has_text="Lee Leaving")
    v.follow(row.get_by_role("link", name="Deactivate"))
    assert "Deactivate Lee Leaving?" in page.locator("h1").inner_text()
    assert User.objects.get(username="lee").is_active  # asking changes nothing
    v.follow(page.get_by_role("button", name="Deactivate Lee Leaving"))
    assert "Lee Leaving is deactivated" in v.message()
    assert not User.objects.get(username="lee").is_active
    assert "deactivated" in page.locator("tr", has_text="Lee Leaving").inner_text()


@pytest.mark.django_db(transaction=True)
def test_coordinator_journey_on_a_phone(chromium, live_server, html_checker, line):
    with browser_page(chromium, live_server) as page:
        visitor = Visitor(page, html_checker)
        coordinator_journey(visitor, line, javascript=True)
        assert len(visitor.audited) >= 10


@pytest.mark.django_db(transaction=True)
def test_coordinator_journey_on_a_desktop(chromium, live_server, html_checker, line):
    with browser_page(chromium, live_server, size=DESKTOP) as page:
        coordinator_journey(Visitor(page, html_checker), line, javascript=True)


@pytest.mark.django_db(transaction=True)
def test_coordinator_journey_without_javascript(chromium, live_server, line):
    with browser_page(chromium, live_server, javascript=False) as page:
        coordinator_journey(Visitor(page), line, javascript=False)
