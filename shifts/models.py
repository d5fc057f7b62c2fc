"""Hours of operation, positions, shifts and their places, time off and swaps.

Every instant is stored in UTC; wall-clock times (windows, closures, time off)
are in the line's zone, settings.TIME_ZONE.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisisline.i18n import in_reading_language
from crisisline.models import Skill, User, keyed_hash, single_row

if TYPE_CHECKING:
    from shifts.coverage import Place, Problem

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
            models.CheckConstraint(
                condition=~Q(start=F("end")),
                name="window_not_zero_length",
                violation_error_message=_(
                    "The window opens and closes at the same time: it would be empty."
                ),
            ),
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="window_weekday_valid",
                violation_error_message=_("Choose a day of the week from the list."),
            ),
            models.UniqueConstraint(
                fields=["weekday", "start"],
                name="window_unique_start",
                violation_error_message=_(
                    "Another window already opens on that day at that time. Change or delete that one first."
                ),
            ),
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

    date = models.DateField(
        _("date"),
        unique=True,
        error_messages={"unique": _("The line is already closed that day.")},
    )
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return str(self.date)  # ISO, also before a form's text is made a date


class Position(models.Model):
    name = models.CharField(
        _("name"),
        max_length=60,
        unique=True,
        error_messages={"unique": _("There is already a position with this name.")},
    )
    name_es = models.CharField(
        _("name in Spanish"),
        max_length=60,
        blank=True,
        help_text=_("Shown to people reading in Spanish. Leave empty to use the name above."),
    )
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
    trainee_place = models.BooleanField(
        _("takes a trainee (shadow)"),
        default=False,
        help_text=_(
            "Adds one place on each shift for someone learning this position, who does "
            "not hold its required skill yet. It does not count as cover, never carries "
            "the line's phone and is never called."
        ),
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
            models.CheckConstraint(
                condition=Q(max_people__gte=1),
                name="position_max_positive",
                violation_error_message=_("At least one person must fit in a position."),
            ),
            models.CheckConstraint(
                condition=Q(max_people__gte=F("min_people")),
                name="position_min_le_max",
                violation_error_message=_("The fewest cannot be more than the most."),
            ),
            # A trainee learns the required skill: without one there is nothing to learn.
            models.CheckConstraint(
                condition=Q(trainee_place=False) | Q(required_skill__isnull=False),
                violation_error_message=_(
                    "A trainee place needs a required skill to learn: choose one, or leave the trainee place off."
                ),
                name="position_trainee_needs_skill",
            ),
        ]

    def __str__(self) -> str:
        return in_reading_language(self.name, self.name_es)


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

    # Set on the shifts `shifts.coverage.load_roster` loads, for the roster.
    slot_list: list[Place]
    problem_list: list[Problem]
    taken_total: int
    capacity_total: int
    fingerprint: str

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="shift_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
            models.UniqueConstraint(
                fields=["start", "end"],
                name="shift_unique_times",
                violation_error_message=_("A shift with exactly these times already exists."),
            ),
        ]
        # The shifts not over yet, by their end: what the line-gap check asks on every
        # /oncall/, dashboard and coverage page (by start, it would walk all history).
        indexes = [models.Index(fields=["end"], name="shift_by_end")]

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


def place_name(position: str, trainee: bool) -> str:
    """How a place is named wherever it is shown: "Line holder (trainee)"."""
    return _("%(position)s (trainee)") % {"position": position} if trainee else position


class PlaceFigures:
    """What a place shows, worked out from its own figures: shared by the `Slot`
    row and the roster's plain `shifts.coverage.Place`."""

    position: Any
    trainee: bool
    min_people: int
    capacity: int
    taken: int

    @property
    def name(self) -> str:
        return place_name(str(self.position), self.trainee)

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


