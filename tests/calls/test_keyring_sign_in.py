"""Signing in writes one share of the session's note key into the keyring. When
the keyring cannot take it (not writable, missing, emptied or another
database's) the sign-in still succeeds, with the notes locked and a clear
message; no share is written, and no directory is made in place of a lost one."""

from __future__ import annotations

import logging
import shutil

import pytest
from django.test import Client

from calls import keyring
from calls.unlock import SHARE_FIELD
from tests.calls.conftest import client_for, write_note
from tests.calls.test_keyring_unwritable import read_only_keyring  # noqa: F401 - fixture
from tests.factory import PASSWORD, finish_sign_in

LOCKED = "You are signed in, but your notes stay locked"


def _sign_in(person) -> tuple[Client, str]:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": person.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    return client, response.content.decode()


def _shares(keyring_dir) -> list[str]:
    return sorted(p.name for p in keyring_dir.glob("share-*.key")) if keyring_dir.exists() else []


def test_a_first_sign_in_makes_the_keyring_with_its_identity(responder, keyring_dir):
    client, html = _sign_in(responder)
    assert LOCKED not in html
    assert keyring.identity() is not None and len(_shares(keyring_dir)) == 1
    assert client.session[SHARE_FIELD]


@pytest.mark.usefixtures("read_only_keyring")
def test_signing_in_on_an_unwritable_keyring_succeeds_with_notes_locked(
    responder, keyring_dir, caplog
):
    with caplog.at_level(logging.ERROR):
        client, html = _sign_in(responder)
    assert client.session.get("_auth_user_id") == str(responder.pk)  # signed in
    assert LOCKED in html
    assert SHARE_FIELD not in client.session
    assert _shares(keyring_dir) == []
    assert any("could not be held" in r.getMessage() for r in caplog.records)
    # Everything else works; the notes page asks to sign in again, never a 500.
    assert client.get("/home/").status_code == 200
    assert client.get("/notes/").status_code in (200, 302)


def test_signing_in_is_refused_no_share_into_a_lost_keyring(responder, keyring_dir):
    note = write_note(responder)
    shutil.rmtree(keyring_dir)  # deleted, or the volume not mounted
    client, html = _sign_in(responder)
    assert LOCKED in html
    assert not keyring_dir.exists()  # never recreated by a sign-in
    assert client.get(f"/notes/{note.public_id}/").status_code in (302, 404)


def test_no_share_goes_into_another_databases_keyring(responder, keyring_dir):
    write_note(responder)
    keyring.create_identity()  # the directory now says it is another keyring
    _client, html = _sign_in(responder)
    assert LOCKED in html
    assert _shares(keyring_dir) == []


def test_no_share_goes_into_an_emptied_keyring(responder, keyring_dir):
    write_note(responder)
    for path in keyring_dir.iterdir():
        path.unlink()
    _client, html = _sign_in(responder)
    assert LOCKED in html
    assert _shares(keyring_dir) == []


def test_the_notes_open_again_once_the_keyring_is_back(responder, keyring_dir, monkeypatch):
    note = write_note(responder, "Walked them to the night bus.")
    client_for(responder)  # a working sign-in
    backup = keyring_dir.with_name("keyring-backup")
    shutil.copytree(keyring_dir, backup)
    shutil.rmtree(keyring_dir)
    _client, html = _sign_in(responder)
    assert LOCKED in html
    shutil.copytree(backup, keyring_dir)  # restored
    client, html = _sign_in(responder)
    assert LOCKED not in html
    assert "Walked them" in client.get(f"/notes/{note.public_id}/").content.decode()


@pytest.mark.usefixtures("read_only_keyring")
def test_a_two_step_sign_in_on_an_unwritable_keyring_goes_on_with_notes_locked(
    coordinator, keyring_dir
):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": coordinator.username, "password": PASSWORD}
    )
    assert response.status_code == 302  # on to the second step, not a server error
    assert LOCKED in client.get(response["Location"]).content.decode()
    finish_sign_in(client, response, coordinator)
    assert client.session.get("_auth_user_id") == str(coordinator.pk)
    assert SHARE_FIELD not in client.session
    assert _shares(keyring_dir) == []
