"""Small builders for the shifts tests: positions, shifts with their places, assignments."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from crisisline.models import Skill
from shifts.models import Assignment, Position, Shift, Slot


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
    return make_position("Responder", 1, 2)


@pytest.fixture
def holder_position(line_holder_training) -> Position:
    return make_position(
        "Line holder", 1, 1, required_skill=line_holder_training, holds_line=True, order=-1
    )
