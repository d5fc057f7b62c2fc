"""On call now: who holds the line, who comes next, and what a responder can take.

Every phone asks for this page every few minutes, so it reads plain rows (no model
instances) in a fixed number of queries whatever the size of the line, and hands
the template values ready to print. Nothing here is cached between requests: the
page must show who holds the line at this moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Min, Q, Subquery

from crisisline.i18n import name_in_reading_language
from crisisline.models import User
from shifts import places
from shifts.hours import OpeningStatus
from shifts.models import Assignment, Shift, Slot, place_name
from shifts.templatetags.shifts_tags import tel

REFRESH_MIN_SECONDS = 15
REFRESH_MAX_SECONDS = 900
SHIFTS_AHEAD = 8  # current shifts and the ones after them, read at most
OPEN_PLACES_SHOWN = 5
OPEN_PLACES_DAYS = 7  # besides urgent ones, places this close are offered


@dataclass(frozen=True)
class OnCallPerson:
    """One place on a shift: the person holding it, or nobody (`name` is None)."""

    position: str
    name: str | None = None
    pronouns: str = ""
    phone: str = ""  # as a tel:/sms: target; empty when the person gave none


@dataclass
class OnCallShift:
    pk: int
    start: datetime
    end: datetime
    people: list[OnCallPerson] = field(default_factory=list)


@dataclass(frozen=True)
class YourShift:
    start: datetime
    end: datetime
    position: str


@dataclass(frozen=True)
class OpenPlace:
    pk: int
    start: datetime
    position: str
    urgent_since: datetime | None


def shifts_from(now: datetime) -> list[OnCallShift]:
    """The shifts running at `now` and the ones after them, earliest first.

    Read by start from the earliest start among the shifts not over yet, which are
    found by their end (indexed): read by start alone, the database would walk
    every shift the line ever had before the first one not over."""
    not_over = Shift.objects.active().filter(end__gt=now)
    # One group (active shifts are all uncancelled): the earliest start among them.
    earliest = not_over.order_by().values("cancelled").annotate(first=Min("start")).values("first")
    rows = (
        not_over.filter(start__gte=Subquery(earliest))
        .order_by("start", "pk")
        .values_list("pk", "start", "end")[:SHIFTS_AHEAD]
    )
    return [OnCallShift(pk, start, end) for pk, start, end in rows]


def running_and_later(now: datetime) -> tuple[list[OnCallShift], list[OnCallShift]]:
    """The shifts running at `now` and the ones after them, the running ones and the
    next with their people (the board's two halves)."""
    shifts = shifts_from(now)
    current = [s for s in shifts if s.start <= now]
    later = [s for s in shifts if s.start > now]
    add_people(current + later[:1])
    return current, later


def add_people(shifts: list[OnCallShift]) -> None:
    """Fill each shift's places in position order, in one query: every active person
    holding one (in the order they took it), and a gap for each place nobody holds."""
    if not shifts:
        return
    by_pk = {shift.pk: shift for shift in shifts}
    rows = (
        Slot.objects.filter(shift_id__in=by_pk)
        .order_by("position__order", "position__name", "trainee", "assignments__id")
        .values_list(
            "shift_id",
            name_in_reading_language("position"),
            "trainee",
            "assignments__id",
            "assignments__person__display_name",
            "assignments__person__pronouns",
            "assignments__person__phone",
            "assignments__person__is_active",
        )
    )
    for shift_id, name_of_position, trainee, assignment, name, pronouns, phone, active in rows:
        position = place_name(name_of_position, trainee)
        if assignment is None or not active:  # a deactivated holder is nobody to call
            if trainee:  # an empty trainee place is no gap: it never counts as cover
                continue
            person = OnCallPerson(position)
        else:
            person = OnCallPerson(position, name, pronouns, tel(phone) if phone else "")
        by_pk[shift_id].people.append(person)


def your_shifts(who: places.Standing, now: datetime) -> list[YourShift]:
    """The live shifts `who` holds a place on that have not ended, earliest first."""
    return [
        YourShift(b.start, b.end, b.position)
        for b in who.bookings
        if not b.cancelled and b.end > now
    ]


def open_places_for(person: User, now: datetime, who: places.Standing) -> list[OpenPlace]:
    """A few places `person` may take (shifts.places decides): urgent ones first,
    then the soonest this week. Four queries (`places.places_open_to`)."""
    slots = (
        Slot.objects.open()
        .upcoming(now)
        .filter(
            Q(urgent_since__isnull=False)
            | Q(shift__start__lt=now + timedelta(days=OPEN_PLACES_DAYS))
        )
        .order_by(F("urgent_since").asc(nulls_last=True), "shift__start", "position__order")
    )
    found = places.places_open_to(person, slots, now, who)
    found.sort(key=lambda place: (place.urgent_since is None, place.start))
    return [
        OpenPlace(p.slot_id, p.start, p.name, p.urgent_since) for p in found[:OPEN_PLACES_SHOWN]
    ]


def refresh_seconds(
    now: datetime,
    current: list[OnCallShift],
    later: list[OnCallShift],
    status: OpeningStatus,
    check_in_due: datetime | None = None,
) -> int:
    """Seconds until the page should ask again: just after the next change it shows
    (a field check-in falling due among them: the line holder sees it missed soon after)."""
    changes = [s.end for s in current] + [s.start for s in later]
    changes += [c for c in (status.until, status.opens_at, check_in_due) if c]
    if not changes:
        return REFRESH_MAX_SECONDS
    seconds = int((min(changes) - now).total_seconds()) + 2
    return max(REFRESH_MIN_SECONDS, min(REFRESH_MAX_SECONDS, seconds))


def current_shift_end(person: User, now: datetime) -> datetime | None:
    """When the shift `person` is working right now ends, if they are on one."""
    return (
        Assignment.objects.filter(
            person=person, shift__cancelled=False, shift__start__lte=now, shift__end__gt=now
        )
        .order_by("shift__end")
        .values_list("shift__end", flat=True)
        .first()
    )
