"""Everything in the database, to show that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from django.apps import apps

# Sessions and sign-in throttling are bookkeeping of the visit itself.
# The keyring's record holds the high-water mark of time, which every note page
# (a 404 included) advances: bookkeeping, like a session's expiry.
IGNORED = {"sessions.session", "crisisline.failedsignin", "calls.keyringrecord"}


def database_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model (and every many-to-many link), ordered by key."""
    snapshot: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in IGNORED:
            continue
        snapshot[label] = list(model._base_manager.order_by("pk").values())
    return snapshot
