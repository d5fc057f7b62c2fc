"""Whether the keyring on disk belongs to this database, and the high-water mark
of time that keeps expiry from going backwards.

The keyring's identity (a random id and its creation time) lives both in
KEYRING_DIR and in this database (KeyringRecord). Before every note is written
(and at start-up, in `check --deploy` and in /healthz) they are compared: a
missing directory, one emptied while notes are live, or one that belongs to
another database is refused, never silently recreated; `manage.py
recreate_keyring` is the explicit way out.

The high-water mark is the latest time the app has seen, kept in the database
and in the directory. A note is expired once its expiry is before the later of
the wall clock and the mark, so moving the clock back brings nothing back.
"""

from __future__ import annotations

import enum
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls import keyring
from crisisline.models import single_row

logger = logging.getLogger(__name__)

# The scheduler purges every 5 minutes: keys older than this mean it has not run.
PURGE_OVERDUE = timedelta(minutes=15)
# Reading notes refreshes the keyring's copy of the high-water mark this often.
DISK_MARK_EVERY = timedelta(minutes=1)


class KeyringRecord(models.Model):
    """This database's side of the keyring: whose keys its notes are under, and the
    latest time the app has seen (a single row)."""

    keyring_id = models.CharField(max_length=32, blank=True)
    keyring_created_at = models.DateTimeField(null=True, blank=True)
    high_water = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "calls"
        constraints = [
            single_row(
                "keyring_record_is_single_row", _("There is only one keyring record for this line.")
            )
        ]

    def __str__(self) -> str:
        return f"KeyringRecord {self.keyring_id or '(none yet)'}"


class Problem(enum.Enum):
    """Why the keyring on disk must not be written to."""

    MISSING = "missing"
    EMPTIED = "emptied"
    FOREIGN = "foreign"

    def describe(self, expected: str = "", found: str = "") -> str:
        """For operators (logs, checks, the recreate command), in English."""
        where = f"KEYRING_DIR ({settings.KEYRING_DIR})"
        if self is Problem.MISSING:
            return (
                f"{where} does not exist, but this database has notes or a keyring recorded: "
                "it was deleted or is not mounted."
            )
        if self is Problem.EMPTIED:
            return (
                f"{where} has lost its identity or its keys while this database has live notes: "
                "it was emptied."
            )
        return (
            f"{where} belongs to another database (keyring {found}; this database's is {expected})."
        )


class KeyringRefused(keyring.KeyringFailure):
    """The keyring on disk is not this database's: no note is written under it."""

    def __init__(self, problem: Problem, description: str) -> None:
        super().__init__(
            f"{description} No note is written until it is restored from a backup or "
            "`manage.py recreate_keyring` is run."
        )
        self.problem = problem


def _record() -> KeyringRecord | None:
    return KeyringRecord.objects.filter(pk=1).first()


def _live_notes_exist() -> bool:
    from calls.models import CallNote

    return bool(CallNote.objects.exists())


def keyring_problem() -> tuple[Problem, str] | None:
    """What is wrong with the keyring on disk for this database, if anything
    (with a description for operators). Cheap when all is well: one small file
    read and one single-row query."""
    record = _record()
    recorded = record.keyring_id if record is not None else ""
    if not keyring.exists():
        if recorded or _live_notes_exist():
            return Problem.MISSING, Problem.MISSING.describe()
        return None
    found = keyring.identity()
    if found is None:
        if (recorded or not keyring.has_keys()) and _live_notes_exist():
            return Problem.EMPTIED, Problem.EMPTIED.describe()
        return None  # a new keyring, or one from before identities: adopted
    if recorded and found.id != recorded:
        return Problem.FOREIGN, Problem.FOREIGN.describe(expected=recorded, found=found.id)
    return None


def _remember(identity: keyring.Identity) -> None:
    KeyringRecord.objects.update_or_create(
        pk=1, defaults={"keyring_id": identity.id, "keyring_created_at": identity.created_at}
    )


def _claim() -> None:
    """Refuse (KeyringRefused, KeyringUnwritable) unless this database's keyring is
    the one on disk; give a new keyring its identity (recorded here too)."""
    if (found := keyring_problem()) is not None:
        raise KeyringRefused(*found)
    identity = keyring.identity_or_new()
    record = _record()
    if record is None or record.keyring_id != identity.id:
        _remember(identity)


def ready_to_write() -> datetime:
    """Refuse (KeyringRefused, KeyringUnwritable) unless notes may be written under
    the keyring now; give a new keyring its identity (recorded here too). Returns
    the time to write with: never earlier than the high-water mark."""
    _claim()
    return notice_time(strict=True)


def ready_for_share() -> None:
    """Refuse (KeyringRefused, KeyringUnwritable) unless a sign-in's share may be
    written in the keyring now: the same check as for a note, so that no share
    goes into a directory that was deleted, emptied or belongs to another
    database (keyring.new_share never creates the directory itself)."""
    _claim()


def recreate() -> keyring.Identity:
    """Give KEYRING_DIR a new identity and record it here (recreate_keyring)."""
    identity = keyring.create_identity(timezone.now())
    _remember(identity)
    return identity


# --- Time that never goes backwards ---------------------------------------------------


