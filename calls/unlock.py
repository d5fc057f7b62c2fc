"""Unlocking a person's note key when their password is known, and holding it for
their browser session only.

The unlocked private key is never stored usable. It is encrypted under a
random per-session secret split into two shares, both needed to rebuild it:
one in the person's `notekey` cookie (HttpOnly, SameSite=Strict, gone when the
browser closes, and bound to the session by a MAC of the session key), the
other in the keyring (outside the database, wrapped by the master key). The
session (in the database) holds the ciphertext and the keyring share's id.

Each sign-in makes a new secret and a new share and destroys the previous
share; signing out destroys the share and deletes the cookie. So a copy of
the session row that outlives sign-out (a dump, SQLite's write-ahead log),
even together with a copy of the old cookie, opens nothing.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import secrets
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from calls import keyring, keyring_guard, sealing
from calls.models import CallNote, NoteKeys
from crisisline.models import keyed_hash

COOKIE_NAME = "notekey"
SESSION_FIELD = "calls.notekey"
SHARE_FIELD = "calls.notekey.share"
# Between the password and the second step of a sign-in: the key, held the same
# way (a keyring share and a cookie share) under a context of its own, which
# `unlocked_key` never reads.
PENDING_FIELD = "calls.notekey.pending"

logger = logging.getLogger(__name__)


class Locked(Exception):
    """This request has no usable unlocked key (cookie, keyring share or session secret
    missing, tampered with, or made for another session)."""


def _context(session_key: str, person_pk: object) -> bytes:
    return f"crisisline held note key|{session_key}|{person_pk}".encode()


def _xor(first: bytes, second: bytes) -> bytes:
    if len(first) != len(second):
        raise Locked
    return bytes(a ^ b for a, b in zip(first, second, strict=True))


def _cookie_mac(session_key: str, secret_text: str) -> str:
    return keyed_hash("notekey cookie", f"{session_key}|{secret_text}")


def _cookie_for(session_key: str, cookie_share: bytes) -> str:
    secret_text = base64.urlsafe_b64encode(cookie_share).decode()
    return f"{secret_text}.{_cookie_mac(session_key, secret_text)}"


def _cookie_share(cookie: str, session_key: str) -> bytes:
    """The share in a notekey cookie made for this session, or Locked."""
    secret_text, _dot, mac = cookie.partition(".")
    expected = _cookie_mac(session_key, secret_text)
    # As bytes: a cookie may hold any character, and compare_digest takes only ASCII str.
    if not hmac.compare_digest(mac.encode(), expected.encode()):
        raise Locked
    try:
        return base64.urlsafe_b64decode(secret_text.encode())
    except (ValueError, binascii.Error) as exc:
        raise Locked from exc


@sensitive_variables()
def open_held(
    cookie_share: bytes, keyring_share: bytes, held: str, session_key: str, person_pk: object
) -> X25519PrivateKey:
    """The private key held for a session, from its three parts, or Locked."""
    try:
        return sealing.release(
            _xor(cookie_share, keyring_share),
            base64.b64decode(held.encode()),
            _context(session_key, person_pk),
        )
    except (ValueError, binascii.Error, sealing.CannotOpen) as exc:
        raise Locked from exc


def forget_held_key(request: HttpRequest) -> None:
    """Destroy this session's keyring share: its held key opens no more, whoever has
    copies of the session and the cookie."""
    session = getattr(request, "session", None)
    if session is None:
        return
    _destroy_share(session.get(SHARE_FIELD))
    session.pop(SHARE_FIELD, None)
    session.pop(SESSION_FIELD, None)


def delete_cookie(response: HttpResponse) -> None:
    """Delete the notekey cookie with the attributes it was set with."""
    response.set_cookie(
        COOKIE_NAME,
        "",
        max_age=0,
        expires="Thu, 01 Jan 1970 00:00:00 GMT",
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Strict",
    )


def _new_share(request: HttpRequest, response: HttpResponse) -> tuple[str, bytes] | None:
    """A new keyring share for a sign-in's note key, or None when the keyring refuses
    it (missing, emptied, another database's, not writable, or not even readable).
    Then nothing is kept: the person signs in with their notes locked, and is
    told so."""
    try:
        keyring_guard.ready_for_share()
        return keyring.new_share()
    except (keyring.KeyringFailure, OSError) as failure:
        # The sign-in goes on (shifts and everything else work); notes stay locked.
        logger.error("A sign-in's note key could not be held: %s", failure)
        delete_cookie(response)
        messages.error(
            request,
            _(
                "You are signed in, but your notes stay locked: the server cannot keep "
                "your note key right now. Tell a coordinator; nothing was lost."
            ),
        )
        return None


@sensitive_variables()
def hold_for_session(
    request: HttpRequest, response: HttpResponse, private: X25519PrivateKey
) -> None:
    """Keep `private` for this signed-in session: ciphertext in the session, one share
    of its secret in the keyring, the other in a cookie bound to the session
    (nothing when the keyring refuses the share: see _new_share)."""
    session = request.session
    if session.session_key is None:
        session.save()
    forget_held_key(request)  # the share of an earlier sign-in in this browser
    share = _new_share(request, response)
    if share is None:
        return
    share_id, keyring_share = share
    session_key = session.session_key
    assert session_key is not None  # saved above
    secret, held = sealing.hold(private, _context(session_key, request.user.pk))
    session[SESSION_FIELD] = base64.b64encode(held).decode()
    session[SHARE_FIELD] = share_id
    response.set_cookie(
        COOKIE_NAME,
        _cookie_for(session_key, _xor(secret, keyring_share)),
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Strict",
    )


def _pending_context(nonce: str, person_pk: object) -> bytes:
    return f"crisisline note key awaiting second step|{nonce}|{person_pk}".encode()


@sensitive_variables()
def hold_until_second_step(
    request: HttpRequest, response: HttpResponse, person_pk: object, private: X25519PrivateKey
) -> None:
    """Keep `private` for a sign-in that still needs its second step. It is not
    attached to any signed-in session: `promote_after_second_step` does that."""
    forget_pending_key(request)
    share = _new_share(request, response)
    if share is None:
        return
    share_id, keyring_share = share
    nonce = secrets.token_urlsafe(16)
    secret, held = sealing.hold(private, _pending_context(nonce, person_pk))
    request.session[PENDING_FIELD] = {
        "nonce": nonce,
        "person": person_pk,
        "held": base64.b64encode(held).decode(),
        "share": share_id,
    }
    response.set_cookie(
        COOKIE_NAME,
        base64.urlsafe_b64encode(_xor(secret, keyring_share)).decode(),
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Strict",
    )


def forget_pending_key(request: HttpRequest) -> None:
    pending = request.session.pop(PENDING_FIELD, None)
    if isinstance(pending, dict):
        _destroy_share(pending.get("share"))


def _destroy_share(share_id: object) -> None:
    """Destroy a share, or log why the keyring refused: signing out still ends the
    session (without its session row and cookie the share opens nothing), and
    the purge destroys the share once the keyring takes writes again."""
    try:
        keyring.destroy_share(share_id)
    except OSError as failure:
        logger.error("A session's keyring share could not be destroyed yet: %s", failure)


@sensitive_variables()
def promote_after_second_step(
    sender: Any, *, request: HttpRequest, response: HttpResponse, user: Any, **kwargs: Any
) -> None:
    """Receiver of crisisline.signals.second_step_passed: the key the password
    step unlocked now belongs to the signed-in session (under its new session
    key, with a new share); the pending share is destroyed."""
    pending = request.session.get(PENDING_FIELD)
    cookie = request.COOKIES.get(COOKIE_NAME)
    try:
        if not (isinstance(pending, dict) and cookie and pending.get("person") == user.pk):
            raise Locked
        keyring_share = keyring.read_share(pending.get("share"))
        if keyring_share is None:
            raise Locked
        private = sealing.release(
            _xor(base64.urlsafe_b64decode(cookie.encode()), keyring_share),
            base64.b64decode(pending["held"].encode()),
            _pending_context(pending["nonce"], user.pk),
        )
    except (Locked, KeyError, ValueError, binascii.Error, sealing.CannotOpen):
        return  # notes stay locked; opening one asks to sign in again
    finally:
        forget_pending_key(request)
    hold_for_session(request, response, private)


@sensitive_variables()
def unlocked_key(request: HttpRequest) -> X25519PrivateKey:
    """The signed-in person's private key for this session, or Locked."""
    cookie = request.COOKIES.get(COOKIE_NAME)
    held = request.session.get(SESSION_FIELD)
    session_key = request.session.session_key
    if not (cookie and held and session_key and request.user.is_authenticated):
        raise Locked
    keyring_share = keyring.read_share(request.session.get(SHARE_FIELD))
    if keyring_share is None:
        raise Locked
    return open_held(
        _cookie_share(cookie, session_key), keyring_share, held, session_key, request.user.pk
    )


def sign_in_again(request: HttpRequest) -> HttpResponse:
    """Sign out (nothing is lost: notes stay as they are) and ask to sign in again."""
    path = request.get_full_path()
    logout(request)  # on_signed_out destroys the share
    messages.info(
        request,
        _(
            "For your safety, your notes are locked in this browser. Sign in again to open "
            "them; nothing was lost."
        ),
    )
    response = redirect_to_login(path)
    delete_cookie(response)
    return response


def _still_signed_in(data: dict[str, Any], people: dict[str, Any]) -> bool:
    """Whether Django would still take this session's data as its person signed in:
    active, and the password the same as at sign-in (the session auth hash)."""
    person_id = data.get(SESSION_KEY)  # Django keeps the id as text
    person = people.get(person_id) if isinstance(person_id, str) else None
    if person is None or not person.is_active:
        return False
    session_hash = data.get(HASH_SESSION_KEY) or ""
    accepted = [person.get_session_auth_hash(), *person.get_session_auth_fallback_hash()]
    return any(constant_time_compare(session_hash, known) for known in accepted)


def destroy_orphan_shares() -> int:
    """Destroy the keyring shares of sessions that ended without a sign-out (expired,
    deleted when their person was deactivated, or refused by Django since a
    password was set elsewhere); returns how many. Shares a minute old or less
    are kept: their sign-in may still be saving its session."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    sessions = [
        session.get_decoded()
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
    ]
    pks = {data.get(SESSION_KEY) for data in sessions}
    people = {
        str(person.pk): person
        for person in get_user_model().objects.filter(
            pk__in=[pk for pk in pks if isinstance(pk, str) and pk.isdigit()]
        )
    }
    live = set()
    for data in sessions:
        share_id = data.get(SHARE_FIELD)
        if isinstance(share_id, str) and _still_signed_in(data, people):
            live.add(share_id)
        # Between the password and the code: kept while the pending sign-in lives.
        pending = data.get(PENDING_FIELD)
        if isinstance(pending, dict) and isinstance(pending.get("share"), str):
            live.add(pending["share"])
    return keyring.destroy_shares_except(live, older_than=timezone.now() - timedelta(minutes=1))


def forget_other_held_keys(person: Any, *, keep: str | None) -> int:
    """Destroy the keyring share of every session of `person` but the one keyed
    `keep`; returns how many. After a new password, other browsers' sessions are
    dead to Django but their rows stay until they expire: their held keys must
    open nothing even with those rows and those browsers' cookies."""
    from django.contrib.sessions.models import Session

    wanted = str(person.pk)
    destroyed = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if session.session_key != keep and data.get("_auth_user_id") == wanted:
            destroyed += keyring.destroy_share(data.get(SHARE_FIELD))
    return destroyed


def on_person_deactivated(sender: Any, **kwargs: Any) -> None:
    """Receiver of crisisline's person_deactivated: their sessions are gone, so are
    their shares, now rather than at the next purge (a share written in the last
    minute waits for the purge, as destroy_orphan_shares says). Never at the cost
    of the deactivation: the purge tries again every few minutes."""
    try:
        destroy_orphan_shares()
    except Exception:
        logger.exception("destroying the shares of a deactivated person's sessions failed")


def on_signed_out(sender: Any, *, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Receiver of Django's user_logged_out (every way of signing out), sent
    before the session is emptied."""
    if request is not None:
        forget_held_key(request)


def on_sign_out_response(sender: Any, *, response: HttpResponse, **kwargs: Any) -> None:
    """Receiver of crisisline.signals.signing_out: the cookie goes too."""
    delete_cookie(response)


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
    if reason in ("changed", "reset"):
        forget_other_held_keys(user, keep=getattr(request.session, "session_key", None))
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
