"""The seizure test against real SQLite files: the database, its -wal and -shm.

Runs the scenario (tests/calls/seizure_driver.py) in its own process with a
file database in WAL mode and secure_delete, exactly as a server runs, and
searches every file it leaves, and everything it logged, for the canaries.
"""

from __future__ import annotations

import json
import uuid

from tests.calls.sqlite_files import run_driver
from tests.calls.test_seizure import files_holding


def test_a_seized_sqlite_database_with_its_wal_holds_no_note(tmp_path):
    workdir = tmp_path / "var"
    workdir.mkdir()
    canaries = [f"CANARY-{uuid.uuid4().hex}" for _ in range(3)]
    result = run_driver("tests.calls.seizure_driver", workdir, *canaries)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    # Everything the process logged to its console, kept as a log file would be.
    (tmp_path / "console.log").write_text(result.stdout + result.stderr)

    assert summary["statuses"] == [302, 302, 500]
    assert "tally store fell over" in result.stderr  # the error was logged…
    assert (workdir / "error-reports" / "report.txt").exists()  # …and reported
    assert summary["seized_before"] == ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"]
    assert summary["readable_before_purge"] == [True, True]
    assert files_holding(canaries, tmp_path) == []

    assert summary["rows_after_purge"] == 0
    assert summary["expired_keys_left"] == []
    # No bucket key is left: only the keyring's identity, its high-water mark of
    # time and the shares of sessions still signed in (none once they ended).
    left = sorted(p.name for p in (tmp_path / "seized-after" / "keyring").iterdir())
    assert [name for name in left if name.startswith("bucket-")] == []
    assert [name for name in left if not name.startswith("share-")] == [
        "high-water",
        "identity.json",
    ]
    # The pre-purge files put back beside the post-purge keyring: rows, but no bodies.
    assert summary["restored_rows"] == 2
    assert summary["restored_list_statuses"] == [200]
    # Gone, said to their readers (410); to the author, a note not theirs is not there (404).
    assert summary["restored_page_statuses"] == [404, 410]
    assert summary["leaked_through_pages"] == []
