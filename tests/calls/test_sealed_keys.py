"""Each person's note key pair: made at a first sign-in or on joining, unlocked by
their password only, re-wrapped on a password change, replaced on a reset."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from calls import sealing
from calls.models import CallNote, NoteKeys
from calls.unlock import COOKIE_NAME, SESSION_FIELD
from crisisline.models import Invitation
from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, give_keys, later, note_form, read_body, write_note
from tests.factory import PASSWORD, make_person

NEW_PASSWORD = "another horse, another staple 2026"


def key_row(person) -> dict:
    return NoteKeys.objects.values().get(person=person)


def test_a_first_sign_in_makes_a_key_pair_that_only_the_password_opens(responder):
    assert not NoteKeys.objects.filter(person=responder).exists()
    client_for(responder)
    keys = NoteKeys.objects.get(person=responder)
    assert len(bytes(keys.public_key)) == 32 and len(bytes(keys.salt)) == 16
    private = keys.unlock(PASSWORD)
    assert sealing.public_bytes_of(private) == bytes(keys.public_key)
    # The private key is stored only wrapped; the password is stored nowhere.
    raw = sealing.private_bytes(private)
    assert raw not in bytes(keys.wrapped_private_key)
    assert PASSWORD.encode() not in b"".join(
        bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        for value in key_row(responder).values()
    )
    with pytest.raises(sealing.WrongPassword):
        keys.unlock("not the password at all")


def test_argon2_parameters_are_stored_with_the_key_and_production_ones_are_strong(
    responder, settings
):
    client_for(responder)
    keys = NoteKeys.objects.get(person=responder)
    assert keys.argon2_time_cost == 3 and keys.argon2_parallelism == 1
    assert keys.argon2_memory_kib == 8  # the cheap test setting from pyproject
    settings.NOTE_KEY_ARGON2_MEMORY_KIB = 64 * 1024  # production default: test_settings.py
    assert sealing.argon2_cost() == sealing.Argon2Cost(3, 64 * 1024, 1)
    # A key wrapped at one cost still opens after the cost for new wraps changes.
    settings.NOTE_KEY_ARGON2_MEMORY_KIB = 16
    assert sealing.public_bytes_of(keys.unlock(PASSWORD)) == bytes(keys.public_key)


def test_the_note_key_cookie_is_http_only_strict_secure_and_dies_with_the_browser(responder):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": responder.username, "password": PASSWORD}
    )
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Strict"
    assert not cookie["max-age"] and not cookie["expires"]
    assert len(cookie.value) >= 43  # 32 random bytes
    # The session holds only the key encrypted under that secret.
    session = Session.objects.get(session_key=client.session.session_key).get_decoded()
    private = NoteKeys.objects.get(person=responder).unlock(PASSWORD)
    held = session[SESSION_FIELD]
    assert sealing.private_bytes(private).hex() not in held
    assert cookie.value not in str(session)


def test_a_wrong_password_at_sign_in_changes_no_key(responder):
    client_for(responder)
    before = key_row(responder)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": responder.username, "password": "wrong password"}
    )
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert COOKIE_NAME not in response.cookies
    assert key_row(responder) == before


def test_joining_through_an_invitation_makes_the_key_pair_and_unlocks_it(coordinator):
    roles = list(Group.objects.filter(name=RESPONDER))
    _invitation, token = Invitation.issue(created_by=coordinator, roles=roles, label="New")
    client = Client()
    response = client.post(
        f"/invite/{token}/",
        {
            "username": "newcomer",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "display_name": "Newcomer",
            "pronouns": "",
            "phone": "",
            "email": "",
            "max_shifts_per_month": "8",
            "min_rest_hours": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert COOKIE_NAME in response.cookies
    keys = NoteKeys.objects.get(person__username="newcomer")
    keys.unlock(NEW_PASSWORD)
    # They can write a note at once, and read it in this session.
    saved = client.post("/notes/new/", note_form(body="first note of a newcomer"))
    assert saved.status_code == 302
    assert "first note of a newcomer" in client.get(saved["Location"]).content.decode()


def test_a_password_change_rewraps_the_same_key(responder):
    client = client_for(responder)
    note = write_note(responder, "before the change")
    public_before = bytes(NoteKeys.objects.get(person=responder).public_key)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    keys = NoteKeys.objects.get(person=responder)
    assert bytes(keys.public_key) == public_before
    with pytest.raises(sealing.WrongPassword):
        keys.unlock(PASSWORD)
    keys.unlock(NEW_PASSWORD)
    # Still open in this session (it stays signed in), and after signing in anew.
    assert "before the change" in client.get(f"/notes/{note.public_id}/").content.decode()
    fresh = client_for(responder, NEW_PASSWORD)
    assert "before the change" in fresh.get(f"/notes/{note.public_id}/").content.decode()
    assert read_body(note, responder, NEW_PASSWORD) == "before the change"


def test_a_wrong_old_password_changes_neither_password_nor_key(responder):
    client = client_for(responder)
    before = key_row(responder)
    response = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert key_row(responder) == before


def reset(person, password: str) -> Client:
    from crisisline.tokens import password_links

    client = Client()
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = password_links.make_token(person)
    page = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    html = page.content.decode()
    assert "Notes sealed to your old key can no longer be opened" in html
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302 and response["Location"].endswith("/reset/done/")
    return client


def test_a_reset_makes_a_new_key_pair_old_notes_closed_new_ones_fine(responder):
    teammate = make_person("mate", RESPONDER)
    give_keys(teammate)
    old = write_note(
        responder, "sealed to the old key", follow_up_to=teammate, follow_up_by=later(days=2).date()
    )
    public_before = bytes(NoteKeys.objects.get(person=responder).public_key)
    reset(responder, NEW_PASSWORD)
    keys = NoteKeys.objects.get(person=responder)
    assert bytes(keys.public_key) != public_before
    client = client_for(responder, NEW_PASSWORD)
    page = client.get(f"/notes/{old.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "sealed to your previous key and can no longer be opened" in html
    assert "sealed to the old key" not in html
    # The teammate's copy is unaffected.
    mate_page = client_for(teammate).get(f"/notes/{old.public_id}/").content.decode()
    assert "sealed to the old key" in mate_page
    # New notes are sealed to the new key.
    saved = client.post("/notes/new/", note_form(body="sealed to the new key"))
    assert "sealed to the new key" in client.get(saved["Location"]).content.decode()


def test_the_coordinators_reset_link_page_says_old_notes_become_unreadable(
    as_coordinator, responder
):
    html = as_coordinator.post(f"/people/{responder.pk}/reset-link/").content.decode()
    assert "the notes sealed to their old key can no longer be opened" in html


def test_a_password_set_outside_the_app_gives_a_new_key_at_the_next_sign_in(responder, caplog):
    client_for(responder)
    public_before = bytes(NoteKeys.objects.get(person=responder).public_key)
    responder.set_password(NEW_PASSWORD)  # e.g. manage.py changepassword
    responder.save()
    with caplog.at_level(logging.WARNING):
        client = client_for(responder, NEW_PASSWORD)
    assert bytes(NoteKeys.objects.get(person=responder).public_key) != public_before
    assert NEW_PASSWORD not in caplog.text and PASSWORD not in caplog.text
    saved = client.post("/notes/new/", note_form(body="after an outside change"))
    assert "after an outside change" in client.get(saved["Location"]).content.decode()


def test_a_note_key_row_refuses_malformed_keys(responder):
    from django.db import IntegrityError, transaction

    give_keys(responder)
    for field, value in (("public_key", b"short"), ("salt", b"")):
        with pytest.raises(IntegrityError), transaction.atomic():
            NoteKeys.objects.filter(person=responder).update(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteKeys.objects.filter(person=responder).update(argon2_memory_kib=1)


def test_expired_and_sealed_notes_remain_invisible_once_expired(responder):
    note = write_note(responder, "short", keep_hours=1)
    client = client_for(responder)
    from tests.calls.conftest import clock_at

    with clock_at(timezone.now() + timedelta(hours=2)):
        # Its reader is told it is gone, and nothing of what it said.
        page = client.get(f"/notes/{note.public_id}/")
        assert page.status_code == 410
        assert "short" not in page.content.decode()
    # Its hour is over: the page that noticed it purged it, without waiting for the purge.
    assert not CallNote.including_expired.filter(pk=note.pk).exists()
