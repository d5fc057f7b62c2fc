from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from crisisline.models import Invitation, Line, Skill, User

# The admin classes are generic only in the type stubs; at run time they take no parameter.
if TYPE_CHECKING:
    _UserAdmin = BaseUserAdmin[User]
    _SkillAdmin = admin.ModelAdmin[Skill]
    _InvitationAdmin = admin.ModelAdmin[Invitation]
else:
    _UserAdmin = BaseUserAdmin
    _SkillAdmin = _InvitationAdmin = admin.ModelAdmin


@admin.register(User)
class UserAdmin(_UserAdmin):
    list_display = ["username", "display_name", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["username", "display_name"]
    ordering = ["display_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Profile", {"fields": ["display_name", "pronouns", "phone", "email", "skills"]}),
        ("Limits", {"fields": ["max_shifts_per_month", "min_rest_hours"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "display_name", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups", "skills"]

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        """Unticking "active" here offboards as the people page does (sessions ended,
        two-step sign-in and password links revoked); ticking it again leaves links
        from before dead."""
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            if obj.is_active:
                obj.reactivate()
            else:
                obj.deactivate()

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        # Roles are saved here, after the person: one made a coordinator or an
        # administrator without an authenticator sets one up at the next sign-in.
        super().save_related(request, form, formsets, change)
        form.instance.sign_out_unless_second_step_set_up()


@admin.register(Skill)
class SkillAdmin(_SkillAdmin):
    list_display = ["name", "name_es", "kind"]
    list_filter = ["kind"]


@admin.register(Invitation)
class InvitationAdmin(_InvitationAdmin):
    list_display = ["pk", "label", "created_at", "expires_at", "used_at"]
    readonly_fields = ["token_hash", "created_by", "created_at", "used_at", "used_by"]


admin.site.register(Line)
