from typing import Any

from django.core.management.base import BaseCommand

from crisisline.models import FailedSignIn


class Command(BaseCommand):
    help = (
        "Delete failed sign-ins past the throttle window (run every 30 seconds by the "
        "scheduler, so that none is kept more than a minute past it)."
    )

    def handle(self, *args: Any, **options: Any) -> str:
        return f"Pruned {FailedSignIn.objects.prune()} sign-in failure(s).\n"
