"""Building the roster: shifts generated from the hours of operation."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from crisisline import audit
from shifts.hours import occurrences
from shifts.models import Closure, Position, ServiceWindow, Shift, Slot, slots_of


@dataclass(frozen=True)
class Generated:
    created: int
    already_there: int  # a shift with exactly these times exists
    clashed: int  # another shift covers part of these times
    in_the_past: int

    def summary(self) -> str:
        parts = [
            ngettext("%(count)s shift created.", "%(count)s shifts created.", self.created)
            % {"count": self.created}
        ]
        if self.already_there:
            parts.append(
                ngettext(
                    "%(count)s already existed and was left as it is.",
                    "%(count)s already existed and were left as they are.",
                    self.already_there,
                )
                % {"count": self.already_there}
            )
        if self.clashed:
            parts.append(
                ngettext(
                    "%(count)s would have overlapped a different shift and was not made.",
                    "%(count)s would have overlapped a different shift and were not made.",
                    self.clashed,
                )
                % {"count": self.clashed}
            )
        return " ".join(parts)


def slots_for(shifts: list[Shift], positions: list[Position]) -> list[Slot]:
    return [
        slot for shift in shifts for position in positions for slot in slots_of(shift, position)
    ]


class TakenTimes:
    """The times existing shifts cover. A planned shift that overlaps any of them is
    not made again: not when it was generated before, nor cut into other blocks, nor
    moved or cancelled by a coordinator since."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        ordered = sorted(intervals)
        self.intervals = ordered
        self.starts = [start for start, _end in ordered]
        self.latest_end: list[datetime] = []  # the latest end among the first i + 1
        for _start, end in ordered:
            self.latest_end.append(max(end, self.latest_end[-1]) if self.latest_end else end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        before = bisect_left(self.starts, end)  # the shifts starting before `end`
        return before > 0 and self.latest_end[before - 1] > start


@transaction.atomic
def generate_shifts(
    first_day: date, last_day: date, block_hours: int | None = None, now: datetime | None = None
) -> Generated:
    """Create the shifts of [first_day, last_day] whose times no shift covers yet (a
    cancelled shift counts, so cancelling is never undone), each with a slot per
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
    taken = TakenTimes(
        Shift.objects.filter(
            start__lt=max((o.end for o in future), default=now),
            end__gt=min((o.start for o in future), default=now),
        ).values_list("start", "end")
    )
    existing = set(taken.intervals)
    new = [Shift(start=o.start, end=o.end) for o in future if not taken.overlaps(o.start, o.end)]
    same = sum(1 for o in future if (o.start, o.end) in existing)
    Shift.objects.bulk_create(new)
    Slot.objects.bulk_create(slots_for(new, list(Position.objects.filter(active=True))))
    audit.record_created_many(new)  # bulk_create sends no signal
    return Generated(
        created=len(new),
        already_there=same,
        clashed=len(future) - len(new) - same,
        in_the_past=len(planned) - len(future),
    )


@transaction.atomic
def add_shift(start: datetime, end: datetime, note: str = "") -> Shift:
    shift = Shift.objects.create(start=start, end=end, note=note)
    Slot.objects.bulk_create(slots_for([shift], list(Position.objects.filter(active=True))))
    return shift
