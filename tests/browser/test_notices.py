"""Notices on a phone, with and without JavaScript: a coordinator posts one and
withdraws another posted by mistake (after asking), a responder sees the one left on
/oncall/, and once its last day is over it is gone and the purge has deleted it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import Notice
from calls.purge import purge_expired
from tests.browser.audit import audit, shown_html
from tests.browser.conftest import sign_in, touch_phone
from tests.browser.journeys import restore_roles
from tests.factory import PASSWORD, make_person


def phone_page(chromium, live_server, javascript: bool):
    context = touch_phone(chromium, live_server, javascript=javascript)
    return context, context.new_page()


def post_notice(page, text: str) -> None:
    page.get_by_label("Notice").fill(text)
    page.get_by_label("Show it until (last day)").fill(timezone.localdate().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Post the notice").click()
    expect(page.locator(".messages")).to_contain_text("Notice posted.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_notice_is_posted_a_mistaken_one_withdrawn_and_the_rest_expire(
    chromium, live_server, html_checker, javascript
):
    restore_roles()
    make_person("sam", "Responder", display_name="Sam Responder")
    make_person("rosa", "Coordinator", display_name="Rosa Coordinator")
    context, page = phone_page(chromium, live_server, javascript)
    try:
        sign_in(page, "rosa", PASSWORD)
        page.goto("/notices/")
        post_notice(page, "The food bank on 5th is closed today.")
        post_notice(page, "Posted to the wrong line.")
        mistaken = page.locator("li", has_text="Posted to the wrong line.")
        mistaken.get_by_role("link", name="Withdraw").click()
        if javascript:  # the question takes the link's place
            question = page.locator("form.ask-inline")
            assert "Withdraw this notice?" in question.inner_text()
            audit(page, html_checker)
            with page.expect_navigation():
                question.get_by_role("button", name="Withdraw").click()
        else:  # a page asks
            expect(page.get_by_role("heading", name="Withdraw this notice?")).to_be_visible()
            assert not html_checker.errors(shown_html(page))
            with page.expect_navigation():
                page.get_by_role("button", name="Withdraw").click()
        expect(page.locator(".messages")).to_contain_text("Notice withdrawn.")
        assert "Posted to the wrong line." not in page.content()
        assert list(Notice.objects.values_list("text", flat=True)) == [
            "The food bank on 5th is closed today."
        ]
    finally:
        context.close()

    context, page = phone_page(chromium, live_server, javascript)
    try:
        sign_in(page, "sam", PASSWORD)
        page.goto("/oncall/")
        expect(page.get_by_text("The food bank on 5th is closed today.")).to_be_visible()
        assert "Posted to the wrong line." not in page.content()
        tomorrow = datetime.combine(timezone.localdate() + timedelta(days=1), time(0, 5))
        with time_machine.travel(timezone.make_aware(tomorrow), tick=True):
            page.reload()
            assert "The food bank on 5th is closed today." not in page.content()
            purge_expired()
        assert not Notice.objects.exists()
    finally:
        context.close()
