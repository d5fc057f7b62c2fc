"""Date filters every template has without loading them (TEMPLATES builtins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.template import defaultfilters

from crisisline import dates

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """Django's `date`, with the format the active language uses (crisisline.dates)."""
    return defaultfilters.date(value, dates.format_for(arg) if arg else arg)


@register.filter(expects_localtime=True)
def day_and_time(value: datetime | None) -> str:
    """ "today at 18:00", "tomorrow at 18:00", "Tuesday at 18:00"…"""
    return dates.day_and_time(value) if value else ""
