"""The site's URL conf with a personal page added later under the library's
addresses, as a careless change might (see tests/crisisline/test_offline.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from crisisline.urls import urlpatterns as site


def my_saved_pages(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"saved by {request.user}")


urlpatterns = [path("protocols/mine/", my_saved_pages, name="my_saved_pages"), *site]
