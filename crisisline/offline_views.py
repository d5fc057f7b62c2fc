"""The installable, offline side of the site: manifest, service worker, the list
of copies a signed-in phone keeps (crisisline/offline.py) and the offline page."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from crisisline.models import Line
from crisisline.offline import offline_copies

THEME_COLOUR = "#14532d"  # --accent in crisisline.css


def _kept_always() -> list[str]:
    """What every kept page needs besides itself: the offline page, styles, icons."""
    return [
        reverse("offline"),
        static("crisisline.css"),
        static("vendor/htmx-2.0.11.min.js"),
        static("offline.js"),
        static("request-errors.js"),
        static("favicon.svg"),
    ]


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    line = Line.current()
    body = {
        "name": line.name,
        "short_name": line.name[:12],
        "start_url": reverse("shifts:oncall"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(body), content_type="application/manifest+json")


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = _("Offline copy from")
    config = {
        "copies": reverse("offline_copies"),
        "offline": reverse("offline"),
        "always": _kept_always(),
        "labels": labels,
        "timeZone": settings.TIME_ZONE,
    }
    context = {"config": json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")}
    response = HttpResponse(
        render_to_string("crisisline/sw.js", context),
        content_type="text/javascript; charset=utf-8",
    )
    # The browser checks for a new worker at most daily anyway; never keep it longer.
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@login_required
@require_safe
def copies(request: HttpRequest) -> HttpResponse:
    kept = offline_copies()
    return JsonResponse(
        {"addresses": kept.addresses, "fallbacks": kept.fallbacks, "always": _kept_always()}
    )


@require_safe
def offline_page(request: HttpRequest) -> HttpResponse:
    return render(request, "crisisline/offline.html")
