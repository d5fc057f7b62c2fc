"""Hours of operation, positions, shifts and their places, time off and swaps.

Every instant is stored in UTC; wall-clock times (windows, closures, time off)
are in the line's zone, settings.TIME_ZONE.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisisline.models import Skill, User, keyed_hash

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ServiceWindow(models.Model):
    """A weekly stretch of open hours. An end at or before the start means the
    window runs past midnight into the next day (Fri 19:00 to Sat 02:00)."""

    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    start = models.TimeField(_("opens at"))
    end = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=~Q(start=F("end")), name="window_not_zero_length"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="window_weekday_valid"),
            models.UniqueConstraint(fields=["weekday", "start"], name="window_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def week_minutes(self) -> tuple[int, int]:
        """(start, end) in minutes from Monday 00:00; end may pass the week's end."""
        start = self.weekday * 1440 + self.start.hour * 60 + self.start.minute
        end = self.weekday * 1440 + self.end.hour * 60 + self.end.minute
        if self.crosses_midnight:
            end += 1440
        return start, end

    def overlaps(self, other: ServiceWindow) -> bool:
        week = 7 * 1440
        a_start, a_end = self.week_minutes()
        b_start, b_end = other.week_minutes()
        return any(
            a_start < b_end + shift and b_start + shift < a_end for shift in (-week, 0, week)
        )


class Closure(models.Model):
    """A date on which the line stays closed (windows starting that day are skipped)."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class Position(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    min_people = models.PositiveSmallIntegerField(_("fewest people"), default=1)
    max_people = models.PositiveSmallIntegerField(_("most people"), default=1)
    required_skill = models.ForeignKey(
        Skill,
        verbose_name=_("requires"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("A skill, training or language every person in this position needs."),
    )
    holds_line = models.BooleanField(
        _("carries the line's phone"),
        default=False,
        help_text=_("Calls to the line are forwarded to whoever holds this position."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    takes_debriefs = models.BooleanField(
        _("takes debrief requests"),
        default=False,
        help_text=_(
            "Whoever holds this position now (or next) is told when a teammate asks for a "
            "debrief at check-out."
        ),
    )
    # Where calls go after the line holder (shifts.forwarding); None: not in the chain.
    forwarding_order = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_people__gte=1), name="position_max_positive"),
            models.CheckConstraint(
                condition=Q(max_people__gte=F("min_people")), name="position_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShiftQuerySet(models.QuerySet["Shift"]):
    def active(self) -> ShiftQuerySet:
        return self.filter(cancelled=False)

    def between(self, start: datetime, end: datetime) -> ShiftQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Shift(models.Model):
    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"))
    cancelled = models.BooleanField(_("cancelled"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_ends_after_start"),
            models.UniqueConstraint(fields=["start", "end"], name="shift_unique_times"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.start):%a %Y-%m-%d %H:%M}–{timezone.localtime(self.end):%H:%M}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def is_past(self, now: datetime | None = None) -> bool:
        return self.end <= (now or timezone.now())

    def has_started(self, now: datetime | None = None) -> bool:
        return self.start <= (now or timezone.now())


class SlotQuerySet(models.QuerySet["Slot"]):
    def open(self) -> SlotQuerySet:
        return self.filter(taken__lt=F("capacity"), shift__cancelled=False)

    def upcoming(self, now: datetime) -> SlotQuerySet:
        return self.filter(shift__start__gt=now)


class Slot(models.Model):
    """The places of one position on one shift. `taken` counts its assignments,
    so the database itself refuses more people than the capacity."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="slots")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="slots")
    min_people = models.PositiveSmallIntegerField(default=1)
    capacity = models.PositiveSmallIntegerField(default=1)
    taken = models.PositiveSmallIntegerField(default=0)
    urgent_since = models.DateTimeField(null=True, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["shift__start", "position__order", "position__name"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "position"], name="slot_one_per_position"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="slot_never_over"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position} · {self.shift}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def state(self) -> str:
        """'short' below the minimum, 'full' at capacity, otherwise 'ok'."""
        if self.taken < self.min_people:
            return "short"
        if self.taken >= self.capacity:
            return "full"
        return "ok"


class Assignment(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="assignments")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shift__start", "slot__position__order"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="assignment_once_per_shift"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.slot}"


