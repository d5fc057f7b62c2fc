"""Small builders for protocol tests."""

from __future__ import annotations

import pytest

from protocols import trees
from protocols.models import Protocol

BODY = "# Breathe first\n\nSlow your own breathing before you speak.\n\n- Sit at the same level\n- Ask before touching\n"

SIMPLE_TREE = {
    "start": "danger",
    "nodes": [
        {
            "id": "danger",
            "type": "question",
            "text": "Is anyone's life in danger right now?",
            "answers": [
                {"label": "Yes", "next": "emergency"},
                {"label": "No", "next": "calm"},
            ],
        },
        {
            "id": "calm",
            "type": "question",
            "text": "Can the person talk with you calmly?",
            "answers": [
                {"label": "Yes", "next": "listen"},
                {"label": "No", "next": "emergency"},
            ],
        },
        {
            "id": "emergency",
            "type": "outcome",
            "title": "Emergency",
            "guidance": "Call for **medical** help: [call](tel:+15550100)",
            "links": [],
        },
        {"id": "listen", "type": "outcome", "title": "Listen", "guidance": "Stay.", "links": []},
    ],
}


def make_page(slug="breathing", author=None, body=BODY, **fields) -> Protocol:
    fields.setdefault("title", slug.replace("-", " ").title())
    fields.setdefault("language", "en")
    fields.setdefault("category", "de-escalation")
    protocol = Protocol.objects.create(slug=slug, **fields)
    protocol.add_revision(author=author, body=body, summary="First version")
    return protocol


def make_tree(slug="crisis-or-emergency", author=None, doc=None, **fields) -> Protocol:
    fields.setdefault("title", "Crisis or emergency")
    fields.setdefault("language", "en")
    fields.setdefault("category", "emergency-or-crisis")
    protocol = Protocol.objects.create(slug=slug, kind=Protocol.Kind.TREE, **fields)
    protocol.add_revision(author=author, body=trees.to_yaml(doc or SIMPLE_TREE), summary="First")
    return protocol


@pytest.fixture
def page(trainer) -> Protocol:
    return make_page(author=trainer)


@pytest.fixture
def tree(trainer) -> Protocol:
    return make_tree(author=trainer)
