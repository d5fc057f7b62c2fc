from django.core.management.base import BaseCommand

from calls.models import CallNote
from calls.purge import Checkpoint, purge_expired


class Command(BaseCommand):
    help = (
        "Delete expired call notes in batches and destroy the keys of past expiry buckets; "
        "seal notes written before sealing whose readers all have key pairs. "
        "Idempotent; prints counts only. Run every few minutes (the scheduler service does)."
    )

    def handle(self, *args, **options) -> str:
        # Sealing first: the purge's checkpoint then folds the rewritten rows back too.
        sealed = CallNote.objects.seal_unsealed()
        purged = purge_expired()
        if purged.checkpoint is Checkpoint.BUSY:
            self.stderr.write(
                "SQLite's write-ahead log could not be truncated: the database was busy. "
                "Deleted rows may linger in it until the next purge."
            )
        return (
            f"Purged {purged.notes} expired note(s) in {purged.batches} batch(es); "
            f"destroyed {purged.keys} key(s); sealed {sealed} older note(s).\n"
        )
