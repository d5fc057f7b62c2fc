"""The record of roster and people changes, for coordinators (crisisline/audit.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from crisisline.audit import Change, Kind
from crisisline.numbers import whole_number
from crisisline.roles import role_required

CHANGES_PER_PAGE = 50


@role_required("coordinate")
@require_safe
def changes(request: HttpRequest) -> HttpResponse:
    """Every recorded change, newest first; by kind, by shift or by person."""
    found = Change.objects.all()
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        found = found.filter(kind=kind)
    else:
        kind = ""
    shift_id = whole_number(request.GET.get("shift"))
    if shift_id is not None:
        found = found.about_shift(shift_id)
    person_id = whole_number(request.GET.get("person"))
    if person_id is not None:
        found = found.about_person(person_id)
    page = Paginator(found, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    filters = "&".join(
        f"{name}={value}"
        for name, value in (("kind", kind), ("shift", shift_id), ("person", person_id))
        if value
    )
    return render(
        request,
        "crisisline/changes.html",
        {
            "page": page,
            "kinds": Kind.choices,
            "kind": kind,
            "shift_id": shift_id,
            "person_id": person_id,
            "filters": filters,
            "record_days": settings.CHANGE_RECORD_DAYS,
        },
    )
