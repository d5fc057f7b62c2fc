"""Protocol library: reading for everyone signed in, writing for trainers.

Protocols are not public: every page here needs a signed-in person (any role).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import slug_re
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisisline.binding import posted
from crisisline.limits import accepts_body_up_to
from crisisline.roles import SignedInRequest, role_required
from protocols import bundle, care_map, directory, trees
from protocols.diff import line_diff
from protocols.forms import (
    CompareForm,
    EditPageForm,
    ImportForm,
    NewProtocolForm,
    PreviewForm,
    SearchForm,
    TreeEditForm,
    initial_for_new,
)
from protocols.markdown import render as render_markdown
from protocols.models import Category, Protocol, Revision
from protocols.search import search


def _protocol(slug: str, kind: str | None = None) -> Protocol:
    protocol = get_object_or_404(Protocol, slug=slug)
    if kind is not None and protocol.kind != kind:
        raise Http404
    return protocol


def _revision(protocol: Protocol, number: Any) -> Revision:
    return get_object_or_404(
        Revision.objects.select_related("author"), protocol=protocol, number=number
    )


def _current(protocol: Protocol) -> Revision:
    """The protocol's current revision; missing (404) if it has none."""
    current = protocol.current
    if current is None:
        raise Http404
    return current


def _reader_language(request: HttpRequest) -> str:
    return (get_language() or "en")[:2]


# --- Reading -------------------------------------------------------------------


