"""Dates as each language writes them.

Templates and emails name a date format once, in English order ("l j F"). Spanish
needs more than translated day and month names: "martes 1 de diciembre", never
"Martes 1 Diciembre". `format_for` gives the format the active language uses for
one of ours; the `date` filter (crisisline.templatetags.dates, a builtin) asks it,
so every template follows without changing its format strings.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import FORMAT_SETTINGS, date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Day and month names come from Django's Spanish catalog, in lower case
# ("martes", "diciembre", "mar", "dic"); only the word order and "de" differ.
SPANISH = {
    "l j F": r"l j \d\e F",
    "l j F H:i": r"l j \d\e F \a \l\a\s H:i",
    "l j F, H:i": r"l j \d\e F, H:i",
    "l j F Y": r"l j \d\e F \d\e Y",
    "l j M": r"l j \d\e F",
    "l j M H:i": r"l j \d\e F, H:i",
    "j F": r"j \d\e F",
    "j F Y": r"j \d\e F \d\e Y",
    "j F Y H:i": r"j \d\e F \d\e Y, H:i",
    "F Y": r"F \d\e Y",
}

LOWER_CASE_MONTHS = {"es"}
UNESCAPED_M = re.compile(r"(?<!\\)M")


def format_for(format_string: str, language: str | None = None) -> str:
    """The format `language` (default: the active one) uses for `format_string`."""
    language = (language or get_language() or "en").split("-")[0]
    if language not in LOWER_CASE_MONTHS or format_string in FORMAT_SETTINGS:
        return format_string  # named formats ("DATE_FORMAT") come from Django's locale
    return _spanish(format_string)


@lru_cache(maxsize=128)
def _spanish(format_string: str) -> str:
    # Django's "M" capitalises the abbreviated month ("Dic"); "b" keeps it as written.
    return UNESCAPED_M.sub("b", SPANISH.get(format_string, format_string))


def local_date(value: date | datetime, format_string: str) -> str:
    """`value` formatted in the active language's own way (see `format_for`)."""
    return date_format(value, format_for(format_string))


def day_and_time(at: datetime, now: datetime | None = None) -> str:
    """When something happens, as people say it: "today at 18:00", "tomorrow at
    18:00", "Tuesday at 18:00" within the week, else with the date."""
    now = timezone.localtime(now or timezone.now())
    at = timezone.localtime(at)
    time = date_format(at, "H:i")
    days = (at.date() - now.date()).days
    if days == 0:
        return _("today at %(time)s") % {"time": time}
    if days == 1:
        return _("tomorrow at %(time)s") % {"time": time}
    if 1 < days < 7:
        return _("%(day)s at %(time)s") % {"day": date_format(at, "l"), "time": time}
    return _("%(date)s at %(time)s") % {"date": local_date(at, "l j F"), "time": time}
