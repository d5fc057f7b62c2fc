from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.identifiers import Finding, find_identifiers
from calls.models import (
    BODY_MAX_CHARS,
    NOTICE_MAX_CHARS,
    Kind,
    Need,
    NoteKeys,
    Police,
    Response,
    RetentionPolicy,
    TeamReview,
    retention_bounds,
)
from crisisline.dates import local_date
from crisisline.forms import OneMessageEach
from crisisline.models import User
from crisisline.roles import can, holders_of
from protocols import care_map
from shifts.oncall import current_shift_end

# Shorter lives a writer may choose for one note, in hours.
SHORTER_CHOICES = (24, 12, 8, 4, 1)
END_OF_SHIFT = 0


def _hours_label(hours: int) -> str:
    if hours % 24 == 0 and hours >= 48:
        days = hours // 24
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of call"), choices=Kind.choices, widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    response = forms.ChoiceField(
        label=_("Response"), choices=Response.choices, widget=forms.RadioSelect
    )
    police = forms.ChoiceField(
        label=_("Police presence"), choices=Police.choices, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=BODY_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": BODY_MAX_CHARS}),
        help_text=_(
            "At most 1,000 characters. No names, numbers, addresses or places: "
            "write what a teammate needs, nothing more."
        ),
    )
    keep_identifiers = forms.BooleanField(
        label=_("I have checked: keep these as written"), required=False
    )
    referrals = forms.TypedMultipleChoiceField(
        label=_("Referred to"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Resources for the needs ticked above, safest first. Each one ticked adds one "
            "to that resource's weekly count, which keeps no link to this note."
        ),
    )
    follow_up_to = forms.ModelChoiceField(
        label=_("Follow-up by"),
        queryset=User.objects.all(),
        required=False,
        empty_label=_("No follow-up needed"),
    )
    follow_up_by = forms.DateField(
        label=_("Follow up by (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    agreed_to_contact = forms.BooleanField(
        label=_("The person agreed to be contacted"),
        required=False,
        help_text=_("Needed for a follow-up. Their contact details are never stored here."),
    )
    keep_hours = forms.TypedChoiceField(label=_("Keep this note for"), coerce=int)

    def __init__(self, *args: Any, writer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writer = writer
        # Folded below, so chosen in advance, and shown as chosen on its summary line.
        self.fields["response"].initial = Response.PHONE
        self.fields["police"].initial = Police.NONE
        default = RetentionPolicy.current().effective_hours
        self.default_hours = default
        now = timezone.now()
        self.shift_end = current_shift_end(writer, now)
        if self.shift_end and self.shift_end >= now + timedelta(hours=default):
            self.shift_end = None  # the default is the shorter one
        self.keep_until: datetime | None = None
        choices = [(default, _("%(span)s (the line's default)") % {"span": _hours_label(default)})]
        choices += [(hours, _hours_label(hours)) for hours in SHORTER_CHOICES if hours < default]
        end_of_shift = (END_OF_SHIFT, _("Until the end of my shift"))
        field = cast("forms.TypedChoiceField", self.fields["keep_hours"])
        field.initial = default
        # The end-of-shift choice is offered on shift only, but always understood,
        # so that a shift ending while the form is open gets a clear message.
        field.choices = [*choices, end_of_shift]
        if self.shift_end:
            label = _("Until the end of my shift (%(time)s)") % {
                "time": date_format(timezone.localtime(self.shift_end), "TIME_FORMAT")
            }
            field.widget.choices = [*choices, (END_OF_SHIFT, label)]
        else:
            field.widget.choices = choices
        # Offer active responders only; anyone else is refused with a clear message.
        responders = holders_of("respond").order_by("display_name")
        follow_up = cast("forms.ModelChoiceField[User]", self.fields["follow_up_to"])
        follow_up.widget.choices = [("", follow_up.empty_label)] + [
            (person.pk, str(person)) for person in responders
        ]
        self.findings: list[Finding] = []
        # The resources matching the needs ticked (as sent, or as the form opens).
        if self.is_bound:
            sent = self.data.getlist("needs") if hasattr(self.data, "getlist") else None
            needs = sent if sent is not None else self.data.get("needs", [])
        else:
            needs = self.initial.get("needs", [])
        self.referable = care_map.referable_for(needs)
        referrals = cast("forms.TypedMultipleChoiceField", self.fields["referrals"])
        referrals.choices = [(r.pk, r.label) for r in self.referable]

    # What a tired responder fills first; the rest is folded below (calls/new.html).
    FIRST = ("kind", "body", "keep_identifiers", "keep_hours")
    FOLDED = (
        "response",
        "police",
        "needs",
        "referrals",
        "follow_up_to",
        "follow_up_by",
        "agreed_to_contact",
    )
    # Set when the responder asked for the resources of the needs they ticked.
    asked_for_resources = False

    @property
    def folded_open(self) -> bool:
        """The folded part opens when something in it was refused, or was just asked for."""
        if self.asked_for_resources:
            return True
        return self.is_bound and any(name in self.errors for name in self.FOLDED)

    def chosen(self, name: str) -> str:
        """The label of the choice `name` holds now (what saving would keep)."""
        field = cast("forms.ChoiceField", self.fields[name])
        # A field's choices are a list of pairs once set; the stubs allow what may be set.
        labels = dict(field.choices)  # type: ignore[arg-type]
        return str(labels.get(self[name].value(), "—"))

    @property
    def response_chosen(self) -> str:
        return self.chosen("response")

    @property
    def police_chosen(self) -> str:
        return self.chosen("police")

    @property
    def error_summary(self) -> list[tuple[str, str, str]]:
        """Every refusal as (anchor, field label, message), in the order of the form,
        for the summary at its top: the anchor is the id of the field's wrapper."""
        if not self.is_bound:
            return []
        found = [("", "", str(message)) for message in self.non_field_errors()]
        for name in (*self.FIRST, *self.FOLDED):
            for message in self.errors.get(name, []):
                found.append((f"field-{name}", str(self.fields[name].label), str(message)))
        return found

    def clean_keep_hours(self) -> int:
        hours: int = self.cleaned_data["keep_hours"]
        if hours == END_OF_SHIFT:
            if self.shift_end is None:
                raise forms.ValidationError(
                    _("You are not on a shift now. Choose how long to keep the note.")
                )
            self.keep_until = self.shift_end
            return self.default_hours
        return hours

    def clean_follow_up_to(self) -> User | None:
        person = self.cleaned_data.get("follow_up_to")
        if person is not None and not person.is_active:
            raise forms.ValidationError(
                _("%(name)s is no longer active on the line. Choose someone else."),
                params={"name": person},
            )
        if person is not None and not can(person, "respond"):
            raise forms.ValidationError(
                _("%(name)s does not hold the Responder role. Choose a responder."),
                params={"name": person},
            )
        if person is not None and not NoteKeys.objects.filter(person=person).exists():
            raise forms.ValidationError(self.no_key_pair_message(person))
        return person

    def no_key_pair_message(self, person: User) -> str:
        if person == self.writer:
            return str(
                _(
                    "Your note key is not ready: sign out and sign in again, then save the note. "
                    "Nothing was saved."
                )
            )
        return _(
            "%(name)s has not signed in since notes were sealed, so no note can be sealed "
            "to them yet. Ask them to sign in once, or choose someone else. Nothing was saved."
        ) % {"name": person}

    def clean_follow_up_by(self) -> date | None:
        day: date | None = self.cleaned_data.get("follow_up_by")
        if day is None:
            return None
        today = timezone.localdate()
        last = today + timedelta(days=retention_bounds()[1] // 24)
        if day < today:
            raise forms.ValidationError(_("The follow-up date is in the past."))
        if day > last:
            raise forms.ValidationError(
                _("Notes live at most %(days)d days: choose a follow-up date by %(last)s."),
                params={"days": retention_bounds()[1] // 24, "last": last},
            )
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        who, when = data.get("follow_up_to"), data.get("follow_up_by")
        if who and not when and "follow_up_by" not in self.errors:
            self.add_error("follow_up_by", _("Say by when the follow-up is needed."))
        if when and not who and "follow_up_to" not in self.errors:
            self.add_error("follow_up_to", _("Say who will follow up."))
        if (who or when) and not data.get("agreed_to_contact"):
            self.add_error(
                "agreed_to_contact",
                _(
                    "A follow-up needs the person's agreement to be contacted. Tick it, or "
                    "choose no follow-up."
                ),
            )
        self.findings = find_identifiers(data.get("body") or "")
        if self.findings and not data.get("keep_identifiers"):
            self.add_error(
                "body",
                _(
                    "This note may identify someone. Remove what is listed below, or tick "
                    "“keep these as written” if it must stay."
                ),
            )
        return data


# These form classes are generic only in the type stubs; at run time they take no parameter.
if TYPE_CHECKING:
    _RetentionForm = forms.ModelForm[RetentionPolicy]
    _TeamReviewForm = forms.ModelForm[TeamReview]
else:
    _RetentionForm = _TeamReviewForm = forms.ModelForm


class RetentionForm(OneMessageEach, _RetentionForm):
    class Meta:
        model = RetentionPolicy
        fields = ["default_hours", "statement", "statement_es"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 4}),
            "statement_es": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = retention_bounds()[1]
        field = cast("forms.IntegerField", self.fields["default_hours"])
        field.min_value, field.max_value = 1, longest
        field.widget.attrs.update({"min": 1, "max": longest})
        field.help_text = _("Between 1 hour and %(longest)d hours (%(days)d days).") % {
            "longest": longest,
            "days": longest // 24,
        }

    def clean_default_hours(self) -> int:
        hours: int = self.cleaned_data["default_hours"]
        longest = retention_bounds()[1]
        if not 1 <= hours <= longest:
            raise forms.ValidationError(
                _("Choose between 1 and %(longest)d hours."), params={"longest": longest}
            )
        return hours


def wipe_phrase() -> str:
    return str(_("destroy every note"))


class WipeForm(forms.Form):
    phrase = forms.CharField(label=_("Type the confirmation phrase"), max_length=100)

    def clean_phrase(self) -> str:
        phrase = " ".join(self.cleaned_data["phrase"].split()).lower()
        if phrase != wipe_phrase():
            raise forms.ValidationError(
                _("That is not the phrase. Nothing was destroyed. Type: %(phrase)s"),
                params={"phrase": wipe_phrase()},
            )
        return phrase


def eligible_follow_up_people() -> Any:
    """Who a follow-up may be handed to: active responders (the rest is checked on choosing)."""
    return holders_of("respond").order_by("display_name")


class HandOnForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Hand it on to"), queryset=User.objects.all())

    def __init__(self, *args: Any, holder: User, author_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holder = holder
        field = self.fields["to"]
        field.widget.choices = [("", "---------")] + [
            (person.pk, str(person)) for person in eligible_follow_up_people().exclude(pk=holder.pk)
        ]

    def clean_to(self) -> User:
        person: User = self.cleaned_data["to"]
        if person.pk == self.holder.pk:
            raise forms.ValidationError(_("It is already yours. Choose a teammate."))
        if not person.is_active:
            raise forms.ValidationError(
                _("%(name)s is no longer active on the line. Choose someone else."),
                params={"name": person},
            )
        if not can(person, "respond"):
            raise forms.ValidationError(
                _("%(name)s does not hold the Responder role. Choose a responder."),
                params={"name": person},
            )
        if not NoteKeys.objects.filter(person=person).exists():
            raise forms.ValidationError(
                _(
                    "%(name)s has not signed in since notes were sealed, so the note cannot be "
                    "sealed to them yet. Choose someone else."
                ),
                params={"name": person},
            )
        return person


class TeamReviewForm(_TeamReviewForm):
    """The periodic review; like a note, checked for anything that could identify someone."""

    keep_identifiers = forms.BooleanField(
        label=_("I have checked: keep these as written"), required=False
    )

    class Meta:
        model = TeamReview
        fields = ["period", "went_well", "not_served", "refused"]
        widgets = {
            "went_well": forms.Textarea(attrs={"rows": 4}),
            "not_served": forms.Textarea(attrs={"rows": 4}),
            "refused": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].help_text = _("For example: October and November")
        self.findings: list[Finding] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("period", "went_well", "not_served", "refused"):
            found = find_identifiers(data.get(name) or "")
            self.findings += [finding for finding in found if finding not in self.findings]
            if found and not data.get("keep_identifiers"):
                self.add_error(
                    name,
                    _(
                        "This may identify someone. Remove what is listed, or tick "
                        "“keep these as written” if it must stay."
                    ),
                )
        return data


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=_("Notice"),
        max_length=NOTICE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTICE_MAX_CHARS}),
        help_text=_("A closure, a new resource, a safety alert. No names, numbers or addresses."),
    )
    last_day = forms.DateField(
        label=_("Show it until (last day)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    keep_identifiers = forms.BooleanField(
        label=_("I have checked: keep these as written"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.findings: list[Finding] = []

    def clean_last_day(self) -> Any:
        from django.conf import settings

        day = self.cleaned_data["last_day"]
        today = timezone.localdate()
        last = today + timedelta(days=settings.NOTICE_MAX_DAYS - 1)
        if day < today:
            raise forms.ValidationError(_("That day is in the past."))
        if day > last:
            raise forms.ValidationError(
                _("Notices live at most %(days)d days: choose a day by %(last)s."),
                params={"days": settings.NOTICE_MAX_DAYS, "last": local_date(last, "l j F")},
            )
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.findings = find_identifiers(data.get("text") or "")
        if self.findings and not data.get("keep_identifiers"):
            self.add_error(
                "text",
                _(
                    "This may identify someone. Remove what is listed, or tick "
                    "“keep these as written” if it must stay."
                ),
            )
        return data

    def end_of_last_day(self) -> datetime:
        day = self.cleaned_data["last_day"]
        zone = timezone.get_default_timezone()
        return datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
