"""Roles are Django groups; each grants one capability permission.

Views check capabilities (`crisisline.coordinate`), never group names, so a
person holding several roles simply has several capabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from crisisline.models import User

RESPONDER = gettext_noop("Responder")
COORDINATOR = gettext_noop("Coordinator")
TRAINER = gettext_noop("Trainer")

# role name -> capability codename (a permission on crisisline.User)
ROLE_CAPABILITIES = {
    RESPONDER: "respond",
    COORDINATOR: "coordinate",
    TRAINER: "train",
}

View = Callable[..., HttpResponse]


class SignedInRequest(HttpRequest):
    """A request to a view that requires sign-in: its user is a person, never anonymous.

    Only for type checking; `login_required` (or `role_required`) is what makes it true.
    """

    user: User
    htmx: HtmxDetails  # set on every request by django_htmx's middleware


def ensure_roles() -> None:
    """Create the role groups and their capabilities if missing (as migration 0002 does).

    Used where the database was emptied after migrating, e.g. by tests that
    flush it; idempotent.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from crisisline.models import User

    user_type = ContentType.objects.get_for_model(User)
    for role, codename in ROLE_CAPABILITIES.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=user_type, codename=codename, defaults={"name": codename}
        )
        Group.objects.get_or_create(name=role)[0].permissions.add(permission)


def capabilities(user: Any) -> frozenset[str]:
    """The capabilities an active, signed-in person holds, in one query, once per request.

    The same answer as `user.has_perm("crisisline.<capability>")`, without its
    two queries per person.
    """
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, "_crisisline_capabilities", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ROLE_CAPABILITIES.values())
        else:
            from django.contrib.auth.models import Permission

            cached = frozenset(
                Permission.objects.filter(
                    Q(group__user=user) | Q(user=user), content_type__app_label="crisisline"
                ).values_list("codename", flat=True)
            )
        user._crisisline_capabilities = cached
    return cached


def can(user: Any, capability: str) -> bool:
    """True when an active, signed-in person holds a role granting `capability`."""
    return capability in capabilities(user)


def holders_of(capability: str) -> QuerySet[User]:
    """Every active person `can(person, capability)` is true for, in one query."""
    from crisisline.models import User

    granted = Q(
        groups__permissions__codename=capability,
        groups__permissions__content_type__app_label="crisisline",
    ) | Q(
        user_permissions__codename=capability,
        user_permissions__content_type__app_label="crisisline",
    )
    return User.objects.filter(Q(is_active=True) & (granted | Q(is_superuser=True))).distinct()


def role_required(capability: str) -> Callable[[View], View]:
    """Sign-in required; then 403 unless a role grants `capability`."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
