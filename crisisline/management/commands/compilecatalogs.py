from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from crisisline.i18n import compile_catalogs


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po to .mo) without GNU gettext."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        written = compile_catalogs(settings.BASE_DIR)
        self.stdout.write(f"Compiled {len(written)} catalog(s).")
