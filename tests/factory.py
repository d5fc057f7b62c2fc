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


def fresh_code(person: User) -> str:
    """A code `person`'s authenticator shows now that the server has not accepted
    yet (codes are refused twice; the next step's code is accepted too)."""
    import pyotp
    from django.utils import timezone

    from crisisline.models import TwoFactor

    device = TwoFactor.objects.get(person=person)
    totp = pyotp.TOTP(device.secret)
    step = max(totp.timecode(timezone.now()) - 1, device.last_step + 1)
    return totp.generate_otp(step)


def finish_sign_in(client, response, person: User):
    """After the password step with Django's test client: set up two-step sign-in
    (coordinators, the first time) or type a code, as a person would."""
    import pyotp

    from crisisline.models import TwoFactor

    location = response.get("Location", "") if response.status_code == 302 else ""
    if location == "/accounts/login/set-up/":
        client.get(location)
        code = pyotp.TOTP(TwoFactor.objects.get(person=person).secret).now()
        response = client.post(location, {"code": code})
        assert response.status_code == 200, "could not set up two-step sign-in"
    elif location == "/accounts/login/code/":
        response = client.post(location, {"code": fresh_code(person)})
        assert response.status_code == 302, "the second step failed"
    return response


def grant(person: User, *skills, **fields):
    """Confirm `skills` for `person`, as a trainer would (granted today, no renewal)."""
    from crisisline.models import SkillGrant

    for skill in skills:
        SkillGrant.objects.update_or_create(
            person=person, skill=skill, defaults={"confirmed": True, **fields}
        )
