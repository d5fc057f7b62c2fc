"""Paths for pages with many links (the month roster's ~2,000, the follow-up queue's
four a note): each route is reversed once per process, then only its argument changes."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

# Digits: a valid argument for both int and slug routes.
_PLACEHOLDER = "987654321"


@lru_cache(maxsize=128)
def _pattern(name: str, script_prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)


def path_to(name: str, argument: int | str) -> str:
    """`reverse(name, args=[argument])`, without reversing the route each time."""
    return _pattern(name, get_script_prefix(), get_urlconf()).replace(_PLACEHOLDER, str(argument))
