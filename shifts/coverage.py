"""Coverage analysis: every staffing problem of a stretch of the roster, with its reason.

`coverage_problems` is a pure function over loaded rows; `load_roster` loads
what it needs for any date range in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisisline.dates import local_date
from crisisline.models import User, shown_name
from crisisline.skills import HeldSkills, held_skill_spans
from shifts import places
from shifts.models import Assignment, PlaceFigures, Position, Shift, Slot, TimeOff

SHORT = "short"
UNQUALIFIED = "unqualified"
DOUBLE_BOOKED = "double-booked"
TIME_OFF = "time-off"
OVER_MAXIMUM = "over-maximum"
TOO_LITTLE_REST = "rest"
NO_LINE_HOLDER = "no-line-holder"

MAX_REST = timedelta(hours=168)


@dataclass(frozen=True)
class Problem:
    kind: str
    shift_id: int
    message: str
    slot_id: int | None = None
    person_id: int | None = None


@dataclass(slots=True)
class Teammate:
    """A person as the roster shows them and the problems weigh them."""

    pk: int
    username: str
    display_name: str
    max_shifts_per_month: int | None
    min_rest_hours: int

    def __str__(self) -> str:
        return shown_name(self.display_name, self.username)


@dataclass(slots=True)
class Placed:
    """An assignment as the roster needs it: who, on which shift, in which place.
    (A model instance per row cost most of a month view's load time.)"""

    pk: int
    slot_id: int
    shift_id: int
    person_id: int
    shift: Shift
    person: Teammate
    slot: Place | None = None


@dataclass(slots=True, eq=False)
class Place(PlaceFigures):
    """A place (a `Slot` row) as the roster shows it and the checks weigh it, with
    its shift, position, people and problems attached. Built from a plain row:
    reading 500 places as model instances took four times as long."""

    pk: int
    shift_id: int
    position_id: int
    min_people: int
    capacity: int
    taken: int
    trainee: bool
    shift: Shift
    position: Position
    people: list[Placed] = field(default_factory=list)
    problem_list: list[Problem] = field(default_factory=list)
    label: str = ""  # the printed month's short label, when it sets one


# Weightiest first: the coverage report ranks by this, and shows the first in red.
SEVERITY = (
    NO_LINE_HOLDER,
    UNQUALIFIED,
    SHORT,
    DOUBLE_BOOKED,
    TIME_OFF,
    TOO_LITTLE_REST,
    OVER_MAXIMUM,
)


def severity(kind: str) -> int:
    return SEVERITY.index(kind)


# --- Checks of one place -----------------------------------------------------------


def missing_line_holder(slot: Place | Slot) -> Problem | None:
    """Nobody carries the line's phone: calls go unanswered."""
    if not _without_line_holder(slot):
        return None
    return Problem(
        NO_LINE_HOLDER,
        slot.shift_id,
        _("No line holder: nobody carries the line's phone (%(position)s).")
        % {"position": slot.position},
        slot_id=slot.pk,
    )


def short_staffed(slot: Place | Slot) -> Problem | None:
    """Fewer people than the position's minimum (and not the line's phone left empty)."""
    if slot.taken >= slot.min_people or _without_line_holder(slot):
        return None
    return Problem(
        SHORT,
        slot.shift_id,
        _("%(position)s is short-staffed: %(taken)s of at least %(minimum)s.")
        % {"position": slot.name, "taken": slot.taken, "minimum": slot.min_people},
        slot_id=slot.pk,
    )


def _without_line_holder(slot: Place | Slot) -> bool:
    return slot.position.holds_line and slot.taken == 0 and slot.min_people > 0


PLACE_CHECKS: tuple[Callable[[Place], Problem | None], ...] = (missing_line_holder, short_staffed)


# --- Checks of one person's place ---------------------------------------------------


@dataclass(slots=True)  # not frozen: a report makes hundreds, and frozen ones cost 5x to make
class Stint:
    """One person's place on one shift, with what it is weighed against: their
    earlier places (oldest first), their time off, the skills they hold and how
    many shifts they have in that calendar month up to this one; `day` is the
    shift's local day when already known (else worked out when asked)."""

    assignment: Placed
    earlier: Sequence[Placed]
    time_off: Sequence[TimeOff]
    skills: HeldSkills
    shifts_this_month: int
    day: date | None = None

    @property
    def person(self) -> Teammate:
        return self.assignment.person

    def problem(self, kind: str, message: str) -> Problem:
        a = self.assignment
        return Problem(kind, a.shift_id, message, a.slot_id, a.person_id)


def lacks_skill(stint: Stint) -> Problem | None:
    """The place's skill is not held on the shift's own day (as a claim judges it);
    a trainee place is there to learn it."""
    slot, shift = stint.assignment.slot, stint.assignment.shift
    if slot is None:  # outside the loaded range: weighed where it is loaded
        return None
    required = None if slot.trainee else slot.position.required_skill_id
    if required is None or stint.skills.holds(
        stint.assignment.person_id, required, stint.day or places.local_day(shift.start)
    ):
        return None
    return stint.problem(
        UNQUALIFIED,
        _("%(name)s lacks %(skill)s, required for %(position)s.")
        % {"name": stint.person, "skill": slot.position.required_skill, "position": slot.name},
    )


def double_booked(stint: Stint) -> Problem | None:
    shift, shift_id = stint.assignment.shift, stint.assignment.shift_id
    for earlier in stint.earlier:
        if earlier.shift_id != shift_id and places.overlap(
            earlier.shift.start, earlier.shift.end, shift.start, shift.end
        ):
            return stint.problem(
                DOUBLE_BOOKED,
                _("%(name)s is double-booked with the shift at %(when)s.")
                % {"name": stint.person, "when": _local(earlier.shift.start)},
            )
    return None


def on_time_off(stint: Stint) -> Problem | None:
    shift = stint.assignment.shift
    if not any(leave.covers(shift.start, shift.end) for leave in stint.time_off):
        return None
    return stint.problem(TIME_OFF, _("%(name)s is on time off.") % {"name": stint.person})


def over_maximum(stint: Stint) -> Problem | None:
    limit = stint.person.max_shifts_per_month
    if not places.over_maximum(limit, stint.shifts_this_month):
        return None
    return stint.problem(
        OVER_MAXIMUM,
        _("%(name)s is over their maximum of %(limit)s shifts this month.")
        % {"name": stint.person, "limit": limit},
    )


def too_little_rest(stint: Stint) -> Problem | None:
    if not stint.earlier:
        return None
    previous, shift = stint.earlier[-1].shift, stint.assignment.shift
    want = stint.person.min_rest_hours
    if not places.too_little_rest(want, previous.end, shift.start):
        return None
    hours = round((shift.start - previous.end).total_seconds() / 3600, 1)
    return stint.problem(
        TOO_LITTLE_REST,
        _("%(name)s rests only %(hours)s h since their last shift (wants %(want)s h).")
        % {"name": stint.person, "hours": hours, "want": want},
    )


PERSON_CHECKS: tuple[Callable[[Stint], Problem | None], ...] = (
    lacks_skill,
    double_booked,
    on_time_off,
    over_maximum,
    too_little_rest,
)


def coverage_problems(
    slots: Iterable[Place],
    assignments: Sequence[Placed],
    time_off: Iterable[TimeOff],
    skills: HeldSkills,
    start: datetime,
    end: datetime,
) -> list[Problem]:
    """Problems of shifts starting in [start, end), each check asked in turn.
    `assignments` must include every assignment from the start of the calendar
    month of `start` and a week before `start` up to `end`, with `shift`,
    `slot.position` and `person` loaded."""
    problems: list[Problem] = []
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # compared as stored: cheaper
    for slot in slots:
        shift = slot.shift
        if not shift.cancelled and start <= shift.start < end:
            for check in PLACE_CHECKS:
                if (problem := check(slot)) is not None:
                    problems.append(problem)
    for stint in _stints(assignments, time_off, skills, start, end):
        for person_check in PERSON_CHECKS:
            if (problem := person_check(stint)) is not None:
                problems.append(problem)
    return problems


def _stints(
    assignments: Sequence[Placed],
    time_off: Iterable[TimeOff],
    skills: HeldSkills,
    start: datetime,
    end: datetime,
) -> Iterator[Stint]:
    """Each live place on a shift starting in [start, end) (given in UTC, as stored),
    person by person in time order, with what came before it (the earlier places
    only counted)."""
    live = sorted(
        (a for a in assignments if not a.shift.cancelled), key=lambda a: (a.shift.start, a.pk)
    )
    leave_by_person: dict[int, list[TimeOff]] = defaultdict(list)
    for leave in time_off:
        leave_by_person[leave.person_id].append(leave)
    by_person: dict[int, list[Placed]] = defaultdict(list)
    for assignment in live:
        by_person[assignment.person_id].append(assignment)
    local, days = LocalClock(), dict[int, date]()  # shift id -> its local day
    for person_id, mine in by_person.items():
        month_counts: dict[tuple[int, int], int] = defaultdict(int)
        for index, assignment in enumerate(mine):
            day = days.get(assignment.shift_id)
            if day is None:
                day = days[assignment.shift_id] = local.day(assignment.shift.start)
            month_counts[day.year, day.month] += 1
            if not start <= assignment.shift.start < end:
                continue
            yield Stint(
                assignment,
                mine[:index],
                leave_by_person[person_id],
                skills,
                month_counts[day.year, day.month],
                day,
            )


class LocalClock:
    """Local days and times for many instants, the line's time zone asked once
    (each `timezone.localtime` asks for it again, which adds up over a roster)."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()

    def time(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()


# --- Triage: the report's grouping ----------------------------------------------------


# Each kind's name as the report shows it, weightiest first.
KIND_LABELS = {
    NO_LINE_HOLDER: gettext_lazy("No line holder"),
    UNQUALIFIED: gettext_lazy("Missing skills"),
    SHORT: gettext_lazy("Short-staffed"),
    DOUBLE_BOOKED: gettext_lazy("Double-booked"),
    TIME_OFF: gettext_lazy("On time off"),
    TOO_LITTLE_REST: gettext_lazy("Too little rest"),
    OVER_MAXIMUM: gettext_lazy("Over their maximum"),
}


@dataclass(frozen=True, slots=True)
class Found:
    """One problem with the shift it is on, the shift's local times as the
    report writes them, its kind's label and the week view's address of the
    shift from that week (all worked out once per shift or kind, not per row:
    a report can hold thousands)."""

    shift: Shift
    problem: Problem
    day: date
    hours: str
    label: str
    week_anchor: str

    @property
    def kind(self) -> str:
        return self.problem.kind


@dataclass
class ProblemDay:
    day: date
    found: list[Found]

    @property
    def worst(self) -> str:
        return self.found[0].kind

    def by_kind(self) -> list[tuple[str, str, list[Shift]]]:
        """Each kind found this day, weightiest first, with its label and the shifts
        it is on (each once, in time order): the day's summary on the phone roster."""
        shifts: dict[str, dict[int, Shift]] = {}
        for found in self.found:
            shifts.setdefault(found.kind, {})[found.shift.pk] = found.shift
        return [
            (kind, str(KIND_LABELS[kind]), sorted(on.values(), key=lambda s: (s.start, s.pk)))
            for kind, on in shifts.items()
        ]


def count_by_kind(problems: Iterable[Problem]) -> dict[str, int]:
    """How many problems of each kind, weightiest first, every kind listed."""
    counts = dict.fromkeys(SEVERITY, 0)
    for problem in problems:
        counts[problem.kind] += 1
    return counts


def triage(shifts: Iterable[Shift], kinds: Iterable[str] = SEVERITY) -> list[ProblemDay]:
    """Problems of the shifts (as `load_roster` leaves them) of the given kinds,
    grouped by local day in date order, weightiest first within a day, then by time."""
    wanted, local = set(kinds), LocalClock()
    labels = {kind: str(KIND_LABELS[kind]) for kind in wanted}
    grouped: dict[date, list[Found]] = defaultdict(list)
    for shift in shifts:
        mine = [p for p in shift.problem_list if p.kind in wanted] if not shift.cancelled else []
        if not mine:
            continue
        start, end = local.time(shift.start), local.time(shift.end)
        hours, day = f"{start:%H:%M}–{end:%H:%M}", start.date()
        anchor = f"?start={day:%Y-%m-%d}#shift-{shift.pk}"
        grouped[day].extend(Found(shift, p, day, hours, labels[p.kind], anchor) for p in mine)
    return [
        ProblemDay(day, sorted(found, key=lambda f: (severity(f.kind), f.shift.start, f.shift.pk)))
        for day, found in sorted(grouped.items())
    ]


def _local(instant: datetime) -> str:
    return local_date(timezone.localtime(instant), "D j M H:i")


@dataclass
class GridRow:
    """One position across the week's columns (a place, or None where there is none)."""

    position: Position
    cells: list[Place | None]


@dataclass
class Band:
    """One stretch of the day across the week: its shifts by column, its positions by row."""

    start: time
    end: time
    shifts: list[Shift | None]
    rows: list[GridRow]

    @property
    def fingerprint(self) -> str:
        """Everything the band shows (its shifts' fingerprints): its rendered HTML's key."""
        return repr(
            (
                self.start,
                self.end,
                [getattr(shift, "fingerprint", None) for shift in self.shifts],
                [row.position.name for row in self.rows],
            )
        )


@dataclass
class Roster:
    """A stretch of the roster, ready to show: shifts with slots, people and problems."""

    start: datetime
    end: datetime
    shifts: list[Shift] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def days(self) -> list[tuple[date, list[Shift]]]:
        grouped: dict[date, list[Shift]] = defaultdict(list)
        local = LocalClock()
        for shift in self.shifts:
            grouped[local.day(shift.start)].append(shift)
        return sorted(grouped.items())

    def week_grid(self, first: date) -> list[Band]:
        """The week from `first` as a grid: a band for each stretch of the day that a
        shift covers (08:00–12:00), in it a row for each position, a column for each
        day; a cell holds that day's place (or nothing: no such shift that day)."""
        bands: list[Band] = []
        local = LocalClock()
        for shift in self.shifts:
            start, end = local.time(shift.start), local.time(shift.end)
            column = (start.date() - first).days
            if not 0 <= column < 7:
                continue
            band = next(
                (
                    b
                    for b in bands
                    if (b.start, b.end) == (start.time(), end.time()) and not b.shifts[column]
                ),
                None,
            )
            if band is None:
                band = Band(start.time(), end.time(), [None] * 7, [])
                bands.append(band)
            band.shifts[column] = shift
            for slot in shift.slot_list:
                row = next(
                    (
                        r
                        for r in band.rows
                        if r.position.pk == slot.position_id and not r.cells[column]
                    ),
                    None,
                )
                if row is None:
                    row = GridRow(slot.position, [None] * 7)
                    band.rows.append(row)
                row.cells[column] = slot
        for band in bands:
            band.rows.sort(key=lambda r: (r.position.order, r.position.name))
        return sorted(bands, key=lambda b: (b.start, b.end))

    def days_with_problems(self) -> list[tuple[date, list[Shift], ProblemDay | None]]:
        """Each day's shifts with the day's problems, weightiest first (the phone roster)."""
        found = {group.day: group for group in triage(self.shifts)}
        return [(day, shifts, found.get(day)) for day, shifts in self.days()]


def load_roster(start: datetime, end: datetime, *, fingerprints: bool = True) -> Roster:
    """Shifts starting in [start, end), each with `.slot_list` (each slot with
    `.people` and `.problem_list`) and `.problem_list`. Seven queries, whatever the size.
    Each shift's `.fingerprint` (its cached HTML's key) is left out when asked:
    a page that never caches a shift's HTML need not work them out.

    Only what the problems need is loaded: shifts and assignments from the
    start of the first month touched (monthly maximum) or a week before `start`
    (rest), whichever is earlier, up to `end` (a problem only ever looks back),
    each person and shift once, no joined rows."""
    first_month = timezone.localtime(start).replace(day=1, hour=0, minute=0, second=0)
    wide_start = min(first_month, start - MAX_REST)
    shifts_by_id = {
        shift.pk: shift
        for shift in Shift.objects.filter(start__gte=wide_start, start__lt=end).order_by(
            "start", "end"
        )
    }
    shifts = [shift for shift in shifts_by_id.values() if shift.start >= start]
    positions = Position.objects.select_related("required_skill").in_bulk()  # a handful
    # By shift ids already in hand: the database reads the places by their index
    # rather than joining (PostgreSQL would scan every assignment ever made). Asked
    # as `shift__id`, the same SQL, whose ids Django checks as plain numbers rather
    # than as possible model instances (hundreds of them, on every roster).
    place_rows = (
        Slot.objects.filter(shift__id__in=[shift.pk for shift in shifts])
        .order_by()
        .values_list("pk", "shift_id", "position_id", "min_people", "capacity", "taken", "trainee")
    )
    slots = sorted(
        (Place(*row, shift=shifts_by_id[row[1]], position=positions[row[2]]) for row in place_rows),
        key=lambda slot: (slot.position.order, slot.position.name, slot.pk),
    )
    rows = (
        Assignment.objects.filter(shift__id__in=list(shifts_by_id))
        .values_list("pk", "slot_id", "shift_id", "person_id")
        .order_by("pk")
    )
    # Everyone on the team, a few hundred short rows: cheaper than finding who is
    # placed (again) or sending hundreds of their ids back as parameters.
    people = {
        row[0]: Teammate(*row)
        for row in User.objects.values_list(
            "pk", "username", "display_name", "max_shifts_per_month", "min_rest_hours"
        )
    }
    # The same answer the rule for taking a place gets (shifts.places).
    required = {p.required_skill for p in positions.values() if p.required_skill is not None}
    skills = held_skill_spans(required)
    leave = list(
        TimeOff.objects.filter(
            first_day__lte=timezone.localtime(end).date(),
            last_day__gte=timezone.localtime(wide_start).date(),
        )
    )
    slots_by_id: dict[int, Place] = {}
    for shift in shifts:
        shift.slot_list = []
        shift.problem_list = []
        shift.taken_total = shift.capacity_total = 0
    for slot in slots:
        slots_by_id[slot.pk] = slot
        slot.shift.slot_list.append(slot)
        slot.shift.taken_total += slot.taken
        slot.shift.capacity_total += slot.capacity
    assignments = []
    for pk, slot_id, shift_id, person_id in rows:
        in_range = slots_by_id.get(slot_id)  # the template and the problems need it
        assignment = Placed(
            pk, slot_id, shift_id, person_id, shifts_by_id[shift_id], people[person_id], in_range
        )
        assignments.append(assignment)
        if in_range is not None:
            in_range.people.append(assignment)
    problems = coverage_problems(slots, assignments, leave, skills, start, end)
    for problem in problems:
        shifts_by_id[problem.shift_id].problem_list.append(problem)
        if problem.slot_id in slots_by_id:
            slots_by_id[problem.slot_id].problem_list.append(problem)
    now = timezone.now()
    for shift in shifts if fingerprints else ():
        shift.fingerprint = fingerprint(shift, now)
    return Roster(start, end, shifts, problems)


def fingerprint(shift: Shift, now: datetime) -> str:
    """Everything a loaded shift shows on the roster, as one string: the key its
    rendered HTML is cached under, so any change to what it shows is a new key."""
    return repr(
        (
            shift.pk,
            shift.start,
            shift.end,
            shift.cancelled,
            shift.note,
            shift.is_past(now),
            [
                (
                    slot.pk,
                    slot.name,
                    slot.taken,
                    slot.capacity,
                    slot.min_people,
                    [(a.pk, a.person.display_name) for a in slot.people],
                    [problem.message for problem in slot.problem_list],
                )
                for slot in shift.slot_list
            ],
        )
    )
