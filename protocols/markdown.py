"""Markdown to safe HTML: markdown-it-py without raw HTML, then nh3 with an allowlist.

Protocol pages, live previews and tree outcomes all go through `render`, so a
page written by anyone renders inert: no scripts, no styles, no embedded
objects, images only from this server's own paths, and links only to http(s),
mailto, tel and sms.
"""

from __future__ import annotations

from collections.abc import Sequence

import nh3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

# The most HTML one text may become. A link defined once by reference ("[x]: <address>")
# and used as "[x]" is copied whole into every use: 20,000 characters of Markdown
# can lay out as 18 MB of HTML. Ordinary text grows by a fifth or so.
MAX_HTML = 1_000_000

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


def _laid_out_size(tokens: Sequence[Token]) -> int:
    """About how many characters of HTML `tokens` make, counted without making them.

    A reference's address is one string shared by all its uses, so each distinct
    string is escaped once and then only counted.
    """
    escaped: dict[int, int] = {}

    def length(value: str) -> int:
        if id(value) not in escaped:
            escaped[id(value)] = len(escapeHtml(value))
        return escaped[id(value)]

    size = 0
    for token in tokens:
        if token.type != "inline":  # an inline token's text is counted in its children
            size += 16 + length(token.content)
        for child in token.children or ():
            size += 16 + length(child.content)
            size += sum(length(value) for value in child.attrs.values() if isinstance(value, str))
    return size


def html_size(text: str) -> int:
    """About how long `render(text)` would be, found without rendering it."""
    return _laid_out_size(_markdown.parse(text or ""))


def render(text: str) -> SafeString:
    """Markdown source to sanitised HTML, safe to put in a template.

    A text that would lay out as more than MAX_HTML characters is not laid out:
    saving such a text is refused, so only an older one can get here.
    """
    env: dict[str, object] = {}
    tokens = _markdown.parse(text or "", env)
    if _laid_out_size(tokens) > MAX_HTML:
        return format_html(
            '<p class="message">{}</p>',
            _(
                "This text is too long to lay out: its links repeat long addresses. "
                "A trainer can shorten it."
            ),
        )
    html = _markdown.renderer.render(tokens, _markdown.options, env)
    return mark_safe(clean_html(html))  # sanitised by nh3 above
