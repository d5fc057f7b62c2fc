"""The coordinators' roster: month and week views, print, coverage, generation,
shifts, assignments and swap approvals."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisisline.binding import posted
from crisisline.confirm import Confirmation, ask_first
from crisisline.models import SkillGrant
from crisisline.numbers import whole_number
from crisisline.roles import SignedInRequest, holders_of, role_required
from crisisline.skills import RENEWAL_WARNING_DAYS
from shifts import places
from shifts.coverage import KIND_LABELS, SEVERITY, count_by_kind, load_roster, triage
from shifts.forms import (
    AssignForm,
    CoverageForm,
    GenerateForm,
    ShiftForm,
)
from shifts.line_alerts import line_gaps
from shifts.models import (
    Assignment,
    Position,
    ServiceWindow,
    Shift,
    Slot,
    SwapOffer,
    local_day_bounds,
)
from shifts.paper import short_labels
from shifts.roster import add_shift, generate_shifts
from shifts.views.common import attempt, back, week_from


def _month_from(request: SignedInRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (whole_number(part, most_digits=4) or 0 for part in raw.split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _month_context(first: date) -> dict[str, Any]:
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start, end = local_day_bounds(first, last)
    previous = (first - timedelta(days=1)).replace(day=1)
    return {
        "roster": load_roster(start, end),
        "first": first,
        "last": last,
        "previous_page": f"{previous:%Y-%m}",
        "next_page": f"{last + timedelta(days=1):%Y-%m}",
        "view": "month",
    }


def _week_context(first: date) -> dict[str, Any]:
    last = first + timedelta(days=6)
    start, end = local_day_bounds(first, last)
    roster = load_roster(start, end)
    return {
        "roster": roster,
        "grid": roster.week_grid(first),
        "week_days": [first + timedelta(days=i) for i in range(7)],
        "first": first,
        "last": last,
        "previous_page": f"{first - timedelta(days=7):%Y-%m-%d}",
        "next_page": f"{first + timedelta(days=7):%Y-%m-%d}",
        "view": "week",
    }


def _week_of(shift: Shift) -> HttpResponse:
    """Back to the roster's week holding `shift`, after adding or editing it."""
    return redirect(
        f"{reverse('shifts:roster_week')}?start={timezone.localtime(shift.start):%Y-%m-%d}"
    )


def _roster_page(request: SignedInRequest, context: dict[str, Any]) -> HttpResponse:
    """The month or the week, with the swaps waiting for a coordinator's approval."""
    context["pending_swaps"] = SwapOffer.objects.filter(status=SwapOffer.Status.PENDING).count()
    return render(request, "shifts/roster.html", context)


@role_required("coordinate")
@require_GET
def roster(request: SignedInRequest) -> HttpResponse:
    return _roster_page(request, _month_context(_month_from(request)))


@role_required("coordinate")
@require_GET
def roster_week(request: SignedInRequest) -> HttpResponse:
    return _roster_page(request, _week_context(week_from(request)))


def _calendar(context: dict[str, Any]) -> dict[str, Any]:
    """Weeks of days (Monday first) for the printed week."""
    first, last = context["first"], context["last"]
    by_day = {
        day: [s for s in shifts if not s.cancelled] for day, shifts in context["roster"].days()
    }
    start = first - timedelta(days=first.weekday())
    weeks, day = [], start
    while day <= last:
        weeks.append(
            [
                {
                    "date": day + timedelta(days=i),
                    "in_range": first <= day + timedelta(days=i) <= last,
                    "shifts": by_day.get(day + timedelta(days=i), []),
                }
                for i in range(7)
            ]
        )
        day += timedelta(days=7)
    context["weeks"] = weeks
    positions: dict[int, Any] = {}
    for shift in context["roster"].shifts:
        for slot in shift.slot_list:
            positions.setdefault(slot.position_id, slot.position)
    context["positions"] = sorted(positions.values(), key=lambda p: (p.order, p.name))
    context["weekday_names"] = [date_format(start + timedelta(days=i), "D") for i in range(7)]
    return context


def _month_on_paper(context: dict[str, Any]) -> dict[str, Any]:
    """Every day of the month a row, each place on it labelled short, the labels
    spelled out once (the legend), in the order the places come."""
    by_day = {
        day: [s for s in shifts if not s.cancelled] for day, shifts in context["roster"].days()
    }
    slots = [slot for shifts in by_day.values() for shift in shifts for slot in shift.slot_list]
    labels = short_labels(slot.name for slot in slots)
    for slot in slots:
        slot.label = labels[slot.name]
    first, last = context["first"], context["last"]
    context["days"] = [
        (day, by_day.get(day, []))
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]
    context["legend"] = list(dict.fromkeys((labels[slot.name], slot.name) for slot in slots))
    return context


