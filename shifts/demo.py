"""Demo roster: opening hours, positions, five weeks of shifts, most places filled."""

from __future__ import annotations

import itertools
from datetime import time, timedelta

from django.utils import timezone

from crisisline.models import Skill, User
from shifts import places
from shifts.models import Assignment, Position, ServiceWindow, Slot
from shifts.roster import generate_shifts

# weekday, opens, closes (a close at or before the open is the next day)
WINDOWS = [(day, time(18), time(2)) for day in range(7)] + [
    (5, time(10), time(18)),
    (6, time(10), time(18)),
]
# name, fewest, most, required skill, carries the phone
POSITIONS = [
    ("Line holder", 1, 1, "Line holder training", True),
    ("Responder", 1, 2, None, False),
    ("Debrief / backup", 0, 1, "De-escalation", False),
]


def load(stdout) -> None:
    for weekday, start, end in WINDOWS:
        ServiceWindow.objects.get_or_create(weekday=weekday, start=start, defaults={"end": end})
    for order, (name, low, high, skill, holds) in enumerate(POSITIONS):
        Position.objects.get_or_create(
            name=name,
            defaults={
                "min_people": low,
                "max_people": high,
                "required_skill": Skill.objects.filter(name=skill).first() if skill else None,
                "holds_line": holds,
                "order": order,
            },
        )
    today = timezone.localdate()
    result = generate_shifts(today, today + timedelta(days=34), block_hours=4)
    if Assignment.objects.exists():
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
            if not slot.is_qualified(person):
                continue
            try:
                places.claim(slot.pk, person)
            except places.PlaceError:
                continue
            filled += 1
            break
    stdout.write(f"Shifts: {result.created} new shifts, {filled} places filled.\n")
