"""Periodic jobs: one runner at a time per job, and a heartbeat that says when each
last finished.

Two schedulers (a second host, a cron line left behind) or a scheduler and the
app's own opportunistic purge must never run the same job at once. On PostgreSQL
each job takes a session-level advisory lock; on SQLite, an exclusive file lock
beside the database (PERIODIC_LOCK_DIR). Whoever does not get the lock skips the
run: the other runner is doing it.

The scheduled purge's heartbeat is what /healthz and the coordinators' dashboard
read: when it is older than twice the purge's interval, the scheduler has
stopped, and they say so.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from crisisline.models import Heartbeat

SCHEDULED_PURGE = "purge_expired"

# Locks this process holds already (a job that runs another, or runperiodic
# around a command that locks itself): taken again, they are simply held on.
_held: dict[str, int] = {}
_held_guard = threading.Lock()


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit number for `name` (PostgreSQL's lock keys are bigint)."""
    digest = hashlib.blake2b(f"crisisline periodic {name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_dir() -> Path:
    return Path(settings.PERIODIC_LOCK_DIR)


@contextlib.contextmanager
def _postgres_lock(name: str) -> Iterator[bool]:
    key = _advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextlib.contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    directory = _lock_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Hold `name`'s lock for the block if no other runner holds it: yields True
    (run the job) or False (another runner has it: skip). Never waits."""
    with _held_guard:
        if name in _held:
            _held[name] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield True
        finally:
            with _held_guard:
                _held[name] -= 1
        return
    lock = _postgres_lock if connection.vendor == "postgresql" else _file_lock
    with lock(name) as acquired:
        if not acquired:
            yield False
            return
        with _held_guard:
            _held[name] = 1
        try:
            yield True
        finally:
            with _held_guard:
                del _held[name]


# --- The heartbeat ---------------------------------------------------------------------


def interval(name: str) -> timedelta:
    """How often the scheduler runs `name` (settings.PERIODIC_COMMANDS)."""
    return timedelta(seconds=dict(settings.PERIODIC_COMMANDS)[name])


def last_scheduled_purge() -> datetime | None:
    return Heartbeat.last(SCHEDULED_PURGE)


def purge_late(
    last: datetime | None, *, keyring_since: datetime | None, now: datetime | None = None
) -> bool:
    """Whether the scheduled purge is late: its last run (or, if it never ran, the
    keyring's first use) is older than twice its interval. A new line with no
    keyring yet has nothing to purge, so it is not late."""
    since = last or keyring_since
    if since is None:
        return False
    return (now or timezone.now()) - since > 2 * interval(SCHEDULED_PURGE)
