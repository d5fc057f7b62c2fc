"""Which skills, trainings and languages count for a person: the one place that decides it.

Languages count as the person declares them on their profile. Skills and
trainings count only as a trainer or coordinator granted them (crisisline's
SkillGrant): confirmed, granted on or before the day, and not past their
renewal date. A skill someone once ticked for themselves is kept unconfirmed
and does not count until a trainer confirms it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from crisisline.models import Skill, SkillGrant, User

RENEWAL_WARNING_DAYS = 30


def held_skills(person: User, on: date | None = None) -> QuerySet[Skill]:
    """The skills that count for `person` on the day `on` (today when not given).

    Every rule that asks whether someone is qualified (taking a place, the
    assign picker, coverage, on call) asks this function, so that how a skill
    is granted and when it lapses is decided here alone.
    """
    on = on or timezone.localdate()
    granted = SkillGrant.objects.filter(person=person).counting_on(on).values("skill_id")
    declared = person.skills.filter(kind=Skill.Kind.LANGUAGE).values("pk")
    return Skill.objects.filter(Q(pk__in=granted) | Q(pk__in=declared))


def held_skill_ids(people: Iterable[int], on: date | None = None) -> dict[int, set[int]]:
    """held_skills for many people at once, as person id -> skill ids (one query)."""
    on = on or timezone.localdate()
    ids = list(people)
    granted = (
        SkillGrant.objects.filter(person_id__in=ids)
        .counting_on(on)
        .values_list("person_id", "skill_id")
        .order_by()
    )
    declared = (
        User.skills.through.objects.filter(user_id__in=ids, skill__kind=Skill.Kind.LANGUAGE)
        .values_list("user_id", "skill_id")
        .order_by()
    )
    held: dict[int, set[int]] = defaultdict(set)
    for person_id, skill_id in granted.union(declared, all=True):
        held[person_id].add(skill_id)
    return held


def holding(skill_id: int, on: date | None = None) -> Q:
    """A filter on people for whom the skill `skill_id` counts on `on` (held_skills' rule)."""
    on = on or timezone.localdate()
    granted = SkillGrant.objects.filter(skill_id=skill_id).counting_on(on).values("person_id")
    declared = User.skills.through.objects.filter(
        skill_id=skill_id, skill__kind=Skill.Kind.LANGUAGE
    ).values("user_id")
    return Q(pk__in=granted) | Q(pk__in=declared)
