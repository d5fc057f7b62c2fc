"""The roster that fits the device, the coverage triage and the waiting things, at
390×844 (phone) and 1280×800 (desktop). Screenshots go to $SHOTS when it is set."""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crisisline.models import Skill
from shifts.models import Assignment, RosterRules, SwapOffer
from tests.browser.audit import audit
from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, grant, make_person
from tests.shifts.conftest import make_position, make_shift, put

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    if folder := os.environ.get("SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def next_monday() -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return timezone.make_aware(datetime.combine(monday, time(8)))


def build_week():
    """Next week, two shifts a day: a line holder, responders and a backup on each.
    Monday's first shift has nobody on the line; Tuesday's are fully staffed."""
    training = Skill.objects.create(name="Line holding")
    holder = make_position("Line holder", 1, 1, required_skill=training, holds_line=True)
    responder = make_position("Responder", 1, 2)
    backup = make_position("Backup", 0, 1)
    holder.order, responder.order, backup.order = 0, 1, 2
    for position in (holder, responder, backup):
        position.save()
    people = [
        make_person(name.lower(), "Responder", display_name=name)
        for name in ("Ana", "Bo", "Cai", "Dee", "Eli", "Fen")
    ]
    for person in people:
        grant(person, training)
    shifts = []
    monday = next_monday()
    for day in range(7):
        for hour in (0, 8):
            start = monday + timedelta(days=day, hours=hour)
            shifts.append(make_shift(start, hours=8, positions=[holder, responder, backup]))
    for index, shift in enumerate(shifts):
        if index == 0:
            continue  # no line holder
        put(people[index % 6], shift, holder)
        put(people[(index + 1) % 6], shift, responder)
        if index in (2, 3):
            put(people[(index + 2) % 6], shift, responder)
            put(people[(index + 3) % 6], shift, backup)
    return shifts, people, responder


def assert_week_by_positions(page) -> None:
    """Days are the columns, side by side; positions are the rows, in their order."""
    days = page.locator(".week-grid thead th")
    assert days.count() == 8  # the positions' column and seven days
    tops = days.evaluate_all("ths => ths.map(th => Math.round(th.getBoundingClientRect().top))")
    assert len(set(tops)) == 1
    first_band = page.locator(".week-grid tbody").first
    rows = first_band.locator("tr:not(.band) > th").all_inner_texts()
    assert rows == ["Line holder", "Responder", "Backup"]
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]


