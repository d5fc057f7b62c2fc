from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisisline.forms import OneMessageEach
from crisisline.numbers import whole_number
from protocols import police, trees
from protocols.markdown import MAX_HTML, html_size
from protocols.models import MAX_BODY, Category, Protocol, Revision, StaleEdit
from protocols.tree_editor import (
    apply_step,
    draft_from_post,
    focus_after,
    removed_by,
    starter_tree,
    undo_field,
    undo_removal,
)

# ModelForm is generic only in the type stubs; at run time it takes no parameter.
if TYPE_CHECKING:
    _ProtocolForm = forms.ModelForm[Protocol]
else:
    _ProtocolForm = forms.ModelForm

# Paths under /protocols/ that a slug must not shadow.
RESERVED_SLUGS = {
    "new",
    "stale",
    "import",
    "export",
    "preview",
    "trees",
    "print",
    "resources",
}


def clean_body(body: str, *, category: str | None, language: str | None) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise forms.ValidationError(_("Write the page before saving it."))
    if len(body) > MAX_BODY:
        raise forms.ValidationError(
            _(
                "The page is %(length)d characters long; the most is %(max)d. "
                "Split it into several pages."
            )
            % {"length": len(body), "max": MAX_BODY}
        )
    if html_size(body) > MAX_HTML:
        raise forms.ValidationError(
            _(
                "The page would be too long once laid out: its links repeat long addresses. "
                "Write each address out where it is used, or split the page."
            )
        )
    if category == "police-presence" and language:
        missing = police.missing_sections(body, language)
        if missing:
            raise forms.ValidationError(
                _(
                    "A police-presence plan keeps every section of the template. "
                    "Add these headings: %(missing)s."
                )
                % {"missing": ", ".join(f"“{m}”" for m in missing)}
            )
    return body


def initial_for_new(
    language: str, *, translation_of: Protocol | None = None, category: str = ""
) -> dict[str, Any]:
    """What the new-protocol form starts with: a translation starts from its original
    (in the other language), a police-presence plan from the template."""
    initial: dict[str, Any] = {"language": language}
    if translation_of is not None:
        languages = Protocol._meta.get_field("language").choices or []
        other_languages = [code for code, _name in languages if code != translation_of.language]
        initial.update(
            translation_of=translation_of.slug,
            kind=translation_of.kind,
            category=translation_of.category,
            review_interval_days=translation_of.review_interval_days,
            language=other_languages[0] if other_languages else translation_of.language,
        )
        if not translation_of.is_tree and translation_of.current:
            initial["body"] = translation_of.current.body
    if category == Category.POLICE_PRESENCE:
        initial.update(
            category=category,
            body=police.template(initial["language"]),
            review_at_shift_start=True,
        )
    return initial


class NewProtocolForm(OneMessageEach, _ProtocolForm):
    translation_of = forms.ModelChoiceField(
        Protocol.objects.all(),
        required=False,
        to_field_name="slug",
        label=gettext_lazy("Translation of"),
        help_text=gettext_lazy("Leave empty for a new protocol; pick one to translate it."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        required=False,
        help_text=gettext_lazy("Pages only. A new tree starts from a small example to edit."),
    )
    summary = forms.CharField(label=gettext_lazy("What changed"), max_length=200, required=False)

    class Meta:
        model = Protocol
        fields = [
            "title",
            "slug",
            "kind",
            "category",
            "language",
            "review_interval_days",
            "review_at_shift_start",
        ]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("“%(slug)s” is reserved; choose another.") % {"slug": slug}
            )
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        original = data.get("translation_of")
        language = data.get("language")
        if original and language:
            if original.kind != data.get("kind"):
                self.add_error(
                    "translation_of", _("A translation must be of the same kind (page or tree).")
                )
            elif original.translations().filter(language=language).exists() or (
                original.language == language
            ):
                self.add_error(
                    "translation_of",
                    _("“%(title)s” already has a version in this language.")
                    % {"title": original.title},
                )
        if data.get("kind") == Protocol.Kind.PAGE:
            try:
                data["body"] = clean_body(
                    data.get("body", ""), category=data.get("category"), language=language
                )
            except forms.ValidationError as error:
                self.add_error("body", error)
        return data

    def create(self, author: Any) -> Protocol:
        """The protocol with its first revision, in one transaction. A translation of a
        tree starts as a copy to translate node by node; a new tree from a small example.
        Raises IntegrityError when someone just took the slug or the language."""
        original = self.cleaned_data["translation_of"]
        with transaction.atomic():
            protocol = self.save(commit=False)
            if original is not None:
                protocol.translation_key = original.translation_key
            protocol.save()
            if protocol.is_tree and original is not None and original.current is not None:
                body = original.current.body
            elif protocol.is_tree:
                body = trees.to_yaml(
                    starter_tree(_("Is this the first question?"), _("Yes"), _("No"))
                )
            else:
                body = self.cleaned_data["body"]
            protocol.add_revision(
                author=author, body=body, summary=self.cleaned_data["summary"] or _("First version")
            )
        return protocol


