"""Open places on a phone: a responder pages through the places they can take
(none their rest rule refuses), says they can't make a shift and is not offered
it back, while a teammate takes it from "On call now"; a coordinator's picker
shows why someone should not be put in a place, and cancel and restore are two
separate buttons.

Run once with JavaScript and every page audited, and once without JavaScript.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shifts.models import Assignment, Position, Shift, Slot
from tests.browser.conftest import second_step
from tests.browser.journeys import Visitor, browser_page, restore_roles
from tests.factory import PASSWORD, make_person


@pytest.fixture
def line(transactional_db):
    restore_roles()
    people = {
        "sam": make_person("sam", "Responder", display_name="Sam Responder", min_rest_hours=8),
        "kai": make_person("kai", "Responder", display_name="Kai Teammate", min_rest_hours=0),
        "rosa": make_person("rosa", "Coordinator", display_name="Rosa Coordinator"),
    }
    responder = Position.objects.create(name="Responder", min_people=1, max_people=1, order=1)
    now = timezone.now().replace(second=0, microsecond=0)

    def shift(start, person=None):
        made = Shift.objects.create(start=start, end=start + timedelta(hours=2))
        slot = Slot.objects.create(shift=made, position=responder, min_people=1, capacity=1)
        if person is not None:
            Assignment.objects.create(shift=made, slot=slot, person=person)
            Slot.objects.filter(pk=slot.pk).update(taken=1)
        return made

    first = now + timedelta(days=3)
    # Sam's own shifts: one tomorrow they will say they can't make, one in three days.
    tomorrow = shift(now + timedelta(days=1), people["sam"])
    theirs = shift(first, people["sam"])
    # Two hours after Sam's shift ends: too little rest for Sam, fine for Kai.
    too_soon = shift(first + timedelta(hours=4))
    # Twenty-five open places Sam can take, a day apart.
    for number in range(25):
        shift(first + timedelta(days=1 + number))
    return {**people, "tomorrow": tomorrow, "theirs": theirs, "too_soon": too_soon}


def sign_in(v: Visitor, username: str) -> None:
    page = v.page
    v.goto("/accounts/login/")
    v.fill(page.get_by_label("Username"), username)
    v.fill(page.get_by_label("Password"), PASSWORD)
    v.follow(page.get_by_role("button", name="Sign in"))
    second_step(page, username)  # coordinators: two-step sign-in


def claim_path(shift: Shift) -> str:
    return f"/places/{shift.slots.get().pk}/claim/"


def page_through_open_places(v: Visitor, line) -> None:
    page = v.page
    v.goto("/places/")
    first_page = page.locator(".places li").filter(has_text="Take it")
    assert first_page.count() == 20
    assert "Page 1 of 2 (25 places in all)" in page.content()
    assert f'action="{claim_path(line["too_soon"])}"' not in page.content()
    v.follow(page.get_by_role("link", name="More places ›"))
    assert page.locator(".places li").filter(has_text="Take it").count() == 5
    assert "Page 2 of 2" in page.content()
    v.follow(page.get_by_role("link", name="‹ Sooner places"))
    assert "Page 1 of 2" in page.content()


def cannot_make_it(v: Visitor, line) -> None:
    page = v.page
    v.goto("/me/shifts/")
    row = page.locator(".mine li").first
    v.confirm(row.get_by_role("link", name="I can't make it"), "I can't make it")
    assert "Thank you for saying so." in v.message()
    given_up = claim_path(line["tomorrow"])
    v.goto("/places/")
    assert f'action="{given_up}"' not in page.content()
    v.goto("/oncall/")
    assert f'action="{given_up}"' not in page.content()


def take_it_from_on_call(v: Visitor, line) -> None:
    page = v.page
    v.goto("/oncall/")
    urgent = page.locator("li.urgent").filter(has_text="Urgent")
    assert urgent.count() == 1
    v.follow(urgent.get_by_role("button", name="Take it"))
    assert "You are on" in v.message()
    assert Assignment.objects.get(shift=line["tomorrow"]).person == line["kai"]


def picker_and_cancel(v: Visitor, line, *, javascript: bool) -> None:
    page = v.page
    slot = line["too_soon"].slots.get()
    day = timezone.localtime(line["too_soon"].start).date()
    v.goto(f"/roster/week/?start={day:%Y-%m-%d}")
    place = page.locator(f"#slot-{slot.pk}")
    if javascript:
        place.get_by_role("link", name="Assign").click()  # htmx loads the form in place
    else:
        v.follow(place.get_by_role("link", name="Assign"))
    picker = page.get_by_label("Person")
    picker.wait_for()
    options = picker.locator("option").all_inner_texts()
    assert options[0] == "Choose a person"
    assert options[1] == "Kai Teammate"  # nothing against them: first
    assert "Sam Responder — would rest less than 8 h" in options
    assert picker.input_value() == ""  # nobody chosen for the coordinator
    v.select(picker, "Kai Teammate")
    if javascript:
        place.get_by_role("button", name="Assign", exact=True).click()
        page.locator(f"#slot-{slot.pk}").get_by_text("Kai Teammate assigned").wait_for()
        v.audit()
    else:
        v.follow(page.get_by_role("button", name="Assign", exact=True))
        assert "Kai Teammate assigned as Responder." in v.message()
    assert Assignment.objects.get(slot=slot).person == line["kai"]

    shift = line["theirs"]
    v.goto(f"/roster/week/?start={day:%Y-%m-%d}")
    v.follow(page.locator(f"#shift-{shift.pk}").get_by_role("link", name="Edit"))
    v.confirm(page.get_by_role("link", name="Cancel shift"), "Cancel shift")
    assert "Shift cancelled." in v.message()
    assert Shift.objects.get(pk=shift.pk).cancelled
    v.follow(page.locator(f"#shift-{shift.pk}").get_by_role("button", name="Restore"))
    assert "Shift restored." in v.message()
    assert not Shift.objects.get(pk=shift.pk).cancelled


def journey(chromium, live_server, line, *, javascript: bool, checker=None) -> list[str]:
    audited: list[str] = []
    with (
        browser_page(chromium, live_server, javascript=javascript) as sam_page,
        browser_page(chromium, live_server, javascript=javascript) as kai_page,
        browser_page(chromium, live_server, javascript=javascript) as rosa_page,
    ):
        sam, kai, rosa = (Visitor(p, checker) for p in (sam_page, kai_page, rosa_page))
        sign_in(sam, "sam")
        page_through_open_places(sam, line)
        cannot_make_it(sam, line)
        sign_in(kai, "kai")
        take_it_from_on_call(kai, line)
        sign_in(rosa, "rosa")
        picker_and_cancel(rosa, line, javascript=javascript)
        for visitor in (sam, kai, rosa):
            audited += visitor.audited
    return audited


@pytest.mark.django_db(transaction=True)
def test_open_places_on_a_phone(chromium, live_server, html_checker, line):
    audited = journey(chromium, live_server, line, javascript=True, checker=html_checker)
    assert len(audited) >= 12


@pytest.mark.django_db(transaction=True)
def test_open_places_without_javascript(chromium, live_server, line):
    journey(chromium, live_server, line, javascript=False)
