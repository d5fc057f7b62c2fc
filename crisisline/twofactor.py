"""Two-step sign-in: the state between the password and the code, enrolment, and
the QR code an authenticator app scans.

After the right password, a person with an authenticator (or who must have one:
coordinators and administrators) is not signed in. The session only remembers
who passed the password step and when, for SIGNIN_SECOND_STEP_MINUTES; the
person is signed in once a code passes, or, without an authenticator yet, once
they have set one up. Nothing else opens before that.
"""

from __future__ import annotations

import time
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from crisisline import throttle
from crisisline.models import RecoveryCode, TwoFactor, User
from crisisline.signals import password_known, second_step_passed

PENDING = "crisisline.second_step"
ISSUER = "Crisis line"


def second_step_needed(person: User) -> bool:
    return person.has_two_factor or person.must_use_two_factor()


def begin_second_step(request: HttpRequest, person: User, next_url: str) -> str:
    """Remember that `person` passed the password step; the name of the page
    that comes next (the code, or setting up an authenticator)."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "person": person.pk,
        # authenticate() sets it on the person it returns; the stubs do not know the attribute.
        "backend": person.backend,  # type: ignore[attr-defined]
        "at": time.time(),
        "next": next_url,
    }
    return "sign_in_code" if person.has_two_factor else "sign_in_enrol"


def pending_person(request: HttpRequest) -> User | None:
    """Who passed the password step in this session, if it was recent enough."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.SIGNIN_SECOND_STEP_MINUTES * 60:
        return None
    person_pk = pending.get("person")
    if not isinstance(person_pk, int):
        return None
    return User.objects.filter(pk=person_pk, is_active=True).first()


def pending_next(request: HttpRequest) -> str:
    pending = request.session.get(PENDING) or {}
    return str(pending.get("next") or settings.LOGIN_REDIRECT_URL)


def finish_sign_in(request: HttpRequest, person: User, response: HttpResponse) -> None:
    """Both steps passed: sign in, attach what the password unlocked, trust this browser."""
    pending = request.session.get(PENDING) or {}
    login(request, person, backend=pending.get("backend"))
    request.session.pop(PENDING, None)
    second_step_passed.send(sender=finish_sign_in, request=request, response=response, user=person)
    throttle.remember_device(response, person.get_username())


def start_enrolment(person: User) -> TwoFactor:
    """The person's authenticator waiting to be confirmed: the same secret while
    they set it up (a reload shows the same QR code), a new one otherwise."""
    device = TwoFactor.objects.filter(person=person).first()
    if device is None:
        return TwoFactor.objects.create(person=person, secret=pyotp.random_base32())
    return device


def confirm_enrolment(device: TwoFactor, code: str) -> list[str] | None:
    """Activate `device` if `code` is one it shows now; the new recovery codes."""
    if device.is_confirmed or not device.accept(code):
        return None
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    return RecoveryCode.issue_for(device.person)


def check_code(person: User, code: str) -> bool:
    """A code from the authenticator, or one unused recovery code."""
    device = TwoFactor.objects.filter(person=person, confirmed_at__isnull=False).first()
    if device is None:
        return False
    if device.accept(code):
        return True
    return RecoveryCode.use(person, code)


def provisioning_uri(device: TwoFactor) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.person.get_username(), issuer_name=ISSUER
    )


def qr_svg(device: TwoFactor, title: str) -> str:
    """The authenticator's QR code as inline SVG: drawn here, no style attribute."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=True, border=2, title=title, svgclass="qr"
    )


def grouped_secret(device: TwoFactor) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))


def on_password_known(sender: Any, *, user: Any, reason: str, **kwargs: Any) -> None:
    """A password reset starts over: the authenticator and recovery codes go
    (a coordinator's reset link is how someone who lost their phone gets back in)."""
    if reason == "reset":
        user.clear_two_factor()


password_known.connect(on_password_known, dispatch_uid="crisisline.twofactor")
