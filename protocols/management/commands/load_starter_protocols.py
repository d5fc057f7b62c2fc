"""Load the starter library (English and Spanish) shipped in protocols/starter/.

Idempotent: a protocol whose slug, or whose translation in that language,
already exists is left exactly as it is, so a trainer's edits are never
overwritten and nothing is added twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from protocols import bundle
from protocols.models import STARTER_SUMMARY

STARTER = Path(__file__).resolve().parents[2] / "starter"


class Command(BaseCommand):
    help = "Add the starter protocols and decision trees that are not in the library yet."

    def handle(self, *args: Any, **options: Any) -> str:
        try:
            entries = bundle.parse_entries(bundle.read_directory(STARTER))
            counts = bundle.import_entries(
                entries,
                author=None,
                update_existing=False,
                skip_existing=True,
                summary=STARTER_SUMMARY,
            )
        except bundle.BundleError as error:
            raise CommandError(
                "The starter library is invalid: " + "; ".join(error.problems)
            ) from error
        return (
            f"starter protocols: {counts['created']} added, {counts['unchanged']} already present"
        )
