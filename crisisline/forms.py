from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crisisline import throttle
from crisisline.models import Line, Skill, User
from crisisline.phones import clean_phone
from crisisline.roles import ROLE_CAPABILITIES

# These form classes are generic only in the type stubs; at run time they take no parameter.
if TYPE_CHECKING:
    _PickMany = forms.ModelMultipleChoiceField[Any]
    _UserForm = forms.ModelForm[User]
    _UserCreationForm = UserCreationForm[User]
    _LineForm = forms.ModelForm[Line]
    _SkillForm = forms.ModelForm[Skill]
else:
    _PickMany = forms.ModelMultipleChoiceField
    _UserForm = _LineForm = _SkillForm = forms.ModelForm
    _UserCreationForm = UserCreationForm


class OneMessageEach:
    """For model forms: each model constraint says in words what it refuses
    (`violation_error_message`), and a form's own check of the same rule uses the
    same words, so that a refused save says it once, never twice and never raw."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for errors in (self._errors or {}).values():  # type: ignore[attr-defined]
            seen: set[str] = set()
            kept = []
            for error in errors.as_data():
                text = " ".join(error.messages)
                if text not in seen:
                    seen.add(text)
                    kept.append(error)
            errors.data = kept


class SignInForm(AuthenticationForm):
    """Django's sign-in form, throttled (crisisline.throttle)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-ins. For your safety, wait %(minutes)s minutes and try again."
        ),
    }

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        request = self.request
        assert request is not None, "the sign-in view always passes the request"
        username = self.cleaned_data.get("username") or ""
        if throttle.is_throttled(request, username):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.SIGNIN_THROTTLE_MINUTES},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(request, username)
            raise
        throttle.forget_failures(request, username)
        return cleaned


class PickMany(_PickMany):
    """A ModelMultipleChoiceField that refuses ids no database integer can hold:
    SQLite raises OverflowError on them (a server error) instead of finding nothing."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # Django's own check explains these
            if not -(2**63) <= number < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        # A private method of Django's field, so the stubs leave it out.
        return super()._check_values(value)  # type: ignore[misc]


class PickRoles(PickMany):
    def label_from_instance(self, obj: Group) -> str:
        return gettext(obj.name)  # role names are in the catalogs (crisisline.roles)


def role_choices() -> PickRoles:
    return PickRoles(
        label=_("Roles"),
        queryset=Group.objects.filter(name__in=ROLE_CAPABILITIES).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )


class ProfileFields(OneMessageEach, _UserForm):
    """What a person tells their teammates about themselves, and their limits."""

    languages = PickMany(
        label=_("Languages you speak"),
        queryset=Skill.objects.filter(kind=Skill.Kind.LANGUAGE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "pronouns",
            "phone",
            "email",
            "max_shifts_per_month",
            "min_rest_hours",
            "language",
            "line_gap_emails",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }
        help_texts = {"email": _("Optional: only for reminders and password links.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line_language = dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)  # the model field has choices
        language.choices = [
            ("", _("Same as the line (%(language)s)") % {"language": line_language}),
            *settings.LANGUAGES,
        ]
        if self.instance.pk:
            self.initial.setdefault(
                "languages", list(self.instance.skills.filter(kind=Skill.Kind.LANGUAGE))
            )

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            # Only languages are self-declared; skills are granted (SkillGrant).
            user.skills.set(self.cleaned_data["languages"])
        return user


class ProfileForm(ProfileFields):
    pass


class AcceptInvitationForm(OneMessageEach, _UserCreationForm):
    """A new person chooses a username and password, and fills in their profile."""

    # The stubs leave out UserCreationForm.Meta and the password mixin's methods.
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined,misc]
        model = User
        fields = ("username",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = ProfileFields()
        for name, field in profile.fields.items():
            self.fields[name] = field
        self.fields["display_name"].help_text = _("How teammates see you.")

    clean_phone = ProfileFields.clean_phone

    def validate_password_for_user(self, user: User, **kwargs: Any) -> None:
        # Meta.fields puts only the username on the instance: the policy must also
        # see the name and email typed on this form (not a password made of them).
        for name in ProfileFields.Meta.fields:
            if name in self.cleaned_data:
                setattr(user, name, self.cleaned_data[name])
        super().validate_password_for_user(user, **kwargs)  # type: ignore[misc]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        for name in ProfileFields.Meta.fields:
            setattr(user, name, self.cleaned_data[name])
        if commit:
            user.save()
            user.skills.set(self.cleaned_data["languages"])
        return user


class InvitationForm(forms.Form):
    label = forms.CharField(
        label=_("For"),
        max_length=80,
        required=False,
        help_text=_("Optional note for coordinators, e.g. a first name."),
    )
    roles = role_choices()


class RolesForm(forms.Form):
    roles = role_choices()


class GrantForm(forms.Form):
    """A trainer or coordinator grants or renews one skill or training."""

    skill = forms.ModelChoiceField(
        label=_("Skill or training"),
        queryset=Skill.objects.filter(kind=Skill.Kind.SKILL),
        error_messages={"invalid_choice": _("Choose a skill from the list.")},
    )
    granted_on = forms.DateField(
        label=_("Granted on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    renew_by = forms.DateField(
        label=_("Renew by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: from the day after, the skill no longer counts until renewed."),
    )

    def clean(self) -> dict[str, Any]:
        from django.utils import timezone

        cleaned = super().clean() or {}
        granted, renew = cleaned.get("granted_on"), cleaned.get("renew_by")
        if granted and granted > timezone.localdate():
            self.add_error("granted_on", _("A skill cannot be granted on a day still to come."))
        elif granted and renew and renew < granted:
            self.add_error("renew_by", _("The renewal date is before the day it was granted."))
        return cleaned


class LineForm(OneMessageEach, _LineForm):
    def clean_public_phone(self) -> str:
        return clean_phone(self.cleaned_data["public_phone"])

    class Meta:
        model = Line
        fields = [
            "name",
            "public_phone",
            "responds_to",
            "does_not_respond_to",
            "responds_to_es",
            "does_not_respond_to_es",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "responds_to",
                "does_not_respond_to",
                "responds_to_es",
                "does_not_respond_to_es",
            )
        }


class CodeForm(forms.Form):
    """A code from the authenticator app (or, where allowed, a recovery code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text


class SkillNameForm(_SkillForm):
    """The Spanish name of a skill, training or language (the English one is its key)."""

    class Meta:
        model = Skill
        fields = ["name_es"]
