"""Which skills, trainings and languages count for a person: the one place that decides it.

Languages count as the person declares them on their profile. Skills and
trainings count only as a trainer or coordinator granted them (crisisline's
SkillGrant): confirmed, granted on or before the day, and not past their
renewal date. A skill someone once ticked for themselves is kept unconfirmed
and does not count until a trainer confirms it.

For a shift, a skill is judged on the shift's own (local, starting) day, not
today: one lapsing before the shift does not count for it, one granted from a
later date counts for the shifts from that date on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import DateField, Q, QuerySet, Value
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


@dataclass
class HeldSkills:
    """For many people and days at once: from when to when each skill counts for
    each person (held_skills' rule), loaded in one query by `held_skill_spans`."""

    spans: dict[tuple[int, int], list[tuple[date | None, date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def holds(self, person_id: int, skill_id: int, on: date) -> bool:
        return any(
            (first is None or first <= on) and (last is None or on <= last)
            for first, last in self.spans.get((person_id, skill_id), ())
        )


def held_skill_spans(skills: Collection[Skill]) -> HeldSkills:
    """When each of `skills` counts for each person on the team (one query; none
    when no skill is asked about). A declared skill counts only if it is a language,
    so only languages are looked for among the declared ones."""
    ids = [skill.pk for skill in skills]
    if not ids:
        return HeldSkills()
    languages = [skill.pk for skill in skills if skill.kind == Skill.Kind.LANGUAGE]
    declared = User.skills.through.objects.filter(skill_id__in=languages) if languages else None
    return _spans(SkillGrant.objects.filter(skill_id__in=ids), declared)


def skill_spans_of(person: User) -> HeldSkills:
    """When each of `person`'s skills counts (held_skill_spans for one person, all
    their skills; one query)."""
    declared = User.skills.through.objects.filter(
        user_id=person.pk, skill__kind=Skill.Kind.LANGUAGE
    )
    return _spans(SkillGrant.objects.filter(person=person), declared)


def _spans(grants: QuerySet[SkillGrant], declared: QuerySet[Any] | None) -> HeldSkills:
    """When each skill counts for each holder: the confirmed `grants` from the day
    granted until renewal, and the `declared` languages always (one query)."""
    rows = (
        grants.filter(confirmed=True)
        .values_list("person_id", "skill_id", "granted_on", "renew_by")
        .order_by()
    )
    if declared is not None:
        no_day = Value(None, output_field=DateField())
        languages = (
            declared.annotate(first=no_day, last=no_day)
            .values_list("user_id", "skill_id", "first", "last")
            .order_by()
        )
        rows = rows.union(languages, all=True)
    held = HeldSkills()
    for person_id, skill_id, first, last in rows:
        held.spans[(person_id, skill_id)].append((first, last))
    return held
