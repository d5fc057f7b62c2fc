"""A tiny hand-written factory for people, in the style of djangoproject.com's."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group

from crisisline.models import User

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def make_person(username: str | None = None, *roles: str, **fields) -> User:
    number = next(_numbers)
    username = username or f"person{number}"
    fields.setdefault("display_name", username.title())
    fields.setdefault("phone", f"+1 555 010 {number:04d}")
    person = User.objects.create_user(username=username, password=PASSWORD, **fields)
    if roles:
        person.groups.set(Group.objects.filter(name__in=roles))
    return person


def grant(person: User, *skills, **fields):
    """Confirm `skills` for `person`, as a trainer would (granted today, no renewal)."""
    from crisisline.models import SkillGrant

    for skill in skills:
        SkillGrant.objects.update_or_create(
            person=person, skill=skill, defaults={"confirmed": True, **fields}
        )
