"""Two-step sign-in: codes from an authenticator app (RFC 6238) and recovery codes."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from calls.unlock import PENDING_FIELD, SESSION_FIELD
from crisisline.models import RecoveryCode, TwoFactor
from crisisline.throttle import DEVICE_COOKIE
from crisisline.tokens import password_links
from crisisline.twofactor import PENDING
from tests.conftest import client_for
from tests.factory import PASSWORD, make_person


def turn_on(person) -> tuple[pyotp.TOTP, list[str]]:
    """An authenticator confirmed for `person`, as enrolment leaves it."""
    device = TwoFactor.objects.create(
        person=person, secret=pyotp.random_base32(), confirmed_at=timezone.now()
    )
    return pyotp.TOTP(device.secret), RecoveryCode.issue_for(person)


def code_at(totp: pyotp.TOTP, steps_from_now: int = 0) -> str:
    return totp.generate_otp(totp.timecode(timezone.now()) + steps_from_now)


def password_step(client, username, next_url=""):
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": PASSWORD})


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Signing in with a code ---------------------------------------------------------


def test_with_two_step_on_the_password_alone_signs_nobody_in(client, responder):
    turn_on(responder)
    response = password_step(client, "resp")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/"
    assert not is_signed_in(client)
    # Nothing else opens in between.
    assert client.get("/oncall/")["Location"].startswith("/accounts/login/")


def test_the_right_code_signs_in_and_goes_on_to_next(client, responder):
    totp, _codes = turn_on(responder)
    password_step(client, "resp", next_url="/protocols/")
    page = client.get("/accounts/login/code/")
    assert "authenticator app" in page.content.decode()
    response = client.post("/accounts/login/code/", {"code": code_at(totp)})
    assert response.status_code == 302
    assert response["Location"] == "/protocols/"
    assert is_signed_in(client)
    assert PENDING not in client.session
    assert client.get("/oncall/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, responder):
    totp, _codes = turn_on(responder)
    password_step(client, "resp")
    wrong = "000000" if code_at(totp) != "000000" else "111111"
    response = client.post("/accounts/login/code/", {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)


def test_a_code_is_never_accepted_twice(client, responder):
    totp, _codes = turn_on(responder)
    code = code_at(totp)
    password_step(client, "resp")
    assert client.post("/accounts/login/code/", {"code": code}).status_code == 302
    someone_else = Client()
    password_step(someone_else, "resp")
    response = someone_else.post("/accounts/login/code/", {"code": code})
    assert "already used" in response.content.decode()
    assert not is_signed_in(someone_else)
    # Nor an older code once a newer one was used.
    response = someone_else.post("/accounts/login/code/", {"code": code_at(totp, -1)})
    assert not is_signed_in(someone_else)


def test_a_phone_clock_one_step_off_is_still_accepted(client, responder):
    totp, _codes = turn_on(responder)
    password_step(client, "resp")
    assert client.post("/accounts/login/code/", {"code": code_at(totp, -1)}).status_code == 302
    assert is_signed_in(client)


def test_wrong_codes_are_throttled_like_passwords(client, responder):
    totp, _codes = turn_on(responder)
    password_step(client, "resp")
    for _ in range(5):
        client.post("/accounts/login/code/", {"code": "12345"})
    response = client.post("/accounts/login/code/", {"code": code_at(totp)})
    assert "Too many wrong codes" in response.content.decode()
    assert not is_signed_in(client)
    # Starting over from another browser does not reset the count.
    other = Client()
    password_step(other, "resp")
    response = other.post("/accounts/login/code/", {"code": code_at(totp)})
    assert "Too many wrong codes" in response.content.decode()


def test_a_recovery_code_signs_in_once(client, responder):
    _totp, codes = turn_on(responder)
    password_step(client, "resp")
    assert client.post("/accounts/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert is_signed_in(client)
    again = Client()
    password_step(again, "resp")
    response = again.post("/accounts/login/code/", {"code": codes[0]})
    assert "already used" in response.content.decode()
    assert not is_signed_in(again)


def test_recovery_codes_are_stored_only_as_keyed_digests(responder):
    _totp, codes = turn_on(responder)
    assert len(codes) == 10 and len(set(codes)) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_hash FROM crisisline_recoverycode")
        stored = " ".join(row[0] for row in cursor.fetchall())
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored


def test_the_code_step_times_out(client, responder):
    totp, _codes = turn_on(responder)
    password_step(client, "resp")
    session = client.session
    session[PENDING]["at"] -= 11 * 60
    session.save()
    response = client.post("/accounts/login/code/", {"code": code_at(totp)})
    assert response["Location"] == "/accounts/login/"
    assert not is_signed_in(client)


def test_the_code_page_without_a_password_first_sends_to_sign_in(client, db):
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"
    assert client.get("/accounts/login/set-up/")["Location"] == "/accounts/login/"


def test_code_step_wrong_method(client, responder):
    turn_on(responder)
    password_step(client, "resp")
    assert client.put("/accounts/login/code/").status_code == 405


# --- The note key waits for the second step ---------------------------------------------


def test_the_device_cookie_is_given_only_after_both_steps(client, responder):
    totp, _codes = turn_on(responder)
    password_step(client, "resp")
    assert DEVICE_COOKIE not in client.cookies
    client.post("/accounts/login/code/", {"code": code_at(totp)})
    assert client.cookies[DEVICE_COOKIE].value


def test_the_note_key_is_attached_only_after_the_second_step(client, responder):
    totp, _codes = turn_on(responder)
    password_step(client, "resp")
    assert SESSION_FIELD not in client.session  # never a fully unlocked session...
    assert PENDING_FIELD in client.session  # ...only the key held aside
    client.post("/accounts/login/code/", {"code": code_at(totp)})
    assert SESSION_FIELD in client.session
    assert PENDING_FIELD not in client.session
    # Notes open without being asked to sign in again.
    assert client.get("/notes/new/").status_code == 200


# --- Coordinators and administrators must use it ----------------------------------------


def test_a_coordinator_without_it_sets_it_up_before_anything_else(client, coordinator):
    response = password_step(client, "coord")
    assert response["Location"] == "/accounts/login/set-up/"
    assert not is_signed_in(client)
    assert client.get("/people/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/login/set-up/").content.decode()
    assert "<svg" in page and 'class="qr"' in page
    device = TwoFactor.objects.get(person=coordinator)
    assert device.confirmed_at is None
    grouped = " ".join(re.findall(".{1,4}", device.secret))
    assert grouped in page  # the key, for typing by hand
    # A reload shows the same key.
    assert grouped in client.get("/accounts/login/set-up/").content.decode()
    response = client.post("/accounts/login/set-up/", {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)
    totp = pyotp.TOTP(device.secret)
    response = client.post("/accounts/login/set-up/", {"code": code_at(totp)})
    assert response.status_code == 200
    shown = re.findall(r"<code>([a-z0-9-]+)</code>", response.content.decode())
    assert len(shown) == 10
    assert is_signed_in(client)
    assert coordinator.has_two_factor
    assert SESSION_FIELD in client.session
    assert client.get("/people/").status_code == 200
    # Next time, the code is asked for.
    client.post("/accounts/logout/")
    assert password_step(client, "coord")["Location"] == "/accounts/login/code/"
    assert client.post("/accounts/login/code/", {"code": shown[3]}).status_code == 302


def test_an_administrator_must_use_it_too(client, db):
    make_person("boss", is_superuser=True, is_staff=True)
    assert password_step(client, "boss")["Location"] == "/accounts/login/set-up/"


def test_a_coordinator_cannot_turn_it_off(coordinator):
    totp, _codes = turn_on(coordinator)
    client = client_for(coordinator)
    response = client.post("/accounts/two-step/off/", {"code": code_at(totp)})
    assert response.status_code == 302
    assert coordinator.has_two_factor


def test_a_responder_made_coordinator_sets_it_up_before_coordinating(as_coordinator, responder):
    client = Client()
    password_step(client, "resp")
    assert is_signed_in(client)  # the control: a responder signs in on a password alone
    from django.contrib.auth.models import Group

    coordinator_role = Group.objects.get(name="Coordinator")
    as_coordinator.post(f"/people/{responder.pk}/roles/", {"roles": [coordinator_role.pk]})
    assert client.get("/people/")["Location"].startswith("/accounts/login/")
    assert password_step(client, "resp")["Location"] == "/accounts/login/set-up/"


def test_a_responder_with_it_made_coordinator_stays_signed_in(as_coordinator, responder):
    totp, _codes = turn_on(responder)
    client = Client()
    password_step(client, "resp")
    client.post("/accounts/login/code/", {"code": code_at(totp)})
    from django.contrib.auth.models import Group

    coordinator_role = Group.objects.get(name="Coordinator")
    as_coordinator.post(f"/people/{responder.pk}/roles/", {"roles": [coordinator_role.pk]})
    assert client.get("/people/").status_code == 200


def test_a_coordinator_whose_two_step_is_reset_sets_it_up_again_before_going_on(as_coordinator, db):
    other = make_person("coord2", "Coordinator")
    totp, _codes = turn_on(other)
    lost_phone = Client()
    password_step(lost_phone, "coord2")
    lost_phone.post("/accounts/login/code/", {"code": code_at(totp)})
    assert lost_phone.get("/people/").status_code == 200  # the control
    as_coordinator.post(f"/people/{other.pk}/two-step/")
    assert lost_phone.get("/people/")["Location"].startswith("/accounts/login/")


# --- Optional for everyone else, from the profile -----------------------------------------


def test_a_responder_turns_it_on_from_the_profile(as_responder, responder):
    assert "/accounts/two-step/" in as_responder.get("/profile/").content.decode()
    page = as_responder.get("/accounts/two-step/").content.decode()
    assert "Two-step sign-in is off" in page
    assert "<svg" in as_responder.get("/accounts/two-step/set-up/").content.decode()
    totp = pyotp.TOTP(TwoFactor.objects.get(person=responder).secret)
    response = as_responder.post("/accounts/two-step/set-up/", {"code": code_at(totp)})
    assert len(re.findall(r"<code>", response.content.decode())) == 10
    assert response["Cache-Control"].startswith("max-age=0")
    assert responder.has_two_factor


def test_turning_off_needs_a_current_code(as_responder, responder):
    totp, _codes = turn_on(responder)
    response = as_responder.post("/accounts/two-step/off/", {"code": "000000"})
    assert response.status_code == 400
    assert "Nothing changed" in response.content.decode()
    assert responder.has_two_factor
    response = as_responder.post("/accounts/two-step/off/", {"code": code_at(totp)})
    assert response.status_code == 302
    assert not responder.has_two_factor
    assert not RecoveryCode.objects.filter(person=responder).exists()


def test_new_recovery_codes_replace_the_old_ones(as_responder, responder):
    totp, old = turn_on(responder)
    response = as_responder.post("/accounts/two-step/recovery-codes/", {"code": code_at(totp)})
    new = re.findall(r"<code>([a-z0-9-]+)</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not RecoveryCode.use(responder, old[0])
    assert RecoveryCode.use(responder, new[0])


def test_new_recovery_codes_need_a_current_code(as_responder, responder):
    _totp, old = turn_on(responder)
    response = as_responder.post("/accounts/two-step/recovery-codes/", {"code": ""})
    assert response.status_code == 400
    assert RecoveryCode.use(responder, old[0])


@pytest.mark.parametrize(
    "path",
    ["/accounts/two-step/", "/accounts/two-step/set-up/", "/accounts/two-step/off/"],
)
def test_the_two_step_pages_need_a_sign_in(client, db, path):
    assert client.get(path)["Location"].startswith("/accounts/login/")


# --- Cleared by deactivation, password resets and coordinators ------------------------------


def test_deactivation_clears_it(coordinator, responder):
    turn_on(responder)
    client_for(coordinator).post(f"/people/{responder.pk}/deactivate/")
    assert not TwoFactor.objects.filter(person=responder).exists()
    assert not RecoveryCode.objects.filter(person=responder).exists()


def test_a_password_reset_clears_it(client, responder):
    turn_on(responder)
    uid = urlsafe_base64_encode(force_bytes(responder.pk))
    link = f"/accounts/reset/{uid}/{password_links.make_token(responder)}/"
    form_url = client.get(link)["Location"]
    new = "another long passphrase"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    assert not responder.has_two_factor
    assert not RecoveryCode.objects.filter(person=responder).exists()


def test_a_coordinator_resets_a_teammates_two_step_sign_in(as_coordinator, responder):
    turn_on(responder)
    assert f"/people/{responder.pk}/two-step/" in as_coordinator.get("/people/").content.decode()
    page = as_coordinator.get(f"/people/{responder.pk}/two-step/").content.decode()
    assert "Reset two-step sign-in" in page
    assert responder.has_two_factor  # the page alone changes nothing
    response = as_coordinator.post(f"/people/{responder.pk}/two-step/")
    assert response["Location"] == "/people/"
    assert not responder.has_two_factor


def test_only_an_administrator_resets_an_administrators(as_coordinator, db):
    boss = make_person("boss", is_superuser=True, is_staff=True)
    turn_on(boss)
    response = as_coordinator.post(f"/people/{boss.pk}/two-step/", follow=True)
    assert "Only an administrator can reset" in response.content.decode()
    assert boss.has_two_factor
    other = make_person("boss2", is_superuser=True, is_staff=True)
    client_for(other).post(f"/people/{boss.pk}/two-step/")
    assert not boss.has_two_factor


def test_others_cannot_reset_it(as_responder, responder, trainer):
    turn_on(trainer)
    assert as_responder.post(f"/people/{trainer.pk}/two-step/").status_code == 403
    assert trainer.has_two_factor


def test_an_unconfirmed_authenticator_signs_nobody_in(client, responder):
    device = TwoFactor.objects.create(person=responder, secret=pyotp.random_base32())
    # Without a confirmed authenticator, a responder signs in with the password alone.
    assert password_step(client, "resp")["Location"] == "/oncall/"
    assert not TwoFactor.objects.get(pk=device.pk).accept("") and not responder.has_two_factor


def test_an_old_pending_timestamp_is_not_trusted(client, responder):
    turn_on(responder)
    password_step(client, "resp")
    session = client.session
    session[PENDING]["at"] = (timezone.now() - timedelta(hours=1)).timestamp()
    session.save()
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"


def test_a_post_alone_never_makes_a_key(as_responder, responder):
    response = as_responder.post("/accounts/two-step/set-up/", {"code": "123456"})
    assert response["Location"] == "/accounts/two-step/set-up/"
    assert not TwoFactor.objects.filter(person=responder).exists()


def test_the_pending_keyring_share_is_destroyed_once_the_code_passes(client, responder):
    from calls import keyring

    totp, _codes = turn_on(responder)
    password_step(client, "resp")
    pending_share = client.session[PENDING_FIELD]["share"]
    assert pending_share in keyring.shares()
    client.post("/accounts/login/code/", {"code": code_at(totp)})
    assert pending_share not in keyring.shares()
    assert client.session["calls.notekey.share"] in keyring.shares()


@pytest.mark.parametrize("code", ["²²²²²²", "١٢٣٤٥٦", "１２３４５６"])
def test_a_code_of_digits_outside_ascii_is_refused_not_an_error(client, responder, code):
    """'١٢٣٤٥٦'.isdigit() is True, and comparing it with a code raised TypeError (a 500)."""
    turn_on(responder)
    password_step(client, "resp")
    response = client.post("/accounts/login/code/", {"code": code})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)
