"""Deleting expired notes and destroying their keys (the purge and the emergency wipe)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from calls import keyring
from calls.models import CallNote

BATCH_SIZE = 2000


@dataclass(frozen=True)
class Purged:
    notes: int
    keys: int
    batches: int


def _delete_in_batches(rows, batch_size: int) -> tuple[int, int]:
    """Delete `rows` a batch at a time, each in its own short transaction."""
    deleted = batches = 0
    while True:
        with transaction.atomic():
            ids = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return deleted, batches
            # Their sealed copies go with them: two DELETE … WHERE … IN (…) statements.
            _count, per_model = CallNote.including_expired.filter(pk__in=ids).delete()
        deleted += per_model.get(CallNote._meta.label, 0)
        batches += 1


def checkpoint_sqlite() -> bool:
    """Fold SQLite's write-ahead log back into the database and truncate the log.

    Only possible outside a transaction and with a write-ahead log (not, say,
    for an in-memory database); returns whether it ran.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] != "wal":
            return False
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return True


def purge_expired(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> Purged:
    """Delete every expired note, then destroy the keys of every past bucket."""
    now = now or timezone.now()
    expired = CallNote.including_expired.filter(expires_at__lte=now)
    notes, batches = _delete_in_batches(expired, batch_size)
    keys = keyring.destroy_past(now)
    checkpoint_sqlite()
    return Purged(notes=notes, keys=keys, batches=batches)


def wipe_everything(*, batch_size: int = BATCH_SIZE) -> tuple[int, int]:
    """The emergency wipe: every note and every key, at once. Totals survive.

    Keys go first: from that instant no note can be read, however long the
    rows take to delete.
    """
    keys = keyring.destroy_all()
    notes, _batches = _delete_in_batches(CallNote.including_expired.all(), batch_size)
    checkpoint_sqlite()
    return notes, keys
