"""Confirm before a destructive action: one pattern for every view that has one.

A destructive view answers GET with a question and POST with the action, on the
same URL. Its trigger on a list page is a link to that URL
(`{% include "confirm.html#trigger" with url=… label=… %}`):

- without JavaScript, the link opens a confirmation page (the question, what it
  does, the button that does it and a way back);
- with htmx, the link fetches the question as a small fragment that takes the
  link's place; "Keep it" puts the link back, the button makes the real POST.

A view uses it like this:

    if request.method != "POST":
        return ask_first(request, Confirmation(question=…, action=…, back=…))

or, when going back where "Keep it" would is all that follows the action,
`act_after_asking(…)`; a view whose action is only to delete one row:
`delete_after_asking(…)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_htmx.middleware import HtmxDetails


@dataclass(frozen=True)
class Confirmation:
    """What the person is asked before an action they could not take back."""

    question: str  # "Release this place?"
    action: str  # the label of the button that does it: "Release"
    back: str  # a path: where "Keep it" goes without JavaScript
    explain: str = ""  # what happens, in a sentence
    keep: str = field(default_factory=lambda: str(_("No, go back")))
    hidden: dict[str, str] = field(default_factory=dict)  # fields the POST needs
    # With htmx, POST in place and swap this element (e.g. "#slot-12") instead of a page load.
    swap: str = ""


def _same_site_path(request: HttpRequest, target: str) -> str:
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def ask_first(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    """The question before the action: a page, or with htmx the fragment that
    replaces the trigger link (and the link again when the person keeps it)."""
    hidden = dict(confirmation.hidden)
    forwarded = _same_site_path(request, request.GET.get("next", ""))
    if forwarded:
        hidden.setdefault("next", forwarded)
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    # Keep it: where the person came from, so the page they were on comes back as it was.
    back = forwarded or confirmation.back
    if htmx and htmx.current_url_abs_path:
        back = _same_site_path(request, htmx.current_url_abs_path) or back
    context = {
        "ask": confirmation,
        "url": request.path,
        "hidden": hidden,
        "back": back,
        "next": forwarded,
    }
    if htmx:
        return render(request, "confirm.html#question", context)
    return render(request, "confirm.html", context)


def act_after_asking(
    request: HttpRequest, confirmation: Confirmation, act: Callable[[], object]
) -> HttpResponse:
    """GET asks; POST does `act` (which tells the person how it went) and goes back
    where "Keep it" would."""
    if request.method != "POST":
        return ask_first(request, confirmation)
    act()
    return redirect(confirmation.back)


def delete_after_asking(
    request: HttpRequest, row: Model, confirmation: Confirmation, done: str
) -> HttpResponse:
    """GET asks; POST deletes `row`, says `done` and goes back where "Keep it" would."""

    def delete() -> None:
        row.delete()
        messages.success(request, done)

    return act_after_asking(request, confirmation, delete)
