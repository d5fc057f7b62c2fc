"""Deleting expired notes and destroying their keys (the purge and the emergency wipe)."""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from calls import keyring, keyring_guard
from calls.models import (
    AftercareRequest,
    CallNote,
    CheckOut,
    FieldCheckIn,
    FollowUpIndex,
    NoteEnding,
    NoteSeal,
    Notice,
    TeamReview,
)

BATCH_SIZE = 2000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    notes: int
    keys: int
    batches: int
    checkpoint: Checkpoint
    endings: int = 0


def _delete_in_batches(
    rows: QuerySet[Any],
    batch_size: int,
    *,
    until: float | None = None,
    ending: str | None = None,
) -> tuple[int, int]:
    """Delete `rows` a batch at a time, each in its own short transaction (and no
    new batch once time.monotonic() has passed `until`); with `ending`, each reader
    of each note is told what became of it (NoteEnding)."""
    deleted = batches = 0
    while until is None or time.monotonic() < until:
        with transaction.atomic():
            batch = list(
                rows.order_by("pk").values_list(
                    "pk", "public_id", "author_id", "follow_up_to_id", "expires_at"
                )[:batch_size]
            )
            if not batch:
                return deleted, batches
            ids = [pk for pk, *_rest in batch]
            if ending is not None:
                NoteEnding.record(
                    [
                        (public_id, reader, expires)
                        for _pk, public_id, author, mate, expires in batch
                        for reader in {author, mate}
                    ],
                    ending,
                )
            # Their sealed copies first, then the notes: two DELETE … WHERE … IN (…)
            # statements. Nothing else points at a note, so Django's collector, which
            # would read every note (ciphertext and all) before deleting it, is skipped.
            NoteSeal.objects.filter(note_id__in=ids).delete()
            deleted += CallNote.including_expired.filter(pk__in=ids)._raw_delete(connection.alias)
        batches += 1
    return deleted, batches


class Checkpoint(enum.Enum):
    """What folding SQLite's write-ahead log back into the database came to."""

    TRUNCATED = "truncated"  # every frame copied back, and the log emptied
    BUSY = "busy"  # another connection kept it from finishing: old pages may remain
    NOT_APPLICABLE = "not applicable"  # PostgreSQL, no write-ahead log, or inside a transaction


def checkpoint_sqlite() -> Checkpoint:
    """Fold SQLite's write-ahead log back into the database and truncate the log,
    so deleted rows do not linger in it (secure_delete overwrites the database's
    own pages, not frames already in the log).

    Only possible outside a transaction and with a write-ahead log (not, say, for
    an in-memory database). BUSY (logged) when a reader or writer kept it from
    finishing; the next purge tries again.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return Checkpoint.NOT_APPLICABLE
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] != "wal":
            return Checkpoint.NOT_APPLICABLE
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _log_frames, _checkpointed = cursor.fetchone()
    if busy:
        logger.warning("SQLite write-ahead log not truncated: the database was busy")
        return Checkpoint.BUSY
    return Checkpoint.TRUNCATED


def vacuum_postgres() -> bool:
    """On PostgreSQL, VACUUM the notes and their sealed copies (and their TOAST
    tables) so deleted and replaced row versions are removed rather than left
    for autovacuum; trailing pages left empty are cut off the files.

    VACUUM cannot run in a transaction block: outside one, Django's connection
    is in autocommit, so this is a no-op (False) inside a transaction and on
    SQLite. What VACUUM leaves behind (bytes of a removed row in a page that
    still holds live rows, until they are overwritten; the write-ahead log until
    its segments are recycled) is described in calls/README.md and on /privacy/.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (CallNote, NoteSeal, FollowUpIndex):
            cursor.execute(f"VACUUM {quote(model._meta.db_table)}")
    return True


