"""Refuse to run with a master key that cannot open the keys already on disk."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from calls import keyring


@register()
def master_key_opens_the_keyring(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    for bucket in keyring.buckets()[:1]:
        try:
            keyring.key_for(bucket)
        except keyring.Unreadable:
            # Production stops (migrate runs the checks before the app starts);
            # development only warns, so other work is not blocked by a stray key.
            problem = Warning if settings.DEBUG else Error
            return [
                problem(
                    "KEYRING_MASTER_KEY does not open the keys in KEYRING_DIR.",
                    hint="Set KEYRING_MASTER_KEY to the key these notes were written with.",
                    id="calls.E001" if problem is Error else "calls.W001",
                )
            ]
    return []
