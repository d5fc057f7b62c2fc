"""What every page shows from the calls app: the check-out question while it waits."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def check_out(request: HttpRequest) -> dict[str, Any]:
    """The shift the signed-in person has yet to check out of, asked atop every page
    after it ends (`calls.checkout.shift_to_check_out`). Lazy: one query, only when
    base.html asks (a responder, on a page that does not ask it itself)."""
    from calls.checkout import shift_to_check_out

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"pending_check_out": SimpleLazyObject(lambda: shift_to_check_out(user, timezone.now()))}
