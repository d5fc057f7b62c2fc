"""Everything in the database, to show that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection

# Sessions and sign-in throttling are bookkeeping of the visit itself.
# The keyring's record holds the high-water mark of time, which every note page
# (a 404 included) advances: bookkeeping, like a session's expiry.
IGNORED = {"sessions.session", "crisisline.failedsignin", "calls.keyringrecord"}


def database_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (many-to-many links included), ordered by key.

    Rows are read as the database stores them, one plain SELECT per table: the
    ORM's queries cost over ten times more here, and the permission matrix and
    the fuzz tests take a snapshot before and after every request they make."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.label_lower in IGNORED or meta.proxy or not meta.managed:
                continue
            cursor.execute(f"SELECT * FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}")
            snapshot[meta.label_lower] = cursor.fetchall()
    return snapshot
