"""Building the roster: shifts generated from the hours of operation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from shifts.hours import occurrences
from shifts.models import Closure, Position, ServiceWindow, Shift, Slot


@dataclass(frozen=True)
class Generated:
    created: int
    already_there: int
    in_the_past: int


def slots_for(shifts: list[Shift], positions: list[Position]) -> list[Slot]:
    return [
        Slot(
            shift=shift,
            position=position,
            min_people=position.min_people,
            capacity=position.max_people,
        )
        for shift in shifts
        for position in positions
    ]


@transaction.atomic
def generate_shifts(
    first_day: date, last_day: date, block_hours: int | None = None, now: datetime | None = None
) -> Generated:
    """Create the shifts of [first_day, last_day] that do not exist yet (a cancelled
    shift counts as existing, so cancelling is never undone), each with a slot per
    position in use. Shifts that would start in the past are not made."""
    now = now or timezone.now()
    windows = list(ServiceWindow.objects.all())
    closed = Closure.objects.filter(date__range=(first_day, last_day)).values_list(
        "date", flat=True
    )
    planned = occurrences(
        windows, first_day, last_day, closed_days=set(closed), block_hours=block_hours
    )
    future = [o for o in planned if o.start > now]
    existing = set(
        Shift.objects.filter(
            start__gte=min((o.start for o in future), default=now),
            start__lte=max((o.start for o in future), default=now),
        ).values_list("start", "end")
    )
    new = [Shift(start=o.start, end=o.end) for o in future if (o.start, o.end) not in existing]
    Shift.objects.bulk_create(new)
    Slot.objects.bulk_create(slots_for(new, list(Position.objects.filter(active=True))))
    return Generated(len(new), len(future) - len(new), len(planned) - len(future))


@transaction.atomic
def add_shift(start: datetime, end: datetime, note: str = "") -> Shift:
    shift = Shift.objects.create(start=start, end=end, note=note)
    Slot.objects.bulk_create(slots_for([shift], list(Position.objects.filter(active=True))))
    return shift
