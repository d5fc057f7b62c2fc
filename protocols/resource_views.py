"""The care map: the team's directory (anyone holding a role reads it; trainers and
coordinators edit), and a public page of shareable resources the line can switch on."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.models import Need
from crisisline.limits import accepts_body_up_to
from crisisline.phones import display as phone_display
from crisisline.roles import can
from protocols import bundle, care_map, directory, resource_bundle
from protocols.care_map import PublicDirectory, Resource, ResourceRevision
from protocols.resource_forms import (
    DirectoryFilterForm,
    PublicSwitchForm,
    ResourceForm,
    ResourceImportConfirmForm,
    ResourceImportForm,
)
from protocols.revisions import with_previous

View = Callable[..., HttpResponse]

# The one-tap filters: (GET parameter, label).
FILTERS = [
    ("no_police", gettext_lazy("No police involvement")),
    ("no_id", gettext_lazy("No ID needed")),
    ("open_now", gettext_lazy("Open now")),
    ("spanish", gettext_lazy("Speaks Spanish")),
]


def may_read(user: Any) -> bool:
    return any(can(user, c) for c in ("respond", "coordinate", "train"))


def may_edit(user: Any) -> bool:
    """Trainers and coordinators keep the care map true."""
    return can(user, "train") or can(user, "coordinate")


def _requires(rule: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not rule(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


member_required = _requires(may_read)
editor_required = _requires(may_edit)


def _resource(slug: str) -> Resource:
    return get_object_or_404(Resource, slug=slug)


def searched(
    resources: care_map.ResourceQuerySet, data: dict[str, Any]
) -> care_map.ResourceQuerySet:
    """The resources the directory's search and filters (all but "open now") leave."""
    if data.get("q"):
        resources = resources.search(data["q"])
    if data.get("need"):
        resources = resources.for_need(data["need"])
    if data.get("no_police"):
        resources = resources.without_police()
    if data.get("no_id"):
        resources = resources.without_id()
    if data.get("spanish"):
        resources = resources.speaking_spanish()
    return resources


def filtered(resources: care_map.ResourceQuerySet, data: dict[str, Any]) -> list[Resource]:
    """Every resource the search and filters leave, in the order to offer them, read
    in full with their needs and hours (for the pocket list)."""
    order = directory.ranked(searched(resources, data), only_open=bool(data.get("open_now")))
    by_pk = Resource.objects.filter(pk__in=[pk for pk, _open in order]).for_directory().in_bulk()
    found = []
    for pk, is_open in order:
        resource = by_pk[pk]
        resource.open_now = is_open
        found.append(resource)
    return found


