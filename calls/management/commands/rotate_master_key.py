import base64
import binascii
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from calls import keyring

VARIABLE = "NEW_KEYRING_MASTER_KEY"


class Command(BaseCommand):
    help = (
        "Wrap every note key and session share in KEYRING_DIR under a new master key. "
        f"The new key is read from {VARIABLE} (base64 of 32 bytes; never from the command "
        "line, where other users of the machine could read it), the current one from "
        "KEYRING_MASTER_KEY. Stop the web service and the scheduler first; afterwards set "
        "KEYRING_MASTER_KEY to the new key and start them. A run cut short is finished by "
        "running it again with the same two keys."
    )

    def handle(self, *args: object, **options: object) -> str:
        value = os.environ.get(VARIABLE, "").strip()
        if not value:
            raise CommandError(f"{VARIABLE} is not set: nothing was changed.")
        try:
            new_key = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            new_key = b""
        if len(new_key) != 32:
            raise CommandError(
                f"{VARIABLE} must be base64 of exactly 32 bytes: nothing was changed."
            )
        if new_key == settings.KEYRING_MASTER_KEY:
            raise CommandError(f"{VARIABLE} is the current master key: nothing was changed.")
        try:
            keys, shares = keyring.rewrap_all(new_key)
        except keyring.WrongMasterKey as exc:
            raise CommandError(
                f"{exc}: is KEYRING_MASTER_KEY the key these notes were written with? "
                "Files already re-wrapped stay under the new key; run again with the right one."
            ) from exc
        return (
            f"Re-wrapped {keys} note key(s) and {shares} session share(s) under the new master "
            f"key. Now set KEYRING_MASTER_KEY to the value of {VARIABLE}, remove "
            f"{VARIABLE}, and start the web service and the scheduler.\n"
        )
