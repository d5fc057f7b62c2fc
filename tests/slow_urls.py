"""Two pages that never finish on their own (see tests/slow_settings.py)."""

import time

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def busy(request: HttpRequest) -> HttpResponse:
    """Python code that runs on: the watchdog's exception stops it at its next line."""
    while True:
        sum(range(1000))


def blocked(request: HttpRequest) -> HttpResponse:
    """Waits inside one C call, where no exception arrives until it returns."""
    time.sleep(3600)
    return HttpResponse("")


urlpatterns = [
    path("slow/busy/", busy),
    path("slow/blocked/", blocked),
    path("", include("crisisline.urls")),
]
