"""Protocol pages and tree outcomes mention resources as [[resource:slug]]; readers see
them live, with "open now"."""

from __future__ import annotations

from datetime import time

import pytest

from protocols import trees
from tests.protocols.conftest import SIMPLE_TREE, make_page, make_tree
from tests.protocols.resource_helpers import make_resource

pytestmark = pytest.mark.django_db

ALWAYS = tuple(
    (day, start, end)
    for day in range(7)
    for start, end in ((time(0), time(12)), (time(12), time(0)))
)


@pytest.fixture
def shelter():
    return make_resource("night-shelter", name="Night Shelter", hours=ALWAYS, police="never")


def test_a_page_links_the_resources_it_mentions_and_shows_them_live(as_responder, shelter):
    make_page("housing-help", body="# Housing\n\nTry [[resource:night-shelter]] first.\n")
    html = as_responder.get("/protocols/housing-help/").content.decode()
    assert '<a href="/protocols/resources/night-shelter/"' in html
    assert "[[resource:" not in html
    assert "Resources mentioned here" in html and "Open now" in html


def test_an_unknown_mention_is_left_as_plain_words(as_responder):
    make_page("housing-help", body="Try [[resource:gone-away]].\n")
    html = as_responder.get("/protocols/housing-help/").content.decode()
    assert "Try gone-away." in html and "Resources mentioned here" not in html


def test_people_without_a_role_see_no_resource_cards(as_outsider, shelter):
    make_page("housing-help", body="Try [[resource:night-shelter]].\n")
    html = as_outsider.get("/protocols/housing-help/").content.decode()
    assert "Resources mentioned here" not in html and "Night Shelter" not in html


def test_a_tree_outcome_shows_the_resources_it_mentions(as_responder, shelter):
    doc = trees.from_yaml(trees.to_yaml(SIMPLE_TREE))
    for node in doc["nodes"]:
        if node["id"] == "listen":
            node["guidance"] = "Stay. Offer [[resource:night-shelter]] for tonight."
    make_tree(doc=doc)
    html = as_responder.get("/protocols/trees/crisis-or-emergency/?path=1.0").content.decode()
    assert '<a href="/protocols/resources/night-shelter/"' in html
    assert "Resources mentioned here" in html and "Police: <strong>Never</strong>" in " ".join(
        html.split()
    )


def test_a_resource_name_cannot_inject_markup_through_a_mention(as_responder):
    make_resource("odd", name="](javascript:alert(1)) <b>x</b>")
    make_page("odd-page", body="See [[resource:odd]].\n")
    html = as_responder.get("/protocols/odd-page/").content.decode()
    assert 'href="javascript' not in html and "<b>x</b>" not in html
    assert "&lt;b&gt;x" in html  # shown as the words it is
