"""Wallet cards: one per category, with each page's key steps, in the reader's language."""

from __future__ import annotations

from protocols.paper import key_steps
from tests.protocols.conftest import make_page, make_tree

STEPS = """Intro text.

## Before

- a bullet that is not a step

## The first minute

1. **Introduce yourself by first name** and say who you are with.
2. **Ask their name.** Use it.
3. Speak slower and quieter than they do.
"""


def test_key_steps_are_the_numbered_steps_by_their_bold_lead():
    assert key_steps(STEPS) == [
        "Introduce yourself by first name",
        "Ask their name",
        "Speak slower and quieter than they do.",
    ]


def test_a_page_without_numbered_steps_gives_its_sections_and_their_first_point():
    body = "Hello\n\n## Breathe\n\ntext\n\n## Listen\n\n- **Reflect** what you hear\n- y\n"
    assert key_steps(body) == ["Breathe", "Listen: Reflect"]


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/protocols/cards/de-escalation/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_or_empty_category_is_not_found(as_responder):
    make_page("breathing", body=STEPS)
    assert as_responder.get("/protocols/cards/astrology/").status_code == 404
    assert as_responder.get("/protocols/cards/aftercare/").status_code == 404


def test_the_card_holds_each_pages_steps_and_each_trees_questions(as_responder):
    make_page("breathing", body=STEPS, category="emergency-or-crisis")
    make_tree()
    html = as_responder.get("/protocols/cards/emergency-or-crisis/").content.decode()
    assert "<li>Introduce yourself by first name</li>" in html
    assert "a bullet that is not a step" not in html
    assert "<li>Is anyone&#x27;s life in danger right now?</li>" in html
    index = as_responder.get("/protocols/cards/").content.decode()
    assert 'href="/protocols/cards/emergency-or-crisis/"' in index
    assert "/protocols/cards/aftercare/" not in index


def test_the_card_is_in_the_readers_language(as_responder):
    make_page("breathing", body=STEPS, translation_key="b")
    make_page("respirar", body="1. **Respira primero**\n", language="es", translation_key="b")
    as_responder.cookies["django_language"] = "es"
    html = as_responder.get("/protocols/cards/de-escalation/").content.decode()
    assert "Respira primero" in html and "Introduce yourself" not in html