@pytest.mark.django_db(transaction=True)
def test_desktop_week_grid_assigns_without_javascript(chromium, live_server):
    shifts, _people, responder = build_week()
    make_person("gil", "Responder", display_name="Gil")
    make_person("rosa", "Coordinator", display_name="Rosa Coordinator")
    context = chromium.new_context(
        viewport=DESKTOP, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page, "rosa", PASSWORD)
        week = f"/roster/week/?start={next_monday():%Y-%m-%d}"
        page.goto(week)
        assert_week_by_positions(page)
        cell = page.locator(f"#slot-{shifts[4].slots.get(position=responder).pk}")
        with page.expect_navigation():
            cell.get_by_role("link", name="Assign", exact=True).click()  # its own page
        page.get_by_label("Person").select_option(label="Gil")
        with page.expect_navigation():
            page.get_by_role("button", name="Assign", exact=True).click()
        assert page.url.endswith(week)  # back on the week, in the grid
        expect(cell.locator(".person").filter(has_text="Gil")).to_have_count(1)
        assert Assignment.objects.filter(person__username="gil", shift=shifts[4]).exists()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_desktop_week_grid_assigns_in_place(chromium, live_server, html_checker):
    shifts, _people, responder = build_week()
    make_person("gil", "Responder", display_name="Gil")
    make_person("rosa", "Coordinator", display_name="Rosa Coordinator")
    context = chromium.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    try:
        sign_in(page, "rosa", PASSWORD)
        page.goto(f"/roster/week/?start={next_monday():%Y-%m-%d}")
        assert_week_by_positions(page)
        shoot(page, "roster-week-1280")
        audit(page, html_checker)

        cell = page.locator(f"#slot-{shifts[4].slots.get(position=responder).pk}")
        url_before = page.url
        cell.get_by_role("link", name="Assign", exact=True).click()  # the form comes into the cell
        cell.get_by_label("Person").select_option(label="Gil")
        cell.get_by_role("button", name="Assign", exact=True).click()
        expect(cell.locator(".person").filter(has_text="Gil")).to_have_count(1)
        assert page.url == url_before
        assert Assignment.objects.filter(person__username="gil", shift=shifts[4]).exists()

        page.goto("/roster/coverage/")
        first = page.locator(".triage li").first
        expect(first).to_contain_text("No line holder")
        assert first.evaluate("li => getComputedStyle(li).color") != (
            page.locator(".triage li.short").first.evaluate("li => getComputedStyle(li).color")
        )
        page.get_by_label("Show").select_option(label="Short-staffed")
        page.get_by_role("button", name="Show").click()
        expect(page.locator(".triage li.no-line-holder")).to_have_count(0)
        assert page.locator(".triage li.short").count() >= 1
        shoot(page, "coverage-1280")
        page.goto(f"/roster/?month={next_monday():%Y-%m}")
        shoot(page, "roster-month-1280")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_phone_month_is_a_day_list_with_problems_first(chromium, live_server, html_checker):
    shifts, _people, _responder = build_week()
    make_person("rosa", "Coordinator", display_name="Rosa Coordinator")
    context = chromium.new_context(viewport=PHONE, base_url=live_server.url, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, "rosa", PASSWORD)
        page.goto(f"/roster/?month={next_monday():%Y-%m}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        menu = page.locator(".roster-nav ul").bounding_box()
        assert menu["height"] < 60  # one row, not nine lines
        monday = page.locator("section.day").filter(has_text="No line holder").first
        first_problem = monday.locator(".day-problems li").first
        assert (
            first_problem.inner_text()
            == f"No line holder {timezone.localtime(shifts[0].start):%H:%M}"
        )
        # Monday's problem shift is open; a shift with nothing missing is folded.
        expect(monday.locator("details").first).to_have_attribute("open", "")
        staffed = page.locator("details:not([open])").first.element_handle()
        names = staffed.query_selector("ul")
        assert not names.is_visible()  # a handle: <details> opens at once, no waiting
        staffed.query_selector("summary").click()
        assert names.is_visible()
        shoot(page, "roster-month-390")
        audit(page, html_checker)
        page.goto(f"/roster/week/?start={next_monday():%Y-%m-%d}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, "roster-week-390")
        page.goto("/roster/coverage/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(page.locator(".triage li").first).to_contain_text("No line holder")
        shoot(page, "coverage-390")
        audit(page, html_checker)
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_a_responder_sees_the_team_and_what_waits(chromium, live_server, html_checker):
    shifts, people, _responder = build_week()
    RosterRules.objects.create(pk=1, swaps_need_approval=True)
    ana, taker = people[0], make_person("tai", "Responder", display_name="Tai")
    offer = SwapOffer.objects.create(
        assignment=Assignment.objects.filter(person=ana).first(), offered_by=ana
    )
    offer.taken_by, offer.status = taker, SwapOffer.Status.PENDING
    offer.save()
    context = chromium.new_context(viewport=PHONE, base_url=live_server.url, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, "tai", PASSWORD)
        page.goto("/me/shifts/")
        expect(page.locator("main")).to_contain_text("Waiting for a coordinator")
        expect(page.locator("main")).not_to_contain_text("You have no upcoming shifts.")
        shoot(page, "mine-waiting-390")
        with page.expect_navigation():
            page.get_by_role("link", name="Who works when").click()
        page.goto(f"/roster/team/?start={next_monday():%Y-%m-%d}")
        expect(page.locator("main")).to_contain_text("Ana")
        assert page.locator("main button").count() == 0  # read-only
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, "team-390")
        audit(page, html_checker)
        page.set_viewport_size(DESKTOP)
        shoot(page, "team-1280")

        page.goto("/places/")
        day = timezone.localtime(shifts[0].start).date()
        page.get_by_label("Day").fill(f"{day:%Y-%m-%d}")
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        assert f"day={day:%Y-%m-%d}" in page.url
        shoot(page, "places-filter-1280")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_filters_and_the_month_work_without_javascript(chromium, live_server):
    build_week()
    make_person("rosa", "Coordinator", "Responder", display_name="Rosa Coordinator")
    context = chromium.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        sign_in(page, "rosa", PASSWORD)
        page.goto("/roster/coverage/")
        page.get_by_label("Show").select_option(label="No line holder")
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        assert "kind=no-line-holder" in page.url
        # The click waits for the new page to begin, not to finish arriving.
        expect(page.locator(".triage li")).to_have_count(1)
        page.goto(f"/roster/?month={next_monday():%Y-%m}")
        folded = page.locator("details:not([open])").first.element_handle()
        folded.query_selector("summary").click()  # <details> opens without script
        assert folded.query_selector("ul").is_visible()
        page.goto("/places/")
        page.get_by_label("Position").select_option(label="Backup")
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        assert "position=" in page.url
        assert "Line holder" not in page.locator("ul.places").first.inner_text()
    finally:
        context.close()
