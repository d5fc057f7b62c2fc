from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from crisisline.models import FailedSignIn
from crisisline.roles import COORDINATOR, TRAINER
from crisisline.throttle import DEVICE_COOKIE
from crisisline.tokens import password_links
from crisisline.twofactor import PENDING
from tests.factory import PASSWORD, make_person


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_form_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_a_responder_lands_on_who_is_on_call_now(client, responder):
    response = sign_in(client, "resp", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/oncall/"
    assert client.get("/oncall/").status_code == 200


@pytest.mark.parametrize("role", [TRAINER, None])
def test_people_who_do_not_respond_land_on_the_dashboard(client, db, role):
    make_person("other", *([role] if role else []))
    response = sign_in(client, "other", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/home/"


def test_coordinators_land_there_too_after_the_second_step(client, db):
    make_person("other", COORDINATOR)
    assert sign_in(client, "other", PASSWORD)["Location"] == "/accounts/login/set-up/"
    assert client.session[PENDING]["next"] == "/home/"


def test_a_coordinator_who_also_responds_lands_on_call_now(client, coordinator):
    assert sign_in(client, "coord", PASSWORD)["Location"] == "/accounts/login/set-up/"
    assert client.session[PENDING]["next"] == "/oncall/"


def test_next_still_wins_when_it_is_on_this_site(client, responder):
    response = client.post(
        "/accounts/login/?next=/protocols/", {"username": "resp", "password": PASSWORD}
    )
    assert response["Location"] == "/protocols/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_to_another_site_is_ignored(client, responder, target):
    response = client.post(
        "/accounts/login/", {"username": "resp", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/oncall/"


def test_signed_in_responder_opening_sign_in_goes_on_to_call_now(as_responder):
    response = as_responder.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/oncall/"


def test_sign_in_wrong_method(client, responder):
    body = urlencode({"username": "resp", "password": PASSWORD})
    response = client.put("/accounts/login/", body, "application/x-www-form-urlencoded")
    assert response.status_code == 405
    assert "_auth_user_id" not in client.session


def test_password_change_wrong_method(as_responder, responder):
    new = "another long passphrase"
    body = urlencode({"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    response = as_responder.put("/accounts/password/", body, "application/x-www-form-urlencoded")
    assert response.status_code == 405
    responder.refresh_from_db()
    assert responder.check_password(PASSWORD)


def test_password_reset_confirm_wrong_method(client, responder):
    uid = urlsafe_base64_encode(force_bytes(responder.pk))
    link = f"/accounts/reset/{uid}/{password_links.make_token(responder)}/"
    new = "another long passphrase"
    body = urlencode({"new_password1": new, "new_password2": new})
    # Neither the emailed link nor the form it leads to accepts a PUT.
    assert client.put(link, body, "application/x-www-form-urlencoded").status_code == 405
    form_url = client.get(link)["Location"]
    assert form_url.endswith("/set-password/")
    response = client.put(form_url, body, "application/x-www-form-urlencoded")
    assert response.status_code == 405
    responder.refresh_from_db()
    assert responder.check_password(PASSWORD)
    # The link still works by POST, as it should.
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302


def test_wrong_password_gives_a_clear_message(client, responder):
    response = sign_in(client, "resp", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_person_cannot_sign_in(client, deactivated):
    response = sign_in(client, "gone", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_from_that_client_only(client, responder):
    for _ in range(5):
        sign_in(client, "resp", "wrong")
    response = sign_in(client, "RESP", PASSWORD)
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Knowing the username is not enough to lock its owner out elsewhere.
    assert sign_in(Client(), "resp", PASSWORD, address="192.0.2.1").status_code == 302


def test_an_account_is_locked_everywhere_after_many_failures_from_many_addresses(client, responder):
    for attempt in range(20):
        sign_in(client, "resp", "wrong", address=f"198.51.100.{attempt}")
    response = sign_in(client, "resp", PASSWORD, address="198.51.100.99")
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_browser_that_signed_in_before_keeps_signing_in_through_an_account_lock(
    client, responder
):
    own_phone = Client()
    assert sign_in(own_phone, "resp", PASSWORD).status_code == 302
    assert DEVICE_COOKIE in own_phone.cookies
    own_phone.post("/accounts/logout/")
    # The device cookie outlives signing out (it opens nothing by itself).
    assert own_phone.cookies[DEVICE_COOKIE].value
    for attempt in range(25):
        sign_in(client, "resp", "wrong", address=f"198.51.100.{attempt}")
    assert "Too many" in sign_in(Client(), "resp", PASSWORD, address="192.0.2.9").content.decode()
    # The owner's own phone is not locked out, from any address.
    assert sign_in(own_phone, "resp", PASSWORD, address="192.0.2.200").status_code == 302


def test_a_teammates_own_browser_signs_in_behind_a_locked_office_address(client, responder):
    assert sign_in(client, "resp", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for attempt in range(50):
        sign_in(Client(), f"guess{attempt}", "wrong")
    newcomer = make_person("newcomer")
    assert "Too many" in sign_in(Client(), newcomer.username, PASSWORD).content.decode()
    assert sign_in(client, "resp", PASSWORD).status_code == 302


def test_a_device_cookie_is_only_trusted_for_its_own_account(client, responder):
    make_person("other")
    assert sign_in(client, "other", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for attempt in range(20):
        sign_in(Client(), "resp", "wrong", address=f"198.51.100.{attempt}")
    assert "Too many" in sign_in(client, "resp", PASSWORD).content.decode()


def test_a_device_cookie_that_fails_too_often_is_no_longer_trusted(client, responder):
    assert sign_in(client, "resp", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for attempt in range(20):
        sign_in(Client(), "resp", "wrong", address=f"198.51.100.{attempt}")
    # Five wrong passwords from the trusted browser, each from a new address...
    for attempt in range(5):
        sign_in(client, "resp", "wrong", address=f"192.0.2.{attempt}")
    # ...and it is held to the account's lock like any other browser.
    response = sign_in(client, "resp", PASSWORD, address="192.0.2.50")
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_forged_or_expired_device_cookie_is_not_trusted(client, responder, settings):
    assert sign_in(client, "resp", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    genuine = client.cookies[DEVICE_COOKIE].value
    for attempt in range(20):
        sign_in(Client(), "resp", "wrong", address=f"198.51.100.{attempt}")
    client.cookies[DEVICE_COOKIE] = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    assert "Too many" in sign_in(client, "resp", PASSWORD).content.decode()
    client.cookies[DEVICE_COOKIE] = genuine
    settings.DEVICE_COOKIE_DAYS = 0
    assert "Too many" in sign_in(client, "resp", PASSWORD).content.decode()


def test_the_device_cookie_names_no_account_or_key_in_clear(client, responder):
    response = sign_in(client, "resp", PASSWORD)
    cookie = response.cookies[DEVICE_COOKIE]
    assert "resp" not in cookie.value.lower()
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) == 90 * 24 * 3600
    assert "notekey" not in cookie.value


def test_client_is_throttled_after_fifty_failures_across_accounts(client, responder):
    for attempt in range(50):
        sign_in(client, f"guess{attempt}", "wrong")
    response = sign_in(client, "resp", PASSWORD)
    assert "Too many failed sign-ins" in response.content.decode()
    # Another client can still sign in to the same account.
    assert sign_in(client, "resp", PASSWORD, address="192.0.2.1").status_code == 302


def test_an_office_behind_one_address_is_not_locked_out_by_a_few_mistakes(client, db):
    for number in range(10):
        make_person(f"staff{number}")
        sign_in(Client(), f"staff{number}", "wrong")
        sign_in(Client(), f"staff{number}", "wrong again")
    assert sign_in(Client(), "staff0", PASSWORD).status_code == 302


def test_throttle_expires_after_its_window(client, responder, settings):
    for _ in range(5):
        sign_in(client, "resp", "wrong")
    FailedSignIn.objects.update(at=FailedSignIn.objects.first().at.replace(year=2000))
    assert sign_in(client, "resp", PASSWORD).status_code == 302


def test_success_forgets_the_accounts_failures(client, responder):
    for _ in range(4):
        sign_in(client, "resp", "wrong")
    assert sign_in(client, "resp", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "resp", "wrong")
    assert sign_in(client, "resp", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_neither_address_nor_username_is_stored(client, responder):
    sign_in(client, "resp", "wrong", address="203.0.113.77")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM crisisline_failedsignin")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert stored  # the failure was recorded...
    assert "203.0.113.77" not in stored  # ...but only as keyed hashes
    assert "resp" not in stored


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(client, responder, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for attempt in range(50):
        client.post(
            "/accounts/login/",
            {"username": f"g{attempt}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
    # A different real client behind the same proxy is not throttled.
    response = client.post(
        "/accounts/login/",
        {"username": "resp", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert response.status_code == 302


def test_sign_out_needs_post(as_responder):
    assert as_responder.get("/accounts/logout/").status_code == 405
    assert as_responder.post("/accounts/logout/").status_code == 302
    assert as_responder.get("/home/").status_code == 302
