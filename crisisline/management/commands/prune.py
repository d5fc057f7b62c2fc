from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from crisisline.models import FailedSignIn, Invitation


class Command(BaseCommand):
    help = "Delete sign-in throttle rows past their window and invitations dead for a week."

    def handle(self, *args, **options) -> str:
        failures = FailedSignIn.objects.prune()
        cutoff = timezone.now() - timedelta(days=7)
        invitations, _ = Invitation.objects.filter(expires_at__lt=cutoff).delete()
        return f"Pruned {failures} sign-in failure(s), {invitations} old invitation row(s).\n"
