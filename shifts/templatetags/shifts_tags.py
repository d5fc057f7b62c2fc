import re
from datetime import datetime
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language

register = template.Library()


@register.filter
def tel(phone: str) -> str:
    """A phone number as a tel:/sms: target: digits and a leading plus only."""
    return re.sub(r"[^\d+]", "", phone or "")


@register.filter
def spelled(value: object, format: str = "l j F") -> str:
    """A date as the reader's language writes it: Spanish days and months in lower case."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    text = formats.date_format(value, format)
    return text.lower() if (get_language() or "").startswith("es") else text


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
