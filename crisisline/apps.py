from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.contrib.admin.sites import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.common import no_append_slash

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


class CrisislineConfig(AppConfig):
    default = True
    name = "crisisline"
    verbose_name = "Crisis line"

    def ready(self) -> None:
        from crisisline import audit, twofactor  # noqa: F401  (connects its receivers)

        audit.connect()


class SuperuserAdminSite(AdminSite):
    """The Django admin, for superusers only (staff status alone is not enough)."""

    site_header = "Crisis line administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every admin page is missing unless ADMIN_ENABLED is on (read per request)."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def enabled_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not settings.ADMIN_ENABLED:
                raise Http404
            return inner(request, *args, **kwargs)

        return cast(_View, enabled_only)  # wraps() keeps the view's name and signature

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """No sign-in form of its own: the line's sign-in, with its throttle and
        second step, is the only way in. Someone signed in without the right to
        the admin is refused rather than sent round in a loop."""
        if not settings.ADMIN_ENABLED:
            raise Http404
        if request.user.is_authenticated:
            raise PermissionDenied
        from django.contrib.auth.views import redirect_to_login

        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(target)

    @no_append_slash
    def catch_all_view(self, request: HttpRequest, url: str) -> HttpResponse:
        if not settings.ADMIN_ENABLED:
            raise Http404
        return super().catch_all_view(request, url)


class SuperuserAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "crisisline.apps.SuperuserAdminSite"
