from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """A constant response through the same middleware: the floor we compare to."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("", include("crisisline.urls")),
]
