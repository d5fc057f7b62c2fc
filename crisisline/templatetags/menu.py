"""The main menu marks where the person is."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def here(context: template.Context, link: str) -> SafeString:
    """` aria-current="page"` on the menu link of the section the page belongs to:
    the link's own path, or any page under it (/roster/hours/ is in Roster)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    if link and link != "/" and (path == link or path.startswith(link.rstrip("/") + "/")):
        return mark_safe(' aria-current="page"')
    return mark_safe("")
