from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from calls import keyring, keyring_guard
from calls.models import CallNote


class Command(BaseCommand):
    help = (
        "Give KEYRING_DIR a new keyring identity, recorded in this database, so that notes "
        "can be written again after the keyring was deleted, emptied or replaced. Says how "
        "many live notes have no key there (they stay unreadable until they expire, or until "
        "their keys are restored from a backup) and asks first; --yes for scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (for scripts)."
        )

    def handle(self, *args: Any, **options: Any) -> str:
        found = keyring_guard.keyring_problem()
        live = CallNote.objects.count()
        unreadable = keyring_guard.notes_missing_their_key()
        self.stdout.write(
            found[1] if found else f"KEYRING_DIR ({settings.KEYRING_DIR}) is this database's."
        )
        self.stdout.write(
            f"{unreadable} of {live} live note{'' if live == 1 else 's'} "
            f"{'has' if unreadable == 1 and live == 1 else 'have'} no key in KEYRING_DIR and "
            "stay unreadable until they expire, unless their key files are restored from a "
            "backup (see “When the keyring fails” in calls/README.md). Keys already there "
            "are kept."
        )
        if not options["yes"]:
            answer = input("Type 'yes' to give KEYRING_DIR a new keyring identity: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was changed.")
        identity = keyring_guard.recreate()
        return (
            f"A new keyring {identity.id} ({keyring.IDENTITY_FILE}) is recorded in this "
            "database; notes can be written again.\n"
        )
