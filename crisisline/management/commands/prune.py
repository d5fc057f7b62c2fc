from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from crisisline.models import FailedSignIn, Invitation


class Command(BaseCommand):
    help = (
        "Delete sign-in throttle rows past their window and invitations dead for a week; "
        "refresh the query planner's statistics."
    )

    def handle(self, *args, **options) -> str:
        failures = FailedSignIn.objects.prune()
        cutoff = timezone.now() - timedelta(days=7)
        invitations, _ = Invitation.objects.filter(expires_at__lt=cutoff).delete()
        # SQLite plans queries well only with statistics, which it never gathers
        # by itself (PostgreSQL's autovacuum does); cheap at a line's size.
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return f"Pruned {failures} sign-in failure(s), {invitations} old invitation row(s).\n"
