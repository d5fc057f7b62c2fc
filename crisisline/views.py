"""Public pages, sign-in, the dashboard, people and invitations."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import View

from calls import keyring_guard
from calls.followups import aftercare_context, follow_ups_for, no_store_if_shown
from crisisline import periodic, throttle, twofactor
from crisisline.binding import posted
from crisisline.confirm import Confirmation, delete_after_asking
from crisisline.forms import (
    AcceptInvitationForm,
    GrantForm,
    InvitationForm,
    LineForm,
    ProfileForm,
    RolesForm,
    SignInForm,
    SkillNameForm,
)
from crisisline.i18n import language_of
from crisisline.models import Invitation, InvitationGone, Line, Skill, SkillGrant, TwoFactor, User
from crisisline.roles import SignedInRequest, can, role_required
from crisisline.signals import password_known, signing_out
from crisisline.tokens import password_links
from shifts.hours import public_hours
from shifts.line_alerts import line_gaps
from shifts.models import Assignment
from shifts.places import places_to_free, when

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    line = Line.current()
    responds_to, does_not_respond_to = line.text_for(get_language() or "en")
    hours = public_hours()
    return render(
        request,
        "crisisline/home.html",
        {
            "line": line,
            "responds_to": responds_to,
            "does_not_respond_to": does_not_respond_to,
            "status": hours.status,
            "hours": hours,
            "time_zone": settings.TIME_ZONE.replace("_", " "),
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused for its CSRF token: most often sent from a page opened
    before a sign-in or sign-out (in another tab, say). Say so in the reader's
    language, and offer the page it came from afresh (settings.CSRF_FAILURE_VIEW)."""
    came_from = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        came_from = ""
    context = {"came_from": came_from, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)


def _unhealthy(reason: str) -> HttpResponse:
    """503 with a short reason for the monitor (never a path, a name or an error's text)."""
    return HttpResponse(f"{reason}\n", status=503, content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 with an empty body when the app can reach its database, read and write
    the notes' keyring (and it is this database's), and the scheduled purge is on
    time; else 503 with the reason. A few single-row queries: no table scans."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return _unhealthy("The database cannot be reached.")
    if (problem := keyring_guard.health_problem()) is not None:
        logger.warning("Unhealthy: %s", problem)
        return _unhealthy("The notes' keyring cannot be used (the log says why).")
    last, late = keyring_guard.scheduled_purge()
    if late:
        when_ = last.isoformat(timespec="seconds") if last else "never"
        logger.warning("Unhealthy: the scheduled purge is late (last: %s)", when_)
        return _unhealthy(
            f"The scheduled purge is late (last: {when_}; it runs every "
            f"{int(periodic.interval(periodic.SCHEDULED_PURGE).total_seconds())} s). "
            "Is the scheduler running?"
        )
    return HttpResponse(content_type="text/plain")


class GetAndPostOnly(View):
    """Django's form views answer PUT as if it were POST: refuse it, and anything
    else that is not GET, HEAD, POST or OPTIONS, before the view does any work
    (the sign-in redirect, the password link check)."""

    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if request.method is None or request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


