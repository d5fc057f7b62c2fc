"""Time /oncall/ for a responder holding no follow-up, then 1,000, with 50 notices,
beside the signed-in floor (a benchmark, not a test).

    .venv/bin/python tests/calls/bench_oncall_follow_ups.py      # SQLite file

Scratch VAR_DIR, keyring and database; signs in through the form (so the note key
is unlocked); prints median wall and CPU time and the query count for each case.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HELD = int(os.environ.get("BENCH_HELD", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    scratch = Path(tempfile.mkdtemp(prefix="oncall-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'db.sqlite3'}")
    os.environ.update(
        {
            # The app's settings with the floor's bare views (tests/bench/urls.py).
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
            "DEBUG": "true",
            "VAR_DIR": str(scratch),
            "KEYRING_DIR": str(scratch / "keyring"),
            "NOTE_KEY_ARGON2_MEMORY_KIB": "1024",
        }
    )
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from calls.models import CallNote, NoteKeys, Notice
    from crisisline.models import User

    password = "a bench password, long enough 2026"
    reader = User.objects.create_user("bench-reader", password=password, display_name="Reader")
    author = User.objects.create_user("bench-author", password=password, display_name="Author")
    for person in (reader, author):
        person.groups.add(Group.objects.get(name="Responder"))
        NoteKeys.create_for(person, password)
    now = timezone.now()
    Notice.objects.bulk_create(
        Notice(text=f"Notice {n}.", posted_at=now, expires_at=now + timedelta(days=3))
        for n in range(50)
    )
    client = Client()
    client.post("/accounts/login/", {"username": reader.username, "password": password})

    def measure(label: str, path: str = "/oncall/") -> None:
        times, cpu = [], []
        client.get(path)  # a first look brings the queue's index up to date
        for _ in range(RUNS):
            started, started_cpu = time.perf_counter(), time.process_time()
            assert client.get(path).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"{connection.vendor}: {path} {label}: median {statistics.median(times):.1f} ms, "
            f"CPU median {statistics.median(cpu):.1f} ms, {len(queries)} queries"
        )

    measure("signed-in floor", "/bench/signed-in")
    measure("holding no follow-up, 50 notices")
    today = timezone.localdate()
    for number in range(HELD):
        CallNote.write(
            author=author,
            follow_up_to=reader,
            follow_up_by=today + timedelta(days=number % 5),
            body=f"Bench note {number}.",
            kind="aftercare",
            response="phone",
            police="none",
            needs=[],
            keep_hours=72,
        )
    measure(f"holding {HELD} follow-ups, 50 notices")


if __name__ == "__main__":
    main()