class Slot(PlaceFigures, models.Model):
    """The places of one position on one shift. `taken` counts its assignments,
    so the database itself refuses more people than the capacity.

    A trainee slot is the one shadow place of a position that takes a trainee:
    one person, not counted as cover (its minimum is 0), never the line holder
    and never in the forwarding chain."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="slots")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="slots")
    min_people = models.PositiveSmallIntegerField(default=1)
    capacity = models.PositiveSmallIntegerField(default=1)
    taken = models.PositiveSmallIntegerField(default=0)
    urgent_since = models.DateTimeField(null=True, blank=True)
    trainee = models.BooleanField(default=False)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["shift__start", "position__order", "position__name", "trainee"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "position", "trainee"],
                name="slot_one_per_position_and_kind",
                violation_error_message=_("This shift already has a place for this position."),
            ),
            models.CheckConstraint(
                condition=Q(trainee=False) | Q(capacity=1, min_people=0),
                violation_error_message=_(
                    "A trainee place holds one person and is not counted as cover."
                ),
                name="slot_trainee_one_uncounted",
            ),
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")),
                name="slot_never_over",
                violation_error_message=_("Sorry, this place was just taken. Choose another one."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="slot_capacity_positive",
                violation_error_message=_("At least one person must fit in a position."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.shift}"


class Assignment(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="assignments")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # When the check-out question was emailed after the shift (to people who use reminders).
    check_out_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shift__start", "slot__position__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"],
                name="assignment_once_per_shift",
                violation_error_message=_("You're already on this shift."),
            ),
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

    # Declared like Assignment's Meta, a different rule: a place is given up once.
    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "person"],
                name="given_up_once",
                violation_error_message=_("This place was already given up."),
            ),
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
                condition=Q(last_day__gte=F("first_day")),
                name="time_off_ends_after_start",
                violation_error_message=_("The last day is before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.first_day}–{self.last_day}"

    def covers(self, start: datetime, end: datetime) -> bool:
        first = timezone.localtime(start).date()
        last = timezone.localtime(end - timedelta(seconds=1)).date()
        return self.first_day <= last and first <= self.last_day


def shifts_during_time_off(person: User, now: datetime) -> list[Assignment]:
    """The person's own places on shifts not yet over and not cancelled that fall
    in their time off: a clash only they can resolve. Two queries."""
    leave = list(TimeOff.objects.filter(person=person, last_day__gte=timezone.localdate(now)))
    if not leave:
        return []
    last = max(entry.last_day for entry in leave)
    mine = (
        Assignment.objects.filter(person=person, shift__end__gt=now, shift__cancelled=False)
        .filter(shift__start__lt=local_day_bounds(last, last)[1])
        .select_related("shift", "slot__position")
        .order_by("shift__start")
    )
    return [a for a in mine if any(entry.covers(a.shift.start, a.shift.end) for entry in leave)]


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
                violation_error_message=_("This shift is already offered for a swap."),
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
            single_row(
                "roster_rules_single_row",
                _("There is only one set of roster rules: change them instead of adding more."),
            )
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


def slots_of(shift: Shift, position: Position, trainee: bool | None = None) -> list[Slot]:
    """The new slots `position` gives `shift`: its places and, if it takes a trainee,
    the trainee place (`trainee` chooses one of the two)."""
    slots = []
    if trainee is not True:
        slots.append(
            Slot(
                shift=shift,
                position=position,
                min_people=position.min_people,
                capacity=position.max_people,
            )
        )
    if position.trainee_place and trainee is not False:
        slots.append(Slot(shift=shift, position=position, min_people=0, capacity=1, trainee=True))
    return slots


@transaction.atomic
def add_slots_for_position(position: Position) -> int:
    """Give every future, uncancelled shift the slots of a newly added or changed
    position that it lacks (its places, and its trainee place when it takes one)."""
    now = timezone.now()
    upcoming = Shift.objects.active().filter(start__gt=now).only("pk")
    slots = []
    for trainee in (False, True):
        existing = Slot.objects.filter(position=position, trainee=trainee).values("shift_id")
        for shift in upcoming.exclude(pk__in=existing):
            slots += slots_of(shift, position, trainee)
    Slot.objects.bulk_create(slots)
    return len({slot.shift_id for slot in slots})


def drop_trainee_places(position: Position) -> int:
    """A position no longer taking trainees: its upcoming trainee places nobody
    holds go; one somebody holds stays until its shift is over."""
    future = Slot.objects.filter(
        position=position, trainee=True, taken=0, shift__start__gt=timezone.now()
    )
    return future.delete()[0]


class LineGapAlert(models.Model):
    """Remembers that a line-holder gap was announced, so it is announced once; the
    row goes when the gap closes (the place filled), so the next gap is announced."""

    slot = models.OneToOneField(Slot, on_delete=models.CASCADE, related_name="gap_alert")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Line gap alert {self.pk}"
