from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.admin.sites import AdminSite
from django.http import HttpRequest


class CrisislineConfig(AppConfig):
    default = True
    name = "crisisline"
    verbose_name = "Crisis line"


class SuperuserAdminSite(AdminSite):
    """The Django admin, for superusers only (staff status alone is not enough)."""

    site_header = "Crisis line administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class SuperuserAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "crisisline.apps.SuperuserAdminSite"
