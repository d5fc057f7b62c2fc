"""A responder reads the public page, signs in on a phone, lands on who is on
call now, and finds their dashboard through the site's own link."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shifts.models import Closure, ServiceWindow
from tests.browser.audit import audit
from tests.browser.conftest import PHONE, sign_in
from tests.factory import PASSWORD, make_person


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_responder_signs_in_on_a_phone_and_sees_the_dashboard(phone, html_checker):
    make_person("responder", "Responder", display_name="Sam Responder")
    ServiceWindow.objects.create(weekday=4, start=time(19), end=time(2))
    ServiceWindow.objects.create(weekday=5, start=time(10), end=time(14))
    ServiceWindow.objects.create(weekday=5, start=time(19), end=time(0))
    Closure.objects.create(date=timezone.localdate() + timedelta(days=5))
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The public page says when the line is open, on screen and on paper.
    phone.goto("/")
    hours = phone.locator("section.hours")
    expect(hours.get_by_text("19:00–02:00")).to_be_visible()
    expect(hours.get_by_text("10:00–14:00, 19:00–24:00")).to_be_visible()
    expect(hours.get_by_text("Closed on these days:")).to_be_visible()
    audit(phone, html_checker)
    phone.emulate_media(media="print")
    expect(hours).to_be_visible()
    expect(hours.get_by_text("19:00–02:00")).to_be_visible()
    assert fits_the_phone(phone)
    phone.emulate_media(media="screen")

    phone.goto("/accounts/login/")
    audit(phone, html_checker)

    sign_in(phone, "responder", PASSWORD)

    # A responder starts where the phone is needed: who is on call now.
    phone.wait_for_url("**/oncall/")
    assert phone.title().startswith("On call now")
    # No shift is on (open or closed depends on when the test runs): it says so,
    # under the page's own heading.
    assert phone.get_by_role("heading", level=1).inner_text() == "On call now"
    status = phone.get_by_role(
        "heading", level=2, name=re.compile("^(The line is closed|Open, but no shift is on now)$")
    )
    expect(status).to_have_count(1)
    assert fits_the_phone(phone)
    audit(phone, html_checker)

    # The brand link at the top leads to the dashboard.
    phone.locator("header.site").get_by_role("link", name="Crisis line").click()
    phone.wait_for_url("**/home/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Hello, Sam Responder"
    expect(phone.get_by_text("Responder", exact=True)).to_be_visible()
    # Fits the phone: nothing scrolls sideways.
    assert fits_the_phone(phone)
    # htmx loaded from this server under the strict CSP, with no violations.
    assert phone.evaluate("typeof window.htmx") == "object"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    audit(phone, html_checker)
