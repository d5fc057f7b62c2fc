"""What every shifts view shares: who counts as a member, how a change to a place
reports its result, and where to go back to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from crisisline.confirm import Confirmation, act_after_asking
from crisisline.roles import can
from shifts import places


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and holding at least one role: teammates' phone numbers are shown."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not any(can(request.user, c) for c in ("respond", "coordinate", "train")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


T = TypeVar("T")


def attempt(request: HttpRequest, action: Callable[[], T], success: Callable[[T], str]) -> bool:
    """Make one change to a place (shifts/places.py: one transaction each). A
    refusal becomes the message the person sees and changes nothing."""
    try:
        result = action()
    except places.PlaceError as refusal:
        messages.error(request, refusal.message)
        return False
    messages.success(request, success(result))
    return True


def attempt_after_asking(
    request: HttpRequest,
    confirmation: Confirmation,
    action: Callable[[], T],
    success: Callable[[T], str],
) -> HttpResponse:
    """GET asks; POST attempts the change (as `attempt`) and goes back where "Keep
    it" would."""
    return act_after_asking(request, confirmation, lambda: attempt(request, action, success))


def back(request: HttpRequest, default: str, default_url: str | None = None) -> str:
    """Where `next` points, if it is a path on this site; else `default_url`, or the
    view named `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: redirect() would take anything else for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default_url or reverse(default)


def week_from(request: HttpRequest) -> date:
    """The Monday of the week `?start=` falls in (this week when absent or nonsense)."""
    try:
        day = date.fromisoformat(request.GET.get("start", ""))
        if not 2000 <= day.year <= 2100:
            raise ValueError
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())
