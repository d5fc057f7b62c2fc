"""What every kept history in the library shares: protocol pages and trees
(`models.Revision`) and care-map resources (`care_map.ResourceRevision`).

A revision is numbered from 1 per thing it belongs to, written under a lock on
that thing's row, and never changed once written (the model, the queryset and a
database trigger each refuse). A restore writes the old content again as the
next revision, naming the one it came from, so a restore is undone by
restoring again; the history lists revisions newest first, each beside the one
before it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

_R = TypeVar("_R", bound="RevisionBase")
_M = TypeVar("_M", bound=models.Model)

# The summary of revisions the starter library writes (stored in English, shown translated).
STARTER_SUMMARY = gettext_noop("Starter library")


class ImmutableRevision(Exception):
    def __str__(self) -> str:
        return "Revisions are immutable: write a new revision instead."


class StaleEdit(Exception):
    """Someone saved a newer revision since the editor opened the page."""

    def __init__(self, latest: int):
        super().__init__(f"revision {latest} is newer")
        self.latest = latest


class ImmutableQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRevision


class RevisionBase(models.Model):
    """The fields and rules every revision has; a concrete revision adds what it
    belongs to and what it holds."""

    number = models.PositiveIntegerField()
    summary = models.CharField(_("what changed"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRevision
        super().save(*args, **kwargs)

    @property
    def written_by(self) -> str:
        """Who wrote it, as pages name them: the starter library wrote its own pages."""
        if self.author:
            return str(self.author)
        if self.summary == STARTER_SUMMARY:
            return gettext("the starter library")
        return gettext("someone")

    @property
    def what_changed(self) -> str:
        """The summary in the reader's language where the app wrote it itself."""
        if self.restored_from:
            return gettext("Restored revision %(number)d") % {"number": self.restored_from}
        if self.summary == STARTER_SUMMARY:
            return gettext("Starter library")
        return self.summary


def write_next(
    model: type[_R],
    owner: models.Model,
    owner_field: str,
    *,
    based_on: int | None = None,
    **fields: Any,
) -> _R:
    """Write `owner`'s next revision (`model` with `owner_field=owner` and `fields`).

    The owner's row is locked, so two saves cannot take the same number; with
    `based_on`, refuse with StaleEdit if someone saved since that revision."""
    with transaction.atomic():
        type(owner)._default_manager.select_for_update().filter(pk=owner.pk).first()
        latest = (
            model._default_manager.filter(**{owner_field: owner})
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        ) or 0
        if based_on is not None and based_on != latest:
            raise StaleEdit(latest)
        revision: _R = model._default_manager.create(
            **{owner_field: owner}, number=latest + 1, **fields
        )
    return revision


def with_previous(revisions: list[_R]) -> list[tuple[_R, _R | None]]:
    """Each revision (newest first) beside the one before it (None for the first)."""
    return list(zip(revisions, [*revisions[1:], None], strict=True))


def immutable_trigger(table: str, columns: tuple[str, ...], vendor: str) -> tuple[str, str]:
    """SQL (create, drop) for a trigger refusing any change of `columns` in `table`.

    Only what is not listed (a revision's author, set to NULL when a person is
    deleted) may change."""
    name = f"{table}_immutable"
    if vendor == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        return (
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} WHEN {changed} "
            f"BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;",
            f"DROP TRIGGER IF EXISTS {name};",
        )
    if vendor == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            f"IF {changed} THEN RAISE EXCEPTION 'revisions are immutable'; END IF; "
            f"RETURN NEW; END; $$ LANGUAGE plpgsql; "
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}();",
            f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();",
        )
    return "", ""
