"""The library as a phone keeps it for reading with no signal.

A decision tree is kept as one page (`tree_offline`): every step a section,
every answer a link within the page, so it works offline without JavaScript.
`addresses` and `fallbacks` tell crisisline.offline what to copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from protocols import trees
from protocols.care_map import Resource
from protocols.markdown import render as render_markdown
from protocols.models import Protocol

ROUTES = (
    "protocols:library",
    "protocols:page",
    "protocols:tree_offline",
    "protocols:resources",
    "protocols:resource",
)


def addresses() -> Iterator[str]:
    """The library index (as it opens, and in each language), every page and every
    tree, and the team's resources."""
    library = reverse("protocols:library")
    yield library
    for code, _name in settings.LANGUAGES:
        yield f"{library}?language={code}"
    for slug, kind in Protocol.objects.order_by("language", "slug").values_list("slug", "kind"):
        if kind == Protocol.Kind.TREE:
            yield reverse("protocols:tree_offline", args=[slug])
        else:
            yield reverse("protocols:page", args=[slug])
    # The care map: the directory as it opens, and every resource's page.
    yield reverse("protocols:resources")
    for slug in Resource.objects.order_by("slug").values_list("slug", flat=True):
        yield reverse("protocols:resource", args=[slug])


def fallbacks() -> dict[str, str]:
    """With no signal, a tree's step-through opens the tree on one page."""
    return {
        reverse("protocols:tree", args=[slug]): reverse("protocols:tree_offline", args=[slug])
        for slug in Protocol.objects.filter(kind=Protocol.Kind.TREE).values_list("slug", flat=True)
    }


def steps(outline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The print outline flattened into its numbered steps, in order."""
    flat: list[dict[str, Any]] = []

    def visit(items: list[dict[str, Any]]) -> None:
        for item in items:
            flat.append(item)
            for branch in item["answers"]:
                visit(branch["items"])

    visit(outline)
    return sorted(flat, key=lambda item: item["step"])


@login_required
@require_GET
def tree_offline(request: HttpRequest, slug: str) -> HttpResponse:
    protocol = get_object_or_404(Protocol, slug=slug, kind=Protocol.Kind.TREE)
    revision = protocol.current
    if revision is None:
        raise Http404
    items = steps(trees.outline(revision.document, render_markdown))
    linked_slugs = {s for item in items for s in item["node"].get("links", [])}
    linked = {p.slug: p for p in Protocol.objects.filter(slug__in=linked_slugs)}
    for item in items:
        item["links"] = [linked[s] for s in item["node"].get("links", []) if s in linked]
    context = {"protocol": protocol, "revision": revision, "steps": items}
    return render(request, "protocols/tree_offline.html", context)
