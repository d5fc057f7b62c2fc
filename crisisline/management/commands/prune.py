from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from crisisline.audit import Change
from crisisline.models import FailedSignIn, Invitation


class Command(BaseCommand):
    help = (
        "Delete sign-in throttle rows past their window, invitations dead for a week and "
        "recorded changes older than CHANGE_RECORD_DAYS; "
        "refresh the query planner's statistics."
    )

    def handle(self, *args: Any, **options: Any) -> str:
        failures = FailedSignIn.objects.prune()
        cutoff = timezone.now() - timedelta(days=7)
        invitations, _ = Invitation.objects.filter(expires_at__lt=cutoff).delete()
        changes, _ = Change.objects.older_than(settings.CHANGE_RECORD_DAYS).delete()
        # Queries plan well only with statistics. SQLite never gathers them by
        # itself; PostgreSQL's autovacuum does, but only after enough rows change,
        # so a freshly imported or generated roster would wait. Cheap at a line's size.
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return (
            f"Pruned {failures} sign-in failure(s), {invitations} old invitation row(s). "
            f"Pruned {changes} old recorded change(s).\n"
        )
