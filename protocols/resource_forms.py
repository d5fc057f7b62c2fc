"""Forms of the care map: one resource, the directory's filters, the public switch."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.models import Need
from crisisline.phones import clean_phone
from protocols.care_map import RELATIONSHIP_FIELDS, SAFETY_FIELDS, Referral, Resource
from protocols.resource_bundle import Planned
from shifts.models import WEEKDAYS

# Paths under /protocols/resources/ that a slug must not shadow.
RESERVED_RESOURCE_SLUGS = {"new", "print", "export", "map", "public", "import", "referrals"}

SPAN = re.compile(r"^([0-9]{1,2}):([0-9]{2})\s*[-–]\s*([0-9]{1,2}):([0-9]{2})$")


def parse_spans(text: str) -> list[tuple[time, time]]:
    """'09:00-17:00, 19:00-02:00' as (start, end) pairs; an end at or before its start
    runs past midnight. Raises ValidationError naming the part it cannot read."""
    spans = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        match = SPAN.match(part)
        if match is None:
            raise forms.ValidationError(
                _("“%(part)s” is not a time span: write it like 09:00-17:00.") % {"part": part[:60]}
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h2 == 24 and m2 == 0:
            h2 = 0
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise forms.ValidationError(_("“%(part)s” is not a time of day.") % {"part": part[:60]})
        start, end = time(h1, m1), time(h2, m2)
        if start == end:
            raise forms.ValidationError(
                _("“%(part)s” opens and closes at the same time.") % {"part": part[:60]}
            )
        spans.append((start, end))
    if len({s for s, _e in spans}) != len(spans):
        raise forms.ValidationError(_("Two spans on one day start at the same time."))
    return spans


def format_spans(spans: list[tuple[time, time]]) -> str:
    return ", ".join(f"{s:%H:%M}-{'24:00' if e == time(0) else f'{e:%H:%M}'}" for s, e in spans)


# A model form is generic only in the type stubs; at run time it takes no parameter.
if TYPE_CHECKING:
    _ResourceForm = forms.ModelForm[Resource]
else:
    _ResourceForm = forms.ModelForm


# The rest of the resource's fields in the screen's groups (ResourceForm.groups).
_OFFER = ["name", "slug", "summary", "summary_es"]
_REACHING = ["phone", "text_number", "how_to_reach", "how_to_reach_es"]
_REACHING_MORE = [
    "area",
    "eligibility",
    "eligibility_es",
    "cost",
    "id_required",
    "speaks_spanish",
    "other_languages",
    "accessibility",
]


class ResourceForm(_ResourceForm):
    needs = forms.MultipleChoiceField(
        label=gettext_lazy("What they help with"),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one need they meet.")},
    )
    referral_ways = forms.MultipleChoiceField(
        label=gettext_lazy("How to refer"),
        choices=Referral.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    summary_of_change = forms.CharField(
        label=gettext_lazy("What changed"), max_length=200, required=False
    )

    class Meta:
        model = Resource
        # The groups' model fields, less the form's own; in this order (reaching before
        # safety) the list of errors above the form names them.
        fields = [*_OFFER, *_REACHING, *_REACHING_MORE, *SAFETY_FIELDS, *RELATIONSHIP_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "summary_es": forms.Textarea(attrs={"rows": 3}),
            "how_to_reach": forms.Textarea(attrs={"rows": 2}),
            "how_to_reach_es": forms.Textarea(attrs={"rows": 2}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "eligibility_es": forms.Textarea(attrs={"rows": 2}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
            "mandated_reporting": forms.Textarea(attrs={"rows": 2}),
            "data_collected": forms.Textarea(attrs={"rows": 2}),
            "line_note": forms.Textarea(attrs={"rows": 2}),
            "line_note_es": forms.Textarea(attrs={"rows": 2}),
            "last_verified": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "text_number": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One field per weekday: '09:00-17:00, 19:00-02:00'.
        existing: dict[int, list[tuple[time, time]]] = {}
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.initial.setdefault("needs", self.instance.need_values())
            for span in self.instance.hours.all():
                existing.setdefault(span.weekday, []).append((span.start, span.end))
        self.day_fields = []
        for weekday, label in WEEKDAYS:
            name = f"hours_{weekday}"
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                initial=format_spans(existing.get(weekday, [])),
            )
            self.day_fields.append(name)

    @property
    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The form's fieldsets, in order: (legend, fields)."""
        return [
            (str(legend), [self[name] for name in names])
            for legend, names in [
                (gettext_lazy("What they offer"), [*_OFFER, "needs"]),
                (gettext_lazy("Safety profile"), SAFETY_FIELDS),
                (gettext_lazy("Reaching them"), [*_REACHING, "referral_ways", *_REACHING_MORE]),
                (gettext_lazy("Hours"), self.day_fields),
                (
                    gettext_lazy("Relationship and visibility"),
                    [*RELATIONSHIP_FIELDS, "summary_of_change"],
                ),
            ]
        ]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].lower()
        if slug in RESERVED_RESOURCE_SLUGS:
            raise forms.ValidationError(
                _("“%(slug)s” is reserved; choose another.") % {"slug": slug}
            )
        return slug

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_text_number(self) -> str:
        return clean_phone(self.cleaned_data["text_number"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("do_not_refer") and not (data.get("do_not_refer_reason") or "").strip():
            self.add_error(
                "do_not_refer_reason",
                _("Say why not to refer, so a responder knows what to offer instead."),
            )
        spans: list[tuple[int, time, time]] = []
        for weekday, _label in WEEKDAYS:
            name = f"hours_{weekday}"
            try:
                spans += [(weekday, s, e) for s, e in parse_spans(data.get(name) or "")]
            except forms.ValidationError as error:
                self.add_error(name, error)
        data["spans"] = spans
        return data


class DirectoryFilterForm(forms.Form):
    """The directory's search and one-tap filters, all plain GET parameters."""

    q = forms.CharField(label=gettext_lazy("Search"), max_length=100, required=False)
    need = forms.ChoiceField(
        label=gettext_lazy("Need"),
        choices=[("", gettext_lazy("Any need")), *Need.choices],
        required=False,
    )
    no_police = forms.BooleanField(required=False)
    no_id = forms.BooleanField(required=False)
    open_now = forms.BooleanField(required=False)
    spanish = forms.BooleanField(required=False)

    def clean_q(self) -> str:
        # PostgreSQL refuses text holding a NUL byte.
        query: str = self.cleaned_data["q"]
        return query.replace("\x00", "").strip()


class PublicSwitchForm(forms.Form):
    is_on = forms.BooleanField(
        label=gettext_lazy("Show shareable resources on a public page"), required=False
    )


class ResourceImportForm(forms.Form):
    """Step one: the zip to check (nothing changes until the preview is confirmed)."""

    bundle = forms.FileField(label=gettext_lazy("Bundle of resources (.zip)"))


IMPORT_SALT = "protocols.resource_import"


class ResourceImportConfirmForm(forms.Form):
    """Step two: the checked bundle, signed by this server for the person who
    uploaded it (good for an hour), and whether to write the bundle's version of
    resources that differ here."""

    checked = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)
    update_existing = forms.BooleanField(
        label=gettext_lazy(
            "Also write the bundle's version of the resources that differ here, as a new "
            "revision of each"
        ),
        required=False,
    )

    @staticmethod
    def checked_for(planned: list[Planned], person_pk: int | None) -> str:
        """The plan, signed for `person_pk`, as step two carries it."""
        entries = [asdict(entry) for entry in planned]
        return signing.dumps({"by": person_pk, "planned": entries}, salt=IMPORT_SALT, compress=True)

    def planned_for(self, person_pk: int | None) -> list[Planned] | None:
        """The plan signed for `person_pk` by this server within the hour, else None."""
        try:
            raw = signing.loads(self.cleaned_data["checked"], salt=IMPORT_SALT, max_age=3600)
            if raw["by"] != person_pk:
                return None
            return [Planned(**entry) for entry in raw["planned"]]
        except (signing.BadSignature, KeyError, TypeError):
            return None
