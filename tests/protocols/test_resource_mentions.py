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


# --- Helping a trainer write a mention ---------------------------------------------------

HELP = "Link a resource with [[resource:slug]]"


def test_the_page_editor_says_how_to_link_a_resource(as_trainer, page):
    html = as_trainer.get(f"/protocols/{page.slug}/edit/").content.decode()
    assert HELP in html and 'aria-describedby="body-help body-mention-help"' in html


def test_the_tree_editor_says_how_to_link_a_resource_from_an_outcome(as_trainer, tree):
    html = as_trainer.get(f"/protocols/trees/{tree.slug}/edit/").content.decode()
    assert HELP in html


def test_a_trainer_finds_a_resources_mention_on_its_page(
    as_trainer, as_coordinator, as_responder, shelter
):
    url = "/protocols/resources/night-shelter/"
    html = as_trainer.get(url).content.decode()
    assert "Link it from a protocol" in html
    assert 'readonly value="[[resource:night-shelter]]"' in html
    # Only those who edit protocols need it.
    for other in (as_coordinator, as_responder):
        assert "[[resource:" not in other.get(url).content.decode()


def test_the_mention_help_is_in_spanish(as_trainer, shelter):
    html = as_trainer.get(
        "/protocols/resources/night-shelter/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Enlázalo desde un protocolo" in html
