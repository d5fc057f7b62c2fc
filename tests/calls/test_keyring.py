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


def key_files(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("bucket-"))


def key_path(directory, bucket: int):
    return directory / f"bucket-{bucket}.{keyring.identity().id}.key"


def test_round_trip_and_one_key_file_per_bucket(keyring_dir):
    moment = datetime(2030, 5, 1, 10, 30, tzinfo=UTC)
    bucket = keyring.bucket_for(moment)
    first = keyring.encrypt("hello", bucket=bucket, context=CONTEXT)
    second = keyring.encrypt("hello", bucket=bucket, context=CONTEXT)
    assert first != second  # fresh nonce each time
    assert keyring.decrypt(first, bucket=bucket, context=CONTEXT) == "hello"
    own = keyring.identity().id
    assert key_files(keyring_dir) == [f"bucket-{bucket}.{own}.key"]
    # The key file is wrapped: it is not the raw key.
    assert len((keyring_dir / f"bucket-{bucket}.{own}.key").read_bytes()) == 12 + 32 + 16


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
    assert key_files(keyring_dir) == []


def test_a_destroyed_key_is_overwritten_before_it_is_unlinked(keyring_dir, monkeypatch):
    keyring.encrypt("x", bucket=3, context=CONTEXT)
    path = key_path(keyring_dir, 3)
    original = path.read_bytes()
    seen = {}
    real_unlink = type(path).unlink

    def spy(self, *args, **kwargs):
        seen[self.name] = self.read_bytes()
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "unlink", spy)
    keyring.destroy_all()
    # Overwritten under a name outside the keyring's, so never read as a key.
    shredded = f".shred-{path.name}"
    assert seen[shredded] != original
    assert len(seen[shredded]) >= len(original)
    assert key_files(keyring_dir) == []
    assert not list(keyring_dir.glob(".shred-*"))


def test_a_key_being_destroyed_is_not_taken_for_a_wrong_master_key(keyring_dir, monkeypatch):
    """The purge destroys the oldest key while a note needs a new one: the new
    note is still saved, and a starting worker does not refuse the keyring."""
    for bucket in (3, 4):
        keyring.encrypt("x", bucket=bucket, context=CONTEXT)
    key_path(keyring_dir, 3).write_bytes(os.urandom(60))  # halfway through a shred
    assert keyring.master_key_opens_the_keyring()
    keyring.encrypt("new note", bucket=5, context=CONTEXT)
    assert keyring.buckets() == [3, 4, 5]


def test_a_shred_cut_short_is_finished_by_the_next_purge(keyring_dir):
    keyring.encrypt("x", bucket=3, context=CONTEXT)
    path = key_path(keyring_dir, 3)
    path.rename(keyring_dir / f".shred-{path.name}")
    keyring.destroy_past(datetime(2030, 5, 1, tzinfo=UTC))
    assert key_files(keyring_dir) == []
    assert not list(keyring_dir.glob(".shred-*"))


def test_writes_leave_no_temporary_files_and_never_replace_a_key(keyring_dir):
    keyring.encrypt("x", bucket=5, context=CONTEXT)
    key = keyring.key_for(5)
    # A second writer that lost the race gets the first key, never a new one.
    assert keyring._create_key(5) == key
    assert key_files(keyring_dir) == [f"bucket-5.{keyring.identity().id}.key"]
    assert not list(keyring_dir.glob(".new-*"))


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


def test_key_file_names_are_unique_to_each_keyring(keyring_dir, tmp_path, settings):
    """A directory restored from a backup beside a newer keyring never collides with
    it: each keyring's files carry its own random id, and every file is read."""
    old_ciphertext = keyring.encrypt("before the loss", bucket=9, context=CONTEXT)
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in keyring_dir.glob("bucket-*"):
        (backup / path.name).write_bytes(path.read_bytes())
    for path in keyring_dir.iterdir():
        path.unlink()
    keyring.create_identity()  # the keyring is recreated …
    new_ciphertext = keyring.encrypt("after the loss", bucket=9, context=CONTEXT)
    with pytest.raises(keyring.Unreadable):
        keyring.decrypt(old_ciphertext, bucket=9, context=CONTEXT)
    for path in backup.iterdir():  # … and the old keys restored beside its own
        assert not (keyring_dir / path.name).exists()
        (keyring_dir / path.name).write_bytes(path.read_bytes())
    assert len(key_files(keyring_dir)) == 2
    assert keyring.decrypt(old_ciphertext, bucket=9, context=CONTEXT) == "before the loss"
    assert keyring.decrypt(new_ciphertext, bucket=9, context=CONTEXT) == "after the loss"
    assert keyring.destroy_past(datetime.fromtimestamp(keyring.bucket_end(9), tz=UTC)) == 2
    assert key_files(keyring_dir) == []


def test_key_files_named_before_identities_are_still_read(keyring_dir):
    ciphertext = keyring.encrypt("written last month", bucket=11, context=CONTEXT)
    key_path(keyring_dir, 11).rename(keyring_dir / "bucket-11.key")
    (keyring_dir / "identity.json").unlink()
    assert keyring.buckets() == [11]
    assert keyring.decrypt(ciphertext, bucket=11, context=CONTEXT) == "written last month"
    assert keyring.master_key_opens_the_keyring()
    assert keyring.destroy_past(datetime.fromtimestamp(keyring.bucket_end(11), tz=UTC)) == 1
    assert key_files(keyring_dir) == []


def _make_key_at_once(barrier, bucket: int, results) -> None:
    barrier.wait()
    results.put(keyring.key_for(bucket, create=True))


def test_processes_racing_to_make_a_new_hours_key_all_end_with_one_key(settings):
    """Two web servers (or workers) writing the first note of an hour at once: the
    first key written wins (link() never replaces a file) and everyone uses it."""
    import multiprocessing

    keyring.identity_or_new()
    bucket = keyring.bucket_for(datetime(2026, 3, 4, 5, tzinfo=UTC))
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(8), context.Queue()
    racers = [
        context.Process(target=_make_key_at_once, args=(barrier, bucket, results)) for _ in range(8)
    ]
    for racer in racers:
        racer.start()
    keys = [results.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
        assert racer.exitcode == 0
    assert len(set(keys)) == 1
    assert keyring.key_for(bucket) == keys[0]
    assert [path.name for path in settings.KEYRING_DIR.glob("bucket-*")] == [
        f"bucket-{bucket}.{keyring.identity().id}.key"
    ]
    assert not list(settings.KEYRING_DIR.glob(".new-*"))
