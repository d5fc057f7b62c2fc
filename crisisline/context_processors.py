from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from crisisline.models import Line
from crisisline.roles import capabilities


def line(request: HttpRequest) -> dict[str, Any]:
    """The line's name and the signed-in person's capabilities, for every page."""
    user = getattr(request, "user", None)
    held = capabilities(user) if user is not None else frozenset()
    return {
        # Lazy: a view that already loaded the line passes it, and it is read once.
        "line": SimpleLazyObject(Line.current),
        "may": {
            capability: capability in held for capability in ("respond", "coordinate", "train")
        },
    }
