"""A responder's shift on a phone: who is on call, a place taken, a place given up,
a call note written, read and burned, and the emergency-or-crisis tree.

The journey runs twice: by keyboard alone with every page audited, and again
with JavaScript switched off.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import CallNote
from shifts.models import Assignment, Position, Shift, Slot
from tests.browser.journeys import Visitor, browser_page, restore_roles
from tests.factory import PASSWORD, make_person


@pytest.fixture
def line(transactional_db, settings, tmp_path):
    settings.KEYRING_DIR = tmp_path / "keyring"
    restore_roles()
    call_command("load_starter_protocols", verbosity=0)
    sam = make_person("sam", "Responder", display_name="Sam Responder")
    ana = make_person("ana", "Responder", display_name="Ana Holder", phone="+1 555 010 7777")
    position = Position.objects.create(name="Responder", min_people=1, max_people=2)
    now = timezone.now().replace(microsecond=0)

    def shift(start):
        made = Shift.objects.create(start=start, end=start + timedelta(hours=4))
        return made, Slot.objects.create(shift=made, position=position, min_people=1, capacity=2)

    def put(person, shift, slot):
        slot.taken += 1
        slot.save()
        return Assignment.objects.create(shift=shift, slot=slot, person=person)

    put(ana, *shift(now - timedelta(hours=1)))
    tomorrow = put(sam, *shift(now + timedelta(hours=20)))
    open_shift, _slot = shift(now + timedelta(days=3))
    return {"sam": sam, "tomorrow": tomorrow, "open_shift": open_shift}


def responder_journey(v: Visitor, line) -> None:
    page = v.page
    v.goto("/accounts/login/")
    v.fill(page.get_by_label("Username"), "sam")
    v.fill(page.get_by_label("Password"), PASSWORD)
    v.follow(page.get_by_role("button", name="Sign in"))

    # Who is on call, with a link that dials them.
    v.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="On call"))
    assert page.get_by_role("heading", level=1).inner_text() == "On call now"
    call = page.get_by_role("link", name="Call Ana Holder")
    assert call.get_attribute("href") == "tel:+15550107777"

    # Claim an open place.
    v.follow(page.get_by_role("link", name="Find a shift"))
    v.follow(page.get_by_role("button", name="Take it"))
    assert "You are on" in v.message()
    assert Assignment.objects.filter(shift=line["open_shift"], person=line["sam"]).exists()

    # Tomorrow's shift is too close to release: "I can't make it".
    assert page.get_by_role("heading", level=1).inner_text() == "Your shifts"
    v.confirm(page.get_by_role("link", name="I can't make it").first, "I can't make it")
    assert "Thank you for saying so." in v.message()
    assert not Assignment.objects.filter(pk=line["tomorrow"].pk).exists()
    assert Slot.objects.get(pk=line["tomorrow"].slot_id).urgent_since is not None

    # A call note: write, read, burn.
    v.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Notes"))
    v.follow(page.get_by_role("link", name="Write a note"))
    v.check(page.get_by_label("Crisis: non-acute"))
    # Phone support and no police are chosen in advance, folded below the note.
    v.fill(page.get_by_role("textbox", name="Note"), "Wants a call back tomorrow about food.")
    v.follow(page.get_by_role("button", name="Save note"))
    assert "Note saved." in v.message()
    expect(page.get_by_text("Wants a call back tomorrow about food.")).to_be_visible()
    assert CallNote.objects.filter(author=line["sam"]).count() == 1
    v.confirm(page.get_by_role("link", name="Burn now"), "Burn now")
    assert "The note is destroyed." in v.message()
    assert not CallNote.including_expired.exists()

    # Emergency or crisis? Step through to an outcome.
    v.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Protocols"))
    v.follow(page.get_by_role("link", name="Emergency or crisis?"))
    v.follow(page.get_by_role("link", name="No, or I'm not sure it is right now"))
    v.follow(page.get_by_role("link", name="No", exact=True))
    v.follow(page.get_by_role("link", name="A long-running situation that keeps coming back"))
    expect(page.get_by_role("heading", name="Chronic crisis")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_responder_journey_by_keyboard_alone_on_a_phone(chromium, live_server, html_checker, line):
    with browser_page(chromium, live_server) as page:
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        visitor = Visitor(page, html_checker, keyboard=True)
        responder_journey(visitor, line)
        assert len(visitor.audited) >= 10
        assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_responder_journey_without_javascript(chromium, live_server, line):
    with browser_page(chromium, live_server, javascript=False) as page:
        responder_journey(Visitor(page), line)
