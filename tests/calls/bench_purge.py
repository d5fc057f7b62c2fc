"""Time the purge of 100,000 expired notes (a benchmark, not a test).

    .venv/bin/python tests/calls/bench_purge.py                  # SQLite file, WAL, secure_delete
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisisline_bench .venv/bin/python tests/calls/bench_purge.py

Uses a scratch VAR_DIR and keyring (and, for SQLite, a scratch database file);
the PostgreSQL database named in DATABASE_URL is created if missing and its
notes table is emptied. Prints the figures only.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

NOTES = int(os.environ.get("BENCH_NOTES", "100000"))


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    scratch = Path(tempfile.mkdtemp(prefix="purge-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'db.sqlite3'}")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "crisisline.settings",
            "DEBUG": "true",
            "VAR_DIR": str(scratch),
            "KEYRING_DIR": str(scratch / "keyring"),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "postgresql":
        _ensure_postgres_database(connection.settings_dict)
    call_command("migrate", verbosity=0)

    from calls import keyring
    from calls.models import CallNote
    from calls.purge import purge_expired
    from crisisline.models import User

    CallNote.including_expired.all().delete()
    author, _ = User.objects.get_or_create(username="bench", defaults={"display_name": "Bench"})
    now = timezone.now()
    rows = []
    for number in range(NOTES):
        # Spread over 30 days of expiry: 720 hourly buckets, every one of them past.
        expires = now - timedelta(minutes=1 + number % (30 * 24 * 60))
        note = CallNote(
            author=author,
            kind="crisis-acute",
            response="phone",
            police="none",
            written_at=expires - timedelta(hours=72),
            expires_at=expires,
        )
        note.body_bucket = keyring.bucket_for(expires)
        note.body_ciphertext = os.urandom(12 + 300 + 16)
        rows.append(note)
    for bucket in {note.body_bucket for note in rows}:
        keyring.key_for(bucket, create=True)
    started = time.perf_counter()
    CallNote.including_expired.bulk_create(rows, batch_size=2000)
    inserted = time.perf_counter() - started

    started = time.perf_counter()
    purged = purge_expired()
    took = time.perf_counter() - started
    print(
        f"{connection.vendor}: inserted {NOTES} notes in {inserted:.2f} s; purged {purged.notes} "
        f"notes in {purged.batches} batches and destroyed {purged.keys} keys in {took:.2f} s"
    )
    assert purged.notes == NOTES and not CallNote.including_expired.exists()


def _ensure_postgres_database(settings_dict) -> None:
    import psycopg

    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings_dict["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')


if __name__ == "__main__":
    main()
