import re
from datetime import datetime

from django import template
from django.utils import timezone

from crisisline import paths

register = template.Library()


@register.filter
def tel(phone: str) -> str:
    """A phone number as a tel:/sms: target: digits and a leading plus only."""
    return re.sub(r"[^\d+]", "", phone or "")


@register.simple_tag
def path_to(name: str, pk: int) -> str:
    """`{% url name pk %}` for pages with hundreds of rows (crisisline.paths)."""
    return paths.path_to(name, int(pk))


@register.filter
def hours(moment: datetime, end: str = "") -> str:
    """A time of day as short as paper allows, in the line's zone: "9", "21:30";
    a shift that ends at midnight ends at "24"."""
    local = timezone.localtime(moment)
    hour = 24 if end and (local.hour, local.minute) == (0, 0) else local.hour
    return f"{hour}" if local.minute == 0 else f"{hour}:{local.minute:02d}"