class GivenUp(models.Model):
    """A place its holder gave up themselves (released, or "can't make it"): it is
    not offered back to them, and a claim by them is refused (a coordinator can
    still put them back)."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="given_up")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "person"], name="given_up_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} gave up {self.slot_id}"


class TimeOff(models.Model):
    """Dates (inclusive, in the line's zone) a person cannot take shifts."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="time_off")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until (inclusive)"))
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="time_off_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.first_day}–{self.last_day}"

    def covers(self, start: datetime, end: datetime) -> bool:
        first = timezone.localtime(start).date()
        last = timezone.localtime(end - timedelta(seconds=1)).date()
        return self.first_day <= last and first <= self.last_day


class SwapOffer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("offered")
        PENDING = "pending", _("waiting for a coordinator")
        DONE = "done", _("swapped")
        WITHDRAWN = "withdrawn", _("withdrawn")
        DECLINED = "declined", _("declined")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="swaps")
    offered_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    taken_by = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assignment__shift__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status__in=["open", "pending"]),
                name="swap_one_live_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"Swap {self.pk} ({self.status})"


class RosterRules(models.Model):
    """Line-wide roster settings (a single row), edited by coordinators."""

    release_notice_hours = models.PositiveSmallIntegerField(
        _("notice needed to release a shift (hours)"),
        default=48,
        help_text=_("Closer to the shift, people offer a swap or say they can't make it."),
    )
    swaps_need_approval = models.BooleanField(_("a coordinator approves each swap"), default=False)
    forwarding_token_hash = models.CharField(max_length=64, blank=True)
    duty_phone = models.CharField(
        _("coordinator-on-duty number"),
        max_length=32,
        blank=True,
        help_text=_("Called last, when nobody on shift answers. Optional."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="roster_rules_single_row"),
        ]

    def __str__(self) -> str:
        return "Roster rules"

    @classmethod
    def current(cls) -> RosterRules:
        rules = cls.objects.filter(pk=1).first()
        return rules if rules is not None else cls(pk=1)

    def new_forwarding_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.forwarding_token_hash = keyed_hash("forwarding", token)
        self.save()
        return token

    def revoke_forwarding_token(self) -> None:
        self.forwarding_token_hash = ""
        self.save()


class ShiftPreferences(models.Model):
    """A person's own shift settings that are not part of their profile."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="shift_preferences")
    reminder_hours = models.PositiveSmallIntegerField(
        _("remind me this many hours before a shift"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no reminders. Reminders are sent by email."),
    )
    feed_shows_teammates = models.BooleanField(
        _("show teammates' names in my calendar feed"), default=False
    )
    feed_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"Preferences of {self.person}"

    @classmethod
    def of(cls, person: User) -> ShiftPreferences:
        return cls.objects.get_or_create(person=person)[0]

    def new_feed_token(self) -> str:
        """A new secret feed token; the old URL stops working at once."""
        token = secrets.token_urlsafe(24)
        self.feed_token_hash = keyed_hash("feed", token)
        self.save(update_fields=["feed_token_hash"])
        return token

    def revoke_feed(self) -> None:
        self.feed_token_hash = ""
        self.save(update_fields=["feed_token_hash"])


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants at which local day `first` begins and the day after `last` begins."""
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(first, time(0), tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
    )


def revoke_feed_of(person: User) -> None:
    ShiftPreferences.objects.filter(person=person).update(feed_token_hash="")


@transaction.atomic
def add_slots_for_position(position: Position) -> int:
    """Give every future, uncancelled shift a slot for a newly added position."""
    now = timezone.now()
    existing = Slot.objects.filter(position=position).values("shift_id")
    shifts = Shift.objects.active().filter(start__gt=now).exclude(pk__in=existing)
    slots = [
        Slot(
            shift=shift,
            position=position,
            min_people=position.min_people,
            capacity=position.max_people,
        )
        for shift in shifts.only("pk")
    ]
    Slot.objects.bulk_create(slots)
    return len(slots)


class LineGapAlert(models.Model):
    """Remembers that a line-holder place at risk was announced, so it is announced once."""

    slot = models.OneToOneField(Slot, on_delete=models.CASCADE, related_name="gap_alert")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Line gap alert {self.pk}"
