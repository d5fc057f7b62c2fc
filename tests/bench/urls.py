from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from crisisline.roles import capabilities


def bare(request: HttpRequest) -> HttpResponse:
    """A constant response through the same middleware: the floor we compare to."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in(request: HttpRequest) -> HttpResponse:
    """What every signed-in page does before its own work: load the session and
    the person, read their roles and the line, render the base page empty."""
    capabilities(request.user)
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("bench/signed-in", signed_in, name="bench-signed-in"),
    path("", include("crisisline.urls")),
]
