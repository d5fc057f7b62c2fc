"""Coverage analysis: every staffing problem of a stretch of the roster, with its reason.

`coverage_problems` is a pure function over loaded rows; `load_roster` loads
what it needs for any date range in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from crisisline.models import User
from crisisline.skills import HeldSkills, held_skill_spans
from shifts import places
from shifts.models import Assignment, Position, Shift, Slot, TimeOff

SHORT = "short"
UNQUALIFIED = "unqualified"
DOUBLE_BOOKED = "double-booked"
TIME_OFF = "time-off"
OVER_MAXIMUM = "over-maximum"
TOO_LITTLE_REST = "rest"

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
        return self.display_name or self.username


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
    slot: Slot | None = None


def coverage_problems(
    slots: Iterable[Slot],
    assignments: Sequence[Placed],
    time_off: Iterable[TimeOff],
    skills: HeldSkills,
    start: datetime,
    end: datetime,
) -> list[Problem]:
    """Problems of shifts starting in [start, end). `assignments` must include every
    assignment in the calendar months touched and a week either side, with
    `shift`, `slot.position` and `person` loaded."""
    problems: list[Problem] = []
    in_range = lambda shift: start <= shift.start < end  # noqa: E731
    months: dict[int, tuple[int, int]] = {}  # shift id -> its local (year, month)

    for slot in slots:
        if slot.shift.cancelled or not in_range(slot.shift):
            continue
        if slot.taken < slot.min_people:
            problems.append(
                Problem(
                    SHORT,
                    slot.shift_id,
                    _("%(position)s is short-staffed: %(taken)s of at least %(minimum)s.")
                    % {
                        "position": slot.position,
                        "taken": slot.taken,
                        "minimum": slot.min_people,
                    },
                    slot_id=slot.pk,
                )
            )

    live = sorted(
        (a for a in assignments if not a.shift.cancelled), key=lambda a: (a.shift.start, a.pk)
    )
    leave_by_person: dict[int, list[TimeOff]] = defaultdict(list)
    for leave in time_off:
        leave_by_person[leave.person_id].append(leave)
    by_person: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in live:
        by_person[assignment.person_id].append(assignment)

    for person_id, mine in by_person.items():
        person = mine[0].person
        month_counts: dict[tuple[int, int], int] = defaultdict(int)
        for index, assignment in enumerate(mine):
            shift = assignment.shift
            month = months.get(shift.pk)
            if month is None:
                month = months[shift.pk] = places.month_of(shift.start)
            month_counts[month] += 1
            if not in_range(shift):
                continue

            def add(
                kind: str, message: str, shift=shift, assignment=assignment, person_id=person_id
            ) -> None:
                problems.append(Problem(kind, shift.pk, message, assignment.slot_id, person_id))

            # A trainee is there to learn the skill (and is never the cover).
            slot = assignment.slot
            required = None if slot.trainee else slot.position.required_skill_id
            # Judged on the shift's own day, as a claim of the place is (shifts.places).
            if required is not None and not skills.holds(
                person_id, required, places.local_day(shift.start)
            ):
                add(
                    UNQUALIFIED,
                    _("%(name)s lacks %(skill)s, required for %(position)s.")
                    % {
                        "name": person,
                        "skill": assignment.slot.position.required_skill,
                        "position": assignment.slot.position,
                    },
                )
            for earlier in mine[:index]:
                if earlier.shift.pk != shift.pk and places.overlap(
                    earlier.shift.start, earlier.shift.end, shift.start, shift.end
                ):
                    add(
                        DOUBLE_BOOKED,
                        _("%(name)s is double-booked with the shift at %(when)s.")
                        % {"name": person, "when": _local(earlier.shift.start)},
                    )
                    break
            if any(leave.covers(shift.start, shift.end) for leave in leave_by_person[person_id]):
                add(TIME_OFF, _("%(name)s is on time off.") % {"name": person})
            limit = person.max_shifts_per_month
            if places.over_maximum(limit, month_counts[month]):
                add(
                    OVER_MAXIMUM,
                    _("%(name)s is over their maximum of %(limit)s shifts this month.")
                    % {"name": person, "limit": limit},
                )
            if index:
                previous = mine[index - 1].shift
                gap = shift.start - previous.end
                if places.too_little_rest(person.min_rest_hours, previous.end, shift.start):
                    add(
                        TOO_LITTLE_REST,
                        _(
                            "%(name)s rests only %(hours)s h since their last shift (wants %(want)s h)."
                        )
                        % {
                            "name": person,
                            "hours": round(gap.total_seconds() / 3600, 1),
                            "want": person.min_rest_hours,
                        },
                    )
    return problems


def _local(instant: datetime) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(instant), "D j M H:i")


@dataclass
class Roster:
    """A stretch of the roster, ready to show: shifts with slots, people and problems."""

    start: datetime
    end: datetime
    shifts: list[Shift] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def days(self) -> list[tuple[date, list[Shift]]]:
        grouped: dict[date, list[Shift]] = defaultdict(list)
        for shift in self.shifts:
            grouped[timezone.localtime(shift.start).date()].append(shift)
        return sorted(grouped.items())


def load_roster(start: datetime, end: datetime) -> Roster:
    """Shifts starting in [start, end), each with `.slot_list` (each slot with
    `.people` and `.problem_list`) and `.problem_list`. Seven queries, whatever the size.

    Only what the problems need is loaded: shifts and assignments from a week
    before the first month touched (rest, monthly maximum) up to `end` (a
    problem only ever looks back), each person and shift once, no joined rows."""
    first_month = timezone.localtime(start).replace(day=1, hour=0, minute=0, second=0)
    wide_start = min(first_month - MAX_REST, start)
    shifts_by_id = {
        shift.pk: shift
        for shift in Shift.objects.filter(start__gte=wide_start, start__lt=end).order_by(
            "start", "end"
        )
    }
    shifts = [shift for shift in shifts_by_id.values() if shift.start >= start]
    positions = Position.objects.select_related("required_skill").in_bulk()  # a handful
    slots = sorted(
        Slot.objects.filter(shift__start__gte=start, shift__start__lt=end),
        key=lambda slot: (
            positions[slot.position_id].order,
            positions[slot.position_id].name,
            slot.pk,
        ),
    )
    rows = (
        Assignment.objects.filter(shift__start__gte=wide_start, shift__start__lt=end)
        .values_list("pk", "slot_id", "shift_id", "person_id")
        .order_by("pk")
    )
    people = {
        row[0]: Teammate(*row)
        for row in User.objects.filter(pk__in={row[3] for row in rows}).values_list(
            "pk", "username", "display_name", "max_shifts_per_month", "min_rest_hours"
        )
    }
    # The same answer the rule for taking a place gets (shifts.places).
    required = {p.required_skill_id for p in positions.values() if p.required_skill_id}
    skills = held_skill_spans(people, required)
    leave = list(
        TimeOff.objects.filter(
            person_id__in=people,
            first_day__lte=timezone.localtime(end).date(),
            last_day__gte=timezone.localtime(wide_start).date(),
        )
    )
    slots_by_id = {}
    for shift in shifts:
        shift.slot_list = []
        shift.problem_list = []
    for slot in slots:
        slot.people = []
        slot.problem_list = []
        slots_by_id[slot.pk] = slot
        _cache(slot, "shift", shifts_by_id[slot.shift_id])
        _cache(slot, "position", positions[slot.position_id])
        slot.shift.slot_list.append(slot)
    assignments = []
    for pk, slot_id, shift_id, person_id in rows:
        slot = slots_by_id.get(slot_id)  # in range: the template and the problems need it
        assignment = Placed(
            pk, slot_id, shift_id, person_id, shifts_by_id[shift_id], people[person_id], slot
        )
        assignments.append(assignment)
        if slot is not None:
            slot.people.append(assignment)
    problems = coverage_problems(slots, assignments, leave, skills, start, end)
    for problem in problems:
        shifts_by_id[problem.shift_id].problem_list.append(problem)
        if problem.slot_id in slots_by_id:
            slots_by_id[problem.slot_id].problem_list.append(problem)
    now = timezone.now()
    for shift in shifts:
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


def _cache(instance: models.Model, relation: str, related: models.Model) -> None:
    """Attach an already loaded related row (the public, cheap form of `a.shift = s`)."""
    instance._meta.get_field(relation).set_cached_value(instance, related)
