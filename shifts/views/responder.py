"""What responders use: on call now, open places, their own shifts, swaps, time off
and shift settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.briefing import briefing_for
from calls.followups import aftercare_context, field_context, follow_ups_for, no_store_if_shown
from crisisline.binding import posted
from crisisline.confirm import Confirmation, act_after_asking, delete_after_asking
from crisisline.models import User
from crisisline.roles import SignedInRequest, role_required
from shifts import oncall as oncall_board
from shifts import places
from shifts.forms import (
    PlacesFilter,
    PreferencesForm,
    TimeOffForm,
)
from shifts.hours import opening_status
from shifts.line_alerts import line_gaps
from shifts.models import (
    Assignment,
    RosterRules,
    Shift,
    ShiftPreferences,
    Slot,
    SwapOffer,
    TimeOff,
    local_day_bounds,
    shifts_during_time_off,
)
from shifts.views.common import attempt, attempt_after_asking, back, member_required, week_from

# --- On call now -----------------------------------------------------------------


@member_required
@require_GET
def oncall(request: SignedInRequest) -> HttpResponse:
    now = timezone.now()
    current, later = oncall_board.running_and_later(now)
    since = places.reach_back(now)
    who = places.standing_of(request.user, since)
    responds = who.responds
    yours = oncall_board.your_shifts(who, now) if responds else []
    status = opening_status(now)
    follow_ups = follow_ups_for(request) if responds else None
    field = field_context(request, now, responds=responds)
    due = cast("datetime | None", field.get("field_next_due"))
    aftercare = (
        aftercare_context(
            request, responds=True, now=now, bookings=who.bookings, bookings_since=since
        )
        if responds
        else {}
    )
    response = render(
        request,
        "shifts/oncall.html#board" if request.htmx else "shifts/oncall.html",
        {
            "now": now,
            "current": current,
            "following": later[0] if later else None,
            "mine": yours[0] if yours else None,
            "open_places": oncall_board.open_places_for(request.user, now, who) if responds else [],
            "status": status,
            "refresh": oncall_board.refresh_seconds(now, current, later, status, due),
            "line_gaps": line_gaps(now),
            "follow_ups": follow_ups,
            **aftercare,
            **field,
            "briefing": (
                briefing_for(request, who.bookings, now) if responds and not request.htmx else None
            ),
        },
    )
    return no_store_if_shown(follow_ups, response)


@member_required
@require_GET
def team_roster(request: SignedInRequest) -> HttpResponse:
    """A week of the roster, read-only: who works with whom. Three queries."""
    first = week_from(request)
    start, end = local_day_bounds(first, first + timedelta(days=6))
    people = Prefetch("assignments", queryset=Assignment.objects.select_related("person"))
    slots = Prefetch(
        "slots", queryset=Slot.objects.select_related("position").prefetch_related(people)
    )
    shifts = (
        Shift.objects.filter(start__gte=start, start__lt=end, cancelled=False)
        .order_by("start")
        .prefetch_related(slots)
    )
    days: dict[Any, list[Shift]] = {}
    for shift in shifts:
        days.setdefault(timezone.localtime(shift.start).date(), []).append(shift)
    return render(
        request,
        "shifts/team.html",
        {
            "days": days.items(),
            "first": first,
            "last": first + timedelta(days=6),
            "previous_page": f"{first - timedelta(days=7):%Y-%m-%d}",
            "next_page": f"{first + timedelta(days=7):%Y-%m-%d}",
        },
    )


# --- Responder self-service --------------------------------------------------------


PLACES_PER_PAGE = 20
PLACES_DAYS = 62


@role_required("respond")
@require_GET
def open_places(request: SignedInRequest) -> HttpResponse:
    """The places you may take in the next two months (shifts.places decides),
    urgent first, a page at a time; then the shifts teammates offer you may take."""
    now = timezone.now()
    who = places.standing_of(request.user, places.reach_back(now))
    # Read once for both lists: every place on this page starts after now.
    known = places.circumstances_of(request.user, now)
    slots = (
        Slot.objects.open()
        .upcoming(now)
        .filter(shift__start__lt=now + timedelta(days=PLACES_DAYS))
        .order_by(F("urgent_since").asc(nulls_last=True), "shift__start", "position__order")
    )
    chosen = PlacesFilter(request.GET)
    if chosen.is_valid():
        if day := chosen.cleaned_data["day"]:
            start, end = local_day_bounds(day, day)
            slots = slots.filter(shift__start__gte=start, shift__start__lt=end)
        if position := chosen.cleaned_data["position"]:
            slots = slots.filter(position=position)
    found = places.places_open_to(request.user, slots, now, who, known)
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
    swaps = places.swaps_open_to(request.user, offers, now, who, known)
    return render(
        request,
        "shifts/places.html",
        {"page": page, "swaps": swaps, "filter": chosen, "filter_query": chosen.query()},
    )


@role_required("respond")
@require_POST
def claim(request: SignedInRequest, pk: int) -> HttpResponse:
    get_object_or_404(Slot, pk=pk)
    claimed = attempt(
        request,
        lambda: places.claim(pk, request.user),
        lambda assignment: (
            _("You are on %(when)s as %(position)s.")
            % {"when": places.when(assignment.shift), "position": assignment.slot.name}
        ),
    )
    return redirect(back(request, "shifts:mine" if claimed else "shifts:places"))


class HandedOn(Exception):
    """The place was yours, and a swap handed it on meanwhile."""


def _my_assignment(request: SignedInRequest, pk: int) -> Assignment:
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
    def wrapped(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except HandedOn:
            messages.error(request, _("This place was already given up or handed on."))
            return redirect("shifts:mine")

    return wrapped


def _places_ahead(person: User, now: datetime, notice: timedelta) -> list[dict[str, Any]]:
    """The person's places that have not ended, each with its open or pending swap
    and whether it may still be released with the line's notice."""
    live = SwapOffer.objects.filter(status__in=[SwapOffer.Status.OPEN, SwapOffer.Status.PENDING])
    assignments = (
        Assignment.objects.filter(person=person, shift__end__gt=now)
        .select_related("shift", "slot__position")
        .prefetch_related(Prefetch("swaps", queryset=live, to_attr="live_swaps"))
        .order_by("shift__start")
    )
    return [
        {
            "assignment": a,
            "swap": a.live_swaps[0] if a.live_swaps else None,
            "releasable": a.shift.start - now >= notice,
            "started": a.shift.start <= now,
        }
        for a in assignments
    ]


