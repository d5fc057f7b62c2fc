"""A keyring knows who it is: deleted, emptied or another database's keyring is
refused (new notes, `check --deploy`, /healthz, a production start), never
silently recreated."""

from __future__ import annotations

import logging
import os
import shutil
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from calls import checks, keyring
from calls.keyring_guard import KeyringRecord, Problem, keyring_problem
from calls.models import CallNote
from calls.purge import burn
from tests.calls.conftest import client_for, note_form, write_note
from tests.calls.test_start_up import RIGHT_KEY

URL = "/notes/new/"
TYPED = "Walked them to the shelter door; they want a call tomorrow."
REFUSED = "the server&#x27;s keys are missing or are not the ones for these notes"


def _empty(directory) -> None:
    for path in directory.iterdir():
        path.unlink()


@pytest.fixture
def live_notes(responder):
    return [write_note(responder, keep_hours=hours) for hours in (8, 72)]


def _refused(responder, keyring_dir):
    response = client_for(responder).post(URL, note_form(body=TYPED))
    assert response.status_code == 200
    html = response.content.decode()
    assert REFUSED in html and TYPED in html
    assert CallNote.including_expired.count() == 2
    return response


def test_the_keyring_and_the_database_share_an_identity(live_notes, keyring_dir):
    record = KeyringRecord.objects.get()
    assert record.keyring_id == keyring.identity().id and len(record.keyring_id) == 32
    assert record.keyring_created_at is not None
    assert keyring_problem() is None


def test_a_keyring_deleted_while_running_is_not_recreated(live_notes, responder, keyring_dir):
    shutil.rmtree(keyring_dir)
    _refused(responder, keyring_dir)
    assert not keyring_dir.exists()
    assert keyring_problem()[0] is Problem.MISSING


def test_a_keyring_emptied_while_notes_are_live_is_refused(live_notes, responder, keyring_dir):
    _empty(keyring_dir)
    _refused(responder, keyring_dir)
    assert list(keyring_dir.iterdir()) == []
    assert keyring_problem()[0] is Problem.EMPTIED


def test_a_keyring_of_another_database_is_refused(live_notes, responder, keyring_dir):
    theirs = keyring.create_identity()
    _refused(responder, keyring_dir)
    assert keyring.identity() == theirs
    problem, description = keyring_problem()
    assert problem is Problem.FOREIGN and theirs.id in description


def test_an_emptied_keyring_with_no_live_notes_starts_afresh(responder, keyring_dir):
    old = write_note(responder)
    old_identity = keyring.identity()
    burn(old)
    _empty(keyring_dir)
    response = client_for(responder).post(URL, note_form(body=TYPED))
    assert response.status_code == 302
    assert keyring.identity().id != old_identity.id
    assert KeyringRecord.objects.get().keyring_id == keyring.identity().id


def test_a_keyring_from_before_identities_is_adopted(responder, keyring_dir):
    note = write_note(responder)
    for path in keyring_dir.glob("bucket-*"):
        path.rename(keyring_dir / f"bucket-{note.body_bucket}.key")
    (keyring_dir / "identity.json").unlink()
    KeyringRecord.objects.all().delete()
    assert keyring_problem() is None
    assert client_for(responder).post(URL, note_form(body=TYPED)).status_code == 302
    assert KeyringRecord.objects.get().keyring_id == keyring.identity().id
    assert client_for(responder).get(f"/notes/{note.public_id}/").status_code == 200


def test_healthz_is_503_for_a_keyring_that_is_not_this_databases(client, live_notes, keyring_dir):
    assert client.get("/healthz").status_code == 200
    keyring.create_identity()
    assert client.get("/healthz").status_code == 503
    shutil.rmtree(keyring_dir)
    assert client.get("/healthz").status_code == 503


def test_check_deploy_errors_for_an_emptied_keyring(live_notes, keyring_dir):
    call_command("check", "--deploy", "--tag", "keyring")
    _empty(keyring_dir)
    with pytest.raises(SystemCheckError, match=r"calls\.E003.*emptied"):
        call_command("check", "--deploy", "--tag", "keyring")


def test_production_start_refuses_a_keyring_that_is_not_this_databases(
    live_notes, keyring_dir, settings
):
    settings.TESTING = False
    checks.refuse_a_keyring_that_is_not_ours()
    keyring.create_identity()
    with pytest.raises(ImproperlyConfigured, match="belongs to another database"):
        checks.refuse_a_keyring_that_is_not_ours()
    settings.DEBUG = True  # development only warns in the log
    checks.refuse_a_keyring_that_is_not_ours()


def test_wsgi_refuses_to_start_with_another_databases_keyring(tmp_path, settings):
    """As gunicorn starts it, with production settings and a migrated database."""
    import subprocess
    import sys

    from tests.calls.test_start_up import start_wsgi

    def manage(*args: str) -> None:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"TESTING", "DEBUG", "NOTE_KEY_ARGON2_MEMORY_KIB", "DATABASE_URL"}
        }
        environment.update(
            DEBUG="false",
            VAR_DIR=str(tmp_path / "var"),
            KEYRING_DIR=str(tmp_path / "keyring"),
            STATIC_ROOT=str(tmp_path / "static"),
            KEYRING_MASTER_KEY=RIGHT_KEY,
            DJANGO_SETTINGS_MODULE="crisisline.settings",
        )
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]

    (tmp_path / "var").mkdir()
    manage("migrate", "--no-input")
    manage("recreate_keyring", "--yes")
    assert start_wsgi(tmp_path).returncode == 0
    settings.KEYRING_DIR = tmp_path / "keyring"
    keyring.create_identity()  # another database's keyring mounted in its place
    result = start_wsgi(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "belongs to another database" in result.stderr and "recreate_keyring" in result.stderr


def test_a_damaged_identity_file_is_refused_like_a_lost_one(live_notes, responder, keyring_dir):
    (keyring_dir / "identity.json").write_text('{"created_at": "yesterday"}')
    _refused(responder, keyring_dir)
    assert keyring_problem()[0] is Problem.EMPTIED


def test_sessions_shares_are_not_keys(live_notes, responder, keyring_dir):
    client_for(responder)  # a sign-in leaves its share in the keyring
    assert keyring.shares() and len(keyring.buckets()) == 2
    for path in keyring_dir.iterdir():
        if not path.name.startswith("share-"):
            path.unlink()
    # Only shares left: no bucket key, and the keyring is still one that was emptied.
    assert keyring.buckets() == [] and not keyring.has_keys()
    assert keyring_problem()[0] is Problem.EMPTIED
    shares = sorted(p.name for p in keyring_dir.iterdir())
    _refused(responder, keyring_dir)
    assert sorted(p.name for p in keyring_dir.iterdir()) == shares  # no share, no key added


def test_the_scheduled_purge_tells_the_operator_of_a_keyring_deleted_while_running(
    live_notes, keyring_dir, caplog
):
    out, err = StringIO(), StringIO()
    call_command("purge_expired", stdout=out, stderr=err)
    assert err.getvalue() == ""
    shutil.rmtree(keyring_dir)
    with caplog.at_level(logging.ERROR):
        call_command("purge_expired", stdout=out, stderr=err)
    assert "No note can be written" in err.getvalue() and "does not exist" in err.getvalue()
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(logged) == 1 and "recreate_keyring" in logged[0].getMessage()
    assert not keyring_dir.exists()  # told, never recreated
