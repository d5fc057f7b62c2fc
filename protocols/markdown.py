"""Markdown to safe HTML: markdown-it-py without raw HTML, then nh3 with an allowlist.

Protocol pages, live previews and tree outcomes all go through `render`, so a
page written by anyone renders inert: no scripts, no styles, no embedded
objects, images only from this server's own paths, and links only to http(s),
mailto, tel and sms.
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel", "sms"})
# Dropped together with everything inside them, not just unwrapped.
DROP_WITH_CONTENT = frozenset(
    {
        *("script", "style", "iframe", "object", "embed", "svg", "math", "template"),
        *("noscript", "title", "textarea", "xmp", "noembed", "noframes", "plaintext"),
    }
)

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])


def is_same_site_path(value: str) -> bool:
    """True for a path on this server ("/static/map.png"), as a browser reads it:
    never a scheme, never another host ("//host", "/\\host"), and no control
    character, which browsers drop before parsing ("/\t/host" is "//host")."""
    if "\\" in value or value != value.strip() or any(ord(char) < 0x20 for char in value):
        return False
    return value.startswith("/") and not value.startswith("//")


def _same_origin_images_only(element: str, attribute: str, value: str) -> str | None:
    """Images load without a click, so only this server's own paths may be used.
    Links are different: a trainer's link elsewhere loads nothing until followed."""
    if element == "img" and attribute == "src":
        return value if is_same_site_path(value) else None
    return value


def clean_html(html: str) -> str:
    """Sanitise an HTML fragment with the project's allowlist."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        attribute_filter=_same_origin_images_only,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render(text: str) -> SafeString:
    """Markdown source to sanitised HTML, safe to put in a template."""
    return mark_safe(clean_html(_markdown.render(text or "")))  # sanitised by nh3 above
