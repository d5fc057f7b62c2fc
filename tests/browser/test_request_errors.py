"""When what htmx sends in place does not get through (no signal, a form from
before a sign-in elsewhere), the top of the page says so and what was chosen or
typed stays. A coordinator assigning on a phone is taken to the notice; a
responder ticking a need in a note, or the on-call board refreshing itself, is
left where they are. The next request that works takes the notice away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from shifts.models import Assignment
from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, make_person


@pytest.mark.django_db(transaction=True)
def test_a_request_that_fails_in_place_says_so_at_the_top(phone, live_server, html_checker):
    from tests.shifts.conftest import make_position, make_shift

    make_person("rosa", "Coordinator", "Responder", display_name="Rosa Coordinator")
    kai = make_person("kai", "Responder", display_name="Kai")
    position = make_position("Responder", 1, 2)
    shift = make_shift(timezone.now() + timedelta(days=2), positions=[position])
    sign_in(phone, "rosa", PASSWORD)
    week = f"/roster/week/?start={timezone.localtime(shift.start):%Y-%m-%d}"
    phone.goto(week)
    notice = phone.locator("#request-error")
    expect(notice).to_be_hidden()  # empty until something fails

    slot = phone.locator(".slot").first
    slot.get_by_role("link", name="Assign").click()  # htmx loads the form in place
    slot.get_by_label("Person").select_option(label="Kai")

    # No signal: nothing is sent, the top of the page says so, Kai is still chosen.
    phone.context.set_offline(True)
    slot.get_by_role("button", name="Assign").click()
    expect(notice).to_have_text("No connection: nothing was sent. Try again when you have signal.")
    expect(notice).to_be_in_viewport()
    expect(notice).to_be_focused()
    expect(slot.get_by_label("Person")).to_have_value(str(kai.pk))
    assert not Assignment.objects.exists()
    audit(phone, html_checker)

    # The server restarting behind its proxy: an empty 502 still says something.
    phone.context.set_offline(False)
    phone.route("**/assign/", lambda route: route.fulfill(status=502, body=""))
    slot.get_by_role("button", name="Assign").click()
    expect(notice).to_have_text(
        "The server did not answer. Open the page again to see what was saved."
    )
    phone.unroute("**/assign/")

    # Up again: the same tap goes through, and the notice goes.
    slot.get_by_role("button", name="Assign").click()
    expect(slot).to_contain_text("Kai")
    expect(notice).to_be_hidden()
    assert Assignment.objects.filter(person=kai, shift=shift).exists()

    # Signed in again in another tab while asked: this form is from before, and refused.
    slot.get_by_role("link", name="Unassign Kai").click()
    expect(slot.get_by_role("button", name="Unassign")).to_be_visible()
    phone.context.clear_cookies(name=settings.CSRF_COOKIE_NAME)
    phone.context.add_cookies(
        [{"name": settings.CSRF_COOKIE_NAME, "value": "a" * 32, "url": live_server.url}]
    )
    slot.get_by_role("button", name="Unassign").click()
    expect(notice).to_contain_text("This could not be sent")
    expect(notice).to_contain_text("Nothing was saved.")
    expect(notice).to_contain_text("What you typed is still on the page")
    expect(notice.get_by_role("heading")).to_have_count(0)  # the page keeps its one h1
    expect(notice).to_be_focused()
    expect(slot.get_by_role("button", name="Unassign")).to_be_visible()  # still asking
    assert Assignment.objects.filter(person=kai, shift=shift).exists()
    audit(phone, html_checker)
    # Going back works, yet the page's forms are still refused: the notice stays.
    slot.get_by_role("link", name="No, go back").click()
    expect(slot.get_by_role("link", name="Unassign Kai")).to_be_visible()
    expect(notice).to_contain_text("This could not be sent")

    # Opened again, the page's forms are accepted.
    with phone.expect_navigation():
        notice.get_by_role("link", name="Open the page again").click()
    assert phone.url.endswith(week)
    expect(notice).to_be_hidden()
    slot.get_by_role("link", name="Unassign Kai").click()
    slot.get_by_role("button", name="Unassign").click()
    expect(slot).to_contain_text("0/2")
    assert not Assignment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_board_keeps_refreshing_after_a_refresh_fails(phone, monkeypatch):
    from shifts import oncall

    monkeypatch.setattr(oncall, "REFRESH_MIN_SECONDS", 1)
    monkeypatch.setattr(oncall, "REFRESH_MAX_SECONDS", 1)
    make_person("sam", "Responder", display_name="Sam Responder")
    sign_in(phone, "sam", PASSWORD)
    phone.goto("/oncall/")
    notice = phone.locator("#request-error")

    phone.context.set_offline(True)
    expect(notice).to_have_text("No connection: nothing was sent. Try again when you have signal.")
    expect(notice).not_to_be_focused()  # a refresh nobody asked for leaves the reader be

    phone.context.set_offline(False)
    expect(notice).to_be_hidden(timeout=10_000)  # the next refresh went through
    for _ in range(2):  # and they go on
        with phone.expect_response(lambda r: r.url.endswith("/oncall/") and r.ok):
            pass
    expect(phone.locator("#board")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_ticking_a_need_offline_says_so_without_moving_the_note(phone):
    from tests.browser.journeys import restore_roles

    restore_roles()
    make_person("sam", "Responder", display_name="Sam Responder")
    sign_in(phone, "sam", PASSWORD)
    phone.goto("/notes/new/")
    phone.locator("details.more > summary").click()
    food = phone.get_by_label("Food")
    food.scroll_into_view_if_needed()
    writing_at = food.bounding_box()["y"]  # where it is on the screen
    assert phone.evaluate("window.scrollY") > 0

    phone.context.set_offline(True)
    food.check()  # asks for the resources that fit, on the side
    notice = phone.locator("#request-error")
    expect(notice).to_have_text("No connection: nothing was sent. Try again when you have signal.")
    assert food.bounding_box()["y"] == pytest.approx(writing_at, abs=2)
    expect(notice).not_to_be_in_viewport()
    expect(notice).not_to_be_focused()
    expect(food).to_be_checked()
