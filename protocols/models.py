"""Protocol pages and decision trees, each with an immutable history of revisions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from protocols import revisions, trees
from protocols.revisions import STARTER_SUMMARY as STARTER_SUMMARY
from protocols.revisions import ImmutableRevision as ImmutableRevision
from protocols.revisions import StaleEdit as StaleEdit

MAX_BODY = 100_000


def new_translation_key() -> str:
    return uuid.uuid4().hex


class Category(models.TextChoices):
    DE_ESCALATION = "de-escalation", _("De-escalation")
    EMERGENCY_OR_CRISIS = "emergency-or-crisis", _("Emergency or crisis")
    POLICE_PRESENCE = "police-presence", _("Police presence")
    SAFETY_PLANNING = "safety-planning", _("Safety planning")
    AFTERCARE = "aftercare", _("Aftercare and follow-up")
    DIGITAL_SECURITY = "digital-security", _("Digital security")
    OTHER = "other", _("Other")


class ProtocolQuerySet(models.QuerySet["Protocol"]):
    def stale(self) -> ProtocolQuerySet:
        return self.filter(review_due_at__lte=timezone.now())

    def with_current(self) -> ProtocolQuerySet:
        """Annotate the current (latest) revision's text, for searching."""
        latest = Revision.objects.filter(protocol=OuterRef("pk")).order_by("-number")
        return self.annotate(current_body=Subquery(latest.values("body")[:1]))


class Protocol(models.Model):
    """A protocol page or decision tree. Its content lives in its revisions."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Page")
        TREE = "tree", _("Decision tree")

    slug = models.SlugField(
        _("short name for links"),
        max_length=80,
        unique=True,
        help_text=_("Lowercase letters, digits and hyphens, e.g. de-escalation-basics."),
        error_messages={
            "unique": _("Another protocol already has this short name: choose another.")
        },
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.PAGE)
    category = models.CharField(
        _("category"), max_length=24, choices=Category.choices, default=Category.OTHER
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    # Pages sharing a key are translations of each other (one per language).
    translation_key = models.CharField(max_length=64, default=new_translation_key, db_index=True)
    review_interval_days = models.PositiveSmallIntegerField(
        _("review every (days)"),
        default=180,
        validators=[MinValueValidator(7), MaxValueValidator(1095)],
    )
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last reviewed by"),
    )
    review_due_at = models.DateTimeField(_("review due"))
    review_at_shift_start = models.BooleanField(
        _("review at the start of every shift"),
        default=False,
        help_text=_("Shown in the briefing on a responder's first on-call view of each shift."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        ordering = ["category", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                name="one_translation_per_language",
                violation_error_message=_(
                    "This page already has a translation in that language: edit that one instead."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(review_interval_days__gte=1),
                name="review_interval_positive",
                violation_error_message=_(
                    "Review at least every day: the interval must be one day or more."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["page", "tree"]),
                name="protocol_kind_known",
                violation_error_message=_("Choose a page or a decision tree."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.review_due_at is None:
            start = self.reviewed_at or self.created_at or timezone.now()
            self.review_due_at = start + timedelta(days=self.review_interval_days)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.TREE:
            return reverse("protocols:tree", args=[self.slug])
        return reverse("protocols:page", args=[self.slug])

    @property
    def is_tree(self) -> bool:
        return self.kind == self.Kind.TREE

    @property
    def is_stale(self) -> bool:
        return self.review_due_at <= timezone.now()

    @cached_property
    def current(self) -> Revision | None:
        return self.revisions.order_by("-number").select_related("author").first()

    def translations(self) -> models.QuerySet[Protocol]:
        return Protocol.objects.filter(translation_key=self.translation_key).exclude(pk=self.pk)

    def reschedule_review(self) -> None:
        start = self.reviewed_at or self.created_at
        self.review_due_at = start + timedelta(days=self.review_interval_days)

    def mark_reviewed(self, by: Any) -> None:
        self.reviewed_at = timezone.now()
        self.reviewed_by = by
        self.reschedule_review()
        self.save(update_fields=["reviewed_at", "reviewed_by", "review_due_at"])

    def add_revision(
        self,
        *,
        author: Any,
        body: str,
        summary: str = "",
        based_on: int | None = None,
        restored_from: int | None = None,
    ) -> Revision:
        """Write the next revision. With `based_on`, refuse if someone saved since.

        The protocol row is locked, so two saves from the same starting point
        cannot both succeed: the second raises StaleEdit.
        """
        revision = revisions.write_next(
            Revision,
            self,
            "protocol",
            based_on=based_on,
            body=body,
            summary=summary,
            author=author,
            restored_from=restored_from,
        )
        self.__dict__.pop("current", None)
        return revision


class RevisionQuerySet(revisions.ImmutableQuerySet["Revision"]):
    pass


class Revision(revisions.RevisionBase):
    """One immutable version. Pages hold Markdown; trees hold their document as YAML."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=MAX_BODY)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["protocol", "-number"]
        indexes = [
            # The start-of-shift briefing's latest changes: read back from now, not by
            # sorting every revision of the library.
            models.Index(fields=["created_at"], name="revision_created_at"),
        ]
        # Constraints like Protocol's above, other rules: one number per revision, from 1.
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "number"],
                name="one_revision_number",
                violation_error_message=_(
                    "Someone saved this page while you were editing it. Reload it, and add your changes again."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="revision_number_positive",
                violation_error_message=_("Revision numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=~models.Q(body=""),
                name="revision_body_not_empty",
                violation_error_message=_("Write something: a page cannot be empty."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol.slug} #{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and len(self.body) > MAX_BODY:
            raise ValidationError(_("The text is too long."))
        super().save(*args, **kwargs)

    @cached_property
    def document(self) -> dict[str, Any]:
        """The tree document of a tree revision (validated when it was written)."""
        document: dict[str, Any] = trees.from_yaml(self.body)
        return document


# The care map's models live in their own module; Django finds them through this one.
from protocols.care_map import (  # noqa: E402, F401
    PublicDirectory,
    Resource,
    ResourceHours,
    ResourceNeed,
    ResourceRevision,
)
