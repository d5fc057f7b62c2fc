"""{% recent_changes shift=… %} / {% recent_changes person=… %}: the latest recorded
changes about one shift or one person, for the pages coordinators edit them on."""

from __future__ import annotations

from typing import Any

from django import template

from crisisline.audit import Change

register = template.Library()

RECENT = 10


@register.inclusion_tag("crisisline/_recent_changes.html")
def recent_changes(shift: Any = None, person: Any = None) -> dict[str, Any]:
    found = Change.objects.none()
    query = ""
    if shift is not None and shift.pk:
        found, query = Change.objects.about_shift(shift.pk), f"shift={shift.pk}"
    elif person is not None and person.pk:
        found, query = Change.objects.about_person(person.pk), f"person={person.pk}"
    return {"changes": list(found[:RECENT]), "query": query, "more": RECENT}
