"""Read a page's tags as a browser would, whatever the template's line breaks."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str, name: str | None = None) -> list[dict[str, str | None]]:
    """The attributes of every start tag (or every `name` tag), in page order."""
    parser = _Tags()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if name is None or tag == name]


def field_values(html: str) -> dict[str, str | None]:
    """Each input's value by its name, as the form would post it."""
    return {attrs["name"]: attrs.get("value") for attrs in tags(html, "input") if attrs.get("name")}


def field_order(html: str) -> list[str]:
    """The names of the inputs, in page order."""
    return [attrs["name"] for attrs in tags(html, "input") if attrs.get("name")]