def start_page_for(person: object) -> str:
    """Where a person starts after signing in or joining, without a ?next=:
    responders where they need to be on a phone, who is on call now; everyone
    else on the dashboard."""
    if can(person, "respond"):
        return reverse("shifts:oncall")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SignInView(GetAndPostOnly, auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return start_page_for(self.request.user)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        person = form.get_user()
        second_step = twofactor.second_step_needed(person)
        response: HttpResponse
        if second_step:
            # Not signed in yet: the password unlocks the note key now (it is
            # only in hand now), held aside until the second step passes.
            next_url = self.get_redirect_url() or start_page_for(person)
            response = redirect(twofactor.begin_second_step(self.request, person, next_url))
        else:
            response = super().form_valid(form)
            throttle.remember_device(response, person.get_username())
        password_known.send(
            sender=type(self),
            request=self.request,
            response=response,
            user=person,
            password=form.cleaned_data["password"],
            reason="sign-in",
            second_step=second_step,
        )
        return response


sign_in = SignInView.as_view()


def delete_cookie(
    response: HttpResponse,
    name: str,
    *,
    samesite: Literal["Lax", "Strict", "None", False],
    secure: bool,
    httponly: bool,
) -> None:
    """Delete a cookie with the attributes it was set with: browsers delete a cookie
    only when the name, path and domain match, and refuse to overwrite a Secure
    cookie from a response that does not say Secure."""
    response.set_cookie(
        name,
        "",
        max_age=0,
        expires="Thu, 01 Jan 1970 00:00:00 GMT",
        path="/",
        samesite=samesite,
        secure=secure,
        httponly=httponly,
    )


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only), deleting every cookie sign-in set, by name.

    Clear-Site-Data asks the browser to drop the site's cache (pages it kept,
    such as a note it showed) and storage. Not "cookies": that would delete
    every cookie of the site, also the ones that should outlive a sign-out
    (the language, a device remembered for two-factor sign-in), so the
    sign-in cookies are deleted one by one instead.
    """

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        for cookie in ("SESSION", "CSRF"):  # each deleted with the attributes it was set with
            delete_cookie(
                response,
                getattr(settings, f"{cookie}_COOKIE_NAME"),
                samesite=getattr(settings, f"{cookie}_COOKIE_SAMESITE"),
                secure=getattr(settings, f"{cookie}_COOKIE_SECURE"),
                httponly=getattr(settings, f"{cookie}_COOKIE_HTTPONLY"),
            )
        signing_out.send(sender=type(self), request=request, response=response)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


sign_out = SignOutView.as_view()


def _password_known(
    view: View,
    form: SetPasswordForm[User] | PasswordChangeForm,
    response: HttpResponse,
    reason: str,
    **previous: str,
) -> HttpResponse:
    """Tell whoever listens that `form` has just saved a new password."""
    password_known.send(
        sender=type(view),
        request=view.request,
        response=response,
        user=form.user,
        password=form.cleaned_data["new_password1"],
        reason=reason,
        **previous,
    )
    return response


class PasswordChangeView(GetAndPostOnly, auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        previous = form.cleaned_data["old_password"]
        return _password_known(self, form, response, "changed", previous_password=previous)


class PasswordResetConfirmView(GetAndPostOnly, auth_views.PasswordResetConfirmView):
    token_generator = password_links

    def get_user(self, uidb64: str) -> User | None:
        # Deactivating someone revokes their password links too: Django's token
        # does not change with is_active, so a link issued earlier would still work.
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        return _password_known(self, form, response, "reset")


@login_required
@require_safe
def dashboard(request: SignedInRequest) -> HttpResponse:
    responds = can(request.user, "respond")
    member = responds or can(request.user, "coordinate")
    unreadable_notes: int | None = 0
    last_purge = purge_late = None
    if can(request.user, "coordinate"):
        unreadable_notes = keyring_guard.notes_missing_their_key_or_none()
        last_purge, purge_late = keyring_guard.scheduled_purge()
    follow_ups = follow_ups_for(request) if responds else None
    return no_store_if_shown(
        follow_ups,
        render(
            request,
            "crisisline/dashboard.html",
            {
                "line_gaps": line_gaps() if member else [],
                "unreadable_notes": unreadable_notes,
                "last_purge": last_purge,
                "purge_late": purge_late,
                "resources_due": _resources_due(request.user),
                "follow_ups": follow_ups,
                **(
                    aftercare_context(request, responds=responds, now=timezone.now())
                    if member
                    else {}
                ),
            },
        ),
    )


def _resources_due(user: Any) -> list[Any]:
    """Resources whose re-verification is due, soonest overdue first, for those who keep them."""
    from protocols.resource_views import may_edit

    if not may_edit(user):
        return []
    from protocols.care_map import Resource

    return list(Resource.objects.due_for_verification().order_by("verify_due_on", "name")[:10])


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: SignedInRequest) -> HttpResponse:
    form = ProfileForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(
        request,
        "crisisline/profile.html",
        {
            "form": form,
            "grants": request.user.skill_grants.select_related("skill", "granted_by"),
            "today": timezone.localdate(),
        },
    )


# --- Skills and trainings (trainers and coordinators) ---------------------------


def grants_skills(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in as a trainer or a coordinator: the people who confirm skills."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (can(request.user, "train") or can(request.user, "coordinate")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@grants_skills
@require_safe
def training(request: SignedInRequest) -> HttpResponse:
    today = timezone.localdate()
    people = User.objects.filter(is_active=True).prefetch_related(
        Prefetch("skill_grants", queryset=SkillGrant.objects.select_related("skill"))
    )
    return render(request, "crisisline/training.html", {"people": people, "today": today})


@grants_skills
@require_safe
def skill_names(request: SignedInRequest) -> HttpResponse:
    """Every skill, training and language with its Spanish name, to fill in."""
    return render(request, "crisisline/skill_names.html", {"skills": Skill.objects.all()})


@grants_skills
@require_http_methods(["GET", "POST"])
def skill_name(request: SignedInRequest, pk: int) -> HttpResponse:
    skill = get_object_or_404(Skill, pk=pk)
    form = SkillNameForm(posted(request), instance=skill)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("The Spanish name of %(name)s is saved.") % {"name": skill.name}
        )
        return redirect("skill_names")
    return render(request, "crisisline/skill_name.html", {"skill": skill, "form": form})


@grants_skills
@require_http_methods(["GET", "POST"])
def person_skills(request: SignedInRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk, is_active=True)
    form = GrantForm(posted(request), initial={"granted_on": timezone.localdate()})
    if request.method == "POST" and person == request.user:
        messages.error(
            request,
            _("Nobody confirms their own skills. Ask another trainer or coordinator."),
        )
        return redirect("person_skills", pk=person.pk)
    if request.method == "POST" and form.is_valid():
        skill = form.cleaned_data["skill"]
        _grant, created = SkillGrant.objects.update_or_create(
            person=person,
            skill=skill,
            defaults={
                "confirmed": True,
                "granted_by": request.user,
                "granted_on": form.cleaned_data["granted_on"],
                "renew_by": form.cleaned_data["renew_by"],
            },
        )
        message = (
            _("%(skill)s confirmed for %(name)s.")
            if created
            else _("%(skill)s of %(name)s saved with the new dates.")
        )
        messages.success(request, message % {"skill": skill, "name": person})
        return redirect("person_skills", pk=person.pk)
    return render(
        request,
        "crisisline/person_skills.html",
        {
            "person": person,
            "form": form,
            "grants": person.skill_grants.select_related("skill", "granted_by"),
            "today": timezone.localdate(),
            "is_self": person == request.user,
        },
    )


@grants_skills
@require_http_methods(["GET", "POST"])
def remove_skill(request: SignedInRequest, pk: int, grant_pk: int) -> HttpResponse:
    grant = get_object_or_404(
        SkillGrant.objects.select_related("skill", "person"), pk=grant_pk, person_id=pk
    )
    return delete_after_asking(
        request,
        grant,
        Confirmation(
            question=_("Remove %(skill)s from %(name)s?")
            % {"skill": grant.skill, "name": grant.person.display_name},
            explain=_(
                "From now on it no longer counts: places that need it are no longer offered "
                "to them, and places they already hold that need it show up on the coverage "
                "report."
            ),
            action=_("Remove"),
            back=reverse("person_skills", args=[pk]),
        ),
        _("%(skill)s removed from %(name)s. It no longer counts for their places.")
        % {"skill": grant.skill, "name": grant.person},
    )


# --- Invitations -------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.find(token)
    problem = _invitation_problem(invitation)
    if problem:
        return render(
            request, "crisisline/invitation_invalid.html", {"problem": problem}, status=problem[0]
        )
    assert invitation is not None  # _invitation_problem turns a missing one away

    form = AcceptInvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = invitation.use(form.save)
        except InvitationGone:
            problem = _invitation_problem(Invitation.objects.get(pk=invitation.pk))
            return render(
                request, "crisisline/invitation_invalid.html", {"problem": problem}, status=410
            )
        except IntegrityError:
            form.add_error("username", _("That username was just taken. Choose another."))
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! You are signed in."))
            response = redirect(start_page_for(person))
            password_known.send(
                sender=accept_invitation,
                request=request,
                response=response,
                user=person,
                password=form.cleaned_data["password1"],
                reason="joined",
            )
            return response
    return render(
        request, "crisisline/accept_invitation.html", {"form": form, "invitation": invitation}
    )


def _invitation_problem(invitation: Invitation | None) -> tuple[int, str] | None:
    if invitation is None:
        return 404, _(
            "This invitation link is not valid. Check that you copied all of it, "
            "or ask a coordinator for a new one."
        )
    if invitation.is_used:
        return 410, _("This invitation has already been used. Ask a coordinator for a new one.")
    if invitation.is_revoked:
        return 410, _("This invitation is no longer valid. Ask a coordinator for a new one.")
    if invitation.is_expired:
        return 410, _("This invitation has expired. Ask a coordinator for a new one.")
    return None


# --- People (coordinators) ----------------------------------------------------


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def people(request: SignedInRequest) -> HttpResponse:
    form = InvitationForm(posted(request))
    link = None
    if request.method == "POST" and form.is_valid():
        _invitation, token = Invitation.issue(
            created_by=request.user,
            roles=list(form.cleaned_data["roles"]),
            label=form.cleaned_data["label"],
        )
        link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
        messages.success(
            request, _("Invitation created. Copy the link now: it is shown only once.")
        )
        form = InvitationForm()
    context = {
        "form": form,
        "link": link,
        "invitation_hours": settings.INVITATION_HOURS,
        "people": User.objects.prefetch_related("groups").order_by("-is_active", "display_name"),
        "manageable": set(User.objects.manageable_by(request.user).values_list("pk", flat=True)),
        "pending": Invitation.objects.pending().prefetch_related("roles"),
        "two_step_people": set(
            TwoFactor.objects.filter(confirmed_at__isnull=False).values_list("person", flat=True)
        ),
    }
    return render(request, "crisisline/people.html", context)


def _person(request: SignedInRequest, pk: int) -> User:
    """A person the signed-in coordinator may manage, else 404 (administrators are
    managed only by administrators: see User.objects.manageable_by)."""
    return get_object_or_404(User.objects.manageable_by(request.user), pk=pk)


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def person_roles(request: SignedInRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = RolesForm(posted(request), initial={"roles": person.groups.all()})
    if request.method == "POST" and form.is_valid():
        person.groups.set(form.cleaned_data["roles"])
        person.sign_out_unless_second_step_set_up()
        messages.success(request, _("Roles of %(name)s saved.") % {"name": person})
        return redirect("people")
    return render(request, "crisisline/person_roles.html", {"form": form, "person": person})


class _Freed(TypedDict):
    assignment: Assignment
    when: str
    running: bool


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def deactivate_person(request: SignedInRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation and lists the places it would free; POST does it."""
    person = _person(request, pk)
    if person == request.user:
        messages.error(request, _("You cannot deactivate yourself. Ask another coordinator."))
        return redirect("people")
    if not person.is_active:
        messages.info(request, _("%(name)s is already deactivated.") % {"name": person})
        return redirect("people")
    now = timezone.now()
    freeing: list[_Freed] = [
        {"assignment": a, "when": when(a.shift), "running": a.shift.start <= now}
        for a in places_to_free(person, now)
        if not a.shift.cancelled
    ]
    if request.method == "GET":
        return render(request, "crisisline/deactivate.html", {"person": person, "freeing": freeing})
    person.deactivate()
    messages.success(
        request,
        _("%(name)s is deactivated: signed out everywhere, links and feeds revoked.")
        % {"name": person},
    )
    _say_what_was_freed(request, freeing)
    running = next((row for row in freeing if row["running"]), None)
    if running is not None:
        messages.error(
            request,
            _("%(position)s on the shift running now is empty: choose who takes it now.")
            % {"position": running["assignment"].slot.name},
        )
        return redirect("shifts:assign", pk=running["assignment"].slot_id)
    return redirect("people")


