from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisisline.forms import OneMessageEach
from crisisline.models import User
from crisisline.phones import clean_phone
from shifts.coverage import KIND_LABELS
from shifts.hours import MAX_GENERATION_DAYS
from shifts.models import Closure, Position, RosterRules, ServiceWindow, ShiftPreferences, TimeOff

# These form classes are generic only in the type stubs; at run time they take no parameter.
if TYPE_CHECKING:
    from django.db.models import QuerySet

    from shifts.models import Shift

    _WindowForm = forms.ModelForm[ServiceWindow]
    _ClosureForm = forms.ModelForm[Closure]
    _PositionForm = forms.ModelForm[Position]
    _TimeOffForm = forms.ModelForm[TimeOff]
    _PreferencesForm = forms.ModelForm[ShiftPreferences]
    _RulesForm = forms.ModelForm[RosterRules]
else:
    _WindowForm = _ClosureForm = _PositionForm = forms.ModelForm
    _TimeOffForm = _PreferencesForm = _RulesForm = forms.ModelForm

MAX_SHIFT_HOURS = 72
MAX_TIME_OFF_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def today() -> date:
    return timezone.localdate()


class WindowForm(OneMessageEach, _WindowForm):
    class Meta:
        model = ServiceWindow
        fields = ["weekday", "start", "end"]
        widgets = {"start": TimeInput(), "end": TimeInput()}
        help_texts = {"end": _("A closing time at or before the opening time means the next day.")}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end, weekday = cleaned.get("start"), cleaned.get("end"), cleaned.get("weekday")
        if start is None or end is None or weekday is None:
            return cleaned
        if start == end:
            raise ValidationError(
                _("The window opens and closes at the same time: it would be empty.")
            )
        candidate = ServiceWindow(weekday=weekday, start=start, end=end)
        for other in ServiceWindow.objects.exclude(pk=self.instance.pk):
            if candidate.overlaps(other):
                raise ValidationError(
                    _("This overlaps the window %(other)s. Change or delete that one first.")
                    % {"other": other}
                )
        return cleaned

    def validate_unique(self) -> None:
        # Overlap is checked above with a clearer message than the unique constraint's.
        pass


class ClosureForm(OneMessageEach, _ClosureForm):
    class Meta:
        model = Closure
        fields = ["date", "reason"]
        widgets = {"date": DateInput()}

    def clean_date(self) -> date:
        day: date = self.cleaned_data["date"]
        if day < today():
            raise ValidationError(_("That date is in the past."))
        if Closure.objects.filter(date=day).exists():
            raise ValidationError(_("The line is already closed that day."))
        return day


