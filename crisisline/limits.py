"""How much a request may send, decided before anything reads its body.

Django reads a POST's body the first time something asks for request.POST, and
the CSRF check does that before the view runs: a 300 MB anonymous upload to the
sign-in page used to be spooled to disk before anyone was signed in. This
middleware answers 413 from the declared Content-Length alone, before the CSRF
check (it comes before it in MIDDLEWARE). Every view takes at most
settings.DATA_UPLOAD_MAX_MEMORY_SIZE; a view that takes uploads says how much
more with @accepts_body_up_to. A Content-Length that is not ASCII digits is
answered 400. A body with no Content-Length is not read by
Django at all (gunicorn passes chunked bodies on without one).

Uploads are held in memory only (settings.FILE_UPLOAD_HANDLERS), never
spooled to a temporary file: the cap above bounds that memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import bad_request

from crisisline.numbers import whole_number

View = Callable[..., HttpResponse]


def accepts_body_up_to(max_bytes: int) -> Callable[[View], View]:
    """Let this view take a request body of up to `max_bytes` (outermost decorator)."""

    def decorator(view: View) -> View:
        view.max_body_bytes = max_bytes  # type: ignore[attr-defined]
        return view

    return decorator


def body_limit_of(view: object) -> int:
    return int(getattr(view, "max_body_bytes", settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    response = render(request, "413.html", {"limit": limit}, status=413)
    # The rest of the body is never read, and gunicorn would read it all to reuse
    # the connection: it closes the connection instead when told so. Only gunicorn:
    # WSGI forbids hop-by-hop headers, and the development server (wsgiref) turns
    # one into a server error.
    if request.META.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        response["Connection"] = "close"
    return response


class BodyLimitMiddleware:
    def __init__(self, get_response: View) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        limit = body_limit_of(view)
        declared = whole_number(request.META.get("CONTENT_LENGTH") or "0", most_digits=20)
        if declared is None:
            # Django would read '３００' as 300 and fail on '²' or '1e9' with a server
            # error; gunicorn refuses them before they get here.
            return bad_request(request, SuspiciousOperation("Content-Length is not a number."))
        if declared > limit:
            return too_large(request, limit)
        return None
