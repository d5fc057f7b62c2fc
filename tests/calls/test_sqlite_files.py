"""On a real SQLite file under the project's settings: secure_delete is on, and the
write-ahead log is emptied after a purge, a burn and the emergency wipe; a purge
that cannot empty it says so."""

from __future__ import annotations

import json

import pytest

from tests.calls.sqlite_files import run_driver


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("sqlite-file")
    result = run_driver("tests.calls.sqlite_file_driver", workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_secure_delete_and_the_write_ahead_log_are_on(summary):
    assert summary["database"] == "db.sqlite3"
    assert summary["secure_delete"] == 1
    # Whatever the SQLite library's own default (Debian's is on), the
    # settings turn it on for every connection.
    assert "secure_delete=on" in summary["init_command"].lower().replace(" ", "")
    assert summary["journal_mode"] == "wal"


def test_the_purge_empties_the_write_ahead_log(summary):
    assert summary["wal_after_writing"] > 0
    assert summary["purged"] == 3
    assert summary["purge_checkpoint"] == "truncated"
    assert summary["wal_after_purge"] == 0


def test_burning_a_note_empties_the_write_ahead_log(summary):
    assert summary["wal_before_burn"] > 0
    assert summary["burn_checkpoint"] == "truncated"
    assert summary["wal_after_burn"] == 0


def test_the_emergency_wipe_empties_the_write_ahead_log(summary):
    assert summary["wal_before_wipe"] > 0
    assert summary["wal_after_wipe"] == 0


def test_a_purge_kept_from_the_log_says_so_and_the_next_one_finishes(summary):
    assert "could not be truncated" in summary["busy_message"]
    assert summary["wal_while_busy"] > 0
    assert summary["checkpoint_once_free"] == "truncated"
    assert summary["wal_once_free"] == 0
