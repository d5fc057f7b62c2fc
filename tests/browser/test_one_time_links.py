"""Links shown only once survive: a read-only field to select without JavaScript,
Copy (the clipboard) and Share (the phone's share sheet, where it has one) with
it, and making a new link is a secondary action that says what it breaks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in
from tests.factory import PASSWORD, make_person

SHOTS = Path("/tmp/shots-continuity")

# A phone's share sheet, as far as the page can tell: it records what it was given.
FAKE_SHARE = "navigator.share = (data) => { window.shared = data; return Promise.resolve(); };"


@pytest.fixture
def sam(transactional_db):
    from tests.browser.journeys import restore_roles

    restore_roles()
    return make_person("sam", "Responder", display_name="Sam Responder")


def _context(chromium, live_server, *, javascript: bool = True, viewport=PHONE):
    context = chromium.new_context(
        viewport=viewport, base_url=live_server.url, java_script_enabled=javascript
    )
    if javascript:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return context


def _make_calendar_link(page) -> str:
    sign_in(page, "sam", PASSWORD)
    page.goto("/me/shift-settings/")
    with page.expect_navigation():
        page.get_by_role("button", name="Make my calendar link").click()
    link = page.locator("#feed-link").input_value()
    assert "/feed/" in link
    return link


def test_copy_puts_the_link_on_the_clipboard_and_share_hands_it_to_the_phone(
    chromium, live_server, sam
):
    context = _context(chromium, live_server)
    context.add_init_script(FAKE_SHARE)
    page = context.new_page()
    link = _make_calendar_link(page)
    copy = page.get_by_role("button", name="Copy", exact=True)
    share = page.get_by_role("button", name="Share", exact=True)
    expect(copy).to_be_visible()
    expect(share).to_be_visible()
    for button in (copy, share):
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    copy.click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    share.click()
    assert page.evaluate("window.shared") == {"title": "My shifts calendar", "url": link}
    # The link is still there; making another is secondary, and warns first.
    again = page.get_by_role("button", name="Make a new link")
    assert "secondary" in again.get_attribute("class")
    expect(page.get_by_text("A new link stops the old one at once")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "calendar-link-phone.png"), full_page=True)
    context.close()


def test_without_share_only_copy_is_offered(chromium, live_server, sam):
    context = _context(chromium, live_server, viewport={"width": 1280, "height": 800})
    context.add_init_script("delete Navigator.prototype.share;")
    page = context.new_page()
    _make_calendar_link(page)
    expect(page.get_by_role("button", name="Copy", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Share", exact=True)).to_be_hidden()
    page.screenshot(path=str(SHOTS / "calendar-link-desktop.png"), full_page=True)
    context.close()


def test_without_javascript_the_link_is_a_field_to_select(chromium, live_server, sam):
    context = _context(chromium, live_server, javascript=False)
    page = context.new_page()
    sign_in(page, "sam", PASSWORD)
    page.goto("/me/shift-settings/")
    with page.expect_navigation():
        page.get_by_role("button", name="Make my calendar link").click()
    field = page.get_by_label("Copy this link now: it is shown only once.")
    expect(field).to_be_visible()
    assert field.get_attribute("readonly") is not None
    assert "/feed/" in field.input_value()
    # Buttons that would do nothing without the script are not shown.
    expect(page.get_by_role("button", name="Copy", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Share", exact=True)).to_be_hidden()
    page.screenshot(path=str(SHOTS / "calendar-link-phone-nojs.png"), full_page=True)
    context.close()
