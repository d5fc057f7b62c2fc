"""Which skills, trainings and languages count for a person: the one place that decides it."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from crisisline.models import Skill, User


def held_skills(person: User, on: date | None = None) -> QuerySet[Skill]:
    """The skills that count for `person` on the day `on` (today when not given).

    Every rule that asks whether someone is qualified (taking a place, the
    assign picker, coverage, on call) asks this function, so that how a skill
    is granted and when it lapses is decided here alone.
    """
    del on  # every skill held counts, whatever the day
    return person.skills.all()