def _toggle_links(request: HttpRequest, base: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    links = []
    for name, label in FILTERS:
        params = {k: v for k, v in request.GET.items() if k not in (name, "shown") and v}
        on = bool(data.get(name))
        if not on:
            params[name] = "1"
        links.append(
            {
                "name": name,
                "label": label,
                "on": on,
                "url": f"{base}?{urlencode(params)}" if params else base,
            }
        )
    return links


# Cards a page shows first, and at most after "Show more" (see the README).
PAGE = 20
MOST = 1000


def _shown(raw: str) -> int:
    """How many cards to show: a multiple of PAGE from the URL, within bounds."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 5):
        return PAGE
    return min(max(int(raw) // PAGE * PAGE, PAGE), MOST)


def _directory(
    request: HttpRequest, resources: care_map.ResourceQuerySet, public: bool = False
) -> dict[str, Any]:
    base = request.path
    form = DirectoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    # Cards come a page at a time: the first are the ones to reach for.
    shown = _shown(request.GET.get("shown", ""))
    order = directory.ranked(searched(resources, data), only_open=bool(data.get("open_now")))
    total = len(order)
    more = {k: v for k, v in request.GET.items() if v}
    more["shown"] = str(shown + PAGE)
    return {
        "form": form,
        "resources": directory.Cards(public=public).for_ranked(order[:shown]),
        "total": total,
        "more_url": f"{base}?{urlencode(more)}" if total > shown else "",
        "left": max(total - shown, 0),
        "filters": _toggle_links(request, base, data),
        "filtering": any(data.values()),
        "need": Need(data["need"]) if data.get("need") else None,
    }


# --- Reading (anyone holding a role) -------------------------------------------------------


@member_required
@require_GET
def resources(request: HttpRequest) -> HttpResponse:
    context = _directory(request, Resource.objects.all())
    context["due_count"] = (
        Resource.objects.due_for_verification().count() if may_edit(request.user) else 0
    )
    context["public_on"] = PublicDirectory.current().is_on
    return render(request, "protocols/resources/list.html", context)


@member_required
@require_GET
def resource(request: HttpRequest, slug: str) -> HttpResponse:
    found = _resource(slug)
    hours = list(found.hours.all())
    return render(
        request,
        "protocols/resources/detail.html",
        {
            "resource": found,
            "opening": care_map.opening(hours),
            "week": care_map.weekly_hours(hours),
            "phone": phone_display(found.phone) if found.phone else "",
            "text_number": phone_display(found.text_number) if found.text_number else "",
        },
    )


@member_required
@require_GET
def resource_print(request: HttpRequest) -> HttpResponse:
    """A pocket list: the resources for one need (or all), safest first, on paper."""
    form = DirectoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    found = filtered(Resource.objects.filter(do_not_refer=False), data)
    found.sort(key=lambda r: (care_map.ring_of(r), r.name.lower()))
    return render(
        request,
        "protocols/resources/print.html",
        {
            "resources": found,
            "need": Need(data["need"]) if data.get("need") else None,
            "needs": Need.choices,
            "today": timezone.localdate(),
        },
    )


@member_required
@require_GET
def resource_map(request: HttpRequest) -> HttpResponse:
    shapes, listed = care_map.drawn_map()
    return render(
        request,
        "protocols/resources/map.html",
        {
            "shapes": mark_safe(shapes),  # every text escaped in care_map.draw
            "listed": mark_safe(listed),
            "size": care_map.MAP_SIZE,
        },
    )


@member_required
@require_GET
def resource_history(request: HttpRequest, slug: str) -> HttpResponse:
    found = _resource(slug)
    revisions = list(found.revisions.select_related("author").order_by("-number"))
    rows = [
        {"revision": rev, "changed": rev.changed_fields(older)}
        for rev, older in with_previous(revisions)
    ]
    return render(request, "protocols/resources/history.html", {"resource": found, "rows": rows})


# --- Writing (trainers and coordinators) --------------------------------------------------


def _save(form: ResourceForm, request: HttpRequest, summary: str) -> Resource:
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.updated_at = timezone.now()
        saved.referral_ways = form.cleaned_data["referral_ways"]
        saved.save()
        saved.set_needs(form.cleaned_data["needs"])
        saved.set_hours(form.cleaned_data["spans"])
        care_map.record_revision(
            saved, author=request.user, summary=form.cleaned_data["summary_of_change"] or summary
        )
    return saved


@editor_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(form, request, _("First version"))
        except IntegrityError:
            form.add_error("slug", _("Another resource already has this short name."))
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": saved.name})
            return redirect(saved)
    return render(request, "protocols/resources/edit.html", {"form": form, "resource": None})


@editor_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, slug: str) -> HttpResponse:
    found = _resource(slug)
    form = ResourceForm(
        request.POST if request.method == "POST" else None,
        instance=found,
        initial={"referral_ways": found.referral_ways},
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(form, request, _("Edited"))
        messages.success(request, _("Saved a new revision."))
        return redirect(saved)
    return render(request, "protocols/resources/edit.html", {"form": form, "resource": found})


@editor_required
@require_POST
def resource_verify(request: HttpRequest, slug: str) -> HttpResponse:
    found = _resource(slug)
    found.mark_verified()
    care_map.record_revision(found, author=request.user, summary=_("Verified"))
    messages.success(
        request,
        _("Marked as verified today. Next check due %(due)s.")
        % {"due": found.verify_due_on.isoformat()},
    )
    return redirect(found)


@editor_required
@require_POST
def resource_restore(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    found = _resource(slug)
    revision = get_object_or_404(ResourceRevision, resource=found, number=number)
    written = care_map.restore(found, revision, author=request.user)
    messages.success(
        request,
        _(
            "Restored revision %(old)d as revision %(new)d. Nothing was lost: the version "
            "before is still in the history."
        )
        % {"old": revision.number, "new": written.number},
    )
    return redirect(found)


@editor_required
@require_GET
def resource_export(request: HttpRequest) -> HttpResponse:
    """CSV of the shareable resources; team-only ones only when the editor asks."""
    include_team = request.GET.get("include_team") == "1"
    found = Resource.objects.all() if include_team else Resource.objects.shareable()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = "resources-all.csv" if include_team else "resources-shareable.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    columns = ["slug", *care_map.RECORDED_FIELDS, "needs", "hours"]
    writer.writerow(columns)
    for resource_row in found.for_directory():
        data = care_map.snapshot(resource_row)
        writer.writerow([_csv_safe(resource_row.slug)] + [_csv_safe(data[c]) for c in columns[1:]])
    return response


def _csv_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, list):
        value = " ".join("-".join(str(p) for p in v) if isinstance(v, list) else v for v in value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


REFERRAL_WEEKS = 8


@editor_required
@require_GET
def resource_referrals(request: HttpRequest) -> HttpResponse:
    """Anonymous weekly referral counts per resource, small counts hidden."""
    from datetime import timedelta

    from calls.evaluation import SMALL_COUNT, referral_table
    from calls.models import ReferralTally, week_of

    this_week = week_of(timezone.localdate())
    weeks = [this_week - timedelta(weeks=n) for n in range(REFERRAL_WEEKS - 1, -1, -1)]
    rows = ReferralTally.objects.filter(week__in=weeks).values_list(
        "week", "resource__slug", "resource__name", "count"
    )
    return render(
        request,
        "protocols/resources/referrals.html",
        {"weeks": weeks, "rows": referral_table(rows, weeks), "small": SMALL_COUNT},
    )


@editor_required
@require_GET
def resource_export_zip(request: HttpRequest) -> HttpResponse:
    """A zip of the shareable resources (team-only ones only when the editor asks),
    to import into this or another line."""
    include_team = request.GET.get("include_team") == "1"
    found = Resource.objects.all() if include_team else Resource.objects.shareable()
    response = HttpResponse(
        resource_bundle.export_zip(found.for_directory()), content_type="application/zip"
    )
    name = "resources-all.zip" if include_team else "resources-shareable.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _imported(result: dict[str, int]) -> str:
    return (
        _(
            "Imported: %(created)d new, %(updated)d with a new revision, "
            "%(unchanged)d left as they are."
        )
        % result
    )


@accepts_body_up_to(bundle.MAX_UPLOAD + 1024 * 1024)
@editor_required
@require_http_methods(["GET", "POST"])
def resource_import(request: HttpRequest) -> HttpResponse:
    """Upload, see what would change, then confirm: nothing changes before that, and
    nothing at all when any file has a problem."""
    upload = ResourceImportForm(
        request.POST if "bundle" in request.FILES else None, request.FILES or None
    )
    confirm = ResourceImportConfirmForm(request.POST if "checked" in request.POST else None)
    problems: list[str] = []
    planned: list[resource_bundle.Planned] = []
    if confirm.is_bound and confirm.is_valid():
        confirmed = confirm.planned_for(request.user.pk)
        if confirmed is None:
            messages.error(request, _("That check is too old or not this server's: upload again."))
            return redirect("protocols:resource_import")
        update = confirm.cleaned_data["update_existing"]
        result = resource_bundle.apply(confirmed, author=request.user, update_existing=update)
        messages.success(request, _imported(result))
        return redirect("protocols:resources")
    if upload.is_bound and upload.is_valid():
        try:
            planned = resource_bundle.plan(upload.cleaned_data["bundle"])
        except bundle.BundleError as error:
            problems = error.problems
    checked = ResourceImportConfirmForm.checked_for(planned, request.user.pk) if planned else ""
    status = 400 if problems or upload.errors else 200
    return render(
        request,
        "protocols/resources/import.html",
        {
            "form": ResourceImportForm() if planned else upload,
            "confirm": ResourceImportConfirmForm(initial={"checked": checked}),
            "problems": problems,
            "planned": planned,
            "new": [p for p in planned if p.state == "new"],
            "changed": [p for p in planned if p.state == "changed"],
            "same": [p for p in planned if p.state == "same"],
        },
        status=status,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def resource_public(request: HttpRequest) -> HttpResponse:
    """Switch the public page of shareable resources on or off."""
    directory = PublicDirectory.current()
    form = PublicSwitchForm(
        request.POST if request.method == "POST" else None, initial={"is_on": directory.is_on}
    )
    if request.method == "POST" and form.is_valid():
        directory = PublicDirectory.switch(form.cleaned_data["is_on"])
        messages.success(
            request,
            _("The public page of resources is on.")
            if directory.is_on
            else _("The public page of resources is off."),
        )
        return redirect("protocols:resources")
    return render(
        request,
        "protocols/resources/public_switch.html",
        {
            "form": form,
            "directory": directory,
            "shareable_count": Resource.objects.shareable().count(),
            "team_count": Resource.objects.exclude(visibility="shareable").count(),
        },
    )


# --- The public page ------------------------------------------------------------------------


@require_GET
def public_resources(request: HttpRequest) -> HttpResponse:
    """Shareable resources only, for anyone, when the line has switched the page on."""
    if not care_map.is_public():
        raise Http404
    shareable = Resource.objects.shareable().filter(do_not_refer=False)
    context = _directory(request, shareable, public=True)
    return render(request, "protocols/resources/public.html", context)
