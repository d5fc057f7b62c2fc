"""A small builder for care-map tests."""

from __future__ import annotations

from datetime import time
from typing import Any

from protocols.care_map import Resource, record_revision


def make_resource(
    slug: str = "night-shelter",
    *,
    needs: tuple[str, ...] = ("housing",),
    hours: tuple[tuple[int, time, time], ...] = (),
    author: Any = None,
    **fields: Any,
) -> Resource:
    fields.setdefault("name", slug.replace("-", " ").title())
    fields.setdefault("summary", f"What {slug} offers.")
    resource = Resource.objects.create(slug=slug, **fields)
    resource.set_needs(needs)
    resource.set_hours(hours)
    record_revision(resource, author=author, summary="First version")
    return resource
