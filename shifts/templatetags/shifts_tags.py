import re

from django import template

register = template.Library()


@register.filter
def tel(phone: str) -> str:
    """A phone number as a tel:/sms: target: digits and a leading plus only."""
    return re.sub(r"[^\d+]", "", phone or "")
