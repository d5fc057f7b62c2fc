"""Confirm or undo, never neither: a responder's Release and a coordinator's removal
of opening hours ask first on a touch phone and on a laptop, with JavaScript (the
question takes the link's place, "No, go back" puts the link back) and without it
(a page asks). Every page and question on the way passes axe and the HTML checker.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shifts.models import Assignment, Position, ServiceWindow, Shift, Slot
from tests.browser.audit import audit, shown_html
from tests.browser.conftest import second_step, touch_phone
from tests.browser.journeys import restore_roles
from tests.factory import PASSWORD, make_person

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENS = [
    pytest.param(True, PHONE, id="phone-js"),
    pytest.param(False, PHONE, id="phone-no-js"),
    pytest.param(True, DESKTOP, id="desktop-js"),
    pytest.param(False, DESKTOP, id="desktop-no-js"),
]


@pytest.fixture
def line(transactional_db):
    restore_roles()
    sam = make_person("sam", "Responder", display_name="Sam Responder")
    rosa = make_person("rosa", "Coordinator", display_name="Rosa Coordinator")
    position = Position.objects.create(name="Responder", min_people=1, max_people=2, order=1)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=6)
    shift = Shift.objects.create(start=start, end=start + timedelta(hours=4))
    slot = Slot.objects.create(shift=shift, position=position, min_people=1, capacity=2, taken=1)
    place = Assignment.objects.create(shift=shift, slot=slot, person=sam)
    window = ServiceWindow.objects.create(weekday=4, start=time(19), end=time(23, 30))
    return {"sam": sam, "rosa": rosa, "place": place, "window": window}


def screen(chromium, live_server, javascript: bool, size: dict):
    if size is PHONE:
        return touch_phone(chromium, live_server, javascript=javascript)
    return chromium.new_context(
        viewport=size, base_url=live_server.url, java_script_enabled=javascript
    )


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    second_step(page, username)


def check(page, checker, response=None) -> None:
    """axe, the HTML checker and reflow where scripts run; without JavaScript axe
    cannot run in the page, so the HTML checker alone (the JavaScript runs open the
    same confirmation pages and audit them fully)."""
    if page.evaluate("() => typeof window.htmx !== 'undefined'"):
        audit(page, checker, response)
    else:
        html = shown_html(page, response)
        assert not checker.errors(html), (page.url, checker.errors(html))


def ask_and_go_back(page, checker, trigger, javascript: bool, back_to: str) -> None:
    """Open the question, check it, and choose not to: nothing changes."""
    if javascript:
        trigger.click()
        question = page.locator("form.ask-inline")
        expect(question).to_be_visible()
        expect(question.locator("button.danger")).to_be_focused()
        check(page, checker)
        question.get_by_role("link", name="No, go back").click()
        expect(question).to_have_count(0)
        expect(trigger).to_be_visible()  # the link is back where it was, no page load
    else:
        with page.expect_navigation() as opened:
            trigger.click()
        assert page.locator("h1").inner_text().endswith("?")
        check(page, checker, opened.value)
        with page.expect_navigation():
            page.get_by_role("link", name="No, go back").click()
        assert page.url.endswith(back_to)


def ask_and_do(page, checker, trigger, action: str, javascript: bool) -> None:
    if javascript:
        trigger.click()
        button = page.locator("form.ask-inline").get_by_role("button", name=action)
    else:
        with page.expect_navigation() as opened:
            trigger.click()
        check(page, checker, opened.value)
        button = page.locator("main form").get_by_role("button", name=action)
    with page.expect_navigation() as done:
        button.click()
    check(page, checker, done.value)


@pytest.mark.parametrize(("javascript", "size"), SCREENS)
def test_release_asks_first(chromium, live_server, html_checker, line, javascript, size):
    context = screen(chromium, live_server, javascript, size)
    page = context.new_page()
    try:
        sign_in(page, "sam")
        page.goto("/me/shifts/")
        release = page.locator(".mine li").get_by_role("link", name="Release")
        ask_and_go_back(page, html_checker, release, javascript, "/me/shifts/")
        assert Assignment.objects.filter(pk=line["place"].pk).exists()
        if javascript:  # the page that asks when scripts do not run
            check(page, html_checker, page.goto(release.get_attribute("href")))
            page.goto("/me/shifts/")

        ask_and_do(page, html_checker, release, "Release", javascript)
        assert (
            "Released. The place is open for others again."
            in page.locator(".messages").inner_text()
        )
        assert not Assignment.objects.filter(pk=line["place"].pk).exists()
    finally:
        context.close()


@pytest.mark.parametrize(("javascript", "size"), SCREENS)
def test_removing_opening_hours_asks_first(
    chromium, live_server, html_checker, line, javascript, size
):
    context = screen(chromium, live_server, javascript, size)
    page = context.new_page()
    try:
        sign_in(page, "rosa")
        page.goto("/roster/hours/")
        remove = page.get_by_role("link", name="Remove").first
        ask_and_go_back(page, html_checker, remove, javascript, "/roster/hours/")
        assert ServiceWindow.objects.filter(pk=line["window"].pk).exists()
        if javascript:  # the page that asks when scripts do not run
            check(page, html_checker, page.goto(remove.get_attribute("href")))
            page.goto("/roster/hours/")

        ask_and_do(page, html_checker, remove, "Remove", javascript)
        expect(page.locator(".messages")).to_contain_text("Window removed.")
        assert not ServiceWindow.objects.exists()
    finally:
        context.close()
