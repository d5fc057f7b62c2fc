"""How the line is set up: opening hours, closures, positions, rules and forwarding."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crisisline.binding import posted
from crisisline.confirm import Confirmation, ask_first, delete_after_asking
from crisisline.roles import role_required
from shifts import forwarding
from shifts.forms import (
    ChainForm,
    ClosureForm,
    PositionForm,
    RulesForm,
    WindowForm,
)
from shifts.hours import opening_status
from shifts.models import (
    Closure,
    Position,
    RosterRules,
    ServiceWindow,
    Slot,
    add_slots_for_position,
    drop_trainee_places,
)


def _hours_page(request: HttpRequest, form: WindowForm, closure_form: ClosureForm) -> HttpResponse:
    """The opening hours page, with either form as posted (the other empty)."""
    return render(
        request,
        "shifts/hours.html",
        {
            "form": form,
            "closure_form": closure_form,
            "windows": ServiceWindow.objects.all(),
            "closures": Closure.objects.filter(date__gte=timezone.localdate()),
            "status": opening_status(),
        },
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def hours(request: HttpRequest) -> HttpResponse:
    form = WindowForm(posted(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Opening hours saved."))
        return redirect("shifts:hours")
    return _hours_page(request, form, ClosureForm())


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def delete_window(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(ServiceWindow, pk=pk)
    return delete_after_asking(
        request,
        window,
        Confirmation(
            question=_("Remove the opening hours %(day)s %(start)s–%(end)s?")
            % {
                "day": window.get_weekday_display(),
                "start": window.start.strftime("%H:%M"),
                "end": window.end.strftime("%H:%M"),
            },
            explain=_(
                "The public page stops showing them and new rosters leave them out. "
                "Shifts already generated stay as they are."
            ),
            action=_("Remove"),
            back=reverse("shifts:hours"),
        ),
        _("Window removed. Shifts already generated stay as they are."),
    )


@role_required("coordinate")
@require_POST
def add_closure(request: HttpRequest) -> HttpResponse:
    form = ClosureForm(request.POST)
    if form.is_valid():
        form.save()
        messages.success(request, _("Closure saved. Cancel any shifts already generated that day."))
        return redirect("shifts:hours")
    return _hours_page(request, WindowForm(), form)


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def delete_closure(request: HttpRequest, pk: int) -> HttpResponse:
    # Asked like delete_window (and time off): the one helper, with this row's own words.
    closure = get_object_or_404(Closure, pk=pk)
    return delete_after_asking(
        request,
        closure,
        Confirmation(
            question=_("Remove the closure on %(day)s?")
            % {"day": date_format(closure.date, "l j F Y")},
            explain=_("The public page shows the line open that day again."),
            action=_("Remove"),
            back=reverse("shifts:hours"),
        ),
        _("Closure removed."),
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def positions(request: HttpRequest) -> HttpResponse:
    form = PositionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        position = form.save()
        added = add_slots_for_position(position) if position.active else 0
        messages.success(
            request,
            _("Position %(name)s added to %(count)s upcoming shifts.")
            % {"name": position, "count": added},
        )
        return redirect("shifts:positions")
    return render(
        request,
        "shifts/positions.html",
        {"form": form, "positions": Position.objects.select_related("required_skill")},
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def edit_position(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position, pk=pk)
    form = PositionForm(posted(request), instance=position)
    if request.method == "POST" and form.is_valid():
        position = form.save()
        future = Slot.objects.filter(
            position=position, trainee=False, shift__start__gt=timezone.now()
        )
        future.filter(taken__lte=position.max_people).update(
            capacity=position.max_people, min_people=position.min_people
        )
        kept = future.filter(taken__gt=position.max_people).count()
        if not position.trainee_place:
            drop_trainee_places(position)
        if position.active:
            add_slots_for_position(position)
        messages.success(request, _("Position saved; upcoming shifts follow it."))
        if kept:
            messages.warning(
                request,
                _(
                    "%(count)s upcoming places already hold more people than the new maximum; they keep their size until someone leaves."
                )
                % {"count": kept},
            )
        return redirect("shifts:positions")
    return render(request, "shifts/position_form.html", {"form": form, "position": position})


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    current = RosterRules.current()
    form = RulesForm(posted(request), instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Roster rules saved."))
        return redirect("shifts:rules")
    return render(request, "shifts/rules.html", _rules_context(form, current))


def _rules_context(form: RulesForm, current: RosterRules, **more: Any) -> dict[str, Any]:
    return {
        "form": form,
        "rules": current,
        "chain_form": more.pop("chain_form", None) or ChainForm(),
        "chain": forwarding.chain_positions(),
        **more,
    }


@role_required("coordinate")
@require_POST
def forwarding_chain(request: HttpRequest) -> HttpResponse:
    form = ChainForm(request.POST)
    if form.is_valid():
        form.save()
        messages.success(request, _("Forwarding order saved."))
        return redirect("shifts:rules")
    current = RosterRules.current()
    return render(
        request,
        "shifts/rules.html",
        _rules_context(RulesForm(instance=current), current, chain_form=form),
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def forwarding_token(request: HttpRequest) -> HttpResponse:
    current = RosterRules.current()
    if request.method != "POST":
        # Only revoking is asked about: a new link is shown once and replaces the old one.
        if request.GET.get("action") != "revoke":
            return redirect("shifts:rules")
        return ask_first(
            request,
            Confirmation(
                question=_("Revoke the forwarding link?"),
                explain=_(
                    "The phone system gets no answer from it any more: calls are not "
                    "forwarded until you make a new link and set it up there."
                ),
                action=_("Revoke the link"),
                back=reverse("shifts:rules"),
                hidden={"action": "revoke"},
            ),
        )
    if request.POST.get("action") == "revoke":
        current.revoke_forwarding_token()
        messages.success(request, _("Forwarding link revoked: it no longer answers."))
        return redirect("shifts:rules")
    token = current.new_forwarding_token()
    link = request.build_absolute_uri(reverse("shifts:forward", args=[token]))
    messages.success(request, _("New forwarding link made. Any older link has stopped working."))
    return render(
        request,
        "shifts/rules.html",
        _rules_context(RulesForm(instance=current), current, link=link),
    )
