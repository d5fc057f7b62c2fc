from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command

from calls import keyring

CONTEXT = b"callnote:test"


def test_round_trip_and_one_key_file_per_bucket(keyring_dir):
    moment = datetime(2030, 5, 1, 10, 30, tzinfo=UTC)
    bucket = keyring.bucket_for(moment)
    first = keyring.encrypt("hello", bucket=bucket, context=CONTEXT)
    second = keyring.encrypt("hello", bucket=bucket, context=CONTEXT)
    assert first != second  # fresh nonce each time
    assert keyring.decrypt(first, bucket=bucket, context=CONTEXT) == "hello"
    assert [p.name for p in keyring_dir.iterdir()] == [f"bucket-{bucket}.key"]
    # The key file is wrapped: it is not the raw key.
    assert len((keyring_dir / f"bucket-{bucket}.key").read_bytes()) == 12 + 32 + 16


def test_buckets_are_at_most_an_hour_wide():
    start = datetime(2030, 5, 1, 10, 0, tzinfo=UTC)
    bucket = keyring.bucket_for(start)
    assert keyring.bucket_for(start + timedelta(minutes=59, seconds=59)) == bucket
    assert keyring.bucket_for(start + timedelta(hours=1)) == bucket + 1
    assert keyring.bucket_end(bucket) - start.timestamp() == 3600


def test_failed_decryption_raises_and_returns_nothing():
    ciphertext = keyring.encrypt("secret words", bucket=7, context=CONTEXT)
    with pytest.raises(keyring.Unreadable):
        keyring.decrypt(ciphertext, bucket=7, context=b"callnote:other")
    tampered = ciphertext[:-1] + bytes([ciphertext[-1] ^ 1])
    with pytest.raises(keyring.Unreadable):
        keyring.decrypt(tampered, bucket=7, context=CONTEXT)
    with pytest.raises(keyring.Unreadable):
        keyring.decrypt(ciphertext, bucket=8, context=CONTEXT)


def test_a_different_master_key_cannot_open_the_keys(settings):
    ciphertext = keyring.encrypt("secret words", bucket=7, context=CONTEXT)
    settings.KEYRING_MASTER_KEY = os.urandom(32)
    with pytest.raises(keyring.Unreadable, match="master key"):
        keyring.decrypt(ciphertext, bucket=7, context=CONTEXT)


def test_the_system_check_names_the_master_key(settings, capsys):
    keyring.encrypt("x", bucket=7, context=CONTEXT)
    call_command("check")
    settings.KEYRING_MASTER_KEY = os.urandom(32)
    with pytest.raises(Exception, match="KEYRING_MASTER_KEY"):
        call_command("check")


def test_destroying_past_buckets_keeps_the_future(keyring_dir):
    now = datetime(2030, 5, 1, 10, 30, tzinfo=UTC)
    past, current, future = (keyring.bucket_for(now + timedelta(hours=h)) for h in (-1, 0, 1))
    for bucket in (past, current, future):
        keyring.encrypt("x", bucket=bucket, context=CONTEXT)
    assert keyring.destroy_past(now) == 1
    assert keyring.buckets() == [current, future]
    assert keyring.destroy_past(now) == 0
    assert keyring.destroy_past(now + timedelta(hours=1)) == 1
    assert keyring.destroy_all() == 1
    assert list(keyring_dir.iterdir()) == []


def test_a_destroyed_key_is_overwritten_before_it_is_unlinked(keyring_dir, monkeypatch):
    keyring.encrypt("x", bucket=3, context=CONTEXT)
    path = keyring_dir / "bucket-3.key"
    original = path.read_bytes()
    seen = {}
    real_unlink = type(path).unlink

    def spy(self, *args, **kwargs):
        seen[self.name] = self.read_bytes()
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "unlink", spy)
    keyring.destroy_all()
    # Overwritten under a name outside the keyring's, so never read as a key.
    assert seen[".shred-bucket-3.key"] != original
    assert len(seen[".shred-bucket-3.key"]) >= len(original)
    assert list(keyring_dir.iterdir()) == []


def test_a_key_being_destroyed_is_not_taken_for_a_wrong_master_key(keyring_dir, monkeypatch):
    """The purge destroys the oldest key while a note needs a new one: the new
    note is still saved, and a starting worker does not refuse the keyring."""
    for bucket in (3, 4):
        keyring.encrypt("x", bucket=bucket, context=CONTEXT)
    (keyring_dir / "bucket-3.key").write_bytes(os.urandom(60))  # halfway through a shred
    assert keyring.master_key_opens_the_keyring()
    keyring.encrypt("new note", bucket=5, context=CONTEXT)
    assert keyring.buckets() == [3, 4, 5]


def test_a_shred_cut_short_is_finished_by_the_next_purge(keyring_dir):
    keyring.encrypt("x", bucket=3, context=CONTEXT)
    (keyring_dir / "bucket-3.key").rename(keyring_dir / ".shred-bucket-3.key")
    keyring.destroy_past(datetime(2030, 5, 1, tzinfo=UTC))
    assert list(keyring_dir.iterdir()) == []


def test_writes_leave_no_temporary_files_and_never_replace_a_key(keyring_dir):
    keyring.encrypt("x", bucket=5, context=CONTEXT)
    key = keyring.key_for(5)
    # A second writer that lost the race gets the first key, never a new one.
    assert keyring._create_key(5) == key
    assert [p.name for p in keyring_dir.iterdir()] == ["bucket-5.key"]


def test_a_missing_key_is_never_created_on_read():
    with pytest.raises(keyring.Unreadable):
        keyring.key_for(42)
    assert keyring.buckets() == []


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KEYRING_MASTER_KEY", "DEBUG", "TESTING"}
    }
    environment.update(
        {"VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "line.example.org", "DEBUG": "false"}
    )
    environment.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(len(settings.KEYRING_MASTER_KEY))",
        ],
        cwd=settings.BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "crisisline.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "value",
    ["", "not base64 at all!", base64.b64encode(b"too short").decode(), "A" * 45],
)
def test_production_refuses_to_start_without_a_good_master_key(tmp_path, value):
    result = _start(tmp_path, KEYRING_MASTER_KEY=value)
    assert result.returncode != 0
    assert "KEYRING_MASTER_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_the_demo_makes_a_master_key_once_and_reuses_it(tmp_path):
    first = _start(tmp_path, DEBUG="true", KEYRING_MASTER_KEY="")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "32"
    stored = (tmp_path / "keyring-master-key").read_text()
    assert oct((tmp_path / "keyring-master-key").stat().st_mode & 0o777) == "0o600"
    assert _start(tmp_path, DEBUG="true", KEYRING_MASTER_KEY="").returncode == 0
    assert (tmp_path / "keyring-master-key").read_text() == stored


def test_in_development_a_stray_key_only_warns(settings):
    keyring.encrypt("x", bucket=7, context=CONTEXT)
    settings.KEYRING_MASTER_KEY = os.urandom(32)
    settings.DEBUG = True
    from calls.checks import master_key_opens_the_keyring

    assert [message.id for message in master_key_opens_the_keyring()] == ["calls.W001"]
