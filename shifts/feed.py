"""A person's own shifts as an iCalendar feed (times in UTC)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event

from crisisline.i18n import language_of, name_in_reading_language
from crisisline.models import Line, User
from shifts.models import Assignment, place_name

PAST_DAYS = 60
FUTURE_DAYS = 400


def calendar_for(person: User, *, with_teammates: bool = False) -> bytes:
    """`person`'s shifts as iCalendar, in the language they chose for emails."""
    with override(language_of(person)):
        return _calendar(person, with_teammates=with_teammates)


def _calendar(person: User, *, with_teammates: bool) -> bytes:
    now = timezone.now()
    mine = list(
        Assignment.objects.filter(
            person=person,
            shift__start__gte=now - timedelta(days=PAST_DAYS),
            shift__start__lt=now + timedelta(days=FUTURE_DAYS),
        )
        .select_related("shift", "slot__position")
        .order_by("shift__start")
    )
    teammates: dict[int, list[str]] = defaultdict(list)
    if with_teammates:
        for shift_id, name, position, trainee in (
            Assignment.objects.filter(shift_id__in=[a.shift_id for a in mine])
            .exclude(person=person)
            .order_by("slot__position__order", "person__display_name")
            .values_list(
                "shift_id",
                "person__display_name",
                name_in_reading_language("slot__position"),
                "slot__trainee",
            )
        ):
            teammates[shift_id].append(f"{name} ({place_name(position, trainee)})")

    line = Line.current()
    calendar = Calendar()
    calendar.add("prodid", "-//crisisline//shifts//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("%(line)s shifts") % {"line": line.name})
    for assignment in mine:
        shift = assignment.shift
        event = Event()
        event.add("uid", f"assignment-{assignment.pk}@crisisline")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", shift.start.astimezone(UTC))
        event.add("dtend", shift.end.astimezone(UTC))
        event.add("summary", f"{line.name}: {assignment.slot.name}")
        if shift.cancelled:
            event.add("status", "CANCELLED")
        if teammates.get(shift.pk):
            event.add(
                "description", _("With: %(names)s") % {"names": ", ".join(teammates[shift.pk])}
            )
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
