"""On call now, responders' self-service, and the coordinators' roster."""

from __future__ import annotations

import calendar
import hmac
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisisline.models import SkillGrant, keyed_hash
from crisisline.numbers import whole_number
from crisisline.roles import can, holders_of, role_required
from crisisline.skills import RENEWAL_WARNING_DAYS
from shifts import forwarding, places
from shifts import oncall as oncall_board
from shifts.coverage import load_roster
from shifts.feed import calendar_for
from shifts.forms import (
    AssignForm,
    ChainForm,
    ClosureForm,
    CoverageForm,
    GenerateForm,
    PositionForm,
    PreferencesForm,
    RulesForm,
    ShiftForm,
    TimeOffForm,
    WindowForm,
)
from shifts.hours import opening_status
from shifts.line_alerts import line_gaps
from shifts.models import (
    Assignment,
    Closure,
    Position,
    RosterRules,
    ServiceWindow,
    Shift,
    ShiftPreferences,
    Slot,
    SwapOffer,
    TimeOff,
    add_slots_for_position,
    local_day_bounds,
)
from shifts.roster import add_shift, generate_shifts


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and holding at least one role: teammates' phone numbers are shown."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not any(can(request.user, c) for c in ("respond", "coordinate", "train")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


T = TypeVar("T")


def _attempt(request: HttpRequest, action: Callable[[], T], success: Callable[[T], str]) -> bool:
    """Make one change to a place (shifts/places.py: one transaction each). A
    refusal becomes the message the person sees and changes nothing."""
    try:
        result = action()
    except places.PlaceError as refusal:
        messages.error(request, refusal.message)
        return False
    messages.success(request, success(result))
    return True


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: redirect() would take anything else for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- On call now -----------------------------------------------------------------


@member_required
@require_GET
def oncall(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    shifts = oncall_board.shifts_from(now)
    current = [s for s in shifts if s.start <= now]
    later = [s for s in shifts if s.start > now]
    following = later[0] if later else None
    oncall_board.add_people(current + later[:1])
    who = places.standing_of(request.user, places.reach_back(now))
    responds = who.responds
    yours = oncall_board.your_shifts(who, now) if responds else []
    status = opening_status(now)
    return render(
        request,
        "shifts/oncall.html#board" if request.htmx else "shifts/oncall.html",
        {
            "now": now,
            "current": current,
            "following": following,
            "mine": yours[0] if yours else None,
            "open_places": oncall_board.open_places_for(request.user, now, who) if responds else [],
            "status": status,
            "refresh": oncall_board.refresh_seconds(now, current, later, status),
            "line_gaps": line_gaps(now),
        },
    )


# --- Responder self-service --------------------------------------------------------


PLACES_PER_PAGE = 20
PLACES_DAYS = 62


@role_required("respond")
@require_GET
def open_places(request: HttpRequest) -> HttpResponse:
    """The places you may take in the next two months (shifts.places decides),
    urgent first, a page at a time; then the shifts teammates offer you may take."""
    now = timezone.now()
    who = places.standing_of(request.user, places.reach_back(now))
    slots = (
        Slot.objects.open()
        .upcoming(now)
        .filter(shift__start__lt=now + timedelta(days=PLACES_DAYS))
        .order_by(F("urgent_since").asc(nulls_last=True), "shift__start", "position__order")
    )
    found = places.places_open_to(request.user, slots, now, who)
    found.sort(key=lambda place: (place.urgent_since is None, place.start))
    page = Paginator(found, PLACES_PER_PAGE).get_page(request.GET.get("page"))
    offers = (
        SwapOffer.objects.filter(
            status=SwapOffer.Status.OPEN,
            assignment__shift__start__gt=now,
            assignment__shift__cancelled=False,
        )
        .exclude(offered_by=request.user)
        .order_by("assignment__shift__start", "pk")
    )
    swaps = places.swaps_open_to(request.user, offers, now, who)
    return render(request, "shifts/places.html", {"page": page, "swaps": swaps})


@role_required("respond")
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Slot, pk=pk)
    claimed = _attempt(
        request,
        lambda: places.claim(pk, request.user),
        lambda assignment: (
            _("You are on %(when)s as %(position)s.")
            % {"when": places.when(assignment.shift), "position": assignment.slot.position}
        ),
    )
    return redirect(_back(request, "shifts:mine" if claimed else "shifts:places"))


