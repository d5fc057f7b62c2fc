from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from crisisline.models import Line
from crisisline.roles import can


def line(request: HttpRequest) -> dict[str, Any]:
    """The line's name and the signed-in person's capabilities, for every page."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "line": Line.current(),
        "may": {
            "respond": signed_in and can(user, "respond"),
            "coordinate": signed_in and can(user, "coordinate"),
            "train": signed_in and can(user, "train"),
        },
    }