class PositionForm(OneMessageEach, _PositionForm):
    class Meta:
        model = Position
        fields = [
            "name",
            "name_es",
            "min_people",
            "max_people",
            "required_skill",
            "trainee_place",
            "holds_line",
            "takes_debriefs",
            "order",
            "active",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high = cleaned.get("min_people"), cleaned.get("max_people")
        if high is not None and high < 1:
            self.add_error("max_people", _("At least one person must fit in a position."))
        elif low is not None and high is not None and low > high:
            self.add_error("min_people", _("The fewest cannot be more than the most."))
        if cleaned.get("trainee_place") and not cleaned.get("required_skill"):
            self.add_error(
                "trainee_place",
                _(
                    "A trainee place needs a required skill to learn: choose one, "
                    "or leave the trainee place off."
                ),
            )
        return cleaned


def _day_span(cleaned: dict[str, Any], check: Callable[[date, date], None]) -> dict[str, Any]:
    """Once both days are given: never in the wrong order, then the form's own `check`."""
    first, last = cleaned.get("first_day"), cleaned.get("last_day")
    if first is None or last is None:
        return cleaned
    if last < first:
        raise ValidationError(_("The last day is before the first day."))
    check(first, last)
    return cleaned


def _at_most(first: date, last: date, most: int, message: Any) -> None:
    """`message` (with %(days)s) when the span from `first` to `last` is longer than `most` days."""
    if (last - first).days + 1 > most:
        raise ValidationError(message % {"days": most})


class GenerateForm(forms.Form):
    first_day = forms.DateField(label=_("From"), widget=DateInput())
    last_day = forms.DateField(label=_("Until (inclusive)"), widget=DateInput())
    block_hours = forms.TypedChoiceField(
        label=_("Cut each window into blocks of"),
        choices=[
            ("", _("no blocks: one shift per window")),
            *[(h, _("%(h)s hours") % {"h": h}) for h in (2, 3, 4, 6, 8, 12)],
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        return _day_span(self.cleaned_data, self._check_days)

    def _check_days(self, first: date, last: date) -> None:
        if first < today():
            raise ValidationError(
                _("Shifts cannot be generated in the past: start today or later.")
            )
        _at_most(first, last, MAX_GENERATION_DAYS, _("Generate at most %(days)s days at a time."))


class ShiftForm(forms.Form):
    start = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    end = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, shift: Shift | None = None, **kwargs: Any) -> None:
        self.shift = shift
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        from shifts.models import Shift

        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned
        if end <= start:
            raise ValidationError(_("The end must come after the start."))
        if end - start > timedelta(hours=MAX_SHIFT_HOURS):
            raise ValidationError(
                _("A shift can last at most %(hours)s hours.") % {"hours": MAX_SHIFT_HOURS}
            )
        if start <= timezone.now():
            raise ValidationError(_("The shift would start in the past."))
        clash = Shift.objects.filter(start=start, end=end)
        if self.shift is not None:
            clash = clash.exclude(pk=self.shift.pk)
        if clash.exists():
            raise ValidationError(_("A shift with exactly these times already exists."))
        return cleaned


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        error_messages={"invalid_choice": _("Choose someone from the list.")},
    )

    def __init__(self, *args: Any, people: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = cast("forms.ModelChoiceField[User]", self.fields["person"])
        person.queryset = people if people is not None else User.objects.none()


class TimeOffForm(OneMessageEach, _TimeOffForm):
    class Meta:
        model = TimeOff
        fields = ["first_day", "last_day", "note"]
        widgets = {"first_day": DateInput(), "last_day": DateInput()}

    def clean(self) -> dict[str, Any]:
        super().clean()
        return _day_span(self.cleaned_data, self._check_days)

    def _check_days(self, first: date, last: date) -> None:
        if last < today():
            raise ValidationError(_("That time off is already over."))
        _at_most(first, last, MAX_TIME_OFF_DAYS, _("Mark at most %(days)s days at a time."))


class PreferencesForm(OneMessageEach, _PreferencesForm):
    class Meta:
        model = ShiftPreferences
        fields = ["reminder_hours", "feed_shows_teammates"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reminder_hours"]
        field.validators += [MinValueValidator(1), MaxValueValidator(168)]
        field.widget.attrs.update(min=1, max=168)


class RulesForm(OneMessageEach, _RulesForm):
    class Meta:
        model = RosterRules
        fields = ["release_notice_hours", "swaps_need_approval", "duty_phone"]
        widgets = {"duty_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def clean_duty_phone(self) -> str:
        return clean_phone(self.cleaned_data["duty_phone"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["release_notice_hours"]
        field.validators.append(MaxValueValidator(720))
        field.widget.attrs.update(max=720)


class ChainForm(forms.Form):
    """Where calls go after the line holder: a place in the order for each position."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positions = list(Position.objects.filter(active=True, holds_line=False))
        for position in self.positions:
            self.fields[f"position_{position.pk}"] = forms.IntegerField(
                label=_("Then %(position)s: place in the order") % {"position": position},
                min_value=1,
                max_value=20,
                required=False,
                initial=position.forwarding_order,
                help_text=_("Leave empty to keep this position out of the chain."),
            )

    def save(self) -> None:
        for position in self.positions:
            position.forwarding_order = self.cleaned_data[f"position_{position.pk}"]
            position.save(update_fields=["forwarding_order"])


class CoverageForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Weeks ahead"), min_value=1, max_value=26, initial=4, required=False
    )
    kind = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("Every kind of problem")), *KIND_LABELS.items()],
        required=False,
    )


class PlacesFilter(forms.Form):
    """Narrow the open places to one day, one position, or both (GET)."""

    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        queryset=Position.objects.filter(active=True),
        required=False,
        empty_label=_("Every position"),
    )

    def query(self) -> str:
        """The chosen filter as a query string to keep on the pager's links, ending in '&'."""
        if not self.is_valid():
            return ""
        chosen = {
            "day": self.cleaned_data["day"] and self.cleaned_data["day"].isoformat(),
            "position": self.cleaned_data["position"] and self.cleaned_data["position"].pk,
        }
        return "".join(f"{key}={value}&" for key, value in chosen.items() if value)