def _as_datetime(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


def high_water_mark() -> Subquery:
    """The high-water mark recorded in the database, as an SQL expression (NULL
    before there is one): to read it within another query."""
    return Subquery(
        KeyringRecord.objects.filter(pk=1).values("high_water")[:1],
        output_field=models.DateTimeField(),
    )


def expiry_now() -> Greatest:
    """The instant notes expire against, as an SQL expression: the later of the wall
    clock and the high-water mark (no extra query)."""
    now = timezone.now()
    return Greatest(
        models.Value(now, output_field=models.DateTimeField()),
        Coalesce(high_water_mark(), models.Value(now, output_field=models.DateTimeField())),
    )


def expiry_moment() -> datetime:
    """The instant notes expire against, in Python: the later of the wall clock and
    the high-water mark recorded in the database (one single-row query). The
    exact expiry sealed inside a note is checked against it, as the rows are
    against expiry_now()."""
    return expiry_moment_from(
        KeyringRecord.objects.filter(pk=1).values_list("high_water", flat=True).first()
    )


def expiry_moment_from(mark: datetime | None) -> datetime:
    """expiry_moment() from a high-water mark the caller read in a query of its own
    (high_water_mark()): no query here."""
    now = timezone.now()
    return max(now, mark) if mark is not None else now


def advance_high_water(now: datetime | None = None, *, strict: bool = False) -> datetime:
    """Raise the mark to `now` (or the wall clock) and return the later of the two.

    Reads the mark from the database and the directory (the later wins, so that
    restoring either from an older backup does not move time back); usually one
    UPDATE. The directory's copy is refreshed once a minute on reads; on writes
    (`strict`) every time, and a directory that cannot be written raises
    KeyringUnwritable there (on reads it is only logged).
    """
    now = now or timezone.now()
    on_disk = _as_datetime(keyring.high_water())
    moment = max(now, on_disk) if on_disk is not None else now
    # Only ever forwards, whatever another process wrote in between.
    moved = KeyringRecord.objects.filter(
        Q(high_water__isnull=True) | Q(high_water__lt=moment), pk=1
    ).update(high_water=moment)
    if not moved:
        record = _record()
        if record is None:
            KeyringRecord.objects.bulk_create(
                [KeyringRecord(pk=1, high_water=moment)], ignore_conflicts=True
            )
        elif record.high_water is not None and record.high_water > moment:
            moment = record.high_water
    lagging = on_disk is None or moment - on_disk >= DISK_MARK_EVERY
    if strict or (lagging and keyring.exists()):
        try:
            keyring.raise_high_water(int(moment.timestamp()), always=strict)
        except keyring.KeyringUnwritable:
            if strict:
                raise
            logger.warning("The keyring's high-water mark could not be written")
    return moment


def notice_time(now: datetime | None = None, *, strict: bool = False) -> datetime:
    """Advance the high-water mark, and if keys of past buckets are still on disk
    (the scheduled purge has not run), purge their notes and destroy them now.
    Returns the instant notes expire against."""
    moment = advance_high_water(now, strict=strict)
    past = keyring.past_buckets(moment.timestamp())
    if past:
        from calls.purge import purge_expired

        overdue = moment.timestamp() - keyring.bucket_end(past[0])
        if overdue > PURGE_OVERDUE.total_seconds():
            logger.warning(
                "Keys of %d past hour(s) were still on disk, the oldest %d minute(s) after its "
                "notes expired: the scheduled purge has not run. Destroying them now.",
                len(past),
                overdue // 60,
            )
        from crisisline.periodic import SCHEDULED_PURGE, job_lock

        try:
            # Another runner holding the purge's lock is destroying them already.
            with job_lock(SCHEDULED_PURGE) as mine:
                if mine:
                    purge_expired(moment)
        except OSError:
            logger.exception("Past keys could not be destroyed")
    return moment


# --- Notes whose key is gone ----------------------------------------------------------


def notes_missing_their_key() -> int:
    """How many live notes can no longer be read because their key is gone."""
    from calls.models import CallNote

    return int(CallNote.objects.exclude(body_bucket__in=keyring.buckets()).count())


def notes_missing_their_key_or_none() -> int | None:
    """notes_missing_their_key(), or None when the keyring cannot be read at all
    (the cause is logged): then no note can be opened."""
    try:
        return notes_missing_their_key()
    except OSError as failure:
        logger.error("The notes' keyring cannot be read: %s", failure)
        return None


def in_use_since() -> datetime | None:
    """When this database's keyring was made (None before the first note or sign-in
    needed one): one single-row query."""
    return KeyringRecord.objects.filter(pk=1).values_list("keyring_created_at", flat=True).first()


def health_problem() -> str | None:
    """Why notes cannot be written or read right now, for /healthz (cheap)."""
    try:
        keyring.probe()
    except OSError as exc:
        return f"the keyring cannot be read or written: {exc.strerror or exc}"
    found = keyring_problem()
    return None if found is None else found[1]


def scheduled_purge() -> tuple[datetime | None, bool]:
    """(when the scheduled purge last finished, whether it is late): one query, two
    when it never ran."""
    from crisisline import periodic

    last = periodic.last_scheduled_purge()
    return last, periodic.purge_late(last, keyring_since=None if last else in_use_since())
