"""Production refuses to start (WSGI included, which runs no system checks) with a
master key that does not open the keyring, or with cheap Argon2 for note keys."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from django.conf import settings

from calls import keyring
from calls.checks import note_keys_are_costly_to_guess

RIGHT_KEY = base64.b64encode(b"r" * 32).decode()
WRONG_KEY = base64.b64encode(b"w" * 32).decode()


def start_wsgi(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import crisisline.wsgi as gunicorn does, with production settings."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TESTING", "DEBUG", "NOTE_KEY_ARGON2_MEMORY_KIB", "DATABASE_URL"}
    }
    environment.update(
        {
            "DEBUG": "false",
            "VAR_DIR": str(tmp_path / "var"),
            "KEYRING_DIR": str(tmp_path / "keyring"),
            "STATIC_ROOT": str(tmp_path / "static"),
            "KEYRING_MASTER_KEY": RIGHT_KEY,
            "DJANGO_SETTINGS_MODULE": "crisisline.settings",
        }
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import crisisline.wsgi; print('started')"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def keyring_under_the_right_key(settings, tmp_path):
    settings.KEYRING_DIR = tmp_path / "keyring"
    settings.KEYRING_MASTER_KEY = base64.b64decode(RIGHT_KEY)
    keyring.encrypt("x", bucket=7, context=b"test")
    return settings.KEYRING_DIR


def test_wsgi_starts_with_the_master_key_the_keys_were_made_with(
    tmp_path, keyring_under_the_right_key
):
    result = start_wsgi(tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("started")


def test_wsgi_refuses_a_wrong_master_key_naming_it(tmp_path, keyring_under_the_right_key):
    result = start_wsgi(tmp_path, KEYRING_MASTER_KEY=WRONG_KEY)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "KEYRING_MASTER_KEY does not open the keys" in result.stderr
    # Nothing was written under the wrong key.
    assert keyring.buckets() == [7]
    assert len(list(keyring_under_the_right_key.glob("bucket-*"))) == 1


def test_wsgi_starts_with_a_wrong_key_but_an_empty_keyring(tmp_path):
    assert start_wsgi(tmp_path, KEYRING_MASTER_KEY=WRONG_KEY).returncode == 0


@pytest.mark.parametrize(("memory", "starts"), [("8", False), ("19455", False), ("19456", True)])
def test_wsgi_refuses_cheap_argon2_for_note_keys(tmp_path, memory, starts):
    result = start_wsgi(tmp_path, NOTE_KEY_ARGON2_MEMORY_KIB=memory)
    assert (result.returncode == 0) is starts, result.stderr[-2000:]
    if not starts:
        assert "ImproperlyConfigured" in result.stderr
        assert "NOTE_KEY_ARGON2_MEMORY_KIB" in result.stderr and "19456" in result.stderr


def test_development_may_use_cheap_argon2(tmp_path):
    result = start_wsgi(tmp_path, DEBUG="true", NOTE_KEY_ARGON2_MEMORY_KIB="8")
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_system_check_reports_cheap_argon2_in_production(settings):
    settings.NOTE_KEY_ARGON2_MEMORY_KIB = 8
    assert note_keys_are_costly_to_guess() == []  # tests and development
    settings.TESTING = False
    assert [m.id for m in note_keys_are_costly_to_guess()] == ["calls.E002"]
    settings.DEBUG = True
    assert note_keys_are_costly_to_guess() == []


def test_no_new_key_is_made_while_the_keys_on_disk_do_not_open(
    settings, keyring_under_the_right_key
):
    settings.KEYRING_MASTER_KEY = base64.b64decode(WRONG_KEY)
    with pytest.raises(keyring.WrongMasterKey, match="KEYRING_MASTER_KEY"):
        keyring.encrypt("y", bucket=8, context=b"test")
    assert keyring.buckets() == [7]
    # With the right key, new keys are made as before.
    settings.KEYRING_MASTER_KEY = base64.b64decode(RIGHT_KEY)
    keyring.encrypt("y", bucket=8, context=b"test")
    assert keyring.buckets() == [7, 8]