@role_required("respond")
@require_GET
def my_shifts(request: SignedInRequest) -> HttpResponse:
    now = timezone.now()
    rules = RosterRules.current()
    rows = _places_ahead(request.user, now, timedelta(hours=rules.release_notice_hours))
    return render(
        request,
        "shifts/mine.html",
        {
            "rows": rows,
            "taken_swaps": SwapOffer.objects.filter(
                taken_by=request.user,
                status=SwapOffer.Status.PENDING,
                assignment__shift__end__gt=now,
            ).select_related("assignment__shift", "assignment__slot__position", "offered_by"),
            "rules": rules,
            "time_off": TimeOff.objects.filter(
                person=request.user, last_day__gte=timezone.localdate()
            ),
        },
    )


def _place(assignment: Assignment) -> dict[str, str]:
    return {"when": places.when(assignment.shift), "position": str(assignment.slot.position)}


@role_required("respond")
@require_http_methods(["GET", "POST"])
@_gone_on
def release(request: SignedInRequest, pk: int) -> HttpResponse:
    assignment = _my_assignment(request, pk)
    return attempt_after_asking(
        request,
        Confirmation(
            question=_("Release your place as %(position)s on %(when)s?") % _place(assignment),
            explain=_("It goes back to the team, open for anyone to claim."),
            action=_("Release"),
            back=reverse("shifts:mine"),
        ),
        lambda: places.release(assignment),
        lambda _none: _("Released. The place is open for others again."),
    )


@role_required("respond")
@require_http_methods(["GET", "POST"])
@_gone_on
def cant_make_it(request: SignedInRequest, pk: int) -> HttpResponse:
    # Asked like release, with its own words and change: the place turns urgent, teammates hear.
    assignment = _my_assignment(request, pk)

    def thanks(outcome: tuple[Slot, int]) -> str:
        sent = outcome[1]
        return _(
            "Thank you for saying so. Your place is now shown first to qualified teammates."
        ) + (" " + _("%(count)s teammates were emailed.") % {"count": sent} if sent else "")

    return attempt_after_asking(
        request,
        Confirmation(
            question=_("Give up your place as %(position)s on %(when)s?") % _place(assignment),
            explain=_(
                "It stops being yours at once and is shown as urgent to qualified teammates."
            ),
            action=_("I can't make it"),
            back=reverse("shifts:mine"),
        ),
        lambda: places.cant_make_it(assignment, places.places_url(request)),
        thanks,
    )