class ProtocolSettingsForm(OneMessageEach, _ProtocolForm):
    """What a trainer may change about a protocol besides its text: not versioned."""

    # Unlike NewProtocolForm's field: it links an existing protocol, from the choices __init__ sets.
    translation_of = forms.ModelChoiceField(
        Protocol.objects.none(),
        required=False,
        to_field_name="slug",
        label=gettext_lazy("Link as a translation of"),
        help_text=gettext_lazy("Leave empty to keep the current links between languages."),
    )

    class Meta:
        model = Protocol
        fields = ["title", "category", "review_interval_days", "review_at_shift_start"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protocol = self.instance
        translation_of = self.fields["translation_of"]
        assert isinstance(translation_of, forms.ModelChoiceField)
        translation_of.queryset = (
            Protocol.objects.filter(kind=protocol.kind)
            .exclude(language=protocol.language)
            .exclude(translation_key=protocol.translation_key)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = data.get("translation_of")
        if (
            other
            and Protocol.objects.filter(
                translation_key=other.translation_key, language=self.instance.language
            ).exists()
        ):
            self.add_error(
                "translation_of",
                _("“%(title)s” already has a version in this language.") % {"title": other.title},
            )
        return data

    def save(self, commit: bool = True) -> Protocol:
        protocol = super().save(commit=False)
        if self.cleaned_data.get("translation_of"):
            protocol.translation_key = self.cleaned_data["translation_of"].translation_key
        if "review_interval_days" in self.changed_data:
            protocol.reschedule_review()
        if commit:
            protocol.save()
        return protocol


class EditPageForm(ProtocolSettingsForm):
    body = forms.CharField(
        label=gettext_lazy("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 22}),
        strip=False,
        required=False,
    )
    summary = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A few words for the history, e.g. “added the ride section”."),
    )
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    conflict: Revision | None = None  # the newer revision a save ran into

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["body"] = clean_body(
                data.get("body", ""),
                category=data.get("category"),
                language=self.instance.language,
            )
        except forms.ValidationError as error:
            self.add_error("body", error)
        return data

    def save_revision(self, author: Any) -> Revision | None:
        """Save the settings and the text as a new revision, in one transaction.

        None when someone saved a newer revision since this editor opened the page:
        nothing is saved, and the form keeps the person's text, now based on the newest
        revision (`self.conflict`), so that saving again after a look is deliberate."""
        try:
            with transaction.atomic():
                self.save()
                return self.instance.add_revision(
                    author=author,
                    body=self.cleaned_data["body"],
                    summary=self.cleaned_data["summary"],
                    based_on=self.cleaned_data["base"],
                )
        except StaleEdit:
            fresh = Protocol.objects.get(pk=self.instance.pk)
            self.conflict = fresh.current
            self.instance = fresh
            # A copy: the posted QueryDict is immutable.
            data = self.data.copy() if isinstance(self.data, QueryDict) else {**self.data}
            data["base"] = str(self.conflict.number if self.conflict else "")
            self.data = data
            self.full_clean()
            return None


class TreeEditForm:
    """The tree editor's form: the draft tree travels in its fields (see
    protocols/tree_editor.py), with the protocol's settings beside it. A post is
    either an edit step (add, move or remove a node or an answer: nothing saved)
    or a save, which checks the whole tree and the settings and adds a revision.

    Like EditPageForm, a save that runs into a newer revision saves nothing and
    keeps the draft, now based on that revision (`self.conflict`)."""

    def __init__(self, protocol: Protocol, data: QueryDict | None) -> None:
        current = protocol.current
        assert current is not None, "a tree is edited from its current revision"
        self.protocol = protocol
        # A copy, so that an unsaved title does not show as the page's heading.
        self.settings = ProtocolSettingsForm(
            data, instance=Protocol.objects.get(pk=protocol.pk), prefix="meta"
        )
        self.problems: list[trees.TreeProblem] = []
        self.settings_valid = True
        self.conflict: Revision | None = None
        self.summary, self.base, self.step = "", current.number, ""
        self.doc: dict[str, Any] = current.document
        self.removed: dict[str, Any] | None = None  # what this step removed: the next can undo it
        self.focus = ""
        if data is not None:
            self.doc = draft_from_post(data)
            self.summary = data.get("summary", "")[:200]
            self.base = whole_number(data.get("base", "")) or 0
            self.step = data.get("step", "save")
            if self.step == "undo":
                self.doc, self.focus = undo_removal(self.doc, data.get("removed", ""))
            elif self.step != "save":
                self.removed = removed_by(self.doc, self.step)
                self.doc = apply_step(self.doc, self.step)
                self.focus = focus_after(self.doc, self.step)

    @property
    def saving(self) -> bool:
        return self.step == "save"

    @property
    def editing_step(self) -> bool:
        """An add, move, remove or undo: only the nodes change."""
        return bool(self.step) and not self.saving

    def is_valid(self) -> bool:
        pages = Protocol.objects.filter(kind=Protocol.Kind.PAGE).values_list("slug", flat=True)
        self.problems = trees.validate(self.doc, set(pages))
        self.settings_valid = self.settings.is_valid()
        return not self.problems and self.settings_valid

    def save_revision(self, author: Any) -> Revision | None:
        """The settings and the tree as a new revision, in one transaction; None
        (and `self.conflict`) when someone saved a newer one meanwhile."""
        try:
            with transaction.atomic():
                self.settings.save()
                return self.protocol.add_revision(
                    author=author,
                    body=trees.to_yaml(trees.normalise(self.doc)),
                    summary=self.summary,
                    based_on=self.base,
                )
        except StaleEdit:
            self.protocol.__dict__.pop("current", None)
            self.conflict = self.protocol.current
            self.base = self.conflict.number if self.conflict else 0
            return None

    def context(self) -> dict[str, Any]:
        """What the editor's template shows: each node with its problems, the
        problems of the whole tree, and the error summary linking to each field."""
        by_node: dict[str, list[str]] = {}
        general: list[str] = []
        for problem in self.problems:
            if problem.node is None:
                general.append(problem.message)
            else:
                by_node.setdefault(problem.node, []).append(problem.message)
        nodes = self.doc["nodes"]
        node_ids = [node.get("id", "") for node in nodes]
        index_of = {node_id: i for i, node_id in reversed(list(enumerate(node_ids)))}
        error_links = [
            {"href": f"#id_{field.html_name}", "text": f"{field.label}: {error}"}
            for field in self.settings
            if self.saving
            for error in field.errors
        ] + [
            {
                "href": f"#n{index_of[problem.node]}-id" if problem.node in index_of else "#start",
                "text": str(problem),
            }
            for problem in self.problems
        ]
        return {
            "doc": self.doc,
            "nodes": [
                {"index": i, "prefix": f"n{i}-", "node": node, "problems": by_node.get(node_id, [])}
                for i, (node, node_id) in enumerate(zip(nodes, node_ids, strict=True))
            ],
            "node_ids": node_ids,
            "general_problems": general,
            "summary": self.summary,
            "base": self.base,
            "conflict": self.conflict,
            "max_nodes": trees.MAX_NODES,
            "error_links": error_links,
            "focus": self.focus,
            "removed": self.removal(),
            "settings_form": self.settings,
        }

    def removal(self) -> dict[str, Any] | None:
        """The editor's "Removed …: Undo" line: where it shows, what it names, what it
        carries to the next step."""
        if self.removed is None:
            return None
        item, at = self.removed["item"], self.removed["at"]
        if len(at) == 2:
            what = _("Answer %(number)s “%(label)s”") % {
                "number": at[1] + 1,
                "label": Truncator(item.get("label", "")).chars(60),
            }
        elif item.get("type") == trees.OUTCOME:
            title = Truncator(item.get("title", "")).chars(60)
            what = _("Outcome: %(title)s") % {"title": title} if title else _("New outcome")
        else:
            text = Truncator(item.get("text", "")).chars(60)
            what = _("Question: %(text)s") % {"text": text} if text else _("New question")
        field = undo_field(self.removed)
        return {"node": at[0], "answer": len(at) == 2, "what": what, "field": field}


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=MAX_BODY, strip=False)


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=1)
    b = forms.IntegerField(min_value=1)


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), max_length=200, required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from protocols.models import Category

        super().__init__(*args, **kwargs)
        category, language = self.fields["category"], self.fields["language"]
        assert isinstance(category, forms.ChoiceField) and isinstance(language, forms.ChoiceField)
        category.choices = [("", _("All categories")), *Category.choices]
        language.choices = [
            ("", _("My language first")),
            *settings.LANGUAGES,
        ]


class ImportForm(forms.Form):
    bundle = forms.FileField(label=gettext_lazy("Bundle (.zip)"))
    update_existing = forms.BooleanField(
        label=gettext_lazy(
            "Add the bundle's versions as new revisions of pages that already exist here"
        ),
        required=False,
    )
