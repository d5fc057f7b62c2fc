"""Unlocking a person's note key when their password is known, and holding it for
their browser session only.

The unlocked private key is never stored usable: the session (on the server's
disk) holds it encrypted under a random per-session secret, and that secret
lives only in the person's `notekey` cookie (HttpOnly, SameSite=Strict, gone
when the browser closes). The session alone, or the cookie alone, opens nothing.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from calls import sealing
from calls.models import CallNote, NoteKeys

COOKIE_NAME = "notekey"
SESSION_FIELD = "calls.notekey"
# Between the password and the second step of a sign-in: the key, held the same
# way under a context of its own, which `unlocked_key` never reads.
PENDING_FIELD = "calls.notekey.pending"

logger = logging.getLogger(__name__)


class Locked(Exception):
    """This request has no usable unlocked key (cookie or session secret missing or tampered)."""


def _context(session_key: str, person_pk: object) -> bytes:
    return f"crisisline held note key|{session_key}|{person_pk}".encode()


@sensitive_variables()
def hold_for_session(
    request: HttpRequest, response: HttpResponse, private: X25519PrivateKey
) -> None:
    """Keep `private` for this signed-in session: ciphertext in the session, secret in a cookie."""
    session = request.session
    if session.session_key is None:
        session.save()
    secret, held = sealing.hold(private, _context(session.session_key, request.user.pk))
    session[SESSION_FIELD] = base64.b64encode(held).decode()
    _set_cookie(response, secret)


def _pending_context(nonce: str, person_pk: object) -> bytes:
    return f"crisisline note key awaiting second step|{nonce}|{person_pk}".encode()


@sensitive_variables()
def hold_until_second_step(
    request: HttpRequest, response: HttpResponse, person_pk: object, private: X25519PrivateKey
) -> None:
    """Keep `private` for a sign-in that still needs its second step. It is not
    attached to any signed-in session: `promote_after_second_step` does that."""
    nonce = secrets.token_urlsafe(16)
    secret, held = sealing.hold(private, _pending_context(nonce, person_pk))
    request.session[PENDING_FIELD] = {
        "nonce": nonce,
        "person": person_pk,
        "held": base64.b64encode(held).decode(),
    }
    _set_cookie(response, secret)


@sensitive_variables()
def promote_after_second_step(
    sender: Any, *, request: HttpRequest, response: HttpResponse, user: Any, **kwargs: Any
) -> None:
    """Receiver of crisisline.signals.second_step_passed: the key the password
    step unlocked now belongs to the signed-in session (under its new session key)."""
    pending = request.session.pop(PENDING_FIELD, None)
    cookie = request.COOKIES.get(COOKIE_NAME)
    if not (isinstance(pending, dict) and cookie and pending.get("person") == user.pk):
        return  # notes stay locked; opening one asks to sign in again
    try:
        private = sealing.release(
            base64.urlsafe_b64decode(cookie.encode()),
            base64.b64decode(pending["held"].encode()),
            _pending_context(pending["nonce"], user.pk),
        )
    except (KeyError, ValueError, binascii.Error, sealing.CannotOpen):
        return
    hold_for_session(request, response, private)


def _set_cookie(response: HttpResponse, secret: bytes) -> None:
    response.set_cookie(
        COOKIE_NAME,
        base64.urlsafe_b64encode(secret).decode(),
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Strict",
    )


@sensitive_variables()
def unlocked_key(request: HttpRequest) -> X25519PrivateKey:
    """The signed-in person's private key for this session, or Locked."""
    cookie = request.COOKIES.get(COOKIE_NAME)
    held = request.session.get(SESSION_FIELD)
    session_key = request.session.session_key
    if not (cookie and held and session_key and request.user.is_authenticated):
        raise Locked
    try:
        secret = base64.urlsafe_b64decode(cookie.encode())
        return sealing.release(
            secret, base64.b64decode(held.encode()), _context(session_key, request.user.pk)
        )
    except (ValueError, binascii.Error, sealing.CannotOpen) as exc:
        raise Locked from exc


def sign_in_again(request: HttpRequest) -> HttpResponse:
    """Sign out (nothing is lost: notes stay as they are) and ask to sign in again."""
    path = request.get_full_path()
    logout(request)
    messages.info(
        request,
        _(
            "For your safety, your notes are locked in this browser. Sign in again to open "
            "them; nothing was lost."
        ),
    )
    response = redirect_to_login(path)
    response.delete_cookie(COOKIE_NAME, samesite="Strict")
    return response


@sensitive_variables()
def _unlock(user: Any, password: str, reason: str, previous_password: str | None) -> Any:
    """The person's private key after `reason`, creating or re-wrapping the pair as needed."""
    keys = NoteKeys.objects.select_for_update().filter(person=user).first()
    if reason == "reset" or keys is None:
        # A reset cannot open the old key: a new pair, notes sealed to the old one are lost.
        return NoteKeys.create_for(user, password)
    if reason == "changed":
        try:
            private = keys.unlock(previous_password or "")
        except sealing.WrongPassword:
            private = None
        if private is not None:
            keys.rewrap(private, password)
            return private
    try:
        return keys.unlock(password)
    except sealing.WrongPassword:
        # The password was set outside the app's own flows (the admin, a management
        # command): the old key cannot be opened any more, so the person gets a new one.
        logger.warning("note key of person %s replaced: its password no longer opens it", user.pk)
        return NoteKeys.create_for(user, password)


@sensitive_variables()
def on_password_known(
    sender: Any,
    *,
    request: HttpRequest,
    response: HttpResponse,
    user: Any,
    password: str,
    reason: str,
    previous_password: str | None = None,
    second_step: bool = False,
    **kwargs: Any,
) -> None:
    """Receiver of crisisline.signals.password_known."""
    with transaction.atomic():
        private = _unlock(user, password, reason, previous_password)
    if second_step:
        hold_until_second_step(request, response, user.pk, private)
    elif request.user.is_authenticated and request.user.pk == user.pk:
        hold_for_session(request, response, private)
    # Their key pair exists now: notes written before sealing that they may read
    # are sealed, each once all of its readers have a key pair. Never at the cost
    # of the sign-in: the purge tries again every few minutes.
    try:
        CallNote.objects.readable_by(user).seal_unsealed()
    except Exception:
        logger.exception("sealing older notes at sign-in failed")