@role_required("coordinate")
@require_GET
def print_month(request: SignedInRequest) -> HttpResponse:
    context = _month_on_paper(_month_context(_month_from(request)))
    return render(request, "shifts/print_month.html", context)


@role_required("coordinate")
@require_GET
def print_week(request: SignedInRequest) -> HttpResponse:
    return render(request, "shifts/print.html", _calendar(_week_context(week_from(request))))


@role_required("coordinate")
@require_GET
def coverage(request: SignedInRequest) -> HttpResponse:
    """The next weeks' problems, by day, weightiest first; GET filters by kind."""
    form = CoverageForm(request.GET or None)
    weeks, kind = 4, ""
    if form.is_valid():
        weeks = form.cleaned_data["weeks"] or weeks
        kind = form.cleaned_data["kind"]
    elif request.GET:
        refusal = "weeks" in form.errors and _("Choose between 1 and 26 weeks.")
        messages.error(request, refusal or _("Choose a kind of problem from the list."))
    today = timezone.localdate()
    start, end = local_day_bounds(today, today + timedelta(days=7 * weeks - 1))
    data = load_roster(max(start, timezone.now()), end, fingerprints=False)
    return render(
        request,
        "shifts/coverage.html",
        {
            "form": form,
            "weeks": weeks,
            "kind": kind,
            "roster": data,
            "counts": [
                (k, KIND_LABELS[k], n) for k, n in count_by_kind(data.problems).items() if n
            ],
            "days": triage(data.shifts, [kind] if kind else SEVERITY),
            "line_gaps": line_gaps(),
            "lapsing": SkillGrant.objects.lapsing_by(today + timedelta(days=RENEWAL_WARNING_DAYS))
            .filter(person__is_active=True)
            .select_related("person", "skill")
            .order_by("renew_by"),
            "today": today,
        },
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def generate(request: SignedInRequest) -> HttpResponse:
    form = GenerateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if not ServiceWindow.objects.exists():
            messages.error(request, _("Set the hours of operation first."))
            return redirect("shifts:hours")
        try:
            result = generate_shifts(
                form.cleaned_data["first_day"],
                form.cleaned_data["last_day"],
                form.cleaned_data["block_hours"],
            )
        except IntegrityError:
            messages.error(
                request, _("Someone else changed the roster at the same moment. Try again.")
            )
            return redirect("shifts:generate")
        messages.success(request, result.summary())
        return redirect(f"{reverse('shifts:roster')}?month={form.cleaned_data['first_day']:%Y-%m}")
    return render(
        request,
        "shifts/generate.html",
        {
            "form": form,
            "has_hours": ServiceWindow.objects.exists(),
            "positions": Position.objects.filter(active=True),
        },
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def new_shift(request: SignedInRequest) -> HttpResponse:
    form = ShiftForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            shift = add_shift(
                form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["note"]
            )
        except IntegrityError:
            form.add_error(None, _("A shift with exactly these times already exists."))
        else:
            messages.success(request, _("Shift added."))
            return _week_of(shift)
    return render(request, "shifts/shift_form.html", {"form": form})


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def edit_shift(request: SignedInRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift, pk=pk)
    if shift.is_past():
        messages.error(request, _("This shift is over and can no longer be changed."))
        return redirect("shifts:roster")
    initial = {
        "start": timezone.localtime(shift.start),
        "end": timezone.localtime(shift.end),
        "note": shift.note,
    }
    form = ShiftForm(posted(request), initial=initial, shift=shift)
    if request.method == "POST" and form.is_valid():
        try:
            shift = places.move_shift(
                shift.pk,
                form.cleaned_data["start"],
                form.cleaned_data["end"],
                form.cleaned_data["note"],
            )
        except places.PlaceError as refusal:
            form.add_error(None, refusal.message)
        except IntegrityError:
            form.add_error(None, _("A shift with exactly these times already exists."))
        else:
            messages.success(request, _("Shift saved."))
            return _week_of(shift)
    return render(request, "shifts/shift_form.html", {"form": form, "shift": shift})


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def cancel_shift(request: SignedInRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift, pk=pk)
    if request.method != "POST":
        return ask_first(
            request,
            Confirmation(
                question=_("Cancel the shift on %(when)s?") % {"when": places.when(shift)},
                explain=_(
                    "It stays on the roster marked cancelled, and nobody is expected on it. "
                    "You can restore it from the roster."
                ),
                action=_("Cancel shift"),
                keep=_("Keep the shift"),
                back=reverse("shifts:edit_shift", args=[pk]),
            ),
        )
    attempt(request, lambda: places.cancel_shift(pk), lambda _shift: _("Shift cancelled."))
    # To the shift's week, where its Restore button is.
    day = timezone.localtime(shift.start).date()
    week = f"{reverse('shifts:roster_week')}?start={day - timedelta(days=day.weekday()):%Y-%m-%d}"
    return redirect(back(request, "shifts:roster_week", week))


@role_required("coordinate")
@require_POST
def restore_shift(request: SignedInRequest, pk: int) -> HttpResponse:
    get_object_or_404(Shift, pk=pk)
    attempt(request, lambda: places.restore_shift(pk), lambda _shift: _("Shift restored."))
    return redirect(back(request, "shifts:roster"))


def _slot_for_coordinator(pk: int) -> Slot:
    return get_object_or_404(
        Slot.objects.select_related("shift", "position__required_skill"), pk=pk
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def assign(request: SignedInRequest, pk: int) -> HttpResponse:
    slot = _slot_for_coordinator(pk)
    # Without `next` (the month's links leave it out), back to the slot's month.
    way_back = back(
        request,
        "shifts:roster",
        f"{reverse('shifts:roster')}?month={timezone.localtime(slot.shift.start):%Y-%m}",
    )
    form = AssignForm(posted(request), people=holders_of("respond"))
    if request.method == "POST" and not form.is_valid() and request.htmx:
        messages.error(request, _("Choose someone from the list."))
        return _slot_fragment(request, pk)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = places.assign(slot.pk, form.cleaned_data["person"])
        except places.PlaceError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("%(name)s assigned as %(position)s.")
                % {"name": form.cleaned_data["person"], "position": slot.name},
            )
            for warning in outcome.warnings:
                messages.warning(request, warning)
        if request.htmx:
            return _slot_fragment(request, pk)
        return redirect(way_back)
    candidates = places.candidates_for(slot)
    template = "shifts/assign.html#assign-form" if request.htmx else "shifts/assign.html"
    return render(
        request,
        template,
        {
            "slot": slot,
            "form": form,
            "candidates": candidates,
            "next": way_back,
        },
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def unassign(request: SignedInRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("person", "shift", "slot__position"), pk=pk
    )
    if request.method != "POST":
        return ask_first(
            request,
            Confirmation(
                question=_("Unassign %(name)s from %(position)s on %(when)s?")
                % {
                    "name": assignment.person,
                    "position": assignment.slot.position,
                    "when": places.when(assignment.shift),
                },
                explain=_("The place is open again."),
                action=_("Unassign"),
                back=reverse("shifts:roster"),
                swap=f"#slot-{assignment.slot_id}",
            ),
        )
    if assignment.shift.is_past():
        messages.error(request, _("This shift is over and can no longer be changed."))
    else:
        attempt(
            request,
            lambda: places.unassign(assignment),
            lambda _none: _("%(name)s unassigned.") % {"name": assignment.person},
        )
    if request.htmx:
        return _slot_fragment(request, assignment.slot_id)
    return redirect(back(request, "shifts:roster"))


def _slot_fragment(request: SignedInRequest, slot_pk: int) -> HttpResponse:
    slot = Slot.objects.select_related("shift").get(pk=slot_pk)
    shift = slot.shift
    start, end = local_day_bounds(
        timezone.localtime(shift.start).date(), timezone.localtime(shift.start).date()
    )
    data = load_roster(start, end)
    for loaded_shift in data.shifts:
        for loaded in loaded_shift.slot_list:
            if loaded.pk == slot_pk:
                return render(
                    request,
                    "shifts/roster.html#slot",
                    {
                        "slot": loaded,
                        "shift": loaded_shift,
                        "next": back(request, "shifts:roster"),
                        "fragment": True,
                    },
                )
    raise Http404


@role_required("coordinate")
@require_GET
def swaps(request: SignedInRequest) -> HttpResponse:
    pending = SwapOffer.objects.filter(status=SwapOffer.Status.PENDING).select_related(
        "assignment__shift", "assignment__slot__position", "offered_by", "taken_by"
    )
    return render(request, "shifts/swaps.html", {"pending": pending})


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def decide_swap(request: SignedInRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(
        SwapOffer.objects.select_related(
            "assignment__shift", "assignment__slot__position", "offered_by", "taken_by"
        ),
        pk=pk,
    )
    if request.method != "POST":
        # Approving needs no question; declining undoes what two people agreed on.
        return ask_first(
            request,
            Confirmation(
                question=_("Decline the swap of %(position)s on %(when)s?")
                % {
                    "position": offer.assignment.slot.position,
                    "when": places.when(offer.assignment.shift),
                },
                explain=_("%(giver)s keeps the place and %(taker)s is not on the shift.")
                % {"giver": offer.offered_by, "taker": offer.taken_by},
                action=_("Decline"),
                keep=_("Keep it waiting"),
                back=reverse("shifts:swaps"),
                hidden={"decision": "decline"},
            ),
        )
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Choose approve or decline."))
        return redirect("shifts:swaps")
    attempt(
        request,
        lambda: places.decide_swap(pk, approve=decision == "approve"),
        lambda _offer: _("Swap approved.") if decision == "approve" else _("Swap declined."),
    )
    return redirect("shifts:swaps")
