"""Time the notes list of a reader with 50 live notes (a benchmark, not a test).

    .venv/bin/python tests/calls/bench_note_list.py             # SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisisline_bench .venv/bin/python tests/calls/bench_note_list.py

Uses a scratch VAR_DIR and keyring (and, for SQLite, a scratch database file);
in PostgreSQL the notes of the database named in DATABASE_URL are emptied.
Signs in through the form (so the note key is unlocked), then reads /notes/
RUNS times in-process; prints the median and fastest wall time, the median CPU
time of the process (steadier on a busy machine) and the query count.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

NOTES = int(os.environ.get("BENCH_NOTES", "50"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    scratch = Path(tempfile.mkdtemp(prefix="list-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'db.sqlite3'}")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "crisisline.settings",
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

    setup_test_environment()
    call_command("migrate", verbosity=0)

    from calls.models import CallNote, NoteKeys
    from crisisline.models import User

    CallNote.including_expired.all().delete()
    password = "a bench password, long enough 2026"
    User.objects.filter(username__in=["bench-reader", "bench-mate"]).delete()
    reader = User.objects.create_user("bench-reader", password=password, display_name="Reader")
    mate = User.objects.create_user("bench-mate", password=password, display_name="Mate")
    for person in (reader, mate):
        person.groups.add(Group.objects.get(name="Responder"))
        NoteKeys.create_for(person, password)
    for number in range(NOTES):
        CallNote.write(
            author=reader if number % 2 else mate,
            follow_up_to=mate if number % 2 else reader,
            follow_up_by=None,
            body=f"Bench note {number}: talked it through, safe for tonight.",
            kind="crisis-acute",
            response="phone",
            police="none",
            needs=["safety", "food"],
            keep_hours=72,
        )
    client = Client()
    client.post("/accounts/login/", {"username": reader.username, "password": password})
    times, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/notes/")
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get("/notes/")
    if hasattr(CallNote.objects, "opened_by"):  # the opening alone, without the page
        from calls.models import NoteKeys as Keys

        private = Keys.objects.get(person=reader).unlock(password)
        opening = []
        for _ in range(RUNS):
            started = time.process_time()
            CallNote.objects.opened_by(reader, private)
            opening.append((time.process_time() - started) * 1000)
        print(f"opening {NOTES} notes: CPU median {statistics.median(opening):.1f} ms")
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(CallNote.objects.opened_by, reader, private)
            pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(client.get, "/notes/")
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    print(
        f"{connection.vendor}: /notes/ with {NOTES} notes, {RUNS} runs: "
        f"median {statistics.median(times):.1f} ms, fastest {min(times):.1f} ms, "
        f"CPU median {statistics.median(cpu):.1f} ms, "
        f"{len(queries)} queries"
    )


if __name__ == "__main__":
    main()
