from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from crisisline import changes_views, offline_views, twofactor_views, views
from protocols.resource_views import public_resources

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("offline/", offline_views.offline_page, name="offline"),
    path("offline/copies.json", offline_views.copies, name="offline_copies"),
    path("home/", views.dashboard, name="dashboard"),
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/login/code/", twofactor_views.sign_in_code, name="sign_in_code"),
    path("accounts/login/set-up/", twofactor_views.sign_in_enrol, name="sign_in_enrol"),
    path("accounts/two-step/", twofactor_views.two_factor, name="two_factor"),
    path("accounts/two-step/set-up/", twofactor_views.two_factor_enrol, name="two_factor_enrol"),
    path(
        "accounts/two-step/recovery-codes/",
        twofactor_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/two-step/off/", twofactor_views.two_factor_off, name="two_factor_off"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path(
        "accounts/password/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("profile/", views.profile, name="profile"),
    # One row a page: alike in shape to the sign-in rows above, each routing elsewhere.
    path("people/", views.people, name="people"),
    path("people/changes/", changes_views.changes, name="changes"),
    path("people/<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("people/<int:pk>/deactivate/", views.deactivate_person, name="deactivate_person"),
    path("people/<int:pk>/reactivate/", views.reactivate_person, name="reactivate_person"),
    path("people/<int:pk>/skills/", views.person_skills, name="person_skills"),
    path(
        "people/<int:pk>/skills/<int:grant_pk>/remove/",
        views.remove_skill,
        name="remove_skill",
    ),
    path("training/", views.training, name="training"),
    path("training/names/", views.skill_names, name="skill_names"),
    path("training/names/<int:pk>/", views.skill_name, name="skill_name"),
    path("people/<int:pk>/reset-link/", views.reset_link, name="reset_link"),
    path("people/<int:pk>/two-step/", twofactor_views.reset_two_factor, name="reset_two_factor"),
    path("invitations/<int:pk>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("line/", views.edit_line, name="edit_line"),
    path("language/", set_language, name="set_language"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("shifts.urls")),
    path("", include("calls.urls")),
    path("protocols/", include("protocols.urls")),
    path("resources/", public_resources, name="public_resources"),
]