class HandedOn(Exception):
    """The place was yours, and a swap handed it on meanwhile."""


def _my_assignment(request: HttpRequest, pk: int) -> Assignment:
    """Your place `pk`; 404 unless it is, or was yours until a swap handed it on
    (then HandedOn: the person is told, as for any other refusal)."""
    assignment = (
        Assignment.objects.select_related("shift", "slot__position")
        .filter(pk=pk, person=request.user)
        .first()
    )
    if assignment is not None:
        return assignment
    if SwapOffer.objects.filter(assignment_id=pk, offered_by=request.user).exists():
        raise HandedOn
    raise Http404


def _gone_on(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except HandedOn:
            messages.error(request, _("This place was already given up or handed on."))
            return redirect("shifts:mine")

    return wrapped


@role_required("respond")
@require_GET
def my_shifts(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    assignments = (
        Assignment.objects.filter(person=request.user, shift__end__gt=now)
        .select_related("shift", "slot__position")
        .prefetch_related(
            Prefetch(
                "swaps",
                queryset=SwapOffer.objects.filter(
                    status__in=[SwapOffer.Status.OPEN, SwapOffer.Status.PENDING]
                ),
                to_attr="live_swaps",
            )
        )
        .order_by("shift__start")
    )
    rules = RosterRules.current()
    notice = timedelta(hours=rules.release_notice_hours)
    rows = [
        {
            "assignment": a,
            "swap": a.live_swaps[0] if a.live_swaps else None,
            "releasable": a.shift.start - now >= notice,
            "started": a.shift.start <= now,
        }
        for a in assignments
    ]
    return render(
        request,
        "shifts/mine.html",
        {
            "rows": rows,
            "rules": rules,
            "time_off": TimeOff.objects.filter(
                person=request.user, last_day__gte=timezone.localdate()
            ),
        },
    )


@role_required("respond")
@require_POST
@_gone_on
def release(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _my_assignment(request, pk)
    _attempt(
        request,
        lambda: places.release(assignment),
        lambda _none: _("Released. The place is open for others again."),
    )
    return redirect("shifts:mine")


@role_required("respond")
@require_POST
@_gone_on
def cant_make_it(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _my_assignment(request, pk)

    def thanks(outcome: tuple[Slot, int]) -> str:
        sent = outcome[1]
        return _(
            "Thank you for saying so. Your place is now shown first to qualified teammates."
        ) + (" " + _("%(count)s teammates were emailed.") % {"count": sent} if sent else "")

    _attempt(request, lambda: places.cant_make_it(assignment, places.places_url(request)), thanks)
    return redirect("shifts:mine")


@role_required("respond")
@require_POST
@_gone_on
def offer_swap(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _my_assignment(request, pk)
    _attempt(
        request,
        lambda: places.offer_swap(assignment),
        lambda _offer: _("Offered for a swap. It stays yours until someone takes it."),
    )
    return redirect("shifts:mine")


@role_required("respond")
@require_POST
def withdraw_swap(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SwapOffer, pk=pk, offered_by=request.user)
    _attempt(
        request,
        lambda: places.withdraw_swap(pk, request.user),
        lambda _offer: _("Swap offer withdrawn."),
    )
    return redirect("shifts:mine")


@role_required("respond")
@require_POST
def take_swap(request: HttpRequest, pk: int) -> HttpResponse:
    # No 404 for a missing offer: its holder may have left the place a moment
    # ago (the offer goes with it), and places.take_swap tells the taker so.
    taken = _attempt(
        request,
        lambda: places.take_swap(pk, request.user),
        lambda offer: (
            _("Taken. A coordinator will approve the swap.")
            if offer.status == SwapOffer.Status.PENDING
            else _("Swapped: the shift is yours now.")
        ),
    )
    return redirect("shifts:mine" if taken else "shifts:places")


@role_required("respond")
@require_http_methods(["GET", "POST"])
def time_off(request: HttpRequest) -> HttpResponse:
    form = TimeOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        leave = form.save(commit=False)
        leave.person = request.user
        leave.save()
        messages.success(
            request, _("Time off saved. Coordinators are warned if they put you on a shift then.")
        )
        return redirect("shifts:time_off")
    entries = TimeOff.objects.filter(person=request.user, last_day__gte=timezone.localdate())
    return render(request, "shifts/time_off.html", {"form": form, "entries": entries})


@role_required("respond")
@require_POST
def delete_time_off(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(TimeOff, pk=pk, person=request.user).delete()
    messages.success(request, _("Time off removed."))
    return redirect("shifts:time_off")


@role_required("respond")
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    prefs = ShiftPreferences.of(request.user)
    form = PreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your shift settings are saved."))
        return redirect("shifts:preferences")
    return render(request, "shifts/preferences.html", {"form": form, "prefs": prefs})


@role_required("respond")
@require_POST
def new_feed(request: HttpRequest) -> HttpResponse:
    prefs = ShiftPreferences.of(request.user)
    token = prefs.new_feed_token()
    link = request.build_absolute_uri(reverse("shifts:feed", args=[token]))
    messages.success(request, _("New calendar link made. Any older link has stopped working."))
    form = PreferencesForm(instance=prefs)
    return render(request, "shifts/preferences.html", {"form": form, "prefs": prefs, "link": link})


@role_required("respond")
@require_POST
def revoke_feed(request: HttpRequest) -> HttpResponse:
    ShiftPreferences.of(request.user).revoke_feed()
    messages.success(request, _("Your calendar link no longer works."))
    return redirect("shifts:preferences")


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    prefs = (
        ShiftPreferences.objects.select_related("person")
        .filter(feed_token_hash=keyed_hash("feed", token), person__is_active=True)
        .exclude(feed_token_hash="")
        .first()
    )
    # The feed is a responder's: it ends when they lose the role (and comes back
    # if they get it back), as everything else a responder sees does.
    if prefs is None or not can(prefs.person, "respond"):
        raise Http404
    body = calendar_for(prefs.person, with_teammates=prefs.feed_shows_teammates)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    return response


@csrf_exempt  # called by a phone system, authenticated by its secret token alone
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def forward(request: HttpRequest, token: str) -> HttpResponse:
    """Who a call to the line reaches now (shifts/forwarding.py): plain text by
    default, ?format=json or ?format=twiml. A wrong or revoked token gets a bare 404."""
    rules = RosterRules.current()
    if not rules.forwarding_token_hash or not hmac.compare_digest(
        keyed_hash("forwarding", token), rules.forwarding_token_hash
    ):
        return HttpResponse(status=404, content_type="text/plain; charset=utf-8")
    kind = request.GET.get("format", "text")
    if kind not in ("text", "json", "twiml"):
        return HttpResponse(
            "unknown format: use text, json or twiml\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = forwarding.answer()
    if kind == "json":
        response = HttpResponse(forwarding.as_json(result), content_type="application/json")
    elif kind == "twiml":
        try:
            step = max(0, int(request.GET.get("step", "0")))
        except ValueError:
            step = 0
        finished = request.POST.get("DialCallStatus") == "completed"
        body = forwarding.as_twiml(result, step, finished_call=finished)
        response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    else:
        response = HttpResponse(
            forwarding.as_text(result), content_type="text/plain; charset=utf-8"
        )
    response["Line-State"] = result.state
    return response


# --- Roster (coordinators) ---------------------------------------------------------


def _month_from(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (whole_number(part, most_digits=4) or 0 for part in raw.split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _week_from(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("start", ""))
        if not 2000 <= day.year <= 2100:
            raise ValueError
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


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
    return {
        "roster": load_roster(start, end),
        "first": first,
        "last": last,
        "previous_page": f"{first - timedelta(days=7):%Y-%m-%d}",
        "next_page": f"{first + timedelta(days=7):%Y-%m-%d}",
        "view": "week",
    }


@role_required("coordinate")
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    context = _month_context(_month_from(request))
    context["pending_swaps"] = SwapOffer.objects.filter(status=SwapOffer.Status.PENDING).count()
    return render(request, "shifts/roster.html", context)


@role_required("coordinate")
@require_GET
def roster_week(request: HttpRequest) -> HttpResponse:
    context = _week_context(_week_from(request))
    context["pending_swaps"] = SwapOffer.objects.filter(status=SwapOffer.Status.PENDING).count()
    return render(request, "shifts/roster.html", context)


def _calendar(context: dict[str, Any]) -> dict[str, Any]:
    """Weeks of days (Monday first) for the one-page printed roster."""
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


@role_required("coordinate")
@require_GET
def print_month(request: HttpRequest) -> HttpResponse:
    return render(request, "shifts/print.html", _calendar(_month_context(_month_from(request))))


@role_required("coordinate")
@require_GET
def print_week(request: HttpRequest) -> HttpResponse:
    return render(request, "shifts/print.html", _calendar(_week_context(_week_from(request))))


@role_required("coordinate")
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    form = CoverageForm(request.GET or None)
    weeks = 4
    if form.is_valid() and form.cleaned_data["weeks"]:
        weeks = form.cleaned_data["weeks"]
    elif request.GET and not form.is_valid():
        messages.error(request, _("Choose between 1 and 26 weeks."))
    today = timezone.localdate()
    start, end = local_day_bounds(today, today + timedelta(days=7 * weeks - 1))
    data = load_roster(max(start, timezone.now()), end)
    return render(
        request,
        "shifts/coverage.html",
        {
            "form": form,
            "weeks": weeks,
            "roster": data,
            "shifts_with_problems": [s for s in data.shifts if s.problem_list and not s.cancelled],
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
def generate(request: HttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST or None)
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
def new_shift(request: HttpRequest) -> HttpResponse:
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shift = add_shift(
                form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["note"]
            )
        except IntegrityError:
            form.add_error(None, _("A shift with exactly these times already exists."))
        else:
            messages.success(request, _("Shift added."))
            return redirect(
                f"{reverse('shifts:roster_week')}?start={timezone.localtime(shift.start):%Y-%m-%d}"
            )
    return render(request, "shifts/shift_form.html", {"form": form})


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def edit_shift(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift, pk=pk)
    if shift.is_past():
        messages.error(request, _("This shift is over and can no longer be changed."))
        return redirect("shifts:roster")
    initial = {
        "start": timezone.localtime(shift.start),
        "end": timezone.localtime(shift.end),
        "note": shift.note,
    }
    form = ShiftForm(request.POST or None, initial=initial, shift=shift)
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
            return redirect(
                f"{reverse('shifts:roster_week')}?start={timezone.localtime(shift.start):%Y-%m-%d}"
            )
    return render(request, "shifts/shift_form.html", {"form": form, "shift": shift})


@role_required("coordinate")
@require_POST
def cancel_shift(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Shift, pk=pk)
    _attempt(request, lambda: places.cancel_shift(pk), lambda _shift: _("Shift cancelled."))
    return redirect(_back(request, "shifts:roster"))


@role_required("coordinate")
@require_POST
def restore_shift(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Shift, pk=pk)
    _attempt(request, lambda: places.restore_shift(pk), lambda _shift: _("Shift restored."))
    return redirect(_back(request, "shifts:roster"))


def _slot_for_coordinator(pk: int) -> Slot:
    return get_object_or_404(
        Slot.objects.select_related("shift", "position__required_skill"), pk=pk
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _slot_for_coordinator(pk)
    form = AssignForm(request.POST or None, people=holders_of("respond"))
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
                % {"name": form.cleaned_data["person"], "position": slot.position},
            )
            for warning in outcome.warnings:
                messages.warning(request, warning)
        if request.htmx:
            return _slot_fragment(request, pk)
        return redirect(_back(request, "shifts:roster"))
    candidates = places.candidates_for(slot)
    template = "shifts/assign.html#assign-form" if request.htmx else "shifts/assign.html"
    return render(
        request,
        template,
        {
            "slot": slot,
            "form": form,
            "candidates": candidates,
            "next": _back(request, "shifts:roster"),
        },
    )


@role_required("coordinate")
@require_POST
def unassign(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("person", "shift"), pk=pk)
    if assignment.shift.is_past():
        messages.error(request, _("This shift is over and can no longer be changed."))
    else:
        _attempt(
            request,
            lambda: places.unassign(assignment),
            lambda _none: _("%(name)s unassigned.") % {"name": assignment.person},
        )
    if request.htmx:
        return _slot_fragment(request, assignment.slot_id)
    return redirect(_back(request, "shifts:roster"))


def _slot_fragment(request: HttpRequest, slot_pk: int) -> HttpResponse:
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
                        "next": _back(request, "shifts:roster"),
                        "fragment": True,
                    },
                )
    raise Http404


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def hours(request: HttpRequest) -> HttpResponse:
    form = WindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Opening hours saved."))
        return redirect("shifts:hours")
    return render(
        request,
        "shifts/hours.html",
        {
            "form": form,
            "closure_form": ClosureForm(),
            "windows": ServiceWindow.objects.all(),
            "closures": Closure.objects.filter(date__gte=timezone.localdate()),
            "status": opening_status(),
        },
    )


@role_required("coordinate")
@require_POST
def delete_window(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ServiceWindow, pk=pk).delete()
    messages.success(request, _("Window removed. Shifts already generated stay as they are."))
    return redirect("shifts:hours")


@role_required("coordinate")
@require_POST
def add_closure(request: HttpRequest) -> HttpResponse:
    form = ClosureForm(request.POST)
    if form.is_valid():
        form.save()
        messages.success(request, _("Closure saved. Cancel any shifts already generated that day."))
        return redirect("shifts:hours")
    return render(
        request,
        "shifts/hours.html",
        {
            "form": WindowForm(),
            "closure_form": form,
            "windows": ServiceWindow.objects.all(),
            "closures": Closure.objects.filter(date__gte=timezone.localdate()),
            "status": opening_status(),
        },
    )


@role_required("coordinate")
@require_POST
def delete_closure(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Closure, pk=pk).delete()
    messages.success(request, _("Closure removed."))
    return redirect("shifts:hours")


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def positions(request: HttpRequest) -> HttpResponse:
    form = PositionForm(request.POST or None)
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
    form = PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and form.is_valid():
        position = form.save()
        future = Slot.objects.filter(position=position, shift__start__gt=timezone.now())
        future.filter(taken__lte=position.max_people).update(
            capacity=position.max_people, min_people=position.min_people
        )
        kept = future.filter(taken__gt=position.max_people).count()
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
    form = RulesForm(request.POST or None, instance=current)
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
@require_POST
def forwarding_token(request: HttpRequest) -> HttpResponse:
    current = RosterRules.current()
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


@role_required("coordinate")
@require_GET
def swaps(request: HttpRequest) -> HttpResponse:
    pending = SwapOffer.objects.filter(status=SwapOffer.Status.PENDING).select_related(
        "assignment__shift", "assignment__slot__position", "offered_by", "taken_by"
    )
    return render(request, "shifts/swaps.html", {"pending": pending})


@role_required("coordinate")
@require_POST
def decide_swap(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(SwapOffer, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Choose approve or decline."))
        return redirect("shifts:swaps")
    _attempt(
        request,
        lambda: places.decide_swap(pk, approve=decision == "approve"),
        lambda _offer: _("Swap approved.") if decision == "approve" else _("Swap declined."),
    )
    return redirect("shifts:swaps")
