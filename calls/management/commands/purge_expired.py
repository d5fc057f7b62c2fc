from django.core.management.base import BaseCommand

from calls.purge import purge_expired


class Command(BaseCommand):
    help = (
        "Delete expired call notes in batches and destroy the keys of past expiry buckets. "
        "Idempotent; prints counts only. Run every few minutes (the scheduler service does)."
    )

    def handle(self, *args, **options) -> str:
        purged = purge_expired()
        return (
            f"Purged {purged.notes} expired note(s) in {purged.batches} batch(es); "
            f"destroyed {purged.keys} key(s).\n"
        )
