"""A seizure while nobody is signed in: the database (SQLite pages, -wal, -shm, or a
pg_dump of every table), the keyring, the environment (KEYRING_MASTER_KEY and
SECRET_KEY included) and the logs hold no note text, and the app's own decryption
code, run against all of it with every secret the server has, opens no note."""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from calls import keyring, sealing, unlock
from calls.models import CallNote, NoteKeys, NoteSeal
from calls.unlock import SESSION_FIELD
from crisisline.roles import RESPONDER
from tests.calls.conftest import as_written_before_sealing, client_for, note_form, write_note
from tests.calls.test_seizure import copy_database, files_holding
from tests.factory import PASSWORD, make_person


def expanded(values: Iterable[bytes]) -> list[bytes]:
    """Each value raw and base64-decoded (both alphabets): how secrets sit in files."""
    values = [value for value in values if value]
    decoded = []
    for value in values:
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            with contextlib.suppress(ValueError):
                decoded.append(decode(value + b"=" * (-len(value) % 4)))
    return [value for value in values + decoded if value]


def server_secrets() -> list[bytes]:
    """Every secret a seized server offers: its environment and settings, raw and decoded."""
    values = [value.encode() for value in os.environ.values() if value]
    values += [settings.SECRET_KEY.encode(), bytes(settings.KEYRING_MASTER_KEY)]
    return expanded(values)


