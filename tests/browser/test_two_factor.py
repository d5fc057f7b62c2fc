"""Two-step sign-in on a phone: a responder turns it on from their profile and
signs in with a code and with a recovery code; a wrong code is refused; a
coordinator must set it up before anything else opens."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from crisisline.models import TwoFactor
from tests.browser.audit import audit
from tests.browser.conftest import PHONE
from tests.factory import PASSWORD, fresh_code, make_person


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def password_step(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def type_code(page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.get_by_label("Code").press("Enter")


@pytest.mark.django_db(transaction=True)
def test_a_responder_turns_on_two_steps_and_signs_in_with_a_code_and_a_recovery_code(
    phone, html_checker
):
    sam = make_person("sam", "Responder", display_name="Sam Responder")
    password_step(phone, "sam")
    phone.wait_for_url("**/oncall/")  # no second step yet

    # From the profile: set up an authenticator.
    phone.goto("/profile/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Two-step sign-in").click()
    expect(phone.get_by_text("Two-step sign-in is off.")).to_be_visible()
    with phone.expect_navigation():
        phone.get_by_role("link", name="Set up two-step sign-in").click()
    qr = phone.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["width"] == pytest.approx(box["height"], abs=1)
    assert fits_the_phone(phone)
    audit(phone, html_checker)
    secret = phone.get_by_label("Cannot scan?").input_value().replace(" ", "")
    assert secret == TwoFactor.objects.get(person=sam).secret
    totp = pyotp.TOTP(secret)

    # A wrong code is refused and turns nothing on.
    type_code(phone, "000000" if totp.now() != "000000" else "111111")
    expect(phone.get_by_text("That code is not right")).to_be_visible()
    assert not sam.has_two_factor

    type_code(phone, totp.now())
    expect(phone.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = phone.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    expect(phone.get_by_role("link", name="Save as a text file")).to_be_visible()
    assert fits_the_phone(phone)
    audit(phone, html_checker)
    with phone.expect_navigation():
        phone.get_by_role("link", name="I have saved them, continue").click()
    expect(phone.get_by_text("Two-step sign-in is on.").first).to_be_visible()
    sign_out(phone)

    # Next sign-in: the password, then a code from the app.
    password_step(phone, "sam")
    phone.wait_for_url("**/accounts/login/code/")
    assert fits_the_phone(phone)
    audit(phone, html_checker)
    type_code(phone, "123")
    expect(phone.get_by_text("That code is not right")).to_be_visible()
    type_code(phone, fresh_code(sam))
    phone.wait_for_url("**/oncall/")
    sign_out(phone)

    # Without the phone: a recovery code, once.
    password_step(phone, "sam")
    type_code(phone, codes[0])
    phone.wait_for_url("**/oncall/")
    sign_out(phone)
    password_step(phone, "sam")
    type_code(phone, codes[0])
    expect(phone.get_by_text("already used")).to_be_visible()
    assert phone.url.endswith("/accounts/login/code/")


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_sets_up_two_steps_before_anything_else(phone, html_checker):
    rosa = make_person("rosa", "Coordinator", "Responder", display_name="Rosa Coordinator")
    password_step(phone, "rosa")
    phone.wait_for_url("**/accounts/login/set-up/")
    expect(phone.get_by_text("Set it up now to finish signing in")).to_be_visible()
    assert fits_the_phone(phone)
    audit(phone, html_checker)

    # Nothing else opens in the meantime.
    phone.goto("/people/")
    assert "/accounts/login/" in phone.url
    phone.goto("/accounts/login/set-up/")

    secret = phone.get_by_label("Cannot scan?").input_value().replace(" ", "")
    type_code(phone, pyotp.TOTP(secret).now())
    expect(phone.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    with phone.expect_navigation():
        phone.get_by_role("link", name="I have saved them, continue").click()
    phone.wait_for_url("**/oncall/")
    assert rosa.has_two_factor
    phone.goto("/people/")
    expect(phone.get_by_role("heading", name="People")).to_be_visible()