def _say_what_was_freed(request: SignedInRequest, freeing: list[_Freed]) -> None:
    if freeing:
        messages.warning(
            request,
            ngettext(
                "%(count)s place freed: %(places)s.",
                "%(count)s places freed: %(places)s.",
                len(freeing),
            )
            % {
                "count": len(freeing),
                "places": "; ".join(
                    f"{row['when']} {row['assignment'].slot.name}" for row in freeing
                ),
            },
        )


@role_required("coordinate")
@require_POST
def reactivate_person(request: SignedInRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    person.reactivate()
    messages.success(request, _("%(name)s can sign in again.") % {"name": person})
    return redirect("people")


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def revoke_invitation(request: SignedInRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.pending(), pk=pk)
    return delete_after_asking(
        request,
        invitation,
        Confirmation(
            question=_("Revoke this invitation?"),
            explain=_("Its link stops working. You can invite the person again."),
            action=_("Revoke"),
            back=reverse("people"),
        ),
        _("Invitation revoked: its link no longer works."),
    )


@role_required("coordinate")
@require_POST
def reset_link(request: SignedInRequest, pk: int) -> HttpResponse:
    """A one-time password link, shown to the coordinator and emailed if possible."""
    person = _person(request, pk)
    if not person.is_active:
        messages.error(request, _("Reactivate %(name)s first.") % {"name": person})
        return redirect("people")
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": password_links.make_token(person),
        },
    )
    link = request.build_absolute_uri(path)
    emailed = False
    if settings.EMAIL_ENABLED and person.email:
        with override(language_of(person)):
            subject = _("Choose a new password")
            body = _(
                "A coordinator sent you a link to choose a new password. It works once:\n\n%(link)s"
            ) % {"link": link}
        send_mail(subject, body, None, [person.email])
        emailed = True
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return render(
        request,
        "crisisline/reset_link.html",
        {"person": person, "link": link, "emailed": emailed, "hours": hours},
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def edit_line(request: SignedInRequest) -> HttpResponse:
    form = LineForm(posted(request), instance=Line.current())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The public page is updated."))
        return redirect("home")
    return render(request, "crisisline/edit_line.html", {"form": form})
