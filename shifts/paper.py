"""The line on paper: the week's on-call sheet and the month's roster.

The on-call sheet is the analog fallback a line keeps by the phone: for each
shift of a week, who holds the line and the fallback chain after them, in the
order a forwarded call walks it (shifts/forwarding.py); phone numbers only when
the coordinator asks for them, and a reminder to destroy the sheet once the
week is over.

The printed month is a day to a row with every name beside a short label for
its place ("LH Ana Ruiz"), the labels spelled out once at the top, so a fully
staffed month fits two landscape pages at 8 pt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crisisline.models import User
from crisisline.roles import role_required
from shifts.forwarding import LINE_HOLDER, chain_positions, dialable, in_chain_order
from shifts.models import Assignment, RosterRules, Shift, local_day_bounds


class SheetForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Week starting"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    numbers = forms.BooleanField(label=gettext_lazy("Include phone numbers"), required=False)

    def clean_start(self) -> date | None:
        day: date | None = self.cleaned_data["start"]
        if day is not None and not 2000 <= day.year <= 2100:
            raise forms.ValidationError(gettext_lazy("Choose a date between 2000 and 2100."))
        return day


@dataclass(frozen=True)
class Link:
    """One person in a shift's chain: who, in which role, and the number to dial."""

    person: User
    holds_line: bool
    source: str
    number: str


@dataclass(frozen=True)
class SheetShift:
    shift: Shift
    chain: list[Link]

    @property
    def held(self) -> bool:
        return any(link.holds_line for link in self.chain)


def week_sheet(monday: date) -> list[SheetShift]:
    """Every shift that starts in the week from `monday`, with its chain in call order."""
    start, end = local_day_bounds(monday, monday + timedelta(days=6))
    shifts = list(Shift.objects.active().filter(start__gte=start, start__lt=end).order_by("start"))
    rows: dict[int, list[tuple[int, bool, Assignment]]] = {shift.pk: [] for shift in shifts}
    assignments = (
        Assignment.objects.filter(shift__in=shifts, person__is_active=True)
        .select_related("person", "slot__position")
        .order_by("shift__start", "created_at", "pk")
    )
    for assignment in assignments:
        position = assignment.slot.position
        rows[assignment.shift_id].append((position.pk, position.holds_line, assignment))
    positions = chain_positions()
    return [
        SheetShift(
            shift=shift,
            chain=[
                Link(
                    person=assignment.person,
                    holds_line=source == LINE_HOLDER,
                    source=assignment.slot.position.name,
                    number=dialable(assignment.person.phone) or "",
                )
                for assignment, source in in_chain_order(rows[shift.pk], positions)
            ],
        )
        for shift in shifts
    ]


def short_labels(names: Iterable[str]) -> dict[str, str]:
    """A short label for each place name on the printed month: its initials
    ("Line holder" -> "LH", "Line holder (trainee)" -> "LHT"), numbered where
    two places would share them ("R", "R2")."""
    labels: dict[str, str] = {}
    for name in sorted(set(names)):
        initials = "".join(word[0] for word in re.findall(r"\w+", name)).upper() or name
        label, number = initials, 1
        while label in labels.values():
            number += 1
            label = f"{initials}{number}"
        labels[name] = label
    return labels


@never_cache
@role_required("coordinate")
@require_GET
def week_sheet_view(request: HttpRequest) -> HttpResponse:
    form = SheetForm(request.GET or None)
    day, numbers = timezone.localdate(), False
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["start"] or day
        numbers = form.cleaned_data["numbers"]
    monday = day - timedelta(days=day.weekday())
    context = {
        "form": form,
        "first": monday,
        "last": monday + timedelta(days=6),
        "sheet": week_sheet(monday),
        "numbers": numbers,
        "duty_phone": dialable(RosterRules.current().duty_phone) if numbers else "",
    }
    # never_cache: a sheet with numbers is not kept by the browser either.
    return render(request, "shifts/sheet.html", context)
