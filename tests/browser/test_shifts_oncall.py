"""A responder on a phone: who is on call, call links, claiming an open place."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crisisline.models import Skill
from shifts.models import Assignment, Position, Shift, Slot
from tests.browser.audit import audit
from tests.browser.conftest import sign_in, touch_phone
from tests.factory import PASSWORD, grant, make_person


def shift_with(position, start, hours=4):
    shift = Shift.objects.create(start=start, end=start + timedelta(hours=hours))
    Slot.objects.create(shift=shift, position=position, min_people=1, capacity=position.max_people)
    return shift


@pytest.mark.django_db(transaction=True)
def test_responder_sees_who_is_on_call_and_claims_a_place(phone, html_checker):
    make_person("sam", "Responder", display_name="Sam Responder")
    ana = make_person(
        "ana", "Responder", display_name="Ana Holder", pronouns="she/her", phone="+1 555 010 7777"
    )
    training = Skill.objects.create(name="Line holder training")
    grant(ana, training)
    holder = Position.objects.create(
        name="Line holder", min_people=1, max_people=1, required_skill=training, holds_line=True
    )
    responder = Position.objects.create(name="Responder", min_people=1, max_people=2, order=1)
    now = timezone.now().replace(microsecond=0)
    current = shift_with(holder, now - timedelta(hours=1))
    Slot.objects.filter(shift=current).update(taken=1)
    Assignment.objects.create(slot=Slot.objects.get(shift=current), shift=current, person=ana)
    later = shift_with(responder, now + timedelta(days=2))

    sign_in(phone, "sam", PASSWORD)
    phone.goto("/oncall/")
    assert phone.get_by_role("heading", level=1).inner_text() == "On call now"
    expect(phone.get_by_text("Ana Holder")).to_be_visible()
    assert (
        phone.get_by_role("link", name="Call Ana Holder").get_attribute("href")
        == "tel:+15550107777"
    )
    assert (
        phone.get_by_role("link", name="Text Ana Holder").get_attribute("href")
        == "sms:+15550107777"
    )
    audit(phone, html_checker)

    phone.get_by_role("button", name="Take it").click()
    expect(phone.locator(".messages")).to_contain_text("You are on")
    assert Assignment.objects.filter(shift=later, person__username="sam").exists()

    phone.goto("/me/shifts/")
    audit(phone, html_checker)
    phone.get_by_role("button", name="Offer for a swap").click()
    expect(phone.locator(".messages")).to_contain_text("Offered for a swap.")

    phone.goto("/places/")
    audit(phone, html_checker)
    phone.goto("/me/time-off/")
    audit(phone, html_checker)
    phone.goto("/me/shift-settings/")
    audit(phone, html_checker)
    phone.get_by_role("button", name="Make my calendar link").click()
    link = phone.locator("#feed-link").input_value()
    assert "/feed/" in link
    assert phone.request.get(link).text().startswith("BEGIN:VCALENDAR")


@pytest.mark.django_db(transaction=True)
def test_on_call_refreshes_itself_without_javascript(chromium, live_server, monkeypatch):
    from shifts import oncall

    make_person("sam", "Responder", display_name="Sam Responder")
    # The next change is far off; make "refresh at the latest" two seconds for the test.
    monkeypatch.setattr(oncall, "REFRESH_MIN_SECONDS", 1)
    monkeypatch.setattr(oncall, "REFRESH_MAX_SECONDS", 2)
    context = touch_phone(chromium, live_server, javascript=False)
    page = context.new_page()
    try:
        sign_in(page, "sam", PASSWORD)
        page.goto("/oncall/")
        with page.expect_navigation(url="**/oncall/", timeout=10_000):
            pass  # nothing clicked: the page reloads itself
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_folded_notices_stay_open_while_the_board_refreshes(phone):
    from calls.models import Notice

    make_person("sam", "Responder", display_name="Sam Responder")
    now = timezone.now()

    def post(text, minutes_ago):
        Notice.objects.create(
            text=text,
            posted_at=now - timedelta(minutes=minutes_ago),
            expires_at=now + timedelta(days=2),
        )

    for minute in range(5, 0, -1):
        post(f"Closure number {minute}", minute)  # number 1 is the newest

    sign_in(phone, "sam", PASSWORD)
    phone.goto("/oncall/")
    phone.get_by_text("2 more notices").click()
    expect(phone.get_by_text("Closure number 5")).to_be_visible()

    post("A safety alert", 0)  # reaches the board with its next refresh
    with phone.expect_response("**/oncall/"):
        phone.get_by_role("link", name="Refresh").click()
    phone.get_by_text("A safety alert").wait_for()
    # The board is the new one (three notices fold now), and the fold is still open.
    expect(phone.get_by_text("3 more notices")).to_be_visible()
    expect(phone.get_by_text("Closure number 5")).to_be_visible()
    assert phone.locator("#more-notices").get_attribute("open") is not None


@pytest.mark.django_db(transaction=True)
def test_marking_a_folded_notice_read_without_javascript_keeps_the_fold_open(chromium, live_server):
    from calls.models import Notice

    make_person("sam", "Responder", display_name="Sam Responder")
    now = timezone.now()
    for minute in range(6, 0, -1):
        Notice.objects.create(
            text=f"Closure number {minute}",
            posted_at=now - timedelta(minutes=minute),
            expires_at=now + timedelta(days=2),
        )
    context = touch_phone(chromium, live_server, javascript=False)
    page = context.new_page()
    try:
        sign_in(page, "sam", PASSWORD)
        page.goto("/oncall/")
        page.get_by_text("3 more notices").click()
        folded = page.locator("li", has_text="Closure number 5")
        with page.expect_navigation():
            folded.get_by_role("button", name="Mark read").click()
        assert page.url.endswith("/oncall/#folded-notices")
        expect(page.get_by_text("2 more notices")).to_be_visible()
        expect(page.get_by_text("Closure number 6")).to_be_visible()  # the fold is open again
        assert "Closure number 5" not in page.content()
    finally:
        context.close()
