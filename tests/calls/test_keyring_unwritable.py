"""A keyring the server cannot write (read-only mount, full disk): the note is
refused with a clear message, everything typed stays in the form, the cause is
logged once without the note, and /healthz says 503.

Tests run as root, so the operating system's refusal is simulated where the
keyring calls it: os.open (and os.mkdir) for a read-only file system, os.write
for a full disk.
"""

from __future__ import annotations

import errno
import logging
import os
import re
from pathlib import Path

import pytest

from calls.models import CallNote, Tally
from tests.calls.conftest import client_for, note_form, write_note

URL = "/notes/new/"
TYPED = "Sat with them on the stairs until the shaking stopped; bus fare home."


def _inside(path: object, directory: Path) -> bool:
    return isinstance(path, (str, os.PathLike)) and str(path).startswith(str(directory))


@pytest.fixture
def read_only_keyring(monkeypatch, keyring_dir):
    """Every attempt to create or write a file in KEYRING_DIR fails with EROFS."""
    real_open, real_mkdir = os.open, os.mkdir
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def refuse_open(path, flags, *args, **kwargs):
        if _inside(path, keyring_dir) and flags & writing:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def refuse_mkdir(path, *args, **kwargs):
        if _inside(path, keyring_dir):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_open)
    monkeypatch.setattr(os, "mkdir", refuse_mkdir)


@pytest.fixture
def full_keyring(monkeypatch, keyring_dir):
    """Files can be created in KEYRING_DIR, but writing into them fails with ENOSPC."""
    real_write = os.write

    def refuse_write(descriptor, data):
        try:
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            target = ""
        if _inside(target, keyring_dir):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", refuse_write)


def _post_a_note(responder, **fields):
    client = client_for(responder)
    return client, client.post(URL, note_form(body=TYPED, needs=["food"], **fields))


@pytest.mark.parametrize(
    ("fault", "cause"),
    [("read_only_keyring", "Read-only file system"), ("full_keyring", "No space left on device")],
)
def test_the_note_is_refused_and_everything_typed_is_kept(
    request, responder, keyring_dir, caplog, fault, cause
):
    write_note(responder, keep_hours=72)  # the keyring exists and works …
    request.getfixturevalue(fault)  # … then the disk goes read-only or fills up
    before = sorted(p.name for p in keyring_dir.iterdir())
    with caplog.at_level(logging.INFO):
        _client, response = _post_a_note(responder, keep_hours="8", police="unsolicited")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The note could not be stored: the server cannot write its keys." in html
    assert "Tell a coordinator" in html and "Nothing was saved" in html
    # Everything typed is still in the form.
    assert TYPED in html
    assert re.search(r'name="police" value="unsolicited"[^>]*checked', html)
    assert re.search(r'name="needs" value="food"[^>]*checked', html)
    assert re.search(r'name="keep_hours"[^>]*>.*?<option value="8" selected', html, re.S)
    # Nothing was stored, counted or written.
    assert CallNote.including_expired.count() == 1
    assert sum(t.count for t in Tally.objects.all()) == 1
    assert sorted(p.name for p in keyring_dir.iterdir()) == before
    # Logged once, with the cause and without the note.
    logged = [r for r in caplog.records if "could not be stored" in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR
    assert cause in logged[0].getMessage()
    assert all("stairs" not in r.getMessage() for r in caplog.records)


def test_a_first_note_into_a_keyring_that_cannot_be_made(responder, keyring_dir, read_only_keyring):
    _client, response = _post_a_note(responder)
    assert response.status_code == 200
    assert "the server cannot write its keys" in response.content.decode()
    assert TYPED in response.content.decode()
    assert not CallNote.including_expired.exists()
    assert not keyring_dir.exists()


def test_the_refusal_is_in_spanish_too(responder, request):
    write_note(responder)
    client = client_for(responder)
    client.cookies["django_language"] = "es"
    request.getfixturevalue("read_only_keyring")
    response = client.post(URL, note_form(body=TYPED))
    assert response.status_code == 200, response
    html = response.content.decode()
    assert "No se ha podido guardar la nota: el servidor no puede escribir sus claves." in html
    assert TYPED in html


def test_healthz_is_503_while_the_keyring_cannot_be_written(client, responder, request):
    write_note(responder)
    assert client.get("/healthz").status_code == 200
    request.getfixturevalue("read_only_keyring")
    response = client.get("/healthz")
    assert response.status_code == 503
    # The reason, for the monitor; the details (the directory, the error) only in the log.
    assert response.content == b"The notes' keyring cannot be used (the log says why).\n"


def test_healthz_is_503_while_the_disk_is_full(client, responder, request):
    write_note(responder)
    request.getfixturevalue("full_keyring")
    assert client.get("/healthz").status_code == 503


def test_healthz_is_503_while_the_keyring_cannot_be_read(
    client, responder, keyring_dir, monkeypatch
):
    write_note(responder)

    def unreadable(path):
        if _inside(path, keyring_dir):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_listdir(path)

    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", unreadable)
    assert client.get("/healthz").status_code == 503


def test_healthz_leaves_nothing_behind(client, responder, keyring_dir):
    write_note(responder)
    before = sorted(p.name for p in keyring_dir.iterdir())
    assert client.get("/healthz").status_code == 200
    assert sorted(p.name for p in keyring_dir.iterdir()) == before


def test_signing_out_works_while_the_keyring_is_read_only(
    responder, keyring_dir, monkeypatch, caplog
):
    """The share cannot be destroyed now (the purge destroys it once the keyring
    takes writes again; without its session row and cookie it opens nothing),
    but the person is signed out all the same."""
    client = client_for(responder)
    real_rename = Path.rename

    def refuse_rename(self, target):
        if _inside(self, keyring_dir):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_rename)
    with caplog.at_level(logging.ERROR):
        response = client.post("/accounts/logout/")
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session
    assert client.get("/notes/").status_code == 302  # sent to sign in
    assert any("Read-only file system" in r.getMessage() for r in caplog.records)


def test_a_wipe_on_a_read_only_keyring_deletes_the_notes_and_says_the_keys_remain(
    as_coordinator, responder, keyring_dir, monkeypatch, caplog
):
    """The emergency wipe never answers a server error: the notes go from the
    database all the same, and the coordinator reads that the keys could not be
    destroyed and what to do."""
    write_note(responder)
    write_note(responder)
    keys_before = sorted(path.name for path in keyring_dir.iterdir())
    real_open = os.open

    def refuse_open(path, flags, *args, **kwargs):
        if _inside(path, keyring_dir) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def refuse_unlink(path, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(os, "open", refuse_open)
    monkeypatch.setattr(os, "unlink", refuse_unlink)
    monkeypatch.setattr(Path, "unlink", lambda self, *a, **k: refuse_unlink(self))
    monkeypatch.setattr(Path, "rename", lambda self, *a, **k: refuse_unlink(self))
    with caplog.at_level(logging.ERROR):
        response = as_coordinator.post(
            "/notes/wipe/", {"phrase": "destroy every note"}, follow=True
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 notes deleted from the database, but the server could not destroy its keys" in page
    assert "Every note and every key is destroyed" not in page
    assert not CallNote.including_expired.exists()
    assert sorted(path.name for path in keyring_dir.iterdir()) == keys_before
    assert any("could not destroy the notes' keys" in r.getMessage() for r in caplog.records)
