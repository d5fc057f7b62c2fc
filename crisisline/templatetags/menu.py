"""The main menu marks where the person is."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def here(context: template.Context, link: str, but_not: str = "") -> SafeString:
    """` aria-current="page"` on the menu link of the section the page belongs to:
    the link's own path, or any page under it (/roster/hours/ is in Roster), except
    under `but_not`, another menu link's section inside this one (Resources, in
    /protocols/resources/, is not in Protocols)."""
    path = getattr(context.get("request"), "path", "")
    if _under(path, link) and not (but_not and _under(path, but_not)):
        return mark_safe(' aria-current="page"')
    return mark_safe("")


def _under(path: str, link: str) -> bool:
    return bool(link) and link != "/" and (path == link or path.startswith(link.rstrip("/") + "/"))