def clean_up_deleted() -> Checkpoint:
    """After notes or seals are deleted: VACUUM (PostgreSQL) and truncate the
    write-ahead log (SQLite). Inside a transaction neither can run, so both wait
    until it commits (NOT_APPLICABLE is returned then)."""
    if connection.in_atomic_block:
        transaction.on_commit(clean_up_deleted)
        return Checkpoint.NOT_APPLICABLE
    vacuum_postgres()
    return checkpoint_sqlite()


@contextlib.contextmanager
def _roomy_sqlite_cache(kib: int = 65536) -> Iterator[None]:
    """On SQLite, a page cache of `kib` KiB for this connection while it lasts (the
    default is 2 MiB): deleting notes by the thousand then rereads fewer pages."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def purge_expired(now: datetime | None = None, *, batch_size: int = BATCH_SIZE) -> Purged:
    """Delete every expired note, then destroy the keys of every past bucket.

    Expired by the later of `now` (the clock) and the high-water mark, which this
    advances: a clock moved back keeps nothing alive."""
    now = keyring_guard.advance_high_water(now or timezone.now())
    expired = CallNote.including_expired.filter(expires_at__lte=now)
    with _roomy_sqlite_cache():
        notes, batches = _delete_in_batches(expired, batch_size, ending=NoteEnding.What.EXPIRED)
    keys = keyring.destroy_past(now)
    endings, _per_model = NoteEnding.objects.filter(expires_at__lte=now).delete()
    # Aftercare records live no longer than their purpose.
    CheckOut.objects.filter(expires_at__lte=now).delete()
    AftercareRequest.objects.filter(expires_at__lte=now).delete()
    Notice.objects.filter(expires_at__lte=now).delete()  # with who read them
    FieldCheckIn.objects.filter(ends_at__lte=now).delete()  # the shift is over
    # A queue index whose earliest note's key is destroyed opens no more.
    FollowUpIndex.objects.filter(bucket__lt=keyring.bucket_for(now)).delete()
    vacuum_postgres()
    return Purged(
        notes=notes, keys=keys, batches=batches, checkpoint=checkpoint_sqlite(), endings=endings
    )


def burn(note: CallNote, *, ending: str = NoteEnding.What.BURNED) -> Checkpoint:
    """Burn now: delete one note (and its sealed copies) at once; its readers are
    told it was burned (or, for a follow-up marked done, that it is done)."""
    with transaction.atomic():
        readers, now = {note.author_id, note.follow_up_to_id}, timezone.now()
        NoteEnding.record([(note.public_id, reader, now) for reader in readers], ending)
        CallNote.including_expired.filter(pk=note.pk).delete()
        if ending != NoteEnding.What.DONE:
            # Its holder's queue index spoke of it: gone too (made again on their next
            # look). Marked done, the holder's own next page rewrites it at once.
            FollowUpIndex.objects.filter(reader_id=note.follow_up_to_id).delete()
    return clean_up_deleted()


class KeysNotDestroyed(Exception):
    """The wipe deleted every note from the database, but the operating system
    refused to destroy the keys (a read-only or failing keyring directory)."""

    def __init__(self, notes: int, cause: OSError) -> None:
        super().__init__(f"{notes} notes deleted; keys not destroyed: {cause}")
        self.notes = notes


def wipe_everything(*, batch_size: int = BATCH_SIZE) -> tuple[int, int]:
    """The emergency wipe: every note and every key, at once. Totals survive.

    Keys go first: from that instant no note can be read, however long the
    rows take to delete. Then the keyring gets a new identity (recorded in the
    database too), so the keys of notes written after the wipe have names no
    wiped key ever had: a copy of the old directory put back can never take
    their place.

    When the keys cannot be destroyed, the rows are deleted all the same (without
    its ciphertext a key opens nothing) and KeysNotDestroyed says so afterwards.
    """
    refused: OSError | None = None
    try:
        keys = keyring.destroy_all()
    except OSError as exc:
        logger.error("The emergency wipe could not destroy the notes' keys: %s", exc)
        refused, keys = exc, 0
    notes, _batches = _delete_in_batches(CallNote.including_expired.all(), batch_size)
    NoteEnding.objects.all().delete()  # not even who had a note survives a wipe
    FollowUpIndex.objects.all().delete()
    wipe_aftercare()
    if refused is not None:
        vacuum_postgres()
        checkpoint_sqlite()
        raise KeysNotDestroyed(notes, refused)
    if keyring.exists():
        try:
            keyring_guard.recreate()
        except keyring.KeyringUnwritable as exc:  # the wipe itself is done
            logger.error("After the wipe, the keyring could not get a new identity: %s", exc)
    vacuum_postgres()
    checkpoint_sqlite()
    return notes, keys


def wipe_aftercare() -> None:
    """Every aftercare record goes with the notes: who answered a check-out, debrief
    and break requests, field check-ins, notices (with who read them) and the team's
    reviews. Only the anonymous counts (Tally, WeeklyCount) stay."""
    for model in (CheckOut, AftercareRequest, FieldCheckIn, Notice, TeamReview):
        model.objects.all().delete()


# --- The opportunistic purge ---------------------------------------------------------
# The scheduler is the first line of defence; this is the second. After a response
# has been sent (Django's request_finished), a web worker looks, at most once every
# OPPORTUNISTIC_PURGE_EVERY seconds, for keys of hours that are over. Between two
# looks a request pays one clock reading and one comparison.

OPPORTUNISTIC = "purge_opportunistic"
# How long one opportunistic purge may spend deleting rows after destroying keys;
# the scheduler (or the next look) deletes the rest.
OPPORTUNISTIC_BUDGET_SECONDS = 0.25

_next_look = 0.0
_looking = threading.Lock()


def purge_opportunistically(*, budget: float = OPPORTUNISTIC_BUDGET_SECONDS) -> Purged | None:
    """Destroy the keys of every past hour, then delete expired notes for at most
    `budget` seconds. None when there was nothing to do or another runner (the
    scheduler, another worker) holds the purge's lock."""
    from crisisline import periodic
    from crisisline.models import Heartbeat

    started = time.monotonic()
    moment = keyring_guard.expiry_moment()
    past = keyring.past_buckets(moment.timestamp())
    expired = CallNote.including_expired.filter(expires_at__lte=moment)
    if not past and not expired.exists():
        return None
    with periodic.job_lock(periodic.SCHEDULED_PURGE) as mine:
        if not mine:
            return None
        moment = keyring_guard.advance_high_water(moment)
        # Keys first: from here no expired note opens, however many rows are left.
        keys = keyring.destroy_past(moment)
        notes, batches = _delete_in_batches(
            expired, 500, until=started + budget, ending=NoteEnding.What.EXPIRED
        )
        Heartbeat.beat(OPPORTUNISTIC)
    if keys or notes:
        logger.warning(
            "The app purged on its own: %d past key(s), %d expired note(s). "
            "Is the scheduler running?",
            keys,
            notes,
        )
    # VACUUM too, as after the scheduled purge (no-op on SQLite).
    return Purged(notes=notes, keys=keys, batches=batches, checkpoint=clean_up_deleted())


def after_response(sender: object = None, **kwargs: object) -> None:
    """request_finished receiver: look for past keys if it is time (see above)."""
    global _next_look
    every = settings.OPPORTUNISTIC_PURGE_EVERY
    if not every or time.monotonic() < _next_look:
        return
    if not _looking.acquire(blocking=False):  # another thread of this worker is on it
        return
    try:
        _next_look = time.monotonic() + every
        purge_opportunistically()
    except Exception:  # never the response's problem; the scheduler is the first line
        logger.exception("The opportunistic purge failed")
    finally:
        _looking.release()


def reset_opportunistic_clock() -> None:
    """Make the next request look at once (tests)."""
    global _next_look
    _next_look = 0.0
