"""Protocols on paper: a wallet card per category with the key steps of each page.

A card is printed as two A7 panels side by side (an A6 sheet, landscape) and
folded in two along the line between them, so it fits a wallet or a pocket.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt

from protocols import trees
from protocols.models import Category, Protocol

MOST_STEPS = 6  # a card holds the few steps someone needs to remember, not the page
MOST_CHARACTERS = 90
_PARSER = MarkdownIt("commonmark")


def _plain(children: list[Any]) -> tuple[str, str]:
    """An inline token's text, and its leading bold part if it starts with one."""
    text, lead, in_lead, leading = [], [], False, True
    for child in children or []:
        if child.type == "strong_open" and leading:
            in_lead = True
        elif child.type == "strong_close":
            in_lead, leading = False, False
        elif child.type in ("text", "code_inline"):
            text.append(child.content)
            if in_lead:
                lead.append(child.content)
            elif child.content.strip():
                leading = False
        elif child.type in ("softbreak", "hardbreak"):
            text.append(" ")
    return "".join(text).strip(), "".join(lead).strip().rstrip(".")


def key_steps(body: str) -> list[str]:
    """The steps of a page worth carrying: its numbered steps (their bold lead when
    they have one), or when it numbers nothing, each section's heading with its
    first point."""
    tokens = _PARSER.parse(body)
    steps: list[str] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == "ordered_list_open":
            depth += 1
        elif token.type == "ordered_list_close":
            depth -= 1
        elif token.type == "inline" and depth == 1 and tokens[index - 2].type == "list_item_open":
            text, lead = _plain(token.children or [])
            steps.append(lead or text)
    return [
        Truncator(step).chars(MOST_CHARACTERS) for step in (steps or _sections(tokens))[:MOST_STEPS]
    ]


def _sections(tokens: list[Any]) -> list[str]:
    sections: list[str] = []
    heading, pointed = "", True
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            if not pointed:
                sections.append(heading)
            heading, pointed = tokens[index + 1].content, False
        elif (
            token.type == "inline"
            and heading
            and not pointed
            and tokens[index - 2].type == "list_item_open"
        ):
            text, lead = _plain(token.children)
            sections.append(f"{heading}: {lead or text}")
            pointed = True
    if heading and not pointed:
        sections.append(heading)
    return sections


def tree_steps(document: dict[str, Any]) -> list[str]:
    """A tree's questions, in the order it asks them."""
    questions = [
        item["node"]["text"]
        for item in _flat(trees.outline(document))
        if item["node"]["type"] == trees.QUESTION
    ]
    return [Truncator(text).chars(MOST_CHARACTERS) for text in questions[:MOST_STEPS]]


def _flat(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for item in items:
        flat.append(item)
        for branch in item["answers"]:
            flat.extend(_flat(branch["items"]))
    return sorted(flat, key=lambda item: item["step"])


def _in_language(protocols: list[Protocol], language: str) -> list[Protocol]:
    """One protocol per translation group, in `language` when it has one."""
    chosen: dict[str, Protocol] = {}
    for protocol in protocols:
        held = chosen.get(protocol.translation_key)
        if held is None or (protocol.language == language and held.language != language):
            chosen[protocol.translation_key] = protocol
    return list(chosen.values())


@login_required
@require_GET
def cards(request: HttpRequest) -> HttpResponse:
    present = set(Protocol.objects.values_list("category", flat=True))
    categories = [(value, label) for value, label in Category.choices if value in present]
    return render(request, "protocols/cards.html", {"categories": categories})


@login_required
@require_GET
def wallet_card(request: HttpRequest, category: str) -> HttpResponse:
    if category not in Category.values:
        raise Http404
    language = (get_language() or "en")[:2]
    protocols = _in_language(
        list(Protocol.objects.filter(category=category).order_by("title")), language
    )
    if not protocols:
        raise Http404
    entries = []
    for protocol in protocols:
        revision = protocol.current
        if revision is None:
            continue
        steps = tree_steps(revision.document) if protocol.is_tree else key_steps(revision.body)
        entries.append({"protocol": protocol, "steps": steps})
    context = {"label": Category(category).label, "entries": entries}
    return render(request, "protocols/card.html", context)