def as_32_bytes(value: bytes) -> bytes:
    return (value * (32 // max(len(value), 1) + 1))[:32]


def attack(also_seized: Iterable[bytes] = ()) -> list[str]:
    """Run the app's own code against the server's data with every server secret (and
    `also_seized`, for the controls below); returns whatever opened: a body, a
    private key, a held key."""
    opened = []
    candidates = server_secrets() + expanded(also_seized)
    # Private keys the attacker could get: each secret taken as one, …
    privates = [sealing.load_private(as_32_bytes(candidate)) for candidate in candidates]
    # … a private key unwrapped with a secret taken as its password, …
    for keys in NoteKeys.objects.all():
        for candidate in candidates:
            try:
                privates.append(keys.unlock(candidate.decode(errors="replace")))
            except sealing.WrongPassword:
                continue
            opened.append(f"private key of person {keys.person_id}")
    # … or a key held for a session, opened with a secret in the cookie's place
    # and the session's share from the keyring (if it is still there), or with a
    # secret taken as the whole key, under the very context unlock.py binds it to.
    for session in Session.objects.all():
        data = session.get_decoded()
        held = data.get(SESSION_FIELD)
        if not held:
            continue
        person = data.get("_auth_user_id")
        context = unlock._context(session.session_key, person)
        keyring_share = keyring.read_share(data.get(unlock.SHARE_FIELD))
        for candidate in candidates:
            with contextlib.suppress(sealing.CannotOpen):
                privates.append(sealing.release(candidate, base64.b64decode(held), context))
                opened.append("a held key")
            if keyring_share is None:
                continue
            with contextlib.suppress(unlock.Locked):
                privates.append(
                    unlock.open_held(candidate, keyring_share, held, session.session_key, person)
                )
                opened.append("a held key")
    for note in CallNote.including_expired.all():
        with contextlib.suppress(keyring.Unreadable):
            opened.append(note.legacy_body())  # the server-only path of older notes
        for seal in NoteSeal.objects.filter(note=note).select_related("note"):
            # The bucket key layer opens (the server has the keyring) …
            inner = keyring.decrypt_bytes(
                bytes(seal.sealed_key), bucket=note.body_bucket, context=seal.context()
            )
            # … but none of those private keys should be the reader's …
            for private in privates:
                try:
                    data_key = sealing.open_sealed(inner, private, seal.context())
                except sealing.CannotOpen:
                    continue
                opened.append(note.contents_with(data_key).body)
            # … nor any secret the data key itself.
            for candidate in candidates:
                with contextlib.suppress(sealing.CannotOpen):
                    opened.append(note.contents_with(as_32_bytes(candidate)).body)
    return opened


def found(canaries: Iterable[str], opened: list[str]) -> set[str]:
    return {canary for canary in canaries if any(canary in text for text in opened)}


@pytest.mark.django_db(transaction=True)
def test_everyone_signed_out_a_seizure_opens_no_note(
    tmp_path,
    keyring_dir,
    caplog,
    console_output,
    roles,
):
    caplog.set_level(logging.DEBUG)
    author = make_person("author", RESPONDER)
    mate = make_person("mate", RESPONDER)
    canaries = [f"CANARY-{uuid.uuid4().hex}" for _ in range(3)]
    writer, reader = client_for(author), client_for(mate)
    paths = []
    for canary in canaries[:2]:
        response = writer.post("/notes/new/", note_form(body=f"said {canary}"))
        paths.append(response["Location"])
    handed = note_form(
        body=f"follow up {canaries[2]}",
        follow_up_to=str(mate.pk),
        follow_up_by=(timezone.localdate() + timedelta(days=2)).isoformat(),
    )
    paths.append(writer.post("/notes/new/", handed)["Location"])
    # While they are signed in, each opens what is theirs.
    assert all(c in writer.get(p).content.decode() for c, p in zip(canaries, paths, strict=True))
    assert canaries[2] in reader.get(paths[2]).content.decode()

    for client in (writer, reader):
        client.post("/accounts/logout/")
    assert not Session.objects.exists()

    seized = tmp_path / "seized"
    copy_database(seized / "database")
    shutil.copytree(keyring_dir, seized / "keyring")
    environment = {**os.environ, "SECRET_KEY": settings.SECRET_KEY}
    (seized / "environment").write_text("\n".join(f"{k}={v}" for k, v in environment.items()))
    (seized / "logs.txt").write_text(caplog.text + "\n" + console_output.getvalue())
    assert any((seized / "database").iterdir()) and any((seized / "keyring").iterdir())
    assert files_holding(canaries, seized) == []
    assert files_holding([PASSWORD], seized) == []  # nor anyone's password

    assert attack() == []
    # The app's own pages, for the authors themselves without their note key.
    for person in (author, mate):
        stolen = Client()
        stolen.force_login(person)
        for path in paths:
            page = stolen.get(path)
            assert page.status_code in {302, 404}
            assert not any(c in page.content.decode() for c in canaries)
    # The notes are still there: their readers open them after signing in.
    assert CallNote.objects.count() == 3
    assert canaries[2] in client_for(mate).get(paths[2]).content.decode()


@pytest.mark.django_db(transaction=True)
def test_with_someone_signed_in_the_server_without_their_cookie_opens_nothing(
    tmp_path, keyring_dir, roles
):
    author = make_person("author", RESPONDER)
    canary = f"CANARY-{uuid.uuid4().hex}"
    client = client_for(author)
    path = client.post("/notes/new/", note_form(body=f"said {canary}"))["Location"]
    assert canary in client.get(path).content.decode()
    # The session row holds the private key only under the cookie's secret.
    assert Session.objects.count() == 1
    copy_database(tmp_path / "database")
    assert files_holding([canary], tmp_path) == []
    assert attack() == []
    # Control: with the cookie seized too, the same attack opens the held key and the note.
    cookie = client.cookies["notekey"].value.split(".")[0].encode()
    opened = attack([cookie])
    assert "a held key" in opened and found([canary], opened) == {canary}
    # The cookie's secret alone, once the session is gone, opens nothing.
    Session.objects.all().delete()
    assert attack([cookie]) == []
    assert canary in client_for(author).get(path).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_attack_finds_the_canary_given_a_readers_password_or_private_key(keyring_dir, roles):
    """Controls: the attack is not toothless. Given what only a reader has (their
    password, or their private key), it opens their note; without it, nothing."""
    author = make_person("author", RESPONDER)
    canary = f"CANARY-{uuid.uuid4().hex}"
    client = client_for(author)
    client.post("/notes/new/", note_form(body=f"said {canary}"))
    client.post("/accounts/logout/")
    assert attack() == []
    with_password = attack([PASSWORD.encode()])
    assert f"private key of person {author.pk}" in with_password
    assert found([canary], with_password) == {canary}
    private = NoteKeys.objects.get(person=author).unlock(PASSWORD)
    assert found([canary], attack([sealing.private_bytes(private)])) == {canary}


def test_the_attack_would_find_a_note_the_server_could_open(responder):
    """The attack is not toothless: a note sealed only to the bucket key opens."""
    note = write_note(responder, "CANARY-legacy")
    as_written_before_sealing(note, "CANARY-legacy")
    assert attack() == ["CANARY-legacy"]


@pytest.mark.django_db(transaction=True)
def test_notes_from_before_sealing_are_out_of_reach_once_every_reader_signed_in(
    tmp_path, keyring_dir, roles
):
    author = make_person("author", RESPONDER)
    mate = make_person("mate", RESPONDER)
    own, handed = (f"CANARY-{uuid.uuid4().hex}" for _ in range(2))
    as_written_before_sealing(write_note(author, f"said {own}"), f"said {own}")
    follow_up = {"follow_up_to": mate, "follow_up_by": timezone.localdate() + timedelta(days=2)}
    note = write_note(author, f"follow up {handed}", **follow_up)
    as_written_before_sealing(note, f"follow up {handed}")
    NoteKeys.objects.all().delete()  # nobody has signed in since sealing began
    # Before: the server opens both on its own.
    assert found([own, handed], attack()) == {own, handed}

    writer = client_for(author)
    writer.post("/accounts/logout/")
    # The author's own note is sealed; the handed one waits for its second reader.
    assert found([own, handed], attack()) == {handed}

    reader = client_for(mate)
    reader.post("/accounts/logout/")
    assert not Session.objects.exists()
    copy_database(tmp_path / "seized")
    shutil.copytree(keyring_dir, tmp_path / "seized" / "keyring")
    assert files_holding([own, handed], tmp_path / "seized") == []
    assert attack() == []
    assert not CallNote.objects.filter(sealed=False).exists()
    # Control: the sealed copies are real; each reader opens their notes again.
    assert found([own, handed], attack([PASSWORD.encode()])) == {own, handed}
    listing = client_for(mate)
    assert handed in listing.get(f"/notes/{note.public_id}/").content.decode()
