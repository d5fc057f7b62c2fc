"""The care map: the line's directory of community resources and partners.

Organisations, never callers: a resource names a contact *role*, never a
private person, and nothing here records who was referred where. What a
referral costs a caller in safety (police, immigration enforcement, family
policing, involuntary holds) is on every resource, as plain words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.models import Need
from crisisline.models import single_row
from protocols import revisions
from shifts.hours import OpeningStatus, occurrences, status_from
from shifts.models import WEEKDAYS


class Involvement(models.TextChoices):
    """How likely a referral is to bring in a system the caller may need to avoid."""

    NEVER = "never", _("Never")
    IF_ASKED = "if-asked", _("Only if asked")
    SOMETIMES = "sometimes", _("Sometimes")
    ALWAYS = "always", _("Always")
    UNKNOWN = "unknown", _("Unknown")


# Rings of the map, centre first: the order a responder should prefer.
INVOLVEMENT_RANK = {
    Involvement.NEVER: 0,
    Involvement.IF_ASKED: 1,
    Involvement.UNKNOWN: 2,
    Involvement.SOMETIMES: 2,
    Involvement.ALWAYS: 3,
}

# (field, label) of the four systems, in the order they are shown.
SYSTEMS = [
    ("police", _("Police")),
    ("immigration", _("Immigration enforcement")),
    ("family_policing", _("Family policing (child protective services)")),
    ("involuntary_holds", _("Involuntary medical holds")),
]


class PartnerStatus(models.TextChoices):
    NONE = "none", _("No relationship")
    KNOWN_CONTACT = "known-contact", _("Known contact")
    WORKING = "working-agreement", _("Working agreement")
    WRITTEN = "written-agreement", _("Written agreement")


class Visibility(models.TextChoices):
    TEAM = "team", _("Team only")
    SHAREABLE = "shareable", _("Shareable with the public")


class IdRequired(models.TextChoices):
    NO = "no", _("No ID needed")
    YES = "yes", _("ID asked for")
    UNKNOWN = "unknown", _("Not known whether ID is asked for")


class Referral(models.TextChoices):
    WARM = "warm-hand-off", _("Warm hand-off")
    WALK_IN = "walk-in", _("Walk-in")
    CALL_TOGETHER = "call-together", _("Call together")


def _choice_check(field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"resource_{field}_is_known",
        violation_error_message=_("Choose one of the answers in the list."),
    )


class ResourceQuerySet(models.QuerySet["Resource"]):
    def shareable(self) -> ResourceQuerySet:
        return self.filter(visibility=Visibility.SHAREABLE)

    def due_for_verification(self, today: date | None = None) -> ResourceQuerySet:
        today = today or timezone.localdate()
        return self.filter(verify_due_on__lte=today)

    def for_need(self, need: str) -> ResourceQuerySet:
        return self.filter(needs__need=need)

    def without_police(self) -> ResourceQuerySet:
        return self.filter(police=Involvement.NEVER)

    def without_id(self) -> ResourceQuerySet:
        return self.filter(id_required=IdRequired.NO)

    def speaking_spanish(self) -> ResourceQuerySet:
        return self.filter(speaks_spanish=True)

    def search(self, text: str) -> ResourceQuerySet:
        words = Q()
        for field in ("name", "summary", "summary_es", "area", "other_languages"):
            words |= Q(**{f"{field}__icontains": text})
        return self.filter(words)

    def for_directory(self) -> ResourceQuerySet:
        """What a list of cards reads: each resource's needs and hours, in two queries more."""
        return self.prefetch_related("needs", "hours")


