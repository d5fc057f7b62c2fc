"""`manage.py rotate_master_key`: every note key and session share re-wrapped under
a new master key; the notes read as before with the new key, and not at all with
the old one."""

from __future__ import annotations

import base64
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from calls import keyring
from tests.calls.conftest import read_body, write_note

NEW_KEY = bytes(range(32))


@pytest.fixture
def new_key_in_env(monkeypatch):
    monkeypatch.setenv("NEW_KEYRING_MASTER_KEY", base64.b64encode(NEW_KEY).decode())


def rotate() -> str:
    out = StringIO()
    call_command("rotate_master_key", stdout=out)
    return out.getvalue()


def wrapped_files(directory) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in directory.iterdir()
        if path.name.startswith(("bucket-", "share-"))
    }


def test_notes_and_shares_open_with_the_new_key_only(
    responder, settings, keyring_dir, new_key_in_env
):
    short = write_note(responder, "one hour", keep_hours=1)
    long = write_note(responder, "three days", keep_hours=72)
    share_id, share = keyring.new_share()
    before = wrapped_files(keyring_dir)

    output = rotate()

    assert output.startswith("Re-wrapped 2 note key(s) and 1 session share(s)")
    after = wrapped_files(keyring_dir)
    assert after.keys() == before.keys()
    assert not set(after.values()) & set(before.values())  # no old wrapping is left
    assert sorted(os.listdir(keyring_dir)) == sorted([*after, "identity.json", "high-water"])
    # The old master key opens nothing any more ...
    assert not keyring.master_key_opens_the_keyring()
    with pytest.raises(keyring.Unreadable):
        read_body(long, responder)
    # ... the new one opens everything, as before.
    settings.KEYRING_MASTER_KEY = NEW_KEY
    assert keyring.master_key_opens_the_keyring()
    assert read_body(short, responder) == "one hour"
    assert read_body(long, responder) == "three days"
    assert keyring.read_share(share_id) == share


def test_running_it_again_changes_nothing(responder, keyring_dir, new_key_in_env):
    write_note(responder)
    rotate()
    before = wrapped_files(keyring_dir)
    assert rotate().startswith("Re-wrapped 0 note key(s) and 0 session share(s)")
    assert wrapped_files(keyring_dir) == before


def test_a_run_cut_short_is_finished_by_running_it_again(
    responder, settings, keyring_dir, new_key_in_env, monkeypatch
):
    first = write_note(responder, "first", keep_hours=1)
    second = write_note(responder, "second", keep_hours=72)
    real_replace = os.replace
    calls = []

    def power_cut_on_the_second_file(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("power cut")
        return real_replace(source, target)

    monkeypatch.setattr(keyring.os, "replace", power_cut_on_the_second_file)
    with pytest.raises(OSError):
        rotate()
    monkeypatch.setattr(keyring.os, "replace", real_replace)
    # The oldest key is re-wrapped, the newest still under the current key, so the
    # start-up check still passes with the current key.
    assert keyring.master_key_opens_the_keyring()
    assert any(path.name.startswith(".rewrap-old-") for path in keyring_dir.iterdir())

    assert rotate().startswith("Re-wrapped 1 note key(s)")
    assert not [path for path in keyring_dir.iterdir() if path.name.startswith(".")]
    settings.KEYRING_MASTER_KEY = NEW_KEY
    assert read_body(first, responder) == "first"
    assert read_body(second, responder) == "second"


def test_a_wrong_current_key_changes_nothing(responder, settings, keyring_dir, new_key_in_env):
    write_note(responder)
    before = wrapped_files(keyring_dir)
    settings.KEYRING_MASTER_KEY = bytes(32)
    with pytest.raises(CommandError, match="is KEYRING_MASTER_KEY the key"):
        rotate()
    assert wrapped_files(keyring_dir) == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "NEW_KEYRING_MASTER_KEY is not set"),
        ("not base64!", "base64 of exactly 32 bytes"),
        (base64.b64encode(b"short").decode(), "base64 of exactly 32 bytes"),
    ],
)
def test_refuses_a_missing_or_malformed_new_key(
    responder, keyring_dir, monkeypatch, value, message
):
    write_note(responder)
    before = wrapped_files(keyring_dir)
    if value is None:
        monkeypatch.delenv("NEW_KEYRING_MASTER_KEY", raising=False)
    else:
        monkeypatch.setenv("NEW_KEYRING_MASTER_KEY", value)
    with pytest.raises(CommandError, match=message):
        rotate()
    assert wrapped_files(keyring_dir) == before


def test_refuses_the_current_key_as_the_new_one(db, settings, monkeypatch):
    monkeypatch.setenv(
        "NEW_KEYRING_MASTER_KEY", base64.b64encode(settings.KEYRING_MASTER_KEY).decode()
    )
    with pytest.raises(CommandError, match="is the current master key"):
        rotate()
