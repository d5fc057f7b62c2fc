"""In a real browser, signing out leaves no session or notekey cookie behind and
the response asks the browser to clear the site's cache and storage."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, make_person


@pytest.mark.django_db(transaction=True)
def test_sign_out_leaves_no_sign_in_cookie_in_the_browser(phone):
    make_person("responder", "Responder", display_name="Sam Responder")
    sign_in(phone, "responder", PASSWORD)
    phone.wait_for_url("**/oncall/")
    names = {cookie["name"] for cookie in phone.context.cookies()}
    assert {"sessionid", "notekey", "csrftoken"} <= names  # the control

    phone.evaluate("localStorage.setItem('left-behind', 'yes')")
    with phone.expect_response(lambda r: r.url.endswith("/accounts/logout/")) as signing_out:
        phone.get_by_role("button", name="Sign out").click()
    phone.wait_for_load_state()

    assert signing_out.value.all_headers()["clear-site-data"] == '"cache", "storage"'
    left = {cookie["name"] for cookie in phone.context.cookies()}
    assert "sessionid" not in left and "notekey" not in left
    assert phone.evaluate("localStorage.getItem('left-behind')") is None
    phone.goto("/home/")
    assert "/accounts/login/" in phone.url
