"""A keyring the server can no longer read (its permissions changed, a failing
disk): the pages that read it say so instead of answering a server error, the
coordinator dashboard says no note can be opened, and the cause is logged.

Tests run as root, so the operating system's refusal is simulated where the
keyring calls it: listing the directory and reading its files.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from crisisline.roles import RESPONDER
from tests.calls.conftest import client_for, write_note
from tests.factory import PASSWORD, make_person

BODY = "Stayed on the line while they found their keys."


@pytest.fixture
def unreadable_keyring(monkeypatch, keyring_dir):
    def refused(path: object) -> PermissionError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    real_listdir, real_read_bytes, real_read_text = os.listdir, Path.read_bytes, Path.read_text

    def listdir(path=".", *args, **kwargs):
        if str(path).startswith(str(keyring_dir)):
            raise refused(path)
        return real_listdir(path, *args, **kwargs)

    def read_bytes(self):
        if str(self).startswith(str(keyring_dir)):
            raise refused(self)
        return real_read_bytes(self)

    def read_text(self, *args, **kwargs):
        if str(self).startswith(str(keyring_dir)):
            raise refused(self)
        return real_read_text(self, *args, **kwargs)

    def start() -> None:
        monkeypatch.setattr(os, "listdir", listdir)
        monkeypatch.setattr(Path, "read_bytes", read_bytes)
        monkeypatch.setattr(Path, "read_text", read_text)

    return start


def test_note_pages_say_the_keys_cannot_be_read(responder, unreadable_keyring, caplog):
    note = write_note(responder, BODY)
    client = client_for(responder)
    unreadable_keyring()
    with caplog.at_level(logging.ERROR):
        for url in ("/notes/", f"/notes/{note.public_id}/"):
            response = client.get(url)
            assert response.status_code == 503, url
            html = response.content.decode()
            assert "Notes cannot be opened right now" in html
            assert "The server cannot read the keys the notes are sealed under." in html
            assert BODY not in html
    logged = [r.getMessage() for r in caplog.records if "notes' keyring" in r.getMessage()]
    assert len(logged) == 2 and all("Permission denied" in message for message in logged)
    assert all(r.levelno == logging.ERROR for r in caplog.records if "keyring" in r.getMessage())


def test_in_spanish_too(responder, unreadable_keyring):
    write_note(responder)
    client = client_for(responder)
    client.cookies["django_language"] = "es"
    unreadable_keyring()
    html = client.get("/notes/").content.decode()
    assert "Ahora mismo no se pueden abrir las notas" in html


def test_the_coordinator_dashboard_says_no_note_can_be_opened(
    responder, coordinator, unreadable_keyring
):
    write_note(responder)
    client = client_for(coordinator)
    unreadable_keyring()
    response = client.get("/home/")
    assert response.status_code == 200
    assert "No note can be opened right now: the server cannot read its keys." in (
        response.content.decode()
    )


def test_a_follow_up_holder_still_gets_the_on_call_page(responder, unreadable_keyring):
    holder = make_person("holder", RESPONDER, display_name="Hal Holder")
    write_note(responder, BODY, follow_up_to=holder, follow_up_by=timezone.localdate())
    client = client_for(holder)
    unreadable_keyring()
    for url in ("/oncall/", "/home/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "You hold 1 follow-up that cannot be read right now" in html
        assert BODY not in html


def test_signing_in_still_works_with_the_notes_locked(responder, unreadable_keyring, caplog):
    write_note(responder)
    unreadable_keyring()
    client = Client()
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/accounts/login/", {"username": responder.username, "password": PASSWORD}, follow=True
        )
    assert response.status_code == 200
    assert "You are signed in, but your notes stay locked" in response.content.decode()
    assert client.get("/oncall/").status_code == 200
    assert any("Permission denied" in r.getMessage() for r in caplog.records)
