"""A decision tree on one page, kept for reading offline: every step a section,
every answer a link to its step within the page, no JavaScript needed."""

from __future__ import annotations

import re

import pytest

from tests.protocols.conftest import make_page, make_tree

URL = "/protocols/trees/crisis-or-emergency/offline/"


def test_anonymous_is_sent_to_sign_in(client, db):
    make_tree()
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_page_is_not_a_tree(as_responder):
    make_page("breathing")
    assert as_responder.get("/protocols/trees/breathing/offline/").status_code == 404


def test_every_step_is_a_section_and_every_answer_leads_to_one(as_responder):
    make_tree()
    html = as_responder.get(URL).content.decode()
    sections = re.findall(r'<section class="tree-section" id="(step-\d+)">', html)
    assert sections == ["step-1", "step-2", "step-3", "step-4"]
    for text in [
        "Is anyone&#x27;s life in danger right now?",
        "Can the person talk with you calmly?",
        "Emergency",
        "Listen",
    ]:
        assert text in html
    targets = re.findall(r'<a class="answer" href="#(step-\d+)">', html)
    assert len(targets) == 4 and set(targets) <= set(sections)
    assert "<strong>medical</strong>" in html  # guidance laid out, as on screen
    assert "<script" not in html.split('<main id="main">')[1]


def test_the_step_through_links_to_the_tree_on_one_page(as_responder):
    make_tree()
    html = as_responder.get("/protocols/trees/crisis-or-emergency/").content.decode()
    assert f'href="{URL}"' in html


@pytest.mark.parametrize("language", ["es"])
def test_in_spanish(as_responder, language):
    make_tree()
    as_responder.cookies["django_language"] = language
    html = as_responder.get(URL).content.decode()
    assert "empieza en el paso 1" in html and "paso 2" in html
