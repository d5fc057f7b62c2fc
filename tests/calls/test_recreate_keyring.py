"""manage.py recreate_keyring: the explicit way to give KEYRING_DIR a new identity.
It says how many live notes stay unreadable and asks first (--yes for scripts)."""

from __future__ import annotations

import io
import shutil
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from calls import keyring
from calls.keyring_guard import KeyringRecord, keyring_problem
from calls.models import CallNote
from tests.calls.conftest import client_for, note_form, read_body, write_note


def _run(*args: str, answer: str | None = None) -> str:
    out = io.StringIO()
    if answer is None:
        call_command("recreate_keyring", *args, stdout=out)
    else:
        with mock.patch("builtins.input", return_value=answer) as asked:
            try:
                call_command("recreate_keyring", *args, stdout=out)
            finally:
                assert asked.called
    return out.getvalue()


@pytest.fixture
def lost_keyring(responder, keyring_dir, tmp_path):
    """Three live notes, a backup of their keys, then the keyring is deleted."""
    notes = [write_note(responder, f"note {hours}", keep_hours=hours) for hours in (2, 8, 72)]
    backup = tmp_path / "backup"
    shutil.copytree(keyring_dir, backup)
    shutil.rmtree(keyring_dir)
    return notes, backup


def test_it_says_what_stays_unreadable_and_changes_nothing_without_a_yes(lost_keyring, keyring_dir):
    with pytest.raises(CommandError, match="Nothing was changed"):
        _run(answer="no")
    assert not keyring_dir.exists()
    assert keyring_problem() is not None


def test_it_tells_the_count_before_asking(lost_keyring):
    out = io.StringIO()
    with mock.patch("builtins.input", return_value="") as asked, pytest.raises(CommandError):
        call_command("recreate_keyring", stdout=out)
    said = out.getvalue()
    assert "does not exist" in said
    assert "3 of 3 live notes have no key" in said and "stay unreadable" in said
    assert asked.call_count == 1


def test_yes_recreates_and_notes_can_be_written_again(lost_keyring, responder, keyring_dir):
    notes, _backup = lost_keyring
    said = _run("--yes")
    listed = client_for(responder).get("/notes/").content.decode()
    assert listed.count("Unreadable: its key is missing") == len(notes)
    assert "3 of 3 live notes" in said and "new keyring" in said
    identity = keyring.identity()
    assert KeyringRecord.objects.get().keyring_id == identity.id
    assert keyring_problem() is None
    response = client_for(responder).post("/notes/new/", note_form(body="after"))
    assert response.status_code == 302
    assert CallNote.objects.count() == 4


def test_typing_yes_at_the_prompt_also_recreates(lost_keyring):
    _run(answer="yes")
    assert keyring_problem() is None


def test_old_keys_restored_beside_the_new_keyring_open_the_old_notes(
    lost_keyring, responder, keyring_dir
):
    notes, backup = lost_keyring
    _run("--yes")
    newer = write_note(responder, "written after the loss", keep_hours=8)
    for path in backup.glob("bucket-*"):  # restore the keys only, never the identity
        assert not (keyring_dir / path.name).exists()
        shutil.copy2(path, keyring_dir / path.name)
    assert [read_body(note, responder) for note in notes] == ["note 2", "note 8", "note 72"]
    assert read_body(newer, responder) == "written after the loss"
    assert keyring_problem() is None


def test_a_healthy_keyring_is_recreated_only_on_request(responder, keyring_dir):
    write_note(responder)
    said = _run("--yes")
    assert "0 of 1 live note have no key" in said