@role_required("respond")
@require_POST
@_gone_on
def offer_swap(request: SignedInRequest, pk: int) -> HttpResponse:
    assignment = _my_assignment(request, pk)
    attempt(
        request,
        lambda: places.offer_swap(assignment),
        lambda _offer: _("Offered for a swap. It stays yours until someone takes it."),
    )
    return redirect("shifts:mine")


@role_required("respond")
@require_http_methods(["GET", "POST"])
def withdraw_swap(request: SignedInRequest, pk: int) -> HttpResponse:
    get_object_or_404(SwapOffer, pk=pk, offered_by=request.user)
    return attempt_after_asking(
        request,
        Confirmation(
            question=_("Withdraw your swap offer?"),
            explain=_("Teammates can no longer take it; the shift stays yours."),
            action=_("Withdraw the offer"),
            back=reverse("shifts:mine"),
        ),
        lambda: places.withdraw_swap(pk, request.user),
        lambda _offer: _("Swap offer withdrawn."),
    )


@role_required("respond")
@require_POST
def take_swap(request: SignedInRequest, pk: int) -> HttpResponse:
    # No 404 for a missing offer: its holder may have left the place a moment
    # ago (the offer goes with it), and places.take_swap tells the taker so.
    taken = attempt(
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
def time_off(request: SignedInRequest) -> HttpResponse:
    form = TimeOffForm(posted(request))
    if request.method == "POST" and form.is_valid():
        leave = form.save(commit=False)
        leave.person = request.user
        leave.save()
        messages.success(
            request, _("Time off saved. Coordinators are warned if they put you on a shift then.")
        )
        clashes = [
            a
            for a in shifts_during_time_off(request.user, timezone.now())
            if leave.covers(a.shift.start, a.shift.end)
        ]
        if clashes:
            messages.warning(
                request,
                ngettext(
                    "You are still on %(count)s shift in this time off. "
                    "Say you can't make it below, so a teammate can take it.",
                    "You are still on %(count)s shifts in this time off. "
                    "Say you can't make it below, so teammates can take them.",
                    len(clashes),
                )
                % {"count": len(clashes)},
            )
        return redirect("shifts:time_off")
    entries = TimeOff.objects.filter(person=request.user, last_day__gte=timezone.localdate())
    return render(
        request,
        "shifts/time_off.html",
        {
            "form": form,
            "entries": entries,
            "clashes": shifts_during_time_off(request.user, timezone.now()),
        },
    )


@role_required("respond")
@require_http_methods(["GET", "POST"])
def delete_time_off(request: SignedInRequest, pk: int) -> HttpResponse:
    leave = get_object_or_404(TimeOff, pk=pk, person=request.user)
    return delete_after_asking(
        request,
        leave,
        Confirmation(
            question=_("Remove this time off?"),
            explain=_("You can be put on shifts on those days again."),
            action=_("Remove"),
            back=reverse("shifts:time_off"),
        ),
        _("Time off removed."),
    )


@role_required("respond")
@require_http_methods(["GET", "POST"])
def preferences(request: SignedInRequest) -> HttpResponse:
    prefs = ShiftPreferences.of(request.user)
    form = PreferencesForm(posted(request), instance=prefs)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your shift settings are saved."))
        return redirect("shifts:preferences")
    return render(request, "shifts/preferences.html", {"form": form, "prefs": prefs})


@role_required("respond")
@require_POST
def new_feed(request: SignedInRequest) -> HttpResponse:
    prefs = ShiftPreferences.of(request.user)
    token = prefs.new_feed_token()
    link = request.build_absolute_uri(reverse("shifts:feed", args=[token]))
    messages.success(request, _("New calendar link made. Any older link has stopped working."))
    form = PreferencesForm(instance=prefs)
    return render(request, "shifts/preferences.html", {"form": form, "prefs": prefs, "link": link})


@role_required("respond")
@require_http_methods(["GET", "POST"])
def revoke_feed(request: SignedInRequest) -> HttpResponse:
    def revoke() -> None:
        ShiftPreferences.of(request.user).revoke_feed()
        messages.success(request, _("Your calendar link no longer works."))

    return act_after_asking(
        request,
        Confirmation(
            question=_("Turn your calendar link off?"),
            explain=_("Calendars that use it stop showing your shifts."),
            action=_("Turn the link off"),
            back=reverse("shifts:preferences"),
        ),
        revoke,
    )
