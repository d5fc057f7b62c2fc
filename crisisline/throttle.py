"""Throttle failed sign-ins without letting a stranger lock a person out.

Failures count against three keys: the account from this client (tight), the
account from anywhere (loose) and this client across accounts (loose, an office
shares one address). A browser that has signed in to the account before carries
a signed `device` cookie naming that account (OWASP's "device cookies"): it is
held to its own tight limit instead, so a person keeps signing in from their own
phone while someone else hammers their username. A device cookie that fails too
often stops counting as trusted until its failures expire.

Only keyed hashes are stored (of the account, the client's address, the pair and
the cookie's random nonce); never a username or an address. Rows are deleted once
they are past the window (`prune_sign_in_failures`, every 30 seconds).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Count
from django.http import HttpRequest, HttpResponse

from crisisline.models import FailedSignIn, keyed_hash

DEVICE_COOKIE = "device"
_DEVICE_SALT = "crisisline.throttle.device"
# Only the sign-in pages read it.
DEVICE_COOKIE_PATH = "/accounts/"


def client_address(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For counts only from a trusted proxy."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if forwarded and remote in settings.TRUSTED_PROXIES:
        return forwarded.split(",")[-1].strip()
    return remote


def _account(username: str) -> str:
    return username.strip().lower()


def _untrusted_keys(request: HttpRequest, username: str) -> dict[str, str]:
    account, client = _account(username), client_address(request)
    return {
        "pair": keyed_hash("signin-pair", f"{account}\n{client}"),
        "account": keyed_hash("signin-account", account),
        "client": keyed_hash("signin-client", client),
    }


def _device_key(nonce: str) -> str:
    return keyed_hash("signin-device", nonce)


def _failures(keys: list[str]) -> dict[str, int]:
    counted = (
        FailedSignIn.objects.recent()
        .filter(key__in=keys)
        .values("key")
        .annotate(failures=Count("id"))
    )
    return {row["key"]: row["failures"] for row in counted}


def _device_nonce(request: HttpRequest, username: str) -> str | None:
    """The nonce of an unexpired, untampered device cookie issued to this account."""
    try:
        value = request.get_signed_cookie(
            DEVICE_COOKIE,
            salt=_DEVICE_SALT,
            max_age=timedelta(days=settings.DEVICE_COOKIE_DAYS),
        )
    except (KeyError, signing.BadSignature):
        return None
    if value is None:
        return None
    account, _, nonce = value.partition(":")
    if not nonce or account != keyed_hash("device-account", _account(username)):
        return None
    return nonce


def trusted_device(request: HttpRequest, username: str) -> str | None:
    """This browser's device key when it signed in to `username` before and has not
    failed too often since; None for any other browser."""
    nonce = _device_nonce(request, username)
    if nonce is None:
        return None
    key = _device_key(nonce)
    if _failures([key]).get(key, 0) >= settings.SIGNIN_FAILURES_PER_DEVICE:
        return None
    return key


def is_throttled(request: HttpRequest, username: str) -> bool:
    FailedSignIn.objects.prune()
    if trusted_device(request, username) is not None:
        return False
    keys = _untrusted_keys(request, username)
    failures = _failures(list(keys.values()))
    limits = {
        "pair": settings.SIGNIN_FAILURES_PER_ACCOUNT_AND_CLIENT,
        "account": settings.SIGNIN_FAILURES_PER_ACCOUNT,
        "client": settings.SIGNIN_FAILURES_PER_CLIENT,
    }
    return any(failures.get(keys[name], 0) >= limit for name, limit in limits.items())


def record_failure(request: HttpRequest, username: str) -> None:
    device = trusted_device(request, username)
    keys = [device] if device else list(_untrusted_keys(request, username).values())
    FailedSignIn.objects.bulk_create([FailedSignIn(key=key) for key in keys])


def forget_failures(request: HttpRequest, username: str) -> None:
    """After a right password: this client's (or this device's) failures for the
    account are forgiven. The account's loose count is not: the owner signing in
    must not hand a guesser elsewhere a fresh allowance."""
    keys = [_untrusted_keys(request, username)["pair"]]
    nonce = _device_nonce(request, username)
    if nonce is not None:
        keys.append(_device_key(nonce))
    FailedSignIn.objects.filter(key__in=keys).delete()


def remember_device(response: HttpResponse, username: str) -> None:
    """After a complete sign-in: this browser is trusted for this account, under a
    fresh nonce. The cookie names the account only as a keyed hash and carries no
    key of any kind; it is the one cookie that outlives signing out."""
    value = f"{keyed_hash('device-account', _account(username))}:{secrets.token_urlsafe(16)}"
    response.set_signed_cookie(
        DEVICE_COOKIE,
        value,
        salt=_DEVICE_SALT,
        max_age=settings.DEVICE_COOKIE_DAYS * 24 * 3600,
        path=DEVICE_COOKIE_PATH,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Strict",
    )


# --- The second step ---------------------------------------------------------------


def _code_keys(request: HttpRequest, person_pk: int) -> dict[str, str]:
    return {
        "account": keyed_hash("signin-code", str(person_pk)),
        "client": keyed_hash("signin-client", client_address(request)),
    }


def is_code_throttled(request: HttpRequest, person_pk: int) -> bool:
    """Wrong second-step codes count like wrong passwords: per account (whoever
    typed them knows the password) and towards this client's loose limit."""
    FailedSignIn.objects.prune()
    keys = _code_keys(request, person_pk)
    failures = _failures(list(keys.values()))
    return (
        failures.get(keys["account"], 0) >= settings.SIGNIN_CODE_FAILURES_PER_ACCOUNT
        or failures.get(keys["client"], 0) >= settings.SIGNIN_FAILURES_PER_CLIENT
    )


def record_code_failure(request: HttpRequest, person_pk: int) -> None:
    keys = _code_keys(request, person_pk).values()
    FailedSignIn.objects.bulk_create([FailedSignIn(key=key) for key in keys])


def forget_code_failures(request: HttpRequest, person_pk: int) -> None:
    FailedSignIn.objects.filter(key=_code_keys(request, person_pk)["account"]).delete()
