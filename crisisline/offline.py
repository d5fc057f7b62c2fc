"""What a signed-in phone may keep for reading with no signal, and nothing else.

Offline is for knowledge only (DESIGN.md): protocols, decision trees and the
line's resources. The list of addresses the service worker copies comes from
the URL conf through an allow-list of route names: an app adds its readable
routes with `register`, and every address is resolved again before it is
offered, so a route that is not on the list (a note, the roster, a person, a
coordinator's page) is never copied, even when its address looks like one
that is (a protocol whose slug is "stale" resolves to the trainers' list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import Resolver404, resolve

# Routes of the project itself that any phone may keep: the short page shown
# when a page was not kept.
_ROUTES: set[str] = {"offline"}
_PROVIDERS: list[Callable[[], Iterable[str]]] = []
# A reader who opens one of these addresses with no signal gets the kept page
# on the right (a tree's step-through falls back to the tree on one page).
_FALLBACKS: list[Callable[[], dict[str, str]]] = []


def register(
    routes: Iterable[str],
    addresses: Callable[[], Iterable[str]],
    fallbacks: Callable[[], dict[str, str]] | None = None,
) -> None:
    """Let phones keep `routes` (URL names, "app:name"); `addresses` lists the
    paths to copy now. Called from an app's `ready()`."""
    _ROUTES.update(routes)
    if addresses not in _PROVIDERS:
        _PROVIDERS.append(addresses)
    if fallbacks is not None and fallbacks not in _FALLBACKS:
        _FALLBACKS.append(fallbacks)


def allowed_routes() -> frozenset[str]:
    return frozenset(_ROUTES)


def route_of(path: str) -> str | None:
    """The URL name a path resolves to, or None when it resolves to nothing."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return None
    return match.view_name


def may_keep(path: str) -> bool:
    """Whether a phone may keep a copy of this path: its route is on the allow-list."""
    return route_of(path) in _ROUTES


@dataclass(frozen=True)
class Copies:
    addresses: list[str]
    fallbacks: dict[str, str]


def offline_copies() -> Copies:
    """Every address a signed-in phone should keep, each checked against the allow-list."""
    seen: dict[str, None] = {}
    for provider in _PROVIDERS:
        for address in provider():
            if may_keep(address):
                seen.setdefault(address, None)
    fallbacks = {
        source: target
        for provider in _FALLBACKS
        for source, target in provider().items()
        if target in seen
    }
    return Copies(addresses=list(seen), fallbacks=fallbacks)
