"""A line that knows when it is about to fail: line-holder places at risk soon.

A line-holder place on a shift running now or starting within ALERT_HOURS is at
risk when nobody who holds it can take a forwarded call: it is empty, its
holder has no phone number a phone system can dial, or its holder was
deactivated. `line_gaps` finds them in one query, whatever the size of the
line; /oncall/, the coverage report and the dashboard show them first, and the
periodic `alert_line_gaps` command emails the people who could fill them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from crisisline.dates import local_date
from crisisline.i18n import name_in_reading_language
from shifts.forwarding import dialable
from shifts.models import Shift, Slot

ALERT_HOURS = 48

EMPTY = "empty"
NO_PHONE = "no-phone"
DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class LineGap:
    slot_id: int
    shift_id: int
    position: str
    start: datetime
    end: datetime
    running: bool
    kind: str
    message: str


def _message(kind: str, position: str, names: list[str], start: datetime, running: bool) -> str:
    when = _("Now") if running else local_date(timezone.localtime(start), "D j M H:i")
    people = ", ".join(names)
    if kind == DEACTIVATED:
        return _("%(when)s: %(name)s holds %(position)s but is deactivated.") % {
            "when": when,
            "name": people,
            "position": position,
        }
    if kind == NO_PHONE:
        return _(
            "%(when)s: %(name)s holds %(position)s but has no phone number calls can reach."
        ) % {
            "when": when,
            "name": people,
            "position": position,
        }
    return _("%(when)s: nobody holds %(position)s.") % {"when": when, "position": position}


def line_gaps(now: datetime | None = None, hours: int = ALERT_HOURS) -> list[LineGap]:
    """Line-holder places at risk from `now` to `hours` ahead, earliest first."""
    now = now or timezone.now()
    rows = (
        Slot.objects.filter(
            position__holds_line=True,
            trainee=False,  # a trainee never holds the line
            # Shifts not over yet, found by their end (indexed): asked by start alone,
            # the database would walk every shift the line ever had.
            shift__in=Shift.objects.filter(
                end__gt=now, cancelled=False, start__lt=now + timedelta(hours=hours)
            ),
        )
        .order_by("shift__start", "pk")
        .values_list(
            "pk",
            "shift_id",
            name_in_reading_language("position"),
            "shift__start",
            "shift__end",
            "assignments__person__display_name",
            "assignments__person__is_active",
            "assignments__person__phone",
        )
    )
    slots: dict[int, tuple[int, str, datetime, datetime]] = {}
    holders: dict[int, list[tuple[str, bool, str]]] = defaultdict(list)
    for slot_id, shift_id, position, start, end, name, active, phone in rows:
        slots.setdefault(slot_id, (shift_id, position, start, end))
        if name is not None:
            holders[slot_id].append((name, active, phone))
    gaps = []
    for slot_id, (shift_id, position, start, end) in slots.items():
        people = holders[slot_id]
        if any(active and dialable(phone) for _name, active, phone in people):
            continue
        gone = [name for name, active, _phone in people if not active]
        silent = [name for name, active, _phone in people if active]
        kind = DEACTIVATED if gone else NO_PHONE if silent else EMPTY
        names = gone or silent
        running = start <= now
        gaps.append(
            LineGap(
                slot_id,
                shift_id,
                position,
                start,
                end,
                running,
                kind,
                _message(kind, position, names, start, running),
            )
        )
    return gaps
