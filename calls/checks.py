"""Refuse to run with a master key that cannot open the keys already on disk,
with a keyring that is not this database's (missing, emptied, another's), or
with a password-key derivation cheap enough to make offline guessing easy.

The system checks run for manage.py (migrate, check); gunicorn does not run
them, so `refuse_unsafe_start` (called from CallsConfig.ready) stops any
production process at start-up, WSGI included. The keyring's identity needs the
database, which app loading must not touch: crisisline/wsgi.py calls
`refuse_a_keyring_that_is_not_ours` once the app is loaded, and `check --deploy`
reports it (calls.E003).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from calls import keyring, keyring_guard

logger = logging.getLogger(__name__)

# OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane); this app uses 3 passes.
ARGON2_PRODUCTION_MIN_MEMORY_KIB = 19 * 1024

WRONG_MASTER_KEY = "KEYRING_MASTER_KEY does not open the keys in KEYRING_DIR."
WRONG_MASTER_KEY_HINT = "Set KEYRING_MASTER_KEY to the key these notes were written with."
NOT_OUR_KEYRING_HINT = (
    "Restore KEYRING_DIR from a backup (or mount it again), or run "
    "`manage.py recreate_keyring`; see “When the keyring fails” in calls/README.md."
)


def _production() -> bool:
    return not settings.DEBUG and not getattr(settings, "TESTING", False)


def _weak_argon2() -> str | None:
    memory = int(settings.NOTE_KEY_ARGON2_MEMORY_KIB)
    if memory >= ARGON2_PRODUCTION_MIN_MEMORY_KIB:
        return None
    return (
        f"NOTE_KEY_ARGON2_MEMORY_KIB is {memory}, below the minimum of "
        f"{ARGON2_PRODUCTION_MIN_MEMORY_KIB} KiB for production: it makes guessing "
        "passwords offline cheap. Leave it unset (65536) outside tests."
    )


def refuse_unsafe_start() -> None:
    """Without DEBUG (and outside tests), stop the start naming the variable at fault."""
    if not _production():
        return
    if (weak := _weak_argon2()) is not None:
        raise ImproperlyConfigured(weak)
    if not keyring.master_key_opens_the_keyring():
        raise ImproperlyConfigured(f"{WRONG_MASTER_KEY} {WRONG_MASTER_KEY_HINT}")


@register()
def master_key_opens_the_keyring(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if keyring.master_key_opens_the_keyring():
        return []
    # Production stops (migrate runs the checks before the app starts);
    # development only warns, so other work is not blocked by a stray key.
    problem = Warning if settings.DEBUG else Error
    return [
        problem(
            WRONG_MASTER_KEY,
            hint=WRONG_MASTER_KEY_HINT,
            id="calls.E001" if problem is Error else "calls.W001",
        )
    ]


@register()
def note_keys_are_costly_to_guess(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not _production() or (weak := _weak_argon2()) is None:
        return []
    return [Error(weak, id="calls.E002")]


def _keyring_problem() -> str | None:
    try:
        found = keyring_guard.keyring_problem()
    except DatabaseError:  # not migrated yet: nothing to compare with
        return None
    return None if found is None else found[1]


def refuse_a_keyring_that_is_not_ours() -> None:
    """Without DEBUG (and outside tests), stop a start whose keyring is missing,
    emptied while notes are live, or another database's. With DEBUG, log it."""
    if getattr(settings, "TESTING", False):
        return  # the test run has a database only inside tests
    problem = _keyring_problem()
    if problem is None:
        return
    if _production():
        raise ImproperlyConfigured(f"{problem} {NOT_OUR_KEYRING_HINT}")
    logger.warning("%s %s", problem, NOT_OUR_KEYRING_HINT)


@register("keyring", deploy=True)
def keyring_belongs_to_this_database(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problem = _keyring_problem()
    if problem is None:
        return []
    return [Error(problem, hint=NOT_OUR_KEYRING_HINT, id="calls.E003")]
