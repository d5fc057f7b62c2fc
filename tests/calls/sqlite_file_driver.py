"""A real SQLite file under the project's settings (run by test_sqlite_files.py).

    python -m tests.calls.sqlite_file_driver WORKDIR

Reports the database's pragmas and the size of its write-ahead log after notes
are written, purged, burned and wiped, and what the purge says when another
connection keeps the log busy. Prints one JSON line.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

import time_machine


def main(workdir: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from calls.models import CallNote, NoteKeys
    from calls.purge import burn, purge_expired, wipe_everything
    from crisisline.models import User

    call_command("migrate", verbosity=0)
    database = Path(connection.settings_dict["NAME"])
    wal = Path(f"{database}-wal")

    def pragma(name: str):
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return cursor.fetchone()[0]

    def wal_size() -> int:
        return wal.stat().st_size if wal.exists() else -1

    author = User.objects.create_user("author", password="x" * 12, display_name="Author")
    NoteKeys.create_for(author, "x" * 12)

    def write(hours: int = 1) -> CallNote:
        return CallNote.write(
            author=author,
            body="a note",
            kind="crisis-acute",
            response="phone",
            police="none",
            needs=[],
            keep_hours=hours,
        )

    summary: dict = {
        "database": database.name,
        "secure_delete": pragma("secure_delete"),
        "journal_mode": pragma("journal_mode"),
        # Debian's SQLite already defaults to secure_delete: the settings must not rely on it.
        "init_command": connection.settings_dict["OPTIONS"].get("init_command", ""),
    }
    for _ in range(3):
        write()
    summary["wal_after_writing"] = wal_size()
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        purged = purge_expired()
    summary["purged"] = purged.notes
    summary["purge_checkpoint"] = purged.checkpoint.value
    summary["wal_after_purge"] = wal_size()

    burned = write(hours=72)
    summary["wal_before_burn"] = wal_size()
    summary["burn_checkpoint"] = burn(burned).value
    summary["wal_after_burn"] = wal_size()

    write(hours=72)
    summary["wal_before_wipe"] = wal_size()
    wipe_everything()
    summary["wal_after_wipe"] = wal_size()

    # Another connection in the middle of a read keeps the log from being folded back.
    reader = sqlite3.connect(database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM calls_callnote").fetchone()
    write(hours=1)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 50")  # not the 20 s a live server waits
    err = io.StringIO()
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        call_command("purge_expired", stdout=io.StringIO(), stderr=err)
    summary["busy_message"] = err.getvalue()
    summary["wal_while_busy"] = wal_size()
    reader.execute("COMMIT")
    reader.close()
    summary["checkpoint_once_free"] = purge_expired().checkpoint.value
    summary["wal_once_free"] = wal_size()
    return summary


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
