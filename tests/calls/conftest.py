from __future__ import annotations

import importlib
import io
import logging
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from calls.models import CallNote, NoteContents, NoteKeys
from tests.factory import PASSWORD, finish_sign_in


@pytest.fixture(autouse=True)
def keyring_dir(settings, tmp_path):
    """Each test gets its own, empty keyring."""
    settings.KEYRING_DIR = tmp_path / "keyring"
    return settings.KEYRING_DIR


def give_keys(person, password: str = PASSWORD) -> None:
    """The key pair a first sign-in would create."""
    if not NoteKeys.objects.filter(person=person).exists():
        NoteKeys.create_for(person, password)


def client_for(person, password: str = PASSWORD) -> Client:
    """A client signed in through the sign-in form, so its note key is unlocked."""
    client = Client()
    response = client.post("/accounts/login/", {"username": person.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    finish_sign_in(client, response, person)  # coordinators set up two steps
    return client


def read_body(note: CallNote, person, password: str = PASSWORD) -> str:
    """The body as `person` reads it, their key unlocked with their password."""
    return read_contents(note, person, password).body


def read_contents(note: CallNote, person, password: str = PASSWORD) -> NoteContents:
    """Everything about the note as `person` reads it (the details are sealed too)."""
    note = CallNote.including_expired.get(pk=note.pk)
    return note.open_for(person, NoteKeys.objects.get(person=person).unlock(password))


@pytest.fixture
def as_responder(responder) -> Client:
    return client_for(responder)


@pytest.fixture
def as_coordinator(coordinator) -> Client:
    return client_for(coordinator)


def write_note(author, body: str = "Talked it through; safe for tonight.", **fields) -> CallNote:
    give_keys(author)
    if fields.get("follow_up_to") is not None:
        give_keys(fields["follow_up_to"])
    values = {
        "kind": "crisis-acute",
        "response": "phone",
        "police": "none",
        "needs": [],
        "keep_hours": 72,
    }
    values.update(fields)
    return CallNote.write(author=author, body=body, **values)


def sealed_expiry(note: CallNote) -> datetime:
    """The note's exact expiry, sealed inside it (the row keeps its bucket's end)."""
    return read_contents(note, note.author).expires_at


def as_written_before_sealing(note: CallNote, body: str) -> CallNote:
    """Turn `note` into one written before sealing: its details in clear columns
    and its exact expiry, its body under the bucket key alone, no sealed copies.
    Drop the readers' key pairs to have them never signed in."""
    from calls import keyring
    from calls.models import NoteSeal

    contents = read_contents(note, note.author)
    note.kind, note.needs = contents.kind, list(contents.needs)
    note.response, note.police = contents.response, contents.police
    note.follow_up_by, note.written_at = contents.follow_up_by, contents.written_at
    note.expires_at = contents.expires_at
    note.sealed = False
    note.body_ciphertext = keyring.encrypt(body, bucket=note.body_bucket, context=note._context())
    note.save()
    NoteSeal.objects.filter(note=note).delete()
    return note


def note_form(**fields) -> dict[str, object]:
    data = {
        "kind": "crisis-acute",
        "response": "phone",
        "police": "none",
        "body": "Talked it through; safe for tonight.",
        "keep_hours": "72",
        "follow_up_to": "",
        "follow_up_by": "",
    }
    data.update(fields)
    if (data["follow_up_to"] or data["follow_up_by"]) and "agreed_to_contact" not in fields:
        data["agreed_to_contact"] = "on"  # a follow-up needs the person's agreement
    return {key: value for key, value in data.items() if value is not None}


@contextmanager
def clock_at(moment: datetime):
    """Every clock (timezone.now(), time.time()...) stands still at `moment`."""
    with time_machine.travel(moment, tick=False):
        yield


def later(**delta) -> datetime:
    return timezone.now() + timedelta(**delta)


@pytest.fixture
def roles(transactional_db) -> None:
    """Transactional tests start from a flushed database: put the role groups back."""
    from django.apps import apps

    importlib.import_module("crisisline.migrations.0002_roles").create_roles(apps, None)


@pytest.fixture
def console_output():
    """What the console handler writes (after its quiet filter and formatter)."""
    handlers = {
        handler
        for name in ("", "django", "crisisline", "django.request")
        for handler in logging.getLogger(name).handlers
        if isinstance(handler, logging.StreamHandler) and not hasattr(handler, "records")
    }
    stream = io.StringIO()
    previous = {handler: handler.setStream(stream) for handler in handlers}
    yield stream
    for handler, old in previous.items():
        handler.setStream(old)
