from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from calls.models import CallNote
from calls.purge import burn


class Command(BaseCommand):
    help = (
        "Seal every note written before sealing whose readers all have key pairs "
        "(the purge does this too). With --burn-the-rest, burn the notes that still "
        "cannot be sealed because a reader has never signed in since. Idempotent; "
        "prints counts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burn-the-rest",
            action="store_true",
            help="Destroy the notes that cannot be sealed yet, instead of letting them expire.",
        )

    def handle(self, *args: Any, **options: Any) -> str:
        sealed = CallNote.objects.seal_unsealed()
        left = list(CallNote.objects.filter(sealed=False))
        if options["burn_the_rest"]:
            for note in left:
                burn(note)
            return f"Sealed {sealed} note(s); burned {len(left)} that could not be sealed.\n"
        return (
            f"Sealed {sealed} note(s); {len(left)} wait for a reader's first sign-in "
            "(or expire on their own; --burn-the-rest destroys them now).\n"
        )
