import re
from datetime import datetime
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

register = template.Library()


@register.filter
def tel(phone: str) -> str:
    """A phone number as a tel:/sms: target: digits and a leading plus only."""
    return re.sub(r"[^\d+]", "", phone or "")


_PLACEHOLDER = 987654321


@lru_cache(maxsize=128)
def _path_pattern(name: str, script_prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)


@register.simple_tag
def path_to(name: str, pk: int) -> str:
    """`{% url name pk %}` for pages with hundreds of rows: the route is reversed
    once per process, then only the number changes (the month roster has ~2,000 links)."""
    pattern = _path_pattern(name, get_script_prefix(), get_urlconf())
    return pattern.replace(str(_PLACEHOLDER), str(int(pk)))


@register.filter
def hours(moment: datetime, end: str = "") -> str:
    """A time of day as short as paper allows, in the line's zone: "9", "21:30";
    a shift that ends at midnight ends at "24"."""
    local = timezone.localtime(moment)
    hour = 24 if end and (local.hour, local.minute) == (0, 0) else local.hour
    return f"{hour}" if local.minute == 0 else f"{hour}:{local.minute:02d}"
