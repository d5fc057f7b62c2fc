import logging

from django.core.management.base import BaseCommand

from calls import keyring_guard
from calls.checks import NOT_OUR_KEYRING_HINT
from calls.models import CallNote
from calls.purge import Checkpoint, checkpoint_sqlite, purge_expired, vacuum_postgres
from calls.unlock import destroy_orphan_shares
from crisisline import periodic
from crisisline.models import Heartbeat

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Delete expired call notes in batches and destroy the keys of past expiry buckets; "
        "seal notes written before sealing whose readers all have key pairs; destroy the "
        "held-key shares of sessions that ended without a sign-out. "
        "Idempotent; prints counts only. Run every few minutes (the scheduler service does)."
    )

    def handle(self, *args: object, **options: object) -> str:
        # Under the job lock (held already when runperiodic runs it): never beside
        # another scheduler's purge or the app's opportunistic one.
        with periodic.job_lock(periodic.SCHEDULED_PURGE) as mine:
            if not mine:
                return "Another purge is running; nothing done.\n"
            summary = self._purge()
            self._compare_keyring()
            # The heartbeat /healthz reads: cron and systemd timers record it too.
            Heartbeat.beat(periodic.SCHEDULED_PURGE)
            return summary

    def _compare_keyring(self) -> None:
        """Every run, compare the keyring on disk with this database's record: a
        directory deleted, emptied or swapped while the app runs is told to the
        operator in the scheduler's log even if nobody watches /healthz."""
        found = keyring_guard.keyring_problem()
        if found is not None:
            logger.error("No note can be written: %s %s", found[1], NOT_OUR_KEYRING_HINT)
            self.stderr.write(f"No note can be written: {found[1]}")

    def _purge(self) -> str:
        # Expiry first: a note that cannot be sealed must never keep notes alive.
        purged = purge_expired()
        try:
            sealed = CallNote.objects.seal_unsealed()
        except Exception:  # the next run tries again; the purge above is done
            logger.exception("sealing older notes failed")
            sealed = 0
        if sealed:  # the rows they replaced go too
            vacuum_postgres()
        shares = destroy_orphan_shares()
        checkpoint = checkpoint_sqlite() if sealed else purged.checkpoint
        if checkpoint is Checkpoint.BUSY:
            self.stderr.write(
                "SQLite's write-ahead log could not be truncated: the database was busy. "
                "Deleted rows may linger in it until the next purge."
            )
        return (
            f"Purged {purged.notes} expired note(s) in {purged.batches} batch(es); "
            f"destroyed {purged.keys} key(s); sealed {sealed} older note(s); "
            f"destroyed {shares} share(s) of ended sessions.\n"
        )