class Resource(models.Model):
    """An organisation, group or service the line may refer someone to."""

    # Declared like Protocol.slug, with its own example and message in both languages.
    slug = models.SlugField(
        _("short name for links"),
        max_length=80,
        unique=True,
        help_text=_("Lowercase letters, digits and hyphens, e.g. night-shelter."),
        error_messages={
            "unique": _("Another resource already has this short name: choose another.")
        },
    )
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("what they offer"), max_length=2000)
    summary_es = models.TextField(_("what they offer (Spanish)"), max_length=2000, blank=True)
    eligibility = models.TextField(_("who is eligible"), max_length=1000, blank=True)
    eligibility_es = models.TextField(_("who is eligible (Spanish)"), max_length=1000, blank=True)
    how_to_reach = models.TextField(
        _("how to reach them"),
        max_length=1000,
        blank=True,
        help_text=_("Directions in words: the bus, the door, what to say at the desk."),
    )
    how_to_reach_es = models.TextField(
        _("how to reach them (Spanish)"), max_length=1000, blank=True
    )
    referral_ways = models.JSONField(_("how to refer"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    text_number = models.CharField(_("number for text messages"), max_length=32, blank=True)
    area = models.CharField(
        _("area served"),
        max_length=200,
        blank=True,
        help_text=_("In words (a neighbourhood, a county); never coordinates."),
    )
    speaks_spanish = models.BooleanField(_("speaks Spanish"), default=False)
    other_languages = models.CharField(_("other languages"), max_length=200, blank=True)
    accessibility = models.TextField(_("accessibility"), max_length=1000, blank=True)
    cost = models.CharField(_("cost"), max_length=200, blank=True)
    id_required = models.CharField(
        _("ID"), max_length=8, choices=IdRequired.choices, default=IdRequired.UNKNOWN
    )

    # The safety profile: what a referral may bring into someone's life.
    police = models.CharField(
        _("police"), max_length=10, choices=Involvement.choices, default=Involvement.UNKNOWN
    )
    immigration = models.CharField(
        _("immigration enforcement"),
        max_length=10,
        choices=Involvement.choices,
        default=Involvement.UNKNOWN,
    )
    family_policing = models.CharField(
        _("family policing"),
        max_length=10,
        choices=Involvement.choices,
        default=Involvement.UNKNOWN,
    )
    involuntary_holds = models.CharField(
        _("involuntary medical holds"),
        max_length=10,
        choices=Involvement.choices,
        default=Involvement.UNKNOWN,
    )
    mandated_reporting = models.TextField(
        _("mandated reporting"),
        max_length=1000,
        blank=True,
        help_text=_("What their staff must report, and to whom."),
    )
    data_collected = models.TextField(
        _("data they collect"),
        max_length=1000,
        blank=True,
        help_text=_("What they ask for and keep about the people they serve."),
    )
    line_note = models.TextField(
        _("our note"),
        max_length=1000,
        blank=True,
        help_text=_("How referrals have gone, e.g. “ask for the evening team”."),
    )
    line_note_es = models.TextField(_("our note (Spanish)"), max_length=1000, blank=True)

    # The relationship.
    partner_status = models.CharField(
        _("partner status"),
        max_length=20,
        choices=PartnerStatus.choices,
        default=PartnerStatus.NONE,
    )
    contact_role = models.CharField(
        _("contact role"),
        max_length=120,
        blank=True,
        help_text=_("A role, never a private person's details, e.g. “evening intake desk”."),
    )
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    review_interval_days = models.PositiveSmallIntegerField(
        _("verify every (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(1095)],
    )
    verify_due_on = models.DateField(_("verification due"))
    do_not_refer = models.BooleanField(_("active, but do not refer"), default=False)
    do_not_refer_reason = models.CharField(_("why not refer"), max_length=300, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ResourceQuerySet.as_manager()

    # Set where resources are shown with their hours (`mentioned`, the directory).
    open_now: bool

    class Meta:
        ordering = ["name"]
        constraints = [
            _choice_check("police", Involvement),
            _choice_check("immigration", Involvement),
            _choice_check("family_policing", Involvement),
            _choice_check("involuntary_holds", Involvement),
            _choice_check("partner_status", PartnerStatus),
            _choice_check("visibility", Visibility),
            _choice_check("id_required", IdRequired),
            models.CheckConstraint(
                condition=Q(do_not_refer=False) | ~Q(do_not_refer_reason=""),
                name="resource_do_not_refer_has_reason",
                violation_error_message=_(
                    "Say why the team should not refer people here: the next responder needs "
                    "to know."
                ),
            ),
            models.CheckConstraint(
                condition=Q(review_interval_days__gte=1),
                name="resource_review_interval_positive",
                violation_error_message=_("Check it again at least one day later."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.reschedule_verification()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "verify_due_on"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("protocols:resource", args=[self.slug])

    def reschedule_verification(self) -> None:
        start = self.last_verified or timezone.localdate(self.created_at)
        self.verify_due_on = start + timedelta(days=self.review_interval_days)

    @property
    def is_stale(self) -> bool:
        return self.verify_due_on <= timezone.localdate()

    def mark_verified(self, today: date | None = None) -> None:
        self.last_verified = today or timezone.localdate()
        self.save(update_fields=["last_verified"])

    @property
    def phone_display(self) -> str:
        """The number grouped for reading (+1 555-555-0101)."""
        from crisisline.phones import display

        return display(self.phone) if self.phone else ""

    @property
    def is_shareable(self) -> bool:
        return self.visibility == Visibility.SHAREABLE

    def in_language(self, field: str, language: str | None = None) -> str:
        """A text in the reader's language when it is written, else in English."""
        language = (language or get_language() or "en")[:2]
        if language == "es":
            spanish = getattr(self, f"{field}_es", "")
            if spanish:
                return spanish
        value: str = getattr(self, field)
        return value

    @property
    def summary_text(self) -> str:
        return self.in_language("summary")

    @property
    def eligibility_text(self) -> str:
        return self.in_language("eligibility")

    @property
    def how_to_reach_text(self) -> str:
        return self.in_language("how_to_reach")

    @property
    def line_note_text(self) -> str:
        return self.in_language("line_note")

    def need_values(self) -> list[str]:
        return sorted(n.need for n in self.needs.all())

    def need_labels(self) -> list[str]:
        return [str(Need(value).label) for value in self.need_values()]

    def referral_labels(self) -> list[str]:
        return [str(Referral(value).label) for value in self.referral_ways or []]

    def safety_profile(self) -> list[SafetyLine]:
        return [
            SafetyLine(
                system=str(label), involvement=Involvement(getattr(self, field)), field=field
            )
            for field, label in SYSTEMS
        ]

    def set_needs(self, needs: Iterable[str]) -> None:
        wanted = {Need(n).value for n in needs}
        self.needs.exclude(need__in=wanted).delete()
        have = set(self.needs.values_list("need", flat=True))
        ResourceNeed.objects.bulk_create(
            ResourceNeed(resource=self, need=n) for n in sorted(wanted - have)
        )

    def set_hours(self, spans: Iterable[tuple[int, Any, Any]]) -> None:
        self.hours.all().delete()
        ResourceHours.objects.bulk_create(
            ResourceHours(resource=self, weekday=d, start=s, end=e) for d, s, e in spans
        )

    def opening(self, now: datetime | None = None) -> OpeningStatus | None:
        """Open now (and until when), or when it next opens; None when no hours are known."""
        return opening(list(self.hours.all()), now)


@dataclass(frozen=True)
class SafetyLine:
    system: str
    involvement: Involvement
    field: str

    @property
    def label(self) -> str:
        return str(self.involvement.label)

    @property
    def is_safe(self) -> bool:
        return self.involvement == Involvement.NEVER

    @property
    def icon(self) -> str:
        """A shape, so the answer never depends on colour alone."""
        return {
            Involvement.NEVER: "✓",
            Involvement.IF_ASKED: "◐",
            Involvement.SOMETIMES: "!",
            Involvement.ALWAYS: "✕",
            Involvement.UNKNOWN: "?",
        }[self.involvement]

    @property
    def html(self) -> str:
        """The line as a safety list shows it: the shape, the system, the answer in words."""
        return format_html(
            '<li class="safety-{}"><span class="safety-icon" aria-hidden="true">{}</span> '
            "{}: <strong>{}</strong></li>",
            self.involvement.value,
            self.icon,
            self.system,
            self.label,
        )


class ResourceNeed(models.Model):
    """A need a resource meets, from the same list call notes use."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(max_length=20, choices=Need.choices)

    class Meta:
        ordering = ["need"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "need"],
                name="resource_need_once",
                violation_error_message=_("This need is already listed for this resource."),
            ),
            models.CheckConstraint(
                condition=Q(need__in=Need.values),
                name="resource_need_is_known",
                violation_error_message=_("Choose a need from the list."),
            ),
        ]

    def __str__(self) -> str:
        return self.need


class ResourceHours(models.Model):
    """A weekly stretch of a resource's open hours, like the line's own: an end at
    or before the start runs past midnight into the next day."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    start = models.TimeField(_("opens at"))
    end = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(start=F("end")),
                name="resource_hours_not_zero_length",
                violation_error_message=_(
                    "These hours open and close at the same time: they would be empty."
                ),
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="resource_hours_weekday_valid",
                violation_error_message=_("Choose a day of the week from the list."),
            ),
            models.UniqueConstraint(
                fields=["resource", "weekday", "start"],
                name="resource_hours_unique_start",
                violation_error_message=_(
                    "These hours start when other hours of the same day start: change one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


def opening(hours: Sequence[ResourceHours], now: datetime | None = None) -> OpeningStatus | None:
    """Open at `now` in the line's zone, read with the line's own hours logic
    (shifts.hours): crossing midnight and daylight-saving changes included."""
    if not hours:
        return None
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    # Yesterday's hours may run into today; a week on finds the next opening.
    spans = occurrences(hours, today - timedelta(days=1), today + timedelta(days=7))  # type: ignore[arg-type]
    return status_from(spans, now)


def is_open(hours: Sequence[ResourceHours], now: datetime) -> bool:
    """Open at `now`: only yesterday's and today's hours are laid out."""
    if not hours:
        return False
    today = timezone.localtime(now).date()
    spans = occurrences(hours, today - timedelta(days=1), today)  # type: ignore[arg-type]
    return any(span.start <= now < span.end for span in spans)


@dataclass(frozen=True)
class WeeklySpan:
    """A weekly span read as a plain row: what the hours code needs of a window."""

    weekday: int
    start: Any
    end: Any
    pk: None = None


class OpenNow:
    """`is_open` for many resources at one instant: each distinct weekly span is laid
    out once, however many resources share it (most keep the same few hours)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.known: dict[tuple[int, Any, Any], bool] = {}

    def __call__(self, hours: Sequence[ResourceHours | WeeklySpan]) -> bool:
        for span in hours:
            key = (span.weekday, span.start, span.end)
            if key not in self.known:
                self.known[key] = is_open([span], self.now)  # type: ignore[list-item]
            if self.known[key]:
                return True
        return False


def weekly_hours(hours: Sequence[ResourceHours]) -> list[tuple[str, list[str]]]:
    """(day, ["19:00–02:00", …]) for each day with hours, Monday first."""
    days: dict[int, tuple[str, list[str]]] = {}
    for span in sorted(hours, key=lambda h: (h.weekday, h.start)):
        end = "24:00" if span.end.hour == 0 and span.end.minute == 0 else f"{span.end:%H:%M}"
        days.setdefault(span.weekday, (str(span.get_weekday_display()), []))[1].append(
            f"{span.start:%H:%M}–{end}"
        )
    return [days[d] for d in sorted(days)]


class PublicDirectory(models.Model):
    """Whether the line shows its shareable resources on a public page (one row)."""

    is_on = models.BooleanField(_("show shareable resources on a public page"), default=False)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            single_row(
                "public_directory_single_row", _("The line has one public directory setting.")
            )
        ]

    def __str__(self) -> str:
        return "on" if self.is_on else "off"

    @classmethod
    def current(cls) -> PublicDirectory:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)

    @classmethod
    def switch(cls, on: bool) -> PublicDirectory:
        with transaction.atomic():
            directory, _created = cls.objects.select_for_update().get_or_create(pk=1)
            directory.is_on = on
            directory.changed_at = timezone.now()
            directory.save()
        return directory


def is_public() -> bool:
    return PublicDirectory.objects.filter(pk=1, is_on=True).exists()


# --- Revisions: every saved change keeps what the resource said before --------------------

# Two groups of a resource's fields, in this order wherever they are listed: the revisions
# below and the edit form's screen (protocols/resource_forms.py).
SAFETY_FIELDS = [
    "police",
    "immigration",
    "family_policing",
    "involuntary_holds",
    "mandated_reporting",
    "data_collected",
    "line_note",
    "line_note_es",
]
RELATIONSHIP_FIELDS = [
    "partner_status",
    "contact_role",
    "last_verified",
    "review_interval_days",
    "do_not_refer",
    "do_not_refer_reason",
    "visibility",
]

# Fields a revision records and a restore puts back (everything a person edits), in the
# order of an export's columns; the form lists the rest in its screen's order.
RECORDED_FIELDS = [
    "name",
    "summary",
    "summary_es",
    "eligibility",
    "eligibility_es",
    "how_to_reach",
    "how_to_reach_es",
    "referral_ways",
    "phone",
    "text_number",
    "area",
    "speaks_spanish",
    "other_languages",
    "accessibility",
    "cost",
    "id_required",
    *SAFETY_FIELDS,
    *RELATIONSHIP_FIELDS,
]


def snapshot(resource: Resource) -> dict[str, Any]:
    data: dict[str, Any] = {field: getattr(resource, field) for field in RECORDED_FIELDS}
    if data["last_verified"] is not None:
        data["last_verified"] = data["last_verified"].isoformat()
    data["needs"] = resource.need_values()
    data["hours"] = [
        [h.weekday, f"{h.start:%H:%M}", f"{h.end:%H:%M}"]
        for h in sorted(resource.hours.all(), key=lambda h: (h.weekday, h.start))
    ]
    return data


class ResourceRevisionQuerySet(revisions.ImmutableQuerySet["ResourceRevision"]):
    pass


class ResourceRevision(revisions.RevisionBase):
    """One immutable state of a resource, as the protocols' revisions are for pages
    (the same fields, rules and numbering: `protocols/revisions.py`)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField()

    objects = ResourceRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["resource", "-number"]
        # Revision's rules (protocols.models) under this table's own names, which the
        # migrations hold: one number per revision, from 1.
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"],
                name="one_resource_revision_number",
                violation_error_message=_(
                    "Someone saved this resource at the same moment. Open it again and "
                    "save once more."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="resource_revision_number_positive",
                violation_error_message=_("A revision is numbered from 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource.slug} #{self.number}"

    def changed_fields(self, previous: ResourceRevision | None) -> list[str]:
        """Labels of the fields this revision changed from `previous`."""
        if previous is None:
            return []
        return changed_labels(previous.data, self.data)


def changed_labels(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Labels of the recorded fields whose values differ between two snapshots."""
    labels = []
    for key, value in new.items():
        if old.get(key) != value:
            if key == "needs":
                labels.append(str(_("needs")))
            elif key == "hours":
                labels.append(str(_("hours")))
            else:
                field = cast("models.Field[Any, Any]", Resource._meta.get_field(key))
                labels.append(str(field.verbose_name))
    return labels


def record_revision(
    resource: Resource, *, author: Any, summary: str = "", restored_from: int | None = None
) -> ResourceRevision:
    """Write the resource's current state as its next revision (the row is locked)."""
    return revisions.write_next(
        ResourceRevision,
        resource,
        "resource",
        data=snapshot(resource),
        summary=summary,
        author=author,
        restored_from=restored_from,
    )


def apply(resource: Resource, data: dict[str, Any]) -> None:
    """Give `resource` what a snapshot (a revision's, or an imported file's) records,
    and save it, its needs and its hours."""
    from datetime import time

    for field in RECORDED_FIELDS:
        if field in data:
            value = data[field]
            if field == "last_verified" and isinstance(value, str) and value:
                value = date.fromisoformat(value)
            setattr(resource, field, value)
    resource.updated_at = timezone.now()
    resource.save()
    resource.set_needs(n for n in data.get("needs", []) if n in Need.values)
    resource.set_hours(
        (d, time.fromisoformat(s), time.fromisoformat(e)) for d, s, e in data.get("hours", [])
    )


def restore(resource: Resource, revision: ResourceRevision, *, author: Any) -> ResourceRevision:
    """Put back what `revision` recorded; the restore is itself a new revision."""
    with transaction.atomic():
        apply(resource, revision.data)
        return record_revision(
            resource,
            author=author,
            summary=str(_("Restored revision %(number)d")) % {"number": revision.number},
            restored_from=revision.number,
        )


# --- The map: a picture of the ecosystem, drawn on the server ----------------------------


@dataclass(frozen=True)
class MapEntry:
    """What the map needs of a resource, read as a plain row (no model, no prefetch)."""

    slug: str
    name: str
    url: str
    ring: int
    partner_status: str
    needs: frozenset[str]


@dataclass(frozen=True)
class MapDot:
    resource: MapEntry
    url: str
    x: float
    y: float
    r: float
    ring: int

    @property
    def side(self) -> float:
        return self.r * 2

    @property
    def left(self) -> float:
        return round(self.x - self.r, 1)

    @property
    def top(self) -> float:
        return round(self.y - self.r, 1)

    @property
    def ring_label(self) -> str:
        return str(RING_LABELS[self.ring])


@dataclass(frozen=True)
class MapSector:
    spoke_x: float
    spoke_y: float
    need: str
    label: str
    label_x: float
    label_y: float
    dots: list[MapDot]


RING_LABELS = [
    _("no involvement"),
    _("only if asked"),
    _("sometimes, or not known"),
    _("always involves one"),
]
MAP_SIZE = 800
RING_RADII = [150, 230, 295, 350]
PARTNER_SIZE = {
    PartnerStatus.NONE: 7,
    PartnerStatus.KNOWN_CONTACT: 9,
    PartnerStatus.WORKING: 12,
    PartnerStatus.WRITTEN: 15,
}
SYSTEM_FIELDS = [field for field, _label in SYSTEMS]


def ring_of(resource: Resource) -> int:
    """0 (centre: involves no system) to 3 (edge: always involves one)."""
    return _ring([getattr(resource, field) for field in SYSTEM_FIELDS])


def _ring(answers: Iterable[str]) -> int:
    return max(INVOLVEMENT_RANK[Involvement(answer)] for answer in answers)


def map_entries() -> list[MapEntry]:
    """The resources one may refer to, as the map draws them: two queries, plain rows."""
    rows = Resource.objects.filter(do_not_refer=False).values_list(
        "pk", "slug", "name", "partner_status", *SYSTEM_FIELDS
    )
    serves: dict[int, set[str]] = {}
    for resource_id, need in ResourceNeed.objects.filter(resource__do_not_refer=False).values_list(
        "resource_id", "need"
    ):
        serves.setdefault(resource_id, set()).add(need)
    # One reverse() for every address: the slug is all that differs.
    pattern = reverse("protocols:resource", args=["slug-here"])
    return [
        MapEntry(
            slug=slug,
            name=name,
            url=pattern.replace("slug-here", slug),
            ring=_ring(answers),
            partner_status=partner,
            needs=frozenset(serves.get(pk, ())),
        )
        for pk, slug, name, partner, *answers in rows
    ]


def map_stamp() -> str:
    """Changes whenever anything the map draws may have changed (two queries): how
    many resources there are, the latest edit, and the latest revision (every edit,
    verification, restore and import writes one)."""
    found = Resource.objects.aggregate(count=models.Count("pk"), latest=models.Max("updated_at"))
    revision = ResourceRevision.objects.aggregate(latest=models.Max("pk"))["latest"]
    latest = found["latest"].timestamp() if found["latest"] else 0
    return f"{found['count']}-{latest}-{revision}"


def layout(entries: Sequence[MapEntry]) -> list[MapSector]:
    """Resources grouped by need into sectors, each placed in its safety ring.

    A resource serving several needs appears in each of their sectors; each sector
    reads only its own members (one pass over the resources for all sectors)."""
    import math

    members: dict[str, list[MapEntry]] = {}
    for entry in entries:
        for need in entry.needs:
            members.setdefault(need, []).append(entry)
    needs = [need for need in Need if need.value in members]
    if not needs:
        return []
    centre = MAP_SIZE / 2
    width = 2 * math.pi / len(needs)
    sectors = []
    for index, need in enumerate(needs):
        begin = index * width - math.pi / 2
        by_ring: dict[int, list[MapEntry]] = {}
        for entry in members[need.value]:
            by_ring.setdefault(entry.ring, []).append(entry)
        dots = []
        for ring, group in by_ring.items():
            inner = 40 if ring == 0 else RING_RADII[ring - 1]
            band = RING_RADII[ring] - inner
            for position, entry in enumerate(group):
                angle = begin + width * (position + 1) / (len(group) + 1)
                # Alternate depths inside the ring, so neighbours do not overlap.
                radius = inner + band * (0.35 if position % 2 else 0.65)
                dots.append(
                    MapDot(
                        resource=entry,
                        url=entry.url,
                        x=round(centre + radius * math.cos(angle), 1),
                        y=round(centre + radius * math.sin(angle), 1),
                        r=PARTNER_SIZE[PartnerStatus(entry.partner_status)],
                        ring=ring,
                    )
                )
        middle = begin + width / 2
        sectors.append(
            MapSector(
                spoke_x=round(centre + RING_RADII[-1] * math.cos(begin), 1),
                spoke_y=round(centre + RING_RADII[-1] * math.sin(begin), 1),
                need=need.value,
                label=str(need.label),
                label_x=round(centre + (RING_RADII[-1] + 22) * math.cos(middle), 1),
                label_y=round(centre + (RING_RADII[-1] + 22) * math.sin(middle), 1),
                dots=dots,
            )
        )
    return sectors


def _dot_markup(dot: MapDot) -> str:
    if dot.ring == 3:
        shape = (
            f'<rect class="dot ring-3" x="{dot.left}" y="{dot.top}" '
            f'width="{dot.side}" height="{dot.side}"/>'
        )
    else:
        shape = f'<circle class="dot ring-{dot.ring}" cx="{dot.x}" cy="{dot.y}" r="{dot.r}"/>'
    return f'<a href="{escape(dot.url)}"><title>{escape(dot.resource.name)}</title>{shape}</a>'


def draw(sectors: Sequence[MapSector]) -> tuple[str, str]:
    """The map's SVG shapes and the same map as a list, as HTML (every text escaped).

    Drawn in Python rather than by the template engine: a thousand dots through
    template tags took a second; this takes a few milliseconds."""
    centre = MAP_SIZE / 2
    shapes = [
        f'<circle class="ring ring-{n}" cx="{centre}" cy="{centre}" r="{radius}"/>'
        for n, radius in enumerate(RING_RADII)
    ]
    listed = []
    for sector in sectors:
        shapes.append(
            f'<g class="sector"><line class="spoke" x1="{centre}" y1="{centre}" '
            f'x2="{sector.spoke_x}" y2="{sector.spoke_y}"/>'
            f'<text class="need-label" x="{sector.label_x}" y="{sector.label_y}" '
            f'text-anchor="middle">{escape(sector.label)}</text>'
        )
        shapes.extend(_dot_markup(dot) for dot in sector.dots)
        shapes.append("</g>")
        items = "".join(
            f'<li><a href="{escape(dot.url)}">{escape(dot.resource.name)}</a> '
            f"<small>({escape(dot.ring_label)})</small></li>"
            for dot in sector.dots
        )
        listed.append(f"<section><h3>{escape(sector.label)}</h3><ul>{items}</ul></section>")
    return "\n".join(shapes), "\n".join(listed)


def drawn_map() -> tuple[str, str]:
    """`draw` for the current resources, kept per language until anything changes."""
    key = f"care-map:{get_language()}:{map_stamp()}"
    found = cache.get(key)
    if found is None:
        found = draw(layout(map_entries()))
        cache.set(key, found, 24 * 3600)
    return cast("tuple[str, str]", found)


# --- Referring from a call note ---------------------------------------------------------


@dataclass(frozen=True)
class Referable:
    pk: int
    slug: str
    name: str
    police: str
    ring: int

    @property
    def label(self) -> str:
        return f"{self.name} · {_('Police')}: {Involvement(self.police).label}"


def referable_for(needs: Iterable[str], most: int = 30) -> list[Referable]:
    """The resources one may refer to for any of `needs`, safest first (one query)."""
    wanted = [n for n in needs if n in Need.values]
    if not wanted:
        return []
    rows = (
        Resource.objects.filter(do_not_refer=False, needs__need__in=wanted)
        .distinct()
        .values_list("pk", "slug", "name", *SYSTEM_FIELDS)
    )
    found = [
        Referable(pk=pk, slug=slug, name=name, police=answers[0], ring=_ring(answers))
        for pk, slug, name, *answers in rows
    ]
    found.sort(key=lambda r: (r.ring, r.name.lower()))
    return found[:most]


# --- Mentions: [[resource:slug]] in a protocol page or a tree's outcome ------------------

MENTION = re.compile(r"\[\[resource:([a-z0-9][a-z0-9_-]{0,79})\]\]")


def mentioned(text: str, now: datetime | None = None) -> dict[str, Resource]:
    """The resources `text` mentions as [[resource:slug]], by slug, each marked open now
    or not: two queries more, however many there are."""
    slugs = set(MENTION.findall(text or ""))
    if not slugs:
        return {}
    now = now or timezone.now()
    found = {r.slug: r for r in Resource.objects.filter(slug__in=slugs).for_directory()}
    for resource in found.values():
        resource.open_now = is_open(list(resource.hours.all()), now)
    return found


def link_mentions(text: str, resources: dict[str, Resource]) -> str:
    """`text` with each [[resource:slug]] turned into a Markdown link to the resource
    (or its slug as plain words, when there is no such resource)."""

    def link(match: re.Match[str]) -> str:
        resource = resources.get(match.group(1))
        if resource is None:
            return match.group(1)
        name = re.sub(r"([\\\[\]()*_`<>])", r"\\\1", resource.name)
        return f"[{name}]({resource.get_absolute_url()})"

    return MENTION.sub(link, text or "")
