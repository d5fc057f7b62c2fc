"""Refuse to run with a master key that cannot open the keys already on disk."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from calls import keyring


@register()
def master_key_opens_the_keyring(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    for bucket in keyring.buckets()[:1]:
        try:
            keyring.key_for(bucket)
        except keyring.Unreadable:
            return [
                Error(
                    "KEYRING_MASTER_KEY does not open the keys in KEYRING_DIR.",
                    hint="Set KEYRING_MASTER_KEY to the key these notes were written with.",
                    id="calls.E001",
                )
            ]
    return []
