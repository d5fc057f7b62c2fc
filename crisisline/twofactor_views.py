"""Two-step sign-in: the second step, setting up an authenticator, recovery codes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from crisisline import throttle, twofactor
from crisisline.binding import posted
from crisisline.forms import CodeForm
from crisisline.models import RecoveryCode, TwoFactor, User
from crisisline.roles import SignedInRequest, role_required


def _throttled_message() -> str:
    return _("Too many wrong codes. For your safety, wait %(minutes)s minutes and try again.") % {
        "minutes": settings.SIGNIN_THROTTLE_MINUTES
    }


def _start_over(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("That sign-in took too long. Sign in again."))
    return redirect("login")


# --- At sign-in, between the password and being signed in ---------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    person = twofactor.pending_person(request)
    if person is None or not person.has_two_factor:
        return _start_over(request)
    form = CodeForm(
        posted(request),
        help_text=_(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
    )
    if request.method == "POST" and form.is_valid():
        if throttle.is_code_throttled(request, person.pk):
            form.add_error("code", _throttled_message())
        elif twofactor.check_code(person, form.cleaned_data["code"]):
            throttle.forget_code_failures(request, person.pk)
            response = redirect(twofactor.pending_next(request))
            twofactor.finish_sign_in(request, person, response)
            left = person.recovery_codes.filter(used_at__isnull=True).count()
            if left <= 3:
                messages.warning(
                    request,
                    _(
                        "You have %(left)s recovery codes left. Make new ones from your "
                        "profile, under Two-step sign-in."
                    )
                    % {"left": left},
                )
            return response
        else:
            throttle.record_code_failure(request, person.pk)
            form.add_error(
                "code",
                _(
                    "That code is not right, or was already used. Check the time on your "
                    "phone and type the newest code."
                ),
            )
    return render(request, "crisisline/sign_in_code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_enrol(request: HttpRequest) -> HttpResponse:
    """Coordinators and administrators set up an authenticator before anything else."""
    person = twofactor.pending_person(request)
    if person is None:
        return _start_over(request)
    if person.has_two_factor:
        return redirect("sign_in_code")
    return _enrol(request, person, at_sign_in=True)


# --- Signed in: the profile's two-step page ------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET"])
def two_factor(request: SignedInRequest) -> HttpResponse:
    person = request.user
    context = {
        "active": person.has_two_factor,
        "required": person.must_use_two_factor(),
        "left": person.recovery_codes.filter(used_at__isnull=True).count(),
        "codes_form": CodeForm(auto_id="codes_%s"),
        "off_form": CodeForm(auto_id="off_%s"),
    }
    return render(request, "crisisline/two_factor.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: SignedInRequest) -> HttpResponse:
    if request.user.has_two_factor:
        messages.info(request, _("Two-step sign-in is already on."))
        return redirect("two_factor")
    return _enrol(request, request.user, at_sign_in=False)


def _enrol(request: HttpRequest, person: User, *, at_sign_in: bool) -> HttpResponse:
    if request.method == "POST":
        # Only a key the person was shown can be confirmed: a POST never makes one.
        device = TwoFactor.objects.filter(person=person, confirmed_at__isnull=True).first()
        if device is None:
            return redirect(request.path)
    else:
        device = twofactor.start_enrolment(person)
    form = CodeForm(posted(request), help_text=_("The 6 digits your app shows now."))
    if request.method == "POST" and form.is_valid():
        if throttle.is_code_throttled(request, person.pk):
            form.add_error("code", _throttled_message())
        else:
            codes = twofactor.confirm_enrolment(device, form.cleaned_data["code"])
            if codes is not None:
                throttle.forget_code_failures(request, person.pk)
                response = HttpResponse()
                next_url = reverse("two_factor")
                if at_sign_in:
                    next_url = twofactor.pending_next(request)
                    twofactor.finish_sign_in(request, person, response)
                # Rendered after signing in, so the page shows the person signed in.
                response.content = render_to_string(
                    "crisisline/recovery_codes.html",
                    {"codes": codes, "next": next_url, "enrolled": True},
                    request,
                )
                return response
            throttle.record_code_failure(request, person.pk)
            form.add_error(
                "code",
                _("That code is not right. Check the time on your phone and type the newest code."),
            )
    context = {
        "form": form,
        "at_sign_in": at_sign_in,
        "qr": twofactor.qr_svg(device, _("QR code for your authenticator app")),
        "secret": twofactor.grouped_secret(device),
    }
    return render(request, "crisisline/two_factor_enrol.html", context)


def _code_passes(request: SignedInRequest, form: CodeForm) -> bool:
    """The signed-in person proves they still hold their authenticator (or a
    recovery code) before changing anything: throttled like the sign-in."""
    if not form.is_valid():
        return False
    if throttle.is_code_throttled(request, request.user.pk):
        form.add_error("code", _throttled_message())
        return False
    if twofactor.check_code(request.user, form.cleaned_data["code"]):
        throttle.forget_code_failures(request, request.user.pk)
        return True
    throttle.record_code_failure(request, request.user.pk)
    form.add_error("code", _("That code is not right, or was already used. Nothing changed."))
    return False


@login_required
@never_cache
@require_POST
def two_factor_recovery_codes(request: SignedInRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    if not request.user.has_two_factor:
        return redirect("two_factor")
    form = CodeForm(request.POST, auto_id="codes_%s")
    if not _code_passes(request, form):
        return _two_factor_again(request, codes_form=form)
    codes = RecoveryCode.issue_for(request.user)
    return render(
        request,
        "crisisline/recovery_codes.html",
        {"codes": codes, "next": reverse("two_factor"), "enrolled": False},
    )


@login_required
@never_cache
@require_POST
def two_factor_off(request: SignedInRequest) -> HttpResponse:
    if request.user.must_use_two_factor():
        messages.error(
            request,
            _("Coordinators and administrators keep two-step sign-in on: it protects everyone."),
        )
        return redirect("two_factor")
    if not request.user.has_two_factor:
        return redirect("two_factor")
    form = CodeForm(request.POST, auto_id="off_%s")
    if not _code_passes(request, form):
        return _two_factor_again(request, off_form=form)
    request.user.clear_two_factor()
    messages.success(request, _("Two-step sign-in is off. You sign in with your password only."))
    return redirect("two_factor")


def _two_factor_again(request: SignedInRequest, **forms: CodeForm) -> HttpResponse:
    person = request.user
    context = {
        "active": True,
        "required": person.must_use_two_factor(),
        "left": person.recovery_codes.filter(used_at__isnull=True).count(),
        "codes_form": CodeForm(auto_id="codes_%s"),
        "off_form": CodeForm(auto_id="off_%s"),
        **forms,
    }
    return render(request, "crisisline/two_factor.html", context, status=400)


# --- Coordinators: a teammate lost their phone ---------------------------------------


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    if not User.objects.manageable_by(request.user).filter(pk=person.pk).exists():
        messages.error(
            request,
            _("Only an administrator can reset an administrator's two-step sign-in."),
        )
        return redirect("people")
    active = TwoFactor.objects.filter(person=person, confirmed_at__isnull=False).exists()
    if request.method == "POST":
        if active:
            person.clear_two_factor()
            person.sign_out_unless_second_step_set_up()
            messages.success(
                request,
                _(
                    "Two-step sign-in of %(name)s is reset. They sign in with their password "
                    "and set up an authenticator again (coordinators must)."
                )
                % {"name": person},
            )
        return redirect("people")
    return render(request, "crisisline/reset_two_factor.html", {"person": person, "active": active})
