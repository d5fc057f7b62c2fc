"""Self-service on a phone: a responder releases a place, offers a swap that a
teammate takes and a coordinator approves, marks time off and sets their limits
and reminders; a coordinator closes a day, adds, edits and cancels a shift, and
makes and revokes the call-forwarding link.

Run once with JavaScript and every page audited, and once without JavaScript.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crisisline.models import User
from shifts.models import (
    Assignment,
    Closure,
    Position,
    RosterRules,
    Shift,
    ShiftPreferences,
    Slot,
    SwapOffer,
    TimeOff,
)
from tests.browser.conftest import second_step
from tests.browser.journeys import Visitor, browser_page, restore_roles
from tests.factory import PASSWORD, make_person


@pytest.fixture
def line(transactional_db):
    restore_roles()
    people = {
        "sam": make_person("sam", "Responder", display_name="Sam Responder"),
        "kai": make_person("kai", "Responder", display_name="Kai Teammate"),
        "rosa": make_person("rosa", "Coordinator", "Responder", display_name="Rosa Coordinator"),
    }
    responder = Position.objects.create(name="Responder", min_people=1, max_people=2, order=1)
    backup = Position.objects.create(name="Backup", min_people=1, max_people=1, order=2)
    now = timezone.now().replace(second=0, microsecond=0)

    def held_by(person, position, start):
        shift = Shift.objects.create(start=start, end=start + timedelta(hours=4))
        slot = Slot.objects.create(shift=shift, position=position, min_people=1, capacity=2)
        slot.taken = 1
        slot.save()
        return Assignment.objects.create(shift=shift, slot=slot, person=person)

    return {
        **people,
        # Well beyond the 48 hours' notice: it can be released.
        "to_release": held_by(people["sam"], responder, now + timedelta(days=5)),
        "to_swap": held_by(people["sam"], backup, now + timedelta(days=3)),
    }


def sign_in(v: Visitor, username: str) -> None:
    page = v.page
    v.goto("/accounts/login/")
    v.fill(page.get_by_label("Username"), username)
    v.fill(page.get_by_label("Password"), PASSWORD)
    v.follow(page.get_by_role("button", name="Sign in"))
    second_step(page, username)


def release_a_place(v: Visitor, line) -> None:
    page = v.page
    v.goto("/me/shifts/")
    row = page.locator(".mine li").filter(has_text="Responder")
    v.confirm(row.get_by_role("link", name="Release"), "Release")
    assert "Released. The place is open for others again." in v.message()
    assert not Assignment.objects.filter(pk=line["to_release"].pk).exists()
    assert Slot.objects.get(pk=line["to_release"].slot_id).taken == 0
    assert page.locator(".mine li").filter(has_text="Responder").count() == 0


def offer_a_swap(v: Visitor, line) -> None:
    page = v.page
    v.goto("/me/shifts/")
    row = page.locator(".mine li").filter(has_text="Backup")
    v.follow(row.get_by_role("button", name="Offer for a swap"))
    assert "Offered for a swap." in v.message()
    assert SwapOffer.objects.filter(
        assignment=line["to_swap"], status=SwapOffer.Status.OPEN
    ).exists()


def take_the_swap(v: Visitor, line) -> None:
    page = v.page
    v.goto("/places/")
    offered = page.locator(".places li").filter(has_text="from Sam Responder")
    v.follow(offered.get_by_role("button", name="Take this shift"))
    assert "Taken. A coordinator will approve the swap." in v.message()
    assert Assignment.objects.get(pk=line["to_swap"].pk).person == line["sam"]  # not yet


def mark_time_off_and_limits(v: Visitor, line) -> None:
    page = v.page
    first = timezone.localdate() + timedelta(days=20)
    v.goto("/me/time-off/")
    v.fill(page.get_by_label("From"), f"{first:%Y-%m-%d}")
    v.fill(page.get_by_label("Until (inclusive)"), f"{first + timedelta(days=2):%Y-%m-%d}")
    v.fill(page.get_by_label("Note"), "Family visit")
    v.follow(page.get_by_role("button", name="Save"))
    assert "Time off saved." in v.message()
    expect(page.get_by_text("Family visit")).to_be_visible()
    assert TimeOff.objects.filter(
        person=line["sam"], first_day=first, last_day=first + timedelta(days=2)
    ).exists()

    v.follow(page.get_by_role("link", name="Most shifts a month and rest between shifts"))
    v.fill(page.get_by_label("Most shifts a month"), "6")
    v.fill(page.get_by_label("Least rest between shifts (hours)"), "12")
    v.follow(page.get_by_role("button", name="Save"))
    assert "Your profile is saved." in v.message()
    sam = User.objects.get(pk=line["sam"].pk)
    assert (sam.max_shifts_per_month, sam.min_rest_hours) == (6, 12)

    v.goto("/me/shift-settings/")
    v.fill(page.get_by_label("Remind me this many hours before a shift"), "3")
    v.follow(page.get_by_role("button", name="Save"))
    assert "Your shift settings are saved." in v.message()
    assert ShiftPreferences.objects.get(person=line["sam"]).reminder_hours == 3


def switch_approval_on(v: Visitor) -> None:
    page = v.page
    v.goto("/roster/rules/")
    v.check(page.get_by_label("A coordinator approves each swap"))
    v.follow(page.get_by_role("button", name="Save", exact=True))
    assert "Roster rules saved." in v.message()
    assert RosterRules.current().swaps_need_approval


def approve_the_swap(v: Visitor, line) -> None:
    page = v.page
    v.goto("/roster/swaps/")
    pending = page.locator("main li").filter(has_text="Sam Responder to Kai Teammate")
    v.follow(pending.get_by_role("button", name="Approve"))
    assert "Swap approved." in v.message()
    assert Assignment.objects.get(pk=line["to_swap"].pk).person == line["kai"]
    assert SwapOffer.objects.get(assignment=line["to_swap"]).status == SwapOffer.Status.DONE


def close_a_day_and_change_a_shift(v: Visitor) -> None:
    page = v.page
    closed = timezone.localdate() + timedelta(days=10)
    v.goto("/roster/hours/")
    v.fill(page.get_by_label("Date"), f"{closed:%Y-%m-%d}")
    v.fill(page.get_by_label("Reason"), "Community day")
    v.follow(page.get_by_role("button", name="Add a closure"))
    assert "Closure saved." in v.message()
    assert Closure.objects.filter(date=closed, reason="Community day").exists()

    day = timezone.localdate() + timedelta(days=12)
    v.goto("/roster/shifts/new/")
    v.fill(page.get_by_label("Starts"), f"{day:%Y-%m-%d}T18:00")
    v.fill(page.get_by_label("Ends"), f"{day:%Y-%m-%d}T22:00")
    v.fill(page.get_by_label("Note"), "Vigil")
    v.follow(page.get_by_role("button", name="Save"))
    assert "Shift added." in v.message()
    shift = Shift.objects.get(note="Vigil")
    assert timezone.localtime(shift.start).hour == 18 and shift.slots.count() == 2

    article = page.locator(f"#shift-{shift.pk}")
    v.follow(article.get_by_role("link", name="Edit"))
    v.fill(page.get_by_label("Ends"), f"{day:%Y-%m-%d}T23:30")
    v.follow(page.get_by_role("button", name="Save"))
    assert "Shift saved." in v.message()
    shift.refresh_from_db()
    assert shift.end - shift.start == timedelta(hours=5, minutes=30)

    # Cancelling is on the shift's own page, away from Edit on the roster.
    v.follow(page.locator(f"#shift-{shift.pk}").get_by_role("link", name="Edit"))
    v.confirm(page.get_by_role("link", name="Cancel shift"), "Cancel shift")
    assert "Shift cancelled." in v.message()
    assert Shift.objects.get(pk=shift.pk).cancelled
    expect(page.locator(f"#shift-{shift.pk}").get_by_role("button", name="Restore")).to_be_visible()


def make_and_revoke_forwarding(v: Visitor) -> None:
    page = v.page
    v.goto("/roster/rules/")
    # The link is shown once, on the page the form answers with: not one to reload.
    with page.expect_navigation():
        page.get_by_role("button", name="Make a forwarding link").click()
    assert "New forwarding link made." in v.message()
    link = page.locator("#forward-link").input_value()
    answer = page.request.get(link)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/plain")

    v.goto("/roster/rules/")
    expect(page.get_by_text("A forwarding link is active.")).to_be_visible()
    v.confirm(page.get_by_role("link", name="Revoke the link"), "Revoke the link")
    assert "Forwarding link revoked: it no longer answers." in v.message()
    assert page.request.get(link).status == 404


def responder_steps(v: Visitor, line) -> None:
    sign_in(v, "sam")
    release_a_place(v, line)
    offer_a_swap(v, line)
    mark_time_off_and_limits(v, line)


def journey(chromium, live_server, line, *, javascript: bool, checker=None) -> list[str]:
    """Three people, each in their own browser; returns every page audited."""
    audited: list[str] = []
    with (
        browser_page(chromium, live_server, javascript=javascript) as rosa_page,
        browser_page(chromium, live_server, javascript=javascript) as sam_page,
        browser_page(chromium, live_server, javascript=javascript) as kai_page,
    ):
        rosa, sam, kai = (Visitor(p, checker) for p in (rosa_page, sam_page, kai_page))
        sign_in(rosa, "rosa")
        switch_approval_on(rosa)
        responder_steps(sam, line)
        sign_in(kai, "kai")
        take_the_swap(kai, line)
        approve_the_swap(rosa, line)
        close_a_day_and_change_a_shift(rosa)
        make_and_revoke_forwarding(rosa)
        for visitor in (rosa, sam, kai):
            audited += visitor.audited
    return audited


@pytest.mark.django_db(transaction=True)
def test_self_service_on_a_phone(chromium, live_server, html_checker, line):
    audited = journey(chromium, live_server, line, javascript=True, checker=html_checker)
    assert len(audited) >= 25


@pytest.mark.django_db(transaction=True)
def test_self_service_without_javascript(chromium, live_server, line):
    journey(chromium, live_server, line, javascript=False)
