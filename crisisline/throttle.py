"""Throttle failed sign-ins per account and per client, storing neither."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from crisisline.models import FailedSignIn, keyed_hash


def client_address(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For counts only from a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        return forwarded.split(",")[-1].strip()
    return remote


def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
    return (
        keyed_hash("signin-account", username.strip().lower()),
        keyed_hash("signin-client", client_address(request)),
    )


def is_throttled(request: HttpRequest, username: str) -> bool:
    account, client = _keys(request, username)
    recent = FailedSignIn.objects.recent()
    return (
        recent.filter(key=account).count() >= settings.SIGNIN_FAILURES_PER_ACCOUNT
        or recent.filter(key=client).count() >= settings.SIGNIN_FAILURES_PER_CLIENT
    )


def record_failure(request: HttpRequest, username: str) -> None:
    FailedSignIn.objects.prune()
    FailedSignIn.objects.bulk_create([FailedSignIn(key=key) for key in _keys(request, username)])


def forget_account_failures(request: HttpRequest, username: str) -> None:
    account, _client = _keys(request, username)
    FailedSignIn.objects.filter(key=account).delete()
