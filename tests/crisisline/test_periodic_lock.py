"""Periodic jobs take a lock (PostgreSQL advisory lock, a file lock on SQLite):
two schedulers, or a scheduler and the app's opportunistic purge, never run the
same job at once. Each test runs the other runner as a real separate process,
on whichever database the suite runs on."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from calls import keyring
from calls.purge import purge_opportunistically
from crisisline import periodic
from crisisline.models import Heartbeat
from tests.calls.conftest import clock_at, write_note


def _database_url() -> str:
    if connection.vendor != "postgresql":
        return os.environ.get("DATABASE_URL", "sqlite:///:memory:")
    conf = connection.settings_dict
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    return (
        f"postgres://{conf['USER']}{password}@{conf['HOST'] or '127.0.0.1'}:"
        f"{conf['PORT'] or 5432}/{conf['NAME']}"
    )


def _start_holder(name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crisisline.settings",
        "DATABASE_URL": _database_url(),
        "PERIODIC_LOCK_DIR": str(settings.PERIODIC_LOCK_DIR),
        "KEYRING_DIR": str(settings.KEYRING_DIR),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crisisline.lock_holder", name],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _answer(process: subprocess.Popen) -> str:
    return process.stdout.readline().strip()


def _release(process: subprocess.Popen) -> None:
    process.stdin.close()
    assert process.wait(timeout=30) == 0


@contextmanager
def another_runner_holds(name: str) -> Iterator[None]:
    holder = _start_holder(name)
    try:
        assert _answer(holder) == "held"
        yield
    finally:
        _release(holder)


def test_of_runners_started_at_once_exactly_one_gets_the_job(db):
    runners = [_start_holder("purge_expired") for _ in range(4)]
    try:
        answers = sorted(_answer(runner) for runner in runners)
    finally:
        for runner in runners:
            _release(runner)
    assert answers == ["held", "refused", "refused", "refused"]
    # Once they are gone, the next one gets it.
    with another_runner_holds("purge_expired"):
        pass


def test_jobs_lock_separately(db):
    with another_runner_holds("purge_expired"), periodic.job_lock("prune") as mine:
        assert mine


def test_a_second_scheduler_skips_the_job_the_first_is_running(db, settings):
    settings.PERIODIC_COMMANDS = [("purge_expired", 300), ("prune_sign_in_failures", 30)]
    out = StringIO()
    with another_runner_holds("purge_expired"):
        call_command("runperiodic", "--once", stdout=out)
    assert "purge_expired: skipped, another runner is on it" in out.getvalue()
    # It did not purge, so it records no heartbeat for it; the other job ran.
    assert Heartbeat.last("purge_expired") is None
    assert Heartbeat.last("prune_sign_in_failures") is not None
    # With the other scheduler gone, it runs and records its heartbeat.
    call_command("runperiodic", "--once", stdout=StringIO())
    assert Heartbeat.last("purge_expired") is not None


def test_purge_expired_by_hand_or_cron_waits_its_turn_too(db):
    out = StringIO()
    with another_runner_holds("purge_expired"):
        call_command("purge_expired", stdout=out)
    assert out.getvalue() == "Another purge is running; nothing done.\n"


def test_the_opportunistic_purge_leaves_it_to_the_scheduler_running_it(responder):
    note = write_note(responder, keep_hours=1)
    with clock_at(timezone.now() + timedelta(hours=2, minutes=1)):
        with another_runner_holds("purge_expired"):
            assert purge_opportunistically() is None
            assert keyring.has_key(note.body_bucket)
        assert purge_opportunistically().keys == 1
    assert not keyring.has_key(note.body_bucket)


@pytest.mark.skipif("sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="SQLite only")
def test_on_sqlite_the_lock_is_a_file_beside_the_others(db):
    with periodic.job_lock("purge_expired") as mine:
        assert mine
        assert (settings.PERIODIC_LOCK_DIR / "purge_expired.lock").exists()
