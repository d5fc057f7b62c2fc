from urllib.parse import urlencode

import pytest
from django.db import connection
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from crisisline.models import FailedSignIn
from crisisline.roles import COORDINATOR, TRAINER
from crisisline.tokens import password_links
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


@pytest.mark.parametrize("role", [COORDINATOR, TRAINER, None])
def test_people_who_do_not_respond_land_on_the_dashboard(client, db, role):
    make_person("other", *([role] if role else []))
    response = sign_in(client, "other", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/home/"


def test_a_coordinator_who_also_responds_lands_on_call_now(client, coordinator):
    assert sign_in(client, "coord", PASSWORD)["Location"] == "/oncall/"


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


def test_account_is_throttled_after_five_failures_even_from_new_addresses(client, responder):
    for attempt in range(5):
        sign_in(client, "resp", "wrong", address=f"198.51.100.{attempt}")
    response = sign_in(client, "RESP", PASSWORD, address="198.51.100.99")
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_client_is_throttled_after_twenty_failures_across_accounts(client, responder):
    for attempt in range(20):
        sign_in(client, f"guess{attempt}", "wrong")
    response = sign_in(client, "resp", PASSWORD)
    assert "Too many failed sign-ins" in response.content.decode()
    # Another client can still sign in to the same account.
    assert sign_in(client, "resp", PASSWORD, address="192.0.2.1").status_code == 302


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
    for attempt in range(20):
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