@login_required
@require_GET
def library(request: SignedInRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query, category, language = "", "", ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        category = form.cleaned_data["category"]
        language = form.cleaned_data["language"]
    protocols = Protocol.objects.all()
    if category:
        protocols = protocols.filter(category=category)
    if language:
        protocols = protocols.filter(language=language)
    if query:
        protocols = search(protocols.with_current(), query)
    found = list(protocols)

    # One entry per translation group: the reader's language when it exists.
    wanted = language or _reader_language(request)
    groups: OrderedDict[str, list[Protocol]] = OrderedDict()
    for protocol in found:
        groups.setdefault(protocol.translation_key, []).append(protocol)
    entries: list[dict[str, Any]] = []
    for versions in groups.values():
        chosen = next((p for p in versions if p.language == wanted), versions[0])
        entries.append({"protocol": chosen, "others": [p for p in versions if p is not chosen]})

    by_category: OrderedDict[str, dict[str, Any]] = OrderedDict(
        (value, {"label": label, "entries": []}) for value, label in Category.choices
    )
    for entry in entries:
        by_category[entry["protocol"].category]["entries"].append(entry)
    context = {
        "form": form,
        "query": query,
        "results": entries if query else None,
        "categories": [c for c in by_category.values() if c["entries"]],
        "stale_count": Protocol.objects.stale().count(),
    }
    return render(request, "protocols/library.html", context)


def _translation_links(request: HttpRequest, protocol: Protocol) -> dict[str, Any]:
    others = list(protocol.translations())
    mine = _reader_language(request)
    in_my_language = next(
        (p for p in others if p.language == mine and protocol.language != mine), None
    )
    return {"translations": others, "in_my_language": in_my_language}


@login_required
@require_GET
def page(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug)
    if protocol.is_tree:
        return redirect(protocol)
    revision = protocol.current
    if revision is None:
        raise Http404
    mentions = _mentions(request, revision.body)
    return render(
        request,
        "protocols/page.html",
        {
            "protocol": protocol,
            "revision": revision,
            "html": render_markdown(care_map.link_mentions(revision.body, mentions)),
            "mentioned_resources": directory.mentioned_cards(mentions),
            **_translation_links(request, protocol),
        },
    )


def _mentions(request: HttpRequest, text: str) -> dict[str, Any]:
    """The resources a text mentions, live (open now), for those who may read them."""
    from protocols.resource_views import may_read

    return care_map.mentioned(text) if may_read(request.user) else {}


def _contents(protocol: Protocol, revision: Revision) -> dict[str, Any]:
    """What a revision reads as (templates: protocols/_contents.html): a tree's
    outline, or a page's HTML."""
    if protocol.is_tree:
        return {"outline": trees.outline(revision.document, render_markdown)}
    return {"html": render_markdown(revision.body)}


@login_required
@require_GET
def print_view(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug)
    revision = protocol.current
    if revision is None:
        raise Http404
    context = {"protocol": protocol, "revision": revision, **_contents(protocol, revision)}
    return render(request, "protocols/print.html", context)


@login_required
@require_GET
def history(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug)
    revisions = protocol.revisions.select_related("author").defer("body")
    return render(request, "protocols/history.html", {"protocol": protocol, "revisions": revisions})


@login_required
@require_GET
def revision(request: SignedInRequest, slug: str, number: int) -> HttpResponse:
    protocol = _protocol(slug)
    shown = _revision(protocol, number)
    context = {
        "protocol": protocol,
        "revision": shown,
        "is_current": shown.number == _current(protocol).number,
        **_contents(protocol, shown),
    }
    return render(request, "protocols/revision.html", context)


@login_required
@require_GET
def compare(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug)
    form = CompareForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose two revisions to compare."))
        return redirect("protocols:history", slug=protocol.slug)
    first, second = sorted([form.cleaned_data["a"], form.cleaned_data["b"]])
    old, new = _revision(protocol, first), _revision(protocol, second)
    return render(
        request,
        "protocols/diff.html",
        {"protocol": protocol, "old": old, "new": new, "rows": line_diff(old.body, new.body)},
    )


# --- Writing (trainers) ------------------------------------------------------------


@role_required("train")
@require_http_methods(["GET", "POST"])
def new(request: SignedInRequest) -> HttpResponse:
    original = None
    # Only a slug is looked up: PostgreSQL refuses text holding a NUL byte (a 500).
    if request.method == "GET" and slug_re.match(request.GET.get("translation_of", "")):
        original = Protocol.objects.filter(slug=request.GET["translation_of"]).first()
    initial = initial_for_new(
        _reader_language(request),
        translation_of=original,
        category=request.GET.get("category", "") if request.method == "GET" else "",
    )
    form = NewProtocolForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            protocol = form.create(author=request.user)
        except IntegrityError:
            form.add_error(
                None,
                _(
                    "Someone just created a protocol with this name or language. "
                    "Check the library and try again."
                ),
            )
        else:
            messages.success(request, _("“%(title)s” is created.") % {"title": protocol.title})
            if protocol.is_tree:
                return redirect("protocols:tree_edit", slug=protocol.slug)
            return redirect(protocol)
    return render(request, "protocols/new.html", {"form": form, "original": original})


@role_required("train")
@require_http_methods(["GET", "POST"])
def edit(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug, Protocol.Kind.PAGE)
    current = _current(protocol)
    form = EditPageForm(
        posted(request),
        instance=Protocol.objects.get(pk=protocol.pk),
        initial={"body": current.body, "base": current.number, "summary": ""},
    )
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = render_markdown(request.POST.get("body", ""))
    elif request.method == "POST" and form.is_valid():
        if form.save_revision(author=request.user):
            messages.success(request, _("Saved a new revision."))
            return redirect(protocol)
        messages.error(
            request,
            _(
                "%(name)s saved a newer version while you were editing. Nothing of yours "
                "is lost: your text is still in the form below. Compare it with theirs, "
                "merge what matters, then save again."
            )
            % {"name": (form.conflict.author if form.conflict else None) or _("Someone")},
        )
    conflict = form.conflict
    context = {
        "protocol": protocol,
        "form": form,
        "current": current,
        "conflict": conflict,
        "conflict_html": render_markdown(conflict.body) if conflict else None,
        "conflict_rows": (
            line_diff(conflict.body, form.data.get("body", "").replace("\r\n", "\n"))
            if conflict
            else None
        ),
        "preview": preview,
    }
    return render(request, "protocols/edit.html", context)


@role_required("train")
@require_POST
def preview(request: SignedInRequest) -> HttpResponse:
    form = PreviewForm(request.POST)
    if not form.is_valid():  # said where the preview goes, not as an error page
        return render(request, "protocols/edit.html#preview", {"too_long": True})
    return render(
        request,
        "protocols/edit.html#preview",
        {"preview": render_markdown(form.cleaned_data["body"])},
    )


@role_required("train")
@require_POST
def restore(request: SignedInRequest, slug: str, number: int) -> HttpResponse:
    protocol = _protocol(slug)
    old = _revision(protocol, number)
    current = _current(protocol)
    if old.number == current.number:
        messages.info(request, _("That is already the current version."))
        return redirect(protocol)
    if old.body == current.body:
        messages.info(request, _("The current version already has this text; nothing to restore."))
        return redirect(protocol)
    protocol.add_revision(
        author=request.user,
        body=old.body,
        summary=_("Restored revision %(number)d") % {"number": old.number},
        restored_from=old.number,
    )
    messages.success(
        request, _("Revision %(number)d is restored as a new revision.") % {"number": old.number}
    )
    return redirect(protocol)


@role_required("train")
@require_POST
def review(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug)
    protocol.mark_reviewed(request.user)
    messages.success(
        request,
        _("Marked reviewed. The next review is due on %(date)s.")
        % {"date": protocol.review_due_at.date().isoformat()},
    )
    if request.POST.get("next") == "stale":
        return redirect("protocols:stale")
    return redirect(protocol)


@role_required("train")
@require_GET
def stale(request: SignedInRequest) -> HttpResponse:
    protocols = Protocol.objects.stale().select_related("reviewed_by").order_by("review_due_at")
    return render(request, "protocols/stale.html", {"protocols": protocols})


# --- Decision trees --------------------------------------------------------------------


@login_required
@require_GET
def tree(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug, Protocol.Kind.TREE)
    revision = _current(protocol)
    doc = revision.document
    path = trees.parse_path(request.GET.get("path", ""))
    step = trees.walk(doc, path) if path is not None else None
    if path is None or step is None:
        messages.error(
            request, _("That link does not fit this tree (it may have changed). Start again here.")
        )
        return redirect("protocols:tree", slug=protocol.slug)
    linked: dict[str, Protocol] = {}
    if step.node["type"] == trees.OUTCOME and step.node.get("links"):
        linked = _in_reader_language(
            request, {p.slug: p for p in Protocol.objects.filter(slug__in=step.node["links"])}
        )
    here = ".".join(str(c) for c in path)
    guidance_text = step.node.get("guidance", "")
    mentions = _mentions(request, guidance_text)
    context = {
        "protocol": protocol,
        "revision": revision,
        "node": step.node,
        "taken": step.taken,
        "back": ".".join(str(c) for c in path[:-1]) if path else None,
        "answers": [
            (answer, f"{here}.{number}" if here else str(number))
            for number, answer in enumerate(step.node.get("answers", []))
        ],
        "guidance": render_markdown(care_map.link_mentions(guidance_text, mentions)),
        "mentioned_resources": directory.mentioned_cards(mentions),
        "links": [linked[s] for s in step.node.get("links", []) if s in linked],
        **_translation_links(request, protocol),
    }
    return render(request, "protocols/tree.html", context)


def _in_reader_language(request: HttpRequest, pages: dict[str, Protocol]) -> dict[str, Protocol]:
    """Each linked page swapped for its translation in the reader's language, if any."""
    mine = _reader_language(request)
    keys = [p.translation_key for p in pages.values() if p.language != mine]
    if not keys:
        return pages
    mine_by_key = {
        p.translation_key: p
        for p in Protocol.objects.filter(translation_key__in=keys, language=mine)
    }
    return {slug: mine_by_key.get(p.translation_key, p) for slug, p in pages.items()}


def _tree_export(protocol: Protocol) -> dict[str, Any]:
    current = _current(protocol)
    return {
        "slug": protocol.slug,
        "title": protocol.title,
        "category": protocol.category,
        "language": protocol.language,
        "revision": current.number,
        "tree": current.document,
    }


def _tree_download(
    slug: str, dump: Callable[[dict[str, Any]], str], content_type: str, extension: str
) -> HttpResponse:
    """The tree `slug` as a file to save, written out by `dump`."""
    protocol = _protocol(slug, Protocol.Kind.TREE)
    response = HttpResponse(
        dump(_tree_export(protocol)), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{protocol.slug}.{extension}"'
    return response


@login_required
@require_GET
def tree_yaml(request: SignedInRequest, slug: str) -> HttpResponse:
    return _tree_download(slug, trees.to_yaml, "application/yaml", "yaml")


@login_required
@require_GET
def tree_json(request: SignedInRequest, slug: str) -> HttpResponse:
    return _tree_download(slug, trees.to_json, "application/json", "json")


@role_required("train")
@require_http_methods(["GET", "POST"])
def tree_edit(request: SignedInRequest, slug: str) -> HttpResponse:
    protocol = _protocol(slug, Protocol.Kind.TREE)
    _current(protocol)
    form = TreeEditForm(protocol, posted(request))
    if form.saving and not form.is_valid():
        messages.error(request, _("The tree was not saved. Fix the problems marked below."))
    elif form.saving and form.save_revision(author=request.user):
        messages.success(request, _("Saved a new revision of the tree."))
        return redirect(protocol)
    elif form.saving:
        messages.error(
            request,
            _(
                "%(name)s saved a newer version of this tree while you were "
                "editing. Your draft is kept below; check their version, then "
                "save again."
            )
            % {"name": (form.conflict.author if form.conflict else None) or _("Someone")},
        )
    context = {"protocol": protocol, **form.context(), "conflict_outline": None}
    if form.conflict:
        context["conflict_outline"] = trees.outline(form.conflict.document, render_markdown)
    if request.htmx and form.editing_step:
        # An add, move or remove: only the nodes change; the page stays where it was.
        return render(request, "protocols/tree_edit.html#nodes", context)
    status = 400 if form.problems or not form.settings_valid else 200
    return render(request, "protocols/tree_edit.html", context, status=status)


# --- Export and import ------------------------------------------------------------------


@role_required("train")
@require_GET
def export_bundle(request: SignedInRequest) -> HttpResponse:
    data = bundle.export_zip(Protocol.objects.all())
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="protocols.zip"'
    return response


@accepts_body_up_to(bundle.MAX_UPLOAD + 1024 * 1024)
@role_required("train")
@require_http_methods(["GET", "POST"])
def import_bundle(request: SignedInRequest) -> HttpResponse:
    form = ImportForm(posted(request), request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = bundle.import_zip(
                form.cleaned_data["bundle"],
                author=request.user,
                update_existing=form.cleaned_data["update_existing"],
            )
        except bundle.BundleError as error:
            problems = error.problems
            messages.error(request, _("Nothing was imported. Fix the bundle and try again."))
        else:
            messages.success(
                request,
                _(
                    "Imported: %(created)d new, %(updated)d with a new revision, "
                    "%(unchanged)d already up to date."
                )
                % result,
            )
            return redirect(reverse("protocols:library"))
    status = 400 if problems or form.errors else 200
    return render(
        request, "protocols/import.html", {"form": form, "problems": problems}, status=status
    )
