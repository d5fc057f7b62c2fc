"""Demo roster: opening hours, positions, five weeks of shifts, most places filled."""

from __future__ import annotations

import itertools
from datetime import time, timedelta

from django.core.management.base import OutputWrapper
from django.utils import timezone

from crisisline.models import Skill, User
from shifts import places
from shifts.models import Assignment, Position, ServiceWindow, Shift, Slot
from shifts.roster import generate_shifts

# weekday, opens, closes (a close at or before the open is the next day)
WINDOWS = [(day, time(18), time(2)) for day in range(7)] + [
    (5, time(10), time(18)),
    (6, time(10), time(18)),
]
# name, name in Spanish, fewest, most, required skill, carries the phone
POSITIONS = [
    ("Line holder", "Quien lleva la línea", 1, 1, "Line holder training", True),
    ("Responder", "Respuesta", 1, 2, None, False),
    ("Debrief / backup", "Apoyo y descarga", 0, 1, "De-escalation", False),
]


def load(stdout: OutputWrapper, days: int = 35) -> None:
    for weekday, start, end in WINDOWS:
        ServiceWindow.objects.get_or_create(weekday=weekday, start=start, defaults={"end": end})
    for order, (name, name_es, low, high, skill, holds) in enumerate(POSITIONS):
        Position.objects.get_or_create(
            name=name,
            defaults={
                "name_es": name_es,
                "min_people": low,
                "max_people": high,
                "required_skill": Skill.objects.filter(name=skill).first() if skill else None,
                "holds_line": holds,
                "order": order,
                # Calls go to the debrief/backup person when the line holder does not answer,
                # and so do the debriefs teammates ask for at check-out.
                "forwarding_order": 1 if name == "Debrief / backup" else None,
                "takes_debriefs": name == "Debrief / backup",
            },
        )
    today = timezone.localdate()
    result = generate_shifts(today, today + timedelta(days=days - 1), block_hours=4)
    now = timezone.now().replace(second=0, microsecond=0)
    running = Shift.objects.active().filter(start__lte=now, end__gt=now).first()
    if running is None:
        # So that "On call now" has someone to show whenever the demo is opened.
        running = Shift.objects.create(
            start=now - timedelta(hours=1), end=now + timedelta(hours=3), note="Demo: on call now"
        )
        for position in Position.objects.filter(active=True):
            Slot.objects.create(
                shift=running,
                position=position,
                min_people=position.min_people,
                capacity=position.max_people,
            )
        _fill(running, ["jordan", "marisol", "lupe"])
    if Assignment.objects.filter(shift__start__gt=now).exists():
        stdout.write(f"Shifts: {result.created} new shifts; assignments left as they are.\n")
        return
    people = list(User.objects.filter(is_active=True, groups__name="Responder").distinct())
    rota = itertools.cycle(people)
    filled = 0
    slots = Slot.objects.filter(shift__start__gt=timezone.now()).select_related("shift", "position")
    for index, slot in enumerate(slots.order_by("shift__start", "position__order")):
        if index % 7 == 3:  # leave some places open, so coverage has something to show
            continue
        for _attempt in range(len(people)):
            person = next(rota)
            try:
                places.claim(slot.pk, person)
            except places.PlaceError:
                continue
            filled += 1
            break
    stdout.write(f"Shifts: {result.created} new shifts, {filled} places filled.\n")


def _fill(shift: Shift, usernames: list[str]) -> None:
    """Put demo people straight into a running shift (claims refuse started shifts)."""
    found = {p.username: p for p in User.objects.filter(username__in=usernames)}
    people = iter(found[name] for name in usernames if name in found)
    for slot in shift.slots.select_related("position").order_by("position__order"):
        person = next(people, None)
        if person is None:
            return
        places.seat(slot.pk, person)
