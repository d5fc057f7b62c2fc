"""Call notes that really expire, the retention policy, and anonymous weekly totals."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls import keyring

if TYPE_CHECKING:
    from crisisline.models import User

BODY_MAX_CHARS = 1000


class Kind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    CRISIS_ACUTE = "crisis-acute", _("Crisis: acute")
    CRISIS_NON_ACUTE = "crisis-non-acute", _("Crisis: non-acute")
    CRISIS_CHRONIC = "crisis-chronic", _("Crisis: chronic")
    PREVENTION = "prevention", _("Prevention")
    AFTERCARE = "aftercare", _("Aftercare")
    INFORMATION = "information", _("Information")
    OTHER = "other", pgettext_lazy("kind of call", "Other")


class Response(models.TextChoices):
    PHONE = "phone", _("Phone support")
    IN_PERSON = "in-person", _("In person")
    REFERRAL = "referral", _("Referral")
    NONE = "none", pgettext_lazy("response", "None")


class Police(models.TextChoices):
    NONE = "none", _("No police")
    UNSOLICITED = "unsolicited", _("Arrived unsolicited")
    CALLED_BY_OTHER = "called-by-other", _("Called by someone else")


class Need(models.TextChoices):
    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")
    SAFETY = "safety", _("Safety")
    MEDICAL = "medical", _("Medical")
    HARM_REDUCTION = "harm-reduction", _("Harm reduction")
    MENTAL_HEALTH = "mental-health", _("Mental health")
    LEGAL = "legal", _("Legal")
    IMMIGRATION = "immigration", _("Immigration")
    TRANSPORT = "transport", _("Transport")
    COMPANY = "company", _("Company")


def _choice_check(field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}), name=f"callnote_{field}_is_known"
    )


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


def retention_bounds() -> tuple[int, int]:
    """(the environment's default hours, the most hours any note may live)."""
    return settings.NOTE_RETENTION_DEFAULT_HOURS, settings.NOTE_RETENTION_MAX_DAYS * 24


class RetentionPolicy(models.Model):
    """The coordinators' choices within the environment's bounds (a single row)."""

    default_hours = models.PositiveIntegerField(_("notes live for (hours)"))
    statement = models.TextField(
        _("the line's own statement"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Shown on the public page, e.g. whether and when anyone outside the line is "
            "ever contacted."
        ),
    )
    statement_es = models.TextField(
        _("the line's own statement (Spanish)"), blank=True, max_length=2000
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="retention_policy_is_single_row"),
            models.CheckConstraint(
                condition=Q(default_hours__gte=1), name="retention_default_is_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"RetentionPolicy {self.default_hours} h"

    @classmethod
    def current(cls) -> RetentionPolicy:
        policy = cls.objects.filter(pk=1).first()
        if policy is None:
            policy = cls(pk=1, default_hours=settings.NOTE_RETENTION_DEFAULT_HOURS)
        return policy

    @property
    def effective_hours(self) -> int:
        """The chosen default, kept within the environment's maximum."""
        return max(1, min(self.default_hours, retention_bounds()[1]))

    def statement_for(self, language: str) -> str:
        if language == "es":
            return self.statement_es or self.statement
        return self.statement


def note_expiry(
    *,
    now: datetime,
    keep_hours: int,
    follow_up_by: date | None = None,
    keep_until: datetime | None = None,
) -> datetime:
    """When a note expires: its retention (or an earlier instant such as the end of the
    writer's shift), extended to its follow-up day, never past the maximum."""
    longest = now + timedelta(hours=retention_bounds()[1])
    expires = now + timedelta(hours=keep_hours)
    if keep_until is not None and now < keep_until < expires:
        expires = keep_until
    if follow_up_by is not None:
        # The note lives to the end of the follow-up day in the line's zone.
        zone = timezone.get_default_timezone()
        end_of_day = datetime.combine(follow_up_by + timedelta(days=1), datetime.min.time(), zone)
        expires = max(expires, end_of_day)
    return min(expires, longest)


def current_shift_end(person: User, now: datetime) -> datetime | None:
    """When the shift `person` is working right now ends, if they are on one."""
    from shifts.models import Assignment

    return (
        Assignment.objects.filter(
            person=person, shift__cancelled=False, shift__start__lte=now, shift__end__gt=now
        )
        .order_by("shift__end")
        .values_list("shift__end", flat=True)
        .first()
    )


class CallNoteQuerySet(models.QuerySet["CallNote"]):
    def readable_by(self, person: User) -> CallNoteQuerySet:
        """Live notes that `person` wrote or was handed for follow-up."""
        if not person.is_authenticated or not person.is_active:
            return self.none()
        return self.filter(Q(author=person) | Q(follow_up_to=person))


class LiveNoteManager(models.Manager.from_queryset(CallNoteQuerySet)):  # type: ignore[misc]
    """The only way the app reads notes: an expired note is gone the instant it expires."""

    def get_queryset(self) -> CallNoteQuerySet:
        return super().get_queryset().filter(expires_at__gt=timezone.now())


class CallNote(models.Model):
    """A minimal call note. The body is stored only as ciphertext under its expiry bucket's key.

    There is no field for a caller's name, number, address or location.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind of call"), max_length=20, choices=Kind.choices)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    police = models.CharField(_("police presence"), max_length=20, choices=Police.choices)
    follow_up_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up by"),
    )
    follow_up_by = models.DateField(_("follow up by"), null=True, blank=True)
    body_bucket = models.BigIntegerField(editable=False)
    body_ciphertext = models.BinaryField(editable=False)
    written_at = models.DateTimeField(editable=False)
    expires_at = models.DateTimeField(db_index=True, editable=False)

    # Only the purge and the emergency wipe look at expired rows.
    including_expired = models.Manager()
    objects = LiveNoteManager()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "including_expired"
        ordering = ["-written_at"]
        constraints = [
            _choice_check("kind", Kind),
            _choice_check("response", Response),
            _choice_check("police", Police),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("written_at")), name="callnote_expires_after_written"
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    def __repr__(self) -> str:
        return f"<CallNote {self.public_id}>"

    @property
    def follow_up_needed(self) -> bool:
        return self.follow_up_by is not None

    def _context(self) -> bytes:
        # Binds the ciphertext to this note: it cannot be pasted onto another row.
        return f"callnote:{self.public_id}".encode()

    @property
    def body(self) -> str:
        """The decrypted body; raises keyring.Unreadable when its key is gone."""
        return keyring.decrypt(
            bytes(self.body_ciphertext), bucket=self.body_bucket, context=self._context()
        )

    def seal(self, body: str) -> None:
        self.body_bucket = keyring.bucket_for(self.expires_at)
        self.body_ciphertext = keyring.encrypt(
            body, bucket=self.body_bucket, context=self._context()
        )

    @classmethod
    @transaction.atomic
    def write(
        cls,
        *,
        author: User,
        body: str,
        kind: str,
        response: str,
        police: str,
        needs: list[str],
        keep_hours: int,
        follow_up_to: User | None = None,
        follow_up_by: date | None = None,
        keep_until: datetime | None = None,
    ) -> CallNote:
        """Encrypt and save a note, and count it in this week's anonymous totals."""
        now = timezone.now()
        note = cls(
            author=author,
            kind=kind,
            response=response,
            police=police,
            needs=sorted(set(needs)),
            follow_up_to=follow_up_to,
            follow_up_by=follow_up_by,
            written_at=now,
            expires_at=note_expiry(
                now=now, keep_hours=keep_hours, follow_up_by=follow_up_by, keep_until=keep_until
            ),
        )
        note.seal(body)
        note.save()
        Tally.add_one(
            day=timezone.localdate(now),
            kind=kind,
            response=response,
            police=police,
            follow_up=follow_up_by is not None,
        )
        return note

    def may_be_read_by(self, person: User) -> bool:
        return person.is_authenticated and person.pk in {self.author_id, self.follow_up_to_id}


def week_of(day: date) -> date:
    """The Monday that starts `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


class Tally(models.Model):
    """Anonymous weekly counters. No link to any note, author or exact time."""

    week = models.DateField(_("week starting"))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    response = models.CharField(max_length=20, choices=Response.choices)
    police = models.CharField(max_length=20, choices=Police.choices)
    follow_up = models.BooleanField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week", "kind", "response", "police", "follow_up"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "kind", "response", "police", "follow_up"],
                name="one_tally_per_week_and_combination",
            ),
        ]

    def __str__(self) -> str:
        return f"Tally {self.week}"

    @classmethod
    def add_one(cls, *, day: date, kind: str, response: str, police: str, follow_up: bool) -> None:
        """Add one; called inside the transaction that saves the note."""
        row, _created = cls.objects.get_or_create(
            week=week_of(day), kind=kind, response=response, police=police, follow_up=follow_up
        )
        cls.objects.filter(pk=row.pk).update(count=F("count") + 1)
