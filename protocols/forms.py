from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from protocols import police
from protocols.markdown import MAX_HTML, html_size
from protocols.models import MAX_BODY, Protocol

# Paths under /protocols/ that a slug must not shadow.
RESERVED_SLUGS = {"new", "stale", "import", "export", "preview", "trees", "print"}


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


class NewProtocolForm(forms.ModelForm):
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
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("“%(slug)s” is reserved; choose another.") % {"slug": slug}
            )
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean()
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


class ProtocolSettingsForm(forms.ModelForm):
    """What a trainer may change about a protocol besides its text: not versioned."""

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
        self.fields["translation_of"].queryset = (
            Protocol.objects.filter(kind=protocol.kind)
            .exclude(language=protocol.language)
            .exclude(translation_key=protocol.translation_key)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
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
        self.fields["category"].choices = [("", _("All categories")), *Category.choices]
        self.fields["language"].choices = [
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
