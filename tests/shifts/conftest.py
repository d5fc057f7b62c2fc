"""Small builders for the shifts tests: positions, shifts with their places, assignments."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from crisisline.models import Skill
from shifts.models import Assignment, Position, Shift, Slot

_batches = itertools.count()


def make_position(name: str = "Responder", low: int = 1, high: int = 2, **fields) -> Position:
    return Position.objects.create(name=name, min_people=low, max_people=high, **fields)


def make_shift(start: datetime | None = None, hours: float = 4, positions=(), **fields) -> Shift:
    start = start or timezone.now() + timedelta(days=3)
    shift = Shift.objects.create(start=start, end=start + timedelta(hours=hours), **fields)
    for position in positions:
        Slot.objects.create(
            shift=shift,
            position=position,
            min_people=position.min_people,
            capacity=position.max_people,
        )
    return shift


def slot_of(shift: Shift, position: Position) -> Slot:
    return Slot.objects.get(shift=shift, position=position)


def put(person, shift: Shift, position: Position) -> Assignment:
    """Assign directly, keeping the slot's count right (for arranging tests)."""
    slot = slot_of(shift, position)
    slot.taken += 1
    slot.save()
    return Assignment.objects.create(slot=slot, shift=shift, person=person)


def in_hours(hours: float) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def line_holder_training(db) -> Skill:
    return Skill.objects.get_or_create(name="Line holder training")[0]


@pytest.fixture
def responder_position(db) -> Position:
    return make_position("Responder", 1, 2, order=1)


@pytest.fixture
def holder_position(line_holder_training) -> Position:
    return make_position("Line holder", 1, 1, required_skill=line_holder_training, holds_line=True)


def build_line(shift_count: int, people_count: int, positions, *, around=None) -> None:
    """A line with `shift_count` back-to-back 4-hour shifts centred on now, each
    place filled round-robin from `people_count` responders (bulk, for size tests)."""
    from django.contrib.auth.models import Group

    from crisisline.models import User
    from crisisline.roles import RESPONDER

    around = around or timezone.now()
    batch = next(_batches)
    start = (around - timedelta(hours=4 * (shift_count // 2))).replace(microsecond=0)
    people = User.objects.bulk_create(
        [
            User(username=f"bulk{batch}-{i}", display_name=f"Bulk {i}", phone=f"+1555{i:07d}")
            for i in range(people_count)
        ]
    )
    group = Group.objects.get(name=RESPONDER)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=p.pk, group_id=group.pk) for p in people]
    )
    shifts = Shift.objects.bulk_create(
        [
            Shift(start=start + timedelta(hours=4 * i), end=start + timedelta(hours=4 * (i + 1)))
            for i in range(shift_count)
        ]
    )
    slots = Slot.objects.bulk_create(
        [
            Slot(shift=s, position=p, min_people=p.min_people, capacity=p.max_people, taken=1)
            for s in shifts
            for p in positions
        ]
    )
    Assignment.objects.bulk_create(
        [
            Assignment(slot=slot, shift=slot.shift, person=people[i % people_count])
            for i, slot in enumerate(slots)
        ]
    )
