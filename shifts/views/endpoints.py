"""Addresses called by machines with a secret token: calendar feeds and call forwarding."""

from __future__ import annotations

import hmac

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from crisisline.models import keyed_hash
from crisisline.numbers import whole_number
from crisisline.roles import can
from shifts import forwarding
from shifts.feed import calendar_for
from shifts.models import (
    RosterRules,
    ShiftPreferences,
)


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    prefs = (
        ShiftPreferences.objects.select_related("person")
        .filter(feed_token_hash=keyed_hash("feed", token), person__is_active=True)
        .exclude(feed_token_hash="")
        .first()
    )
    # The feed is a responder's: it ends when they lose the role (and comes back
    # if they get it back), as everything else a responder sees does.
    if prefs is None or not can(prefs.person, "respond"):
        raise Http404
    body = calendar_for(prefs.person, with_teammates=prefs.feed_shows_teammates)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    return response


@csrf_exempt  # called by a phone system, authenticated by its secret token alone
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def forward(request: HttpRequest, token: str) -> HttpResponse:
    """Who a call to the line reaches now (shifts/forwarding.py): plain text by
    default, ?format=json or ?format=twiml. A wrong or revoked token gets a bare 404."""
    rules = RosterRules.current()
    if not rules.forwarding_token_hash or not hmac.compare_digest(
        keyed_hash("forwarding", token), rules.forwarding_token_hash
    ):
        return HttpResponse(status=404, content_type="text/plain; charset=utf-8")
    kind = request.GET.get("format", "text")
    if kind not in ("text", "json", "twiml"):
        return HttpResponse(
            "unknown format: use text, json or twiml\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = forwarding.answer()
    if kind == "json":
        response = HttpResponse(forwarding.as_json(result), content_type="application/json")
    elif kind == "twiml":
        step = whole_number(request.GET.get("step", "0"), most_digits=3) or 0
        finished = request.POST.get("DialCallStatus") == "completed"
        body = forwarding.as_twiml(result, step, finished_call=finished)
        response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    else:
        response = HttpResponse(
            forwarding.as_text(result), content_type="text/plain; charset=utf-8"
        )
    response["Line-State"] = result.state
    return response
